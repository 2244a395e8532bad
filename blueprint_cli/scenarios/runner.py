"""Running scenarios: in memory, through the pure engine, never a workspace.

Each scenario starts a fresh record (entering the blueprint like a new record,
or placed in `record.state`), then runs its steps in order on a clock that
moves only when a step says `wait`. While it waits, what falls due happens
as `blueprint tick` does it (`engine/due.py`), at the moment it falls due: SLA
escalations, and automatic transitions, which can start a stay with more due. After each step its expectations are
checked; the first step with a difference fails the scenario, and every
difference of that step is reported with the `file:line:col` of what failed.

Along the way the runner notes what the scenario exercised — states entered,
transitions completed, branches taken, parallel parts done — for coverage.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from blueprint_cli.language import criteria

from blueprint_cli.engine import due

from blueprint_cli import engine
from blueprint_cli.language.calendar import DEFAULT as DEFAULT_CALENDAR
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine import Inputs, Moved, Refusal
from blueprint_cli.language.fieldtypes import FieldValueError, is_empty, parse
from blueprint_cli.language.model import Blueprint, Transition
from blueprint_cli.engine.records import ActionOutcome, Passage, Record, Task, passage
from blueprint_cli.engine.stays import stays
from blueprint_cli.scenarios.loader import LoadedFile
from blueprint_cli.language.times import in_effect, reading_in
from blueprint_cli.scenarios.model import DEFAULT_NOW, Expectation, Scenario, Step, zone_of
from blueprint_cli.language.team import Team


@dataclass
class Exercised:
    """What one or more scenarios did to a blueprint (coverage)."""

    states: set[str] = field(default_factory=set)
    transitions: set[str] = field(default_factory=set)
    #: (transition, branch index)
    branches: set[tuple[str, int]] = field(default_factory=set)
    #: (transition, part)
    parts: set[tuple[str, str]] = field(default_factory=set)

    def update(self, other: Exercised) -> None:
        self.states |= other.states
        self.transitions |= other.transitions
        self.branches |= other.branches
        self.parts |= other.parts


@dataclass(frozen=True)
class Difference:
    """One expectation that did not hold, and where it is written."""

    message: str
    line: int
    col: int


@dataclass
class Failure:
    step: Step | None
    line: int
    col: int
    differences: list[Difference]

    @property
    def headline(self) -> str:
        return self.differences[0].message if self.differences else "failed"


@dataclass(frozen=True)
class TimeInState:
    """How long a scenario's record spent in one state, on the scenario's clock:
    calendar time and working time on its calendar (every stay in the state)."""

    state: str
    seconds: float
    working_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "seconds": self.seconds, "working_seconds": self.working_seconds}


@dataclass
class ScenarioResult:
    scenario: Scenario
    file: str
    line: int
    failure: Failure | None = None
    seconds: float = 0.0
    exercised: Exercised = field(default_factory=Exercised)
    #: time the record spent per state, in the order it first entered each (`blueprint test --times`)
    times: tuple[TimeInState, ...] = ()

    @property
    def passed(self) -> bool:
        return self.failure is None

    @property
    def name(self) -> str:
        return self.scenario.name


@dataclass
class FileResult:
    loaded: LoadedFile
    results: list[ScenarioResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def file(self) -> str:
        return self.loaded.display

    @property
    def broken(self) -> bool:
        """The file could not run (its findings say why)."""
        return not self.loaded.runnable


#: A `wait` stops at most this many moments when something falls due (a circle
#: of automatic transitions would otherwise never end).
MAX_DUE_MOMENTS = 1000


class _StepFailed(Exception):
    def __init__(self, differences: list[Difference]) -> None:
        super().__init__(differences[0].message if differences else "")
        self.differences = differences


def run_file(loaded: LoadedFile, select: str | None = None) -> FileResult:
    """Run every scenario of a checked file (those whose name contains `select`)."""
    out = FileResult(loaded)
    if not loaded.runnable:
        return out
    assert loaded.scenarios is not None and loaded.blueprint is not None
    start = time.perf_counter()
    # a time without an offset (a field's value, a criterion's) is in the file's zone, as its `now:` is
    with reading_in(zone_of(loaded.scenarios.calendar)):
        for scenario in loaded.scenarios.scenarios:
            if select and select.casefold() not in scenario.name.casefold():
                continue
            now = scenario.now or loaded.scenarios.now or DEFAULT_NOW
            out.results.append(ScenarioRun(loaded, loaded.blueprint, loaded.team, scenario, now).run())
    out.seconds = time.perf_counter() - start
    return out


def run_files(files: Sequence[LoadedFile], select: str | None = None) -> list[FileResult]:
    return [run_file(f, select) for f in files]


# ----- one scenario ------------------------------------------------------------------------

def _shown(value: Any) -> str:
    if is_empty(value):
        return "empty"
    return repr(value)


class ScenarioRun:
    def __init__(self, loaded: LoadedFile, bp: Blueprint, team: Team, scenario: Scenario, now: datetime) -> None:
        self.loaded = loaded
        self.bp = bp
        self.team = team
        self.scenario = scenario
        self.now = now
        self.exercised = Exercised()
        #: business time in scenarios: the file's `calendar:`, else the default working calendar
        self.calendar = loaded.scenarios.calendar if loaded.scenarios is not None else DEFAULT_CALENDAR
        self.record: Record | None = None
        #: what time did during the last `wait`
        self.happened: list[due.Happening] = []
        #: why the record did not enter the blueprint, when it did not
        self.not_entered: list[str] = []
        #: the record's history as far as its stays go (for `times`)
        self.history: list[Passage] = []

    def at(self, path: tuple[Any, ...], key: bool = False) -> tuple[int, int]:
        return self.loaded.position(path, key)

    def diff(self, message: str, path: tuple[Any, ...], key: bool = False) -> Difference:
        line, col = self.at(path, key)
        return Difference(message, line, col)

    def run(self) -> ScenarioResult:
        s = self.scenario
        line, _ = self.at(s.path + ("name",))
        result = ScenarioResult(s, self.loaded.display, line, exercised=self.exercised)
        start = time.perf_counter()
        step: Step | None = None
        try:
            self.record = self.start()
            for step in s.steps:
                self.step(step)
        except _StepFailed as exc:
            sl, sc = self.at(step.path) if step is not None else self.at(s.record.path)
            result.failure = Failure(step, sl, sc, exc.differences)
        result.seconds = time.perf_counter() - start
        result.times = self.times()
        return result

    def times(self) -> tuple[TimeInState, ...]:
        """Time per state up to the scenario's last moment (the last stay is open;
        final states are left out)."""
        spent: dict[str, list[float]] = {}
        final = set(self.bp.final_states)
        for stay in stays(self.history):
            if stay.state in final:
                continue  # where the record ends: not time spent on the way
            end = stay.end if stay.end is not None else max(self.now, stay.start)
            total = spent.setdefault(stay.state, [0.0, 0.0])
            total[0] += (end - stay.start).total_seconds()
            total[1] += self.calendar.working_time(stay.start, end).total_seconds()
        return tuple(TimeInState(state, a, b) for state, (a, b) in spent.items())

    # ----- the starting record --------------------------------------------------------------

    def start(self) -> Record:
        s, bp = self.scenario, self.bp
        rec = s.record
        try:
            values = engine.parse_values(engine.field_defs(bp), dict(rec.fields), bp.field, bp.id)
        except BlueprintError as exc:
            raise _StepFailed([self.diff(f"the starting record: {exc.message}", rec.path + ("fields",))]) from None
        owner = s.owner
        record, created = engine.create(bp, record_id=rec.id, module=bp.module, version=1, owner=owner,
                                        values=values, user=owner, now=self.now)
        record = replace(record, tags=tuple(rec.tags))
        if rec.state is not None:
            record = replace(record, state=rec.state)
        else:
            failures = criteria.explain(bp.entry.when, record.values(bp.field))
            if failures:
                self.not_entered = [f.describe() for f in failures]
                record = replace(record, blueprint=None, version=None, state=None, state_since="")
        if record.state is not None:
            self.exercised.states.add(record.state)
            self.history.append(passage(created)._replace(to_state=record.state))
        return record

    # ----- steps ------------------------------------------------------------------------------

    def user(self, step: Step) -> str:
        assert self.record is not None
        return step.user or self.record.owner

    def step(self, step: Step) -> None:
        assert self.record is not None
        before = self.record
        outcome: Moved | Refusal | None = None
        if step.kind == "move":
            outcome = self.move(step)
        elif step.kind == "edit":
            self.edit(step)
        elif step.kind == "wait":
            self.wait(step)
        self.check(step, before, outcome)

    def wait(self, step: Step) -> None:
        """Let time pass, stopping at each moment something falls due."""
        assert self.record is not None and step.wait is not None
        try:
            end = engine.add_duration(self.now, step.wait, self.calendar)
        except (OverflowError, ValueError):
            raise _StepFailed([self.diff(f"waiting {step.wait} from {engine.iso(self.now)} goes past the last date "
                                         "a clock can show", step.path + ("wait",))]) from None
        self.happened = []
        last = self.now
        for _ in range(MAX_DUE_MOMENTS):
            timed = due.timed_state(self.bp, self.record.state) if self.record.blueprint is not None else None
            upcoming = [m for m in due.moments(timed, self.record, self.calendar) if last < m <= end] if timed else []
            if not upcoming:
                break
            last = min(upcoming)
            self.time_passes(last)
        else:
            raise _StepFailed([self.diff(f"more than {MAX_DUE_MOMENTS} escalations and automatic transitions fell "
                                         f"due while waiting {step.wait}; they seem to go round in a circle",
                                         step.path + ("wait",))])
        self.time_passes(end)  # and what is due at the end (a stay that began at its last moment)
        self.now = end

    def time_passes(self, moment: datetime) -> None:
        assert self.record is not None
        if self.record.blueprint is None:
            return
        done = due.step(self.bp, self.record, moment, self.calendar, self.team)
        self.record = done.record
        self.history += [passage(e) for e in done.entries]
        for h in done.happened:
            if h.kind == "move":
                self.exercised.transitions.add(h.what)
                if h.to_state is not None:
                    self.exercised.states.add(h.to_state)
            if h.kind != "skip" or not any(o.kind == "skip" and o.what == h.what for o in self.happened):
                self.happened.append(h)

    def move(self, step: Step) -> Moved | Refusal:
        assert self.record is not None and step.transition is not None
        if self.record.blueprint is None:
            why = "; ".join(self.not_entered) or "it is not governed by the blueprint"
            raise _StepFailed([self.diff(f"the record never entered {self.bp.id} (entry criteria not met: {why}), "
                                         f"so {step.transition!r} cannot run", step.path + ("move",))])
        inputs = Inputs(fields=dict(step.set), checklist=step.checklist, note=step.note,
                        attachments=step.attachments, part=step.part, confirm_defaults=step.yes)
        user = self.team.user(self.user(step))
        try:
            outcome = engine.move(self.bp, self.record, user, step.transition, inputs, self.now, self.team,
                                  calendar=self.calendar)
        except BlueprintError as exc:
            raise _StepFailed([self.diff(f"{step.transition!r} could not run: {exc.message}"
                                         + (f" ({exc.hint})" if exc.hint else ""), step.path + ("move",))]) from None
        if isinstance(outcome, Moved):
            self.note_move(step, outcome, inputs)
            self.record = outcome.record
            self.history.append(passage(outcome.entry))
        return outcome

    def note_move(self, step: Step, moved: Moved, inputs: Inputs) -> None:
        entry = moved.entry
        t = self.bp.transition(entry.transition or "")
        if entry.part and entry.transition:
            self.exercised.parts.add((entry.transition, entry.part))
        if entry.kind != "move" or t is None:
            return
        self.exercised.transitions.add(t.name)
        if moved.record.state is not None:
            self.exercised.states.add(moved.record.state)
        if t.branches:
            index = self.branch_taken(t, inputs, moved.record.state)
            if index is not None:
                self.exercised.branches.add((t.name, index))

    def branch_taken(self, t: Transition, inputs: Inputs, target: str | None) -> int | None:
        """Which branch the engine took: the first whose criteria hold on the
        record as the move left it before its actions ran (as the engine decides)."""
        assert self.record is not None
        given = engine.parse_values(engine.field_defs(self.bp), inputs.fields, self.bp.field, self.bp.id)
        fields = dict(self.record.fields)
        fields.update({k: v for k, v in given.items() if k != "owner"})
        owner = str(given.get("owner") or self.record.owner)
        values = replace(self.record, fields=fields, owner=owner).values(self.bp.field)
        for i, b in enumerate(t.branches):
            if b.when is None or criteria.evaluate(b.when, values):
                if b.to == target:
                    return i
                break
        return next((i for i, b in enumerate(t.branches) if b.to == target), None)

    def edit(self, step: Step) -> None:
        assert self.record is not None
        bp = self.bp
        try:
            values = engine.parse_values(engine.field_defs(bp), dict(step.edit), bp.field, bp.id)
        except BlueprintError as exc:
            raise _StepFailed([self.diff(exc.message, step.path + ("edit",))]) from None
        edited = engine.edit(bp if self.record.blueprint else None, self.record, values, self.user(step), self.now)
        if edited is not None:
            self.record = edited[0]
        if self.record.blueprint is None:
            # like `record set` in a workspace: an edit can make the record enter
            failures = criteria.explain(bp.entry.when, self.record.values(bp.field))
            if not failures:
                self.record, entered = engine.enter(bp, self.record, 1, self.user(step), self.now)
                self.history.append(passage(entered))
                self.not_entered = []
                self.exercised.states.add(bp.entry_state)
            else:
                self.not_entered = [f.describe() for f in failures]

    # ----- expectations -----------------------------------------------------------------------

    def check(self, step: Step, before: Record, outcome: Moved | Refusal | None) -> None:
        assert self.record is not None
        e = step.expect
        diffs: list[Difference] = []
        if step.kind == "move":
            diffs += self.check_refusal(step, e, outcome)
            if diffs:  # the move went the other way: the rest would only echo that
                raise _StepFailed(diffs)
        rec = self.record
        if e.entered is not None and (rec.blueprint is not None) != e.entered:
            if e.entered:
                why = "; ".join(self.not_entered)
                diffs.append(self.diff(f"expected the record to be in {self.bp.id}, but it did not enter it"
                                       + (f" (entry criteria not met: {why})" if why else ""), e.path + ("entered",)))
            else:
                diffs.append(self.diff(f"expected the record to stay out of {self.bp.id}, but it entered it "
                                       f"(in {rec.state!r})", e.path + ("entered",)))
        if e.state is not None and rec.state != e.state:
            diffs.append(self.diff(f"expected state {e.state!r}, got {rec.state!r}", e.path + ("state",)))
        if e.owner is not None and rec.owner != e.owner:
            diffs.append(self.diff(f"expected owner {e.owner!r}, got {rec.owner!r}", e.path + ("owner",)))
        for name, expected in e.fields:
            problem = self.check_field(name, expected)
            if problem:
                diffs.append(self.diff(problem, e.path + ("fields", name)))
        if e.tags is not None and sorted(rec.tags) != sorted(e.tags):
            diffs.append(self.diff(f"expected tags {sorted(e.tags)}, got {sorted(rec.tags)}", e.path + ("tags",)))
        if e.waiting is not None:
            waiting = self.waiting(step, outcome)
            if sorted(w.casefold() for w in waiting) != sorted(w.casefold() for w in e.waiting):
                diffs.append(self.diff(f"expected waiting parts {sorted(e.waiting)}, got {sorted(waiting)}",
                                       e.path + ("waiting",)))
        if e.tasks is not None:
            diffs += self.check_tasks(e, before)
        if e.actions is not None:
            if step.kind == "wait":
                outcomes = [a for h in self.happened if h.entry is not None for a in h.entry.actions]
            else:
                outcomes = list(outcome.entry.actions) if isinstance(outcome, Moved) else []
            diffs += self.check_actions(e, outcomes)
        if step.kind == "wait":
            diffs += self.check_time(e)
        if e.allowed is not None:
            allowed = self.allowed(step)
            if sorted(a.casefold() for a in allowed) != sorted(a.casefold() for a in e.allowed):
                diffs.append(self.diff(f"expected {self.user(step)} to be allowed {sorted(e.allowed)}, "
                                       f"but they may do {sorted(allowed)}", e.path + ("allowed",)))
        if diffs:
            raise _StepFailed(diffs)

    def check_refusal(self, step: Step, e: Expectation, outcome: Moved | Refusal | None) -> list[Difference]:
        if isinstance(outcome, Refusal):
            reasons = [r.message for r in outcome.reasons]
            if e.refused is None:
                return [self.diff(f"{step.transition!r} was refused: " + "; ".join(reasons), step.path + ("move",))]
            missing = [text for text in e.refused
                       if not any(text.casefold() in reason.casefold() for reason in reasons)]
            if missing:
                return [self.diff(f"{step.transition!r} was refused, but no reason contains {missing[0]!r}; "
                                  "reasons: " + "; ".join(reasons), e.path + ("refused",))]
            return []
        if e.refused is not None and isinstance(outcome, Moved):
            wanted = f" (a reason containing {e.refused[0]!r})" if e.refused else ""
            where = f"it moved the record to {outcome.record.state!r}" if outcome.entry.kind == "move" else \
                f"part {outcome.entry.part!r} was done"
            return [self.diff(f"expected {step.transition!r} to be refused{wanted}, but {where}",
                              e.path + ("refused",))]
        return []

    def check_field(self, name: str, expected: Any) -> str | None:
        assert self.record is not None
        actual = self.record.owner if name == "owner" else self.record.fields.get(name)
        if expected is None:
            return None if is_empty(actual) else f"field {name}: expected empty, got {_shown(actual)}"
        fd = self.bp.field_def(name) or engine.SETTABLE_BUILTINS.get(name)
        want, got = expected, actual
        if fd is not None:
            try:
                want = parse(fd, expected)
                got = parse(fd, actual) if actual is not None else None
            except FieldValueError:
                pass
            if fd.type == "multiselect" and isinstance(want, list) and isinstance(got, list):
                want, got = sorted(want), sorted(got)
            if fd.type == "datetime" and isinstance(want, str) and isinstance(got, str):
                if in_effect(want) == in_effect(got):
                    return None  # one instant, written with another offset
        if want == got:
            return None
        return f"field {name}: expected {_shown(want)}, got {_shown(got)}"

    def waiting(self, step: Step, outcome: Moved | Refusal | None) -> list[str]:
        assert self.record is not None
        if isinstance(outcome, Moved):
            return list(outcome.waiting)
        t = None
        if step.transition is not None:
            t = self.bp.transition(step.transition) or next(
                (x for x in self.bp.transitions for p in x.parallel if p.name.casefold() == step.transition.casefold()),
                None)
        done = {(p.transition, p.part) for p in self.record.pending}
        pending_ts = [t] if t is not None and t.parallel else \
            [x for x in self.bp.transitions if any(p.transition == x.name for p in self.record.pending)]
        return [p.name for x in pending_ts for p in x.parallel if (x.name, p.name) not in done]

    def check_tasks(self, e: Expectation, before: Record) -> list[Difference]:
        assert self.record is not None and e.tasks is not None
        old = {t.id for t in before.tasks}
        created = [t for t in self.record.tasks if t.id not in old]
        if not e.tasks:
            if created:
                return [self.diff(f"expected no new tasks, got {_tasks(created)}", e.path + ("tasks",))]
            return []
        out = []
        free = list(created)
        for want in e.tasks:
            match = next((t for t in free if _task_matches(t, want.subject, want.owner, want.due)), None)
            if match is None:
                got = _tasks(created) if created else "none"
                out.append(self.diff(f"expected a new task {want.describe()}; new tasks: {got}", want.path))
            else:
                free.remove(match)
        return out

    def check_actions(self, e: Expectation, outcomes: list[ActionOutcome]) -> list[Difference]:
        assert e.actions is not None
        if not e.actions:
            if outcomes:
                return [self.diff(f"expected no actions, got {_outcomes(outcomes)}", e.path + ("actions",))]
            return []
        out = []
        free = list(outcomes)
        for want in e.actions:
            match = next((o for o in free if o.action == want.kind
                          and (want.text is None or want.text.casefold() in o.detail.casefold())
                          and (want.status is None or o.status == want.status)), None)
            if match is None:
                got = _outcomes(outcomes) if outcomes else "none"
                out.append(self.diff(f"expected action {want.describe()}; actions: {got}", want.path))
            else:
                free.remove(match)
        return out

    def check_time(self, e: Expectation) -> list[Difference]:
        """What time did during a `wait`: automatic moves, escalations, skips."""
        out = []
        moved = [h.what for h in self.happened if h.kind == "move"]
        if e.moved is not None and [m.casefold() for m in moved] != [m.casefold() for m in e.moved]:
            got = ", ".join(repr(m) for m in moved) or "none"
            out.append(self.diff(f"expected automatic transitions {list(e.moved)}, performed: {got}",
                                 e.path + ("moved",)))
        if e.escalated is not None:
            fired = [h for h in self.happened if h.kind == "escalate"]
            got = ", ".join(f"level {h.level} of {h.state!r}" for h in fired) or "none"
            if not e.escalated and fired:
                out.append(self.diff(f"expected no SLA escalations, fired: {got}", e.path + ("escalated",)))
            free = list(fired)
            for want in e.escalated:
                match = next((h for h in free if h.state.casefold() == want.state.casefold()
                              and (want.level is None or h.level == want.level)), None)
                if match is None:
                    out.append(self.diff(f"expected {want.describe()} to fire; fired: {got}", want.path))
                else:
                    free.remove(match)
        if e.skipped is not None:
            skipped = {h.what.casefold(): h for h in self.happened if h.kind == "skip"}
            shown = "; ".join(f"{h.what!r} ({'; '.join(h.reasons)})" for h in skipped.values()) or "none"
            if not e.skipped and skipped:
                out.append(self.diff(f"expected no automatic transition to be skipped, skipped: {shown}",
                                     e.path + ("skipped",)))
            for i, name in enumerate(e.skipped):
                if name.casefold() not in skipped:
                    out.append(self.diff(f"expected {name!r} to be due and not performed; skipped: {shown}",
                                         e.path + ("skipped", i)))
        return out

    def allowed(self, step: Step) -> list[str]:
        assert self.record is not None
        if self.record.blueprint is None:
            return []
        opts = engine.options(self.bp, self.record, self.team.user(self.user(step)), self.calendar)
        return list(dict.fromkeys(o.part or o.transition for o in opts if o.allowed))


def _task_matches(task: Task, subject: str | None, owner: str | None, due: str | None) -> bool:
    if subject is not None and task.subject != subject:
        return False
    if owner is not None and task.owner != owner:
        return False
    return due is None or (task.due or "").startswith(due)


def _tasks(tasks: Sequence[Task]) -> str:
    return ", ".join(f"{t.subject!r} for {t.owner}" + (f" due {t.due}" if t.due else "") for t in tasks)


def _outcomes(outcomes: Sequence[ActionOutcome]) -> str:
    return "; ".join(f"{o.action} {o.status}: {o.detail}" for o in outcomes)


def summary_counts(results: Sequence[FileResult]) -> Mapping[str, int]:
    passed = sum(r.passed for f in results for r in f.results)
    failed = sum(not r.passed for f in results for r in f.results)
    broken = sum(f.broken for f in results)
    return {"passed": passed, "failed": failed, "errors": broken}

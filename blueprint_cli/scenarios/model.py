"""Scenario files as typed, frozen dataclasses.

A scenario file tests one blueprint: each scenario starts a fresh record and
runs steps — someone moves it, edits it, or time passes — checking after each
step what must be true (`expect`). `build` turns schema-valid data into a
`ScenarioFile`; every element keeps its JSON path so findings and failures
point at the exact line. No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any, Literal

from blueprint_cli.language.calendar import DEFAULT as DEFAULT_CALENDAR
from blueprint_cli.language.calendar import CalendarError, WorkingCalendar, from_config
from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.durations import Duration, DurationError, parse_duration
from blueprint_cli.language.model import ACTION_KINDS, ModelError

#: The clock scenarios start at unless the file says otherwise (a Monday morning).
DEFAULT_NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
DEFAULT_RECORD_ID = "1"
#: Who owns the record when neither `record.owner` nor any step's `as` says.
DEFAULT_OWNER = "owner"
STEP_KINDS = ("move", "edit", "wait")


@dataclass(frozen=True)
class TaskExpectation:
    subject: str | None = None
    owner: str | None = None
    due: str | None = None
    path: JsonPath = ()

    def describe(self) -> str:
        bits = [repr(self.subject) if self.subject is not None else "a task"]
        if self.owner is not None:
            bits.append(f"for {self.owner}")
        if self.due is not None:
            bits.append(f"due {self.due}")
        return " ".join(bits)


@dataclass(frozen=True)
class ActionExpectation:
    kind: str
    #: part of the outcome's detail; None: any
    text: str | None = None
    status: str | None = None
    path: JsonPath = ()

    def describe(self) -> str:
        out = self.kind + (f" {self.text!r}" if self.text else "")
        return out + (f" ({self.status})" if self.status else "")


@dataclass(frozen=True)
class EscalationExpectation:
    """An SLA escalation expected during a `wait`: of `state`, at `level` (None: any)."""

    state: str
    level: int | None = None
    path: JsonPath = ()

    def describe(self) -> str:
        return f"SLA level {self.level} of {self.state!r}" if self.level is not None else \
            f"an SLA escalation of {self.state!r}"


#: What only a `wait` step can expect: what time did.
TIME_EXPECTATIONS = ("moved", "escalated", "skipped")


@dataclass(frozen=True)
class Expectation:
    state: str | None = None
    #: None: the move must happen; (): any refusal; else texts every one of
    #: which some reason must contain
    refused: tuple[str, ...] | None = None
    entered: bool | None = None
    fields: tuple[tuple[str, Any], ...] = ()
    owner: str | None = None
    tags: tuple[str, ...] | None = None
    waiting: tuple[str, ...] | None = None
    tasks: tuple[TaskExpectation, ...] | None = None
    actions: tuple[ActionExpectation, ...] | None = None
    allowed: tuple[str, ...] | None = None
    #: after a `wait`: automatic transitions performed, in order
    moved: tuple[str, ...] | None = None
    escalated: tuple[EscalationExpectation, ...] | None = None
    #: after a `wait`: automatic transitions due but not performed
    skipped: tuple[str, ...] | None = None
    path: JsonPath = ()


@dataclass(frozen=True)
class Step:
    index: int
    kind: Literal["move", "edit", "wait", "expect"]
    user: str | None = None
    transition: str | None = None
    part: str | None = None
    set: tuple[tuple[str, Any], ...] = ()
    checklist: tuple[str, ...] = ()
    note: str | None = None
    attachments: tuple[str, ...] = ()
    #: accept the default of each required field still at its default (`move --yes`)
    yes: bool = False
    edit: tuple[tuple[str, Any], ...] = ()
    wait: Duration | None = None
    expect: Expectation = Expectation()
    path: JsonPath = ()

    def describe(self) -> str:
        """`step 3 (bob: Decide discount)`."""
        who = f"{self.user}: " if self.user else ""
        if self.kind == "move":
            what = f"{who}{self.transition}" + (f" / {self.part}" if self.part else "")
        elif self.kind == "edit":
            what = f"{who}edit {', '.join(k for k, _ in self.edit)}"
        elif self.kind == "wait":
            what = f"wait {self.wait}"
        else:
            what = "check"
        return f"step {self.index + 1} ({what})"


@dataclass(frozen=True)
class StartRecord:
    id: str = DEFAULT_RECORD_ID
    owner: str | None = None
    state: str | None = None
    fields: tuple[tuple[str, Any], ...] = ()
    tags: tuple[str, ...] = ()
    path: JsonPath = ()


@dataclass(frozen=True)
class Scenario:
    name: str
    record: StartRecord
    steps: tuple[Step, ...]
    description: str | None = None
    now: datetime | None = None
    path: JsonPath = ()

    @property
    def owner(self) -> str:
        if self.record.owner:
            return self.record.owner
        return next((s.user for s in self.steps if s.user), DEFAULT_OWNER)


@dataclass(frozen=True)
class ScenarioFile:
    scenarios: tuple[Scenario, ...]
    #: as written (a path relative to the file), or None for the default
    blueprint: str | None = None
    #: a team file path, inline team data, or None
    team: str | dict[str, Any] | None = None
    now: datetime | None = None
    #: what business durations count on (`calendar:`, as in a workspace's config.yaml)
    calendar: WorkingCalendar = DEFAULT_CALENDAR


# ----- building ---------------------------------------------------------------------------

def zone_of(calendar: WorkingCalendar) -> tzinfo:
    """The zone a time without an offset is in, in a scenario file: its calendar's
    `time_zone`, else UTC (the same on every machine)."""
    return calendar.zone or timezone.utc


def parse_moment(text: Any, path: JsonPath, zone: tzinfo = timezone.utc) -> datetime:
    from blueprint_cli.language.times import TimeError, parse_time

    try:
        return parse_time(str(text), zone=zone)
    except TimeError as exc:
        raise ModelError(str(exc), path) from None


def _texts(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def _pairs(value: Any) -> tuple[tuple[str, Any], ...]:
    return tuple((str(k), v) for k, v in (value or {}).items())


def _task(data: Any, path: JsonPath) -> TaskExpectation:
    if isinstance(data, str):
        return TaskExpectation(subject=data, path=path)
    return TaskExpectation(data.get("subject"), data.get("owner"),
                           str(data["due"]) if data.get("due") is not None else None, path)


def _action(data: Any, path: JsonPath) -> ActionExpectation:
    if isinstance(data, str):
        return ActionExpectation(data, None, None, path)
    kinds = [k for k in data if k in ACTION_KINDS]
    if len(kinds) != 1:
        raise ModelError(f"an expected action names one kind: {', '.join(ACTION_KINDS)} "
                         "(e.g. {email: Closed won})", path)
    value = data[kinds[0]]
    text = None if isinstance(value, bool) else str(value)
    return ActionExpectation(kinds[0], text, data.get("status"), path)


def _expectation(data: Any, path: JsonPath) -> Expectation:
    if not data:
        return Expectation(path=path)
    refused = data.get("refused")
    refused_t: tuple[str, ...] | None
    if refused is None or refused is False:
        refused_t = None
    elif refused is True:
        refused_t = ()
    else:
        refused_t = _texts(refused)

    def opt(key: str) -> tuple[str, ...] | None:
        return _texts(data[key]) if data.get(key) is not None else None

    return Expectation(
        state=str(data["state"]) if data.get("state") is not None else None,
        refused=refused_t,
        entered=data.get("entered"),
        fields=_pairs(data.get("fields")),
        owner=str(data["owner"]) if data.get("owner") is not None else None,
        tags=opt("tags"),
        waiting=opt("waiting"),
        tasks=tuple(_task(t, path + ("tasks", i)) for i, t in enumerate(data["tasks"]))
        if data.get("tasks") is not None else None,
        actions=tuple(_action(a, path + ("actions", i)) for i, a in enumerate(data["actions"]))
        if data.get("actions") is not None else None,
        allowed=opt("allowed"),
        moved=opt("moved"),
        escalated=tuple(_escalation(x, path + ("escalated", i)) for i, x in enumerate(data["escalated"]))
        if data.get("escalated") is not None else None,
        skipped=opt("skipped"),
        path=path,
    )


def _calendar(data: Any, problems: list[ModelError]) -> WorkingCalendar:
    try:
        return from_config(data, "")
    except CalendarError as exc:
        problems.append(ModelError(str(exc), ("calendar", *exc.path)))
        return DEFAULT_CALENDAR


def _escalation(data: Any, path: JsonPath) -> EscalationExpectation:
    if isinstance(data, str):
        return EscalationExpectation(data, None, path)
    return EscalationExpectation(str(data["state"]), data.get("level"), path)


def _step(index: int, data: dict[str, Any], path: JsonPath, problems: list[ModelError]) -> Step:
    kinds = [k for k in STEP_KINDS if k in data]
    if len(kinds) > 1:
        problems.append(ModelError(f"a step does one thing, but this one has {' and '.join(kinds)}; split it "
                                   f"into {len(kinds)} steps", path + (kinds[1],)))
    kind = kinds[0] if kinds else "expect"
    if kind == "expect" and "expect" not in data:
        problems.append(ModelError("an empty step: give `move`, `edit` or `wait`, or `expect` to check the record",
                                   path))
    if kind != "move":
        for key in ("part", "set", "check", "note", "attach", "yes"):
            if key in data:
                problems.append(ModelError(f"`{key}` belongs to a `move` step", path + (key,)))
        if isinstance(data.get("expect"), dict) and "refused" in data["expect"]:
            problems.append(ModelError("only a `move` can be refused", path + ("expect", "refused")))
    if kind != "wait" and isinstance(data.get("expect"), dict):
        for key in TIME_EXPECTATIONS:
            if key in data["expect"]:
                problems.append(ModelError(f"`{key}` is what time did during a `wait` step; this step does not wait",
                                           path + ("expect", key)))
    wait = None
    if kind == "wait":
        try:
            wait = parse_duration(data["wait"])
        except DurationError as exc:
            problems.append(ModelError(str(exc), path + ("wait",)))
    try:
        expect = _expectation(data.get("expect"), path + ("expect",))
    except ModelError as exc:
        problems.append(exc)
        expect = Expectation(path=path + ("expect",))
    return Step(
        index=index,
        kind=kind,  # type: ignore[arg-type]
        user=str(data["as"]) if data.get("as") is not None else None,
        transition=str(data["move"]) if kind == "move" else None,
        part=str(data["part"]) if data.get("part") is not None else None,
        set=_pairs(data.get("set")),
        checklist=_texts(data.get("check")),
        note=str(data["note"]) if data.get("note") is not None else None,
        attachments=_texts(data.get("attach")),
        yes=data.get("yes") is True,
        edit=_pairs(data.get("edit")),
        wait=wait,
        expect=expect,
        path=path,
    )


def _record(data: Any, path: JsonPath) -> StartRecord:
    data = data or {}
    return StartRecord(
        id=str(data.get("id", DEFAULT_RECORD_ID)),
        owner=str(data["owner"]) if data.get("owner") is not None else None,
        state=str(data["state"]) if data.get("state") is not None else None,
        fields=_pairs(data.get("fields")),
        tags=_texts(data.get("tags")),
        path=path,
    )


def _moment(data: dict[str, Any], path: JsonPath, problems: list[ModelError], zone: tzinfo) -> datetime | None:
    if data.get("now") is None:
        return None
    try:
        return parse_moment(data["now"], path + ("now",), zone)
    except ModelError as exc:
        problems.append(exc)
        return None


def build(data: dict[str, Any]) -> tuple[ScenarioFile, list[ModelError]]:
    """Build the model from data that passed the scenario schema, with the
    problems the schema cannot express (each with its JSON path)."""
    problems: list[ModelError] = []
    calendar = _calendar(data.get("calendar"), problems)
    zone = zone_of(calendar)
    scenarios = []
    for i, s in enumerate(data["scenarios"]):
        path: JsonPath = ("scenarios", i)
        scenarios.append(Scenario(
            name=str(s["name"]),
            record=_record(s.get("record"), path + ("record",)),
            steps=tuple(_step(j, step, path + ("steps", j), problems) for j, step in enumerate(s["steps"])),
            description=s.get("description"),
            now=_moment(s, path, problems, zone),
            path=path,
        ))
    built = ScenarioFile(
        scenarios=tuple(scenarios),
        blueprint=str(data["blueprint"]) if data.get("blueprint") is not None else None,
        team=data.get("team"),
        now=_moment(data, (), problems, zone),
        calendar=calendar,
    )
    return built, problems


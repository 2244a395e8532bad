"""`blueprint bulk`: one transition on every record that matches a `--where`
expression and is in a state the transition leaves from.

Each record goes through the same engine as `blueprint move` — owners,
criteria and requirements are checked per record, as the acting user — and is
either done or refused with the engine's reasons. Nothing is ever forced, and
nobody is prompted.

Records are taken from the store's index (only the states the transition
leaves from), locked and read in batches (`Store.batch`), the `--where`
expression is checked on each locked record, and every batch is written in
one go — so the store syncs per batch, not per record. E-mails and webhooks of
a batch are delivered after the batch is committed, and their outcomes
recorded, as for a single move: records at once, on a bounded pool of
threads, each record's within `delivery_wait` (`workspace/commit.py`).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from blueprint_cli.language import criteria

from blueprint_cli import engine
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine import EngineError, Inputs, Refusal
from blueprint_cli.language.model import Blueprint, Criterion, Transition
from blueprint_cli.engine.records import Record
from blueprint_cli.store import BatchWriter, CorruptFile, id_order
from blueprint_cli.engine.due import where_values
from blueprint_cli.language.where import mentions
from blueprint_cli.workspace.clock import not_before
from blueprint_cli.workspace.commit import Change, apply, may_send, settings_checked

if TYPE_CHECKING:
    from blueprint_cli.workspace import Workspace

#: Records locked and written together (each holds a lock file open).
CHUNK = 500
#: the value a record holds, at the end of a criteria reason (`… — actual: 800`)
_ACTUAL = re.compile(r" — actual: .*$")


@dataclass(frozen=True)
class Done:
    record: str
    module: str
    name: str | None
    from_state: str | None
    to_state: str | None
    #: parts of a parallel transition still waiting (the record has not moved yet)
    waiting: tuple[str, ...] = ()
    failed_actions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"record": self.record, "module": self.module, "from": self.from_state, "to": self.to_state,
                "waiting": list(self.waiting), "failed_actions": list(self.failed_actions)}


@dataclass(frozen=True)
class Refused:
    record: str
    module: str
    name: str | None
    state: str | None
    reasons: tuple[engine.Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"record": self.record, "module": self.module, "state": self.state,
                "reasons": [r.to_dict() for r in self.reasons]}


@dataclass
class BulkResult:
    transition: str
    where: str | None
    dry_run: bool = False
    #: records in a `from` state that the expression matched
    matched: int = 0
    done: list[Done] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    #: records that could not be read (each names its file); the others were done
    errors: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """1 when any record was refused or could not be read, also for a dry run."""
        return 1 if self.refused or self.errors else 0

    def reasons(self) -> list[tuple[tuple[str, ...], list[str]]]:
        """Refused records grouped by why — each record once, under all its reasons
        (each message without the record's own id and the value it holds, so
        records refused for the same rule fall together) — the largest group first."""
        groups: dict[tuple[str, ...], list[str]] = {}
        for r in self.refused:
            key = tuple(dict.fromkeys(_ACTUAL.sub("", reason.message.replace(f"record {r.record} ", "the record "))
                                      for reason in r.reasons))
            groups.setdefault(key, []).append(r.record)
        return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))

    def to_dict(self) -> dict[str, Any]:
        return {"transition": self.transition, "where": self.where, "dry_run": self.dry_run,
                "matched": self.matched, "done": [d.to_dict() for d in self.done],
                "refused": [r.to_dict() for r in self.refused], "errors": list(self.errors)}


@dataclass(frozen=True)
class Target:
    """A blueprint that has the transition, and the states it leaves from."""

    blueprint: Blueprint
    transition: Transition
    states: tuple[str, ...]


def targets(ws: Workspace, transition: str, blueprint: str | None = None) -> list[Target]:
    """Published blueprints (latest versions) with that transition (or parallel
    part); a name none has is a usage error with did-you-mean."""
    from blueprint_cli.language.suggest import did_you_mean

    bps = [ws.blueprint(blueprint)] if blueprint else ws.candidates()
    out: list[Target] = []
    names: list[str] = []
    for bp in bps:
        names += [t.name for t in bp.transitions] + [p.name for t in bp.transitions for p in t.parallel]
        try:
            t, _ = engine._resolve(bp, transition, None)
        except EngineError:
            continue
        states = tuple(s for s in bp.sources_of(t) if not (bp.state(s) and bp.state(s).final))  # type: ignore[union-attr]
        out.append(Target(bp, t, states))
    if not out:
        where = f"blueprint {blueprint}" if blueprint else "any published blueprint"
        raise BlueprintError(f"no transition {transition!r} in {where}",
                             hint=did_you_mean(transition, names) or f"transitions: {', '.join(dict.fromkeys(names))}")
    return out


def check_inputs(found: Sequence[Target], inputs: Inputs) -> None:
    """Values and checklist items are checked once, before any record is touched:
    a typo must not stop a bulk half-way (usage error, exit 2)."""
    from blueprint_cli.language.suggest import did_you_mean

    for tg in found:
        engine.parse_values(engine.field_defs(tg.blueprint), inputs.fields, tg.blueprint.field, tg.blueprint.id)
        t = tg.transition
        items = list(t.require.checklist) + [i for p in t.parallel for i in p.require.checklist]
        for given in inputs.checklist:
            if not any(given.casefold() == i.casefold() for i in items):
                raise EngineError(f"{given!r} is not on the checklist of {t.name!r}" if items
                                  else f"{t.name!r} has no checklist; remove --check {given!r}",
                                  hint=did_you_mean(given, items) or ("items: " + "; ".join(items) if items else None))


def run(ws: Workspace, transition: str, where: Criterion | None, inputs: Inputs, *, user: str, now: datetime,
        where_text: str | None = None, blueprint: str | None = None, dry_run: bool = False,
        total: Callable[[int], None] | None = None, advance: Callable[[int], None] | None = None,
        chunk: int = CHUNK) -> BulkResult:
    """Perform `transition` on every matching record; `total(n)` is told how many
    records will be looked at, `advance(k)` after each batch (for a progress bar)."""
    result = BulkResult(transition, where_text, dry_run)
    acting = ws.user(user)
    from blueprint_cli.workspace import LazyCalendar

    calendar = LazyCalendar(ws)
    with ws.store.session():
        found = targets(ws, transition, blueprint)
        check_inputs(found, inputs)
        settings_checked(ws.outlet, not dry_run and any(may_send(tg.transition.then) for tg in found))
        published = {p.id: p for p in ws.published()}
        ids: list[str] = []
        for tg in found:
            for state in tg.states:
                ids += ws.store.ids(blueprint=tg.blueprint.id, state=state)
        ids = list(dict.fromkeys(ids))
        wanted = {tg.blueprint.id: tg for tg in found}
        if total is not None:
            total(len(ids))
        # in id order across batches: a batch is still locked (by the writer) while
        # the next one is, so every process takes record locks in one global order
        todo = sorted(ids, key=id_order)
        chunk = _open_files_for(chunk)
        background = not dry_run and len(todo) > chunk
        with ws.store.writer() if background else nullcontext() as writer, _no_gc():
            for part in _parts(todo, chunk, tapered=writer is not None):
                if dry_run:
                    _dry(ws, part, wanted, published, where, inputs, acting, now, calendar, result)
                else:
                    _batch(ws, part, wanted, published, where, inputs, acting, now, calendar, result, writer)
                if advance is not None:
                    advance(len(part))
    order = {record_id: i for i, record_id in enumerate(ids)}
    result.done.sort(key=lambda d: order.get(d.record, 0))
    result.refused.sort(key=lambda r: order.get(r.record, 0))
    return result


def _consider(ws: Workspace, stored: Record, wanted: dict[str, Target], published: Any, where: Criterion | None,
              result: BulkResult, now: datetime, calendar: Any) -> tuple[Blueprint, Record] | None:
    bp, record = ws.current(stored, published)
    if bp is None or bp.id not in wanted or record.state not in wanted[bp.id].states:
        return None  # it left the state since the index was read
    if where is not None and not criteria.evaluate(where, where_values(bp, record, now, calendar,
                                                                        sla=mentions(where, ("sla", "sla_level")))):
        return None
    result.matched += 1
    return bp, record


def _dry(ws: Workspace, ids: list[str], wanted: dict[str, Target], published: Any, where: Criterion | None,
         inputs: Inputs, user: Any, now: datetime, calendar: Any, result: BulkResult) -> None:
    from blueprint_cli.store import CorruptFile, UnknownRecord

    for record_id in ids:
        try:
            stored = ws.store.get(record_id).record
        except UnknownRecord:
            continue
        except CorruptFile as exc:
            result.errors.append(exc.message)
            continue
        picked = _consider(ws, stored, wanted, published, where, result, now, calendar)
        if picked is None:
            continue
        bp, record = picked
        outcome = engine.move(bp, record, user, result.transition, inputs, now, ws.team, calendar=calendar,
                              workload=ws.workload(bp))
        if isinstance(outcome, engine.Moved):
            ws.workload(bp).moved(record, outcome.record)
        _tally(record, outcome, result)


def _parts(ids: list[str], chunk: int, *, tapered: bool) -> Iterator[list[str]]:
    """The batches. `tapered`: the last `chunk` records go in quarter batches, so
    that the wait at the end, for the helper to write what it was last handed,
    is for a small batch, not a full one."""
    head = len(ids) - chunk if tapered and len(ids) > chunk else len(ids)
    for start in range(0, head, chunk):
        yield ids[start:min(start + chunk, head)]
    step = max(1, chunk // 4)
    for start in range(head, len(ids), step):
        yield ids[start:start + step]


def _open_files_for(chunk: int) -> int:
    """A batch holds a lock file open per record: the soft limit on open files is
    raised towards the hard one if a batch needs it; where it cannot be, batches
    are made smaller."""
    try:
        import resource
    except ImportError:  # not POSIX
        return chunk
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = chunk + 64
    if soft == resource.RLIM_INFINITY or soft >= need:
        return chunk
    want = need if hard == resource.RLIM_INFINITY else min(need, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    except (ValueError, OSError):
        want = soft
    return max(1, min(chunk, want - 64))


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector off for the run: a bulk makes millions of
    short-lived objects, all freed by reference counting, and the collector's
    passes over the thousands of results it keeps cost about a sixth of a bulk's
    time (10,000 moves, batches committed in turn: 6.9 s with it, 5.7 s without)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _batch(ws: Workspace, ids: list[str], wanted: dict[str, Target], published: Any, where: Criterion | None,
           inputs: Inputs, user: Any, now: datetime, calendar: Any, result: BulkResult,
           writer: BatchWriter | None = None) -> None:
    """One batch: locked, read, moved, committed. With a `writer` (see
    `Store.writer`), a batch without deliveries is handed over to it with its
    locks, and written while the next batch is prepared."""
    errors: list[CorruptFile] = []
    with ws.store.batch(ids, errors) as batch:
        result.errors += [e.message for e in errors]
        changes: list[Change] = []
        moved: list[tuple[Record, engine.Moved]] = []
        for record_id in ids:
            stored = batch.current.get(record_id)
            if stored is None:
                continue
            picked = _consider(ws, stored.record, wanted, published, where, result, now, calendar)
            if picked is None:
                continue
            bp, record = picked
            # a record changed meanwhile at a later second keeps one timeline (workspace/clock.py)
            outcome = engine.move(bp, record, user, result.transition, inputs, not_before(record, now), ws.team,
                                  calendar=calendar, workload=ws.workload(bp))
            if isinstance(outcome, Refusal):
                _tally(record, outcome, result)
                continue
            ws.workload(bp).moved(record, outcome.record)
            changes.append(Change(outcome.record, (outcome.entry,), (tuple(outcome.effects),)))
            moved.append((record, outcome))
        handed = None if writer is None else (lambda writes: batch.hand_over(writes, writer))
        # delivered once the moves are committed: a failure never undoes one
        done = apply(ws.outlet, batch.commit, changes, now, hand_over=handed)
        for (record, outcome), change in zip(moved, done):
            if change.record is not outcome.record or change.entries[0] is not outcome.entry:
                outcome = replace(outcome, record=change.record, entry=change.entries[0])
            _tally(record, outcome, result)


def _tally(record: Record, outcome: engine.Moved | Refusal, result: BulkResult) -> None:
    name = record.fields.get("name") or record.fields.get("subject") or record.fields.get("title")
    if isinstance(outcome, Refusal):
        result.refused.append(Refused(record.id, record.module, str(name) if name else None, record.state,
                                      outcome.reasons))
        return
    # failed, or left pending for `blueprint retry` (a delivery that did not fit in its time)
    failed = tuple(f"{a.action}: {a.detail}" for a in outcome.entry.actions
                   if a.status == "failed" or (a.status == "pending" and a.retryable))
    result.done.append(Done(record.id, record.module, str(name) if name else None, outcome.entry.from_state,
                            outcome.record.state, outcome.waiting, failed))

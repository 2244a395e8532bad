"""Time: what `blueprint tick` does when the clock has moved on.

For every record in a state with an SLA or with `auto` transitions leaving it:

1. **SLA escalations** — level 0 is `sla.within` with `sla.escalate`, levels 1…
   are `sla.levels`. Each fires once per stay in the state, in order, as soon
   as the record has been there longer than its duration; re-entering the
   state restarts the clock (a stay is identified by `state_since`).
2. **Automatic transitions** — the first `auto` transition whose `after` has
   passed (earliest first, then as declared) is performed by blueprint itself:
   owner rules do not apply, but `when` criteria and `require` must already be
   met. One that cannot run is reported (every tick) and noted once per stay in
   the history (`kind: skip`), never forced.

Durations are calendar time or business time on the workspace's working
calendar (`calendar.py`). Time moves only when tick runs, and `now` is given
(`--now` in tests), never read from a clock here.

Idempotent, also when two ticks run at once: each record is changed under its
store lock, what fired is re-checked on the locked record, and the record
remembers what fired in the current stay (`Record.fired`), written in the same
commit as the history entries — so nothing fires twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from blueprint_cli import engine
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.durations import Duration
from blueprint_cli.engine import SYSTEM_USER, Effect, Inputs, Refusal
from blueprint_cli.model import Action, Blueprint, Transition
from blueprint_cli.records import HistoryEntry, Record
from blueprint_cli.workspace.commit import Change, apply, single

if TYPE_CHECKING:
    from blueprint_cli.workspace import Workspace


@dataclass(frozen=True)
class Level:
    """One escalation of a state's SLA: level 0 is `within`, then `levels`."""

    state: str
    number: int
    after: Duration
    actions: tuple[Action, ...]

    @property
    def key(self) -> str:
        return f"sla:{self.number}"

    @property
    def origin(self) -> str:
        return f"SLA {self.state} level {self.number}"


@dataclass(frozen=True)
class Timed:
    """What can happen by itself to a record in one state of one blueprint."""

    state: str
    levels: tuple[Level, ...]
    autos: tuple[Transition, ...]


def timed_states(bp: Blueprint) -> list[Timed]:
    out = []
    for st in bp.states:
        if st.final:
            continue
        levels: list[Level] = []
        if st.sla is not None:
            levels.append(Level(st.name, 0, st.sla.within, st.sla.escalate))
            levels += [Level(st.name, i + 1, lv.after, lv.escalate) for i, lv in enumerate(st.sla.levels)]
        autos = tuple(t for t in bp.transitions_from(st.name) if t.auto is not None)
        if levels or autos:
            out.append(Timed(st.name, tuple(levels), autos))
    return out


# ----- what tick reports ------------------------------------------------------------------------

@dataclass(frozen=True)
class Happening:
    """One thing tick did (or, with --dry-run, would do) to one record."""

    kind: str  # escalate, move, skip
    record: str
    module: str
    name: str | None
    state: str
    #: escalate: "level N (DURATION)"; move/skip: the transition
    what: str
    to_state: str | None = None
    reasons: tuple[str, ...] = ()
    entry: HistoryEntry | None = None
    #: skip: noted in the history for the first time in this stay
    first: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "record": self.record, "module": self.module, "state": self.state}
        if self.kind == "escalate":
            out["sla"] = self.what
        else:
            out["transition"] = self.what
        if self.to_state is not None:
            out["to"] = self.to_state
        if self.reasons:
            out["reasons"] = list(self.reasons)
        if self.entry is not None:
            out["actions"] = [a.to_dict() for a in self.entry.actions]
        return out


@dataclass
class TickReport:
    now: str
    dry_run: bool = False
    happened: list[Happening] = field(default_factory=list)
    #: records looked at (in states with an SLA or auto transitions)
    checked: int = 0
    errors: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Happening]:
        return [h for h in self.happened if h.kind == kind]

    @property
    def failed_actions(self) -> int:
        return sum(1 for h in self.happened if h.entry for a in h.entry.actions if a.status == "failed")

    def to_dict(self) -> dict[str, Any]:
        return {"now": self.now, "dry_run": self.dry_run, "checked": self.checked,
                "escalations": [h.to_dict() for h in self.of("escalate")],
                "moves": [h.to_dict() for h in self.of("move")],
                "skipped": [h.to_dict() for h in self.of("skip")],
                "errors": list(self.errors)}


# ----- running it -----------------------------------------------------------------------------

def tick(ws: Workspace, now: datetime, *, dry_run: bool = False) -> TickReport:
    """Run every due escalation and automatic transition in the workspace."""
    from blueprint_cli.store import CorruptFile

    report = TickReport(engine.iso(now), dry_run)
    calendar = ws.calendar
    with ws.store.session():
        published = {p.id: p for p in ws.published()}
        for pub in published.values():
            bp = ws.blueprint(pub.id, pub.latest)
            for timed in timed_states(bp):
                errors: list[CorruptFile] = []
                for snapshot in ws.store.scan(blueprint=bp.id, state=timed.state, errors=errors):
                    report.checked += 1
                    # a cheap look first: most records in a timed state have nothing due
                    if not _due(timed, snapshot, now, calendar):
                        continue
                    try:
                        _record(ws, bp.id, timed.state, snapshot.id, now, calendar, report, dry_run)
                    except BlueprintError as exc:
                        report.errors.append(f"record {snapshot.id}: {exc.message}")
                report.errors += [e.message for e in errors]
    return report


def _since(record: Record) -> datetime | None:
    try:
        return datetime.fromisoformat(record.state_since) if record.state_since else None
    except ValueError:
        return None


def _due(timed: Timed, record: Record, now: datetime, calendar: Any) -> bool:
    since = _since(record)
    if since is None:
        return False
    fired = record.fired_in_stay()
    if any(lv.key not in fired and calendar.add(since, lv.after) <= now for lv in timed.levels):
        return True
    return any(t.auto is not None and calendar.add(since, t.auto.after) <= now for t in timed.autos)


def _record(ws: Workspace, blueprint: str, state: str, record_id: str, now: datetime, calendar: Any,
            report: TickReport, dry_run: bool) -> None:
    with ws.store.transaction(record_id) as txn:
        bp, record = ws.current(txn.current.record)
        # re-checked on the locked record: another tick, or a person, may have been first
        if bp is None or bp.id != blueprint or record.state != state:
            return
        timed = next((t for t in timed_states(bp) if t.state == state), None)
        since = _since(record)
        if timed is None or since is None:
            return
        stamp = engine.iso(now)
        entries: list[HistoryEntry] = []
        effects: list[list[Effect]] = []
        happened: list[Happening] = []
        name = _name(record)
        fired = list(record.fired_in_stay())

        # 1. escalations, in level order
        for lv in timed.levels:
            if lv.key in fired or calendar.add(since, lv.after) > now:
                continue
            before = record
            record, outcomes, effs = engine.run_actions(bp, lv.actions, record, SYSTEM_USER, now, ws.team,
                                                         lv.origin, calendar)
            fired.append(lv.key)
            entry = HistoryEntry(at=stamp, user=SYSTEM_USER, kind="escalate", from_state=state, to_state=state,
                                 changes=engine._changes(before, record),
                                 note=f"SLA level {lv.number}: in {state} longer than {lv.after}",
                                 actions=tuple(outcomes), version=record.version)
            entries.append(entry)
            effects.append(effs)
            happened.append(Happening("escalate", record.id, record.module, name, state,
                                      f"level {lv.number} ({lv.after})", entry=entry))

        # 2. the first automatic transition that is due and can run
        moved_to: str | None = None
        due = sorted(((calendar.add(since, t.auto.after), i, t) for i, t in enumerate(timed.autos) if t.auto is not None),
                     key=lambda x: (x[0], x[1]))
        for when, _, t in due:
            assert t.auto is not None
            if when > now:
                break
            try:
                outcome = engine.move(bp, record, ws.user(SYSTEM_USER), t.name, Inputs(), now, ws.team,
                                      system=True, calendar=calendar)
            except BlueprintError as exc:
                outcome = Refusal(t.name, (engine.Reason("error", exc.message),))
            if isinstance(outcome, Refusal):
                reasons = tuple(r.message for r in outcome.reasons)
                key = f"skip:{t.name}"
                first = key not in fired
                if first:
                    fired.append(key)
                    entry = HistoryEntry(at=stamp, user=SYSTEM_USER, kind="skip", transition=t.name,
                                         from_state=state, to_state=state,
                                         note=f"automatic after {t.auto.after}, not performed: " + "; ".join(reasons),
                                         version=record.version)
                    entries.append(entry)
                    effects.append([])
                happened.append(Happening("skip", record.id, record.module, name, state, t.name,
                                          reasons=reasons, first=first))
                continue
            entry = replace(outcome.entry, note=f"automatic: after {t.auto.after} in {state}")
            record = outcome.record
            moved_to = record.state
            entries.append(entry)
            effects.append(list(outcome.effects))
            happened.append(Happening("move", record.id, record.module, name, state, t.name, record.state,
                                      entry=entry))
            break

        if not entries:
            report.happened += happened  # only skips already noted in this stay
            return
        if moved_to is None:
            record = replace(record, fired=tuple(fired), fired_since=record.state_since, updated_at=stamp)
        # a move started a new stay: nothing has fired in it yet (`fired_since` no longer matches)
        if dry_run:
            report.happened += happened
            return
        # committed, then each entry's e-mails and webhooks sent and their outcomes recorded
        [done] = apply(ws, single(txn.commit), [Change(record, tuple(entries), tuple(tuple(e) for e in effects))], now)
        delivered = {id(old): new for old, new in zip(entries, done.entries)}
        report.happened += [replace(h, entry=delivered[id(h.entry)]) if h.entry is not None and id(h.entry) in delivered
                            else h for h in happened]


def _name(record: Record) -> str | None:
    value = record.fields.get("name") or record.fields.get("subject") or record.fields.get("title")
    return str(value) if value else None


def parse_now(text: str | None) -> datetime:
    """`--now`: ISO 8601 (a time without offset is local time); default: the clock."""
    from blueprint_cli.workspace import now as clock

    if text is None:
        return clock()
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BlueprintError(f"--now {text!r} is not a time", hint="write ISO 8601, like 2026-05-07T10:00:00+02:00")
    from blueprint_cli.fieldtypes import FieldValueError, bounded_year

    try:
        bounded_year(moment)
    except FieldValueError as exc:
        raise BlueprintError(f"--now {text!r}: {exc}", hint="write ISO 8601, like 2026-05-07T10:00:00+02:00") from None
    return moment if moment.tzinfo else moment.astimezone()


def describe(h: Happening) -> str:
    """One line for the terminal."""
    who = f"{h.module} {h.record}" + (f" · {h.name}" if h.name else "")
    if h.kind == "escalate":
        return f"{who}: SLA {h.what} of {h.state} fired"
    if h.kind == "move":
        return f"{who}: {h.what} performed automatically, {h.state} → {h.to_state}"
    return f"{who}: {h.what} is due but not performed: " + "; ".join(h.reasons)

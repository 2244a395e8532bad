"""What time brings a record: its SLA escalations and automatic transitions.

Pure: from a record, its blueprint, the time and the working calendar (and
the team, for the actions that run) — no store, no clock, no I/O. `blueprint
tick` applies it to every record under the record's store lock; the scenario
runner (`blueprint test`) applies it when a `wait` step lets time pass.

1. **SLA escalations** — level 0 is `sla.within` with `sla.escalate`, levels 1…
   are `sla.levels`. Each fires once per stay in the state, in order, as soon
   as the record has been there longer than its duration; re-entering the
   state restarts the clock (a stay is identified by `state_since`).
2. **Automatic transitions** — the first `auto` transition whose `after` has
   passed (earliest first, then as declared) is performed by blueprint itself:
   owner rules do not apply, but `when` criteria and `require` must already be
   met. One that cannot run is reported (every time) and noted once per stay
   in the history (`kind: skip`), never forced.

Durations are calendar time or business time on the working calendar
(`language/calendar.py`, the one business-time arithmetic). The record remembers what
fired in the current stay (`Record.fired`), so nothing fires twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from blueprint_cli import engine
from blueprint_cli.language.calendar import BusinessTime
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.language.durations import Duration
from blueprint_cli.engine import SYSTEM_USER, Effect, Inputs, Refusal
from blueprint_cli.language.model import Action, Blueprint, Transition
from blueprint_cli.engine.records import HistoryEntry, Record
from blueprint_cli.language.team import Team
from blueprint_cli.language import times


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
    """The states of `bp` where time can do something (an SLA, or `auto` transitions out)."""
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


def timed_state(bp: Blueprint, state: str | None) -> Timed | None:
    return next((t for t in timed_states(bp) if t.state == state), None)


def since(record: Record) -> datetime | None:
    """When the record's current stay in its state began (None: unknown)."""
    try:
        return times.in_effect(record.state_since) if record.state_since else None
    except times.TimeError:
        return None


def sla_standing(timed: Timed | None, record: Record, now: datetime, calendar: BusinessTime) -> tuple[str, int | None]:
    """Where a record stands against its state's SLA at `now` (`timed`: its
    state's, from `timed_state`): `("ok", None)`, `("breached", N)` with N the
    highest level whose time has passed (0 is `within`) — whether or not tick
    has run — or `("none", None)` when the state has no SLA."""
    start = since(record)
    if timed is None or not timed.levels or start is None or record.state != timed.state:
        return "none", None
    reached = [lv.number for lv in timed.levels
               if (at := _moment(start, lv.after, calendar)) is not None and at <= now]
    return ("breached", max(reached)) if reached else ("ok", None)


def where_values(bp: Blueprint | None, record: Record, now: datetime, calendar: BusinessTime, *,
                 sla: bool = False, timed: dict[tuple[str, int | None, str | None], Timed | None] | None = None
                 ) -> dict[str, Any]:
    """What `--where` sees of a record: its values (`Record.values`), its times
    (`created_at`, `updated_at`, `entered_at`: when it entered its state) and,
    if `sla`, its SLA standing (`sla`, `sla_level`). `timed`: a cache of each
    state's timers, for many records."""
    out = record.values(bp.field if bp else None)
    out.update(created_at=record.created_at or None, updated_at=record.updated_at or None,
               entered_at=record.state_since or None)
    if sla:
        key = (bp.id if bp else "", record.version, record.state)
        cache = timed if timed is not None else {}
        if key not in cache:
            cache[key] = timed_state(bp, record.state) if bp is not None else None
        out["sla"], out["sla_level"] = sla_standing(cache[key], record, now, calendar)
    return out


# ----- what is due -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    """What is due for a record at a moment."""

    #: SLA levels not yet fired in this stay whose duration has passed, in level order
    levels: tuple[Level, ...] = ()
    #: automatic transitions whose `after` has passed: earliest first, then as declared
    autos: tuple[Transition, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.levels or self.autos)


def _moment(start: datetime, duration: Duration, calendar: BusinessTime) -> datetime | None:
    """`start` plus `duration`, or None when that is past the last representable time."""
    try:
        return calendar.add(start, duration)
    except (OverflowError, ValueError):
        return None


def due(timed: Timed, record: Record, now: datetime, calendar: BusinessTime) -> Due:
    """What is due for `record` (in `timed.state`) at `now`."""
    start = since(record)
    if start is None or record.state != timed.state:
        return Due()
    fired = record.fired_in_stay()
    levels = tuple(lv for lv in timed.levels
                   if lv.key not in fired and (at := _moment(start, lv.after, calendar)) is not None and at <= now)
    autos = []
    for i, t in enumerate(timed.autos):
        assert t.auto is not None
        at = _moment(start, t.auto.after, calendar)
        if at is not None and at <= now:
            autos.append((at, i, t))
    return Due(levels, tuple(t for _, _, t in sorted(autos, key=lambda x: (x[0], x[1]))))


def moments(timed: Timed, record: Record, calendar: BusinessTime) -> Iterator[datetime]:
    """When something of the record's current stay falls due: each SLA level not
    yet fired, and each automatic transition (for stepping time in scenarios)."""
    start = since(record)
    if start is None or record.state != timed.state:
        return
    fired = record.fired_in_stay()
    durations = [lv.after for lv in timed.levels if lv.key not in fired]
    durations += [t.auto.after for t in timed.autos if t.auto is not None]
    for duration in durations:
        at = _moment(start, duration, calendar)
        if at is not None:
            yield at


# ----- applying it -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Happening:
    """One thing time did (or, in a dry run, would do) to one record."""

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
    #: escalate: the SLA level
    level: int | None = None

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


@dataclass(frozen=True)
class Stepped:
    """A record after what was due at a moment: the record (its `fired` updated),
    the new history entries with what each entry's actions produced to send, and
    what happened (skips already noted in this stay are reported, with no entry)."""

    record: Record
    entries: tuple[HistoryEntry, ...] = ()
    effects: tuple[tuple[Effect, ...], ...] = ()
    happened: tuple[Happening, ...] = ()


def step(bp: Blueprint, record: Record, now: datetime, calendar: BusinessTime, team: Team | None = None,
         workload: engine.Workload | None = None) -> Stepped:
    """Fire every due escalation, then perform the first due automatic transition
    that can run (noting the ones that cannot), through the engine."""
    timed = timed_state(bp, record.state)
    if timed is None:
        return Stepped(record)
    todo = due(timed, record, now, calendar)
    if not todo:
        return Stepped(record)
    state = timed.state
    stamp = engine.iso(now)
    entries: list[HistoryEntry] = []
    effects: list[tuple[Effect, ...]] = []
    happened: list[Happening] = []
    name = _name(record)
    fired = list(record.fired_in_stay())

    # 1. escalations, in level order
    for lv in todo.levels:
        before = record
        record, outcomes, effs = engine.run_actions(bp, lv.actions, record, SYSTEM_USER, now, team, lv.origin, calendar,
                                                      workload)
        fired.append(lv.key)
        entry = HistoryEntry(at=stamp, user=SYSTEM_USER, kind="escalate", from_state=state, to_state=state,
                             changes=engine._changes(before, record),
                             note=f"SLA level {lv.number}: in {state} longer than {lv.after}",
                             actions=tuple(outcomes), version=record.version)
        entries.append(entry)
        effects.append(tuple(effs))
        happened.append(Happening("escalate", record.id, record.module, name, state,
                                  f"level {lv.number} ({lv.after})", entry=entry, level=lv.number))

    # 2. the first automatic transition that is due and can run
    system = team.user(SYSTEM_USER) if team is not None else Team().user(SYSTEM_USER)
    moved = False
    for t in todo.autos:
        assert t.auto is not None
        try:
            outcome = engine.move(bp, record, system, t.name, Inputs(), now, team, system=True, calendar=calendar,
                                  workload=workload)
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
                effects.append(())
            happened.append(Happening("skip", record.id, record.module, name, state, t.name,
                                      reasons=reasons, first=first))
            continue
        entry = replace(outcome.entry, note=f"automatic: after {t.auto.after} in {state}")
        record = outcome.record
        moved = True
        entries.append(entry)
        effects.append(tuple(outcome.effects))
        happened.append(Happening("move", record.id, record.module, name, state, t.name, record.state, entry=entry))
        break

    if entries and not moved:
        record = replace(record, fired=tuple(fired), fired_since=record.state_since, updated_at=stamp)
    # a move started a new stay: nothing has fired in it yet (`fired_since` no longer matches)
    return Stepped(record, tuple(entries), tuple(effects), tuple(happened))


def _name(record: Record) -> str | None:
    value = record.fields.get("name") or record.fields.get("subject") or record.fields.get("title")
    return str(value) if value else None

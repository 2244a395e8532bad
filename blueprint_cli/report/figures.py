"""How a process really runs, from the store's history: time in each state,
the funnel, throughput, stuck records, and the history that does not fit.

One pass over `Store.histories` (a record and its history at a time); what is
kept grows with the number of *stays* that are measured (two numbers each, in
arrays, for exact medians), never with whole records. Pure apart from the
stream it is given: the moment `now`, the working calendar and the blueprint
versions come from the caller.

Definitions (docs/reports.md):

- a **stay** is `engine.stays`'; **time in state** is measured over the stays
  that *ended* in the window (`since` ≤ left < `until`), in calendar time and in
  working time on the calendar; **entries** are the stays that *began* in it;
  **now** counts the records in the state now, whatever the window;
- the **funnel** follows the records that entered the blueprint in the window:
  how many of them reached each state (by `until`), in flow order;
- **throughput** counts moves (history entries that change the state) and
  completions (moves into a final state) per day and per ISO week;
- **stuck**: records in a non-final state over their SLA (by the clock) or idle
  (no history entry) longer than `idle`, oldest in state first;
- a record whose history does not fit the blueprint version each entry was
  made under (a state or transition that version lacks, a move from a state
  the record was not in) is left out of every figure and listed.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from blueprint_cli.engine import due
from blueprint_cli.engine.records import Passage, Record
from blueprint_cli.engine.stays import Stay, stays
from blueprint_cli.language import times
from blueprint_cli.language.times import instant
from blueprint_cli.language.analysis import flow_order
from blueprint_cli.language.calendar import WorkingCalendar
from blueprint_cli.language.model import Blueprint

#: The history entries that may change a record's state.
_MOVING = ("create", "enter", "move", "migrate")


@dataclass(frozen=True)
class Window:
    """The time a report looks at: `since` ≤ t < `until` (None: open)."""

    since: datetime | None = None
    until: datetime | None = None

    def holds(self, moment: datetime) -> bool:
        return (self.since is None or moment >= self.since) and (self.until is None or moment < self.until)


@dataclass(frozen=True)
class Spread:
    """Median, 90th percentile and maximum of some durations (seconds)."""

    count: int
    median: float | None
    p90: float | None
    max: float | None

    @classmethod
    def of(cls, values: array[float]) -> Spread:
        if not values:
            return cls(0, None, None, None)
        ordered = sorted(values)
        n = len(ordered)
        mid = n // 2
        median = ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2
        # nearest rank: the smallest value at least 90% of the stays do not exceed
        p90 = ordered[max(0, math.ceil(0.9 * n) - 1)]
        return cls(n, median, p90, ordered[-1])

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "median_seconds": self.median, "p90_seconds": self.p90,
                "max_seconds": self.max}


@dataclass
class _StateTally:
    now: int = 0
    entries: int = 0
    calendar: array[float] = field(default_factory=lambda: array("d"))
    business: array[float] = field(default_factory=lambda: array("d"))
    left: Counter[tuple[str, str]] = field(default_factory=Counter)


@dataclass(frozen=True)
class StateFigures:
    state: str
    final: bool
    now: int
    entries: int
    calendar: Spread
    business: Spread
    #: (transition, to, how many stays it ended, their share of the stays that ended)
    left_by: tuple[tuple[str, str, int, float], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "final": self.final, "now": self.now, "entries": self.entries,
                "left": self.calendar.count, "time_in_state": self.calendar.to_dict(),
                "business_time_in_state": self.business.to_dict(),
                "left_by": [{"transition": t, "to": to, "count": n, "share": share}
                            for t, to, n, share in self.left_by]}


@dataclass(frozen=True)
class FunnelStep:
    state: str
    final: bool
    reached: int
    #: of the records that entered
    share: float | None
    #: of those that reached the state before it in flow order (non-final states)
    conversion: float | None
    #: how many of those did not get here
    drop_off: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "final": self.final, "reached": self.reached, "share": self.share,
                "conversion": self.conversion, "drop_off": self.drop_off}


@dataclass(frozen=True)
class Stuck:
    id: str
    name: str | None
    owner: str
    state: str
    since: str
    age_seconds: float
    idle_seconds: float
    #: "sla" (over its SLA, `level` the highest level passed), "idle", or both
    why: tuple[str, ...]
    level: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "owner": self.owner, "state": self.state, "since": self.since,
                "age_seconds": self.age_seconds, "idle_seconds": self.idle_seconds, "why": list(self.why),
                "sla_level": self.level}


@dataclass(frozen=True)
class Misfit:
    id: str
    at: str
    version: int | None
    problem: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, "version": self.version, "problem": self.problem}


@dataclass(frozen=True)
class Group:
    key: str
    records: int
    states: tuple[StateFigures, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.key, "records": self.records, "states": [s.to_dict() for s in self.states]}


@dataclass(frozen=True)
class Report:
    blueprint: str
    version: int
    now: datetime
    window: Window
    records: int
    states: tuple[StateFigures, ...]
    entered: int
    funnel: tuple[FunnelStep, ...]
    per_day: tuple[tuple[date, int, int], ...]
    per_week: tuple[tuple[date, int, int], ...]
    stuck: tuple[Stuck, ...]
    idle: timedelta | None
    misfits: tuple[Misfit, ...]
    misfit_records: int
    by: str | None = None
    groups: tuple[Group, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "blueprint": self.blueprint, "version": self.version, "now": _iso(self.now),
            "since": _iso(self.window.since), "until": _iso(self.window.until), "records": self.records,
            "states": [s.to_dict() for s in self.states],
            "funnel": {"entered": self.entered, "steps": [f.to_dict() for f in self.funnel]},
            "throughput": {
                "per_day": [{"day": d.isoformat(), "moves": m, "completions": c} for d, m, c in self.per_day],
                "per_week": [{"week": d.isoformat(), "moves": m, "completions": c} for d, m, c in self.per_week]},
            "stuck": [s.to_dict() for s in self.stuck],
            "idle_seconds": self.idle.total_seconds() if self.idle is not None else None,
            "misfits": {"records": self.misfit_records, "entries": [m.to_dict() for m in self.misfits]},
        }
        if self.by is not None:
            out["by"] = {"key": self.by, "groups": [g.to_dict() for g in self.groups]}
        return out


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


class _Fit:
    """Whether passages fit the blueprint version they were made under (each
    question answered once)."""

    def __init__(self, versions: Callable[[int], Blueprint | None], default: int) -> None:
        self._versions = versions
        self._default = default
        self._answers: dict[tuple[int, str, str | None, str | None, str | None], str | None] = {}

    def problem(self, p: Passage, current: str | None, record_version: int | None) -> str | None:
        version = p.version if p.version is not None else (record_version or self._default)
        if p.kind not in _MOVING or p.to_state is None or (p.to_state == current and p.kind not in ("create", "enter")):
            return None
        if p.kind == "move" and current is not None and p.from_state != current:
            return f"a move from {p.from_state!r} while the record was in {current!r}"
        key = (version, p.kind, p.transition, p.from_state, p.to_state)
        if key not in self._answers:
            self._answers[key] = self._check(version, p)
        return self._answers[key]

    def _check(self, version: int, p: Passage) -> str | None:
        bp = self._versions(version)
        if bp is None:
            return f"version {version} is not published"
        assert p.to_state is not None
        if bp.state(p.to_state) is None:
            return f"state {p.to_state!r} is not in version {version}"
        if p.kind != "move":
            return None
        t = bp.transition(p.transition or "")
        if t is None:
            return f"transition {p.transition!r} is not in version {version}"
        if p.from_state not in bp.sources_of(t):
            return f"transition {p.transition!r} does not leave {p.from_state!r} in version {version}"
        if p.to_state not in t.targets and p.to_state != p.from_state:
            return f"transition {p.transition!r} does not lead to {p.to_state!r} in version {version}"
        return None


def compute(bp: Blueprint, records: Iterable[tuple[Record, Sequence[Passage]]], *, now: datetime,
            calendar: WorkingCalendar, versions: Callable[[int], Blueprint | None], window: Window = Window(),
            keep: Callable[[Record], bool] | None = None, by: Callable[[Record], str] | None = None,
            by_name: str | None = None, idle: timedelta | None = None, zone: tzinfo | None = None,
            version: int = 1, stuck_limit: int | None = None) -> Report:
    """The report of `bp` (its latest version, `version`) over `records` (each as
    it follows that version, with its history)."""
    order = flow_order(bp)
    final = set(bp.final_states)
    tallies: dict[str, _StateTally] = {s: _StateTally() for s in order}
    groups: dict[str, dict[str, _StateTally]] = {}
    group_records: Counter[str] = Counter()
    reached: Counter[str] = Counter()
    entered = 0
    per_day: dict[date, list[int]] = {}
    stuck: list[Stuck] = []
    misfits: list[Misfit] = []
    misfit_records = 0
    count = 0
    fit = _Fit(versions, version)
    timed: dict[str | None, due.Timed | None] = {}
    local = zone

    def tally_of(table: dict[str, _StateTally], state: str) -> _StateTally:
        found = table.get(state)
        if found is None:
            found = table[state] = _StateTally()
        return found

    for record, history in records:
        if keep is not None and not keep(record):
            continue
        problem = _misfit(fit, record, history)
        if problem is not None:
            misfit_records += 1
            misfits.append(problem)
            continue
        try:
            moments = [instant(p.at) for p in history]
            record_stays = stays(history, moments)
        except times.TimeError as exc:
            misfit_records += 1
            misfits.append(Misfit(record.id, "", record.version, f"an entry's time: {exc}"))
            continue
        count += 1
        group = by(record) if by is not None else None
        if group is not None:
            group_records[group] += 1
        state_now = record.state
        if state_now is not None:
            tally_of(tallies, state_now).now += 1
            if group is not None:
                tally_of(groups.setdefault(group, {}), state_now).now += 1
        _count_stays(record_stays, window, calendar, tallies, tally_of)
        if group is not None:
            _count_stays(record_stays, window, calendar, groups.setdefault(group, {}), tally_of)
        if record_stays and window.holds(record_stays[0].start):
            entered += 1
            for state in {s.state for s in record_stays if window.until is None or s.start < window.until}:
                reached[state] += 1
        for p, at in zip(history, moments):
            if p.kind in ("move", "migrate") and p.to_state is not None and p.to_state != p.from_state:
                if not window.holds(at):
                    continue
                day = (at.astimezone(local) if local is not None else at.astimezone()).date()
                counts = per_day.setdefault(day, [0, 0])
                counts[0] += 1
                if p.to_state in final:
                    counts[1] += 1
        if state_now is not None and state_now not in final and record_stays:
            found = _stuck(record, moments[-1], record_stays[-1], bp, now, calendar, idle, timed)
            if found is not None:
                stuck.append(found)

    states = tuple(_figures(s, tallies[s], s in final) for s in _ordered(order, tallies))
    steps = _funnel(order, final, reached, entered)
    days = tuple(sorted((d, c[0], c[1]) for d, c in per_day.items()))
    weeks: dict[date, list[int]] = {}
    for d, moves, done in days:
        monday = d - timedelta(days=d.weekday())
        w = weeks.setdefault(monday, [0, 0])
        w[0] += moves
        w[1] += done
    stuck.sort(key=lambda s: (-s.age_seconds, s.id))
    out_groups = tuple(
        Group(key, group_records[key],
              tuple(_figures(s, table.get(s) or _StateTally(), s in final) for s in _ordered(order, table)))
        for key, table in sorted(groups.items()))
    return Report(bp.id, version, now, window, count, states, entered, steps, days,
                  tuple(sorted((d, c[0], c[1]) for d, c in weeks.items())),
                  tuple(stuck[:stuck_limit] if stuck_limit else stuck), idle, tuple(misfits), misfit_records,
                  by_name, out_groups)


def _ordered(order: list[str], tallies: Mapping[str, _StateTally]) -> list[str]:
    """Flow order, then any state only older versions had."""
    return order + sorted(s for s in tallies if s not in order)


def _count_stays(record_stays: list[Stay], window: Window, calendar: WorkingCalendar,
                 tallies: dict[str, _StateTally],
                 tally_of: Callable[[dict[str, _StateTally], str], _StateTally]) -> None:
    everything = window.since is None and window.until is None
    working = calendar.working_time
    for stay in record_stays:
        tally = tallies.get(stay.state) or tally_of(tallies, stay.state)
        if everything or window.holds(stay.start):
            tally.entries += 1
        end = stay.end
        if end is None or not (everything or window.holds(end)):
            continue
        tally.calendar.append((end - stay.start).total_seconds())
        tally.business.append(working(stay.start, end).total_seconds())
        tally.left[(stay.left_by or "", stay.to or "")] += 1


def _figures(state: str, tally: _StateTally, final: bool) -> StateFigures:
    ended = len(tally.calendar)
    left = tuple((t, to, n, n / ended) for (t, to), n in sorted(tally.left.items(), key=lambda kv: (-kv[1], kv[0])))
    return StateFigures(state, final, tally.now, tally.entries, Spread.of(tally.calendar), Spread.of(tally.business),
                        left)


def _funnel(order: list[str], final: set[str], reached: Counter[str], entered: int) -> tuple[FunnelStep, ...]:
    steps = []
    previous: int | None = None
    for state in order:
        n = reached[state]
        share = n / entered if entered else None
        if state in final:
            steps.append(FunnelStep(state, True, n, share, None, None))
            continue
        conversion = (n / previous if previous else None) if previous is not None else None
        drop = (previous - n) if previous is not None else None
        steps.append(FunnelStep(state, False, n, share, conversion, drop))
        previous = n
    return tuple(steps)


def _misfit(fit: _Fit, record: Record, history: Sequence[Passage]) -> Misfit | None:
    current: str | None = None
    for p in history:
        problem = fit.problem(p, current, record.version)
        if problem is not None:
            return Misfit(record.id, p.at, p.version, problem)
        if p.to_state is not None and p.kind in _MOVING:
            current = p.to_state
    if history and current != record.state:
        return Misfit(record.id, history[-1].at, record.version,
                      f"its history ends in {current!r} but the record is in {record.state!r}")
    return None


def _stuck(record: Record, last: datetime, stay: Stay, bp: Blueprint, now: datetime,
           calendar: WorkingCalendar, idle: timedelta | None, timed: dict[str | None, due.Timed | None]) -> Stuck | None:
    if record.state not in timed:
        timed[record.state] = due.timed_state(bp, record.state)
    standing, level = due.sla_standing(timed[record.state], record, now, calendar)
    idle_for = now - last
    why = []
    if standing == "breached":
        why.append("sla")
    if idle is not None and idle_for > idle:
        why.append("idle")
    if not why:
        return None
    value = record.fields.get("name") or record.fields.get("subject") or record.fields.get("title")
    return Stuck(record.id, str(value) if value else None, record.owner, record.state or "",
                 record.state_since or stay.start.isoformat(), (now - stay.start).total_seconds(),
                 idle_for.total_seconds(), tuple(why), level)

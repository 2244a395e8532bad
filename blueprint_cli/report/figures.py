"""How a process really runs, from the store's history: time in each state,
the funnel, throughput, stuck records, and the history that does not fit.

One pass over `Store.histories` (a record and its history at a time), each
history digested (`Digester`: its stays, their times and working time, its
moves, or why it does not fit — what a store may keep, as the JSON store
does) and the digest counted (`Tally`); what is kept grows with the number of
*stays* that are measured (two numbers each, in arrays, for exact medians),
never with whole records. Pure apart from the
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

import copy
import json
import math
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone, tzinfo
from itertools import islice
from typing import Any

from blueprint_cli.engine import due
from blueprint_cli.engine.records import Passage, Record
from blueprint_cli.language import times
from blueprint_cli.language.times import DAY_US, EPOCH, EPOCH_ORDINAL, HOUR_US, ONE_US, epoch_us, written
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

    def merge(self, other: _StateTally) -> None:
        self.now += other.now
        self.entries += other.entries
        self.calendar.extend(other.calendar)
        self.business.extend(other.business)
        self.left.update(other.left)

    def order(self) -> None:
        """Sort the durations (the report sorts them for its medians: sorted in
        each process that counted a share, the merged arrays are runs that sort
        in one linear merge)."""
        self.calendar = array("d", sorted(self.calendar))
        self.business = array("d", sorted(self.business))


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


def as_latest(bp: Blueprint, latest: int) -> Callable[[Record], Record]:
    """A record as it follows the latest version of `bp` (when its state is in it)."""
    def follow(record: Record) -> Record:
        if record.version != latest and record.state is not None and bp.state(record.state) is not None:
            return replace(record, version=latest)
        return record
    return follow


class Fit:
    """Whether a record's history fits the blueprint version each entry was made
    under (each question about a kind of passage answered once a report, by
    `problem`: the one statement of what fits, which the SQL of the PostgreSQL
    store is also given, as lists, `report.server`)."""

    def __init__(self, versions: Callable[[int], Blueprint | None], default: int) -> None:
        self._versions = versions
        self._default = default
        self._answers: dict[tuple[int, str, str | None, str | None, str], str | None] = {}

    def misfit(self, record: Record, history: Sequence[Passage]) -> Misfit | None:
        """The first entry that does not fit (or the state the history does not
        end in), None when the history fits."""
        answers = self._answers
        default = record.version or self._default
        current: str | None = None
        for at, _, kind, transition, source, to, version in history:
            if to is None or kind not in _MOVING:
                continue
            if to != current or kind == "create" or kind == "enter":
                if kind == "move" and current is not None and source != current:
                    return Misfit(record.id, at, version,
                                  f"a move from {source!r} while the record was in {current!r}")
                key = (version if version is not None else default, kind, transition, source, to)
                try:
                    problem = answers[key]
                except KeyError:
                    problem = answers[key] = self.problem(*key)
                if problem is not None:
                    return Misfit(record.id, at, version, problem)
            current = to
        if history and current != record.state:
            return Misfit(record.id, history[-1][0], record.version,
                          f"its history ends in {current!r} but the record is in {record.state!r}")
        return None

    def problem(self, version: int, kind: str, transition: str | None, source: str | None, to: str) -> str | None:
        """What does not fit in an entry of `kind` made under `version` that
        takes a record to `to` (by `transition`, from `source`); None when it fits."""
        bp = self._versions(version)
        if bp is None:
            return f"version {version} is not published"
        if bp.state(to) is None:
            return f"state {to!r} is not in version {version}"
        if kind != "move":
            return None
        t = bp.transition(transition or "")
        if t is None:
            return f"transition {transition!r} is not in version {version}"
        if source not in bp.sources_of(t):
            return f"transition {transition!r} does not leave {source!r} in version {version}"
        if to not in t.targets and to != source:
            return f"transition {transition!r} does not lead to {to!r} in version {version}"
        return None


#: The layout of a digest (`Digester`); part of its key, so a summary kept in another is rebuilt.
DIGEST_FORMAT = 1

#: A record's history as the report counts it (`Digester`), in plain lists and
#: numbers that JSON keeps (the JSON store's summary holds one per record):
#: `[misfit]` when the history does not fit its versions — misfit is `[at, version, problem]` —
#: else `[None, states, starts, ways, working, moved, moved_to, last, since]`:
#: the state of each stay and when it began (epoch µs), what ended each stay but
#: the last (a transition, or the kind of entry) and its working time (µs), when
#: each move was (µs) and where it went, the last entry's time (µs), and when the
#: stay the record is in began, as `isoformat` writes it.
Digest = list[Any]


class Digester:
    """What the report derives from one record's history — whether it fits the
    versions each entry was made under, its stays (as `engine.stays` finds
    them) with their times and working time, its moves — the same whatever the
    report's window, filter or moment (`Tally` counts digests). A digest
    depends on the record and its history and on `key`: the blueprint, its
    latest version (which the record follows, and whose final states end the
    funnel), the working calendar, and the layout."""

    def __init__(self, bp: Blueprint, *, calendar: WorkingCalendar, versions: Callable[[int], Blueprint | None],
                 version: int) -> None:
        #: a record as it follows the latest version
        self.follow = as_latest(bp, version)
        self._fit = Fit(versions, version)
        self._calendar = calendar
        #: what measures working time: on the calendar's zone, else on the zone of each stay's start
        self._meters: dict[tzinfo | None, Callable[[int, int], int]] = {}
        self.key = json.dumps([DIGEST_FORMAT, bp.id, version, calendar.as_data()], separators=(",", ":"))

    def __call__(self, record: Record, history: Sequence[Passage]) -> tuple[Digest, bool]:
        """The digest of `record` (as it follows the latest version) and its
        history, and whether it may be kept: not when a time was written
        without an offset (read in the zone in effect, which may differ next time)."""
        record = self.follow(record)
        problem = self._fit.misfit(record, history)
        if problem is not None:
            return [[problem.at, problem.version, problem.problem]], True
        moments: list[datetime] = []
        lasting = True
        try:
            for p in history:
                moment = written(p[0])
                if moment is None:
                    lasting = False
                    moment = times.in_effect(p[0])
                moments.append(moment)
        except times.TimeError as exc:
            return [["", record.version, f"an entry's time: {exc}"]], lasting
        calendar, meters = self._calendar, self._meters
        zone = calendar.zone
        states: list[str] = []
        starts: list[int] = []
        ways: list[str] = []
        working: list[int] = []
        moved: list[int] = []
        moved_to: list[str] = []
        state: str | None = None
        start = 0
        began: datetime | None = None
        for (_, _, kind, transition, source, to, _), moment in zip(history, moments):
            if to is None:
                continue
            at = (moment - EPOCH) // ONE_US  # times.epoch_us, inline
            if (kind == "move" or kind == "migrate") and to != source:
                moved.append(at)
                moved_to.append(to)
            if to == state and kind != "create" and kind != "enter":
                continue
            if state is not None:
                assert began is not None
                where = zone if zone is not None else began.tzinfo  # on the wall clock of the stay's start
                measure = meters.get(where)
                if measure is None:
                    measure = meters[where] = calendar.meter(where or timezone.utc).between
                working.append(measure(start, at))
                ways.append(transition or kind)
            states.append(to)
            starts.append(at)
            state, start, began = to, at, moment
        last = (moments[-1] - EPOCH) // ONE_US if moments else 0
        since = began.isoformat() if began is not None else ""
        return [None, states, starts, ways, working, moved, moved_to, last, since], lasting


@dataclass
class Counts:
    """What a pass over some records has counted: counters, and the durations
    of the stays that ended in arrays. Two passes over different records merge
    (`merge`) into the counts of one pass over both, so a pass split between
    processes gives the same report."""

    records: int = 0
    states: dict[str, _StateTally] = field(default_factory=dict)
    groups: dict[str, dict[str, _StateTally]] = field(default_factory=dict)
    group_records: Counter[str] = field(default_factory=Counter)
    entered: int = 0
    reached: Counter[str] = field(default_factory=Counter)
    #: day -> [moves, completions]
    per_day: dict[date, list[int]] = field(default_factory=dict)
    stuck: list[Stuck] = field(default_factory=list)
    #: in the order of the records
    misfits: list[Misfit] = field(default_factory=list)
    misfit_records: int = 0

    def merge(self, later: Counts) -> None:
        """Add the counts of records that come after these (in id order)."""
        self.records += later.records
        _merge_tallies(self.states, later.states)
        for key, table in later.groups.items():
            _merge_tallies(self.groups.setdefault(key, {}), table)
        self.group_records.update(later.group_records)
        self.entered += later.entered
        self.reached.update(later.reached)
        for day, (moves, done) in later.per_day.items():
            counts = self.per_day.setdefault(day, [0, 0])
            counts[0] += moves
            counts[1] += done
        self.stuck += later.stuck
        self.misfits += later.misfits
        self.misfit_records += later.misfit_records


def order_counts(counts: Counts) -> None:
    """`_StateTally.order` for every state and group of `counts`."""
    for table in (counts.states, *counts.groups.values()):
        for tally in table.values():
            tally.order()


def _merge_tallies(into: dict[str, _StateTally], other: Mapping[str, _StateTally]) -> None:
    for state, tally in other.items():
        into.setdefault(state, _StateTally()).merge(tally)


class Tally:
    """The report of `bp` (its latest version, `version`), counted record by
    record (`add`) into `counts`, then made (`report`)."""

    def __init__(self, bp: Blueprint, *, now: datetime, calendar: WorkingCalendar,
                 versions: Callable[[int], Blueprint | None], window: Window = Window(),
                 keep: Callable[[Record], bool] | None = None, by: Callable[[Record], str] | None = None,
                 idle: timedelta | None = None, zone: tzinfo | None = None, version: int = 1) -> None:
        self.bp, self.now, self.calendar, self.window = bp, now, calendar, window
        self.keep, self.by, self.idle, self.zone, self.version = keep, by, idle, zone, version
        self.order = flow_order(bp)
        self.final = frozenset(bp.final_states)
        self.counts = Counts(states={s: _StateTally() for s in self.order})
        self.digester = Digester(bp, calendar=calendar, versions=versions, version=version)
        self._timed: dict[str | None, due.Timed | None] = {}
        self._now_us = epoch_us(now)
        self._idle_us = idle // ONE_US if idle is not None else None
        #: offsets in the report's zone
        self._local = times.Offsets(zone)
        #: the counts of `counts.per_day` by the hour (`epoch_us // HOUR_US`) of the moves
        #: counted on them (each hour that is all on one day in the report's zone)
        self._hours: dict[int, list[int]] = {}

    def fresh(self) -> Tally:
        """A tally of the same report with nothing counted yet (for a share of the records)."""
        other = copy.copy(self)
        other.counts = Counts(states={s: _StateTally() for s in self.order})
        other._hours = {}
        return other

    def restart(self) -> None:
        """Forget everything counted (to count the records again)."""
        self.counts = Counts(states={s: _StateTally() for s in self.order})
        self._hours = {}

    def add(self, records: Iterable[tuple[Record, Sequence[Passage]]]) -> None:
        """Count `records`, each with its history: digested (`digester`), then
        counted as `add_digests` counts them."""
        follow, keep, digest = self.digester.follow, self.keep, self.digester
        followed = ((follow(record), history) for record, history in records)
        self._count(((record, digest(record, history)[0]) for record, history in followed
                     if keep is None or keep(record)), keep=None)

    def add_digests(self, records: Iterable[tuple[Record, Digest]]) -> None:
        """Count `records`, each with the digest of its history (`digester`'s,
        which a store may have kept); each record as it follows the latest
        version (as stored: followed here)."""
        self._count(records, keep=self.keep)

    def _count(self, records: Iterable[tuple[Record, Digest]], keep: Callable[[Record], bool] | None) -> None:
        """Count digests into `counts`: the stays that ended in the window are
        measured, those that began in it entered; every moment is an integer
        (`times.epoch_us`), each move's day found once an hour (`_day`)."""
        c = self.counts
        states, reached = c.states, c.reached
        window = self.window
        lo = epoch_us(window.since) if window.since is not None else _BEFORE_ALL
        hi = epoch_us(window.until) if window.until is not None else _AFTER_ALL
        by, final = self.by, self.final
        hours = self._hours
        follow = self.digester.follow
        for record, digest in records:
            record = follow(record)
            if keep is not None and not keep(record):
                continue
            if digest[0] is not None:
                at, version, problem = digest[0]
                c.misfit_records += 1
                c.misfits.append(Misfit(record.id, at, version, problem))
                continue
            _, stays, starts, ways, working, moved, moved_to, last, since = digest
            c.records += 1
            if by is None:
                tables: tuple[dict[str, _StateTally], ...] = (states,)
            else:
                group = by(record)
                c.group_records[group] += 1
                tables = (states, c.groups.setdefault(group, {}))
            state_now = record.state
            if state_now is not None:
                for table in tables:
                    _tally(table, state_now).now += 1
            for at, to in zip(moved, moved_to):
                if lo <= at < hi:
                    counts = hours.get(at // HOUR_US)
                    if counts is None:
                        counts = self._day(at)
                    counts[0] += 1
                    if to in final:
                        counts[1] += 1
            if not stays:
                continue
            for table in tables:
                _stays(table, stays, starts, ways, working, lo, hi)
            start = starts[-1]
            if lo <= starts[0] < hi:  # the record entered the blueprint in the window: how far it got
                c.entered += 1
                for reached_state in {s for s, t in zip(stays, starts) if t < hi}:
                    reached[reached_state] += 1
            if state_now is not None and state_now not in final:
                found = self._stuck(record, last, start, since)
                if found is not None:
                    c.stuck.append(found)

    def _day(self, at: int) -> list[int]:
        """The moves and completions of the day of the moment `at` (`epoch_us`)
        in the report's zone, as `counts.per_day` holds them; kept for its hour
        when the whole hour is on that day."""
        offset = self._local(at)
        day = (at + offset) // DAY_US
        counts = self.counts.per_day.setdefault(date.fromordinal(day + EPOCH_ORDINAL), [0, 0])
        hour = at // HOUR_US
        if self._local.hours.get(hour) == offset and \
                (hour * HOUR_US + offset) // DAY_US == ((hour + 1) * HOUR_US - 1 + offset) // DAY_US == day:
            self._hours[hour] = counts
        return counts

    def _stuck(self, record: Record, last: int, start: int, since: str) -> Stuck | None:
        if record.state not in self._timed:
            self._timed[record.state] = due.timed_state(self.bp, record.state)
        return _stuck(record, last, start, since, self._timed[record.state], self.now, self._now_us, self.calendar,
                      self._idle_us)

    def report(self, *, by_name: str | None = None, stuck_limit: int | None = None) -> Report:
        c, order, final = self.counts, self.order, self.final
        states = tuple(_figures(s, c.states[s], s in final) for s in _ordered(order, c.states))
        steps = _funnel(order, final, c.reached, c.entered)
        days = tuple(sorted((d, n[0], n[1]) for d, n in c.per_day.items()))
        stuck = sorted(c.stuck, key=lambda s: (-s.age_seconds, s.id))
        groups = tuple(
            Group(key, c.group_records[key],
                  tuple(_figures(s, table.get(s) or _StateTally(), s in final) for s in _ordered(order, table)))
            for key, table in sorted(c.groups.items()))
        return Report(self.bp.id, self.version, self.now, self.window, c.records, states, c.entered, steps, days,
                      by_week(days),
                      tuple(stuck[:stuck_limit] if stuck_limit else stuck), self.idle, tuple(c.misfits),
                      c.misfit_records, by_name, groups)


def by_week(days: tuple[tuple[date, int, int], ...]) -> tuple[tuple[date, int, int], ...]:
    """Moves and completions per day (in day order) added up per week, each
    week named by its Monday."""
    weeks: dict[date, list[int]] = {}
    for d, moves, done in days:
        w = weeks.setdefault(d - timedelta(days=d.weekday()), [0, 0])
        w[0] += moves
        w[1] += done
    return tuple(sorted((d, n[0], n[1]) for d, n in weeks.items()))


#: a window's edges when it has none (epoch µs): before and after any time a record may hold
_BEFORE_ALL, _AFTER_ALL = -(1 << 62), 1 << 62


def _stays(table: dict[str, _StateTally], stays: list[str], starts: list[int], ways: list[str], working: list[int],
           lo: int, hi: int) -> None:
    """Count a record's stays (a digest's) into `table`: those that ended in the
    window `lo` ≤ t < `hi` measured, with what ended them and where they went;
    those that began in it entered."""
    state, start = stays[0], starts[0]
    for to, end, way, worked in zip(islice(stays, 1, None), islice(starts, 1, None), ways, working):
        tally = table.get(state)
        if tally is None:
            tally = _tally(table, state)
        if lo <= start < hi:
            tally.entries += 1
        if lo <= end < hi:
            tally.calendar.append((end - start) / 1_000_000)
            tally.business.append(worked / 1_000_000)
            tally.left[(way, to)] += 1
        state, start = to, end
    if lo <= start < hi:  # the stay the record is in
        _tally(table, state).entries += 1


def _tally(table: dict[str, _StateTally], state: str) -> _StateTally:
    found = table.get(state)
    if found is None:
        found = table[state] = _StateTally()
    return found


def compute(bp: Blueprint, records: Iterable[tuple[Record, Sequence[Passage]]], *, now: datetime,
            calendar: WorkingCalendar, versions: Callable[[int], Blueprint | None], window: Window = Window(),
            keep: Callable[[Record], bool] | None = None, by: Callable[[Record], str] | None = None,
            by_name: str | None = None, idle: timedelta | None = None, zone: tzinfo | None = None,
            version: int = 1, stuck_limit: int | None = None) -> Report:
    """The report of `bp` (its latest version, `version`) over `records` (each as
    it follows that version, with its history)."""
    tally = Tally(bp, now=now, calendar=calendar, versions=versions, window=window, keep=keep, by=by, idle=idle,
                  zone=zone, version=version)
    tally.add(records)
    return tally.report(by_name=by_name, stuck_limit=stuck_limit)


def _ordered(order: list[str], tallies: Mapping[str, _StateTally]) -> list[str]:
    """Flow order, then any state only older versions had."""
    return order + sorted(s for s in tallies if s not in order)


def _figures(state: str, tally: _StateTally, final: bool) -> StateFigures:
    ended = len(tally.calendar)
    left = tuple((t, to, n, n / ended) for (t, to), n in sorted(tally.left.items(), key=lambda kv: (-kv[1], kv[0])))
    return StateFigures(state, final, tally.now, tally.entries, Spread.of(tally.calendar), Spread.of(tally.business),
                        left)


def _funnel(order: list[str], final: frozenset[str], reached: Counter[str], entered: int) -> tuple[FunnelStep, ...]:
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


def _stuck(record: Record, last: int, start: int, since: str, timed: due.Timed | None, now: datetime, now_us: int,
           calendar: WorkingCalendar, idle: int | None) -> Stuck | None:
    """The record as a stuck one (None: it is not): `last` is its last entry's
    time, `start` when it entered its state (epoch µs; `since` as written),
    `idle` the idle time that makes it stuck (µs)."""
    standing, level = due.sla_standing(timed, record, now, calendar)
    idle_for = now_us - last
    why = []
    if standing == "breached":
        why.append("sla")
    if idle is not None and idle_for > idle:
        why.append("idle")
    if not why:
        return None
    value = record.fields.get("name") or record.fields.get("subject") or record.fields.get("title")
    return Stuck(record.id, str(value) if value else None, record.owner, record.state or "",
                 record.state_since or since, (now_us - start) / 1_000_000, idle_for / 1_000_000, tuple(why), level)

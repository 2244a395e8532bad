"""The report's figures computed by the store, where it can (`HistoryFigures`:
PostgreSQL computes them in SQL over the stays it keeps as rows), with the
definitions of `figures.compute` — which stays with the report for every other
store, and for whatever the store leaves to it:

- the store sends back, read the exact way, every record whose history it does
  not vouch for (an entry not in the form it reads, a move that may not fit its
  version); those must all be history that does not fit (listed, not counted),
  else the report is computed by `figures.compute` after all;
- business time is the difference of the working calendar's clock
  (`WorkingCalendar.clock`), repeated by the server with the calendar's days,
  hours and holidays and the zone's offsets sent with the query; on a day whose
  working hours hold a change of offset the clock is not the walked time, so a
  history that reaches such a day is computed by `figures.compute`;
- moves are counted per quarter of an hour (UTC) and put on their day here, in
  the report's zone (computed by `figures.compute` if a day there begins inside
  a quarter of an hour)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

from blueprint_cli.engine import due
from blueprint_cli.engine.records import Record
from blueprint_cli.language import times
from blueprint_cli.language.times import ONE_US, epoch_us, from_epoch_us
from blueprint_cli.language.analysis import flow_order
from blueprint_cli.language.calendar import WorkingCalendar
from blueprint_cli.language.model import Blueprint
from blueprint_cli.report.figures import (
    Digester, Fit, FunnelStep, Group, Misfit, Report, Spread, StateFigures, Stuck, Window, _funnel, _ordered,
    _StateTally, _stuck, by_week,
)
from blueprint_cli.store import CorruptFile
from blueprint_cli.store.contract import FiguresAsked, FiguresFound, HistoryFigures, SpreadFound, StateFound

#: the years whose changes of offset are sent with the query; a history outside them is computed here
_FIRST, _LAST = datetime(1970, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc)
_QUARTER_US = 900_000_000


def compute_in_store(store: HistoryFigures, bp: Blueprint, *, now: datetime, calendar: WorkingCalendar,
                     versions: Callable[[int], Blueprint | None], numbers: Sequence[int], window: Window,
                     selection: Iterable[Record] | None, keep: Callable[[Record], bool] | None,
                     by: Callable[[Record], str] | None, by_name: str | None, idle: timedelta | None,
                     zone: tzinfo | None, version: int, latest: Callable[[Record], Record],
                     errors: list[CorruptFile], stuck_limit: int | None = None) -> Report | None:
    """`figures.compute`'s report, computed by `store`; None when the store
    leaves records to the report that fit their version (compute it then)."""
    changes = _changes(calendar.zone) if calendar.zone is not None else None
    selected = None
    if selection is not None:
        selected = tuple((r.id, by(r) if by is not None else None)
                         for r in selection if keep is None or keep(r))
    states, moves = _fitting(versions, numbers)
    asked = FiguresAsked(
        blueprint=bp.id, final=tuple(bp.final_states),
        since_us=epoch_us(window.since) if window.since is not None else None,
        until_us=epoch_us(window.until) if window.until is not None else None,
        now_us=epoch_us(now), idle_us=idle // ONE_US if idle is not None else None, selected=selected,
        states=states, moves=moves,
        timed_states=tuple(s.name for s in bp.states
                           if (t := due.timed_state(bp, s.name)) is not None and t.levels),
        working_days=tuple(sorted(calendar.days)),
        hours_us=tuple((_of_day(a), _of_day(b) if b != time(0) else 86_400_000_000) for a, b in calendar.hours),
        holidays=tuple(sorted((h - date(1970, 1, 1)).days for h in calendar.holidays if h.weekday() in calendar.days)),
        changes_us=changes[0] if changes is not None else None, offsets=changes[1] if changes is not None else None,
        bucket_us=_QUARTER_US)
    found = store.history_figures(asked, errors)
    if found.span is not None and not (epoch_us(_FIRST) <= found.span[0] and found.span[1] < epoch_us(_LAST)
                                       and _regular(calendar, found.span)):
        return None  # offsets this query did not carry, or a day the clock does not measure
    misfits = _judge(found, bp, calendar, versions, version)
    if misfits is None or any(_day(start, zone) != _day(start + _QUARTER_US - 1, zone) for start, _, _ in found.buckets):
        return None  # or a day of the report's zone begins inside a quarter of an hour (an offset of 5:20)
    return _report(bp, found, misfits, now=now, calendar=calendar, window=window, by_name=by_name,
                   idle=idle, zone=zone, version=version, latest=latest, stuck_limit=stuck_limit)


def _of_day(moment: time) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + moment.microsecond


def _fitting(versions: Callable[[int], Blueprint | None], numbers: Sequence[int]
             ) -> tuple[tuple[tuple[int, str], ...], tuple[tuple[int, str, str, str], ...]]:
    """What fits each version, as `figures.Fit` judges it (asked of every
    state, and of every transition from each of its sources to every state):
    the states an entry may reach, and the moves."""
    fit = Fit(versions, numbers[-1] if numbers else 1)
    states: list[tuple[int, str]] = []
    moves: list[tuple[int, str, str, str]] = []
    for number in numbers:
        bp = versions(number)
        if bp is None:
            continue
        names = [s.name for s in bp.states]
        states += [(number, name) for name in names if fit.problem(number, "enter", None, None, name) is None]
        for name in dict.fromkeys(t.name for t in bp.transitions):
            t = bp.transition(name)
            assert t is not None
            for source in bp.sources_of(t):
                moves += [(number, name, source, to) for to in names
                          if fit.problem(number, "move", name, source, to) is None]
    return tuple(states), tuple(moves)


def _judge(found: FiguresFound, bp: Blueprint, calendar: WorkingCalendar, versions: Callable[[int], Blueprint | None],
           version: int) -> list[Misfit] | None:
    """The records the store left to the report, judged as `figures.compute`
    judges them (`Digester`): each must be history that does not fit (None when one is not)."""
    digest = Digester(bp, calendar=calendar, versions=versions, version=version)
    misfits = []
    for record, history in found.exact:
        digested, _ = digest(record, history)
        if digested[0] is None:
            return None
        misfits.append(Misfit(record.id, *digested[0]))
    return misfits


def _report(bp: Blueprint, found: FiguresFound, misfits: list[Misfit], *, now: datetime,
            calendar: WorkingCalendar, window: Window, by_name: str | None, idle: timedelta | None,
            zone: tzinfo | None, version: int, latest: Callable[[Record], Record],
            stuck_limit: int | None) -> Report:
    order = flow_order(bp)
    final = set(bp.final_states)
    tables: dict[str | None, dict[str, StateFound]] = {}
    for row in found.states:
        tables.setdefault(row.group, {})[row.state] = row
    left: dict[tuple[str | None, str], list[tuple[str, str, int]]] = {}
    for group, state, by_what, to, n in found.left_by:
        left.setdefault((group, state), []).append((by_what or "", to or "", n))

    def figures(group: str | None, state: str) -> StateFigures:
        row = tables.get(group, {}).get(state)
        if row is None:
            row = StateFound(group, state, 0, 0, SpreadFound(0, None, None, None), SpreadFound(0, None, None, None))
        ended = row.calendar.count
        left_by = tuple((t, to, n, n / ended) for t, to, n in
                        sorted(left.get((group, state), ()), key=lambda x: (-x[2], x[0], x[1])))
        return StateFigures(state, state in final, row.now, row.entries, _spread(row.calendar),
                            _spread(row.business), left_by)

    everything = tables.get(None, {})
    states = tuple(figures(None, s) for s in _ordered(order, dict.fromkeys(everything, _StateTally())))
    groups = tuple(
        Group(key, found.group_records.get(key, 0),
              tuple(figures(key, s) for s in _ordered(order, dict.fromkeys(tables.get(key, {}), _StateTally()))))
        for key in sorted({g for g in tables if g is not None} | set(found.group_records)))
    per_day: dict[date, list[int]] = {}
    for start, moves, done in found.buckets:
        counts = per_day.setdefault(_day(start, zone), [0, 0])
        counts[0] += moves
        counts[1] += done
    days = tuple(sorted((d, c[0], c[1]) for d, c in per_day.items()))
    stuck: list[Stuck] = []
    timed: dict[str | None, due.Timed | None] = {}
    for record, last_at, began_at in found.stuck:
        record = latest(record)
        if record.state not in timed:
            timed[record.state] = due.timed_state(bp, record.state)
        began = times.instant(began_at)
        one = _stuck(record, epoch_us(times.instant(last_at)), epoch_us(began), began.isoformat(),
                     timed[record.state], now, epoch_us(now), calendar, idle // ONE_US if idle is not None else None)
        if one is not None:
            stuck.append(one)
    stuck.sort(key=lambda s: (-s.age_seconds, s.id))
    steps: tuple[FunnelStep, ...] = _funnel(order, frozenset(final), Counter(found.reached), found.entered)
    return Report(bp.id, version, now, window, found.records, states, found.entered, steps, days,
                  by_week(days),
                  tuple(stuck[:stuck_limit] if stuck_limit else stuck), idle, tuple(misfits), len(misfits),
                  by_name, groups)


def _day(us: int, zone: tzinfo | None) -> date:
    """The day a moment falls on in the report's zone (None: this machine's), as `figures.compute` puts a move."""
    return from_epoch_us(us).astimezone(zone).date()


def _spread(found: SpreadFound) -> Spread:
    return Spread(found.count, found.median, found.p90, found.max)


@lru_cache(maxsize=8)
def _changes(zone: tzinfo | None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The zone's changes of offset from 1970 to 2100 (microseconds) and its
    offsets (seconds): `offsets[i]` before `changes[i]`, the last after. Found
    week by week (no zone changes twice within a week), then to the second.
    None: this machine's local time."""
    def offset(second: int) -> int:
        moment = datetime.fromtimestamp(second, timezone.utc)
        shifted = moment.astimezone(zone)
        delta = shifted.utcoffset()
        assert delta is not None
        return int(delta.total_seconds())

    first, last = int(_FIRST.timestamp()), int(_LAST.timestamp())
    offsets = [offset(first)]
    changes: list[int] = []
    day = first
    while day < last:
        nxt = day + 7 * 86_400
        if offset(nxt) != offsets[-1]:
            lo, hi = day, nxt  # offset(lo) is the old one, offset(hi) the new
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset(mid) == offsets[-1]:
                    lo = mid
                else:
                    hi = mid
            changes.append(hi * 1_000_000)
            offsets.append(offset(hi))
        day = nxt
    return tuple(changes), tuple(offsets)


def _regular(calendar: WorkingCalendar, span: tuple[int, int]) -> bool:
    """Whether no working day from the first to the last moment of `span` has a
    change of offset between its opening and its closing (or at either), on
    the calendar's zone; then the clock's difference is the walked time."""
    zone = calendar.zone
    if zone is None:
        return True  # each stay in one fixed offset
    changes, _ = _changes(zone)
    start, end = calendar.hours[0][0], calendar.hours[-1][1]
    for change in changes:
        if not span[0] - 2 * 86_400_000_000 <= change <= span[1] + 2 * 86_400_000_000:
            continue
        moment = from_epoch_us(change)
        for day in {(moment + timedelta(hours=h)).astimezone(zone).date() for h in (-26, 0, 26)}:
            if not calendar.is_working_day(day):
                continue
            opens = datetime.combine(day, start)
            closes = datetime.combine(day + timedelta(days=1) if end == time(0) else day, end)
            seen = {zone.utcoffset(m.replace(fold=f)) for m in (opens, closes) for f in (0, 1)}
            if len(seen) > 1:
                return False
    return True

"""What `blueprint report` reads from a workspace: which blueprint, the window,
the filter and the grouping as the user wrote them, then one pass over the
store's history (`Store.histories`) into a `figures.Tally` — on the JSON store
(a store that is `DigestedHistories`), over the digests it keeps, split
between this process and forked copies, each counting a share of the records;
their counts merge into the same figures as one pass."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine.records import Record
from blueprint_cli.language import times
from blueprint_cli.language.durations import DurationError, parse_duration
from blueprint_cli.language.model import Blueprint
from blueprint_cli.language.suggest import did_you_mean
from blueprint_cli.parallel import fork_map, processors
from blueprint_cli.report.figures import Counts, Report, Tally, Window, as_latest, order_counts
from blueprint_cli.store import CorruptFile, DigestShare, id_order, is_record_id
from blueprint_cli.store.contract import DigestedHistories, HistoryFigures, SummarizedHistories
from blueprint_cli.workspace import Workspace

#: --by's words that are not fields
BY_WORDS = ("owner", "module")


def choose_blueprint(ws: Workspace, blueprint: str | None) -> Blueprint:
    """The blueprint a report or board is about: the one named, or the only one published."""
    if blueprint is not None:
        return ws.blueprint(blueprint)
    published = ws.published()
    if not published:
        raise BlueprintError("no blueprint is published in this workspace", hint="see `blueprint publish FILE`")
    if len(published) > 1:
        raise BlueprintError("this workspace has several blueprints: say which with --blueprint",
                             hint="published: " + ", ".join(p.id for p in published))
    return ws.blueprint(published[0].id)


def moment(text: str, *, now: datetime, zone: tzinfo | None, end: bool = False, option: str = "--since") -> datetime:
    """A window's edge as written: a time, a day (its start; with `end`, the
    start of the next day, so `--until 2026-05-31` takes in all of the 31st), or a
    calendar duration before now (`30d`)."""
    try:
        duration = parse_duration(text.strip())
    except DurationError:
        duration = None
    if duration is not None:
        if duration.delta is None:
            raise BlueprintError(f"{option} {text}: a window is measured in calendar time",
                                 hint="write e.g. 30d or 2w, or a date")
        return now - duration.delta
    try:
        value = times.parse_moment(text, zone=zone)
    except times.TimeError as exc:
        raise BlueprintError(f"{option}: {exc}", hint="a date (2026-05-01), a time, or a duration before now (30d)") from None
    if isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if end else value
    start = datetime.combine(day, time(0))
    return start.replace(tzinfo=zone) if zone is not None else start.astimezone()


def idle_duration(text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        duration = parse_duration(text.strip())
    except DurationError as exc:
        raise BlueprintError(f"--idle: {exc}", hint="e.g. --idle 14d") from None
    if duration.delta is None:
        raise BlueprintError(f"--idle {text}: idle time is calendar time", hint="e.g. --idle 14d")
    return duration.delta


def grouping(bp: Blueprint, by: str | None) -> Callable[[Record], str] | None:
    if by is None:
        return None
    if by == "owner":
        return lambda r: r.owner
    if by == "module":
        return lambda r: r.module
    if bp.field_def(by) is None:
        names = [*BY_WORDS, *(f.name for f in bp.fields)]
        raise BlueprintError(f"--by {by}: not owner, module or a field of {bp.id}",
                             hint=did_you_mean(by, names) or "choose one of: " + ", ".join(names))

    def value(r: Record) -> str:
        v = r.fields.get(by)
        return "(empty)" if v is None or v == "" or v == [] else str(v)
    return value


def filtering(ws: Workspace, bp: Blueprint, where: str | None, now: datetime) -> Callable[[Record], bool] | None:
    if where is None:
        return None
    from blueprint_cli.engine.due import where_values
    from blueprint_cli.language import criteria
    from blueprint_cli.language.where import compile_for, mentions

    criterion = compile_for(where, [bp], now=now)
    sla = mentions(criterion, ("sla", "sla_level"))
    timed: dict[Any, Any] = {}
    calendar = ws.calendar
    return lambda r: criteria.evaluate(criterion, where_values(bp, r, now, calendar, sla=sla, timed=timed))


#: Records a process counts at least before the pass is split (starting one costs
#: about as much as counting a few thousand)
SHARE_AT_LEAST = 5000
#: Processes a pass is split between at most (each holds the workspace: ~40 MiB)
MOST_PROCESSES = 8


def count(ws: Workspace, bp: Blueprint, tally: Tally, errors: list[CorruptFile], *, parts: int | None = None) -> None:
    """Count every record of `bp` into `tally`: in one pass, or in `parts`
    processes (None: one per processor, at most `MOST_PROCESSES`, when the
    store can split its pass and each would count `SHARE_AT_LEAST` records),
    each a share of the records, their counts merged. The records that do not
    fit and the files that could not be read are then put in id order,
    whatever order the store read them in."""
    first_error = len(errors)
    collecting = gc.isenabled()
    # the pass makes no cycles (records, passages and counters are freed as it goes),
    # so the collector would only walk what it keeps, about a tenth of the pass's time
    gc.disable()  # and so in the processes it forks
    try:
        try:
            _count(ws, bp, tally, errors, parts)
        except (TypeError, ValueError, LookupError, AttributeError, ArithmeticError):
            store = ws.store
            if not isinstance(store, SummarizedHistories):
                raise
            # a summary that reads as valid but is not what the store writes (written by
            # hand): it is dropped and the records are counted from their files, which
            # rebuilds it; a fault of the figures themselves is raised again from there
            store.drop_summary(bp.id)
            tally.restart()
            del errors[first_error:]
            _count(ws, bp, tally, errors, parts)
    finally:
        if collecting:
            gc.enable()
    tally.counts.misfits.sort(key=lambda m: id_order(m.id))
    errors[first_error:] = sorted(errors[first_error:], key=_file_order)


def _file_order(error: CorruptFile) -> tuple[int, tuple[int, int, str], str]:
    """A record file's error by its record's id (the file's name), any other after them."""
    name = os.path.basename(error.path)
    record_id = name[:-5] if name.endswith(".json") else ""
    if is_record_id(record_id):
        return 0, id_order(record_id), error.path
    return 1, (0, 0, ""), error.path


def _count(ws: Workspace, bp: Blueprint, tally: Tally, errors: list[CorruptFile], parts: int | None) -> None:
    store = ws.store
    if not isinstance(store, DigestedHistories):
        tally.add(store.histories(blueprint=bp.id, errors=errors))
        return
    shares = store.digested_shares(bp.id, tally.digester, parts=parts or min(processors(), MOST_PROCESSES),
                                   least=1 if parts else SHARE_AT_LEAST)
    # this process counts a share too (all of them, when there is one or it cannot fork); a
    # share a forked copy did not send back (it failed there) is counted here again, so its
    # error is raised here, as in one pass
    for counts, unreadable in fork_map(lambda k: _count_share(tally, shares[k]), len(shares), len(shares)):
        tally.counts.merge(counts)
        errors.extend(CorruptFile(path, problem) for path, problem in unreadable)


def _count_share(tally: Tally, share: DigestShare) -> tuple[Counts, list[tuple[str, str]]]:
    """A share of the records, counted apart: its counts and the files it could
    not read (path, problem: an exception's own fields do not cross processes)."""
    errors: list[CorruptFile] = []
    mine = tally.fresh()
    mine.add_digests(share(errors))
    order_counts(mine.counts)  # here, in parallel, not in the parent after the merge
    return mine.counts, [(e.path, e.problem) for e in errors]


def gather(ws: Workspace, bp: Blueprint, *, now: datetime, since: str | None = None, until: str | None = None,
           where: str | None = None, by: str | None = None, idle: str | None = None,
           errors: list[CorruptFile], parts: int | None = None) -> Report:
    zone = ws.zone
    window = Window(moment(since, now=now, zone=zone) if since is not None else None,
                    moment(until, now=now, zone=zone, end=True, option="--until") if until is not None else None)
    if window.since is not None and window.until is not None and window.until <= window.since:
        raise BlueprintError("--until is not after --since", hint="the window runs from --since up to --until")
    keep = filtering(ws, bp, where, now)
    group = grouping(bp, by)
    gap = idle_duration(idle)
    published = next(p for p in ws.published() if p.id == bp.id)  # read once: its latest and its versions
    latest = published.latest

    def version(number: int) -> Blueprint | None:
        try:
            return ws.blueprint(bp.id, number)
        except BlueprintError:
            return None

    store = ws.store
    if isinstance(store, HistoryFigures):
        from blueprint_cli.report.server import compute_in_store

        follow = as_latest(bp, latest)
        unread: list[CorruptFile] = []  # kept only if the store's figures are the report
        selection = None
        if keep is not None or group is not None:
            selection = (follow(r) for r in store.scan(blueprint=bp.id, errors=unread))
        numbers = published.version_numbers()
        found = compute_in_store(store, bp, now=now, calendar=ws.calendar, versions=version, numbers=numbers,
                                 window=window, selection=selection, keep=keep, by=group, by_name=by, idle=gap,
                                 zone=zone, version=latest, latest=follow, errors=unread)
        if found is not None:
            errors += unread
            return found
    tally = Tally(bp, now=now, calendar=ws.calendar, versions=version, window=window, keep=keep, by=group,
                  idle=gap, zone=zone, version=latest)
    count(ws, bp, tally, errors, parts=parts)
    return tally.report(by_name=by)

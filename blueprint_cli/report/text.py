"""A report in the terminal (rich tables, bars drawn with block characters) and
as CSV. Durations are worded by `wording.span` (calendar time) and
`wording.working` (working hours on the calendar), as everywhere else."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from blueprint_cli.report.figures import Report, StateFigures
from blueprint_cli.language.wording import span, working
from blueprint_cli.shown import markup as m

#: the tables `--format csv` can write (`--table`)
CSV_TABLES = ("states", "funnel", "throughput", "stuck", "misfits")


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def bar(value: float, top: float, width: int) -> str:
    """A horizontal bar, in eighths of a character."""
    if top <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[part]


def render(report: Report, width: int) -> list[Any]:
    """The report as rich renderables, top to bottom."""
    from rich.table import Table
    from rich.text import Text

    out: list[Any] = []
    window = "all history"
    if report.window.since is not None or report.window.until is not None:
        window = (f"from {report.window.since:%Y-%m-%d %H:%M}" if report.window.since else "") + \
                 (f" until {report.window.until:%Y-%m-%d %H:%M}" if report.window.until else "")
    out.append(Text.from_markup(f"[bold]{m(report.blueprint)}[/] v{report.version} · {report.records} records · "
                                f"{window.strip()} · now {report.now:%Y-%m-%d %H:%M}"))
    bar_width = max(8, min(30, width - 70))

    table = Table(title="Time in state (work: hours on the working calendar)", title_justify="left",
                  title_style="bold", show_edge=False, pad_edge=False)
    table.add_column("state", no_wrap=True)
    for name in ("now", "in", "out", "median", "p90", "max", "work med", "work p90"):
        table.add_column(name, justify="right")
    wide = width >= 110
    if wide:
        table.add_column("median", no_wrap=True)
    top = max((s.calendar.median or 0 for s in report.states), default=0)
    for s in report.states:
        label = m(s.state) + (" [dim](final)[/]" if s.final else "")
        cells: list[Any] = [label, str(s.now), str(s.entries), str(s.calendar.count), span(s.calendar.median),
                            span(s.calendar.p90), span(s.calendar.max), working(s.business.median),
                            working(s.business.p90)]
        if wide:
            cells.append(Text(bar(s.calendar.median or 0, top, bar_width), style="cyan"))
        table.add_row(*cells)
    out += [Text(""), table]

    leaving = [s for s in report.states if s.left_by]
    if leaving:
        table = Table(title="How records leave each state", title_justify="left", title_style="bold",
                      show_edge=False, pad_edge=False)
        for name, justify in (("state", "left"), ("by", "left"), ("to", "left"), ("stays", "right"),
                              ("share", "right"), ("", "left")):
            table.add_column(name, justify=justify, no_wrap=name == "state")  # type: ignore[arg-type]
        for s in leaving:
            for i, (transition, to, n, share) in enumerate(s.left_by):
                table.add_row(m(s.state) if i == 0 else "", m(transition), m(to), str(n), percent(share),
                              Text(bar(share, 1, bar_width), style="green"))
        out += [Text(""), table]

    table = Table(title=f"Funnel: {report.entered} records entered", title_justify="left", title_style="bold",
                  show_edge=False, pad_edge=False)
    for name, justify in (("state", "left"), ("reached", "right"), ("of entered", "right"),
                          ("from previous", "right"), ("dropped", "right"), ("", "left")):
        table.add_column(name, justify=justify, no_wrap=name == "state")  # type: ignore[arg-type]
    for f in report.funnel:
        table.add_row(m(f.state) + (" [dim](final)[/]" if f.final else ""), str(f.reached), percent(f.share),
                      percent(f.conversion), "–" if f.drop_off is None else str(f.drop_off),
                      Text(bar(f.reached, report.entered, bar_width), style="magenta"))
    out += [Text(""), table]

    if report.per_week:
        table = Table(title="Throughput per week", title_justify="left", title_style="bold", show_edge=False,
                      pad_edge=False)
        for name, justify in (("week of", "left"), ("moves", "right"), ("completed", "right"), ("", "left")):
            table.add_column(name, justify=justify, no_wrap=name == "state")  # type: ignore[arg-type]
        most = max(w[1] for w in report.per_week)
        for monday, moves, done in report.per_week[-26:]:
            table.add_row(f"{monday:%Y-%m-%d}", str(moves), str(done), Text(bar(moves, most, bar_width), style="blue"))
        days = len(report.per_day)
        total = sum(d[1] for d in report.per_day)
        out += [Text(""), table, Text(f"{total} move{'s' if total != 1 else ''} on {days} "
                                      f"day{'s' if days != 1 else ''} with moves" + (
            f", {total / days:.1f} a day" if days else ""), style="dim")]

    idle = f" or idle longer than {span(report.idle.total_seconds())}" if report.idle is not None else ""
    out.append(Text(""))
    if report.stuck:
        table = Table(title=f"Stuck: over their SLA{idle} ({len(report.stuck)})", title_justify="left",
                      title_style="bold", show_edge=False, pad_edge=False)
        for name in ("id", "name", "owner", "state", "in state", "idle", "why"):
            table.add_column(name, no_wrap=name in ("id", "state", "in state", "idle"))
        for st in report.stuck:
            why = ", ".join(("SLA" + (f" level {st.level}" if st.level else "")) if w == "sla" else "idle"
                            for w in st.why)
            table.add_row(m(st.id), m(st.name or ""), m(st.owner), m(st.state), span(st.age_seconds),
                          span(st.idle_seconds), Text(why, style="red"))
        out.append(table)
    else:
        out.append(Text(f"No record is over its SLA{idle}.", style="green"))

    if report.misfits:
        out.append(Text(""))
        out.append(Text(f"History that does not fit its blueprint version: {report.misfit_records} records left "
                        "out of the figures", style="bold yellow"))
        for misfit in report.misfits[:20]:
            out.append(Text(f"  record {misfit.id} at {misfit.at}: {misfit.problem}", style="yellow"))
        if len(report.misfits) > 20:
            out.append(Text(f"  … and {len(report.misfits) - 20} more (--json lists them all)", style="yellow"))

    if report.by is not None and report.groups:
        table = Table(title=f"Median time in state by {report.by}", title_justify="left", title_style="bold",
                      show_edge=False, pad_edge=False)
        table.add_column(report.by)
        table.add_column("records", justify="right")
        shown = [s.state for s in report.states if not s.final]
        for state in shown:
            table.add_column(m(state), justify="right")
        for g in report.groups:
            by_state = {s.state: s for s in g.states}
            table.add_row(m(g.key), str(g.records),
                          *(_cell(by_state.get(state)) for state in shown))
        out += [Text(""), table]
    return out


def _cell(s: StateFigures | None) -> str:
    if s is None or not s.calendar.count:
        return "–"
    return f"{span(s.calendar.median)} ({s.calendar.count})"


def to_csv(report: Report, table: str) -> str:
    """One table of the report as CSV (durations in seconds, shares from 0 to 1)."""
    buffer = io.StringIO()
    w = csv.writer(buffer, lineterminator="\n")
    rows: Sequence[Sequence[Any]]
    if table == "states":
        w.writerow(["state", "final", "now", "entered", "left", "median_seconds", "p90_seconds", "max_seconds",
                    "median_working_seconds", "p90_working_seconds", "max_working_seconds"])
        rows = [[s.state, s.final, s.now, s.entries, s.calendar.count, _n(s.calendar.median), _n(s.calendar.p90),
                 _n(s.calendar.max), _n(s.business.median), _n(s.business.p90), _n(s.business.max)]
                for s in report.states]
    elif table == "funnel":
        w.writerow(["state", "final", "reached", "share", "conversion", "drop_off"])
        rows = [[f.state, f.final, f.reached, _n(f.share), _n(f.conversion), "" if f.drop_off is None else f.drop_off]
                for f in report.funnel]
    elif table == "throughput":
        w.writerow(["day", "moves", "completions"])
        rows = [[d.isoformat(), moves, done] for d, moves, done in report.per_day]
    elif table == "stuck":
        w.writerow(["id", "name", "owner", "state", "since", "age_seconds", "idle_seconds", "why", "sla_level"])
        rows = [[s.id, s.name or "", s.owner, s.state, s.since, _n(s.age_seconds), _n(s.idle_seconds),
                 " ".join(s.why), "" if s.level is None else s.level] for s in report.stuck]
    else:
        w.writerow(["id", "at", "version", "problem"])
        rows = [[f.id, f.at, "" if f.version is None else f.version, f.problem] for f in report.misfits]
    for row in rows:
        w.writerow([_safe(v) for v in row])
    return buffer.getvalue()


def _n(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}".rstrip("0")


def _safe(value: Any) -> Any:
    """A cell a spreadsheet shows as text, never runs (user text such as `=1+1`)."""
    from blueprint_cli.workspace.dataio import neutralise

    return neutralise(value) if isinstance(value, str) else value

"""A report as charts a manager would rather look at: the funnel and time in
state, as PNG, SVG, or one self-contained HTML page (the charts inline as SVG,
the figures as tables; no script, no network).

Drawn with matplotlib (the `report` extra): mature, kept up, renders the same
PNG and SVG headless with no browser or server, and is imported only here —
`require` is the first thing the command calls for a chart format, and no
other command imports this module (tests/test_startup.py)."""

from __future__ import annotations

import html
import importlib.util
import io
from typing import Any

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.report.figures import Report
from blueprint_cli.language.wording import span, working
from blueprint_cli.report.text import percent

INSTALL_HINT = "pip install 'crm-blueprint[report]' (from a clone: pip install -e '.[report]')"
_BLUE, _LIGHT, _GREEN, _GREY, _ORANGE = "#3b6ea8", "#a9c4e2", "#4c9a5b", "#9aa3ad", "#d9822b"


def require(fmt: str) -> None:
    """Refuse a chart format, before any work, when matplotlib is not installed."""
    if importlib.util.find_spec("matplotlib") is None:
        raise BlueprintError(f"--format {fmt} draws charts with matplotlib, which is not installed",
                             hint=INSTALL_HINT + "; --format text, json and csv need nothing more")


def render(report: Report, fmt: str) -> bytes:
    if fmt == "html":
        return page(report).encode("utf-8")
    figure = _figure(report)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=110, metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: str) -> dict[str, Any]:
    # no date or version in the file: the same report gives the same bytes
    return {"Date": None} if fmt == "svg" else {"Software": None}


def _figure(report: Report, part: str = "both") -> Any:
    import matplotlib

    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: searchable, and readable back
    matplotlib.rcParams["svg.hashsalt"] = "blueprint"
    from matplotlib.figure import Figure

    steps = [f for f in report.funnel]
    states = [s for s in report.states if not s.final]
    if part == "funnel":
        figure = Figure(figsize=(9, 0.5 * len(steps) + 1.4), layout="constrained")
        _funnel(figure.add_subplot(1, 1, 1), report)
        return figure
    if part == "time":
        figure = Figure(figsize=(11, 0.55 * len(states) + 1.6), layout="constrained")
        left, right = figure.subplots(1, 2, sharey=True)
        _time(left, right, report)
        return figure
    figure = Figure(figsize=(11, 0.5 * len(steps) + 0.55 * len(states) + 3.4), layout="constrained")
    grid = figure.add_gridspec(2, 2, height_ratios=[len(steps) + 1, len(states) + 1])
    _funnel(figure.add_subplot(grid[0, :]), report)
    left = figure.add_subplot(grid[1, 0])
    right = figure.add_subplot(grid[1, 1], sharey=left)
    _time(left, right, report)
    figure.suptitle(f"{report.blueprint} v{report.version} · {report.records} records · {_window(report)}",
                    fontsize=12, fontweight="bold")
    return figure


def _window(report: Report) -> str:
    w = report.window
    if w.since is None and w.until is None:
        return f"all history to {report.now:%Y-%m-%d}"
    return " ".join(part for part in (f"from {w.since:%Y-%m-%d}" if w.since else "",
                                      f"until {w.until:%Y-%m-%d %H:%M}" if w.until else "") if part)


def _funnel(ax: Any, report: Report) -> None:
    steps = list(report.funnel)
    names = [f.state for f in steps]
    values = [f.reached for f in steps]
    colors = [_GREEN if f.final else _BLUE for f in steps]
    positions = list(range(len(steps)))[::-1]
    ax.barh(positions, values, color=colors, height=0.7)
    top = max([report.entered, *values, 1])
    for y, f in zip(positions, steps):
        label = f"{f.reached}  ({percent(f.share)} of entered)"
        if f.conversion is not None:
            label += f"  · {percent(f.conversion)} from the previous state"
        ax.text(f.reached + top * 0.01, y, label, va="center", fontsize=9)
    ax.set_yticks(positions, names)
    ax.set_xlim(0, top * 1.6)
    ax.set_title(f"Funnel: of {report.entered} records that entered, how many reached each state",
                 loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlabel("records")


def _time(calendar_ax: Any, working_ax: Any, report: Report) -> None:
    states = [s for s in report.states if not s.final]
    positions = list(range(len(states)))[::-1]
    days = [(s.calendar.median or 0) / 86400 for s in states]
    p90s = [(s.calendar.p90 or 0) / 86400 for s in states]
    calendar_ax.barh(positions, p90s, color=_LIGHT, height=0.7)
    calendar_ax.barh(positions, days, color=_BLUE, height=0.45)
    top = max([*p90s, 1 / 24])  # at least an hour wide: stays of seconds are not drawn on a scale of 1e-5
    for y, s, d, p in zip(positions, states, days, p90s):
        if s.calendar.count:
            calendar_ax.text(p + top * 0.02, y, f"{span(s.calendar.median)} · p90 {span(s.calendar.p90)}"
                             f" · {s.calendar.count} stay{'s' if s.calendar.count != 1 else ''}", va="center", fontsize=8)
        else:
            calendar_ax.text(top * 0.02, y, "no stay ended", va="center", fontsize=8, color=_GREY)
    calendar_ax.set_yticks(positions, [s.state for s in states])
    calendar_ax.set_xlim(0, top * 1.9)
    calendar_ax.set_xlabel("days")
    calendar_ax.set_title("Time in state, calendar: median (dark), 90th percentile (light)", loc="left",
                          fontsize=10)
    hours = [(s.business.median or 0) / 3600 for s in states]
    p90h = [(s.business.p90 or 0) / 3600 for s in states]
    working_ax.barh(positions, p90h, color="#f3c89b", height=0.7)
    working_ax.barh(positions, hours, color=_ORANGE, height=0.45)
    top_h = max([*p90h, 1.0])
    for y, s, p in zip(positions, states, p90h):
        if s.business.count:
            working_ax.text(p + top_h * 0.02, y, f"{working(s.business.median)} · p90 {working(s.business.p90)}",
                            va="center", fontsize=8)
    working_ax.set_xlim(0, top_h * 1.7)
    working_ax.set_xlabel("working hours")
    working_ax.set_title("Working hours on the calendar: median, 90th percentile", loc="left", fontsize=10)
    working_ax.tick_params(labelleft=False)
    for ax in (calendar_ax, working_ax):
        ax.spines[["top", "right"]].set_visible(False)


def _svg(report: Report, part: str) -> str:
    buffer = io.BytesIO()
    _figure(report, part).savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue().decode("utf-8")
    return text[text.index("<svg"):]  # inline: without the XML declaration and doctype


def page(report: Report) -> str:
    """One HTML file holding everything: the charts as inline SVG, the figures
    as tables (each number also in a `data-value`, for programs reading it)."""
    e = html.escape
    rows = []
    for s in report.states:
        rows.append("<tr>" + "".join([
            f"<th scope=row>{e(s.state)}{' <small>(final)</small>' if s.final else ''}</th>",
            _cell(s.now), _cell(s.entries), _cell(s.calendar.count),
            _cell(s.calendar.median, span(s.calendar.median)), _cell(s.calendar.p90, span(s.calendar.p90)),
            _cell(s.calendar.max, span(s.calendar.max)),
            _cell(s.business.median, working(s.business.median)), _cell(s.business.p90, working(s.business.p90)),
        ]) + "</tr>")
    funnel = []
    for f in report.funnel:
        funnel.append("<tr>" + "".join([
            f"<th scope=row>{e(f.state)}{' <small>(final)</small>' if f.final else ''}</th>",
            _cell(f.reached), _cell(f.share, percent(f.share)), _cell(f.conversion, percent(f.conversion)),
            _cell(f.drop_off, "–" if f.drop_off is None else str(f.drop_off))]) + "</tr>")
    weeks = "".join(f"<tr><th scope=row>{d.isoformat()}</th>{_cell(m)}{_cell(c)}</tr>"
                    for d, m, c in report.per_week)
    stuck = "".join("<tr>" + "".join([
        f"<td>{e(s.id)}</td><td>{e(s.name or '')}</td><td>{e(s.owner)}</td><td>{e(s.state)}</td>",
        _cell(s.age_seconds, span(s.age_seconds)), _cell(s.idle_seconds, span(s.idle_seconds)),
        f"<td>{e(', '.join(s.why))}</td>"]) + "</tr>" for s in report.stuck)
    misfits = "".join(f"<li>record {e(m.id)} at {e(m.at)}: {e(m.problem)}</li>" for m in report.misfits)
    title = f"{report.blueprint} v{report.version}: how the process runs"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1d2733; }}
table {{ border-collapse: collapse; margin: .5rem 0 1.5rem; }}
th, td {{ padding: .25rem .7rem; border-bottom: 1px solid #dde3ea; text-align: right; }}
th[scope=row], thead th:first-child, td:not([data-value]) {{ text-align: left; }}
thead th {{ background: #f1f4f8; }}
svg {{ max-width: 100%; height: auto; }}
.meta {{ color: #5b6775; }}
</style></head>
<body>
<h1>{e(title)}</h1>
<p class="meta" id="summary" data-records="{report.records}" data-entered="{report.entered}">{report.records} records ·
{e(_window(report))} · report made {report.now:%Y-%m-%d %H:%M}</p>
<h2>Funnel</h2>
<figure id="funnel-chart">{_svg(report, "funnel")}</figure>
<table id="funnel"><thead><tr><th>state</th><th>reached</th><th>of entered</th><th>from previous</th>
<th>dropped</th></tr></thead><tbody>
{''.join(funnel)}
</tbody></table>
<h2>Time in state</h2>
<figure id="time-chart">{_svg(report, "time")}</figure>
<table id="states"><thead><tr><th>state</th><th>now</th><th>entered</th><th>left</th><th>median</th><th>p90</th>
<th>max</th><th>working median</th><th>working p90</th></tr></thead><tbody>
{''.join(rows)}
</tbody></table>
<h2>Throughput per week</h2>
<table id="throughput"><thead><tr><th>week of</th><th>moves</th><th>completed</th></tr></thead><tbody>
{weeks}
</tbody></table>
<h2>Stuck records</h2>
<table id="stuck"><thead><tr><th>id</th><th>name</th><th>owner</th><th>state</th><th>in state</th><th>idle</th>
<th>why</th></tr></thead><tbody>
{stuck}
</tbody></table>
{f'<h2>History that does not fit its blueprint version</h2><ul id="misfits">{misfits}</ul>' if misfits else ''}
</body></html>
"""


def _cell(value: float | int | None, shown: str | None = None) -> str:
    number = "" if value is None else (str(int(value)) if float(value).is_integer() else repr(float(value)))
    text = shown if shown is not None else ("–" if value is None else number)
    return f'<td data-value="{number}">{html.escape(text)}</td>'

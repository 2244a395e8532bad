"""`blueprint report`: how the process really runs, from the store's history."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from blueprint_cli.cli.context import options

if TYPE_CHECKING:
    from blueprint_cli.report.figures import Report

FORMATS = ("text", "json", "csv", "png", "svg", "html")


def report(
    ctx: typer.Context,
    blueprint: Optional[str] = typer.Option(None, "--blueprint", help="The blueprint (default: the only one published)."),
    since: Optional[str] = typer.Option(None, "--since", metavar="WHEN",
                                        help="From this day or time, or this long ago (30d)."),
    until: Optional[str] = typer.Option(None, "--until", metavar="WHEN",
                                        help="Up to this day (included) or time."),
    where: Optional[str] = typer.Option(None, "--where", metavar="EXPR",
                                        help='Only records that match, e.g. "owner = alice and amount >= 1000".'),
    by: Optional[str] = typer.Option(None, "--by", metavar="owner|module|FIELD",
                                     help="Also break time in state down by owner, module or a field."),
    idle: Optional[str] = typer.Option(None, "--idle", metavar="DURATION",
                                       help="Count as stuck a record with no change for longer than this (14d)."),
    fmt: str = typer.Option("text", "--format", "-f", metavar="FORMAT",
                            help="text, json, csv, or a chart: png, svg, html (one self-contained page)."),
    now: Optional[str] = typer.Option(None, "--now", metavar="ISO",
                                      help="Report as if it were this time (ISO 8601; default: now)."),
    table: str = typer.Option("states", "--table", metavar="TABLE",
                              help="With --format csv: states, funnel, throughput, stuck or misfits."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Write to FILE (png, svg and html need it unless piped)."),
) -> None:
    """Time in state, funnel, throughput and stuck records, from the history.

    Exit 1 when some record could not be read (the report covers the others)."""
    import sys

    from blueprint_cli.cli.record_view import open_workspace, report_unreadable
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.report.gather import choose_blueprint, gather
    from blueprint_cli.report.text import CSV_TABLES
    from blueprint_cli.store import CorruptFile
    from blueprint_cli.workspace.tick import parse_now

    opts = options(ctx)
    fmt = "json" if opts.json and fmt == "text" else fmt
    if fmt not in FORMATS:
        raise BlueprintError(f"--format {fmt}: not one of {', '.join(FORMATS)}")
    if table not in CSV_TABLES:
        raise BlueprintError(f"--table {table}: not one of {', '.join(CSV_TABLES)}")
    if fmt in ("png", "svg", "html"):
        from blueprint_cli.report.charts import require

        require(fmt)
        if output is None and sys.stdout.isatty():
            raise BlueprintError(f"--format {fmt} writes a file: give -o FILE", hint=f"e.g. -o report.{fmt}")
    ws = open_workspace(ctx)
    bp = choose_blueprint(ws, blueprint)
    errors: list[CorruptFile] = []
    result = gather(ws, bp, now=parse_now(now, ws.zone), since=since, until=until, where=where, by=by, idle=idle, errors=errors)
    if fmt == "text" and output is None:
        from blueprint_cli.cli.record_view import term
        from blueprint_cli.report.text import render

        console = term(ctx)
        for part in render(result, console.width):
            console.print(part)
    else:
        data = _encoded(result, fmt, table)
        if output is not None:
            from blueprint_cli.cli.output import write_output

            write_output(output, data)
        elif fmt == "png":
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data.decode("utf-8"))
    if errors:
        report_unreadable([e.message for e in errors])
        raise typer.Exit(1)


def _encoded(result: Report, fmt: str, table: str) -> bytes:
    if fmt == "json":
        import json

        return (json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n").encode()
    if fmt == "csv":
        from blueprint_cli.report.text import to_csv

        return to_csv(result, table).encode()
    if fmt == "text":
        import io

        from rich.console import Console

        from blueprint_cli.report.text import render

        buffer = io.StringIO()
        console = Console(file=buffer, no_color=True, width=120, soft_wrap=True, highlight=False)
        for part in render(result, console.width):
            console.print(part)
        return buffer.getvalue().encode()
    from blueprint_cli.report import charts

    return charts.render(result, fmt)


def register(app: typer.Typer) -> None:
    app.command("report")(report)

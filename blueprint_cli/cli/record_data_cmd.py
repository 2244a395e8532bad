"""`blueprint record tag|import|export`: tags, and records in and out of files.
Registered on the `record` command group of `record_cmd`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from blueprint_cli.shown import markup as m, visible
from blueprint_cli.cli.context import options, print_json

#: Problems listed in an import report before it only counts the rest.
SHOWN = 50


def tag(
    ctx: typer.Context,
    record_id: str = typer.Argument(..., metavar="ID"),
    add: Optional[List[str]] = typer.Argument(None, metavar="TAG...", help="Tags to add."),
    remove: Optional[List[str]] = typer.Option(None, "--remove", "-r", metavar="TAG", help="A tag to remove (repeatable)."),
) -> None:
    """Add tags to a record (and remove others with --remove); recorded in its history."""
    from blueprint_cli.cli.record_view import acting, open_workspace, term, title
    from blueprint_cli.diagnostics import BlueprintError

    if not add and not remove:
        raise BlueprintError("name tags to add, or --remove TAG", hint="e.g. blueprint record tag 7 vip --remove stale")
    ws = open_workspace(ctx)
    from blueprint_cli.workspace import changes

    record, entry = changes.tag(ws, record_id, list(add or ()), list(remove or ()), user=acting(ctx, ws))
    if options(ctx).json:
        print_json(record.to_dict())
        return
    shown = ", ".join(m(t) for t in record.tags) or "none"
    term(ctx).print(f"{'[green]✓[/] ' if entry else ''}{m(title(record))}: tags {shown}"
                    + ("" if entry else " (nothing changed)"))


def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="A .csv (header row of column names) or .json (a list of objects)."),
    module: Optional[str] = typer.Option(None, "--module", help="The module of rows without a `module` column."),
    blueprint: Optional[str] = typer.Option(None, "--blueprint", help="Enter this blueprint (default: as record create)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="csv or json (default: from the file name)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate every row, create nothing."),
    formulas: bool = typer.Option(False, "--formulas", help="CSV: take cells as they are (by default a ' that "
                                  "export put before = + - @ is dropped again)."),
) -> None:
    """Create records from a file: every row is validated first, and if any has a
    problem nothing is imported (exit 1, every problem listed with its row, line and field)."""
    import sys

    from blueprint_cli.cli.record_view import acting, open_workspace, term
    from blueprint_cli.workspace.dataio import import_records
    from blueprint_cli.workspace import now

    opts = options(ctx)
    ws = open_workspace(ctx)
    result = import_records(ws, file, user=acting(ctx, ws), now=now(), module=module,
                            blueprint=blueprint, fmt=fmt, dry_run=dry_run, formulas=formulas)
    if opts.json:
        print_json(result.to_dict())
    else:
        out = term(ctx)
        if result.errors:
            rows = len({e.row for e in result.errors})
            sys.stderr.write(f"{visible(file)}: {rows} of {result.rows} rows have problems; nothing was imported:\n")
            for e in result.errors[:SHOWN]:
                sys.stderr.write(f"  {visible(e.describe())}\n")
            if len(result.errors) > SHOWN:
                sys.stderr.write(f"  … and {len(result.errors) - SHOWN} more (all of them: --json)\n")
        elif not result.rows:
            out.print(f"{m(file)}: no rows, nothing to import")
        else:
            verb = "would import" if dry_run else "imported"
            states: dict[str, int] = {}
            for r in result.created:
                key = f"{r.blueprint} · {r.state}" if r.blueprint else "not governed"
                states[key] = states.get(key, 0) + 1
            out.print(f"[green]✓[/] {m(file)}: {verb} {len(result.created)} record"
                      f"{'s' if len(result.created) != 1 else ''}"
                      + ("" if dry_run or not result.created else
                         f" (ids {result.created[0].id}–{result.created[-1].id})"))
            for key, n in states.items():
                out.print(f"    {n} in {m(key)}")
        if result.ignored:
            sys.stderr.write(f"note: columns {visible(', '.join(result.ignored))} were ignored: "
                             "an import starts records afresh (a `state` column says where they start)\n")
    if result.errors:
        raise typer.Exit(1)


def export(
    ctx: typer.Context,
    fmt: Optional[str] = typer.Option(None, "--format", help="csv or json (default: from -o's name, else csv)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write here (default: stdout)."),
    state: Optional[str] = typer.Option(None, "--state", help="Only records in this state."),
    blueprint: Optional[str] = typer.Option(None, "--blueprint", help="Only records of this blueprint."),
    module: Optional[str] = typer.Option(None, "--module", help="Only records of this module."),
    where: Optional[str] = typer.Option(None, "--where", metavar="EXPR", help="Only matching records (as record list)."),
    formulas: bool = typer.Option(False, "--formulas", help="CSV: write cells as they are; by default a cell "
                                  "starting with = + - @ tab or CR gets a leading ' so spreadsheets do not run it."),
) -> None:
    """Write records to CSV or JSON (the JSON is the `record list --json` shape).

    CSV cells that a spreadsheet would run as a formula are written with a leading '
    (OWASP's rule against CSV injection); `record import` drops it again. --formulas turns this off."""
    import sys

    from blueprint_cli.cli.record_view import open_workspace, report_unreadable
    from blueprint_cli.store import CorruptFile
    from blueprint_cli.workspace.dataio import FORMATS, export as write
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.cli.output import write_output
    from blueprint_cli.language.where import compile_for
    from blueprint_cli.workspace.clock import now

    chosen = (fmt or (output.suffix.lstrip(".") if output is not None and output.suffix else "csv")).lower()
    if chosen not in FORMATS:
        raise BlueprintError(f"--format {chosen!r}: write csv or json")
    ws = open_workspace(ctx)
    criterion = compile_for(where, ws.candidates(), now=now()) if where is not None else None
    errors: list[CorruptFile] = []
    records = ws.records(blueprint=blueprint, state=state, module=module, where=criterion, errors=errors)
    # the columns: the fields the selected blueprints declare, whatever the records hold
    declaring = [b for b in ws.candidates(module) if blueprint is None or b.id == blueprint]
    if output is None:
        write(records, chosen, sys.stdout, declaring, formulas=formulas)
    else:
        import io

        buf = io.StringIO()
        n = write(records, chosen, buf, declaring, formulas=formulas)
        write_output(output, buf.getvalue().encode("utf-8"))
        sys.stderr.write(f"wrote {n} record{'s' if n != 1 else ''} to {output}\n")
    if errors:
        report_unreadable([e.message for e in errors])
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    from blueprint_cli.cli.record_cmd import record_app

    record_app.command("tag")(tag)
    record_app.command("import")(import_)
    record_app.command("export")(export)

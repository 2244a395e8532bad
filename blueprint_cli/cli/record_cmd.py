"""`blueprint record create|list|show|set`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, List, Optional

import typer

from blueprint_cli.shown import markup as m
from blueprint_cli.cli.context import options, print_json

record_app = typer.Typer(help="Create, list, show and edit records.", no_args_is_help=True)


@record_app.command("create")
def create(
    ctx: typer.Context,
    module: str = typer.Argument(..., help="The kind of record, e.g. Deals."),
    set_: Optional[List[str]] = typer.Option(None, "--set", metavar="NAME=VALUE", help="A field value (repeatable)."),
    owner: Optional[str] = typer.Option(None, "--owner", help="The record owner (default: you)."),
    blueprint: Optional[str] = typer.Option(None, "--blueprint", help="Enter this blueprint (default: the first that matches)."),
    state: Optional[str] = typer.Option(None, "--state", help="Start at this state instead of the entry state "
                                        "(entering mid-process; by default for the admin profile only)."),
) -> None:
    """Create a record; it enters the first published blueprint whose module and entry criteria match."""
    from blueprint_cli.cli.record_view import acting, open_workspace, parse_assignments, term, title

    ws = open_workspace(ctx)
    opts = options(ctx)
    from blueprint_cli.workspace import changes

    created = changes.create(ws, module, parse_assignments(set_ or ()), user=acting(ctx, ws), owner=owner,
                        blueprint=blueprint, state=state)
    r = created.record
    if opts.json:
        print_json(r.to_dict())
        return
    out = term(ctx)
    if r.blueprint:
        out.print(f"[green]✓[/] Created [bold]{m(title(r))}[/] in {r.blueprint} v{r.version} · "
                  f"[bold cyan]{m(r.state)}[/] (owner {m(r.owner)})")
        out.print(f"  next: blueprint next {r.id}", style="dim")
    else:
        out.print(f"[green]✓[/] Created [bold]{m(title(r))}[/] (owner {m(r.owner)}) — [yellow]not governed by any blueprint[/]")
        for why in created.not_governed:
            out.print(f"  {m(why)}", style="dim")


@record_app.command("list")
def list_(
    ctx: typer.Context,
    state: Optional[str] = typer.Option(None, "--state", help="Only records in this state."),
    blueprint: Optional[str] = typer.Option(None, "--blueprint", help="Only records of this blueprint."),
    module: Optional[str] = typer.Option(None, "--module", help="Only records of this module."),
    where: Optional[str] = typer.Option(None, "--where", metavar="EXPR",
                                        help='Filter, e.g. "amount >= 1000 and (owner = alice or tags contains vip)".'),
    sort: Optional[str] = typer.Option(None, "--sort", metavar="FIELD",
                                       help="Order by a field or column (default id); -FIELD for descending "
                                            "(--sort -id: newest first)."),
    limit: Optional[int] = typer.Option(None, "--limit", metavar="N", min=0,
                                        help="At most N records (0: all; on a terminal a long list is cut to fit)."),
    columns: Optional[str] = typer.Option(None, "--columns", metavar="A,B,C",
                                          help="The columns of the table, e.g. id,name,amount,state (text output)."),
) -> None:
    """List records (id order, or --sort)."""
    import shutil
    import sys

    from blueprint_cli.cli.record_lines import (column_name, list_lines, open_workspace, print_lines,
                                                report_unreadable, sort_records)
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.store import CorruptFile
    from blueprint_cli.language.where import compile_for
    from blueprint_cli.workspace.clock import now

    ws = open_workspace(ctx)
    criterion = compile_for(where, ws.candidates(), now=now()) if where is not None else None
    known = {f.name for b in ws.candidates() for f in b.fields}
    shown = [column_name(c, known) for c in columns.split(",") if c.strip()] if columns is not None else None
    if shown == []:
        raise BlueprintError("--columns names no column", hint="for example --columns id,name,amount,state")
    errors: list[CorruptFile] = []
    by_id = sort is None or column_name(sort.lstrip("-"), known) == "id"
    if limit and state is not None and criterion is None and module is None and by_id:
        # a first page of one state: read from the index, only the records shown
        records, total = ws.first_in_state(state, blueprint=blueprint, limit=limit,
                                           newest=sort is not None and sort.startswith("-"), errors=errors)
    else:
        records = ws.records(blueprint=blueprint, state=state, module=module, where=criterion, errors=errors)
        if sort is not None:
            descending = sort.startswith("-")
            records = sort_records(records, column_name(sort.lstrip("-"), known), descending=descending)
        total = len(records)
    cut_to_fit = False
    if limit:
        records = records[:limit]
    elif limit is None and not options(ctx).json and sys.stdout.isatty():
        # a terminal shows a screenful; a pipe or a file gets every record
        room = max(shutil.get_terminal_size().lines - 3, 5)
        cut_to_fit = total > room
        records = records[:room] if cut_to_fit else records
    if options(ctx).json:
        _print_json_list(r.to_dict() for r in records)
    elif records:
        print_lines(list_lines(records, shown))
    else:
        sys.stderr.write("no records match\n")
    if len(records) < total:
        more = total - len(records)
        how = ("--limit 0 shows them all, --limit N that many; piped output is never cut" if cut_to_fit
               else "a larger --limit shows more")
        sys.stderr.write(f"… and {more} more record{'s' if more != 1 else ''} ({total} in all): {how}\n")
    if errors:
        report_unreadable([e.message for e in errors])
        raise typer.Exit(1)


def _print_json_list(items: Iterable[dict[str, Any]]) -> None:
    """A JSON list with one record per line: still readable, and written as it
    goes by the C encoder (an indented dump of 100,000 records takes seconds)."""
    import json
    import sys

    write = sys.stdout.write
    first = True
    for item in items:
        write(("[\n  " if first else ",\n  ") + json.dumps(item, ensure_ascii=False, default=str))
        first = False
    write("[]\n" if first else "\n]\n")


@record_app.command("show")
def show(ctx: typer.Context, record_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Fields, state, pending parallel parts and open tasks of a record."""
    from blueprint_cli.cli.record_view import open_workspace, record_view, term

    bp, record, stored = open_workspace(ctx).get(record_id)
    if options(ctx).json:
        print_json(record.to_dict())
        return
    # the history is read only when the record says something was not delivered
    undelivered = [(e, a) for e in stored.history for a in e.actions if a.retryable] if record.undelivered else []
    term(ctx).print(record_view(record, bp, undelivered))


@record_app.command("set")
def set_(
    ctx: typer.Context,
    record_id: str = typer.Argument(..., metavar="ID"),
    assignments: List[str] = typer.Argument(..., metavar="NAME=VALUE..."),
) -> None:
    """Edit fields outside a transition (the state field is refused: it moves only through transitions)."""
    from blueprint_cli.cli.record_view import acting, entry_details, open_workspace, parse_assignments, term, title

    ws = open_workspace(ctx)
    from blueprint_cli.workspace import changes

    record, entries = changes.set_fields(ws, record_id, parse_assignments(assignments, "set"), user=acting(ctx, ws))
    if options(ctx).json:
        print_json(record.to_dict())
        return
    out = term(ctx)
    if not entries:
        out.print(f"{m(title(record))}: nothing changed")
        return
    for entry in entries:
        if entry.kind == "edit":
            out.print(f"[green]✓[/] Updated [bold]{m(title(record))}[/]")
            for line in entry_details(entry):
                out.print("    ", line)
        else:
            out.print(f"[green]✓[/] {m(title(record))} entered {record.blueprint} · [bold cyan]{m(record.state)}[/]")


@record_app.command("done")
def done(
    ctx: typer.Context,
    record_id: str = typer.Argument(..., metavar="ID"),
    task: str = typer.Argument(..., metavar="TASK", help="The task number, as `record show` lists it (e.g. 1 or #1)."),
) -> None:
    """Mark one of the record's open tasks done."""
    from blueprint_cli.cli.record_view import acting, open_workspace, term, title
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.shown import quoted

    number = task.lstrip("#")
    # ASCII digits only (str.isdigit also takes '²', which int refuses), and no more than a task can number
    if not (number.isascii() and number.isdigit() and len(number) <= 18):
        raise BlueprintError(f"{quoted(task)} is not a task number", hint="`blueprint record show ID` lists them, e.g. #1")
    ws = open_workspace(ctx)
    from blueprint_cli.workspace import changes

    record, entry = changes.complete_task(ws, record_id, int(number), user=acting(ctx, ws))
    if options(ctx).json:
        print_json(record.to_dict())
        return
    term(ctx).print(f"[green]✓[/] {m(title(record))}: task #{number} done — {m(entry.note)}")


def register(app: typer.Typer) -> None:
    app.add_typer(record_app, name="record")

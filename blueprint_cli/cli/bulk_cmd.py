"""`blueprint bulk TRANSITION --where EXPR`: one transition on many records."""

from __future__ import annotations

from typing import List, Optional

import typer

from blueprint_cli.shown import markup as m
from blueprint_cli.cli.context import options, print_json

#: Refused records listed one by one in the summary before it only counts them.
SHOWN = 20


def bulk(
    ctx: typer.Context,
    transition: str = typer.Argument(..., help="The transition (or part of a parallel transition) to perform."),
    where: str = typer.Option(..., "--where", metavar="EXPR",
                              help='Which records, e.g. "amount >= 1000 and owner = alice" (as `record list --where`).'),
    set_: Optional[List[str]] = typer.Option(None, "--set", metavar="NAME=VALUE", help="A field value (repeatable)."),
    check: Optional[List[str]] = typer.Option(None, "--check", metavar="ITEM", help="Tick a checklist item (repeatable)."),
    note: Optional[str] = typer.Option(None, "--note", help="A note for each record's history."),
    blueprint: Optional[str] = typer.Option(None, "--blueprint", help="Only records of this blueprint."),
    yes: bool = typer.Option(False, "--yes", "-y",
                             help="Accept the default of each required field still at its default."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be done and refused; change nothing."),
    batch_size: int = typer.Option(500, "--batch-size", min=1, max=5000, metavar="N",
                                   help="Records locked, moved and written together."),
) -> None:
    """Perform one transition on every matching record you may move; a summary of done and refused.

    Only records in a state the transition leaves from are considered. Each is
    checked like `blueprint move` (owners, criteria, requirements) and never
    prompted: a required field still at its default is refused unless
    --set gives it or --yes accepts the defaults. Exit 0 when every matching record was moved (or none matched), 1
    when any was refused (also with --dry-run), 2 for a usage error."""
    import sys

    from blueprint_cli.workspace.bulk import run
    from blueprint_cli.cli.record_view import acting, open_workspace, parse_assignments
    from blueprint_cli.engine import Inputs
    from blueprint_cli.language.where import compile_for
    from blueprint_cli.workspace import now

    opts = options(ctx)
    ws = open_workspace(ctx)
    criterion = compile_for(where, ws.candidates(), now=now())
    user = acting(ctx, ws)
    inputs = Inputs(fields=parse_assignments(set_ or ()), checklist=tuple(check or ()), note=note,
                    confirm_defaults=yes)
    show_progress = not opts.json and sys.stderr.isatty()
    progress = None
    if show_progress:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from blueprint_cli.cli.context import console

        progress = Progress(TextColumn(f"{transition}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=console(ctx, stderr=True), transient=True)
    if progress is not None:
        with progress:
            task = progress.add_task("bulk", total=None)
            result = run(ws, transition, criterion, inputs, user=user, now=now(), where_text=where,
                         blueprint=blueprint, dry_run=dry_run, chunk=batch_size,
                         total=lambda n: progress.update(task, total=n),
                         advance=lambda k: progress.advance(task, k))
    else:
        result = run(ws, transition, criterion, inputs, user=user, now=now(), where_text=where,
                     blueprint=blueprint, dry_run=dry_run, chunk=batch_size)
    if opts.json:
        print_json(result.to_dict())
    else:
        _summary(ctx, result)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def _summary(ctx: typer.Context, result: object) -> None:
    from rich.table import Table

    from blueprint_cli.workspace.bulk import BulkResult
    from blueprint_cli.cli.record_view import report_unreadable, term

    assert isinstance(result, BulkResult)
    out = term(ctx)
    if not out.is_terminal:
        out.width = 400  # piped: whole lines (grep-able), the table only as wide as its content
    verb = "would be" if result.dry_run else ""
    if not result.matched:
        out.print(f"No record in a state {m(repr(result.transition))} leaves from matches {m(repr(result.where))}: nothing to do.")
        report_unreadable(result.errors)
        return
    table = Table(title=f"{'Dry run: ' if result.dry_run else ''}{m(result.transition)} on {result.matched} "
                        f"matching record{'s' if result.matched != 1 else ''}", title_justify="left")
    table.add_column("outcome")
    table.add_column("records", justify="right")
    table.add_column("why")
    table.add_column("ids")
    moved = [d for d in result.done if not d.waiting]
    parts = [d for d in result.done if d.waiting]
    if moved:
        targets: dict[str, int] = {}
        for d in moved:
            targets[d.to_state or ""] = targets.get(d.to_state or "", 0) + 1
        where_to = ", ".join(f"→ {m(k)} ({v})" if len(targets) > 1 else f"→ {m(k)}" for k, v in targets.items())
        table.add_row(f"[green]{verb + ' ' if verb else ''}done[/]", str(len(moved)), where_to)
    if parts:
        table.add_row(f"[green]{verb + ' ' if verb else ''}part done[/]", str(len(parts)),
                      "waiting for: " + ", ".join(m(w) for w in sorted({w for d in parts for w in d.waiting})))
    for reasons, ids in result.reasons():
        table.add_row(f"[red]{verb + ' ' if verb else ''}refused[/]", str(len(ids)), "\n".join(m(r) for r in reasons),
                      m(_few(ids)))
    out.print(table)
    failed = [d for d in result.done if d.failed_actions]
    if failed:
        out.print(f"[yellow]{len(failed)} record(s) moved, but an action failed or is not delivered yet[/] "
                  f"(e.g. record {m(failed[0].record)}: {m(failed[0].failed_actions[0])}); "
                  "`blueprint retry` sends them again")
    if result.refused:
        out.print(f"[dim]{len(result.refused)} refused; details: blueprint --json bulk … --dry-run, "
                  f"or blueprint next ID[/]")
    report_unreadable(result.errors)


def _few(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN])
    return shown + (f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "")


def register(app: typer.Typer) -> None:
    app.command("bulk")(bulk)

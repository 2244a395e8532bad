"""`blueprint board`: the pipeline as columns of record cards."""

from __future__ import annotations

from typing import Optional

import typer

from blueprint_cli.cli.context import laid_out_width, options, print_json


def board(
    ctx: typer.Context,
    blueprint: Optional[str] = typer.Option(None, "--blueprint", help="The blueprint (default: the only one published)."),
    where: Optional[str] = typer.Option(None, "--where", metavar="EXPR",
                                        help='Only records that match, e.g. "owner = alice" (reads every record).'),
    cards: Optional[int] = typer.Option(None, "--cards", metavar="N", min=0,
                                        help="Cards per column (default: what fits the terminal; 10 when piped)."),
    now: Optional[str] = typer.Option(None, "--now", metavar="ISO", help="Ages as if it were this time (ISO 8601)."),
) -> None:
    """The pipeline: a column per state in flow order, with record cards
    (name, owner, age in state, SLA breach) and counts.

    Exit 1 when some record could not be read."""
    import shutil
    import sys

    from blueprint_cli.cli.record_view import open_workspace, report_unreadable, term
    from blueprint_cli.report.board import build, render
    from blueprint_cli.report.gather import choose_blueprint, filtering
    from blueprint_cli.store import CorruptFile
    from blueprint_cli.workspace.tick import parse_now

    ws = open_workspace(ctx)
    bp = choose_blueprint(ws, blueprint)
    moment = parse_now(now, ws.zone)
    keep = filtering(ws, bp, where, moment)
    as_json = options(ctx).json
    if cards is None:
        cards = max(3, (shutil.get_terminal_size().lines - 8) // 2) if sys.stdout.isatty() and not as_json else 10
    errors: list[CorruptFile] = []
    result = build(ws, bp, now=moment, cards=cards, keep=keep, errors=errors)
    if as_json:
        print_json(result.to_dict())
    else:
        out = term(ctx)
        out.soft_wrap = False
        table, more = render(result, laid_out_width(out))
        out.print(table)
        if more.plain:
            out.print(more)
    if errors:
        report_unreadable([e.message for e in errors])
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("board")(board)

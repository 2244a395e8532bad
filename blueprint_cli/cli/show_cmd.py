"""`blueprint show FILE|ID`: a readable summary of a blueprint."""

from __future__ import annotations

import typer

from blueprint_cli.cli import blueprint_arg
from blueprint_cli.cli.context import console, options, print_json


def show(
    ctx: typer.Context,
    given: str = typer.Argument(..., metavar="FILE|ID", help=blueprint_arg.HELP),
) -> None:
    """Summary: states, transitions, owners, criteria (as a tree) and requirements."""
    from blueprint_cli.render.summary import render_summary, summary_data

    bp = blueprint_arg.load(ctx, given)
    if options(ctx).json:
        print_json(summary_data(bp))
        return
    console(ctx).print(render_summary(bp))


def register(app: typer.Typer) -> None:
    app.command("show")(show)

"""`blueprint show FILE`: a readable summary of a blueprint."""

from __future__ import annotations

from pathlib import Path

import typer

from blueprint_cli.cli.context import console, options, print_json


def show(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A blueprint file."),
) -> None:
    """Summary: states, transitions, owners, criteria (as a tree) and requirements."""
    from blueprint_cli.lint import load_blueprint
    from blueprint_cli.summary import render_summary, summary_data

    bp = load_blueprint(file)
    if options(ctx).json:
        print_json(summary_data(bp))
        return
    console(ctx).print(render_summary(bp))


def register(app: typer.Typer) -> None:
    app.command("show")(show)

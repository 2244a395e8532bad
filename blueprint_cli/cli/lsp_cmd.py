"""`blueprint lsp`: the language server, started by an editor."""

from __future__ import annotations

import sys

import typer


def lsp(
    check: bool = typer.Option(False, "--check", help="Say whether an editor will find the server, "
                               "start it once to be sure, and exit."),
    verbose: bool = typer.Option(False, "--verbose", help="Log details to standard error (the editor's log)."),
) -> None:
    """Run the language server over standard input and output (an editor starts it).

    Findings as you type, completion, hover, go to definition, references,
    rename and quick fixes for blueprints and scenario files; see the docs
    page "Editors" for each editor's setup."""
    if check:
        from blueprint_cli.lsp.probe import check as probe

        ok, report = probe()
        sys.stdout.write(report)
        if not ok:
            raise typer.Exit(1)
        return
    from blueprint_cli.lsp.server import serve

    serve(verbose)


def register(app: typer.Typer) -> None:
    app.command("lsp")(lsp)

"""The `blueprint` console script. It imports nothing heavy itself: `--version`
answers from here, and everything else goes to the typer application."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        # pre-commit hooks and scripts probe the tool with this: it needs no
        # command parser, so it does not pay for building one
        from blueprint_cli import __version__

        sys.stdout.write(f"blueprint {__version__}\n")
        return
    from blueprint_cli.cli.main import entry

    entry()

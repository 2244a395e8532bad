"""The `blueprint` console script. It imports nothing heavy itself: `--version`
answers from here, and everything else goes to the typer application."""

from __future__ import annotations

import gc
import sys

#: Allocations between two collections of the youngest generation (Python's
#: default: 700). Start-up creates a few hundred thousand objects (modules,
#: classes, the command's parser, a blueprint's model) and almost none of them
#: is garbage: collecting every 700 allocations scans them again and again
#: (bench/README.md has what it costs). Collection still runs, so a long `bulk`
#: or `--watch` does not grow with cyclic garbage.
GC_THRESHOLD = 50_000


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        # pre-commit hooks and scripts probe the tool with this: it needs no
        # command parser, so it does not pay for building one
        from blueprint_cli import __version__

        sys.stdout.write(f"blueprint {__version__}\n")
        return
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    from blueprint_cli.cli.main import entry

    try:
        entry()
    finally:
        # at exit the interpreter collects once more over every object left,
        # all of them about to go with the process; frozen, they are skipped.
        # Files are closed and flushed as before: by the `with` blocks that
        # wrote them, and by the interpreter's shutdown.
        gc.freeze()

"""The one clock of the workspace operations: the local time now, to the second.
Commands take `--now` in its place where they offer it; the engine never reads
a clock (it is given the moment)."""

from __future__ import annotations

from datetime import datetime


def now() -> datetime:
    """Now, in the machine's local time zone, to the second (history's precision)."""
    return datetime.now().astimezone().replace(microsecond=0)

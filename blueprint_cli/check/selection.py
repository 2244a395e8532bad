"""Which rules run on a file, and at which severity.

Built per file from the command line and the configuration that applies to the
file (lint/config.py). Immutable and small: it travels to worker processes and
its `repr` is part of the result cache's key. (The lint run's small records are
named tuples, not dataclasses: a pre-commit hook pays for creating each
dataclass at start-up, about six compiled methods apiece.)
"""

from __future__ import annotations

from typing import NamedTuple

from blueprint_cli.diagnostics import Severity


class Selection(NamedTuple):
    """`select`/`ignore` take codes or prefixes (BP2); an ignore wins over a
    select. `severity` maps codes or prefixes to a severity; the longest
    matching one applies."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()

    def wants(self, code: str) -> bool:
        if not self.select and not self.ignore:
            return True  # (the usual run: asked for every code of every file)
        if self.select and not any(code.startswith(s) for s in self.select):
            return False
        return not any(code.startswith(i) for i in self.ignore)

    def severity_of(self, code: str, default: Severity) -> Severity:
        best = ""
        found = default
        for prefix, value in self.severity:
            if code.startswith(prefix) and len(prefix) >= len(best):
                best, found = prefix, Severity(value)
        return found

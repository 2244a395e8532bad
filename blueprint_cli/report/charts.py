"""Charts of a report (PNG, SVG, and one self-contained HTML page)."""

from __future__ import annotations

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.report.figures import Report


def require(fmt: str) -> None:
    raise BlueprintError(f"--format {fmt} is not there yet")


def render(report: Report, fmt: str) -> bytes:
    raise BlueprintError(f"--format {fmt} is not there yet")

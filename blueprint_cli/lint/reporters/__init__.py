"""Reporters turn collected findings into text for people and machines.
Chosen by name: `REPORTER_BY_NAME[format](findings, stream)`."""

from __future__ import annotations

from typing import Callable, TextIO

from blueprint_cli.diagnostics import Findings
from blueprint_cli.lint.reporters import github, json_report, sarif, text

Reporter = Callable[[Findings, TextIO, bool], None]

REPORTER_BY_NAME: dict[str, Reporter] = {
    "text": text.report,
    "json": json_report.report,
    "github": github.report,
    "sarif": sarif.report,
}

"""GitHub Actions workflow commands: findings become annotations on the PR.
`file=` is relative to the repository root, where GitHub looks for it."""

from __future__ import annotations

from typing import TextIO

from blueprint_cli.diagnostics import Findings, Severity
from blueprint_cli.render.reporters.paths import from_root

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def report(findings: Findings, stream: TextIO, color: bool = False) -> None:
    for d in findings.sorted():
        file = from_root(d.file) or d.file
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        stream.write(
            f"::{_COMMAND[d.severity]} file={_prop(file)},line={d.line},col={d.col},"
            f"title={_prop(d.code)}::{_data(message)}\n"
        )

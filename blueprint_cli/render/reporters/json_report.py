"""Findings as one JSON object: counts plus every diagnostic with its position."""

from __future__ import annotations

import json
from typing import TextIO

from blueprint_cli.diagnostics import Findings, Severity


def report(findings: Findings, stream: TextIO, color: bool = False) -> None:
    diags = findings.sorted()
    data = {
        "files": findings.files,
        "errors": sum(d.severity is Severity.ERROR for d in diags),
        "warnings": sum(d.severity is Severity.WARNING for d in diags),
        "diagnostics": [d.to_dict() for d in diags],
    }
    stream.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")

"""SARIF 2.1.0, for GitHub code scanning and other static-analysis viewers.
Every rule of the catalogue is described in the tool's `rules`, so viewers can
show its documentation next to a result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from blueprint_cli import __version__
from blueprint_cli.diagnostics import Findings, Severity
from blueprint_cli.lint.rules import catalogue

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(file: str) -> str:
    path = Path(file)
    if path.is_absolute():
        return path.as_uri()
    return quote(path.as_posix())


def document(findings: Findings) -> dict[str, Any]:
    rules = list(catalogue().values())
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for d in findings.sorted():
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        result: dict[str, Any] = {
            "ruleId": d.code,
            "level": _LEVEL[d.severity],
            "message": {"text": message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(d.file)},
                    "region": {"startLine": d.line, "startColumn": d.col},
                },
                "logicalLocations": [{"fullyQualifiedName": d.json_path(), "kind": "member"}],
            }],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "blueprint",
                "version": __version__,
                "informationUri": "https://github.com/blueprint-cli/blueprint",
                "rules": [{
                    "id": r.code,
                    "name": r.name,
                    "shortDescription": {"text": r.summary},
                    "fullDescription": {"text": r.doc},
                    "help": {"text": r.doc, "markdown": r.doc},
                    "defaultConfiguration": {"level": _LEVEL[r.severity]},
                } for r in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def report(findings: Findings, stream: TextIO, color: bool = False) -> None:
    stream.write(json.dumps(document(findings), indent=2, ensure_ascii=False) + "\n")

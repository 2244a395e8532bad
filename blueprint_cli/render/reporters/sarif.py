"""SARIF 2.1.0, for GitHub code scanning and other static-analysis viewers.
Every rule — of blueprint files and of scenario files, which lint checks too —
is described in the tool's `rules` (with a link to its page in the
documentation), so viewers can show it next to a result.

File locations are relative to the repository root (`uriBaseId` SRCROOT, whose
absolute URI is in the run's `originalUriBaseIds`): code scanning reads them
from the root of the checkout, not from the folder the linter ran in."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from blueprint_cli import __version__
from blueprint_cli.diagnostics import Findings, Severity
from blueprint_cli.render.reporters.paths import from_root, source_root
from blueprint_cli.check.rules import Rule, catalogue
from blueprint_cli.scenarios.rules import catalogue as scenario_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


SRCROOT = "SRCROOT"


def _artifact(file: str) -> dict[str, str]:
    relative = from_root(file)
    if relative is None:  # outside the repository: only an absolute URI says where
        return {"uri": Path(os.path.abspath(file)).as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def every_rule() -> list[Rule]:
    """The rules a lint run can report: the blueprint rules, then the scenario-file rules."""
    return [*catalogue().values(), *scenario_rules().values()]


def document(findings: Findings) -> dict[str, Any]:
    rules = every_rule()
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
                    "artifactLocation": _artifact(d.file),
                    "region": {"startLine": d.line, "startColumn": d.col},
                },
                "logicalLocations": [{"fullyQualifiedName": d.json_path(), "kind": "member"}],
            }],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.fix is not None:
            result["fixes"] = [{
                "description": {"text": d.fix.title},
                "artifactChanges": [{
                    "artifactLocation": _artifact(d.file),
                    "replacements": [{
                        "deletedRegion": {"startLine": e.line, "startColumn": e.col,
                                          "endLine": e.end_line, "endColumn": e.end_col},
                        "insertedContent": {"text": e.content},
                    } for e in d.fix.edits],
                }],
                # SARIF has no word for it: whether `blueprint lint --fix` applies it without --unsafe-fixes
                "properties": {"safe": d.fix.safe},
            }]
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
                    "helpUri": r.help_uri,
                    "defaultConfiguration": {"level": _LEVEL[r.severity]},
                } for r in rules],
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": source_root().as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def report(findings: Findings, stream: TextIO, color: bool = False) -> None:
    stream.write(json.dumps(document(findings), indent=2, ensure_ascii=False) + "\n")

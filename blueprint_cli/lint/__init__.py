"""`blueprint lint`: the loader, then the JSON Schema, then every semantic rule.

`lint_text` lints one document and returns the model (when it could be built)
with the diagnostics; `load_blueprint` is what other commands use to read a
blueprint they are about to act on. A run over files and folders, with
configuration, cache and suppressions, is `linting.run.lint_paths`.

The checking itself is in `lint.check`, imported on first use: this package is
imported by every lint run, and one answered from the result cache checks
nothing, so it must not pay for the YAML parser, the schema validator and the
model at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from blueprint_cli.diagnostics import BlueprintError, Diagnostic
from blueprint_cli.lint.kinds import SCENARIO_SUFFIXES
from blueprint_cli.lint.selection import Selection

if TYPE_CHECKING:
    from blueprint_cli.lint.check import Checked
    from blueprint_cli.loader import Document
    from blueprint_cli.model import Blueprint
    from blueprint_cli.team import Team

__all__ = ["SCENARIO_SUFFIXES", "Selection", "check_document", "lint_document", "lint_text", "lint_file",
           "LintFailed", "load_blueprint", "selected"]


class LintFailed(BlueprintError):
    """A blueprint a command needs has lint errors (exit 1)."""

    exit_code = 1

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        lines = [f"{d.file}:{d.line}:{d.col}: {d.severity.value} {d.code} {d.message}" for d in diagnostics]
        super().__init__("the blueprint has errors:\n  " + "\n  ".join(lines),
                         hint="fix them (see `blueprint lint --explain CODE`) and try again")
        self.diagnostics = diagnostics


def check_document(doc: Document, team: Team | None = None, selection: Selection = Selection()) -> Checked:
    from blueprint_cli.lint import check

    return check.check_document(doc, team, selection)


def lint_document(doc: Document, team: Team | None = None,
                  selection: Selection = Selection()) -> tuple[Blueprint | None, list[Diagnostic]]:
    from blueprint_cli.lint import check

    return check.lint_document(doc, team, selection)


def selected(checked: Checked, diags: list[Diagnostic], selection: Selection) -> list[Diagnostic]:
    from blueprint_cli.lint import check

    return check.selected(checked, diags, selection)


def lint_text(text: str, file: str, team: Team | None = None,
              selection: Selection = Selection()) -> tuple[Blueprint | None, list[Diagnostic]]:
    from blueprint_cli.lint import check

    return check.lint_text(text, file, team, selection)


def lint_file(path: Path, team: Team | None = None, selection: Selection = Selection(),
              display: str | None = None) -> tuple[Blueprint | None, list[Diagnostic]]:
    from blueprint_cli.lint import check

    return check.lint_file(path, team, selection, display)


def load_blueprint(path: Path, team: Team | None = None) -> Blueprint:
    """Read a blueprint that must be usable: errors raise `LintFailed`."""
    from blueprint_cli.lint import check

    return check.load_blueprint(path, team)


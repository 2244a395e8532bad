"""`blueprint lint`: the loader, then the JSON Schema, then every semantic rule.

`lint_text` lints one document and returns the model (when it could be built)
with the diagnostics; `load_blueprint` is what other commands use to read a
blueprint they are about to act on (`read_blueprint` also returns the text it
read once and its parse: `publish` stores them). A run over files and folders,
with configuration, cache and suppressions, is `lint.run.lint_paths`.

The checking itself is in `check.check`, imported on first use: this package is
imported by every lint run, and one answered from the result cache checks
nothing, so it must not pay for the YAML parser, the schema validator and the
model at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from blueprint_cli.check.failed import LintFailed
from blueprint_cli.diagnostics import Diagnostic
from blueprint_cli.check.kinds import SCENARIO_SUFFIXES
from blueprint_cli.check.selection import Selection

if TYPE_CHECKING:
    from blueprint_cli.check.check import Checked, Usable
    from blueprint_cli.language.loader import Document
    from blueprint_cli.language.model import Blueprint
    from blueprint_cli.language.team import Team

__all__ = ["SCENARIO_SUFFIXES", "Selection", "check_document", "lint_document", "lint_text", "lint_file",
           "LintFailed", "load_blueprint", "read_blueprint", "selected"]


def check_document(doc: Document, team: Team | None = None, selection: Selection = Selection()) -> Checked:
    from blueprint_cli.check import check

    return check.check_document(doc, team, selection)


def lint_document(doc: Document, team: Team | None = None,
                  selection: Selection = Selection()) -> tuple[Blueprint | None, list[Diagnostic]]:
    from blueprint_cli.check import check

    return check.lint_document(doc, team, selection)


def selected(checked: Checked, diags: list[Diagnostic], selection: Selection) -> list[Diagnostic]:
    from blueprint_cli.check import check

    return check.selected(checked, diags, selection)


def lint_text(text: str, file: str, team: Team | None = None,
              selection: Selection = Selection()) -> tuple[Blueprint | None, list[Diagnostic]]:
    from blueprint_cli.check import check

    return check.lint_text(text, file, team, selection)


def lint_file(path: Path, team: Team | None = None, selection: Selection = Selection(),
              display: str | None = None) -> tuple[Blueprint | None, list[Diagnostic]]:
    from blueprint_cli.check import check

    return check.lint_file(path, team, selection, display)


def load_blueprint(path: Path, team: Team | None = None) -> Blueprint:
    """Read a blueprint that must be usable: errors raise `LintFailed`."""
    from blueprint_cli.check import check

    return check.load_blueprint(path, team)



def read_blueprint(path: Path, team: Team | None = None) -> Usable:
    """`load_blueprint`, with the text read (once) and the document it parsed to."""
    from blueprint_cli.check import check

    return check.read_blueprint(path, team)

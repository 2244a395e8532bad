"""Checking one document: the loader, then the JSON Schema, then every semantic
rule that can run. Imported only when something is checked (see lint/__init__.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from blueprint_cli.language import schema
from blueprint_cli.diagnostics import BlueprintError, Diagnostic, Severity
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.failed import LintFailed
from blueprint_cli.check.rules import Finding, catalogue
from blueprint_cli.check.salvage import MAX_ROUNDS, salvage
from blueprint_cli.check.selection import Selection
from blueprint_cli.language.loader import Document, load_bytes, load_file, load_text, unreadable
from blueprint_cli.language.model import Blueprint, ModelError, build

if TYPE_CHECKING:
    from blueprint_cli.language.team import Team

def _to_diagnostics(doc: Document, code: str, severity: Severity, findings: Iterable[Finding],
                    fixes: bool = True) -> list[Diagnostic]:
    out = []
    for f in findings:
        pos = doc.at(f.path, key=f.key)
        fix = None
        if f.fix is not None and fixes:
            from blueprint_cli.language.fixes import resolve

            fix = resolve(doc, f.fix)
        out.append(Diagnostic(code, severity, f.message, doc.file, pos.line, pos.col, f.path, f.hint, fix))
    return out


def prepare() -> None:
    """Load what checking a document needs (the rules, the schema's validator)
    ahead of the first document: processes forked afterwards start with it."""
    catalogue()
    schema._validator()


def with_duplicate_fixes(doc: Document | None, diags: list[Diagnostic]) -> list[Diagnostic]:
    """The loader's findings, its repeated keys (BP105) with their fixes where both
    values are the same. (Here, not in the loader: the loader stays below the
    fixes, which read files with it; and the fixes are imported only for a file
    that has a repeated key.)"""
    if doc is None or not any(d.code == "BP105" for d in diags):
        return diags
    from blueprint_cli.language.fixes import duplicate_fixes

    return duplicate_fixes(doc, diags)


class Checked(NamedTuple):
    """One document's findings, and how far checking it got."""

    blueprint: Blueprint | None
    diagnostics: list[Diagnostic]
    #: the semantic rules that ran (a rule needing a damaged section does not)
    ran: frozenset[str] = frozenset()
    #: False when parts had to be cut out (or nothing could be built): the file
    #: was not checked as a whole
    whole: bool = True


def check_document(doc: Document, team: Team | None = None, selection: Selection = Selection(),
                   fixes: bool = True) -> Checked:
    """The schema, then every semantic rule that can run. After schema errors,
    the rules run on what is valid (lint/salvage.py), so one run reports every
    problem it can find, not only the first. Without `fixes`, findings come
    without their fixes (each is verified by reading the fixed text again,
    which the language server does only when fixes are asked for)."""
    diags = schema.check(doc)
    data: dict[str, Any] = doc.data
    damaged: frozenset[str] = frozenset()
    # unknown keys the user ignores are harmless to cut (as if not written)
    harmless = frozenset() if selection.wants("BP110") else frozenset({"BP110"})
    if diags:
        found = salvage(data, diags, harmless=harmless)
        if found is None:
            return Checked(None, diags, whole=False)
        data, damaged = found.data, found.damaged
    bp = None
    for _ in range(MAX_ROUNDS):
        try:
            bp = build(data, doc.file)
            break
        except ModelError as exc:
            # valid by the schema, yet not a model (a bad duration, an owner): report it, cut it out, go on
            pos = doc.at(exc.path)
            diags.append(Diagnostic("BP119", Severity.ERROR, str(exc), doc.file, pos.line, pos.col, exc.path))
            found = salvage(data, [diags[-1]], damaged)
            if found is None:
                break
            data, damaged = found.data, found.damaged
    if bp is None:
        return Checked(None, diags, whole=False)
    ctx = LintContext(bp, doc, team)
    ran = []
    for rule in catalogue().values():
        if rule.check is not None and selection.wants(rule.code) and not (damaged and rule.needs & damaged):
            ran.append(rule.code)
            diags.extend(_to_diagnostics(doc, rule.code, rule.severity, rule.check(ctx), fixes))
    return Checked(bp, diags, frozenset(ran), not damaged)


def lint_document(doc: Document, team: Team | None = None,
                  selection: Selection = Selection()) -> tuple[Blueprint | None, list[Diagnostic]]:
    checked = check_document(doc, team, selection)
    return checked.blueprint, checked.diagnostics


def selected(checked: Checked, diags: list[Diagnostic], selection: Selection) -> list[Diagnostic]:
    """The findings the selection keeps. A file that could not be checked
    as a whole (bad YAML, schema errors) never comes out clean: its first error stays."""
    kept = [d for d in diags if selection.wants(d.code)]
    if not checked.whole and not any(d.severity is Severity.ERROR for d in kept):
        first = next((d for d in sorted(diags, key=Diagnostic.sort_key) if d.severity is Severity.ERROR), None)
        if first is not None:
            kept.append(replace(first, message=first.message + " (shown although not selected: the file "
                                                                "cannot be checked fully until it is fixed)"))
    return kept


def _lint_loaded(doc: Document | None, diags: list[Diagnostic], team: Team | None,
                 selection: Selection) -> tuple[Blueprint | None, list[Diagnostic]]:
    if doc is None:
        return None, selected(Checked(None, diags, whole=False), diags, selection)
    diags = with_duplicate_fixes(doc, diags)
    checked = check_document(doc, team, selection)
    return checked.blueprint, selected(checked, diags + checked.diagnostics, selection)


def lint_text(text: str, file: str, team: Team | None = None,
              selection: Selection = Selection()) -> tuple[Blueprint | None, list[Diagnostic]]:
    return _lint_loaded(*load_text(text, file), team, selection)


def lint_file(path: Path, team: Team | None = None, selection: Selection = Selection(),
              display: str | None = None) -> tuple[Blueprint | None, list[Diagnostic]]:
    return _lint_loaded(*load_file(path, display), team, selection)


class Usable(NamedTuple):
    """A blueprint that lints without errors, with what it was read from."""

    blueprint: Blueprint
    #: the one parse of `text` the blueprint was built from and checked
    document: Document
    text: str


def read_blueprint(path: Path, team: Team | None = None) -> Usable:
    """Read a blueprint that must be usable, once: the bytes linted are the
    bytes returned. Errors raise `LintFailed`."""
    from blueprint_cli.userfile import UnreadableFile, read_user_file

    if not path.exists():
        raise BlueprintError(f"no such file: {path}")
    if path.is_dir():
        raise BlueprintError(f"{path} is a folder; give one blueprint file")
    try:
        raw = read_user_file(path)
    except UnreadableFile as exc:
        raise LintFailed([unreadable(exc, str(path))]) from None
    doc, diags = load_bytes(raw, str(path))
    bp, diags = _lint_loaded(doc, diags, team, Selection())
    errors = [d for d in diags if d.severity is Severity.ERROR]
    if errors or bp is None or doc is None:
        raise LintFailed(sorted(errors or diags, key=Diagnostic.sort_key))
    return Usable(bp, doc, raw.decode("utf-8"))  # load_bytes decoded it already: valid UTF-8


def load_blueprint(path: Path, team: Team | None = None) -> Blueprint:
    """Read a blueprint that must be usable: errors raise `LintFailed`."""
    return read_blueprint(path, team).blueprint

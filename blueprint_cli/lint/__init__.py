"""`blueprint lint`: the loader, then the JSON Schema, then every semantic rule.

`lint_text` lints one document and returns the model (when it could be built)
with the diagnostics; `lint_paths` walks files and folders, spreading the work
over the CPU cores when there are many files; `load_blueprint` is what other
commands use to read a blueprint they are about to act on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from blueprint_cli import schema
from blueprint_cli.diagnostics import BlueprintError, Diagnostic, Findings, Severity
from blueprint_cli.lint.context import LintContext
from blueprint_cli.lint.rules import Finding, catalogue
from blueprint_cli.lint.salvage import MAX_ROUNDS, salvage
from blueprint_cli.loader import Document, load_file, load_text
from blueprint_cli.model import Blueprint, ModelError, build
from blueprint_cli.team import Team

YAML_SUFFIXES = (".yaml", ".yml")
#: Scenario files: folders are searched for blueprints without them (see `blueprint test`).
SCENARIO_SUFFIXES = (".scenarios.yaml", ".scenarios.yml", ".scenario.yaml", ".scenario.yml")
#: Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 24


@dataclass(frozen=True)
class Selection:
    """Which rules run: `--select` and `--ignore` take codes or prefixes (BP2)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        if self.select and not any(code.startswith(s) for s in self.select):
            return False
        return not any(code.startswith(i) for i in self.ignore)


def _to_diagnostics(doc: Document, code: str, severity: Severity, findings: Iterable[Finding]) -> list[Diagnostic]:
    out = []
    for f in findings:
        pos = doc.at(f.path, key=f.key)
        out.append(Diagnostic(code, severity, f.message, doc.file, pos.line, pos.col, f.path, f.hint))
    return out


@dataclass(frozen=True)
class Checked:
    """One document's findings, and how far checking it got."""

    blueprint: Blueprint | None
    diagnostics: list[Diagnostic]
    #: the semantic rules that ran (a rule needing a damaged section does not)
    ran: frozenset[str] = frozenset()
    #: False when parts had to be cut out (or nothing could be built): the file
    #: was not checked as a whole
    whole: bool = True


def check_document(doc: Document, team: Team | None = None, selection: Selection = Selection()) -> Checked:
    """The schema, then every semantic rule that can run. After schema errors,
    the rules run on what is valid (lint/salvage.py), so one run reports every
    problem it can find, not only the first."""
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
        if rule.check is not None and selection.wants(rule.code) and not rule.needs & damaged:
            ran.append(rule.code)
            diags.extend(_to_diagnostics(doc, rule.code, rule.severity, rule.check(ctx)))
    return Checked(bp, diags, frozenset(ran), not damaged)


def lint_document(doc: Document, team: Team | None = None,
                  selection: Selection = Selection()) -> tuple[Blueprint | None, list[Diagnostic]]:
    checked = check_document(doc, team, selection)
    return checked.blueprint, checked.diagnostics


def _selected(checked: Checked, diags: list[Diagnostic], selection: Selection) -> list[Diagnostic]:
    """The findings `--select/--ignore` keep. A file that could not be checked
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
        return None, _selected(Checked(None, diags, whole=False), diags, selection)
    checked = check_document(doc, team, selection)
    return checked.blueprint, _selected(checked, diags + checked.diagnostics, selection)


def lint_text(text: str, file: str, team: Team | None = None,
              selection: Selection = Selection()) -> tuple[Blueprint | None, list[Diagnostic]]:
    return _lint_loaded(*load_text(text, file), team, selection)


def lint_file(path: Path, team: Team | None = None, selection: Selection = Selection(),
              display: str | None = None) -> tuple[Blueprint | None, list[Diagnostic]]:
    return _lint_loaded(*load_file(path, display), team, selection)


def discover(paths: Sequence[Path]) -> list[Path]:
    """Files to lint: files as given, folders searched recursively for *.yaml/*.yml
    (hidden folders and *.scenarios.yaml scenario files skipped). A path that
    does not exist is a usage error."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found: list[Path] = []
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                # scenario files (`blueprint test`) live next to blueprints but are not blueprints
                found.extend(Path(root, n) for n in names
                             if n.endswith(YAML_SUFFIXES) and not n.endswith(SCENARIO_SUFFIXES))
            files.extend(sorted(found))
        elif p.exists():
            files.append(p)
        else:
            raise BlueprintError(f"no such file or folder: {p}", hint="check the path; folders are searched for *.yaml")
    return list(dict.fromkeys(files))


def _lint_one(args: tuple[Path, Team | None, Selection]) -> list[Diagnostic]:
    path, team, selection = args
    return lint_file(path, team, selection)[1]


def lint_paths(paths: Sequence[Path], team: Team | None = None, selection: Selection = Selection(),
               jobs: int | None = None) -> Findings:
    files = discover(paths)
    findings = Findings(files=len(files))
    jobs = jobs or os.cpu_count() or 1
    work = [(f, team, selection) for f in files]
    if jobs > 1 and len(files) >= PARALLEL_THRESHOLD:
        import multiprocessing

        ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else multiprocessing.get_context()
        with ctx.Pool(jobs) as pool:
            for diags in pool.imap(_lint_one, work, chunksize=max(1, len(work) // (jobs * 8))):
                findings.extend(diags)
    else:
        for item in work:
            findings.extend(_lint_one(item))
    return findings


class LintFailed(BlueprintError):
    """A blueprint a command needs has lint errors (exit 1)."""

    exit_code = 1

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        lines = [f"{d.file}:{d.line}:{d.col}: {d.severity.value} {d.code} {d.message}" for d in diagnostics]
        super().__init__("the blueprint has errors:\n  " + "\n  ".join(lines),
                         hint="fix them (see `blueprint lint --explain CODE`) and try again")
        self.diagnostics = diagnostics


def load_blueprint(path: Path, team: Team | None = None) -> Blueprint:
    """Read a blueprint that must be usable: errors raise `LintFailed`."""
    if not path.exists():
        raise BlueprintError(f"no such file: {path}")
    if path.is_dir():
        raise BlueprintError(f"{path} is a folder; give one blueprint file")
    bp, diags = lint_file(path, team)
    errors = [d for d in diags if d.severity is Severity.ERROR]
    if errors or bp is None:
        raise LintFailed(sorted(errors or diags, key=Diagnostic.sort_key))
    return bp

"""`path:line:col: severity CODE message`, one finding a line, with
an indented hint under it when there is one."""

from __future__ import annotations

from typing import TextIO

from blueprint_cli.diagnostics import Diagnostic, Findings, Severity
from blueprint_cli.shown import visible


_COLOR = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_DIM, _BOLD, _RESET = "\033[2m", "\033[1m", "\033[0m"


def _fixable(d: Diagnostic, findings: Findings) -> bool:
    return d.fix is not None and (d.fix.safe or findings.unsafe_fixes)


def report(findings: Findings, stream: TextIO, color: bool = False) -> None:
    for d in findings.sorted():
        sev = d.severity.value
        # one line per finding, whatever a file name or a quoted value holds
        file, message, hint = visible(d.file), visible(d.message), visible(d.hint) if d.hint else None
        # `[*]`: `blueprint lint --fix` repairs it (ruff's mark)
        mark = "[*] " if _fixable(d, findings) else ""
        if color:
            loc = f"{_BOLD}{file}:{d.line}:{d.col}:{_RESET}"
            stream.write(f"{loc} {_COLOR[d.severity]}{sev}{_RESET} {_DIM}{d.code}{_RESET} {mark}{message}\n")
            if hint:
                stream.write(f"    {_DIM}hint: {hint}{_RESET}\n")
        else:
            stream.write(f"{file}:{d.line}:{d.col}: {sev} {d.code} {mark}{message}\n")
            if hint:
                stream.write(f"    hint: {hint}\n")


def summary(findings: Findings) -> str:
    errors = sum(d.severity is Severity.ERROR for d in findings.diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in findings.diagnostics)
    files = findings.files
    noun = "file" if files == 1 else "files"
    if not files and not findings.diagnostics:
        # as ruff says: "All clean" about nothing would read as if something had been checked
        return "No blueprints to check: no file given or found is a blueprint."
    if not errors and not warnings:
        return f"All clean: {files} {noun} checked."
    with_problems = len({d.file for d in findings.diagnostics})
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    found = f"Found {' and '.join(parts)} in {with_problems} of {files} {noun}."
    fixable = sum(_fixable(d, findings) for d in findings.diagnostics)
    hidden = sum(d.fix is not None and not _fixable(d, findings) for d in findings.diagnostics)
    if fixable:
        found += f" {fixable} fixable with `blueprint lint --fix`" + (
            f"{' --unsafe-fixes' if findings.unsafe_fixes else ''}.")
    if hidden:
        found += f" {hidden} more with --unsafe-fixes."
    return found


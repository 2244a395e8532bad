"""`blueprint lint --fix` / `--diff`: apply the findings' fixes to the files.

Each file is linted, the fixes it may apply (safe ones; unsafe ones too with
`--unsafe-fixes`) are applied together when their edits do not overlap, and the
result is linted again — a fix can make another possible (a renamed key lets
the rules below it run) — up to `MAX_ROUNDS` times. What is reported afterwards
are the findings that remain. With `write`, a changed file is replaced
atomically, keeping its permission bits, and only if it still holds what was
read: a file an editor saved meanwhile is left alone and reported.
"""

from __future__ import annotations

from blueprint_cli.shown import visible

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from blueprint_cli.diagnostics import Diagnostic, Edit, Findings, Severity
from blueprint_cli.language.fixes import apply
from blueprint_cli.lint.cache import Entry
from blueprint_cli.lint.config import Finder
from blueprint_cli.lint.run import Job, RunOptions, add_config_problems, lint_bytes, lint_job, plan
from blueprint_cli.language.team import Team

#: A fix that enables another is applied in the next round; ten is plenty.
MAX_ROUNDS = 10


@dataclass
class FileFix:
    """What fixing one file did."""

    path: Path
    original: str
    fixed: str
    #: the findings whose fixes were applied, in the rounds they were applied
    applied: list[Diagnostic] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> str:
        """The change as a unified diff (`--- path` / `+++ path`), as `patch -p0` reads it."""
        name = str(self.path)
        lines = list(difflib.unified_diff(self.original.splitlines(keepends=True),
                                          self.fixed.splitlines(keepends=True), name, name))
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                       for line in lines)


@dataclass
class FixRun:
    findings: Findings
    files: list[FileFix] = field(default_factory=list)
    #: files that changed on disk while they were being fixed (left alone)
    changed_meanwhile: list[Path] = field(default_factory=list)

    @property
    def fixed(self) -> int:
        return sum(len(f.applied) for f in self.files if f.changed)


def _overlap(a: Edit, b: Edit) -> bool:
    return (a.line, a.col) < (b.end_line, b.end_col) and (b.line, b.col) < (a.end_line, a.end_col) \
        or (a.line, a.col) == (b.line, b.col)


def fix_text(text: str, job: Job, team: Team | None = None,
             unsafe: bool = False) -> tuple[str, list[Diagnostic], Entry]:
    """(fixed text, findings fixed, what linting the fixed text gives) for one
    file, linted as a run lints it (its configuration, its suppressions)."""
    applied: list[Diagnostic] = []
    entry = lint_bytes(text.encode("utf-8"), job, team)[0]
    for _ in range(MAX_ROUNDS):
        chosen: list[Diagnostic] = []
        edits: list[Edit] = []
        for d in sorted(entry.diagnostics, key=Diagnostic.sort_key):
            if d.fix is None or not (d.fix.safe or unsafe) or d.file != job.display:
                continue
            if any(_overlap(e, mine) for e in d.fix.edits for mine in edits):
                continue  # the next round, on the text this round makes
            chosen.append(d)
            edits.extend(d.fix.edits)
        if not chosen:
            break
        new_text = apply(text, edits)
        if new_text == text:
            break
        new_entry = lint_bytes(new_text.encode("utf-8"), job, team)[0]
        if _worse(entry.diagnostics, new_entry.diagnostics):
            break  # fixes that are right alone but not together: keep what we had
        text, entry = new_text, new_entry
        applied.extend(chosen)
    return text, applied, entry


def _worse(before: list[Diagnostic], after: list[Diagnostic]) -> bool:
    """A round made the file unreadable or added an error that was not there."""
    if any(d.code in ("BP100", "BP101", "BP102") for d in after):
        return True

    def errors(diags: list[Diagnostic]) -> int:
        return sum(d.severity is Severity.ERROR for d in diags)

    return errors(after) > errors(before)


def fix_paths(paths: Sequence[Path], team: Team | None = None, options: RunOptions = RunOptions(),
              unsafe: bool = False, write: bool = True) -> FixRun:
    from blueprint_cli.store.files import ChangedMeanwhile, replace_unchanged

    finder = Finder(options.config)
    run = FixRun(Findings(unsafe_fixes=unsafe))
    for job in plan(paths, options, finder):
        try:
            raw = job.path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            entry = lint_job((job, team, "", None, None))  # reported as a finding, not fixed
            run.findings.files += entry.checked
            run.findings.extend(entry.diagnostics)
            continue
        fixed, applied, entry = fix_text(text, job, team, unsafe)
        outcome = FileFix(job.path, text, fixed, applied)
        if outcome.changed and write:
            try:
                replace_unchanged(job.path, raw, fixed.encode("utf-8"))
            except ChangedMeanwhile:
                run.changed_meanwhile.append(job.path)
                entry = lint_bytes(raw, job, team)[0]
                outcome = FileFix(job.path, text, text)
        run.files.append(outcome)
        run.findings.files += entry.checked
        run.findings.extend(entry.diagnostics)
    add_config_problems(finder, run.findings)
    return run


def fix_summary(run: FixRun, *, written: bool) -> str:
    """What `--fix` did, or what `--diff` would do."""
    changed = [f for f in run.files if f.changed]
    lines = [f"{visible(str(path))}: changed while being fixed; left as it was, run again"
             for path in run.changed_meanwhile]
    noun = "finding" if run.fixed == 1 else "findings"
    files = f"{len(changed)} file{'s' if len(changed) != 1 else ''}"
    if not changed:
        lines.append("No fixes to apply." if written else "No fixes would be applied.")
    elif written:
        lines.append(f"Fixed {run.fixed} {noun} in {files}.")
    else:
        lines.append(f"Would fix {run.fixed} {noun} in {files}.")
    return "\n".join(lines)

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
from dataclasses import dataclass, field, replace
from pathlib import Path

from blueprint_cli.diagnostics import Diagnostic, Edit, Findings
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
    #: files that cannot be replaced as they are (read-only, hard-linked...), and why (left alone)
    refused: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def left_alone(self) -> bool:
        """Some fixes were not written: a refusal, whatever --exit-zero says."""
        return bool(self.changed_meanwhile or self.refused)

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
        new_entry = lint_bytes(new_text.encode("utf-8"), job, team)[0] if new_text != text else entry
        if new_text != text and not _broken(entry.diagnostics, new_entry.diagnostics):
            text, entry = new_text, new_entry
            applied.extend(chosen)
            continue
        # fixes that are right alone but not together: each alone, in order, on what the
        # previous ones made (a fix whose text has moved or gone is left for the next round)
        progress = False
        for d in chosen:
            assert d.fix is not None
            alone = apply(text, list(d.fix.edits)) if d.file == job.display else text
            if alone == text or not _still_offered(d, entry):
                continue
            alone_entry = lint_bytes(alone.encode("utf-8"), job, team)[0]
            if not _broken(entry.diagnostics, alone_entry.diagnostics):
                text, entry = alone, alone_entry
                applied.append(d)
                progress = True
        if not progress:
            break
    return text, applied, entry


def _still_offered(d: Diagnostic, entry: Entry) -> bool:
    """`d`'s fix is still offered, as it was, on the current text."""
    return any(o.fix == d.fix and o.code == d.code for o in entry.diagnostics)


def _broken(before: list[Diagnostic], after: list[Diagnostic]) -> bool:
    """Fixes that together broke the file: it no longer reads, or a key is now
    written twice (two renames to one name). New findings elsewhere are not
    the fixes' fault — a renamed key lets the checks below it run, which may
    find what was always there — and are reported, not a reason to drop every
    fix of the file."""
    if any(d.code in ("BP100", "BP101", "BP102") for d in after):
        return True

    def duplicates(diags: list[Diagnostic]) -> int:
        return sum(d.code == "BP105" for d in diags)

    return duplicates(after) > duplicates(before)


def fix_paths(paths: Sequence[Path], team: Team | None = None, options: RunOptions = RunOptions(),
              unsafe: bool = False, write: bool = True) -> FixRun:
    from blueprint_cli.store.files import ChangedMeanwhile, NotReplaced, replace_unchanged

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
        # a fix `fix_text` could not apply without breaking the file is not offered as one
        # ("N fixable with --fix" after --fix would promise what running it again never does)
        entry = Entry(entry.checked, [replace(d, fix=None) if d.fix is not None and (d.fix.safe or unsafe)
                                      and d.file == job.display else d for d in entry.diagnostics])
        outcome = FileFix(job.path, text, fixed, applied)
        if outcome.changed and write:
            try:
                replace_unchanged(job.path, raw, fixed.encode("utf-8"))
            except ChangedMeanwhile:
                run.changed_meanwhile.append(job.path)
                entry = lint_bytes(raw, job, team)[0]
                outcome = FileFix(job.path, text, text)
            except NotReplaced as exc:
                run.refused.append((job.path, str(exc)))
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
    lines += [f"{visible(str(path))}: not fixed, {why}; left as it was (`--diff` shows the fixes)"
              for path, why in run.refused]
    noun = "finding" if run.fixed == 1 else "findings"
    files = f"{len(changed)} file{'s' if len(changed) != 1 else ''}"
    if not changed and run.left_alone:
        pass  # said above, file by file
    elif not changed:
        lines.append("No fixes to apply." if written else "No fixes would be applied.")
    elif written:
        lines.append(f"Fixed {run.fixed} {noun} in {files}.")
    else:
        lines.append(f"Would fix {run.fixed} {noun} in {files}.")
    return "\n".join(lines)

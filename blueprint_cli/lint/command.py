"""Running `blueprint lint`, once its command line is understood.

The command (cli/lint_cmd.py) parses its arguments into values, builds a
`LintRun` from them — the files, the run's options (configuration, cache,
selection), the team, the reporter, the fixer — and hands it to `execute`,
which lints (or fixes, or watches) and returns the exit code. Nothing here
writes to the terminal or a file: everything a user reads goes through the
run's `Reporter`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from blueprint_cli.diagnostics import Findings, Severity
    from blueprint_cli.language.team import Team
    from blueprint_cli.lint.run import RunOptions


class Reporter(Protocol):
    """Where a run's output goes."""

    def text(self, text: str) -> None:
        """Text for standard output (`--explain`, `--list-rules`, a `--diff` patch)."""

    def findings(self, findings: Findings) -> None:
        """The report of a run, in the chosen format."""

    def note(self, line: str) -> None:
        """A line for people, beside the report (what `--fix` did, `--watch` waiting)."""

    def clear(self) -> None:
        """Before a `--watch` round: clear the screen, when the report goes to one."""


class Fixer(NamedTuple):
    """`--fix` (write) or `--diff` (only show the patch)."""

    write: bool
    #: `--unsafe-fixes`: fixes that make a choice too
    unsafe: bool = False


class LintRun(NamedTuple):
    """Everything one `blueprint lint` does, decided before it starts."""

    reporter: Reporter
    paths: tuple[Path, ...] = ()
    team: Team | None = None
    options: RunOptions | None = None
    #: severities that fail the run (warnings too with `--strict`)
    failing: frozenset[Severity] = frozenset()
    exit_zero: bool = False
    #: `--unsafe-fixes` without `--fix`: unsafe fixes count as available
    unsafe_fixes: bool = False
    fixer: Fixer | None = None
    watch: bool = False
    #: `--explain`, `--list-rules`: this text is all there is to do
    info: str | None = None


def execute(run: LintRun) -> int:
    """Run it; the exit code (0 clean, 1 findings that fail the run or a refusal)."""
    if run.info is not None:
        run.reporter.text(run.info)
        return 0
    if run.fixer is not None:
        return _fix(run, run.fixer)
    if run.watch:
        from blueprint_cli.lint.watch import watch

        watch(run.paths, lambda: _once(run), clear=run.reporter.clear, note=run.reporter.note)
        return 0
    return _once(run)[0]


def _options(run: LintRun) -> RunOptions:
    from blueprint_cli.lint.run import RunOptions

    return run.options or RunOptions()


def _failed(run: LintRun, findings: Findings) -> bool:
    return not run.exit_zero and any(d.severity in run.failing for d in findings.diagnostics)


def _once(run: LintRun) -> tuple[int, Sequence[Path]]:
    from blueprint_cli.lint.run import lint_paths

    result = lint_paths(run.paths, run.team, _options(run))
    result.findings.unsafe_fixes = run.unsafe_fixes
    run.reporter.findings(result.findings)
    return int(_failed(run, result.findings)), result.configs


def _fix(run: LintRun, fixer: Fixer) -> int:
    """`--fix` (apply, then report what is left) and `--diff` (show the patch)."""
    from blueprint_cli.lint.autofix import fix_paths, fix_summary

    done = fix_paths(run.paths, run.team, _options(run), fixer.unsafe, write=fixer.write)
    if not fixer.write:
        run.reporter.text("".join(f.diff() for f in done.files if f.changed))
        run.reporter.note(fix_summary(done, written=False))
        return int(bool(done.fixed) and not run.exit_zero)
    run.reporter.findings(done.findings)
    run.reporter.note(fix_summary(done, written=True))
    # a file left alone (changed meanwhile, read-only, hard-linked...) is a refusal, whatever --exit-zero says
    return int(done.left_alone or _failed(run, done.findings))

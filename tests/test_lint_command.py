"""lint/command.py: a built `LintRun` is executed, and everything it says goes
through its reporter (the command's only writer is `cli/lint_cmd.Output`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprint_cli.diagnostics import Findings, Severity
from blueprint_cli.lint.command import Fixer, LintRun, execute
from blueprint_cli.lint.run import RunOptions

CASES = Path(__file__).resolve().parent / "lint_cases"


class Recorder:
    def __init__(self) -> None:
        self.said: list[tuple[str, object]] = []

    def text(self, text: str) -> None:
        self.said.append(("text", text))

    def findings(self, findings: Findings) -> None:
        self.said.append(("findings", sorted(d.code for d in findings.diagnostics)))

    def note(self, line: str) -> None:
        self.said.append(("note", line))

    def clear(self) -> None:
        self.said.append(("clear", None))


def test_a_run_reports_only_through_its_reporter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text((CASES / "bp301_unknown_state.yaml").read_text())
    errors = frozenset({Severity.ERROR})
    out = Recorder()
    assert execute(LintRun(out, (bad,), None, RunOptions(), errors)) == 1
    assert out.said == [("findings", ["BP301"])]
    assert execute(LintRun(out, (bad,), None, RunOptions(), errors, exit_zero=True)) == 0
    out.said.clear()
    assert execute(LintRun(out, (bad,), None, RunOptions(), errors, fixer=Fixer(write=False))) == 1
    assert [kind for kind, _ in out.said] == ["text", "note"] and "+++ " in str(out.said[0][1])
    assert capsys.readouterr() == ("", "")

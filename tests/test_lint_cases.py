"""Negative and positive example folders, linted through the real CLI.

Every file in `tests/lint_cases/` starts with comment lines naming exactly the
findings `blueprint lint` must report for it:

    # expect: BP301 13:9 did you mean 'Negotiation'?     (code line:col [text in the message])
    # expect: clean                                      (no finding at all)
    # team: ../data/team.yaml                            (lint with --team, path relative to the case)

The run must exit 1 when an expected finding is an error, else 0 (and 1 with
`--strict` when there are warnings), and never print a traceback.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from blueprint_cli.lint.run import discover
from blueprint_cli.check.rules import catalogue

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
CASES = HERE / "lint_cases"
SAMPLES = REPO_ROOT / "sample_blueprints"
TEAM = REPO_ROOT / "examples" / "team.yaml"

_EXPECT = re.compile(r"^# expect: (?P<code>BP\d{3}) (?P<line>\d+):(?P<col>\d+)(?: (?P<text>.+))?$")
_FINDING = re.compile(
    r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|info) (?P<code>BP\d{3}) (?P<message>.*)$"
)


@dataclass(frozen=True)
class Expected:
    code: str
    line: int
    col: int
    text: str | None


@dataclass
class Case:
    path: Path
    expected: list[Expected]
    team: Path | None


def parse_case(path: Path) -> Case:
    expected: list[Expected] = []
    team: Path | None = None
    clean = False
    # read as bytes: one case is deliberately not UTF-8 after its header
    for raw in path.read_bytes().split(b"\n"):
        line = raw.decode("utf-8", "replace").rstrip("\r")
        if not line.startswith("#"):
            break
        if m := _EXPECT.match(line):
            expected.append(Expected(m["code"], int(m["line"]), int(m["col"]), m["text"]))
        elif line.strip() == "# expect: clean":
            clean = True
        elif line.startswith("# expect:"):
            raise ValueError(f"{path.name}: cannot read {line!r}")
        elif line.startswith("# team: "):
            team = (path.parent / line[len("# team: "):].strip()).resolve()
    if clean == bool(expected):
        raise ValueError(f"{path.name}: start with `# expect: CODE LINE:COL` lines or `# expect: clean`")
    return Case(path, expected, team)


def findings(output: str) -> list[re.Match[str]]:
    """Parse text-format output; every line is a finding or its indented hint."""
    out = []
    for line in output.splitlines():
        if line.startswith("    hint: "):
            continue
        m = _FINDING.match(line)
        assert m, f"not a finding line: {line!r}"
        out.append(m)
    return out


CASE_FILES = sorted(p for p in CASES.iterdir() if p.suffix in (".yaml", ".yml"))


def test_the_case_folder_is_not_empty() -> None:
    assert len(CASE_FILES) >= 40


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_lint_case(cli, path: Path) -> None:
    case = parse_case(path)
    args = ["lint", str(path)] + (["--team", str(case.team)] if case.team else [])
    result = cli(*args)

    assert "Traceback" not in result.output
    got = findings(result.stdout)
    assert all(m["file"] == str(path) for m in got)
    assert Counter((m["code"], int(m["line"]), int(m["col"])) for m in got) == \
        Counter((e.code, e.line, e.col) for e in case.expected), result.stdout
    for e in case.expected:
        if e.text:
            messages = [m["message"] for m in got if (m["code"], int(m["line"]), int(m["col"])) == (e.code, e.line, e.col)]
            assert any(e.text in msg for msg in messages), f"{e.text!r} not in {messages}"
    # the severity printed is the rule's default severity
    rules = catalogue()
    assert all(m["severity"] == rules[m["code"]].severity.value for m in got)

    errors = any(rules[e.code].severity.value == "error" for e in case.expected)
    assert result.exit_code == (1 if errors else 0), result.output
    warnings = any(rules[e.code].severity.value == "warning" for e in case.expected)
    if warnings and not errors:  # warnings only: --strict makes them fail the run (info never does)
        assert cli(*args, "--strict").exit_code == 1


def test_every_rule_has_a_negative_example() -> None:
    covered = {e.code for p in CASE_FILES for e in parse_case(p).expected}
    # BP001 is a finding in a TOML configuration file, not in YAML: tests/test_lint_config.py
    covered.add("BP001")
    # BP114/BP119 and the loader codes are reached by the schema and loader cases too
    assert set(catalogue()) <= covered, sorted(set(catalogue()) - covered)


def test_there_is_a_clean_case() -> None:
    assert any(not parse_case(p).expected for p in CASE_FILES)


# Cases that cannot carry an `# expect:` header, generated here.

@pytest.mark.parametrize("content, code, position", [
    pytest.param(b"", "BP101", "1:1", id="empty-file"),
    pytest.param(b"\n\n   \n", "BP101", "1:1", id="whitespace-only"),
    pytest.param(b"\xef\xbb\xbf", "BP101", "1:1", id="bom-only"),
    pytest.param(b"---\n...\n", "BP101", "1:1", id="empty-document"),
    pytest.param(b"# only a comment, no newline at the end", "BP101", "1:1", id="comment-no-newline"),
    pytest.param(b"null\n", "BP102", "1:1", id="null-document"),
    pytest.param(b"# big\n" + b"x: " + b"y" * (11 * 1024 * 1024) + b"\n", "BP104", "1:1", id="larger-than-10-MiB"),
])
def test_generated_bad_file(cli, tmp_path: Path, content: bytes, code: str, position: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    result = cli("lint", path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    got = findings(result.stdout)
    assert [(m["code"], f'{m["line"]}:{m["col"]}') for m in got] == [(code, position)]


def test_a_folder_of_cases_reports_every_file(cli) -> None:
    result = cli("lint", CASES, "--team", HERE / "data" / "team.yaml")
    assert result.exit_code == 1
    files = {m["file"] for m in findings(result.stdout)}
    # a folder walk lints blueprints only: the docker-compose and settings-file cases are skipped there
    dirty = {str(p) for p in CASE_FILES if parse_case(p).expected and not p.name.startswith(("bp003_", "bp004_"))}
    assert files == dirty


# Positive examples

# the blueprints `blueprint lint sample_blueprints/` finds (scenario files beside them are not blueprints)
SAMPLE_FILES = discover([SAMPLES])


def test_there_are_at_least_four_samples() -> None:
    assert len(SAMPLE_FILES) >= 4


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.stem for p in SAMPLE_FILES])
def test_sample_lints_clean_with_the_team_file(cli, path: Path) -> None:
    result = cli("lint", "--strict", "--team", TEAM, path)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "All clean: 1 file checked." in result.stderr


def test_sample_folder_lints_clean(cli) -> None:
    result = cli("lint", "--strict", "--team", TEAM, SAMPLES)
    assert result.exit_code == 0, result.output
    assert f"All clean: {len(SAMPLE_FILES)} files checked." in result.stderr

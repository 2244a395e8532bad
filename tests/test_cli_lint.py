"""`blueprint lint` and `blueprint schema` as a user drives them: exit codes,
rule selection, --strict, --explain, and the text/json/github formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from blueprint_cli.check.rules import catalogue

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
CASES = HERE / "lint_cases"
SAMPLE = REPO_ROOT / "sample_blueprints" / "deal-follow-up.yaml"

# One finding each of BP203 (warning), BP301 and BP302 (errors).
MIXED = """\
blueprint: mixed
module: Deals
field: stage
fields:
  amount: {type: currency}
states:
  - name: Qualification
  - name: Negotiation
  - name: Closed Won
    final: true
  - name: Archived
    final: true
transitions:
  - name: Negotiate
    from: Qualification
    to: Negotiation
  - name: Win
    from: [Negotiation, Qualifcation]
    to: Closed Won
    when: {field: ammount, gt: 0}
"""

WARNING_ONLY = """\
blueprint: warning-only
module: Deals
field: stage
states:
  - name: Open
  - name: Won
    final: true
  - name: Archived
    final: true
transitions:
  - {name: Win, from: Open, to: Won}
"""


def codes(stdout: str) -> list[str]:
    return [line.split()[2] for line in stdout.splitlines() if not line.startswith(" ")]


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.yaml"
    path.write_text(MIXED)
    return path


@pytest.fixture
def warning_only(tmp_path: Path) -> Path:
    path = tmp_path / "warning-only.yaml"
    path.write_text(WARNING_ONLY)
    return path


# ----- exit codes ------------------------------------------------------------------------

def test_clean_file_exits_0_with_a_summary_on_stderr(cli) -> None:
    result = cli("lint", SAMPLE)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "All clean: 1 file checked.\n"


def test_errors_exit_1_and_print_one_line_per_finding(cli, mixed: Path) -> None:
    result = cli("lint", mixed)
    assert result.exit_code == 1
    assert sorted(codes(result.stdout)) == ["BP203", "BP301", "BP302"]
    # `[*]`: `--fix` repairs it
    assert f"{mixed}:18:25: error BP301 [*] unknown state 'Qualifcation' in `from` of 'Win' — did you mean " \
           f"'Qualification'?\n" in result.stdout
    assert f"{mixed}:20:19: error BP302 [*] field 'ammount' in transition 'Win' is not declared — did you mean " \
           f"'amount'?\n" in result.stdout
    assert f"{mixed}:11:11: warning BP203 state" in result.stdout
    assert "Found 2 errors and 1 warning in 1 of 1 file. 2 fixable with `blueprint lint --fix`." in result.stderr


def test_hints_are_indented_under_their_finding(cli, warning_only: Path) -> None:
    lines = cli("lint", warning_only).stdout.splitlines()
    assert lines[0].startswith(f"{warning_only}:8:11: warning BP203 ")
    assert lines[1] == "    hint: add a transition into it, or remove it"


def test_one_bad_file_among_good_ones_fails_the_run(cli, mixed: Path) -> None:
    result = cli("lint", SAMPLE, mixed, SAMPLE.parent)
    assert result.exit_code == 1
    assert {line.split(":")[0] for line in result.stdout.splitlines() if not line.startswith(" ")} == {str(mixed)}


def test_missing_path_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("lint", SAMPLE, tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr and "nope.yaml" in result.stderr
    assert result.stdout == ""


def test_no_path_is_a_usage_error(cli) -> None:
    result = cli("lint")
    assert result.exit_code == 2
    assert "give at least one file or folder" in result.stderr


@pytest.mark.parametrize("args", [
    ["lint", "--bogus", str(SAMPLE)],
    ["lint", "--format", "xml", str(SAMPLE)],
    ["lint", "--jobs", "0", str(SAMPLE)],
    ["--bogus", "lint", str(SAMPLE)],
    ["lint", "--select", "BP999", str(SAMPLE)],
    ["lint", "--ignore", "XY1", str(SAMPLE)],
], ids=["unknown-option", "unknown-format", "bad-jobs", "unknown-global-option", "select-unknown-code",
        "ignore-unknown-prefix"])
def test_usage_errors_exit_2(cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_unreadable_team_file_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("lint", "--team", tmp_path / "team.yaml", SAMPLE)
    assert result.exit_code == 2
    assert "no team file at" in result.stderr


def test_folder_without_blueprints_is_clean(cli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not yaml")
    result = cli("lint", tmp_path)
    assert result.exit_code == 0
    assert "No blueprints to check" in result.stderr and "All clean" not in result.stderr


def test_folders_are_searched_recursively_for_yaml_and_yml_skipping_hidden(cli, tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "a" / "b" / "deep.yml").write_text("- a list\n")
    (tmp_path / "a" / "top.yaml").write_text("- a list\n")
    (tmp_path / ".hidden" / "skipped.yaml").write_text("- a list\n")
    (tmp_path / "a" / "readme.md").write_text("- a list\n")
    result = cli("lint", tmp_path)
    assert result.exit_code == 1
    files = sorted(line.split(":")[0] for line in result.stdout.splitlines() if not line.startswith(" "))
    assert files == [str(tmp_path / "a" / "b" / "deep.yml"), str(tmp_path / "a" / "top.yaml")]


# ----- --select / --ignore / --strict ------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (["--select", "BP301"], ["BP301"]),
    (["--select", "BP3"], ["BP301", "BP302"]),
    (["--select", "bp3"], ["BP301", "BP302"]),
    (["--select", "BP301,BP203"], ["BP203", "BP301"]),
    (["--select", "BP301", "--select", "BP302"], ["BP301", "BP302"]),
    (["--ignore", "BP3"], ["BP203"]),
    (["--ignore", "BP301, BP203"], ["BP302"]),
    (["--select", "BP3", "--ignore", "BP302"], ["BP301"]),
    (["--select", "BP2"], ["BP203"]),
    (["--ignore", "BP"], []),
])
def test_select_and_ignore_take_codes_and_prefixes(cli, mixed: Path, args: list[str], expected: list[str]) -> None:
    result = cli("lint", *args, mixed)
    assert sorted(codes(result.stdout)) == expected
    assert result.exit_code == (1 if any(c != "BP203" for c in expected) else 0)


def test_select_applies_to_loader_findings_too(cli, tmp_path: Path) -> None:
    bad = tmp_path / "list.yaml"
    bad.write_text("- a list\n")
    assert codes(cli("lint", "--select", "BP102", bad).stdout) == ["BP102"]


def test_a_file_that_cannot_be_checked_never_comes_out_clean(cli, tmp_path: Path) -> None:
    # ignoring the one error that stops the check would otherwise report a
    # broken file as clean: its first error stays, marked as such
    bad = tmp_path / "list.yaml"
    bad.write_text("- a list\n")
    ignored = cli("lint", "--ignore", "BP102", bad)
    assert ignored.exit_code == 1
    assert codes(ignored.stdout) == ["BP102"]
    assert "shown although not selected" in ignored.stdout
    misspelt = tmp_path / "misspelt.yaml"
    misspelt.write_text("blueprint: x\nmodule: M\nfield: s\nstates: [{name: A}, {name: B, final: true}]\n"
                        "transitions: [{name: T, form: A, to: B}]\n")
    assert cli("lint", "--select", "BP3", misspelt).exit_code == 1


def test_ignoring_unknown_keys_still_runs_the_semantic_rules(cli, tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text("blueprint: x\nmodule: M\nfield: s\nstates: [{name: A}, {name: B, final: true}]\n"
                     "transitions: [{name: T, from: A, to: Bee, colour: red}]\n")
    result = cli("lint", "--ignore", "BP110", extra)
    assert codes(result.stdout) == ["BP301"]
    assert result.exit_code == 1


def test_warnings_alone_exit_0(cli, warning_only: Path) -> None:
    result = cli("lint", warning_only)
    assert result.exit_code == 0
    assert codes(result.stdout) == ["BP203"]
    assert "Found 1 warning in 1 of 1 file." in result.stderr


def test_strict_turns_a_warning_into_exit_1(cli, warning_only: Path) -> None:
    result = cli("lint", "--strict", warning_only)
    assert result.exit_code == 1
    assert codes(result.stdout) == ["BP203"]


def test_strict_with_the_warning_ignored_is_clean(cli, warning_only: Path) -> None:
    assert cli("lint", "--strict", "--ignore", "BP203", warning_only).exit_code == 0


# ----- --explain / --list-rules ---------------------------------------------------------------

@pytest.mark.parametrize("code", list(catalogue()))
def test_explain_prints_the_rule_documentation(cli, code: str) -> None:
    rule = catalogue()[code]
    result = cli("lint", "--explain", code)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{code} {rule.name} ({rule.severity.value})\n\n")
    assert rule.doc.strip() in result.stdout
    assert len(rule.doc.strip().splitlines()) >= 3


def test_explain_is_case_insensitive(cli) -> None:
    assert cli("lint", "--explain", "bp301").stdout == cli("lint", "--explain", "BP301").stdout


def test_explain_unknown_code_exits_2_with_a_suggestion(cli) -> None:
    result = cli("lint", "--explain", "BP999")
    assert result.exit_code == 2
    assert "no rule 'BP999'" in result.stderr
    assert result.stdout == ""


def test_list_rules_lists_every_code_with_its_severity(cli) -> None:
    """Every code `--explain` knows: the blueprint rules, then the scenario-file rules (lint checks both)."""
    from blueprint_cli.scenarios.rules import catalogue as scenario_rules

    every = {**catalogue(), **scenario_rules()}
    result = cli("lint", "--list-rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(every)
    assert "SC303" in every
    for line, rule in zip(lines, every.values()):
        assert line.split()[1] == rule.severity.value


# ----- team file ------------------------------------------------------------------------------

def test_owners_are_checked_against_the_workspace_team_file(cli, tmp_path: Path) -> None:
    """Inside a workspace, its team file is used without --team (the workspace is
    found as every command finds it)."""
    assert cli("init", "--no-sample", tmp_path).exit_code == 0
    (tmp_path / ".blueprint" / "team.yaml").write_text("users:\n  bob: {roles: [sales_manager]}\n")
    bp = tmp_path / "bp.yaml"
    bp.write_text(WARNING_ONLY.replace("{name: Win, from: Open, to: Won}",
                                       '{name: Win, from: Open, to: Won, owners: ["role:sales_mgr"]}')
                  .replace("  - name: Archived\n    final: true\n", ""))
    result = cli("lint", bp)  # the fixture runs in tmp_path
    assert result.exit_code == 1
    assert "BP305 unknown role 'sales_mgr' — did you mean 'sales_manager'?" in result.stdout
    assert cli("lint", "--ignore", "BP305", bp).exit_code == 0


def test_without_a_team_file_owners_are_not_checked(cli, tmp_path: Path) -> None:
    bp = tmp_path / "bp.yaml"
    bp.write_text(WARNING_ONLY.replace("{name: Win, from: Open, to: Won}",
                                       '{name: Win, from: Open, to: Won, owners: ["role:nobody"]}')
                  .replace("  - name: Archived\n    final: true\n", ""))
    assert cli("lint", bp).exit_code == 0


# ----- formats ----------------------------------------------------------------------------------

def test_json_format_shape(cli, mixed: Path) -> None:
    result = cli("lint", "--format", "json", mixed)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"files", "errors", "warnings", "diagnostics"}
    assert (data["files"], data["errors"], data["warnings"]) == (1, 2, 1)
    for d in data["diagnostics"]:
        assert {"file", "line", "col", "severity", "code", "message", "path"} <= set(d) <= \
            {"file", "line", "col", "severity", "code", "message", "path", "hint", "fix"}
        assert d["file"] == str(mixed)
        assert isinstance(d["line"], int) and isinstance(d["col"], int) and d["line"] >= 1 and d["col"] >= 1
        assert d["path"].startswith("$")
    unknown = next(d for d in data["diagnostics"] if d["code"] == "BP301")
    assert (unknown["line"], unknown["col"], unknown["severity"], unknown["path"]) == \
        (18, 25, "error", "$.transitions[1].from[1]")
    # findings come sorted by position
    assert [(d["line"], d["col"]) for d in data["diagnostics"]] == \
        sorted((d["line"], d["col"]) for d in data["diagnostics"])


def test_json_format_of_a_clean_run(cli) -> None:
    result = cli("lint", "--format", "json", SAMPLE)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"files": 1, "errors": 0, "warnings": 0, "diagnostics": []}
    assert result.stderr == ""  # the summary line is for the text format only


def _github_lines(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    out = []
    for line in stdout.splitlines():
        assert line.startswith("::")
        command, rest = line[2:].split(" ", 1)
        props, message = rest.split("::", 1)
        out.append((command, dict(p.split("=", 1) for p in props.split(",")), message))
    return out


def test_github_format_is_workflow_commands(cli, mixed: Path) -> None:
    result = cli("lint", "--format", "github", mixed)
    assert result.exit_code == 1
    lines = _github_lines(result.stdout)
    assert {(c, p["title"]) for c, p, _ in lines} == {("error", "BP301"), ("error", "BP302"), ("warning", "BP203")}
    command, props, message = next(x for x in lines if x[1]["title"] == "BP301")
    # relative to the root (no repository here: the current folder), as GitHub reads it
    assert props == {"file": "mixed.yaml", "line": "18", "col": "25",
                     "title": "BP301"}
    assert message.startswith("unknown state 'Qualifcation'")


def test_github_format_escapes_data_and_properties(cli, tmp_path: Path) -> None:
    folder = tmp_path / "we,ird:dir"
    folder.mkdir()
    bad = folder / "100%.yaml"
    bad.write_text(WARNING_ONLY.replace("blueprint: warning-only\n", 'blueprint: x\n"tit%le\\nx": y\n'))
    result = cli("lint", "--format", "github", "--select", "BP110", bad)
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    command, props, message = _github_lines(result.stdout)[0]
    assert command == "error" and props["title"] == "BP110"
    # in properties `%`, `:` and `,` are escaped; in the message `%` and line breaks
    assert props["file"] == "we%2Cird%3Adir/100%25.yaml"
    assert "unknown key 'tit%25le\\nx'" in message


def test_github_reporter_escapes_line_breaks() -> None:
    import io

    from blueprint_cli.diagnostics import Diagnostic, Findings, Severity
    from blueprint_cli.render.reporters import REPORTER_BY_NAME

    findings = Findings([Diagnostic("BP100", Severity.ERROR, "two\nlines\r and 5% more", "a,b:c.yaml", 3, 4,
                                    hint="50%")], files=1)
    out = io.StringIO()
    REPORTER_BY_NAME["github"](findings, out, False)
    assert out.getvalue() == "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=BP100::" \
                             "two%0Alines%0D and 5%25 more (hint: 50%25)\n"


def test_no_colour_codes_when_output_is_not_a_terminal(cli, mixed: Path) -> None:
    assert "\033[" not in cli("lint", mixed).output


# ----- schema ---------------------------------------------------------------------------------

def test_schema_command_prints_a_valid_draft_07_schema(cli) -> None:
    result = cli("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)


def test_schema_command_prints_the_schema_shipped_in_schemas(cli) -> None:
    """`schemas/blueprint.schema.json` is the file editors point at; the
    package ships the same schema."""
    printed = json.loads(cli("schema").stdout)
    assert printed == json.loads((REPO_ROOT / "schemas" / "blueprint.schema.json").read_text())


def test_samples_validate_against_the_printed_schema(cli) -> None:
    """What editors see (the JSON Schema alone) accepts every sample."""
    from blueprint_cli.lint.run import discover
    from blueprint_cli.language.loader import load_file

    validator = jsonschema.Draft7Validator(json.loads(cli("schema").stdout))
    for path in discover([REPO_ROOT / "sample_blueprints"]):
        doc, diags = load_file(path)
        assert doc is not None and not diags
        assert not list(validator.iter_errors(doc.data)), path


# ----- the console script itself ------------------------------------------------------------

def test_console_script_entry_point(tmp_path: Path, mixed: Path) -> None:
    """The installed entry point behaves like the in-process runs above."""
    proc = subprocess.run([sys.executable, "-m", "blueprint_cli", "lint", str(mixed)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 1
    assert "BP301" in proc.stdout and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "blueprint_cli", "lint", str(tmp_path / "nope")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_parallel_and_serial_runs_agree(cli) -> None:
    serial = cli("lint", "--format", "json", "-j", "1", "--team", HERE / "data" / "team.yaml", CASES)
    parallel = cli("lint", "--format", "json", "-j", "4", "--team", HERE / "data" / "team.yaml", CASES)
    assert serial.exit_code == parallel.exit_code == 1
    assert json.loads(serial.stdout) == json.loads(parallel.stdout)

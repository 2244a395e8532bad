"""`[tool.blueprint.lint]` / `.blueprint.toml` configuration, as a user writes it:
which file applies, what each key does, and bad configurations as findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CASES = HERE / "lint_cases"
UNREACHABLE = (CASES / "bp203_unreachable_state.yaml").read_text()  # one BP203 warning at 9:11
UNKNOWN_STATE = (CASES / "bp301_unknown_state.yaml").read_text()  # one BP301 error at 13:9


def codes(stdout: str) -> list[str]:
    return [line.split()[2] for line in stdout.splitlines() if not line.startswith(" ")]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "blueprints").mkdir()
    (tmp_path / "blueprints" / "unreachable.yaml").write_text(UNREACHABLE)
    (tmp_path / "blueprints" / "unknown.yaml").write_text(UNKNOWN_STATE)
    return tmp_path


def findings(cli, *args: str | Path) -> list[dict]:
    result = cli("lint", "--format", "json", *args)
    assert "Traceback" not in result.output
    return json.loads(result.stdout)["diagnostics"]


def test_without_configuration_both_findings_come(cli, project: Path) -> None:
    assert sorted(d["code"] for d in findings(cli, project / "blueprints")) == ["BP203", "BP301"]


def test_pyproject_select_ignore_and_severity(cli, project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.blueprint.lint]\nignore = ["BP3"]\n'
                                            '\n[tool.blueprint.lint.severity]\nBP203 = "error"\n')
    result = cli("lint", project / "blueprints")
    assert result.exit_code == 1, result.output  # the warning became an error
    assert codes(result.stdout) == ["BP203"]
    assert ":9:11: error BP203 " in result.stdout


def test_select_and_extend_select(cli, project: Path) -> None:
    (project / ".blueprint.toml").write_text('[lint]\nselect = ["BP4"]\nextend-select = ["BP203"]\n')
    assert [d["code"] for d in findings(cli, project / "blueprints")] == ["BP203"]
    # --select on the command line replaces the configured one; --extend-select still adds
    assert sorted(d["code"] for d in findings(cli, "--select", "BP3", project / "blueprints")) == ["BP203", "BP301"]
    # --ignore adds to the configured ignores
    assert findings(cli, "--ignore", "BP2", project / "blueprints") == []


def test_per_file_ignores_and_exclude_are_globs_relative_to_the_configuration(cli, project: Path) -> None:
    (project / "drafts").mkdir()
    (project / "drafts" / "wip.yaml").write_text(UNKNOWN_STATE)
    (project / "blueprint.toml").write_text('[lint]\nexclude = ["drafts"]\n\n[lint.per-file-ignores]\n'
                                            '"blueprints/unre*.yaml" = ["BP203"]\n')
    assert [(d["code"], Path(d["file"]).name) for d in findings(cli, project)] == [("BP301", "unknown.yaml")]
    # a file named on the command line is linted even when excluded, unless --force-exclude
    assert [d["code"] for d in findings(cli, project / "drafts" / "wip.yaml")] == ["BP301"]
    assert findings(cli, "--force-exclude", project / "drafts" / "wip.yaml") == []


def test_the_nearest_configuration_wins_and_dot_blueprint_toml_wins_in_its_folder(cli, project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.blueprint.lint]\nignore = ["BP3"]\n')
    (project / "blueprints" / "pyproject.toml").write_text('[tool.blueprint.lint]\nignore = ["BP2"]\n')
    assert [d["code"] for d in findings(cli, project / "blueprints")] == ["BP301"]
    (project / "blueprints" / ".blueprint.toml").write_text('[lint]\nignore = []\n')
    assert sorted(d["code"] for d in findings(cli, project / "blueprints")) == ["BP203", "BP301"]


def test_a_pyproject_without_tool_blueprint_does_not_count(cli, project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.blueprint.lint]\nignore = ["BP3"]\n')
    (project / "blueprints" / "pyproject.toml").write_text('[project]\nname = "other"\n')
    assert [d["code"] for d in findings(cli, project / "blueprints")] == ["BP203"]


def test_config_option_uses_one_file(cli, project: Path, tmp_path: Path) -> None:
    other = tmp_path / "ci.toml"
    other.write_text('[lint]\nselect = ["BP301"]\n')
    assert [d["code"] for d in findings(cli, "--config", other, project / "blueprints")] == ["BP301"]
    result = cli("lint", "--config", tmp_path / "nope.toml", project / "blueprints")
    assert result.exit_code == 2 and "no configuration file" in result.stderr


BAD = """\
[project]
name = "x"

[tool.blueprint.lint]
selct = ["BP2"]
ignore = ["BP301", "BP2O3"]
exclude = "drafts"
per-file-ignores = {"a/*.yaml" = ["BP999"]}

[tool.blueprint.lint.severity]
BP203 = "fatal"

[tool.blueprint.test]
x = 1
"""


def test_a_bad_configuration_is_findings_at_their_lines_and_the_rest_applies(cli, project: Path) -> None:
    (project / "pyproject.toml").write_text(BAD)
    result = cli("lint", project / "blueprints")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [line for line in result.stdout.splitlines() if "BP001" in line]
    assert [line.split(": error BP001 ")[0].rsplit("/", 1)[-1] for line in lines] == [
        "pyproject.toml:5:1", "pyproject.toml:6:20", "pyproject.toml:8:35", "pyproject.toml:11:9",
        "pyproject.toml:13:1"]
    assert "unknown key 'selct' in [tool.blueprint.lint] — did you mean 'select'?" in lines[0]
    assert "no rule matches 'BP2O3'" in lines[1]
    assert "no rule matches 'BP999'" in lines[2]
    assert "'fatal' is not one of error, warning, info" in lines[3]
    assert "unknown key 'test' in [tool.blueprint]" in lines[4]
    # the valid parts apply: BP301 is ignored, and `exclude` as one text is taken as a list
    assert codes(result.stdout).count("BP301") == 0
    assert codes(result.stdout).count("BP203") == 1
    assert "Found 5 errors and 1 warning in 2 of 3 files." in result.stderr


def test_toml_that_does_not_parse_is_one_finding_with_its_line(cli, project: Path) -> None:
    (project / ".blueprint.toml").write_text('[lint]\nselect = ["BP2"\nignore = 3\n')
    result = cli("lint", project / "blueprints")
    assert result.exit_code == 1
    [line] = [line for line in result.stdout.splitlines() if "BP001" in line]
    assert ".blueprint.toml:3:1: error BP001 invalid TOML: " in line, line
    # no configuration applies, so both findings come
    assert sorted(codes(result.stdout)) == ["BP001", "BP203", "BP301"]


def test_unknown_codes_on_the_command_line_are_usage_errors(cli, project: Path) -> None:
    result = cli("lint", "--extend-select", "XX1", project)
    assert result.exit_code == 2 and "no rule matches 'XX1'" in result.stderr

"""`blueprint lint` tells what a file is: blueprints are linted as blueprints,
scenario and team files as what they are, and other YAML (docker-compose.yml,
CI workflows) is skipped in folders and with --blueprints-only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = REPO_ROOT / "sample_blueprints"
COMPOSE = "services:\n  web: {image: nginx}\nversion: '3'\n"
WORKFLOW = "on: push\njobs:\n  test: {runs-on: ubuntu-latest, steps: []}\n"


def codes(stdout: str) -> list[str]:
    return [line.split()[2] for line in stdout.splitlines() if not line.startswith(" ")]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copy(SAMPLES / "deal-follow-up.yaml", tmp_path / "deal-follow-up.yaml")
    shutil.copy(SAMPLES / "deal-follow-up.scenarios.yaml", tmp_path / "deal-follow-up.scenarios.yaml")
    (tmp_path / "docker-compose.yml").write_text(COMPOSE)
    (tmp_path / "ci.yml").write_text(WORKFLOW)
    (tmp_path / "team.yaml").write_text("users:\n  alice: {role: [sales_rep]}\n")
    return tmp_path


def test_a_folder_walk_lints_only_the_blueprints(cli, repo: Path) -> None:
    result = cli("lint", repo)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "All clean: 1 file checked." in result.stderr


def test_blueprints_only_skips_named_files_that_are_not_blueprints(cli, repo: Path) -> None:
    result = cli("lint", "--blueprints-only", *sorted(repo.iterdir()))
    assert result.exit_code == 0, result.output
    assert "All clean: 1 file checked." in result.stderr


def test_a_named_docker_compose_file_is_one_finding_not_a_list_of_blueprint_errors(cli, repo: Path) -> None:
    result = cli("lint", repo / "docker-compose.yml")
    assert result.exit_code == 1
    assert codes(result.stdout) == ["BP003"]
    assert "docker-compose.yml:1:1: error BP003 this is not a blueprint" in result.stdout


def test_a_named_team_file_is_checked_against_the_team_schema(cli, repo: Path) -> None:
    result = cli("lint", repo / "team.yaml")
    assert result.exit_code == 1
    assert codes(result.stdout) == ["BP110"]
    assert "team.yaml:2:11: error BP110 unknown key 'role'" in result.stdout and "did you mean 'roles'?" in \
        result.stdout


def test_a_named_scenario_file_gets_its_scenario_checks(cli, repo: Path) -> None:
    path = repo / "deal-follow-up.scenarios.yaml"
    assert cli("lint", path).exit_code == 0
    text = path.read_text()
    broken = text.replace("Negotiate", "Negotaite", 1)
    assert broken != text
    path.write_text(broken)
    result = cli("lint", path)
    assert result.exit_code == 1, result.output
    assert codes(result.stdout) == ["SC303"]
    assert "did you mean 'Negotiate'?" in result.stdout


def test_a_workspace_settings_file_is_checked_as_settings(cli, tmp_path: Path) -> None:
    (tmp_path / ".blueprint").mkdir()
    config = tmp_path / ".blueprint" / "config.yaml"
    config.write_text("# settings\nformat: 1\noutbox: outbox\n")
    assert cli("lint", "--strict", config).exit_code == 0
    config.write_text("# settings\nformat: 1\ncalender: {days: mon-fri}\n")
    result = cli("lint", config)
    assert result.exit_code == 1
    assert "config.yaml:3:1: error BP110 unknown key 'calender' in the top level — did you mean 'calendar'?" \
        in result.stdout
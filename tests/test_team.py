"""The team file (blueprint_cli/language/team.py): one reader for commands, the linter
and scenario files, validated against the shipped team schema."""

from __future__ import annotations

import json
from pathlib import Path

from blueprint_cli.language import schema
from workspace_helpers import cli, deal_workspace

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_blueprints" / "deal-follow-up.yaml"

OWNED = """\
blueprint: owned
module: Deals
field: stage
states:
  - name: Open
  - name: Won
    final: true
transitions:
  - {name: Win, from: Open, to: Won, owners: ["role:sales_manager", "profile:boss"]}
"""


def test_one_role_written_as_text_is_that_role_for_the_linter(tmp_path: Path) -> None:
    """`roles: sales_manager` once read as the letters s, a, l, e, ... by the linter."""
    (tmp_path / "team.yaml").write_text("users:\n  bob: {roles: sales_manager, profile: boss}\n")
    (tmp_path / "owned.yaml").write_text(OWNED)
    result = cli("lint", "--team", "team.yaml", "owned.yaml", cwd=tmp_path)
    assert result.code == 0, result.out
    assert "BP305" not in result.out


def test_a_typo_in_the_team_file_is_a_usage_error_with_its_line_and_a_did_you_mean(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text("users:\n  bob: {role: [sales_manager]}\n  alice: admin\n")
    (tmp_path / "owned.yaml").write_text(OWNED)
    result = cli("lint", "--team", "team.yaml", "owned.yaml", cwd=tmp_path)
    assert result.code == 2
    assert "team.yaml:2:9: unknown key 'role' in users.bob — did you mean 'roles'?" in result.err
    assert "team.yaml:3:10: users.alice must be a mapping or nothing, not text" in result.err
    assert "Traceback" not in result.err


def test_a_command_that_reads_a_broken_team_file_refuses_before_writing(tmp_path: Path) -> None:
    ws = deal_workspace(tmp_path)
    created = cli("--as", "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
                  cwd=tmp_path)
    assert created.code == 0, created.err
    before = ws.store.get("1").history
    team = tmp_path / ".blueprint" / "team.yaml"
    team.write_text(team.read_text().replace("alice: {roles:", "alice: {rolse:"))
    moved = cli("--as", "alice", "move", "1", "Negotiate", cwd=tmp_path)
    assert moved.code == 2
    shown = "".join(moved.err.split())  # long paths are wrapped to the terminal
    line = team.read_text().splitlines().index(next(x for x in team.read_text().splitlines() if "rolse" in x)) + 1
    assert f"team.yaml:{line}:11:unknownkey'rolse'inusers.alice—didyoumean'roles'?" in shown
    assert ws.store.get("1").history == before


def test_the_scenario_schema_describes_an_inline_team_as_the_team_schema_does() -> None:
    team = schema.schema("team.schema.json")
    inline = schema.schema("scenario.schema.json")["definitions"]["team"]
    assert inline["properties"] == team["properties"]
    assert inline["additionalProperties"] is team["additionalProperties"] is False


def test_the_team_schema_is_shipped_where_editors_find_it() -> None:
    shipped = json.loads((REPO / "schemas" / "team.schema.json").read_text())
    assert shipped == schema.schema("team.schema.json")


def test_an_empty_team_file_is_a_team_of_nobody(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text("# nobody yet\n")
    assert cli("lint", "team.yaml", cwd=tmp_path).code == 0
    (tmp_path / "owned.yaml").write_text(OWNED)
    owners = cli("lint", "--team", "team.yaml", "owned.yaml", cwd=tmp_path)
    assert owners.code == 1
    assert "BP305 unknown role 'sales_manager'\n    hint: the team file in team.yaml declares roles: none" in owners.out


def test_a_scenario_file_naming_a_broken_team_file_shows_the_team_files_findings(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text("users:\n  ann: {role: [x]}\n")
    (tmp_path / "owned.yaml").write_text(OWNED)
    (tmp_path / "owned.scenarios.yaml").write_text(
        "team: team.yaml\nscenarios:\n  - name: x\n    record: {owner: ann}\n    steps:\n      - wait: 1d\n")
    result = cli("test", "owned.scenarios.yaml", cwd=tmp_path)
    assert result.code == 1
    assert [line.strip() for line in result.out.splitlines() if ": error " in line] == [
        "team.yaml:2:9: error BP110 unknown key 'role' in users.ann — did you mean 'roles'?",
        "owned.scenarios.yaml:1:7: error SC311 the team file team.yaml has errors, so users cannot be checked"]


def test_a_misspelt_top_level_key_in_a_team_file_gets_a_did_you_mean(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text("user:\n  alice: {roles: [rep]}\n")
    result = cli("lint", "team.yaml", cwd=tmp_path)
    assert result.code == 1
    assert result.out.startswith("team.yaml:1:1: error BP110 unknown key 'user' in the top level — did you mean "
                                 "'users'?"), result.out

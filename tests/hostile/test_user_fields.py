"""Hostile input, round two, 13 (d): a user field naming nobody on the team
(`--set reviewer=bobb`) was accepted by `record create` and `record set`. When
the team file lists users it is refused with the reason — exit 1, nothing
written — as someone not on the team may not act (`--as`), unless
config.yaml says `unknown_users: allow`."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from blueprint_cli.workspace.publishing import publish
from workspace_helpers import NOW, deal_workspace, run

REVIEWED = """\
blueprint: reviewed
module: Reviews
field: stage
fields:
  title: {type: text}
  reviewer: {type: user}
states:
  - name: Open
  - name: Done
    final: true
transitions:
  - name: Close
    from: Open
    to: Done
"""
TEAM = ("alice", "bob", "carol", "dave", "erin", "frank", "grace")


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    ws = deal_workspace(tmp_path)
    source = tmp_path / "reviewed.yaml"
    source.write_text(REVIEWED, encoding="utf-8")
    publish(ws, source, user="grace", at=NOW)
    return tmp_path


def _records(folder: Path) -> list[Path]:
    return sorted((folder / ".blueprint" / "records").rglob("*.json"))


def test_create_with_an_unknown_user_is_refused_and_writes_nothing(folder: Path) -> None:
    before = _records(folder)
    result = run(folder, "record", "create", "Reviews", "--set", "title=Q3", "--set", "reviewer=bobb")
    assert result.code == 1 and "Traceback" not in result.err, result
    assert "'bobb' is not a user" in result.err and "did you mean 'bob'" in result.err.lower(), result
    assert _records(folder) == before


def test_set_with_an_unknown_user_is_refused_and_changes_nothing(folder: Path) -> None:
    assert run(folder, "record", "create", "Reviews", "--set", "title=Q3", "--set", "reviewer=bob").code == 0
    [file] = _records(folder)
    saved = file.read_bytes()
    record_id = file.stem
    result = run(folder, "record", "set", record_id, "reviewer=nobody")
    assert result.code == 1 and "'nobody' is not a user" in result.err, result
    assert file.read_bytes() == saved


def test_unknown_users_allow_lets_a_user_field_name_anyone(folder: Path) -> None:
    config = folder / ".blueprint" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "unknown_users: allow\n", encoding="utf-8")
    result = run(folder, "record", "create", "Reviews", "--set", "title=Q3", "--set", "reviewer=contractor")
    assert result.code == 0, result


def test_a_team_member_and_an_empty_value_are_accepted(folder: Path) -> None:
    assert run(folder, "record", "create", "Reviews", "--set", "reviewer=carol").code == 0
    assert run(folder, "record", "create", "Reviews", "--set", "reviewer=").code == 0


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet="abcdefgrlionvx", min_size=1, max_size=8))
def test_a_user_field_holds_a_team_member_or_nothing_is_written(name: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        ws = deal_workspace(Path(tmp))
        source = Path(tmp) / "reviewed.yaml"
        source.write_text(REVIEWED, encoding="utf-8")
        publish(ws, source, user="grace", at=NOW)
        result = run(Path(tmp), "record", "create", "Reviews", "--set", f"reviewer={name}")
        assert result.code == (0 if name in TEAM else 1), (name, result)
        assert len(_records(Path(tmp))) == (1 if name in TEAM else 0)


def test_the_owner_set_as_a_field_is_checked_and_kept(folder: Path) -> None:
    result = run(folder, "record", "create", "Reviews", "--set", "owner=bobb")
    assert result.code != 0 and "unknown user 'bobb'" in result.err and not _records(folder), result
    result = run(folder, "--json", "record", "create", "Reviews", "--set", "owner=bob")
    assert result.code == 0 and '"owner": "bob"' in result.out, result

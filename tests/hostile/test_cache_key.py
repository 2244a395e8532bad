"""Hostile input: two team files with the same names. A cached finding that
quotes the team file (BP305's hint) names the one this run was given, never
the one of the run that filled the cache: the team file's name is part of the
cache key."""

from __future__ import annotations

from pathlib import Path

import pytest

from workspace_helpers import cli

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"
TEAM = "users:\n  alice: {roles: [sales_rep]}\n"


def test_a_cached_bp305_hint_names_the_team_file_of_this_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLUEPRINT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "b.yaml").write_text(SAMPLE.read_text(encoding="utf-8").replace("role:sales_manager", "role:boss"),
                                     encoding="utf-8")
    for name in ("first-team.yaml", "second-team.yaml"):
        (tmp_path / name).write_text(TEAM, encoding="utf-8")
    first = cli("lint", "--team", "first-team.yaml", "b.yaml", cwd=tmp_path)
    assert first.code == 1 and "the team file in first-team.yaml declares roles: sales_rep" in first.out, first
    second = cli("lint", "--team", "second-team.yaml", "b.yaml", cwd=tmp_path)
    assert "the team file in second-team.yaml declares roles: sales_rep" in second.out, second
    assert "first-team.yaml" not in second.out, second

"""Hostile input: reports that said more than was true. `diff` of a file lint
refuses exits 1 (its findings after the diff, when its model can be built),
never 0; `lint` of a folder without blueprints says there was nothing to
check (exit 0, as ruff does) instead of "All clean"."""

from __future__ import annotations

from pathlib import Path

from workspace_helpers import cli

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"


def test_diff_of_a_file_lint_refuses_is_not_a_success(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "new.yaml").write_text(SAMPLE.read_text(encoding="utf-8").replace("final: true", "final: false"),
                                       encoding="utf-8")
    assert cli("lint", "--no-cache", "new.yaml", cwd=tmp_path).code == 1
    for args in (("old.yaml", "new.yaml"), ("new.yaml", "old.yaml"), ("--exit-code", "old.yaml", "new.yaml")):
        result = cli("diff", "--no-impact", *args, cwd=tmp_path)
        assert result.code == 1, (args, result)
        assert "final: no longer final" in result.out or "final: now final" in result.out, result  # the diff
        assert "new.yaml:" in result.err and "BP206 no state is final" in result.err, result
    same = cli("diff", "--no-impact", "old.yaml", "old.yaml", cwd=tmp_path)
    assert same.code == 0, same


def test_lint_of_a_folder_without_blueprints_says_nothing_was_checked(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "compose.yaml").write_text("services: {web: {image: nginx}}\n", encoding="utf-8")
    result = cli("lint", "--no-cache", "docs", cwd=tmp_path)
    assert result.code == 0, result
    assert "No blueprints to check" in result.err and "All clean" not in result.err, result

"""The lint result cache: where it lives, that git ignores it, and that it never
serves a result for a file, configuration or team that changed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
UNREACHABLE = (HERE / "lint_cases" / "bp203_unreachable_state.yaml").read_text()  # BP203 warning at 9:11


@pytest.fixture
def here(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("BLUEPRINT_CACHE_DIR", raising=False)
    (tmp_path / "x.yaml").write_text(UNREACHABLE)
    return tmp_path


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("lint-*/*") if not p.name.startswith("."))


def test_the_cache_is_in_the_current_folder_and_git_ignores_it(cli, here: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=here, check=True)
    first = cli("lint", "x.yaml")
    assert first.exit_code == 0 and "BP203" in first.stdout
    assert len(entries(here / ".blueprint_cache")) == 1
    assert (here / ".blueprint_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=here, check=True,
                            capture_output=True, text=True).stdout
    assert status.splitlines() == ["?? x.yaml"]
    again = cli("lint", "x.yaml")
    assert (again.exit_code, again.stdout, again.stderr) == (first.exit_code, first.stdout, first.stderr)


def test_no_cache_writes_nothing_and_cache_dir_moves_it(cli, here: Path, tmp_path_factory) -> None:
    assert cli("lint", "--no-cache", "x.yaml").exit_code == 0
    assert not (here / ".blueprint_cache").exists()
    elsewhere = tmp_path_factory.mktemp("cache")
    assert cli("lint", "--cache-dir", elsewhere, "x.yaml").exit_code == 0
    assert len(entries(elsewhere)) == 1 and not (here / ".blueprint_cache").exists()


def test_a_changed_file_configuration_or_team_is_linted_again(cli, here: Path) -> None:
    assert "warning BP203" in cli("lint", "x.yaml").stdout
    # the file
    (here / "x.yaml").write_text(UNREACHABLE.replace("to: Won}", "to: Wno}"))
    assert "BP301" in cli("lint", "x.yaml").stdout
    (here / "x.yaml").write_text(UNREACHABLE)
    assert "warning BP203" in cli("lint", "x.yaml").stdout
    # the configuration
    (here / ".blueprint.toml").write_text('[lint.severity]\nBP203 = "error"\n')
    assert "error BP203" in cli("lint", "x.yaml").stdout
    (here / ".blueprint.toml").write_text('[lint]\nignore = ["BP2"]\n')
    assert cli("lint", "x.yaml").stdout == ""
    os.remove(here / ".blueprint.toml")
    # the team file (BP305 checks owners against it)
    owned = UNREACHABLE.replace("to: Won}", "to: Won, owners: [\"role:closer\"]}")
    (here / "x.yaml").write_text(owned)
    team = here / "team.yaml"
    team.write_text("users:\n  ann: {roles: [closer]}\n")
    assert "BP305" not in cli("lint", "--team", team, "x.yaml").stdout
    team.write_text("users:\n  ann: {roles: [opener]}\n")
    assert "BP305" in cli("lint", "--team", team, "x.yaml").stdout


def test_a_damaged_entry_is_ignored_and_rewritten(cli, here: Path) -> None:
    first = cli("lint", "x.yaml")
    [entry] = entries(here / ".blueprint_cache")
    entry.write_text("{not json")
    assert cli("lint", "x.yaml").stdout == first.stdout
    assert entry.read_text().startswith('{"checked":true')


def test_a_miss_reads_the_file_once_and_caches_what_it_linted(cli, here: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from blueprint_cli.lint import run

    reads: list[str] = []
    read = run.read_user_file
    broken = UNREACHABLE.replace("to: Won}", "to: Wno}")

    def read_then_save(path: Path | str, limit: int = 10 * 1024 * 1024) -> bytes:
        raw = read(path, limit)
        reads.append(str(path))
        if len(reads) == 1:  # an editor saves another version right after the first read
            (here / "x.yaml").write_text(broken)
        return raw

    monkeypatch.setattr(run, "read_user_file", read_then_save)
    first = cli("lint", "x.yaml")
    assert reads == ["x.yaml"]
    assert "warning BP203" in first.stdout and "BP301" not in first.stdout  # the version read
    monkeypatch.setattr(run, "read_user_file", read)
    assert "BP301" in cli("lint", "x.yaml").stdout  # the saved version, linted: not the entry of the first
    (here / "x.yaml").write_text(UNREACHABLE)
    assert cli("lint", "x.yaml").stdout == first.stdout

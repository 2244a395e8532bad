"""Hostile input, round two (judgement calls): paths in the lint settings.
`exclude = [".*"]` (hidden files) matched `.` and `..` in a file's path
relative to the settings' folder, so with `--config` linting `.` or `..`
excluded everything; `.` and `..` are no names and match no glob, and a file
outside the settings' folder is named by no relative glob. An absolute path
in `per-file-ignores` or `exclude` was silently ignored; decided: it works,
matching the file's absolute path (as ruff's settings do)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from blueprint_cli.lint.config import matches
from workspace_helpers import cli

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"
BROKEN = SAMPLE.read_text(encoding="utf-8").replace("to: Negotiation", "to: Negotation", 1)  # one BP301


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.yaml").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "sub" / "b.yaml").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "sub" / ".draft.yaml").write_text(BROKEN, encoding="utf-8")
    return tmp_path


def _checked(result: object) -> str:
    text = getattr(result, "err")
    assert "Traceback" not in text, result
    return text


@pytest.mark.parametrize("config, cwd, target, files", [
    ("sub/.blueprint.toml", ".", ".", 2),          # `.` and `sub` relative to sub/: '..' and '.'
    ("sub/.blueprint.toml", "sub", "..", 2),
    ("sub/.blueprint.toml", "sub", ".", 1),
    (".blueprint.toml", "sub", "..", 2),
    (".blueprint.toml", "sub", "../sub/../a.yaml", 1),
])
def test_a_hidden_files_glob_excludes_hidden_files_only(repo: Path, config: str, cwd: str, target: str,
                                                         files: int) -> None:
    (repo / config).write_text('[lint]\nexclude = [".*"]\n', encoding="utf-8")
    args = ["lint", "--no-cache", "--force-exclude", target]
    if config.startswith("sub/"):
        args[1:1] = ["--config", str(repo / config)]
    err = _checked(cli(*args, cwd=repo / cwd))
    assert f"in {files} of {files} file" in err, err


def test_a_hidden_file_is_still_excluded(repo: Path) -> None:
    (repo / ".blueprint.toml").write_text('[lint]\nexclude = [".*"]\n', encoding="utf-8")
    err = _checked(cli("lint", "--no-cache", "sub", cwd=repo))
    assert "in 1 of 1 file" in err and ".draft" not in err, err


def test_an_absolute_per_file_ignore_applies(repo: Path) -> None:
    (repo / ".blueprint.toml").write_text(
        f'[lint.per-file-ignores]\n"{(repo / "a.yaml").as_posix()}" = ["BP301"]\n"{repo.as_posix()}/sub/" = ["BP3"]\n',
        encoding="utf-8")
    result = cli("lint", "--no-cache", "a.yaml", "sub/b.yaml", cwd=repo)
    assert result.code == 0 and "All clean" in _checked(result) and not result.out, result


def test_an_absolute_exclude_applies(repo: Path) -> None:
    (repo / ".blueprint.toml").write_text(f'[lint]\nexclude = ["{repo.as_posix()}/sub"]\n', encoding="utf-8")
    err = _checked(cli("lint", "--no-cache", ".", cwd=repo))
    assert "in 1 of 1 file" in err, err


def test_thousands_of_leading_double_stars_match_as_one_does(repo: Path) -> None:
    """`**/` repeated thousands of times recursed once per repetition (a
    RecursionError traceback); it names what `**/` once names."""
    many = "**/" * 3000
    (repo / ".blueprint.toml").write_text(
        f'[lint]\nexclude = ["{many}b.yaml"]\n[lint.per-file-ignores]\n"{many}a.yaml" = ["BP301"]\n',
        encoding="utf-8")
    result = cli("lint", "--no-cache", "--force-exclude", "a.yaml", "sub/b.yaml", cwd=repo)
    assert result.code == 0 and "All clean: 1 file" in _checked(result) and not result.out, result
    assert matches("sub/b.yaml", f"{many}b.yaml") and not matches("sub/c.yaml", f"{many}b.yaml")


_PART = st.sampled_from([".", "..", "a", "b.yaml", ".hidden", "x.y"])


@settings(max_examples=300)
@given(st.lists(_PART, min_size=1, max_size=6))
def test_dot_and_dot_dot_match_no_name_glob(parts: list[str]) -> None:
    rel = "/".join(parts)
    named = [p for p in parts if p not in (".", "..")]
    assert matches(rel, ".*") == any(p.startswith(".") for p in named)
    assert matches(rel, "*") == bool(named)

"""Hostile input, round two (judgement calls): the file `--fix` writes. It
replaces the file atomically (a new file renamed over it), which silently
wrote a read-only file, cut a hard-linked file off from its other names, and,
run as root, gave someone else's file to root. Decided: the owner and mode are
kept; a file that cannot be replaced so — read-only, hard-linked, not yours to
write or to keep the owner of — is left as it was, named with the reason, and
the run exits 1 (whatever --exit-zero says). Nothing traces back."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from workspace_helpers import cli

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"
TEXT = SAMPLE.read_text(encoding="utf-8").replace("to: Negotiation", "to: Negotation", 1)
FIXED = TEXT.replace("to: Negotation", "to: Negotiation", 1)
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _fix(path: Path, *more: str) -> tuple[int, str]:
    result = cli("lint", "--no-cache", "--fix", *more, str(path))
    assert "Traceback" not in result.err, result
    return result.code, result.err


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
def test_a_read_only_file_is_refused_and_left_unchanged(tmp_path: Path, mode: int) -> None:
    source = tmp_path / "b.yaml"
    source.write_text(TEXT, encoding="utf-8")
    source.chmod(mode)
    code, err = _fix(source)
    assert code == 1 and "not fixed, it is read-only" in err and "Fixed" not in err, err
    assert source.read_text(encoding="utf-8") == TEXT and stat.S_IMODE(source.stat().st_mode) == mode
    assert _fix(source, "--exit-zero")[0] == 1  # a refusal, not a finding
    assert [p.name for p in tmp_path.iterdir()] == ["b.yaml"]  # no temporary file left


def test_a_hard_linked_file_is_refused_and_both_names_keep_one_file(tmp_path: Path) -> None:
    source = tmp_path / "b.yaml"
    source.write_text(TEXT, encoding="utf-8")
    other = tmp_path / "shared.yaml"
    os.link(source, other)
    code, err = _fix(source)
    assert code == 1 and "not fixed, it has 1 other hard link" in err, err
    assert source.read_text(encoding="utf-8") == TEXT
    assert os.path.samefile(source, other) and source.stat().st_nlink == 2


def test_the_mode_is_kept(tmp_path: Path) -> None:
    source = tmp_path / "b.yaml"
    source.write_text(TEXT, encoding="utf-8")
    source.chmod(0o620)
    code, err = _fix(source)
    assert code == 0 and "Fixed 1 finding" in err, err
    assert source.read_text(encoding="utf-8") == FIXED and stat.S_IMODE(source.stat().st_mode) == 0o620


@pytest.mark.skipif(not ROOT, reason="only root can give a file to someone else")
def test_root_keeps_the_owner_and_mode_of_someone_elses_file(tmp_path: Path) -> None:
    source = tmp_path / "b.yaml"
    source.write_text(TEXT, encoding="utf-8")
    os.chown(source, 12345, 23456)
    source.chmod(0o640)
    code, err = _fix(source)
    assert code == 0 and "Fixed 1 finding" in err, err
    st = source.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (12345, 23456, 0o640)
    assert source.read_text(encoding="utf-8") == FIXED


@pytest.mark.skipif(not ROOT, reason="needs root to make a file someone else's")
def test_a_file_whose_owner_cannot_be_kept_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As a user who may write someone else's file but not give a new file to
    them (the system refuses the chown, as it does for anyone but root)."""
    source = tmp_path / "b.yaml"
    source.write_text(TEXT, encoding="utf-8")
    os.chown(source, 12345, 12345)
    source.chmod(0o666)

    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chown", refused)
    code, err = _fix(source)
    assert code == 1 and "not fixed, it belongs to another user" in err, err
    assert source.read_text(encoding="utf-8") == TEXT and source.stat().st_uid == 12345
    assert [p.name for p in tmp_path.iterdir()] == ["b.yaml"]


def test_a_folder_that_cannot_be_written_is_a_refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(Root writes any folder: the system's refusal is simulated.)"""
    from blueprint_cli.store import files

    def refused(path: Path, data: bytes, *, sync: bool = False) -> Path:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(files, "write_temporary", refused)
    source = tmp_path / "b.yaml"
    source.write_text(TEXT, encoding="utf-8")
    code, err = _fix(source)
    assert code == 1 and "not fixed, cannot write next to it: Permission denied" in err, err
    assert source.read_text(encoding="utf-8") == TEXT

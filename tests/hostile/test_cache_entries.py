"""Hostile input: the lint cache folder holds what anyone put there. An entry
replaced by a FIFO, linked to /dev/zero or grown huge is read as a file a user
names is (regular files only, size-capped): a miss, never a hang or a
MemoryError; and the cache never writes through a link it finds in place of
one of its own files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workspace_helpers import cli


@pytest.fixture(autouse=True)
def _cache_in_the_current_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BLUEPRINT_CACHE_DIR", raising=False)  # the default place, where these tests look

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_blueprints" / "deal-follow-up.yaml"
BROKEN = SAMPLE.read_text(encoding="utf-8").replace("to: Negotiation", "to: Negotation", 1)


def entries(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*") if p.parent.name.startswith("lint-") and not p.name.startswith(".")]


def lint(folder: Path) -> subprocess.CompletedProcess[str]:
    """In a process of its own, bounded: a blocked read fails the test instead of hanging it."""
    return subprocess.run([sys.executable, "-m", "blueprint_cli", "lint", "b.yaml"], cwd=folder, capture_output=True,
                          text=True, timeout=20, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("replace", ["fifo", "dev-zero", "folder", "huge"])
def test_a_cache_entry_that_is_not_a_small_regular_file_is_a_miss(tmp_path: Path, replace: str) -> None:
    (tmp_path / "b.yaml").write_text(BROKEN, encoding="utf-8")
    first = lint(tmp_path)
    assert first.returncode == 1 and "BP301" in first.stdout, first
    [entry] = entries(tmp_path / ".blueprint_cache")
    entry.unlink()
    if replace == "fifo":
        os.mkfifo(entry)
    elif replace == "dev-zero":
        entry.symlink_to("/dev/zero")
    elif replace == "folder":
        entry.mkdir()
    else:
        with entry.open("wb") as f:
            f.truncate(8 * 1024 * 1024 * 1024)  # sparse: 8 GiB, never read
    again = lint(tmp_path)
    assert again.returncode == 1 and again.stdout == first.stdout, again
    assert "Traceback" not in again.stderr and "MemoryError" not in again.stderr


def test_the_cache_never_writes_through_a_link_left_in_its_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    project = tmp_path / "project"
    (project / ".blueprint_cache").mkdir(parents=True)
    (project / ".blueprint_cache" / ".gitignore").symlink_to(outside / "gitignore")
    (project / ".blueprint_cache" / "CACHEDIR.TAG").symlink_to(outside / "tag")
    (project / "b.yaml").write_text(BROKEN, encoding="utf-8")
    assert cli("lint", "b.yaml", cwd=project).code == 1
    assert list(outside.iterdir()) == []
    assert len(entries(project / ".blueprint_cache")) == 1

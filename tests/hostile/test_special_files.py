"""Hostile input, class 11: special files. Every file a user names or a
folder walk finds is read by one reader (blueprint_cli.userfile): only a
regular file, its size checked before reading, opened without blocking. A FIFO
or device is a finding (lint, show, graph, publish, test) or a usage error
(import, diff, --team), never a hang; a subfolder that cannot be listed is a
finding, not skipped silently; the size limit counts bytes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from blueprint_cli.userfile import MAX_BYTES, UnreadableFile, read_user_file
from workspace_helpers import cli, deal_workspace, run

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"
SCENARIOS = SAMPLE.with_name("deal-follow-up.scenarios.yaml")


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    deal_workspace(tmp_path)
    os.mkfifo(tmp_path / "fifo.yaml")
    os.mkfifo(tmp_path / "fifo.csv")
    return tmp_path


def bounded(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """In a process of its own with a 10 s bound: a blocked read fails the test instead of hanging it."""
    return subprocess.run([sys.executable, "-m", "blueprint_cli", "--as", "alice", *args], cwd=folder,
                          capture_output=True, text=True, timeout=10,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})


@pytest.mark.parametrize("args, code, message", [
    (("lint", "fifo.yaml"), 1, "fifo.yaml:1:1: error BP100 not a regular file: a named pipe (FIFO)"),
    (("lint", "/dev/zero"), 1, "/dev/zero:1:1: error BP100 not a regular file: a character device"),
    (("show", "fifo.yaml"), 1, "BP100 not a regular file: a named pipe (FIFO)"),
    (("graph", "fifo.yaml", "-f", "dot"), 1, "BP100 not a regular file"),
    (("publish", "fifo.yaml"), 1, "BP100 not a regular file"),
    (("test", "fifo.yaml"), 1, "not a regular file: a named pipe (FIFO)"),
    (("diff", "fifo.yaml", str(SAMPLE)), 2, "fifo.yaml: not a regular file: a named pipe (FIFO)"),
    (("record", "import", "fifo.csv"), 2, "fifo.csv: not a regular file: a named pipe (FIFO)"),
    (("record", "import", "/dev/zero", "--format", "csv"), 2, "not a regular file: a character device"),
    (("lint", "--team", "fifo.yaml", str(SAMPLE)), 2, "not a regular file: a named pipe (FIFO)"),
    (("move", "1", "Negotiate", "--attach", "fifo.yaml"), 2, "not a regular file to attach: fifo.yaml"),
])
def test_a_special_file_is_refused_at_once(folder: Path, args: tuple[str, ...], code: int, message: str) -> None:
    assert run(folder, "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000").code == 0
    done = bounded(folder, *args)
    assert done.returncode == code and message in done.stdout + done.stderr, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr


def test_a_fifo_in_a_linted_folder_is_a_finding_and_the_rest_is_linted(folder: Path) -> None:
    tree = folder / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "deal.yaml").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    os.mkfifo(tree / "sub" / "pipe.yml")
    os.mkfifo(tree / "sub" / "pipe.scenarios.yaml")
    done = bounded(folder, "lint", "tree")
    assert done.returncode == 1, done
    assert done.stdout.splitlines() == ["tree/sub/pipe.yml:1:1: error BP100 not a regular file: a named pipe (FIFO)"]
    tested = bounded(folder, "test", "tree")
    assert tested.returncode == 1 and "pipe.scenarios.yaml:1:1: error SC100 not a regular file" in tested.stdout, tested


def test_a_subfolder_that_cannot_be_listed_is_a_finding(tmp_path: Path) -> None:
    """A folder path too long to list (ENAMETOOLONG: unlistable even for root, unlike a mode of 000)."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "deal.yaml").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    fd = os.open(tree, os.O_RDONLY)
    try:
        for _ in range(22):
            os.mkdir("d" * 200, dir_fd=fd)
            new = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = new
    finally:
        os.close(fd)
    result = cli("lint", str(tree))
    assert result.code == 1, result
    unlisted = [line for line in result.out.splitlines() if "BP100" in line]
    assert len(unlisted) == 1 and "/dddd" in unlisted[0] and ("cannot list folder" in unlisted[0]
                                                               or "cannot read file" in unlisted[0]), result


def test_the_size_limit_counts_bytes_and_is_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    text = "# " + "é" * (MAX_BYTES // 2) + "\n"  # 5 Mi characters, 10 MiB + 3 bytes
    big.write_text(text, encoding="utf-8")
    assert len(text) < MAX_BYTES < len(text.encode("utf-8"))
    result = cli("lint", str(big))
    assert result.code == 1 and "BP104 file is larger than 10 MiB" in result.out, result
    sparse = tmp_path / "sparse.yaml"
    with sparse.open("wb") as f:
        f.truncate(64 * 1024 * 1024 * 1024)  # 64 GiB, no blocks: never read
    result = cli("lint", str(sparse))
    assert result.code == 1 and "BP104 file is larger than 10 MiB (68,719,476,736 bytes)" in result.out, result


def test_the_reader_refuses_every_kind_of_special_file(tmp_path: Path) -> None:
    import socket

    os.mkfifo(tmp_path / "fifo")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock"))
    try:
        for path, kind in [(tmp_path / "fifo", "a named pipe (FIFO)"), (Path("/dev/null"), "a character device"),
                           (tmp_path, "a folder"), (tmp_path / "sock", "cannot read file")]:
            with pytest.raises(UnreadableFile) as caught:
                read_user_file(path)
            assert kind in str(caught.value), (path, caught.value)
    finally:
        sock.close()
    (tmp_path / "ok").write_bytes(b"x" * 10)
    assert read_user_file(tmp_path / "ok", limit=10) == b"x" * 10
    with pytest.raises(UnreadableFile, match="larger than 9 bytes"):
        read_user_file(tmp_path / "ok", limit=9)

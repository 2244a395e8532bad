"""Hostile input, class 1: `-o` onto what is not a regular file. Every `-o`
(graph, record export, test --junit-xml, lint --output-file) goes through one writer; a device
node or FIFO is streamed to and stays what it was, a folder is refused, a
regular file (also through a symbolic link) is replaced atomically."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from workspace_helpers import ping_workspace, run

SCENARIOS = Path(__file__).resolve().parents[2] / "sample_blueprints" / "lead-qualification.scenarios.yaml"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    ping_workspace(tmp_path, records=2)
    return tmp_path


def commands(target: Path) -> list[tuple[str, ...]]:
    return [
        ("graph", "ping.yaml", "-f", "dot", "-o", str(target)),
        ("graph", "ping.yaml", "-f", "mermaid", "-o", str(target)),
        ("record", "export", "--format", "csv", "-o", str(target)),
        ("record", "export", "--format", "json", "-o", str(target)),
        ("test", str(SCENARIOS), "--junit-xml", str(target)),
        ("lint", "--format", "json", "ping.yaml", "--output-file", str(target)),
    ]


def device(folder: Path) -> Path:
    """A character device like /dev/null: our own node when we may make one (root,
    as in CI containers), else /dev/null itself (which only root could replace)."""
    if os.geteuid() == 0:
        node = folder / "null"
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        return node
    return Path("/dev/null")


def test_a_device_node_is_written_to_not_replaced(folder: Path) -> None:
    node = device(folder)
    before = os.stat(node)
    for args in commands(node):
        result = run(folder, *args)
        assert result.code == 0, (args, result)
        after = os.stat(node)
        assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino, args


def test_a_fifo_is_streamed_to_its_reader(folder: Path) -> None:
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    for args in commands(fifo):
        got: list[bytes] = []
        reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
        reader.start()
        result = run(folder, *args)
        reader.join(10)
        assert result.code == 0, (args, result)
        assert stat.S_ISFIFO(os.stat(fifo).st_mode), args
        assert got and got[0], args


def test_a_folder_is_refused_and_left_alone(folder: Path) -> None:
    target = folder / "out"
    target.mkdir()
    (target / "keep").write_text("x")
    for args in commands(target):
        result = run(folder, *args)
        assert result.code == 2, (args, result)
        assert f"{target} is a folder" in result.err, (args, result)
        assert sorted(p.name for p in target.iterdir()) == ["keep"]


def test_a_link_to_a_regular_file_replaces_the_file_and_keeps_the_link(folder: Path) -> None:
    real = folder / "real.dot"
    real.write_text("old")
    link = folder / "link.dot"
    link.symlink_to(real)
    result = run(folder, "graph", "ping.yaml", "-f", "dot", "-o", str(link))
    assert result.code == 0, result
    assert link.is_symlink() and real.read_text().startswith("digraph")


def test_a_new_file_in_a_missing_folder_is_a_clear_error(folder: Path) -> None:
    result = run(folder, "record", "export", "-o", str(folder / "nope" / "out.csv"))
    assert result.code == 2 and "no such folder" in result.err, result


def test_every_output_option_uses_the_one_writer() -> None:
    """No command writes a user-named file another way (grep, as a reviewer would)."""
    cli = Path(__file__).resolve().parents[2] / "blueprint_cli"
    offenders = []
    for path in cli.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.parent.name == "cli" and path.name != "output.py" and ("atomic_write" in text or ".write_bytes(" in text):
            if path.name != "demo_cmd.py":  # the demo writes its own throwaway files
                offenders.append(path.name)
    assert offenders == []

"""`blueprint lint` --statistics, --exit-zero, --output-file and --watch."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
CASES = HERE / "lint_cases"
UNREACHABLE = (CASES / "bp203_unreachable_state.yaml").read_text()  # BP203 warning at 9:11
UNKNOWN_STATE = (CASES / "bp301_unknown_state.yaml").read_text()  # BP301 error at 13:9


def test_statistics_counts_each_code(cli, tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"u{i}.yaml").write_text(UNREACHABLE)
    (tmp_path / "s.yaml").write_text(UNKNOWN_STATE)
    result = cli("lint", "--statistics", tmp_path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["    3  BP203  warning  unreachable-state",
                                          "    1  BP301  error    unknown-state"]
    assert "Found 1 error and 3 warnings in 4 of 4 files." in result.stderr
    data = json.loads(cli("lint", "--statistics", "--format", "json", tmp_path).stdout)
    assert data == [{"code": "BP203", "name": "unreachable-state", "severity": "warning", "count": 3},
                    {"code": "BP301", "name": "unknown-state", "severity": "error", "count": 1}]
    bad = cli("lint", "--statistics", "--format", "sarif", tmp_path)
    assert bad.exit_code == 2 and bad.stdout == ""


def test_exit_zero(cli, tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(UNKNOWN_STATE)
    result = cli("lint", "--exit-zero", tmp_path / "s.yaml")
    assert result.exit_code == 0 and "error BP301" in result.stdout
    assert cli("lint", "--exit-zero", tmp_path / "nope.yaml").exit_code == 2  # usage errors stay usage errors


def test_output_file(cli, tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(UNKNOWN_STATE)
    out = tmp_path / "report.sarif"
    result = cli("lint", "--format", "sarif", "--output-file", out, tmp_path / "s.yaml")
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text())["runs"][0]["results"][0]["ruleId"] == "BP301"
    missing = cli("lint", "-o", tmp_path / "no" / "such" / "dir.txt", tmp_path / "s.yaml")
    assert missing.exit_code == 1 and "cannot write" in missing.stderr and "Traceback" not in missing.output


def _read_until(proc: subprocess.Popen, stream, needle: str, timeout: float = 60) -> str:
    """What the process writes to `stream` until `needle` appears."""
    sel = selectors.DefaultSelector()
    sel.register(stream, selectors.EVENT_READ)
    seen = ""
    end = time.monotonic() + timeout
    while needle not in seen:
        left = end - time.monotonic()
        assert left > 0 and proc.poll() is None, f"no {needle!r} in {seen!r}"
        if sel.select(left):
            chunk = os.read(stream.fileno(), 65536).decode()
            assert chunk, f"stream closed before {needle!r}: {seen!r}"
            seen += chunk
    return seen


def test_watch_lints_again_when_a_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(UNREACHABLE)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "blueprint_cli", "lint", "--watch", "--no-cache", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        first = _read_until(proc, proc.stdout, "BP203")
        assert "deal.yaml:9:11: warning BP203" in first
        _read_until(proc, proc.stderr, "watching")
        time.sleep(0.05)  # a different modification time, even on coarse clocks
        path.write_text(UNKNOWN_STATE)
        second = _read_until(proc, proc.stdout, "BP301")
        assert "deal.yaml:13:9: error BP301 [*] unknown state 'Negotation'" in second
        assert "BP203" not in second
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

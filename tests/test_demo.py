"""`blueprint demo` runs with no arguments and no terminal, shows nothing that
went wrong by mistake, and stops at once on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from workspace_helpers import cli


def test_demo_tours_every_kind_of_transition_and_cleans_up(tmp_path: Path) -> None:
    r = cli("demo", cwd=tmp_path)
    assert r.code == 0, r
    out = r.out
    for expected in (
        "$ blueprint init",
        "$ blueprint lint draft.yaml",
        "criteria of 'Negotiate' not met: amount ≥ 1000 — actual: 800",  # a refusal, with the actual value
        "Qualification → Negotiation",                                    # a plain transition
        "Discount (%) is required: its default 0 is proposed; confirm with --yes",  # a default, not taken unseen
        "Discount Approval → Legal Review",                               # conditional
        "Sign-off waits for: Finance approval",                           # parallel, first part
        "Legal Review → Closed Won",                                      # parallel, done
        "Qualification → Closed Lost",                                    # common
        "written to outbox/",                                             # an e-mail action
        "a final state",
        "$ blueprint graph --record 1 -o deal.mmd",                       # a drawing
        "stateDiagram-v2",
        "Deals 1 · Acme rollout — 6 entries",                             # the history
        # time, on a simulated clock: SLA levels (durations in one form) and an automatic transition
        "SLA level 0 (3d) of Qualification fired",
        "SLA level 2 (2w) of Qualification fired",
        "Go stale performed automatically, Qualification → Closed Lost",
        "tag unchanged: already tagged stale",
    ):
        assert expected in out, expected
    # a finding with the line and column of the misspelt state in the draft
    from blueprint_cli.workspace import sample_blueprint_text

    lines = sample_blueprint_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip() == "to: Negotiation")
    col = lines[line - 1].index("Negotiation") + 1
    finding = next(x for x in out.splitlines() if x.startswith("draft.yaml:"))
    assert finding.startswith(f"draft.yaml:{line}:{col}: error BP301 "), finding
    assert "unknown state 'Negotiaton' in `to` of 'Negotiate'" in finding
    # the --where step finds the won deal, and nothing went wrong that the tour did not mean
    listed = out.split("state = \"Closed Won\"'\n", 1)[1].splitlines()[:2]
    assert listed[0].startswith("ID") and listed[1].startswith("1   Deals   Closed Won"), listed
    # refusals are worded as the commands word them, and they are the only errors
    assert "error: cannot perform 'Negotiate' on record 2:" in out
    assert "refused:" not in out and "no change" not in out
    errors = [x for x in out.splitlines() if x.startswith("error:")]
    assert len(errors) == 4 and all(x.startswith("error: cannot perform ") for x in errors), errors
    assert "error:" not in r.err
    assert "P2W" not in out
    assert "Traceback" not in out + r.err
    where = re.search(r"The tour's workspace \((.+?)\) has been removed", out)
    assert where and not Path(where[1]).exists()
    assert list(tmp_path.iterdir()) == []  # nothing left where it was run


def test_hints_quoting_syntax_keep_their_brackets(tmp_path: Path) -> None:
    """The hint of a --where error quotes the language (`in [a, b]`, `is [not] empty`)."""
    assert cli("init", str(tmp_path)).code == 0
    r = cli("record", "list", "--where", "state = Closed Won", cwd=tmp_path)
    assert r.code == 2
    assert "(a value with spaces goes in quotes: 'Closed Won')" in r.err
    assert "in [a, b]" in r.err and "is [not] empty" in r.err


def test_demo_can_keep_its_workspace(tmp_path: Path) -> None:
    target = tmp_path / "tour"
    assert cli("demo", "--dir", str(target)).code == 0
    assert (target / ".blueprint" / "workspace.json").is_file()
    assert cli("--json", "record", "list", cwd=target).json()[0]["state"] == "Closed Won"  # type: ignore[index]
    again = cli("demo", "--dir", str(target))
    assert again.code == 2 and "is not empty" in again.err


def test_ctrl_c_stops_the_demo_at_once_and_removes_its_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BLUEPRINT_WORKSPACE", "BLUEPRINT_USER")}
    env.update(NO_COLOR="1", PYTHONUNBUFFERED="1", TMPDIR=str(tmp_path), PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, "-m", "blueprint_cli", "demo"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, cwd=tmp_path,
                            start_new_session=True)
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + 60
    while b"$ blueprint --as alice next 1" not in seen and time.monotonic() < deadline:
        chunk = proc.stdout.read1(4096)
        if not chunk:
            break
        seen += chunk
    assert b"$ blueprint --as alice next 1" in seen, seen
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C does: the whole process group
    rest, err = proc.communicate(timeout=30)
    out = (seen + rest).decode()
    assert proc.returncode == 130, (out, err)
    assert "interrupted (Ctrl-C)" in err.decode() and "Traceback" not in err.decode()
    assert "error: no record" not in out + err.decode()
    assert "The audit trail" not in out and "That's the tour." not in out  # the tour did not go on
    folder = re.search(r"throwaway workspace in (\S+)\.", out)
    assert folder and not Path(folder[1]).exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # TMPDIR: the tour's folder is gone


def test_without_posix_file_locks_the_store_says_so(tmp_path: Path, monkeypatch: object) -> None:
    """fcntl exists on POSIX systems only: elsewhere (Windows) the store cannot lock,
    and the user reads that, with exit 1, instead of a traceback (or, in the demo,
    "a bug in the demo"). What needs no lock, such as lint, still works."""
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    assert cli("init", str(tmp_path / "crm")).code == 0
    monkeypatch.setitem(sys.modules, "fcntl", None)  # `import fcntl` now fails as where it does not exist
    demo = cli("demo", cwd=tmp_path)
    create = cli("--as", "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
                 cwd=tmp_path / "crm")
    for r in (demo, create):
        assert r.code == 1, r.err
        assert "needs POSIX file locks (the fcntl module), which this system does not have" in r.err
        assert "POSIX systems only (Linux, macOS)" in r.err
        assert "Traceback" not in r.out + r.err and "bug" not in r.err
    assert cli("lint", str(tmp_path / "crm" / "blueprints")).code == 0

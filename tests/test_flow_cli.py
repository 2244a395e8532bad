"""`blueprint next`, `move` and `history`: a deal stepped through every kind of
transition by the people allowed to, with refusals that say why."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workspace_helpers import Result, cli

# every test runs against the JSON store and the PostgreSQL store (tests/pg_fixtures.py)
pytestmark = pytest.mark.usefixtures("store_kind")

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
NEGOTIATE = ["--set", "close_on=2026-12-01", "--check", "Budget confirmed", "--check", "Decision maker identified",
             "--note", "CFO on board"]


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    assert cli("init", str(tmp_path)).code == 0
    assert cli("--as", "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
               cwd=tmp_path).code == 0
    (tmp_path / "contract.pdf").write_bytes(b"%PDF-1.4 draft")
    return tmp_path


def run(ws: Path, user: str, *args: str) -> Result:
    return cli("--as", user, *args, cwd=ws)


def test_next_lists_what_the_user_may_do_and_what_it_needs(ws: Path) -> None:
    r = run(ws, "alice", "next", "1")
    assert r.code == 0 and "Negotiate → Negotiation" in r.out and "Expected close date is required" in r.out
    assert "blueprint move 1 Negotiate --set close_on=…" in r.out
    data = run(ws, "alice", "--json", "next", "1").json()
    assert [o["transition"] for o in data] == ["Negotiate", "Lose"]  # type: ignore[index]
    assert data[0]["requires"] == {"fields": ["close_on"], "proposed": {},  # type: ignore[index]
                                   "checklist": ["Budget confirmed", "Decision maker identified"],
                                   "note": True, "attachment": False}
    # dave (finance) may do neither: the text says why, JSON lists them only with --all
    r = run(ws, "dave", "next", "1")
    assert "Nothing dave can do now." in r.out and "it is for role:sales_rep or record_owner" in r.out
    assert run(ws, "dave", "--json", "next", "1").json() == []
    blocked = run(ws, "dave", "--json", "next", "1", "--all").json()
    assert {o["allowed"] for o in blocked} == {False} and blocked[0]["blocked_by"][0]["kind"] == "owner"  # type: ignore


def test_without_a_terminal_move_never_prompts_and_lists_what_is_missing(ws: Path) -> None:
    r = run(ws, "alice", "move", "1", "Negotiate", "--set", "close_on=2026-12-01")
    assert r.code == 1
    assert "checklist not ticked: Budget confirmed, Decision maker identified" in r.err
    assert "a note is required" in r.err and "--check 'Budget confirmed'" in r.err
    r = run(ws, "alice", "--json", "move", "1", "Negotiate")
    assert r.code == 1 and r.json()["refused"] is True  # type: ignore[index]
    assert [x["kind"] for x in r.json()["reasons"]] == ["field", "checklist", "note"]  # type: ignore[index]
    assert len(run(ws, "alice", "--json", "history", "1").json()) == 1  # nothing was written


def test_refusals_name_the_rule_and_the_actual_value(ws: Path) -> None:
    run(ws, "alice", "record", "set", "1", "amount=500")
    r = run(ws, "erin", "move", "1", "Negotiate", *NEGOTIATE)
    assert r.code == 1
    assert "you are not an owner of 'Negotiate': it is for role:sales_rep or record_owner (the record owner is alice); " \
           "you are erin (roles: support_agent; profile: standard)" in r.err
    assert "criteria of 'Negotiate' not met: amount ≥ 1000 — actual: 500" in r.err
    r = run(ws, "alice", "move", "1", "Decide discount")
    assert r.code == 1 and "'Decide discount' leaves from Discount Approval, but record 1 is in Qualification" in r.err


def test_unknown_transition_item_or_file_is_a_usage_error(ws: Path) -> None:
    r = run(ws, "alice", "move", "1", "Negotiat")
    assert r.code == 2 and "no transition 'Negotiat'" in r.err and "did you mean 'Negotiate'?" in r.err
    r = run(ws, "alice", "move", "1", "Negotiate", "--check", "Budget")
    assert r.code == 2 and "is not on the checklist" in r.err
    r = run(ws, "alice", "move", "1", "Negotiate", "--attach", "nope.pdf")
    assert r.code == 2 and "no such file to attach: nope.pdf" in r.err
    r = run(ws, "alice", "move", "1", "Negotiate", "--set", "close_on=soon")
    assert r.code == 2 and "'soon' is not a valid date" in r.err


def test_a_deal_through_every_kind_of_transition(ws: Path) -> None:
    assert run(ws, "alice", "move", "1", "Negotiate", *NEGOTIATE).code == 0
    r = run(ws, "alice", "move", "1", "Request discount", "--set", "discount=15", "--note", "3-year deal")
    assert r.code == 0 and "written to outbox/" in r.out
    mail = next((ws / ".blueprint" / "outbox").glob("*.eml")).read_text()
    assert "To: bob@example.com" in mail and "Subject: Discount request: Acme (15%)" in mail
    # conditional: 15% <= 20 goes on to Legal Review
    r = run(ws, "bob", "move", "1", "Decide discount")
    assert r.code == 0 and "Discount Approval → Legal Review" in r.out
    # parallel: legal first, then finance; the record moves only after both
    r = run(ws, "carol", "move", "1", "Sign-off", "--set", "signed=yes", "--attach", "contract.pdf")
    assert r.code == 0 and "Sign-off waits for: Finance approval" in r.out
    assert run(ws, "carol", "--json", "record", "show", "1").json()["state"] == "Legal Review"  # type: ignore[index]
    r = run(ws, "dave", "move", "1", "Finance approval", "--check", "Payment terms within policy",
            "--check", "Customer credit check passed")
    assert r.code == 0 and "Legal Review → Closed Won" in r.out
    # final
    r = run(ws, "alice", "move", "1", "Lose", "--set", "reason=Price", "--note", "x")
    assert r.code == 1 and "a final state" in r.err

    history = run(ws, "alice", "--json", "history", "1").json()
    assert isinstance(history, list)
    keys = {"at", "user", "transition", "from", "to", "changes", "note", "checklist", "actions"}
    assert all(keys <= set(e) and ISO.match(e["at"]) for e in history)
    steps = [(e["user"], e["transition"], e["from"], e["to"]) for e in history]
    assert steps == [
        ("alice", None, None, "Qualification"),
        ("alice", "Negotiate", "Qualification", "Negotiation"),
        ("alice", "Request discount", "Negotiation", "Discount Approval"),
        ("bob", "Decide discount", "Discount Approval", "Legal Review"),
        ("carol", "Sign-off", "Legal Review", "Legal Review"),
        ("dave", "Sign-off", "Legal Review", "Closed Won"),
    ]
    assert history[1]["checklist"] == ["Budget confirmed", "Decision maker identified"]
    assert history[4]["attachments"] == ["attachments/1/1-contract.pdf"]
    assert (ws / ".blueprint" / "attachments" / "1" / "1-contract.pdf").read_bytes() == b"%PDF-1.4 draft"
    won = history[-1]
    assert won["changes"]["probability"] == [40, 100] and won["changes"]["tags"][1] == ["discount-reviewed", "won"]
    assert [(a["action"], a["status"]) for a in won["actions"]] == [("set", "done"), ("tag", "done"), ("email", "done")]
    text = run(ws, "alice", "history", "1").out
    assert "carol  Sign-off / Legal approval: part done, still in Legal Review" in text
    assert "dave  Sign-off / Finance approval: Legal Review → Closed Won" in text


def test_conditional_else_branch_and_common_transition(ws: Path) -> None:
    run(ws, "alice", "move", "1", "Negotiate", *NEGOTIATE)
    run(ws, "alice", "move", "1", "Request discount", "--set", "discount=35", "--note", "big ask")
    r = run(ws, "grace", "move", "1", "Decide discount")  # user:grace is an owner by name
    assert r.code == 0 and "Discount Approval → Negotiation" in r.out
    r = run(ws, "bob", "move", "1", "Lose", "--set", "reason=Competitor", "--note", "went with Initech")
    assert r.code == 0 and "Negotiation → Closed Lost" in r.out
    assert run(ws, "bob", "next", "1").out.strip().endswith("a final state: nothing more to do.")


# ----- on a terminal ---------------------------------------------------------------------------

def _expect(fd: int, pattern: str, seen: list[str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while pattern not in "".join(seen):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError(f"no {pattern!r} in {''.join(seen)!r}")
        try:
            seen.append(os.read(fd, 4096).decode(errors="replace"))
        except OSError:
            raise AssertionError(f"no {pattern!r} in {''.join(seen)!r}") from None


@pytest.mark.other_processes
@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_on_a_terminal_move_prompts_for_what_is_missing(ws: Path) -> None:
    import pty

    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("BLUEPRINT_WORKSPACE", "BLUEPRINT_USER")}
    env.update(NO_COLOR="1", COLUMNS="200", PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, "-m", "blueprint_cli", "--as", "alice", "move", "1", "Negotiate"],
                            stdin=slave, stdout=slave, stderr=slave, cwd=ws, env=env, close_fds=True)
    os.close(slave)
    seen: list[str] = []
    try:
        _expect(master, "Expected close date", seen)
        os.write(master, b"next week\r")  # not a date: asked again
        _expect(master, "expected a date as YYYY-MM-DD", seen)
        os.write(master, b"2026-12-01\r")
        _expect(master, "Budget confirmed", seen)
        os.write(master, b"y\r")
        _expect(master, "Decision maker identified", seen)
        os.write(master, b"y\r")
        _expect(master, "Note", seen)
        os.write(master, b"asked on a terminal\r")
        _expect(master, "Qualification → Negotiation", seen)
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
        os.close(master)
    entry = run(ws, "alice", "--json", "history", "1").json()[-1]  # type: ignore[index]
    assert entry["note"] == "asked on a terminal" and entry["changes"]["close_on"] == [None, "2026-12-01"]

"""Running real records as Zoho does: timers perform timed transitions, records
enter mid-process, every change checks who may make it, open tasks across
records, defaults proposed for required fields, stable exports, bulk summaries.
Through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from workspace_helpers import Result, cli

QUOTE = """\
blueprint: quote
module: Quotes
field: stage
fields:
  name: {type: text}
states:
  - name: Sent
  - name: Accepted
    final: true
  - name: Expired
    final: true
transitions:
  - name: Accept
    from: Sent
    to: Accepted
    owners: [record_owner]
  - name: Expire
    from: Sent
    to: Expired
    auto: {after: 30d}
  - name: Withdraw
    from: Sent
    to: Expired
    auto: {after: 60d}
    owners: ["role:sales_manager"]
"""


def run(ws: Path, user: str, *args: str) -> Result:
    return cli("--as", user, *args, cwd=ws)


@pytest.fixture()
def quotes(tmp_path: Path) -> Path:
    assert cli("init", str(tmp_path)).code == 0
    (tmp_path / "quote.yaml").write_text(QUOTE, encoding="utf-8")
    assert run(tmp_path, "grace", "publish", "quote.yaml").code == 0
    assert run(tmp_path, "alice", "record", "create", "Quotes", "--set", "name=Acme").code == 0
    return tmp_path


# ----- 1. timers run timed transitions -----------------------------------------------------------

def test_an_automatic_transition_without_owners_is_run_by_its_timer_alone(quotes: Path) -> None:
    since = run(quotes, "alice", "--json", "record", "show", "1").json()["state_since"]  # type: ignore[index]
    r = run(quotes, "alice", "next", "1")
    assert r.code == 0 and "Expire → Expired  runs automatically at " in r.out
    assert "Withdraw → Expired  runs automatically at " in r.out  # alice is not its owner
    opts = {o["transition"]: o for o in run(quotes, "alice", "--json", "next", "1", "--all").json()}  # type: ignore
    assert opts["Expire"]["allowed"] is False and opts["Expire"]["blocked_by"][0]["kind"] == "automatic"
    assert opts["Expire"]["runs_at"] > since and opts["Accept"]["runs_at"] is None
    r = run(quotes, "alice", "move", "1", "Expire")
    assert r.code == 1 and "'Expire' runs automatically at " in r.err and "nobody by hand" in r.err
    assert run(quotes, "alice", "--json", "record", "show", "1").json()["state"] == "Sent"  # type: ignore[index]
    # the timer performs it
    r = run(quotes, "alice", "tick", "--now", "2099-01-01T00:00:00+00:00")
    assert r.code == 0 and run(quotes, "alice", "--json", "record", "show", "1").json()["state"] == "Expired"  # type: ignore


def test_the_owners_of_an_automatic_transition_may_also_perform_it_by_hand(quotes: Path) -> None:
    r = run(quotes, "dave", "move", "1", "Withdraw")
    assert r.code == 1 and "runs automatically at" in r.err and "by hand it is for role:sales_manager" in r.err
    r = run(quotes, "bob", "move", "1", "Withdraw")
    assert r.code == 0, r
    assert run(quotes, "bob", "--json", "record", "show", "1").json()["state"] == "Expired"  # type: ignore[index]


def test_an_sla_on_a_final_state_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(QUOTE.replace("  - name: Expired\n    final: true\n",
                                  "  - name: Expired\n    final: true\n    sla: {within: 2d, escalate: [{tag: {add: [x]}}]}\n"),
                    encoding="utf-8")
    r = cli("lint", "--strict", str(path))
    assert r.code == 1 and "BP403 final state 'Expired' has an SLA, which never fires" in r.out

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
    assert cli("init", "--clock", "simulated", str(tmp_path)).code == 0  # tick --now writes ahead of the clock
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


# ----- 2. entering mid-process ---------------------------------------------------------------------

@pytest.fixture()
def deals(tmp_path: Path) -> Path:
    assert cli("init", str(tmp_path)).code == 0
    return tmp_path


def test_record_create_at_a_state_is_for_admins_and_checked(deals: Path) -> None:
    r = run(deals, "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
            "--state", "Negotiation")
    assert r.code == 1 and "you may not start a record at 'Negotiation'" in r.err and "profile:admin" in r.err
    r = run(deals, "grace", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
            "--state", "Negotiaton")
    assert r.code == 2 and "did you mean 'Negotiation'?" in r.err
    r = run(deals, "grace", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=0",
            "--state", "Negotiation")
    assert r.code == 1 and "entry criteria not met: amount > 0" in r.err
    assert cli("--json", "record", "list", cwd=deals).json() == []
    r = run(deals, "grace", "--json", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
            "--state", "Negotiation")
    assert r.code == 0 and r.json()["state"] == "Negotiation"  # type: ignore[index]
    [entry] = run(deals, "grace", "--json", "history", "1").json()  # type: ignore[misc]
    assert (entry["user"], entry["to"], entry["note"]) == (
        "grace", "Negotiation", "started at Negotiation, past the entry state Qualification")


def test_record_import_takes_a_state_column(deals: Path) -> None:
    (deals / "in.csv").write_text("module,name,amount,state\nDeals,Aaa,100,Negotiation\nDeals,Bbb,0,Negotiation\n"
                                  "Deals,Ccc,10,Qualification\n", encoding="utf-8")
    r = run(deals, "alice", "record", "import", "in.csv")
    assert r.code == 1 and "row 1 (line 2): state: you may not start a record at 'Negotiation'" in r.err
    assert "row 2 (line 3): state: enters no blueprint, so it cannot start at 'Negotiation'" in r.err
    assert "row 3" not in r.err  # the entry state is anyone's
    r = run(deals, "grace", "record", "import", "in.csv")
    assert r.code == 1 and "row 1" not in r.err and "row 2 (line 3)" in r.err
    (deals / "in.csv").write_text("module,name,amount,state\nDeals,Aaa,100,Negotiation\n", encoding="utf-8")
    assert run(deals, "grace", "record", "import", "in.csv").code == 0
    [entry] = run(deals, "grace", "--json", "history", "1").json()  # type: ignore[misc]
    assert (entry["user"], entry["to"]) == ("grace", "Negotiation")
    assert entry["note"] == "started at Negotiation, past the entry state Qualification; imported from in.csv, row 1"


# ----- 3. permissions on every change ------------------------------------------------------------

LOCKED = """\
  amount:
    type: currency
    label: Amount
    min: 0
    editors: [record_owner, "role:sales_manager"]
    locked_in: [Legal Review]
"""


def test_fields_owner_and_tasks_are_changed_only_by_whom_the_rules_let(deals: Path) -> None:
    source = deals / "blueprints" / "deal-follow-up.yaml"
    text = source.read_text(encoding="utf-8")
    start = text.index("  amount:")
    source.write_text(text[:start] + LOCKED + text[text.index("\n", start) + 1:], encoding="utf-8")
    assert run(deals, "grace", "publish", str(source)).code == 0, run(deals, "grace", "publish", str(source))
    assert run(deals, "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000").code == 0
    # dave: not the owner, no admin: every reason at once, nothing changed
    r = run(deals, "dave", "record", "set", "1", "amount=1", "name=Other", "owner=dave")
    assert r.code == 1 and "cannot change record 1:" in r.err
    assert "you may not reassign record 1" in r.err and "you may not change Deal name of record 1" in r.err
    assert "you may not change Amount of record 1: it is for record_owner or role:sales_manager" in r.err
    assert run(deals, "dave", "record", "tag", "1", "vip").code == 1
    shown = run(deals, "alice", "--json", "record", "show", "1").json()
    assert (shown["owner"], shown["fields"]["amount"], shown["tags"]) == ("alice", 5000, [])  # type: ignore[index]
    # the field's editors: bob (sales_manager) may change the amount, not the name
    assert run(deals, "bob", "record", "set", "1", "amount=6000").code == 0
    assert run(deals, "bob", "record", "set", "1", "name=Other").code == 1
    # the admin profile may reassign
    assert run(deals, "grace", "record", "set", "1", "owner=bob").code == 0
    # during a move, a field the transition does not require follows its editors
    r = run(deals, "carol", "move", "1", "Lose", "--set", "reason=Price", "--set", "amount=1", "--note", "x")
    assert r.code == 1 and "it is for record_owner or role:sales_manager" in r.err


def test_a_field_locked_in_a_state_is_refused_there(deals: Path) -> None:
    source = deals / "blueprints" / "deal-follow-up.yaml"
    text = source.read_text(encoding="utf-8")
    start = text.index("  amount:")
    source.write_text(text[:start] + LOCKED + text[text.index("\n", start) + 1:], encoding="utf-8")
    assert run(deals, "grace", "publish", str(source)).code == 0
    assert run(deals, "grace", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
               "--state", "Legal Review", "--owner", "alice").code == 0
    r = run(deals, "alice", "record", "set", "1", "amount=1")
    assert r.code == 1 and "Amount is locked while the record is in Legal Review" in r.err
    assert run(deals, "alice", "record", "set", "1", "name=Acme Inc").code == 0


def test_permissions_in_the_team_file_replace_the_defaults(deals: Path) -> None:
    team = deals / ".blueprint" / "team.yaml"
    team.write_text(team.read_text(encoding="utf-8") + "permissions:\n  complete_tasks: [\"role:sales_manager\"]\n"
                    "  enter_at_state: [\"role:sales_manager\"]\n", encoding="utf-8")
    assert run(deals, "grace", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
               "--state", "Negotiation").code == 1
    assert run(deals, "bob", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
               "--state", "Negotiation", "--owner", "alice").code == 0


# ----- 4. blueprint tasks ------------------------------------------------------------------------

def test_tasks_lists_open_tasks_across_records(deals: Path) -> None:
    for name, amount in (("Acme", "5000"), ("Globex", "9000")):
        assert run(deals, "alice", "record", "create", "Deals", "--set", f"name={name}", "--set", f"amount={amount}").code == 0
    for rid in ("1", "2"):
        assert run(deals, "alice", "move", rid, "Negotiate", "--set", "close_on=2026-12-01", "--check",
                   "Budget confirmed", "--check", "Decision maker identified", "--note", "ok").code == 0
    r = run(deals, "alice", "tasks")
    assert r.code == 0 and r.out.splitlines()[0].split() == ["RECORD", "TASK", "SUBJECT", "FOR", "DUE", "STATE"]
    assert "Send proposal for Acme" in r.out and "Send proposal for Globex" in r.out
    data = run(deals, "alice", "--json", "tasks", "--where", "amount > 6000").json()
    assert [(t["record"], t["id"], t["owner"], t["overdue"]) for t in data] == [("2", 1, "alice", False)]  # type: ignore
    assert len(run(deals, "alice", "--json", "tasks", "--mine").json()) == 2  # type: ignore[arg-type]
    assert run(deals, "bob", "--json", "tasks", "--mine").json() == []
    assert run(deals, "bob", "--json", "tasks", "--user", "alice").json() != []
    assert run(deals, "bob", "--json", "tasks", "--overdue").json() == []  # due in two days
    assert run(deals, "alice", "record", "done", "1", "1").code == 0
    assert [t["record"] for t in run(deals, "alice", "--json", "tasks").json()] == ["2"]  # type: ignore
    assert run(deals, "bob", "tasks", "--user", "alcie").code == 2


# ----- 5. a required field at its default is proposed, not taken unseen -----------------------------

NEGOTIATE = ("--set", "close_on=2026-12-01", "--check", "Budget confirmed", "--check", "Decision maker identified",
             "--note", "ok")
PROPOSED = "Discount (%) is required: its default 0 is proposed; confirm with --yes or give --set discount=…"


def negotiating(deals: Path, *names: str) -> None:
    """A deal per name, moved to Negotiation by alice; discount holds its default, 0."""
    for n, name in enumerate(names, 1):
        assert run(deals, "alice", "record", "create", "Deals", "--set", f"name={name}", "--set", "amount=5000").code == 0
        assert run(deals, "alice", "move", str(n), "Negotiate", *NEGOTIATE).code == 0


def state(deals: Path, rid: str = "1") -> tuple[str, object]:
    record = run(deals, "alice", "--json", "record", "show", rid).json()
    assert isinstance(record, dict)
    return record["state"], record["fields"]["discount"]


def test_a_default_is_refused_without_a_terminal_until_confirmed_or_given(deals: Path) -> None:
    negotiating(deals, "Acme", "Globex")
    r = run(deals, "alice", "move", "1", "Request discount", "--note", "three years")
    assert r.code == 1 and PROPOSED in r.err, r
    assert "blueprint --as alice move 1 'Request discount' --note 'three years' --set discount=VALUE" in r.err
    assert "Traceback" not in r.err and state(deals) == ("Negotiation", 0)  # nothing changed
    data = run(deals, "alice", "--json", "move", "1", "Request discount", "--note", "x").json()
    assert isinstance(data, dict) and data["reasons"] == [{"kind": "field", "message": PROPOSED, "field": "discount",
                                                           "proposed": 0}]
    # --yes accepts the proposed default
    r = run(deals, "alice", "move", "1", "Request discount", "--note", "three years", "--yes")
    assert r.code == 0 and "Negotiation → Discount Approval" in r.out and "Discount request: Acme (0%)" in r.out, r
    assert state(deals) == ("Discount Approval", 0)
    # --set gives it, even as the default's own value
    r = run(deals, "alice", "move", "2", "Request discount", "--note", "list price", "--set", "discount=0")
    assert r.code == 0 and state(deals, "2") == ("Discount Approval", 0), r


def test_a_value_other_than_the_default_is_taken_as_it_is(deals: Path) -> None:
    negotiating(deals, "Acme")
    assert run(deals, "alice", "record", "set", "1", "discount=12").code == 0
    r = run(deals, "alice", "move", "1", "Request discount", "--note", "loyal customer")
    assert r.code == 0 and state(deals) == ("Discount Approval", 12), r
    # bob decides: discount (12) is required again, and is not a default: nothing to confirm
    assert run(deals, "bob", "move", "1", "Decide discount").code == 0
    assert state(deals) == ("Legal Review", 12)


def test_next_lists_a_default_to_confirm_under_needs(deals: Path) -> None:
    negotiating(deals, "Acme")
    r = run(deals, "alice", "next", "1")
    assert r.code == 0 and f"needs: {PROPOSED}; a note is required" in r.out, r.out
    options = {o["transition"]: o for o in run(deals, "alice", "--json", "next", "1").json()}  # type: ignore[union-attr]
    assert options["Request discount"]["allowed"] is True
    assert options["Request discount"]["requires"]["fields"] == ["discount"]
    assert options["Request discount"]["requires"]["proposed"] == {"discount": 0}
    assert options["Lose"]["requires"]["proposed"] == {}


def test_bulk_refuses_defaults_unless_yes(deals: Path) -> None:
    negotiating(deals, "Acme", "Globex")
    where = ("--where", "state = Negotiation")
    r = run(deals, "alice", "bulk", "Request discount", *where, "--note", "x")
    assert r.code == 1 and "its default 0 is proposed" in r.out and "1, 2" in r.out, r.out
    assert state(deals, "1")[0] == state(deals, "2")[0] == "Negotiation"
    r = run(deals, "alice", "bulk", "Request discount", *where, "--note", "x", "--yes")
    assert r.code == 0 and "refused" not in r.out, r.out
    assert state(deals, "1") == state(deals, "2") == ("Discount Approval", 0)


TIMED = """\
blueprint: claims
module: Claims
field: stage
fields:
  name: {type: text}
  severity: {type: picklist, label: Severity, values: [Minor, Major], default: Minor}
states:
  - name: Filed
  - name: Assessed
    final: true
transitions:
  - name: Assess
    from: Filed
    to: Assessed
    owners: [record_owner]
    auto: {after: 2d}
    require: {fields: [severity]}
"""


def test_tick_takes_a_default_as_confirmed(tmp_path: Path) -> None:
    assert cli("init", str(tmp_path), "--clock", "simulated").code == 0
    (tmp_path / "claims.yaml").write_text(TIMED, encoding="utf-8")
    assert run(tmp_path, "grace", "publish", "claims.yaml").code == 0
    assert run(tmp_path, "alice", "record", "create", "Claims", "--set", "name=Dent").code == 0
    # by hand, its owner confirms the default as anyone does ...
    r = run(tmp_path, "alice", "move", "1", "Assess")
    assert r.code == 1 and "Severity is required: its default Minor is proposed" in r.err, r
    # ... the timer has nobody to ask: the default stands
    r = run(tmp_path, "alice", "tick", "--now", "2099-01-01T00:00:00+00:00")
    assert r.code == 0 and "Assess performed automatically, Filed → Assessed" in r.out, r
    record = run(tmp_path, "alice", "--json", "record", "show", "1").json()
    assert isinstance(record, dict) and (record["state"], record["fields"]["severity"]) == ("Assessed", "Minor")


SCENARIOS = """\
scenarios:
  - name: Severity is confirmed
    record: {fields: {name: Dent}}
    steps:
      - move: Assess
        expect: {refused: "its default Minor is proposed", state: Filed}
      - move: Assess
        yes: true
        expect: {state: Assessed, fields: {severity: Minor}}
  - name: or given
    record: {fields: {name: Dent}}
    steps:
      - move: Assess
        set: {severity: Minor}
        expect: {state: Assessed}
"""


UNCONFIRMED = """\
scenarios:
  - name: A default taken unseen
    record: {fields: {name: Dent}}
    steps:
      - move: Assess
        expect: {state: Assessed}
      - yes: true
        expect: {state: Assessed}
"""


def test_a_scenario_step_confirms_defaults_with_yes(tmp_path: Path) -> None:
    (tmp_path / "claims.yaml").write_text(TIMED, encoding="utf-8")
    (tmp_path / "claims.scenarios.yaml").write_text(SCENARIOS, encoding="utf-8")
    r = cli("test", str(tmp_path))
    assert r.code == 0 and "2 passed" in r.out, r
    (tmp_path / "claims.scenarios.yaml").write_text(UNCONFIRMED, encoding="utf-8")
    r = cli("test", str(tmp_path))
    assert r.code == 1 and "`yes` belongs to a `move` step" in r.out, r
    (tmp_path / "claims.scenarios.yaml").write_text(UNCONFIRMED.split("      - yes")[0], encoding="utf-8")
    r = cli("test", str(tmp_path))
    assert r.code == 1 and "was refused: Severity is required: its default Minor is proposed" in r.out, r


# ----- 9. stable export columns, bulk summary by reason ----------------------------------------------

def test_export_columns_are_every_declared_field_in_order(deals: Path) -> None:
    assert run(deals, "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000").code == 0
    header = run(deals, "alice", "record", "export").out.splitlines()[0].split(",")
    assert header[9:] == ["name", "amount", "discount", "probability", "close_on", "signed", "reason", "competitor"]


def test_bulk_counts_each_refused_record_once_with_its_ids_in_a_column(deals: Path) -> None:
    for amount in ("800", "900", "700"):
        assert run(deals, "alice", "record", "create", "Deals", "--set", "name=Small", "--set", f"amount={amount}").code == 0
    r = run(deals, "dave", "bulk", "Negotiate", "--where", "amount > 0", "--set", "close_on=2026-12-31",
            "--check", "Budget confirmed", "--check", "Decision maker identified", "--note", "x")
    assert r.code == 1
    head = next(line for line in r.out.splitlines() if "outcome" in line)
    assert [c.strip() for c in head.strip("┃").split("┃")] == ["outcome", "records", "why", "ids"]
    refused = [line for line in r.out.splitlines() if "refused" in line and "│" in line]
    # one group: the three records, refused for the same two reasons (whatever amount each holds)
    assert len(refused) == 1 and "│       3 │" in refused[0] and "1, 2, 3" in refused[0]
    assert "not an owner of 'Negotiate'" in r.out and "amount ≥ 1000" in r.out and "actual" not in r.out

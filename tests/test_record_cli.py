"""`blueprint record create|list|show|set` as a user runs them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workspace_helpers import cli, run

# every test runs against the JSON store and the PostgreSQL store (tests/pg_fixtures.py)
pytestmark = pytest.mark.usefixtures("store_kind")

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
RECORD_KEYS = {"id", "module", "blueprint", "version", "state", "owner", "fields", "tags", "pending",
               "created_at", "updated_at"}


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    assert cli("init", str(tmp_path)).code == 0
    return tmp_path


def test_create_prints_the_record_as_json(ws: Path) -> None:
    r = run(ws, "--json", "record", "create", "deals", "--set", "name=Acme", "--set", "amount=5,000")
    assert r.code == 0, r
    rec = r.json()
    assert isinstance(rec, dict) and RECORD_KEYS <= set(rec)
    assert (rec["id"], rec["module"], rec["blueprint"], rec["version"], rec["state"], rec["owner"]) == \
        ("1", "Deals", "deal-follow-up", 1, "Qualification", "alice")
    assert rec["fields"]["amount"] == 5000 and rec["fields"]["probability"] == 10  # typed, defaults filled
    assert ISO.match(rec["created_at"]) and rec["pending"] == [] and rec["tags"] == []


def test_record_outside_entry_criteria_is_not_governed(ws: Path) -> None:
    r = run(ws, "record", "create", "Deals", "--set", "name=Renewal", "--set", "amount=0")
    assert r.code == 0 and "not governed by any blueprint" in r.out and "amount > 0 — actual: 0" in r.out
    # editing it so that it matches makes it enter the blueprint
    r = run(ws, "record", "set", "1", "amount=900")
    assert r.code == 0 and "entered deal-follow-up" in r.out
    assert run(ws, "--json", "record", "show", "1").json()["state"] == "Qualification"  # type: ignore[index]


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "amount=lots"], "Amount (EUR): 'lots' is not a valid currency: expected a number"),
    (["--set", "amount=-5"], "must be at least 0"),
    (["--set", "close_on=31/12/2026"], "expected a date as YYYY-MM-DD"),
    (["--set", "reason=Pricey"], "must be one of: Price, Competitor"),
    (["--set", "amonut=5"], "unknown field 'amonut'"),
    (["--set", "amount"], "expected NAME=VALUE"),
    (["--owner", "alcie"], "unknown user 'alcie'"),
    (["--blueprint", "deal-folow-up"], "no published blueprint 'deal-folow-up'"),
])
def test_bad_input_is_a_usage_error_that_says_why(ws: Path, args: list[str], message: str) -> None:
    r = run(ws, "record", "create", "Deals", *args)
    assert r.code == 2, r
    assert message in r.err and "Traceback" not in r.err


def test_did_you_mean_for_fields_and_modules(ws: Path) -> None:
    assert "did you mean 'amount'?" in run(ws, "record", "create", "Deals", "--set", "amonut=5").err
    assert "did you mean 'Deals'?" in run(ws, "record", "create", "Deal").err


def test_state_field_cannot_be_set(ws: Path) -> None:
    run(ws, "record", "create", "Deals", "--set", "amount=5")
    r = run(ws, "record", "set", "1", "stage=Closed Won")
    assert r.code == 1 and "state field" in r.err and "blueprint next 1" in r.err
    assert run(ws, "record", "create", "Deals", "--set", "stage=Closed Won").code == 1


def test_set_records_an_edit_in_history(ws: Path) -> None:
    run(ws, "record", "create", "Deals", "--set", "amount=5")
    r = run(ws, "record", "set", "1", "amount=7500", "competitor=Initech", "owner=bob")
    assert r.code == 0 and "amount: 5 → 7500" in r.out
    entry = run(ws, "--json", "history", "1").json()[-1]  # type: ignore[index]
    assert entry["kind"] == "edit" and entry["user"] == "alice"
    assert entry["changes"] == {"amount": [5, 7500], "competitor": [None, "Initech"], "owner": ["alice", "bob"]}
    assert "nothing changed" in run(ws, "record", "set", "1", "amount=7500").out


def test_list_filters(ws: Path) -> None:
    for name, amount in (("Acme", 5000), ("Globex", 200), ("Initech", 80000)):
        run(ws, "record", "create", "Deals", "--set", f"name={name}", "--set", f"amount={amount}")
    run(ws, "move", "1", "Lose", "--set", "reason=Price", "--note", "too expensive")
    r = run(ws, "record", "list")
    assert r.code == 0 and r.out.splitlines()[0].split() == ["ID", "MODULE", "STATE", "OWNER", "NAME", "UPDATED"]
    ids = lambda res: [x["id"] for x in res.json()]  # noqa: E731
    assert ids(run(ws, "--json", "record", "list", "--state", "Qualification")) == ["2", "3"]
    assert ids(run(ws, "--json", "record", "list", "--state", "Closed Lost")) == ["1"]
    assert ids(run(ws, "--json", "record", "list", "--where", "amount>=1000")) == ["1", "3"]
    assert ids(run(ws, "--json", "record", "list", "--where", "amount>=1000 and state=Qualification")) == ["3"]
    assert ids(run(ws, "--json", "record", "list", "--where", "name~glob")) == ["2"]
    assert ids(run(ws, "--json", "record", "list", "--where", "reason=")) == ["2", "3"]
    assert ids(run(ws, "--json", "record", "list", "--blueprint", "deal-follow-up", "--module", "Deals")) == ["1", "2", "3"]
    assert "no records match" in run(ws, "record", "list", "--where", "amount>1000000").err


def test_list_usage_errors(ws: Path) -> None:
    r = run(ws, "record", "list", "--state", "Qualifcation")
    assert r.code == 2 and "did you mean 'Qualification'?" in r.err
    r = run(ws, "record", "list", "--where", "amount >>> 5")
    assert r.code == 2 and "--where 'amount >>> 5': cannot read" in r.err
    r = run(ws, "record", "list", "--where", "amuont>5")
    assert r.code == 2 and "unknown field 'amuont'" in r.err and "did you mean 'amount'?" in r.err


def test_show_lists_fields_pending_parts_and_tasks(ws: Path) -> None:
    run(ws, "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000")
    run(ws, "move", "1", "Negotiate", "--set", "close_on=2026-12-01", "--check", "Budget confirmed",
        "--check", "Decision maker identified", "--note", "ok")
    run(ws, "move", "1", "Send to legal", "--attach", str(ws / ".blueprint" / "team.yaml"))
    run(ws, "move", "1", "Sign-off", "--set", "signed=true", "--attach", str(ws / ".blueprint" / "team.yaml"),
        user="carol")
    r = run(ws, "record", "show", "1")
    assert r.code == 0, r
    assert "Legal Review" in r.out and "Amount (EUR)" in r.out and "5000" in r.out
    assert re.search(r"✓\s+Legal approval\s+by carol", r.out)
    assert re.search(r"☐\s+Finance approval\s+waiting for role:finance", r.out)
    assert "Send proposal for Acme" in r.out
    data = run(ws, "--json", "record", "show", "1").json()
    assert data["pending"][0]["part"] == "Legal approval" and data["pending"][0]["user"] == "carol"  # type: ignore[index]
    assert data["tasks"][0]["status"] == "open"  # type: ignore[index]


def test_unknown_record_and_bad_id(ws: Path) -> None:
    r = run(ws, "record", "show", "99")
    assert r.code == 2 and "no record 99" in r.err
    r = run(ws, "record", "show", "../../etc/passwd")
    assert r.code == 2 and "is not a record id" in r.err


@pytest.mark.json_store_only  # looks at the JSON store's files
def test_corrupt_record_file_is_named_and_the_rest_still_lists(ws: Path) -> None:
    for _ in range(3):
        run(ws, "record", "create", "Deals", "--set", "amount=5")
    from blueprint_cli.store.jsonstore import shard

    broken = ws / ".blueprint" / "records" / shard("2") / "2.json"
    broken.write_text("{ not json", encoding="utf-8")
    r = run(ws, "record", "show", "2")
    assert r.code == 1 and f"records/{shard('2')}/2.json" in r.err and "not valid JSON" in r.err
    r = run(ws, "record", "list")
    assert r.code == 1 and "2.json" in r.err
    assert [line.split()[0] for line in r.out.splitlines()[1:]] == ["1", "3"]
    assert run(ws, "move", "3", "Lose", "--set", "reason=Price", "--note", "x").code == 0


def test_tasks_from_actions_can_be_marked_done(ws: Path) -> None:
    run(ws, "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000")
    run(ws, "move", "1", "Negotiate", "--set", "close_on=2026-12-01", "--check", "Budget confirmed",
        "--check", "Decision maker identified", "--note", "ok")
    r = run(ws, "record", "done", "1", "#1", user="bob")  # neither its assignee, the record owner nor an admin
    assert r.code == 1 and "you may not complete task #1 'Send proposal for Acme'" in r.err
    r = run(ws, "record", "done", "1", "#1", user="grace")  # the admin profile
    assert r.code == 0 and "task #1 done — Send proposal for Acme" in r.out
    task = run(ws, "--json", "record", "show", "1").json()["tasks"][0]  # type: ignore[index]
    assert (task["status"], task["done_by"]) == ("done", "grace") and ISO.match(task["done_at"])
    assert "Open tasks" not in run(ws, "record", "show", "1").out
    assert run(ws, "record", "done", "1", "1").code == 1  # already done
    r = run(ws, "record", "done", "1", "7")
    assert r.code == 2 and "has no task #7" in r.err
    entry = run(ws, "--json", "history", "1").json()[-1]  # type: ignore[index]
    assert (entry["kind"], entry["user"], entry["changes"]) == ("task", "grace", {"task #1": ["open", "done"]})


@pytest.mark.parametrize("task", ["\u00b2", "#" + "9" * 5000], ids=["superscript-two", "5000-digits"])
def test_a_task_number_int_cannot_read_is_refused_as_one(ws: Path, task: str) -> None:
    """`²` is a digit to str.isdigit but not to int, and int reads at most
    4,300 digits: both were a ValueError traceback."""
    run(ws, "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000")
    r = run(ws, "record", "done", "1", task)
    assert r.code == 2 and "is not a task number" in r.err and "Traceback" not in r.err, r
    assert len(r.err) < 300, r  # named, not echoed


@pytest.mark.json_store_only  # breaks one of the JSON store's files
def test_every_command_that_walks_records_names_a_broken_file_goes_on_and_exits_1(tmp_path: Path) -> None:
    from blueprint_cli.store.jsonstore import shard
    from workspace_helpers import cli, ping_workspace

    ws = ping_workspace(tmp_path, records=3)
    timed = tmp_path / "ping.yaml"
    timed.write_text(timed.read_text(encoding="utf-8").replace(
        "  - name: Left\n", "  - name: Left\n    sla: {within: 1h, escalate: [{tag: {add: [late]}}]}\n"), encoding="utf-8")
    assert cli("--as", "grace", "publish", str(timed), cwd=tmp_path).code == 0
    broken = ws.root / "records" / shard("2") / "2.json"
    broken.write_text("{ not json", encoding="utf-8")
    where = f"records/{shard('2')}/2.json"

    def walked(*args: str) -> str:
        r = cli("--as", "alice", *args, cwd=tmp_path)
        assert r.code == 1, (args, r)
        assert where in r.err and "not valid JSON" in r.err and "could not be handled" in r.err, (args, r.err)
        return r.out

    walked("record", "export", "--format", "json")
    walked("tick", "--now", "2026-06-01T00:00:00+00:00")  # a month after the records, before the clock
    assert [t for r in ws.records(errors=[]) for t in r.tags] == ["late", "late"]  # the others escalated
    walked("bulk", "Flip", "--where", "id != 0", "--dry-run")
    walked("bulk", "Flip", "--where", "id != 0")
    assert [(r.id, r.state) for r in ws.records(errors=[])] == [("1", "Right"), ("3", "Right")]  # the others moved
    walked("retry")
    assert broken.read_text(encoding="utf-8") == "{ not json"  # never rewritten


def test_names_with_brackets_are_shown_as_typed(ws: Path) -> None:
    """Record data is data: rich markup in a name is printed, not interpreted."""
    name = "Acme [bold]beta[/bold] [red]"
    r = run(ws, "record", "create", "Deals", "--set", f"name={name}", "--set", "amount=5000")
    assert r.code == 0, r
    assert f"Created Deals 1 · {name} in deal-follow-up v1" in r.out
    r = run(ws, "record", "set", "1", "amount=6000")
    assert r.code == 0 and f"Updated Deals 1 · {name}" in r.out
    r = run(ws, "record", "tag", "1", "[vip]")
    assert r.code == 0 and f"Deals 1 · {name}: tags [vip]" in r.out, r
    r = run(ws, "record", "create", "Deals", "--set", "name=[x] renewal", "--set", "amount=0")
    assert r.code == 0 and "Created Deals 2 · [x] renewal (owner alice)" in r.out


@pytest.fixture()
def five(ws: Path) -> Path:
    for name, amount in [("Delta", 700), ("alpha", 5000), ("Echo", 1200), ("Bravo", 2100), ("charlie", 300)]:
        assert run(ws, "record", "create", "Deals", "--set", f"name={name}", "--set", f"amount={amount}").code == 0
    return ws


def test_list_sort_limit_and_columns(five: Path) -> None:
    r = run(five, "record", "list", "--sort", "-amount", "--columns", "id,name,amount")
    assert r.code == 0, r
    assert r.out.splitlines() == ["ID  NAME     AMOUNT", "2   alpha    5000", "4   Bravo    2100",
                                  "3   Echo     1200", "1   Delta    700", "5   charlie  300"]
    r = run(five, "record", "list", "--sort", "name", "--limit", "2", "--columns", "name,state")
    assert r.out.splitlines() == ["NAME   STATE", "alpha  Qualification", "Bravo  Qualification"]  # case ignored
    assert "… and 3 more records (5 in all)" in r.err
    listed = run(five, "--json", "record", "list", "--sort", "updated", "--limit", "1").json()
    assert isinstance(listed, list) and [x["id"] for x in listed] == ["1"]


@pytest.mark.parametrize(("args", "message"), [
    (["--columns", "id,amout"], "no field or column 'amout'"),
    (["--sort", "nme"], "no field or column 'nme'"),
    (["--limit", "-1"], "-1"),
    (["--columns", ","], "--columns names no column"),
])
def test_list_options_that_do_not_fit_are_usage_errors(five: Path, args: list[str], message: str) -> None:
    r = run(five, "record", "list", *args)
    assert r.code == 2 and message in r.err, r
    assert "did you mean 'amount'?" in r.err if "amout" in message else True


@pytest.mark.json_store_only  # the listing runs in a process of its own, on a terminal
def test_a_long_list_on_a_terminal_is_cut_to_fit_with_a_note(five: Path) -> None:
    import os
    import sys

    pexpect = pytest.importorskip("pexpect")
    for i in range(10):
        assert run(five, "record", "create", "Deals", "--set", f"name=Deal {i}", "--set", "amount=900").code == 0
    env = {k: v for k, v in os.environ.items() if k not in ("BLUEPRINT_WORKSPACE", "BLUEPRINT_USER")}
    env.update(NO_COLOR="1", PYTHONPATH=os.pathsep.join(sys.path))
    child = pexpect.spawn(sys.executable, ["-m", "blueprint_cli", "record", "list"], cwd=str(five), env=env,
                          encoding="utf-8", timeout=30, dimensions=(10, 120))
    child.expect(pexpect.EOF)
    child.close()
    lines = child.before.splitlines()
    assert child.exitstatus == 0
    assert lines[0].startswith("ID") and len(lines) == 9  # 7 rows and the note fit in 10 lines
    assert lines[-1] == "… and 8 more records (15 in all): --limit 0 shows them all, --limit N that many; " \
                        "piped output is never cut"
    # not a terminal: every record
    assert len(run(five, "record", "list").out.splitlines()) == 16


def test_an_unknown_acting_user_is_refused_with_a_did_you_mean(ws: Path) -> None:
    r = run(ws, "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000", user="alcie")
    assert r.code == 2
    assert "unknown user 'alcie' in" in r.err and "did you mean 'alice'?" in r.err
    assert "`unknown_users: allow`" in r.err
    assert cli("--json", "record", "list", cwd=ws).json() == []  # nothing was created
    # the OS user (no --as, no $BLUEPRINT_USER) is refused just as well, and told so
    import getpass

    r = cli("record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000", cwd=ws)
    assert getpass.getuser() not in ("alice", "bob", "carol", "dave", "erin", "frank", "grace")
    assert r.code == 2 and f"you act as {getpass.getuser()!r} (the OS user), who is not a user of" in r.err
    # reading needs no team member
    assert cli("record", "list", cwd=ws).code == 0


def test_a_setting_lets_unknown_users_act(ws: Path) -> None:
    config = ws / ".blueprint" / "config.yaml"
    assert "# unknown_users: allow" in config.read_text(encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8") + "unknown_users: allow\n", encoding="utf-8")
    r = run(ws, "--json", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000", user="visitor")
    assert r.code == 0, r
    assert r.json()["owner"] == "visitor"  # type: ignore[index]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_of_the_same_file(ws: Path, fmt: str) -> None:
    for name, owner in [("Acme", "alice"), ("Globex", "bob")]:
        assert run(ws, "record", "create", "Deals", "--set", f"name={name}", "--set", "amount=5000",
                   "--owner", owner).code == 0
    out = ws / f"deals.{fmt}"
    assert run(ws, "record", "export", "-o", str(out)).code == 0
    r = run(ws, "record", "import", str(out))
    assert r.code == 0, r
    assert "imported 2 records (ids 3–4)" in r.out
    listed = cli("--json", "record", "list", cwd=ws).json()
    assert isinstance(listed, list)
    assert [(x["fields"]["name"], x["owner"]) for x in listed] == [
        ("Acme", "alice"), ("Globex", "bob"), ("Acme", "alice"), ("Globex", "bob")]

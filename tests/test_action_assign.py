"""The `assign` action kind, end to end: the proof that a kind is one module of
the registry (blueprint_cli/language/actions/assign.py) and works everywhere a
user meets actions — move and history, tick (an SLA escalation), bulk (spread
over a role by workload), show, graph, diff, next, lint against the team file,
and scenarios expecting the owner."""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprint_cli.workspace import changes
from blueprint_cli import workspace
from blueprint_cli.workspace.publishing import publish
from workspace_helpers import NOW, cli, run

TEAM = """\
users:
  alice: {roles: [sales_rep], profile: standard}
  bob:   {roles: [sales_manager], profile: standard}
  carol: {roles: [sales_manager], profile: standard}
  grace: {roles: [director], profile: admin}
"""

DEALS = """\
blueprint: deals
title: Deals
module: Deals
field: stage
fields:
  name: {type: text}
  reviewer: {type: user}
states:
  - name: New
    sla:
      within: 2d
      escalate:
        - assign: {to: "user:grace"}
  - name: Review
  - name: Done
    final: true
transitions:
  - name: Hand over
    from: New
    to: Review
    then:
      - assign: {to: "role:sales_manager"}
  - name: To reviewer
    from: New
    to: Review
    then:
      - assign: {to: "{{record.reviewer}}"}
  - name: Finish
    from: Review
    to: Done
"""


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    ws = workspace.init(tmp_path, sample=False).workspace
    (tmp_path / ".blueprint" / "team.yaml").write_text(TEAM, encoding="utf-8")
    (tmp_path / "deals.yaml").write_text(DEALS, encoding="utf-8")
    publish(workspace.find(tmp_path), tmp_path / "deals.yaml", user="grace", at=NOW)
    del ws
    return tmp_path


def create(folder: Path, user: str, name: str) -> str:
    r = run(folder, "--json", "record", "create", "Deals", "--set", f"name={name}", user=user)
    assert r.code == 0, r
    return str(r.json()["id"])  # type: ignore[index]


def owner(folder: Path, record_id: str) -> str:
    r = run(folder, "--json", "record", "show", record_id)
    return str(r.json()["owner"])  # type: ignore[index]


def test_assign_to_a_role_picks_the_member_with_fewest_open_records(folder: Path) -> None:
    create(folder, "bob", "Bob's own")          # bob has one open record, carol none
    rid = create(folder, "alice", "Acme")
    moved = run(folder, "move", rid, "Hand over")
    assert moved.code == 0, moved
    assert "owner: alice → carol" in moved.out
    assert owner(folder, rid) == "carol"
    history = run(folder, "history", rid)
    assert "✓ assign owner: alice → carol" in history.out


def test_ties_go_by_name_and_a_bulk_spreads_the_records(folder: Path) -> None:
    ids = [create(folder, "alice", f"Deal {i}") for i in range(4)]
    r = run(folder, "bulk", "Hand over", "--where", "stage = New")
    assert r.code == 0, r
    owners = [owner(folder, rid) for rid in ids]
    # bob and carol start even (ties by name: bob first), then alternate by workload
    assert owners == ["bob", "carol", "bob", "carol"]


def test_assign_to_a_user_field(folder: Path) -> None:
    rid = create(folder, "alice", "Acme")
    assert run(folder, "record", "set", rid, "reviewer=bob").code == 0
    assert run(folder, "move", rid, "To reviewer").code == 0
    assert owner(folder, rid) == "bob"


def test_an_sla_escalation_assigns(folder: Path) -> None:
    ws = workspace.find(folder)
    rid = changes.create(ws, "Deals", {"name": "Stuck"}, user="alice", at=NOW).record.id  # days ago: its SLA is over
    r = run(folder, "tick")
    assert r.code == 0, r
    assert owner(folder, rid) == "grace"
    assert "✓ assign owner: alice → grace" in run(folder, "history", rid).out


def test_show_graph_diff_and_next_word_it_the_same_way(folder: Path) -> None:
    shown = cli("show", str(folder / "deals.yaml"))
    assert "assign to role:sales_manager" in shown.out and "assign to user:grace" in shown.out
    graph = cli("graph", str(folder / "deals.yaml"))
    assert graph.code == 0 and "assign to role:sales_manager" in graph.out and "assign to user:grace" in graph.out
    rid = create(folder, "alice", "Acme")
    nxt = run(folder, "next", rid)
    assert "then: assign to role:sales_manager" in nxt.out
    as_json = run(folder, "--json", "next", rid).json()
    assert ["assign to role:sales_manager"] in [o["then"] for o in as_json]  # type: ignore[union-attr,index]
    changed = folder / "deals-v2.yaml"
    changed.write_text(DEALS.replace('role:sales_manager"}', 'role:director"}'), encoding="utf-8")
    diff = cli("diff", str(folder / "deals.yaml"), str(changed))
    assert "assign to role:director" in diff.out and "assign to role:sales_manager" in diff.out, diff


def test_lint_checks_the_target_against_the_team_file(folder: Path) -> None:
    broken = folder / "broken.yaml"
    broken.write_text(DEALS.replace("role:sales_manager", "role:sales_mgr"), encoding="utf-8")
    r = cli("lint", str(broken), cwd=folder)
    assert r.code == 1 and "BP305" in r.out and "unknown role 'sales_mgr'" in r.out, r
    assert "did you mean 'sales_manager'" in r.out
    not_an_owner = folder / "nobody.yaml"
    not_an_owner.write_text(DEALS.replace('"role:sales_manager"', "anyone"), encoding="utf-8")
    r = cli("lint", str(not_an_owner), cwd=folder)
    assert r.code == 1 and "assign" in r.out, r


def test_a_role_with_no_member_fails_the_action_not_the_move(folder: Path) -> None:
    (folder / ".blueprint" / "team.yaml").write_text(TEAM.replace("[sales_manager]", "[sales_rep]"),
                                                       encoding="utf-8")
    rid = create(folder, "alice", "Acme")
    r = run(folder, "move", rid, "Hand over")
    assert r.code == 0, r
    assert "no member of role 'sales_manager' to assign to" in r.out
    assert owner(folder, rid) == "alice"


def test_scenarios_can_expect_the_owner(tmp_path: Path) -> None:
    (tmp_path / "deals.yaml").write_text(DEALS, encoding="utf-8")
    team = "".join("  " + line + "\n" for line in TEAM.splitlines())
    (tmp_path / "deals.scenarios.yaml").write_text(f"""\
team:
{team}scenarios:
  - name: A handed-over deal goes to a sales manager
    record: {{owner: alice, fields: {{name: Acme}}}}
    steps:
      - as: alice
        move: Hand over
        expect: {{state: Review, owner: bob, actions: [{{assign: bob}}]}}
""", encoding="utf-8")
    r = cli("test", str(tmp_path / "deals.scenarios.yaml"))
    assert r.code == 0, r
    wrong = (tmp_path / "deals.scenarios.yaml").read_text(encoding="utf-8").replace("owner: bob", "owner: carol")
    (tmp_path / "deals.scenarios.yaml").write_text(wrong, encoding="utf-8")
    r = cli("test", str(tmp_path / "deals.scenarios.yaml"))
    assert r.code == 1 and "expected owner 'carol', got 'bob'" in r.out, r


def test_a_settings_file_with_any_key_of_its_schema_is_recognised(tmp_path: Path) -> None:
    """The settings keys come from the settings schema: `unknown_users` (once
    missing from a hand-kept list) makes a config.yaml a settings file."""
    from blueprint_cli.check.kinds import kind_of

    assert kind_of("config.yaml", {"format": 1, "unknown_users": "allow"}) == "settings"
    assert kind_of("settings.yaml", {"format": 1, "unknown_users": "allow", "calendar": {}}) == "settings"
    assert kind_of("config.yaml", {"format": 1, "time_zone": "Europe/Berlin"}) == "other"  # a key under `calendar`

"""Extracting the neutral graph from a blueprint, and putting a record on it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from blueprint_cli.render.graph.model import (
    EdgeKind, Graph, Mark, NodeKind, PartDone, RecordTrail, Step, extract, is_safe_id,
)
from blueprint_cli.check import load_blueprint
from blueprint_cli.language.model import build
from test_graph_tools import deal_trail

ROOT = Path(__file__).resolve().parents[1]
K, E = NodeKind, EdgeKind


def sample(name: str) -> Graph:
    return extract(load_blueprint(ROOT / "sample_blueprints" / f"{name}.yaml"))


def by_label(g: Graph) -> dict[str, str]:
    return {n.label: n.id for n in g.states}


def test_deal_has_a_choice_a_fork_join_and_one_group_for_lose() -> None:
    g = sample("deal-follow-up")
    ids = by_label(g)
    assert [n.label for n in g.states] == ["Qualification", "Negotiation", "Discount Approval", "Legal Review",
                                           "Closed Lost", "Closed Won"]
    entry = [e for e in g.edges if e.kind is E.ENTRY]
    assert len(entry) == 1 and entry[0].target == ids["Qualification"] and entry[0].when is not None
    assert entry[0].when.text == "amount > 0"
    # conditional: state -> choice -> branches in order, else last
    (choice,) = g.nodes_of(K.CHOICE)
    into = g.edges_to(choice.id)
    assert [(e.source, e.label, e.owners) for e in into] == [
        (ids["Discount Approval"], "Decide discount", ("role:sales_manager", "user:grace"))]
    out = g.edges_from(choice.id)
    assert [(e.kind, g.node(e.target).label, e.order) for e in out] == [
        (E.BRANCH, "Legal Review", 1), (E.ELSE, "Negotiation", 0)]
    assert out[0].when is not None and out[0].when.lines() == ["discount ≤ 20"]
    # parallel: state -> fork, one edge per part to the join, join -> target
    (fork,), (join,) = g.nodes_of(K.FORK), g.nodes_of(K.JOIN)
    parts = g.edges_from(fork.id)
    assert [(p.kind, p.label, p.owners, p.target) for p in parts] == [
        (E.PART, "Legal approval", ("role:legal",), join.id), (E.PART, "Finance approval", ("role:finance",), join.id)]
    assert parts[1].when is not None and parts[0].requires == ("fields: signed", "an attachment")
    assert [(e.kind, e.target) for e in g.edges_from(join.id)] == [(E.JOINED, ids["Closed Won"])]
    # the common transition: one group, one edge — not four
    (group,) = g.nodes_of(K.GROUP)
    assert group.every_open_state and group.label == "any open state"
    assert group.members == tuple(ids[n] for n in ("Qualification", "Negotiation", "Discount Approval", "Legal Review"))
    lose = [e for e in g.edges if e.transition == "Lose"]
    assert [(e.source, e.target) for e in lose] == [(group.id, ids["Closed Lost"])]
    # finals lead to the end
    assert sorted(e.source for e in g.edges if e.kind is E.EXIT) == sorted([ids["Closed Won"], ids["Closed Lost"]])


def test_lists_of_sources_become_groups_and_auto_transitions_say_so() -> None:
    g = sample("lead-qualification")
    (group,) = g.nodes_of(K.GROUP)
    assert not group.every_open_state and group.label == "New, Contacted, Nurture"
    auto = {e.label: e.auto for e in g.edges if e.auto}
    assert auto == {"No answer": "after 2w", "Nurture expired": "after 90d"}
    g = sample("purchase-approval")
    assert sorted(n.label for n in g.nodes_of(K.GROUP)) == [
        "Draft, Manager Approval, Executive Approval, Approved", "Manager Approval, Executive Approval"]
    sla = {n.label: [s.after for s in n.sla] for n in g.states if n.sla}
    assert sla == {"Manager Approval": ["2 business_days", "5 business_days"], "Executive Approval": ["3d"]}


def blueprint(states: list[str], transitions: list[dict[str, Any]]) -> Any:
    return build({"blueprint": "x", "module": "M", "field": "f",
                  "states": [{"name": s, "final": i == len(states) - 1} for i, s in enumerate(states)],
                  "transitions": transitions})


def test_ids_are_safe_readable_and_unique_for_any_name() -> None:
    names = ["state", "node", "交渉", "A-B", "A B", "Ünïcödé", "direction TB", "end"]
    bp = blueprint(names, [{"name": f"t{i}", "from": names[i], "to": names[i + 1]} for i in range(len(names) - 1)]
                   + [{"name": "交渉 again", "from": "*", "to": "end"}])
    g = extract(bp)
    ids = [n.id for n in g.nodes]
    assert len(ids) == len(set(ids)) and all(is_safe_id(i) for i in ids)
    assert by_label(g) == {"state": "s_state", "node": "s_node", "交渉": "s_3", "A-B": "s_a_b", "A B": "s_a_b_2",
                           "Ünïcödé": "s_unicode", "direction TB": "s_direction_tb", "end": "s_end"}


def test_the_record_path_parts_and_current_state_are_marked() -> None:
    g = extract(load_blueprint(ROOT / "sample_blueprints" / "deal-follow-up.yaml"), deal_trail())
    ids = by_label(g)
    marks = {n.label: n.mark for n in g.states}
    assert marks == {"Qualification": Mark.VISITED, "Negotiation": Mark.VISITED, "Discount Approval": Mark.VISITED,
                     "Legal Review": Mark.CURRENT, "Closed Lost": None, "Closed Won": None}
    steps = {(e.kind, e.label or g.node(e.target).label): e.steps for e in g.edges if e.mark is Mark.TAKEN}
    assert steps == {
        (E.ENTRY, "Qualification"): (),
        (E.TRANSITION, "Negotiate"): (1,),
        (E.TRANSITION, "Request discount"): (2, 4),
        (E.TRANSITION, "Decide discount"): (3, 5),
        (E.ELSE, "else"): (3,),
        (E.BRANCH, "Legal Review"): (5,),
    }
    parts = {e.label: (e.mark, e.done_by, e.done_at) for e in g.edges if e.kind is E.PART}
    assert parts == {"Legal approval": (Mark.DONE, "carol", "2026-05-04T10:00:00+02:00"),
                     "Finance approval": (Mark.PENDING, None, None)}
    assert g.record is not None
    assert g.record.path == ("Qualification", "Negotiation", "Discount Approval", "Negotiation", "Discount Approval",
                             "Legal Review")
    assert g.record.pending == ("Sign-off / Finance approval",) and g.record.done == ("Sign-off / Legal approval",)
    assert ids["Legal Review"] == "s_legal_review"


def test_common_and_parallel_moves_and_a_final_state() -> None:
    bp = load_blueprint(ROOT / "sample_blueprints" / "deal-follow-up.yaml")
    won = extract(bp, RecordTrail("7", "Closed Won", (
        Step("create", None, "Qualification"),
        Step("move", "Qualification", "Negotiation", "Negotiate"),
        Step("move", "Negotiation", "Legal Review", "Send to legal"),
        Step("part", "Legal Review", "Legal Review", "Sign-off", "Finance approval"),
        Step("move", "Legal Review", "Closed Won", "Sign-off", "Legal approval"),
    )))
    taken = {(e.kind, e.label) for e in won.edges if e.mark is Mark.TAKEN}
    assert {(E.PART, "Legal approval"), (E.PART, "Finance approval"), (E.JOINED, ""), (E.EXIT, "")} <= taken
    assert not any(e.mark in (Mark.DONE, Mark.PENDING) for e in won.edges)
    lost = extract(bp, RecordTrail("8", "Closed Lost", (
        Step("create", None, "Qualification"),
        Step("move", "Qualification", "Closed Lost", "Lose"),
    )))
    (lose,) = [e for e in lost.edges if e.transition == "Lose"]
    assert lose.mark is Mark.TAKEN and lose.steps == (1,) and lost.node(lose.source).kind is K.GROUP


def test_a_record_with_no_parts_done_waits_for_nothing() -> None:
    bp = load_blueprint(ROOT / "sample_blueprints" / "deal-follow-up.yaml")
    g = extract(bp, RecordTrail("9", "Legal Review", (), (PartDone("Other", "x"),)))
    assert not any(e.mark for e in g.edges if e.kind is E.PART)
    assert g.record is not None and g.record.pending == ()


def test_graph_data_is_json() -> None:
    g = extract(load_blueprint(ROOT / "sample_blueprints" / "deal-follow-up.yaml"), deal_trail())
    data = json.loads(json.dumps(g.to_data(), ensure_ascii=False))
    assert data["title"] == "Deal follow-up" and data["record"]["state"] == "Legal Review"
    kinds = {n["kind"] for n in data["nodes"]}
    assert kinds == {"start", "state", "choice", "fork", "join", "group", "end"}
    lose = next(e for e in data["edges"] if e["label"] == "Lose")
    assert lose["when"] == {"any": ["state ≠ 'Legal Review'", "signed ≠ true"]}

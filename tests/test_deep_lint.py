"""The deeper lint rules that reason about criteria and the graph:
BP210 shadowed branch, BP211 duplicate route, BP212 no way to a final state,
BP213 impossible criteria — what each reports, and what it must not."""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprint_cli.check import lint_text
from workspace_helpers import cli

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_blueprints"

HEAD = """\
blueprint: deep
module: Deals
field: stage
fields:
  discount: {type: percent}
  amount: {type: currency}
  signed: {type: boolean}
  reason: {type: picklist, values: [Price, Timing, Other]}
  name: {type: text}
states:
  - name: Open
  - name: Approval
  - name: Legal
  - name: Fast
  - name: Won
    final: true
  - name: Lost
    final: true
transitions:
  - {name: Ask, from: Open, to: Approval}
  - {name: Finish, from: [Legal, Fast], to: Won}
  - {name: Lose, from: "*", to: Lost}
"""


def findings(extra: str, code: str, head: str = HEAD) -> list[tuple[int, int, str]]:
    _, diags = lint_text(head + extra, "deep.yaml")
    return [(d.line, d.col, d.message) for d in diags if d.code == code]


def decide(*branches: str) -> str:
    lines = "\n".join(f"      - {b}" for b in branches)
    return f"  - name: Decide\n    from: Approval\n    branches:\n{lines}\n"


# ----- BP210 shadowed branch ----------------------------------------------------------------

def test_a_branch_covered_by_an_earlier_one_is_reported_at_its_criteria() -> None:
    found = findings(decide("{when: {field: discount, lte: 20}, to: Legal}",
                            "{when: {field: discount, lte: 10}, to: Fast}",
                            "{else: Open}"), "BP210")
    assert found == [(27, 16, "branch 2 of 'Decide' (to 'Fast') can never be taken: every record with "
                              "discount ≤ 10 matches branch 1 (to 'Legal') first")]


def test_a_branch_covered_only_by_several_earlier_ones_together() -> None:
    found = findings(decide("{when: {field: reason, eq: Price}, to: Legal}",
                            "{when: {field: reason, eq: timing}, to: Fast}",
                            "{when: {field: reason, in: [Price, Timing]}, to: Open}",
                            "{else: Open}"), "BP210")
    assert [m for _, _, m in found] == ["branch 3 of 'Decide' (to 'Open') can never be taken: every record it "
                                        "matches meets one of the branches before it first"]


def test_an_else_after_branches_covering_every_record() -> None:
    found = findings(decide("{when: {field: discount, empty: true}, to: Legal}",
                            "{when: {field: discount, empty: false}, to: Fast}",
                            "{else: Open}"), "BP210")
    assert [m for _, _, m in found] == ["the `else` branch of 'Decide' (to 'Open') can never be taken: the "
                                        "branches before it match every record"]


@pytest.mark.parametrize("branches", [
    # most specific first: fine
    ("{when: {field: discount, lte: 10}, to: Fast}", "{when: {field: discount, lte: 20}, to: Legal}"),
    # overlapping is not covering
    ("{when: {field: discount, lte: 20}, to: Legal}", "{when: {field: discount, gt: 10}, to: Fast}"),
    # "≤ 10 or > 10" still leaves an empty discount for the else
    ("{when: {field: discount, lte: 10}, to: Legal}", "{when: {field: discount, gt: 10}, to: Fast}"),
    # text search is not reasoned about: no claim
    ("{when: {field: name, contains: a}, to: Legal}", "{when: {field: name, contains: ab}, to: Fast}"),
    # different fields
    ("{when: {field: discount, lte: 20}, to: Legal}", "{when: {field: amount, lte: 10}, to: Fast}"),
])
def test_branches_that_can_be_taken_are_not_reported(branches: tuple[str, str]) -> None:
    assert findings(decide(*branches, "{else: Open}"), "BP210") == []


# ----- BP211 duplicate route ----------------------------------------------------------------

def test_same_state_target_criteria_and_owners_is_a_duplicate_route() -> None:
    extra = ("  - {name: Approve, from: Approval, to: Legal, owners: [\"role:boss\"], require: {note: true}}\n"
             "  - {name: Wave through, from: [Open, Approval], to: Legal, owners: [\"role:boss\"]}\n")
    assert findings(extra, "BP211") == [(24, 12, "'Wave through' and 'Approve' (line 23) both lead from Approval "
                                                 "to Legal under the same criteria for the same owners")]


def test_criteria_written_differently_but_equivalent_count_as_the_same() -> None:
    extra = ("  - {name: A, from: Approval, to: Legal, when: {field: amount, gte: 10}}\n"
             "  - name: B\n    from: Approval\n    to: Legal\n"
             "    when: {any: [{field: amount, gt: 10}, {field: amount, eq: 10}]}\n")
    assert [m.split(" both")[0] for _, _, m in findings(extra, "BP211")] == ["'B' and 'A' (line 23)"]


@pytest.mark.parametrize("second", [
    '{name: B, from: Approval, to: Legal, owners: ["role:other"]}',          # other people
    "{name: B, from: Approval, to: Legal, when: {field: amount, gt: 5}}",    # other criteria
    "{name: B, from: Approval, to: Fast}",                                   # other target
    "{name: B, from: Open, to: Legal}",                                      # other state
    # `not amount < 10` also holds for an empty amount: not the same records
    "{name: B, from: Approval, to: Legal, when: {not: {field: amount, lt: 10}}}",
])
def test_different_routes_are_not_reported(second: str) -> None:
    first = "{name: A, from: Approval, to: Legal, when: {field: amount, gte: 10}}"
    if "owners" in second:
        first = "{name: A, from: Approval, to: Legal}"
    assert findings(f"  - {first}\n  - {second}\n", "BP211") == []


# ----- BP212 no way to a final state ------------------------------------------------------------

LOOP = """\
blueprint: loop
module: Deals
field: stage
states:
  - name: Open
  - name: Waiting
  - name: Paused
  - name: Done
    final: true
transitions:
  - {name: Finish, from: Open, to: Done}
  - {name: Wait, from: Open, to: Waiting}
  - {name: Pause, from: Waiting, to: Paused}
  - {name: Resume, from: Paused, to: Waiting}
"""


def test_a_loop_without_exit_is_reported_for_each_state_in_it() -> None:
    found = findings("", "BP212", LOOP)
    assert found == [(6, 11, "no final state can be reached from 'Waiting': it only leads to 'Paused'"),
                     (7, 11, "no final state can be reached from 'Paused': it only leads to 'Waiting'")]


def test_a_common_way_out_clears_the_loop() -> None:
    assert findings("  - {name: Drop, from: \"*\", to: Done}\n", "BP212", LOOP) == []


def test_dead_ends_and_unfinishable_blueprints_are_left_to_bp204_and_bp206() -> None:
    dead_end = LOOP.replace("  - {name: Resume, from: Paused, to: Waiting}\n", "")
    _, diags = lint_text(dead_end, "x.yaml")
    assert {d.code for d in diags} >= {"BP204"} and "BP212" not in {d.code for d in diags}
    no_final = LOOP.replace("  - {name: Finish, from: Open, to: Done}\n", "")
    _, diags = lint_text(no_final, "x.yaml")
    assert "BP206" in {d.code for d in diags} and "BP212" not in {d.code for d in diags}


# ----- BP213 impossible criteria ------------------------------------------------------------------

def test_contradicting_conditions_name_the_pair() -> None:
    extra = ("  - name: Win\n    from: Approval\n    to: Won\n"
             "    when: {all: [{field: amount, gte: 10000}, {field: signed, eq: true}, {field: amount, lt: 5000}]}\n")
    assert findings(extra, "BP213") == [(26, 11, "no record can ever meet the criteria of transition 'Win': "
                                                 "amount ≥ 10000 and amount < 5000 exclude each other")]


def test_an_impossible_branch_is_bp213_not_bp210() -> None:
    extra = decide("{when: {field: reason, eq: Price}, to: Legal}",
                   "{when: {all: [{field: reason, eq: Timing}, {field: reason, eq: Other}]}, to: Fast}",
                   "{else: Open}")
    assert [m for _, _, m in findings(extra, "BP213")] == [
        "no record can ever meet the criteria of a branch of 'Decide': reason = 'Timing' and reason = 'Other' "
        "exclude each other"]
    assert findings(extra, "BP210") == []


def test_possible_criteria_and_descending_between_are_not_bp213() -> None:
    ok = "  - {name: Win, from: Approval, to: Won, when: {all: [{field: amount, gte: 10}, {field: amount, lte: 10}]}}\n"
    assert findings(ok, "BP213") == []
    between = "  - {name: Win, from: Approval, to: Won, when: {field: amount, between: [10, 5]}}\n"
    _, diags = lint_text(HEAD + between, "deep.yaml")
    assert [d.code for d in diags if d.code in ("BP213", "BP307")] == ["BP307"]


# ----- the samples and the catalogue ---------------------------------------------------------------

def test_the_samples_lint_clean_including_the_deeper_rules() -> None:
    r = cli("lint", "--strict", str(SAMPLES))
    assert r.code == 0, r
    assert "All clean: 4 files checked." in r.err  # the scenario files next to them are not blueprints


@pytest.mark.parametrize("code", ["BP210", "BP211", "BP212", "BP213"])
def test_each_rule_explains_itself_with_an_example(code: str) -> None:
    r = cli("lint", "--explain", code)
    assert r.code == 0 and f"# {code}" in r.out


def test_scenario_files_in_a_folder_are_not_linted_as_blueprints(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(LOOP.replace("  - {name: Resume, from: Paused, to: Waiting}\n",
                                                  "  - {name: Resume, from: Paused, to: Done}\n"))
    (tmp_path / "p.scenarios.yaml").write_text("scenarios: []\n")
    (tmp_path / "q.scenario.yml").write_text("not: a blueprint\n")
    r = cli("lint", str(tmp_path))
    assert r.code == 0 and "All clean: 1 file checked." in r.err, r

"""Hostile input, class 12: blueprints shaped to make lint rules quadratic.
BP212 finds the stuck states in one backward walk; BP211 and BP210 compare
pairs up to a bound and then say, in a finding, that they stopped; the
did-you-mean search weighs a shortlist. The findings stay right at ordinary
sizes (the rule case files) and at these sizes (checked here); the times are
in bench/lint_hostile.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from lint_hostile import branches, chain, misspelt, routes  # noqa: E402

from blueprint_cli.language.suggest import closest  # noqa: E402
from workspace_helpers import cli  # noqa: E402


def lint(tmp_path: Path, text: str) -> list[str]:
    source = tmp_path / "b.yaml"
    source.write_text(text, encoding="utf-8")
    result = cli("lint", "--no-cache", str(source))
    assert "Traceback" not in result.err
    return result.out.splitlines()


def test_a_long_chain_is_clean(tmp_path: Path) -> None:
    assert lint(tmp_path, chain(6000)) == []


def test_a_long_loop_without_exit_reports_100_states_then_says_it_stopped(tmp_path: Path) -> None:
    text = chain(3000).replace("  - {name: Fin, from: S2999, to: End}", "  - {name: Back, from: S2999, to: S1}")
    text = text.replace("  - {name: T0, from: S0, to: S1}", "  - {name: T0, from: S0, to: S1}\n  - {name: Out, from: S0, to: End}")
    found = [line for line in lint(tmp_path, text) if "BP212" in line]
    assert len(found) == 101, found[-3:]
    assert "no final state can be reached from 'S1': it only leads to 'S2', 'S3'" in found[0]
    assert "and 2988 more" in found[0]
    assert "stopped after 100 states: 2899 more states, from 'S101' on, cannot reach a final state either" in found[-1]


def test_many_routes_say_where_the_rule_stopped(tmp_path: Path) -> None:
    lines = lint(tmp_path, routes(1500))
    stopped = [line for line in lines if "BP211" in line]
    assert len(stopped) == 1 and "stopped" in stopped[0], lines[:3]


def test_a_duplicate_route_is_still_found_past_the_proof_bound(tmp_path: Path) -> None:
    text = routes(120) + "  - {name: Twin, from: A, to: B, when: {field: amount, gt: 7}}\n"
    found = [line for line in lint(tmp_path, text) if "BP211" in line]
    assert any("'Twin' and 'T7'" in line for line in found), found


def test_many_branches_say_where_the_rule_stopped(tmp_path: Path) -> None:
    lines = [line for line in lint(tmp_path, branches(3000)) if "BP210" in line]
    assert lines and "stopped at branch" in lines[-1] and "20,000 comparisons" in lines[-1], lines[-1:]
    assert "branch 2 of 'Pick' (to 'B') can never be taken" in lines[0]


def test_long_misspelt_names_get_the_right_suggestion(tmp_path: Path) -> None:
    lines = [line for line in lint(tmp_path, misspelt(30)) if "BP301" in line]
    assert len(lines) == 30


@pytest.mark.parametrize("word, choices, expected", [
    ("amonut", ["amount", "discount", "stage"], "amount"),
    ("Qualifcation", ["Qualification", "Negotiation"], "Qualification"),
    ("zzz", ["amount"], None),
    ("x" * 2000 + "0007y", ["x" * 2000 + f"{i:04d}" for i in range(300)], "x" * 2000 + "0007"),
])
def test_suggestions(word: str, choices: list[str], expected: str | None) -> None:
    assert closest(word, choices) == expected

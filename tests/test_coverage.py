"""`blueprint test --coverage`: what the scenarios exercised, as a table and as
JSON, and `--fail-under`."""

from __future__ import annotations

from pathlib import Path

import pytest

from workspace_helpers import cli

ROUTE = """\
blueprint: route
module: Deals
field: stage
fields:
  amount: {type: currency}
states:
  - name: Open
  - name: Review
  - name: Won
    final: true
  - name: Lost
    final: true
transitions:
  - name: Route
    from: Open
    branches:
      - when: {field: amount, gte: 100}
        to: Review
      - else: Won
  - name: Sign
    from: Review
    to: Won
    parallel:
      - {name: Legal, owners: ["role:legal"]}
      - {name: Finance, owners: ["role:finance"]}
  - name: Lose
    from: "*"
    to: Lost
    owners: ["role:boss"]
"""

HEAD = """\
blueprint: route.yaml
team: {users: {ann: {roles: [rep]}, lea: {roles: [legal]}, fin: {roles: [finance]}, bo: {roles: [boss]}}}
scenarios:
"""

SMALL = """\
  - name: A small deal is won straight away
    record: {owner: ann, fields: {amount: 50}}
    steps:
      - {as: ann, move: Route, expect: {state: Won}}
  - name: Refused moves count for nothing
    record: {owner: ann, fields: {amount: 50}}
    steps:
      - {as: ann, move: Lose, expect: {refused: not an owner}}
"""

BIG = """\
  - name: A big deal waits for legal
    record: {owner: ann, fields: {amount: 500}}
    steps:
      - {as: ann, move: Route, expect: {state: Review}}
      - {as: lea, move: Legal, expect: {waiting: [Finance]}}
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "route.yaml").write_text(ROUTE)
    return tmp_path


def test_the_table_counts_each_kind_and_lists_what_is_missing(project: Path) -> None:
    (project / "small.scenarios.yaml").write_text(HEAD + SMALL)
    r = cli("test", "--coverage", "small.scenarios.yaml", cwd=project)
    assert r.code == 0, r
    table = r.out.split("\nCoverage\n", 1)[1]
    assert table.splitlines()[0].split() == ["blueprint", "states", "transitions", "branches", "parts", "total"]
    assert table.splitlines()[2].split() == ["route.yaml", "2/4", "50%", "1/3", "33.3%", "1/2", "50%", "0/2", "0%",
                                             "36.4%"]
    assert table.split("Not covered:\n", 1)[1].splitlines() == [
        "  route.yaml",
        "    state Review",
        "    state Lost",
        "    transition Sign",
        "    transition Lose",
        "    branch Route → Review (branch 1)",
        "    part Sign / Legal",
        "    part Sign / Finance",
    ]


def test_json_and_fail_under(project: Path) -> None:
    (project / "small.scenarios.yaml").write_text(HEAD + SMALL)
    r = cli("--json", "test", "--fail-under", "40", "small.scenarios.yaml", cwd=project)
    assert r.code == 1
    assert "coverage 36.4% is below --fail-under 40%" in r.err
    cov = r.json()["coverage"]  # type: ignore[index]
    assert cov["total"] == {"covered": 4, "total": 11, "percent": 36.4}
    (bp,) = cov["blueprints"]
    assert bp["blueprint"] == "route" and bp["file"] == "route.yaml"
    assert bp["branches"] == {"covered": 1, "total": 2, "percent": 50.0, "missing": ["Route → Review (branch 1)"]}
    assert bp["transitions"]["missing"] == ["Sign", "Lose"]
    assert cli("test", "--fail-under", "36", "small.scenarios.yaml", cwd=project).code == 0


def test_a_parallel_transition_counts_only_when_every_part_is_done(project: Path) -> None:
    (project / "big.scenarios.yaml").write_text(HEAD + BIG)
    cov = cli("--json", "test", "--coverage", "big.scenarios.yaml", cwd=project).json()["coverage"]  # type: ignore
    (bp,) = cov["blueprints"]
    assert bp["parts"]["missing"] == ["Sign / Finance"]
    assert bp["transitions"]["missing"] == ["Sign", "Lose"]
    assert bp["branches"]["missing"] == ["Route → Won (else)"]


def test_scenario_files_for_one_blueprint_add_up(project: Path) -> None:
    (project / "small.scenarios.yaml").write_text(HEAD + SMALL)
    (project / "big.scenarios.yaml").write_text(HEAD + BIG + """\
      - {as: fin, move: Finance, expect: {state: Won}}
  - name: The boss loses one
    record: {owner: ann, state: Review, fields: {amount: 500}}
    steps:
      - {as: bo, move: Lose, expect: {state: Lost}}
""")
    r = cli("test", "--coverage", "--fail-under", "100", ".", cwd=project)
    assert r.code == 0, r
    assert "route.yaml  4/4 100%" in r.out and "Not covered" not in r.out
    # one row per blueprint file, not per scenario file
    assert r.out.split("\nCoverage\n", 1)[1].count("route.yaml") == 1


def test_failing_scenarios_still_report_coverage_and_exit_1(project: Path) -> None:
    (project / "small.scenarios.yaml").write_text(HEAD + SMALL.replace("expect: {state: Won}", "expect: {state: Lost}"))
    r = cli("test", "--coverage", "small.scenarios.yaml", cwd=project)
    assert r.code == 1
    assert "FAILED  A small deal is won straight away" in r.out and "\nCoverage\n" in r.out

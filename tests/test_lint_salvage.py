"""Lint does not stop at the first schema error: the semantic rules run on the
parts that are valid, and none of them reports what only the cut-out parts
caused (lint/salvage.py)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueprint_cli.check import lint_text
from blueprint_cli.language.loader import load_text

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE = REPO_ROOT / "sample_blueprints" / "deal-follow-up.yaml"

BROKEN = """\
blueprint: broken
module: Deals
field: stage
fields:
  amount: {type: currency}
states:
  - name: Open
  - name: Won
    finl: true
  - name: Lost
    final: maybe
transitions:
  - name: Win
    from: Open
    to: Won
    when: {field: ammount, gt: 0}
  - name: Reopen
    from: Wno
    to: Open
    owners: ["role:sales", 7]
"""


def codes(diags: list) -> list[tuple[str, int]]:
    return sorted((d.code, d.line) for d in diags)


def test_schema_errors_and_semantic_errors_come_in_one_run(cli, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    result = cli("lint", path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(":9:5: error BP110 [*] unknown key 'finl'" in line for line in lines), result.stdout
    assert any(":11:12: error BP111 states[2].final must be true or false" in line for line in lines), \
        result.stdout
    assert any(":20:28: error BP111 transitions[1].owners[1] must be text" in line for line in lines), result.stdout
    # the rules that only need what is still valid ran on it
    assert any(":16:19: error BP302 [*] field 'ammount'" in line and "did you mean 'amount'?" in line
               for line in lines), result.stdout
    assert any(":18:11: error BP301 [*] unknown state 'Wno'" in line for line in lines), result.stdout
    # but no rule reasoned about states that lost parts: 'Won' lost its `finl: true`, yet it is
    # not reported as a dead end
    assert not any(code in result.stdout for code in ("BP203", "BP204", "BP206", "BP212")), result.stdout


def test_a_file_missing_a_required_key_is_still_checked() -> None:
    text = BROKEN.replace("module: Deals\n", "").replace("final: maybe", "final: true").replace("finl", "final")
    _, diags = lint_text(text, "x.yaml")
    assert ("BP112", 1) in codes(diags)
    assert {"BP302", "BP301"} <= {d.code for d in diags}


SIBLINGS = """\
blueprint: siblings
module: Deals
field: stage
fields:
  amount: {type: currency}
  reason: {type: picklist, values: [Price, Timing]}
states:
  - name: Open
  - name: Won
    final: true
transitions:
  - name: Win
    from: Open
    to: Won
    when:
      %s:
        - {field: amount, gtx: 1}
        - {field: reason, gt: 1}
        - {not: {field: ammount, empty: true}}
"""


@pytest.mark.parametrize("node", ["all", "any"])
def test_a_bad_criterion_does_not_hide_its_siblings(cli, tmp_path: Path, node: str) -> None:
    """Every independent finding at once: the unknown key in `all[0]` does not
    wait to be fixed before the wrong operator of `all[1]` and the undeclared
    field of `all[2]` are reported."""
    path = tmp_path / "siblings.yaml"
    path.write_text(SIBLINGS % node)
    result = cli("lint", path)
    assert result.exit_code == 1
    found = sorted(line.split()[0].split(":", 1)[1] + " " + line.split()[2]
                   for line in result.stdout.splitlines() if not line.startswith(" "))
    assert found == ["17:27: BP110", "18:27: BP303", "19:25: BP302"], result.stdout


def test_rules_reasoning_about_criteria_skip_one_that_lost_a_part() -> None:
    """With `all[0]` cut, the criterion is weaker than written: a rule proving
    things about it (BP213, impossible criteria) would prove them about
    another one, so it does not run until the file is fixed."""
    text = (SIBLINGS % "all").replace("{field: reason, gt: 1}", "{field: amount, lt: 0}").replace(
        "{not: {field: ammount, empty: true}}", "{field: amount, gt: 5}")
    _, diags = lint_text(text, "x.yaml")
    assert [d.code for d in diags] == ["BP110"], [str(d) for d in diags]
    _, fixed = lint_text(text.replace("gtx", "gt"), "x.yaml")
    assert "BP213" in {d.code for d in fixed}, [str(d) for d in fixed]


def test_only_the_first_error_stays_when_the_rest_is_not_selected(cli, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    result = cli("lint", "--select", "BP3", path)
    assert result.exit_code == 1
    assert {line.split()[2] for line in result.stdout.splitlines() if not line.startswith(" ")} == {"BP301",
                                                                                                    "BP302"}
    result = cli("lint", "--select", "BP4", path)
    assert result.exit_code == 1
    [line] = [x for x in result.stdout.splitlines() if not x.startswith(" ")]
    assert "BP110" in line and "shown although not selected" in line


# ----- fuzz: break random parts of a real blueprint --------------------------------------

SAMPLE_DATA: dict[str, Any] = load_text(SAMPLE.read_text(), str(SAMPLE))[0].data  # type: ignore[union-attr]
PLANTED = "no_such_field"


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    out = [path] if path else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, path + (i,))
    return out


#: anything under `states` and under every transition but the first, which gets the planted error
BREAKABLE = [p for p in _paths(SAMPLE_DATA) if p[0] == "states" or (p[0] == "transitions" and len(p) > 1
                                                                     and p[1] != 0)]
# (printable text: control characters make the whole file invalid YAML, which is another test's subject)
printable = st.text(st.characters(categories=("L", "N", "P", "Zs")), max_size=5)
junk = st.none() | st.booleans() | st.integers() | printable | st.just([]) | st.just({}) | \
    st.just({"x": 1}) | st.just([1, "a"])


def _set(value: Any, path: tuple, new: Any) -> None:
    for part in path[:-1]:
        value = value[part]
    value[path[-1]] = copy.deepcopy(new)  # `st.just` gives the same object every time


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(BREAKABLE), junk), min_size=1, max_size=4))
def test_breaking_parts_never_crashes_a_rule_and_keeps_findings_elsewhere(breaks: list) -> None:
    data = json.loads(json.dumps(SAMPLE_DATA))
    data["transitions"][0].setdefault("require", {})["fields"] = [PLANTED]
    for path, new in breaks:
        try:
            _set(data, path, new)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier break replaced an ancestor
    # (ensure_ascii=False: JSON's surrogate-pair escapes are not YAML)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    _, diags = lint_text(text, "broken.yaml")
    lines = text.count("\n") + 1
    assert all(1 <= d.line <= lines and d.col >= 1 for d in diags)
    # the planted error sits in a part no break touched, and `fields` is intact: it is always found
    assert any(d.code == "BP302" and PLANTED in d.message for d in diags), [str(d) for d in diags]


def test_every_semantic_rule_says_which_sections_it_needs_whole() -> None:
    import importlib

    from blueprint_cli.check.rules import RULE_MODULES, SECTIONS

    for name in RULE_MODULES:
        module = importlib.import_module(f"blueprint_cli.check.rules.{name}")
        if hasattr(module, "check"):
            assert hasattr(module, "NEEDS"), name
            assert set(module.NEEDS) <= SECTIONS, name

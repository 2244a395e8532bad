"""The criteria implication checker behind the deeper lint rules and the diff.

Soundness is what matters (a lint rule built on it must never report a false
positive), so a hypothesis property checks it against the real interpreter:
whenever `implies(a, b)` claims a proof, no record of the right types may
satisfy `a` and not `b`. The example tests check it is also useful: it proves
the implications the lint rules and the diff rely on.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueprint_cli.language.criteria import evaluate
from blueprint_cli.language.implication import Domain, always, equivalent, impossible, implies
from blueprint_cli.language.model import AllOf, AnyOf, Condition, Criterion, NotOf, build_criterion

DOMAIN = Domain({"amount": "currency", "count": "integer", "signed": "boolean", "reason": "picklist",
                 "name": "text", "state": "picklist", "owner": "user", "tags": "multiselect"}, "stage")


def c(data: dict[str, Any]) -> Criterion:
    return build_criterion(data, ())


# ----- what it proves ------------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b"), [
    ({"field": "amount", "lte": 10}, {"field": "amount", "lte": 20}),
    ({"field": "amount", "lt": 10}, {"field": "amount", "lte": 10}),
    ({"field": "amount", "gt": 100}, {"field": "amount", "gte": 50}),
    ({"field": "amount", "between": [10, 20]}, {"field": "amount", "gte": 10}),
    ({"field": "amount", "eq": 15}, {"field": "amount", "between": [10, 20]}),
    ({"field": "amount", "in": [1, 2]}, {"field": "amount", "lt": 3}),
    ({"field": "amount", "gt": 5}, {"field": "amount", "empty": False}),
    ({"field": "amount", "empty": True}, {"field": "amount", "ne": 5}),
    ({"field": "amount", "empty": True}, {"field": "amount", "not_in": [1, 2]}),
    ({"field": "signed", "eq": True}, {"field": "signed", "ne": False}),
    ({"field": "reason", "eq": "Price"}, {"field": "reason", "in": ["price", "Competitor"]}),  # case ignored
    ({"field": "reason", "in": ["Price"]}, {"field": "reason", "ne": "Timing"}),
    ({"field": "stage", "eq": "Won"}, {"field": "state", "in": ["Won", "Lost"]}),  # the state field is `state`
    ({"all": [{"field": "amount", "gte": 10}, {"field": "signed", "eq": True}]}, {"field": "amount", "gt": 5}),
    ({"field": "amount", "gte": 10}, {"any": [{"field": "amount", "gt": 5}, {"field": "name", "contains": "x"}]}),
    ({"not": {"field": "amount", "gt": 10}},
     {"any": [{"field": "amount", "lte": 10}, {"field": "amount", "empty": True}, {"field": "amount", "ne": 11}]}),
    # operators it cannot model still work structurally
    ({"all": [{"field": "name", "matches": "^A"}, {"field": "amount", "gt": 1}]}, {"field": "name", "matches": "^A"}),
])
def test_proves_implications(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert implies(c(a), c(b), DOMAIN)


@pytest.mark.parametrize(("a", "b"), [
    ({"field": "amount", "lte": 20}, {"field": "amount", "lte": 10}),
    ({"field": "amount", "lte": 10}, {"field": "amount", "lt": 10}),
    # "not above 10" includes an empty amount, which "at most 10" does not
    ({"not": {"field": "amount", "gt": 10}}, {"field": "amount", "lte": 10}),
    ({"field": "amount", "ne": 5}, {"field": "amount", "empty": False}),
    ({"field": "signed", "ne": True}, {"field": "signed", "eq": False}),
    ({"field": "name", "contains": "a"}, {"field": "name", "contains": "ab"}),
    ({"field": "tags", "contains": "vip"}, {"field": "tags", "empty": False}),  # multiselect: not modelled
    ({"field": "undeclared", "gt": 5}, {"field": "undeclared", "gt": 1}),  # unknown type: not modelled
])
def test_does_not_claim_what_does_not_hold_or_cannot_be_shown(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert not implies(c(a), c(b), DOMAIN)


def test_impossible_always_and_equivalent() -> None:
    assert impossible(c({"all": [{"field": "amount", "gt": 10}, {"field": "amount", "lt": 5}]}), DOMAIN)
    assert impossible(c({"all": [{"field": "reason", "eq": "Price"}, {"field": "reason", "eq": "Timing"}]}), DOMAIN)
    assert not impossible(c({"all": [{"field": "amount", "gte": 10}, {"field": "amount", "lte": 10}]}), DOMAIN)
    assert always(c({"any": [{"field": "signed", "eq": True}, {"field": "signed", "ne": True}]}), DOMAIN)
    # a number may be empty (or NaN): "≤ 10 or > 10" is not every record
    assert not always(c({"any": [{"field": "amount", "lte": 10}, {"field": "amount", "gt": 10}]}), DOMAIN)
    assert equivalent(c({"field": "amount", "gte": 10}),
                      c({"all": [{"field": "amount", "gte": 10}, {"field": "amount", "empty": False}]}), DOMAIN)
    assert implies(None, None) and implies(c({"field": "amount", "gt": 1}), None, DOMAIN)
    assert not implies(None, c({"field": "amount", "gt": 1}), DOMAIN)


def test_gives_up_on_huge_formulas_instead_of_hanging() -> None:
    leaves = [c({"any": [{"field": "amount", "eq": i}, {"field": "count", "eq": i}]}) for i in range(30)]
    assert not implies(AllOf(tuple(leaves)), c({"field": "amount", "gt": 1000}), DOMAIN)


# ----- soundness, against the interpreter --------------------------------------------------------

NUMS = [-1, 0, 1, 2.5, 5, 10, 20]
TEXTS = ["Price", "price", "Timing", "Other"]


def leaf() -> st.SearchStrategy[Criterion]:
    num = st.one_of(
        st.builds(lambda op, v: Condition("amount", op, v),
                  st.sampled_from(["eq", "ne", "gt", "gte", "lt", "lte"]), st.sampled_from(NUMS + [None])),
        st.builds(lambda lo, hi: Condition("amount", "between", [lo, hi]), st.sampled_from(NUMS),
                  st.sampled_from(NUMS)),
        st.builds(lambda op, vs: Condition("count", op, vs), st.sampled_from(["in", "not_in"]),
                  st.lists(st.sampled_from([0, 1, 2, 5]), max_size=3)),
        st.builds(lambda op, v: Condition("count", op, v), st.sampled_from(["gt", "lte", "eq"]),
                  st.sampled_from([0, 1, 2, 5])),
    )
    boolean = st.builds(lambda op, v: Condition("signed", op, v), st.sampled_from(["eq", "ne"]),
                        st.sampled_from([True, False, None]))
    text = st.one_of(
        st.builds(lambda op, v: Condition("reason", op, v), st.sampled_from(["eq", "ne"]),
                  st.sampled_from(TEXTS + [None])),
        st.builds(lambda op, vs: Condition("reason", op, vs), st.sampled_from(["in", "not_in"]),
                  st.lists(st.sampled_from(TEXTS), max_size=3)),
        st.builds(lambda v: Condition("name", "contains", v), st.sampled_from(["a", "b"])),
        st.builds(lambda v: Condition("stage", "eq", v), st.sampled_from(["Open", "Won"])),
        st.builds(lambda v: Condition("state", "ne", v), st.sampled_from(["Open", "Won"])),
    )
    empty = st.builds(lambda f, v: Condition(f, "empty", v), st.sampled_from(["amount", "signed", "reason"]),
                      st.booleans())
    return st.one_of(num, boolean, text, empty)


criteria_trees = st.recursive(
    leaf(),
    lambda inner: st.one_of(
        st.builds(lambda xs: AllOf(tuple(xs)), st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: AnyOf(tuple(xs)), st.lists(inner, min_size=1, max_size=3)),
        st.builds(NotOf, inner),
    ),
    max_leaves=6,
)

# records built from every value that matters at the boundaries the leaves use
AMOUNTS: list[Any] = [None, math.nan, -math.inf, math.inf] + sorted({x + d for x in NUMS for d in (-0.5, 0, 0.5)})
COUNTS: list[Any] = [None, -1, 0, 1, 2, 3, 5, 6]
SIGNED: list[Any] = [None, True, False]
REASONS: list[Any] = [None, "", "Price", "PRICE", "Timing", "x"]
NAMES: list[Any] = [None, "a", "ab"]
STATES = ["Open", "Won", "Lost"]


def records() -> list[dict[str, Any]]:
    out = []
    for amount, count, signed, reason, name, state in itertools.product(AMOUNTS, COUNTS, SIGNED, REASONS, NAMES,
                                                                         STATES):
        out.append({"amount": amount, "count": count, "signed": signed, "reason": reason, "name": name,
                    "state": state, "stage": state})
    return out


RECORDS = records()[::19]  # a fixed, spread-out sample of ~2,100 records


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(criteria_trees, criteria_trees, st.integers(0, 2))
def test_a_proof_is_never_wrong(a: Criterion, b: Criterion, mode: int) -> None:
    # besides random pairs, pairs built so that a proof exists, so the checker
    # gets to claim proofs often (through negations, ranges and sets)
    if mode == 0:
        b = AnyOf((NotOf(NotOf(a)), b))
    elif mode == 1:
        a = AllOf((b, a))
    if not implies(a, b, DOMAIN):
        return
    for record in RECORDS:
        if evaluate(a, record):
            assert evaluate(b, record), (record, a, b)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(criteria_trees)
def test_impossible_criteria_really_match_nothing(a: Criterion) -> None:
    if impossible(a, DOMAIN):
        assert not any(evaluate(a, record) for record in RECORDS), a


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NUMS), st.sampled_from(NUMS), st.sampled_from(["gt", "gte", "lt", "lte"]),
       st.sampled_from(["gt", "gte", "lt", "lte"]))
def test_single_field_intervals_are_decided_exactly(x: float, y: float, op1: str, op2: str) -> None:
    """For two plain comparisons on one number the answer is complete too:
    proven exactly when it holds for every value."""
    a, b = Condition("amount", op1, x), Condition("amount", op2, y)
    truth = all(evaluate(b, r) for r in RECORDS if evaluate(a, r))
    assert implies(a, b, DOMAIN) == truth

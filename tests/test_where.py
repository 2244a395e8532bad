"""The `--where` language (blueprint_cli/language/where.py): parsing into the criteria
model, precedence, errors with their column, checking against fields — and
that `record list`, `bulk` and `record export` share it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blueprint_cli.language import criteria
from blueprint_cli.language.model import AllOf, AnyOf, Condition, Criterion, FieldDef, NotOf
from blueprint_cli.language.where import Vocabulary, WhereError, check, parse
from workspace_helpers import cli

VALUES = {"amount": 5000, "stage": "Negotiation", "tags": ["vip", "eu"], "owner": "alice", "reason": None,
          "name": "Acme Corp", "close_on": "2026-06-30", "signed": True}


def holds(text: str, values: dict[str, Any] = VALUES) -> bool:
    return criteria.evaluate(parse(text), values)


@pytest.mark.parametrize(("text", "tree"), [
    ("amount >= 1000", Condition("amount", "gte", 1000)),
    ("amount>=1000", Condition("amount", "gte", 1000)),
    ('stage = "Legal Review"', Condition("stage", "eq", "Legal Review")),
    ("stage == 'it''s'", None),  # two strings in a row: refused (see errors)
    ("tags contains vip", Condition("tags", "contains", "vip")),
    ("name ~ acme", Condition("name", "contains", "acme")),
    ("name !~ acme", Condition("name", "not_contains", "acme")),
    ("tags not contains vip", Condition("tags", "not_contains", "vip")),
    ("stage in [Negotiation, 'Legal Review']", Condition("stage", "in", ["Negotiation", "Legal Review"])),
    ("stage not in [Won]", Condition("stage", "not_in", ["Won"])),
    ("amount between 10 and 20.5", Condition("amount", "between", [10, 20.5])),
    ("reason is empty", Condition("reason", "empty", True)),
    ("reason is not empty", Condition("reason", "empty", False)),
    ("reason=", Condition("reason", "empty", True)),
    ("reason !=", Condition("reason", "empty", False)),
    ("signed = true", Condition("signed", "eq", True)),
    ("close_on < 2026-07-01", Condition("close_on", "lt", "2026-07-01")),
    ("name starts_with Ac", Condition("name", "starts_with", "Ac")),
    ("name matches '^A.*p$'", Condition("name", "matches", "^A.*p$")),
    ("not amount > 5", NotOf(Condition("amount", "gt", 5))),
    ("a = 1 and b = 2 or c = 3",
     AnyOf((AllOf((Condition("a", "eq", 1), Condition("b", "eq", 2))), Condition("c", "eq", 3)))),
    ("a = 1 and (b = 2 or c = 3)",
     AllOf((Condition("a", "eq", 1), AnyOf((Condition("b", "eq", 2), Condition("c", "eq", 3)))))),
    ("A = 1 AND NOT (b = 2 OR c = 3)",
     AllOf((Condition("A", "eq", 1), NotOf(AnyOf((Condition("b", "eq", 2), Condition("c", "eq", 3))))))),
    ('name = "say \\"hi\\""', Condition("name", "eq", 'say "hi"')),
])
def test_parses_into_the_criteria_model(text: str, tree: Criterion | None) -> None:
    if tree is None:
        with pytest.raises(WhereError):
            parse(text)
    else:
        assert parse(text) == tree


@pytest.mark.parametrize(("text", "expected"), [
    ("amount >= 1000 and stage = negotiation and tags contains VIP", True),  # text compares without case
    ("amount > 5000", False),
    ("amount >= 5000", True),
    ("not (amount < 100 or owner = bob)", True),
    ("reason is empty and name is not empty", True),
    ("stage in [Won, Lost]", False),
    ("close_on between 2026-06-01 and 2026-06-30", True),
    ("tags contains us or tags contains eu", True),
    ("signed = false", False),
])
def test_evaluates_with_the_criteria_interpreter(text: str, expected: bool) -> None:
    assert holds(text) is expected


@pytest.mark.parametrize(("text", "column", "message"), [
    ("amount >>> 5", 9, "expected a value after '>', found '>'"),
    ("amount >=", 10, "expected a value after '>=', found the end of the expression"),
    ("amount 5", 8, "expected an operator after 'amount'"),
    ("(amount > 5", 1, "the '(' opened here is never closed"),
    ("amount > 5)", 11, "')' without a matching '('"),
    ("amount > 5 stage = x", 12, "expected `and`, `or` or the end, found 'stage'"),
    ("stage in [a, b", 10, "the '[' opened here is never closed"),
    ("stage in a", 10, "expected a list like [a, b]"),
    ("name = 'open", 8, "the text opened with ' here is never closed"),
    ("amount between 1 or 2", 18, "expected `and` (as in `between 10 and 20`)"),
    ("reason is blank", 11, "expected `empty`"),
    ("and = 5", 1, "expected a field name"),
    ("   ", 1, "the expression is empty"),
    ("name matches '(('", 6, "not a valid regular expression"),
    ("amount > 5 and", 15, "expected a field name"),
])
def test_syntax_errors_name_the_column(text: str, column: int, message: str) -> None:
    with pytest.raises(WhereError) as err:
        parse(text)
    assert err.value.column == column and message in err.value.reason
    assert err.value.pointer().splitlines()[1] == " " * (column - 1) + "^"


FIELDS = {"amount": FieldDef("amount", "currency"), "close_on": FieldDef("close_on", "date"),
          "signed": FieldDef("signed", "boolean"), "reason": FieldDef("reason", "picklist", values=("Price", "Timing"))}
VOCAB = Vocabulary(FIELDS, frozenset({"Qualification", "Negotiation"}), frozenset({"stage"}))


@pytest.mark.parametrize(("text", "message"), [
    ("amonut > 5", "unknown field 'amonut' (did you mean 'amount'?)"),
    ("amount > lots", "amount is a currency field: 'lots' is not a number"),
    ("close_on < soon", "close_on is a date field: 'soon' is not a date"),
    ("signed = yes", "signed is a yes/no field"),
    ("reason = Prise", "reason: 'Prise' is not a value of any published blueprint (did you mean 'Price'?)"),
    ("stage = Negotiaton", "stage: 'Negotiaton' is not a state of any published blueprint (did you mean 'Negotiation'?)"),
    ("state in [Qualification, Nope]", "'Nope' is not a state"),
])
def test_checked_against_the_fields(text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        check(parse(text), VOCAB)
    assert message in str(err.value)


def test_numbers_written_as_text_become_numbers_for_number_fields() -> None:
    assert check(parse('amount >= "1000"'), VOCAB) == Condition("amount", "gte", 1000)
    assert check(parse("owner = 42 and stage = negotiation"), VOCAB)  # case of a state does not matter


# ----- a property: any criteria tree, written out, parses back to the same meaning ------------------

_names = st.sampled_from(["amount", "stage", "tags", "owner", "reason", "name"])
_atoms = st.one_of(st.integers(-10_000, 10_000), st.sampled_from(["Negotiation", "vip", "Acme Corp", "eu", "a'b"]))
_ops = st.sampled_from(["eq", "ne", "gt", "gte", "lt", "lte", "contains", "not_contains", "starts_with"])


def _leaf() -> Any:
    return st.one_of(
        st.builds(Condition, _names, _ops, _atoms),
        st.builds(lambda f, v: Condition(f, "in", v), _names, st.lists(_atoms, min_size=1, max_size=3)),
        st.builds(lambda f, b: Condition(f, "empty", b), _names, st.booleans()),
        st.builds(lambda f, a, b: Condition(f, "between", [a, b]), _names, st.integers(0, 99), st.integers(0, 99)),
    )


_trees = st.recursive(_leaf(), lambda kids: st.one_of(
    st.builds(lambda xs: AllOf(tuple(xs)), st.lists(kids, min_size=2, max_size=3)),
    st.builds(lambda xs: AnyOf(tuple(xs)), st.lists(kids, min_size=2, max_size=3)),
    st.builds(NotOf, kids)), max_leaves=8)


def _text(c: Criterion) -> str:
    def value(v: Any) -> str:
        return str(v) if isinstance(v, int) else '"' + str(v).replace('"', '\\"') + '"'
    if isinstance(c, Condition):
        symbol = {"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
        if c.op == "empty":
            return f"{c.field} is {'' if c.value else 'not '}empty"
        if c.op == "in":
            return f"{c.field} in [{', '.join(value(v) for v in c.value)}]"
        if c.op == "between":
            return f"{c.field} between {c.value[0]} and {c.value[1]}"
        if c.op == "not_contains":
            return f"{c.field} not contains {value(c.value)}"
        return f"{c.field} {symbol.get(c.op, c.op)} {value(c.value)}"
    if isinstance(c, NotOf):
        return f"not ({_text(c.item)})"
    joiner = " and " if isinstance(c, AllOf) else " or "
    return "(" + joiner.join(_text(i) for i in c.items) + ")"


@settings(max_examples=300, deadline=None)
@given(_trees, st.fixed_dictionaries({"amount": st.integers(-100, 100), "stage": st.sampled_from(["Negotiation", "Won"]),
                                      "tags": st.lists(st.sampled_from(["vip", "eu"]), max_size=2),
                                      "owner": st.sampled_from(["alice", "vip"]),
                                      "reason": st.sampled_from([None, "", "Price"]),
                                      "name": st.sampled_from(["Acme Corp", "a'b", "x"])}))
def test_any_tree_written_as_text_means_the_same(tree: Criterion, values: dict[str, Any]) -> None:
    assert criteria.evaluate(parse(_text(tree)), values) == criteria.evaluate(tree, values)


# ----- one language for record list, bulk and export ------------------------------------------------

@pytest.fixture()
def deals(tmp_path: Path) -> Path:
    assert cli("init", str(tmp_path)).code == 0
    for name, amount in (("Acme", 5000), ("Globex", 200), ("Initech", 80000)):
        assert cli("--as", "alice", "record", "create", "Deals", "--set", f"name={name}", "--set", f"amount={amount}",
                   cwd=tmp_path).code == 0
    assert cli("--as", "alice", "record", "tag", "3", "vip", cwd=tmp_path).code == 0
    return tmp_path


def test_record_list_and_export_share_the_language(deals: Path) -> None:
    expr = "amount >= 1000 and (tags contains vip or name = acme)"
    listed = cli("--json", "record", "list", "--where", expr, cwd=deals)
    assert listed.code == 0 and [r["id"] for r in listed.json()] == ["1", "3"]  # type: ignore[union-attr]
    exported = cli("record", "export", "--format", "json", "--where", expr, cwd=deals)
    assert [r["id"] for r in __import__("json").loads(exported.out)] == ["1", "3"]
    assert [r["id"] for r in cli("--json", "record", "list", "--where", "not amount between 1000 and 10000",
                                 cwd=deals).json()] == ["2", "3"]  # type: ignore[union-attr]


@pytest.mark.parametrize("command", [["record", "list"], ["record", "export"], ["bulk", "Negotiate"]])
def test_every_command_reports_the_same_error_with_a_pointer(deals: Path, command: list[str]) -> None:
    r = cli(*command, "--where", "amount >= 1000 and (stage = Negotiation", cwd=deals)
    assert r.code == 2 and "cannot read it at column 20: the '(' opened here is never closed" in r.err
    assert "\n  amount >= 1000 and (stage = Negotiation\n                     ^" in r.err and "Traceback" not in r.err
    r = cli(*command, "--where", "amonut > 5", cwd=deals)
    assert r.code == 2 and "did you mean 'amount'?" in r.err

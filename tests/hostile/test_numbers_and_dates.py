"""Hostile input, class 6: numbers, dates and durations out of range. Each is
bounded where it is read — a lint finding in a blueprint, a clear error on the
command line or in an import — never an OverflowError later."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from blueprint_cli.language.durations import DurationError, parse_duration, parse_relative
from blueprint_cli.language.fieldtypes import FieldValueError, parse
from blueprint_cli.language.model import FieldDef
from workspace_helpers import cli, deal_workspace, run

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"
HUGE = "9" * 5000


@pytest.mark.parametrize("within", ["99999999999d", "P99999999999W", "P0DT99999999999999H", "99999 business_days",
                                    "9999999999 business_hours", "36526d", f"{HUGE}m"])
@pytest.mark.parametrize("command", [("lint",), ("show",), ("graph", "-f", "dot"), ("graph", "-f", "mermaid")])
def test_a_duration_too_long_is_a_finding(tmp_path: Path, within: str, command: tuple[str, ...]) -> None:
    source = tmp_path / "b.yaml"
    source.write_text(SAMPLE.read_text(encoding="utf-8").replace("within: 3d", f"within: {within}", 1),
                      encoding="utf-8")
    result = cli(*command, str(source))
    assert result.code == 1, result
    assert "longer than 100 years" in result.out + result.err, result
    assert "Traceback" not in result.err


def test_relative_date_too_far_is_a_finding(tmp_path: Path) -> None:
    source = tmp_path / "b.yaml"
    text = SAMPLE.read_text(encoding="utf-8").replace("set: {probability: 40}",
                                                      'set: {probability: 40, close_on: "+99999999d"}', 1)
    assert "+99999999d" in text
    source.write_text(text, encoding="utf-8")
    result = cli("lint", str(source))
    assert result.code == 1 and "BP307" in result.out and "longer than 100 years" in result.out, result


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=10**30), st.sampled_from(["m", "h", "d", "w", " business_days",
                                                                      " business_hours", "W", "D", "H", "S"]))
def test_any_duration_parses_or_is_refused_cleanly(n: int, unit: str) -> None:
    text = f"P{n}{unit}" if unit.isupper() and unit in "WD" else f"PT{n}{unit}" if unit.isupper() else f"{n}{unit}"
    try:
        d = parse_duration(text)
    except DurationError:
        return
    assert d.delta is None or d.delta.days <= 36525
    if not d.is_business:
        parse_relative("+" + text) if not unit.isupper() else None


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("numbers")
    deal_workspace(path)
    return path


@pytest.mark.parametrize("value, why", [
    (HUGE, "not 5000 characters"), ("nan", "finite"), ("NaN", "finite"), ("Infinity", "finite"), ("-inf", "finite"),
    ("1e400", "finite"), ("9223372036854775808", "must be between"),
])
def test_a_number_out_of_range_is_refused(folder: Path, value: str, why: str) -> None:
    result = run(folder, "record", "create", "Deals", "--set", "name=Acme", "--set", f"amount={value}")
    assert result.code == 2 and why in result.err and len(result.err) < 600, result


@pytest.mark.parametrize("value", ["0001-01-01", "0999-12-31", "9001-01-01", "9999-12-31"])
def test_a_date_out_of_range_is_refused(folder: Path, value: str) -> None:
    result = run(folder, "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5",
                 "--set", f"close_on={value}")
    assert result.code == 2 and "the year must be between 1000 and 9000" in result.err, result


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+05:00"])
def test_tick_now_out_of_range_is_refused(folder: Path, moment: str) -> None:
    result = run(folder, "tick", "--now", moment)
    assert result.code == 2 and "the year must be between" in result.err, result


@pytest.mark.parametrize("body, why", [
    ('[{"module": "Deals", "name": "Acme", "amount": NaN}]', "NaN is not a number JSON allows"),
    ('[{"module": "Deals", "name": "Acme", "amount": Infinity}]', "Infinity is not a number JSON allows"),
    (f'[{{"module": "Deals", "name": "Acme", "amount": {HUGE}}}]', "a number of 5000 digits"),
    ("[" * 200000 + "]" * 200000, "nested too deeply"),
])
def test_a_json_import_with_bad_numbers_is_refused(folder: Path, body: str, why: str) -> None:
    (folder / "in.json").write_text(body, encoding="utf-8")
    result = run(folder, "record", "import", "in.json")
    assert result.code == 2 and why in result.err, result


def test_a_csv_import_with_nan_lists_the_row(folder: Path) -> None:
    (folder / "in.csv").write_text("module,name,amount\nDeals,Acme,nan\nDeals,Acme,1e999\n", encoding="utf-8")
    result = run(folder, "record", "import", "in.csv")
    assert result.code == 1 and result.err.count("finite number") == 2, result


@pytest.mark.parametrize("field, value, why", [
    (FieldDef("n", "number", min=10**400), "5", "must be at least 1" + "0" * 400),
    (FieldDef("i", "integer", max=-(10**400)), "5", "must be at most -1" + "0" * 400),
    (FieldDef("p", "percent", min=2.5), "1", "must be at least 2.5"),
    (FieldDef("c", "currency", max=100.0), "101", "must be at most 100"),
], ids=["min-of-401-digits", "max-of-401-digits", "fraction", "whole-float"])
def test_a_bound_larger_than_a_float_is_named_as_written(field: FieldDef, value: str, why: str) -> None:
    """A bound of hundreds of digits (the loader allows 4,300) was turned into
    a float to be worded: OverflowError, a traceback on `record create`."""
    with pytest.raises(FieldValueError) as refused:
        parse(field, value)
    assert str(refused.value) == why


NUMBERS = FieldDef("n", "number")
INTEGERS = FieldDef("i", "integer")


@settings(max_examples=300)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-(10**40), max_value=10**40),
                 st.text("0123456789.eE+-naif", max_size=30)))
def test_a_number_field_holds_only_finite_bounded_numbers(raw: object) -> None:
    for fd in (NUMBERS, INTEGERS):
        try:
            value = parse(fd, raw)
        except FieldValueError:
            continue
        if value is not None:
            assert json.loads(json.dumps(value, allow_nan=False)) == value
            assert abs(value) <= 2**63 - 1 or isinstance(value, float)

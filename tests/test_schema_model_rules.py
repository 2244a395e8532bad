"""The JSON Schema, the model and the rule catalogue agree, so they cannot drift
apart: a key added to the schema must reach the model (and back), every rule
module is registered and documented, and every code the loader and the schema
check can emit is a documented rule."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blueprint_cli.language import model
from blueprint_cli.language.durations import DurationError, parse_duration
from blueprint_cli.language.fieldtypes import OPERATORS_BY_TYPE
from blueprint_cli.check import rules as rules_pkg
from blueprint_cli.check.rules import RULE_MODULES, catalogue
from blueprint_cli.language.schema import _CODE_BY_KEYWORD, schema

PACKAGE = Path(model.__file__).resolve().parent.parent
RULES_DIR = Path(rules_pkg.__file__).resolve().parent
DEFS = schema()["definitions"]


def props(definition: dict) -> set[str]:
    return set(definition.get("properties", {}))


def fields_of(cls: type, *, skip: tuple[str, ...] = ()) -> set[str]:
    """Dataclass fields a user writes (not bookkeeping such as `path`)."""
    bookkeeping = {"path", "kind", "source", "_state_index", "_field_index", "_from_index"}
    return {f.name for f in dataclasses.fields(cls)} - bookkeeping - set(skip)


# Schema property → dataclass field, where the names differ. Everything not
# listed must have the same name on both sides.
RENAMED = {
    "top level": {"blueprint": "id"},
    "transition": {"from": "sources"},
    "branch": {"else": "to"},  # `Branch.to` holds the target of `to:` and of `else:`
}

# (schema part, dataclass, dataclass fields that are not schema properties)
PARTS = [
    ("top level", schema(), model.Blueprint, ()),
    ("entry", schema()["properties"]["entry"], model.Entry, ()),
    ("field", DEFS["field"], model.FieldDef, ("name",)),  # the name is the key in `fields:`
    ("state", DEFS["state"], model.State, ()),
    ("sla", DEFS["sla"], model.Sla, ()),
    ("sla level", DEFS["sla"]["properties"]["levels"]["items"], model.EscalationLevel, ()),
    ("transition", DEFS["transition"], model.Transition, ()),
    ("auto", DEFS["transition"]["properties"]["auto"], model.Auto, ()),
    ("branch", DEFS["branch"], model.Branch, ()),
    ("parallel part", DEFS["parallel_part"], model.ParallelPart, ()),
    ("requirement", DEFS["requirement"], model.Requirement, ()),
    ("task action", DEFS["action"]["properties"]["task"], model.TaskAction, ()),
    ("email action", DEFS["action"]["properties"]["email"], model.EmailAction, ()),
    ("webhook action", DEFS["action"]["properties"]["webhook"], model.WebhookAction, ()),
    ("tag action", DEFS["action"]["properties"]["tag"], model.TagAction, ()),
]


@pytest.mark.parametrize("part, definition, cls, extra", PARTS, ids=[p[0] for p in PARTS])
def test_schema_properties_and_dataclass_fields_agree(part: str, definition: dict, cls: type,
                                                       extra: tuple[str, ...]) -> None:
    renamed = RENAMED.get(part, {})
    from_schema = {renamed.get(p, p) for p in props(definition)}
    assert from_schema == fields_of(cls, skip=extra), (
        f"{part}: only in the schema: {sorted(from_schema - fields_of(cls, skip=extra))}, "
        f"only in {cls.__name__}: {sorted(fields_of(cls, skip=extra) - from_schema)}"
    )


def test_every_part_of_the_schema_is_checked_against_the_model() -> None:
    checked = {"field", "state", "sla", "transition", "branch", "parallel_part", "requirement"}
    # the others are leaves (duration, owner, owners) or are checked separately below
    assert set(DEFS) == checked | {"duration", "owner", "owners", "criterion", "action"}


def test_closed_objects_are_closed() -> None:
    """Unknown keys are errors: every object in the language says so."""
    for part, definition, _cls, _extra in PARTS:
        assert definition.get("additionalProperties") is False, part
    assert DEFS["criterion"]["additionalProperties"] is False
    assert DEFS["action"]["additionalProperties"] is False


def test_field_types_agree() -> None:
    assert DEFS["field"]["properties"]["type"]["enum"] == list(model.FIELD_TYPES)
    assert set(OPERATORS_BY_TYPE) == set(model.FIELD_TYPES)


def test_operators_agree() -> None:
    leaf_keys = props(DEFS["criterion"]) - {"all", "any", "not", "field"}
    assert leaf_keys == set(model.OPERATORS)
    for ops in OPERATORS_BY_TYPE.values():
        assert ops <= set(model.OPERATORS)
    # `empty` fits every type
    assert all("empty" in ops for ops in OPERATORS_BY_TYPE.values())


def test_action_kinds_agree() -> None:
    """The registry of action kinds is the one list: the model's, every JSON
    Schema that names kinds (a blueprint's actions, a scenario's expected
    actions, a store's outcomes) and the delivery settings agree with it."""
    from blueprint_cli.language.actions import KINDS, SENT_KINDS

    named = schema
    assert set(model.ACTION_KINDS) == set(KINDS)
    assert props(DEFS["action"]) == set(KINDS)
    assert {cls.__dataclass_fields__["kind"].default for cls in KINDS.values()} == set(KINDS)  # type: ignore[attr-defined]
    assert {key for key, kind in KINDS.items() if kind.KEY == key} == set(KINDS)
    assert props(named("scenario.schema.json")["definitions"]["action"]) - {"status"} == set(KINDS)
    store = named("store.schema.json")["definitions"]
    assert set(next(d["properties"]["action"]["enum"] for d in store.values()
                    if "action" in d.get("properties", {}))) == set(KINDS)
    # each way out of the process has its settings in config.yaml
    settings_of = {"mail": "smtp", "http": "webhooks"}
    assert set(SENT_KINDS.values()) == set(settings_of)
    assert set(settings_of.values()) <= set(named("config.schema.json")["properties"])


def test_owner_kinds_agree() -> None:
    pattern = DEFS["owner"]["pattern"]
    for kind in model.OWNER_KINDS:
        text = kind if kind in ("record_owner", "anyone") else f"{kind}:someone"
        assert re.search(pattern, text), text
        assert str(model.Owner.parse(text)) == text


@pytest.mark.parametrize("text", [
    "30m", "30min", "4h", "2d", "1w", " 2d ", "2 business_days", "4 business_hours", "P2DT4H", "PT30M", "P1W",
    "P2D", "PT1S", "0d", "2d\n", "\t2d", "P ", "P\n",
    "19h59m", "1d12h", "1w 2d", "2w3d4h5m", "19h 59min", "1h1d", "1d1d", "2d4", "1d 12h ",
    "3 days", "\u0663d", "2\u00a0d", "2d\x1c", "2", "d", "P", "PT", "P1DT", "2x", "-1d", "1.5h", "2 business_weeks", "P1Y", "", "2dd",
])
def test_duration_pattern_and_parser_agree(text: str) -> None:
    assert _schema_accepts_duration(text) == _parser_accepts_duration(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 PTWDHMSmindhw_businesay\n\t\x1c\u00a0\u0663", max_size=14))
def test_duration_pattern_and_parser_agree_on_anything(text: str) -> None:
    assert _schema_accepts_duration(text) == _parser_accepts_duration(text)


def _schema_accepts_duration(text: str) -> bool:
    # the validator `blueprint lint` uses (Rust regular expressions, not Python's)
    import jsonschema_rs

    return bool(jsonschema_rs.validator_for({"type": "string", "pattern": DEFS["duration"]["pattern"]}).is_valid(text))


def _parser_accepts_duration(text: str) -> bool:
    try:
        parse_duration(text)
    except DurationError:
        return False
    return True


# ----- the rule catalogue -----------------------------------------------------------------------

def test_every_rule_module_is_registered() -> None:
    on_disk = sorted(p.stem for p in RULES_DIR.glob("*.py") if p.stem != "__init__")
    assert on_disk == sorted(RULE_MODULES)
    assert list(RULE_MODULES) == sorted(RULE_MODULES), "RULE_MODULES is in code order"


def test_codes_are_unique_well_formed_and_match_their_module() -> None:
    rules = catalogue()
    assert len(rules) == len(RULE_MODULES)  # no two modules share a code
    names = [r.name for r in rules.values()]
    assert len(set(names)) == len(names)
    for module, (code, rule) in zip(RULE_MODULES, rules.items()):
        assert re.fullmatch(r"BP\d{3}", code)
        assert module.startswith(code.lower() + "_")
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
        assert rule.severity.value in ("error", "warning", "info")


@pytest.mark.parametrize("code", list(catalogue()))
def test_rule_documentation_has_a_summary_and_an_example(code: str) -> None:
    doc = catalogue()[code].doc
    summary, blank, *body = doc.splitlines()
    assert summary.strip() and summary.strip()[0].isupper()
    assert blank == ""
    # an example: an indented block, as `--explain` prints it
    assert any(line.startswith("    ") and line.strip() for line in body), f"{code} has no example"


@pytest.mark.parametrize("code", list(catalogue()))
def test_stage_of_each_rule(code: str) -> None:
    """BP1xx are reported by the loader and schema stages, BP0xx by the run itself
    (configuration, suppressions, file kinds); the others are semantic rules with a `check`."""
    rule = catalogue()[code]
    assert (rule.check is None) == code.startswith(("BP0", "BP1"))


def _codes_in(path: Path) -> set[str]:
    return set(re.findall(r"[\"'](BP\d{3})[\"']", path.read_text()))


@pytest.mark.parametrize("module", ["language/loader.py", "language/schema.py", "check/check.py", "lint/run.py"])
def test_every_code_the_early_stages_emit_is_a_rule(module: str) -> None:
    emitted = _codes_in(PACKAGE / module)
    assert emitted, module
    assert emitted <= set(catalogue()), sorted(emitted - set(catalogue()))
    assert all(code.startswith(("BP0", "BP1")) for code in emitted)


def test_every_schema_keyword_maps_to_a_rule() -> None:
    assert set(_CODE_BY_KEYWORD.values()) <= set(catalogue())


def test_every_code_mentioned_in_the_package_is_a_rule() -> None:
    mentioned = set()
    for path in PACKAGE.rglob("*.py"):
        mentioned |= set(re.findall(r"\bBP\d{3}\b", path.read_text()))
    assert mentioned <= set(catalogue()), sorted(mentioned - set(catalogue()))


@pytest.mark.parametrize("text, length, shown", [
    ("19h59m", timedelta(hours=19, minutes=59), "19h59m"),
    ("1d12h", timedelta(days=1, hours=12), "1d12h"),
    ("1w 2d", timedelta(days=9), "1w2d"),
    ("PT19H59M", timedelta(hours=19, minutes=59), "19h59m"),
    ("P2W", timedelta(weeks=2), "2w"),
    ("30min", timedelta(minutes=30), "30m"),
    ("P2DT4H", timedelta(days=2, hours=4), "2d4h"),
])
def test_compound_durations_are_read_and_every_duration_is_shown_in_one_form(text: str, length: timedelta,
                                                                            shown: str) -> None:
    """`19h59m` is taken where `PT19H59M` is, and both read back the same way."""
    duration = parse_duration(text)
    assert duration.delta == length
    assert str(duration) == shown
    assert _schema_accepts_duration(text)

"""What the schema (the editor's hover, the key reference) says about the
regular expressions users write is what `blueprint_cli/language/regex.py`
does: RE2 syntax, searched anywhere in the value."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from blueprint_cli.language import fieldtypes
from blueprint_cli.language.regex import RegexError, compile_pattern

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ("blueprint.schema.json", "scenario.schema.json", "config.schema.json", "team.schema.json")


def descriptions(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("description"), str):
            yield node["description"]
        for sub in node.values():
            yield from descriptions(sub)
    elif isinstance(node, list):
        for sub in node:
            yield from descriptions(sub)


@pytest.mark.parametrize("name", SCHEMAS)
def test_no_schema_says_python_re_syntax(name: str) -> None:
    schema = json.loads(resources.files("blueprint_cli").joinpath("schemas", name).read_text(encoding="utf-8"))
    for text in descriptions(schema):
        assert "Python `re` syntax" not in text and "Python re syntax" not in text, text
        if "regular expression" in text.lower():
            assert "RE2" in text, text


def test_the_schema_describes_matches_and_pattern_as_they_run() -> None:
    schema = json.loads(resources.files("blueprint_cli").joinpath("schemas", "blueprint.schema.json")
                        .read_text(encoding="utf-8"))
    matches = schema["definitions"]["criterion"]["properties"]["matches"]["description"]
    pattern = schema["definitions"]["field"]["properties"]["pattern"]["description"]
    for text in (matches, pattern):
        assert "RE2" in text and "searched anywhere" in text.lower(), text
        assert "in full" not in text
    # RE2, not Python's re: a lookahead Python takes is refused
    with pytest.raises(RegexError):
        compile_pattern("^(?=a)a$")
    # searched, not matched in full: a field pattern takes a value that holds a match
    field = fieldtypes.FieldDef(name="code", type="text", pattern="[0-9]+")
    fieldtypes.check(field, "ab12")
    with pytest.raises(fieldtypes.FieldValueError):
        fieldtypes.check(field, "abc")


def test_the_language_page_says_re2() -> None:
    page = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    assert "RE2" in page and "searched anywhere" in page

"""The key-by-key reference of the blueprint language, generated from the JSON
Schema (`blueprint_cli/schemas/blueprint.schema.json`, the file editors show
on hover) into `docs/language.md`, between its `<!-- schema: reference -->`
markers (`docs/hooks/generate.py` writes it). Every key and its description
come from the schema, so the page and the editor always say the same.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


#: the sections, in reading order: (title, anchor, JSON pointer into the schema)
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("The file", "file", ()),
    ("entry", "entry", ("properties", "entry")),
    ("A field", "field", ("definitions", "field")),
    ("A state", "state", ("definitions", "state")),
    ("sla", "sla", ("definitions", "sla")),
    ("sla levels", "sla-level", ("definitions", "sla", "properties", "levels", "items")),
    ("A transition", "transition", ("definitions", "transition")),
    ("auto", "auto", ("definitions", "transition", "properties", "auto")),
    ("A branch", "branch", ("definitions", "branch")),
    ("A parallel part", "parallel-part", ("definitions", "parallel_part")),
    ("require", "requirement", ("definitions", "requirement")),
    ("Criteria (when)", "criterion", ("definitions", "criterion")),
    ("Actions (then, escalate)", "action", ("definitions", "action")),
    ("task", "task", ("definitions", "action", "properties", "task")),
    ("email", "email", ("definitions", "action", "properties", "email")),
    ("webhook", "webhook", ("definitions", "action", "properties", "webhook")),
    ("tag", "tag", ("definitions", "action", "properties", "tag")),
    ("assign", "assign", ("definitions", "action", "properties", "assign")),
    ("Owners", "owner", ("definitions", "owner")),
    ("Durations", "duration", ("definitions", "duration")),
)
_ANCHOR_OF_DEFINITION = {"field": "field", "state": "state", "sla": "sla", "transition": "transition",
                         "branch": "branch", "parallel_part": "parallel-part", "requirement": "requirement",
                         "criterion": "criterion", "action": "action", "owner": "owner", "owners": "owner",
                         "duration": "duration"}


def schema() -> dict[str, Any]:
    text = resources.files("blueprint_cli").joinpath("schemas/blueprint.schema.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _at(node: dict[str, Any], pointer: tuple[str, ...]) -> dict[str, Any]:
    for key in pointer:
        node = node[key]
    return node


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def kind(node: dict[str, Any]) -> str:
    """What a value is, in words, with a link to the section of a named definition."""
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        return f"[{name.replace('_', ' ')}](#{_ANCHOR_OF_DEFINITION.get(name, name)})"
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    types = node.get("type")
    if isinstance(types, list):
        return " or ".join(str(t) for t in types) if types else "any value"
    if types == "array":
        items = node.get("items", {})
        return "list of " + kind(items) if isinstance(items, dict) and items else "list"
    if types == "object":
        values = node.get("additionalProperties")
        if isinstance(values, dict):
            return "mapping of name to " + kind(values)
        return "mapping"
    if types is None:
        return "any value"
    return {"string": "text", "boolean": "`true` or `false`", "integer": "whole number"}.get(str(types), str(types))


_ANCHOR_OF_POINTER: dict[tuple[str, ...], str] = {pointer: anchor for _, anchor, pointer in SECTIONS}


def _value(pointer: tuple[str, ...], key: str, sub: dict[str, Any]) -> str:
    """`kind`, linked to the section of an object written inline (entry, auto, task, ...)."""
    own = pointer + ("properties", key)
    if own in _ANCHOR_OF_POINTER:
        return f"[{key}](#{_ANCHOR_OF_POINTER[own]})"
    if own + ("items",) in _ANCHOR_OF_POINTER:
        return f"list of [{key}](#{_ANCHOR_OF_POINTER[own + ('items',)]})"
    return kind(sub)


def section(title: str, anchor: str, node: dict[str, Any], pointer: tuple[str, ...] = ()) -> str:
    # an anchor of our own (GitHub shows `{#id}` as text): links stay the same on GitHub and the site
    lines = [f'### <a id="{anchor}"></a>{title}', ""]
    if node.get("description"):
        lines += [" ".join(str(node["description"]).split()), ""]
    props: dict[str, Any] = node.get("properties", {})
    if props:
        required = set(node.get("required", ()))
        lines += ["| key | value | what it is |", "|---|---|---|"]
        for key, sub in props.items():
            mark = " (required)" if key in required else ""
            lines.append(f"| `{key}`{mark} | {_cell(_value(pointer, key, sub))} | {_cell(str(sub.get('description', '')))} |")
        lines.append("")
    elif "type" in node and "properties" not in node:
        lines += [f"Written as {kind(node)}.", ""]
    return "\n".join(lines)


def reference() -> str:
    data = schema()
    return "\n".join(section(title, anchor, _at(data, pointer), pointer) for title, anchor, pointer in SECTIONS)

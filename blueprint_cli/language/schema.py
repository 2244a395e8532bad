"""The JSON Schema of the language (shipped as package data) and its findings.

Validation runs on jsonschema-rs (about 0.1 ms a document; 0.40.1 is the first
release whose error kinds and messages this module reads right, and releases
before 0.27 crash on the schema). There is no fallback to the `jsonschema`
package: it reads errors differently (and its regular expressions are
Python's), so a fallback would be a second, untested reader of the schema.
Every error becomes a `Diagnostic` at the line and column of the offending YAML
node, not a JSON path, with a stable BP1xx code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from blueprint_cli.diagnostics import BlueprintError, Diagnostic, JsonPath, Severity
from blueprint_cli.language.loader import Document, load_file
from blueprint_cli.language.suggest import closest, did_you_mean, respell

if TYPE_CHECKING:
    from blueprint_cli.language.fixes import Change

SCHEMA_RESOURCE = "blueprint.schema.json"

# schema keyword → finding code
_CODE_BY_KEYWORD = {
    "additionalProperties": "BP110",
    "type": "BP111",
    "required": "BP112",
    "enum": "BP113", "const": "BP113", "pattern": "BP113", "format": "BP113", "propertyNames": "BP113",
    "minimum": "BP114", "maximum": "BP114", "exclusiveMinimum": "BP114", "exclusiveMaximum": "BP114",
    "minItems": "BP114", "maxItems": "BP114", "minLength": "BP114", "maxLength": "BP114",
    "minProperties": "BP114", "maxProperties": "BP114", "uniqueItems": "BP114",
}
_TYPE_WORDS = {
    "string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
    "array": "a list", "object": "a mapping", "null": "nothing",
}


def schema_text(resource: str = SCHEMA_RESOURCE) -> str:
    return resources.files("blueprint_cli").joinpath("schemas", resource).read_text("utf-8")


@lru_cache(maxsize=4)
def schema(resource: str = SCHEMA_RESOURCE) -> dict[str, Any]:
    return json.loads(schema_text(resource))  # type: ignore[no-any-return]


@lru_cache(maxsize=4)
def _validator(resource: str = SCHEMA_RESOURCE) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft7Validator(schema(resource))


def _errors(data: Any, resource: str = SCHEMA_RESOURCE) -> Iterator[tuple[str, JsonPath, tuple[Any, ...], str,
                                                                         dict[str, Any]]]:
    """(keyword, instance path, schema path, message, details) of each error."""
    for err in _validator(resource).iter_errors(data):
        kind = err.kind
        details: dict[str, Any] = kind.as_dict() if hasattr(kind, "as_dict") else {}
        yield (getattr(kind, "name", type(kind).__name__), tuple(err.instance_path), tuple(err.schema_path),
               err.message, details)


def _subschema(path: tuple[Any, ...], resource: str = SCHEMA_RESOURCE) -> dict[str, Any]:
    node: Any = schema(resource)
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return {}
    return node if isinstance(node, dict) else {}


def value_at(data: Any, path: JsonPath) -> Any:
    """The value at `path` inside `data` (None when the path leads nowhere)."""
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        # JSON, and so the schema, has no NaN or infinity: say which one was written
        if value != value:
            return ".nan"
        return "a number" if abs(value) != float("inf") else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values (where true is not 1)."""
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _where(path: JsonPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the top level"


def _shape_def(spath: tuple[Any, ...]) -> str | None:
    """'criterion' or 'branch' when a key-count error comes from their shape rules."""
    if len(spath) >= 2 and spath[0] == "definitions" and spath[1] in ("criterion", "branch"):
        return str(spath[1])
    return None


def _shape_message(kind: str, value: Any) -> tuple[str, str] | None:
    """What is wrong with the keys of a criterion or branch, in the user's words
    (the schema only knows "has more than 1 property")."""
    if not isinstance(value, dict):
        return None
    keys = list(value)
    if kind == "branch":
        return ("an `else` branch holds only `else: STATE`",
                "write `- when: {...}` with `to: STATE`, or `- else: STATE` on its own")
    nodes = [k for k in keys if k in ("all", "any", "not")]
    ops = [k for k in keys if k not in ("all", "any", "not", "field")]
    if not keys:
        return ("a criterion is empty", "write {field: NAME, OP: VALUE}, or {all: [...]}, {any: [...]}, {not: {...}}")
    if nodes and len(keys) > 1:
        return (f"`{nodes[0]}` stands alone in its mapping, but it has {', '.join(map(repr, keys))}",
                "nest the conditions: {all: [{field: amount, gt: 0}, {field: reason, empty: false}]}")
    if nodes or "field" not in keys:
        return None  # a missing `field` is reported as a missing key (BP112)
    if not ops:
        return ("the condition has `field` but no operator", "add one operator, e.g. `eq: VALUE` or `empty: false`")
    return (f"a condition takes exactly one operator, not {len(ops)} ({', '.join(ops)})",
            "combine several conditions with {all: [...]}")


def check(doc: Document, resource: str = SCHEMA_RESOURCE) -> list[Diagnostic]:
    """Validate a loaded document against the schema (the blueprint schema, or
    another one shipped in `schemas/`, e.g. the scenario schema); one finding
    per problem."""
    out: list[Diagnostic] = []
    seen: set[tuple[str, JsonPath, str]] = set()
    # a misspelt required key is one mistake, not two: the "unknown key ...
    # did you mean" finding covers the "missing key" one
    suggested: set[tuple[JsonPath, str]] = set()
    missing: dict[tuple[JsonPath, str], Diagnostic] = {}

    def add(code: str, message: str, path: JsonPath, *, key: bool = False,
            hint: str | None = None, fix: Change | None = None) -> Diagnostic | None:
        if (code, path, message) in seen:
            return None
        seen.add((code, path, message))
        pos = doc.at(path, key=key)
        resolved = None
        if fix is not None:
            from blueprint_cli.language.fixes import resolve

            resolved = resolve(doc, fix)
        out.append(Diagnostic(code, Severity.ERROR, message, doc.file, pos.line, pos.col, path, hint, resolved))
        return out[-1]

    for keyword, ipath, spath, message, details in _errors(doc.data, resource):
        code = _CODE_BY_KEYWORD.get(keyword, "BP119")
        parent = _subschema(spath[:-1], resource)
        where = _where(ipath)
        if keyword == "additionalProperties":
            allowed = sorted(parent.get("properties", {}))
            for key in details.get("unexpected", []):
                hint = did_you_mean(str(key), allowed)
                best = closest(str(key), allowed)
                if best is not None:
                    suggested.add((ipath, best))
                add(code, f"unknown key {key!r} in {where}" + (f" — {hint}" if hint else ""),
                    ipath + (key,), key=True,
                    hint=None if hint else f"allowed keys: {', '.join(allowed)}",
                    fix=respell(ipath + (key,), str(key), allowed, key=True))
        elif keyword == "required":
            prop = details.get("property", "")
            found = add(code, f"missing required key {prop!r} in {where}", ipath, key=True)
            if found is not None:
                missing[(ipath, prop)] = found
        elif keyword == "type":
            wanted = _subschema(spath, resource).get("type", parent.get("type"))
            wanted_list = wanted if isinstance(wanted, list) else [wanted]
            words = " or ".join(_TYPE_WORDS.get(str(w), str(w)) for w in wanted_list)
            got = _describe(value_at(doc.data, ipath))
            hint = "quote the value to make it text" if "text" in words and got != "text" else None
            add(code, f"{where} must be {words}, not {got}", ipath, hint=hint)
        elif keyword == "enum":
            choices = [str(c) for c in parent.get("enum", [])]
            value = value_at(doc.data, ipath)
            hint = did_you_mean(str(value), choices)
            add(code, f"{where}: {value!r} is not one of {', '.join(choices)}" + (f" — {hint}" if hint else ""),
                ipath)
        elif keyword == "pattern":
            # the message editors show too (yaml-language-server reads patternErrorMessage)
            described = parent.get("patternErrorMessage") or parent.get("description", "")
            value = value_at(doc.data, ipath)
            add(code, f"{where}: {value!r} is not valid" + (f" ({described.rstrip('.')})" if described else
                                                             f" (must match {parent.get('pattern')})"), ipath)
        elif keyword in ("minProperties", "maxProperties") and (shape_of := _shape_def(spath)) is not None:
            shape = _shape_message(shape_of, value_at(doc.data, ipath))
            if shape is not None:
                add("BP119", f"{where}: {shape[0]}", ipath, hint=shape[1])
        elif keyword == "uniqueItems" and isinstance(value_at(doc.data, ipath), list):
            # point at the repeated item, not at the whole list
            items = value_at(doc.data, ipath)
            first = next((i for i, item in enumerate(items)
                          if any(_same(item, other) for other in items[:i])), None)
            if first is None:
                add(code, f"{where}: {message}", ipath)
            else:
                add(code, f"{where}: {_short(items[first])} is listed twice", ipath + (first,),
                    hint="remove the repeated entry")
        elif keyword == "propertyNames":
            add(code, f"{where}: {message}", ipath)
        else:
            add(code, f"{where}: {message}", ipath)
    covered = {id(d) for k, d in missing.items() if k in suggested}
    return [d for d in out if id(d) not in covered]


# ----- settings files (team.yaml, config.yaml) -------------------------------------------

class InvalidFile(BlueprintError):
    """A settings file that does not validate: a usage error (exit 2), raised
    before the command writes anything. `diagnostics` are the findings, each
    with its line and column (what `blueprint lint FILE` reports too)."""

    exit_code = 2

    def __init__(self, what: str, diagnostics: Sequence[Diagnostic], hint: str) -> None:
        shown = sorted(diagnostics, key=Diagnostic.sort_key)
        lines = [f"{d.file}:{d.line}:{d.col}: {d.message}" for d in shown[:10]]
        if len(shown) > 10:
            lines.append(f"... and {len(shown) - 10} more")
        first = shown[0].hint if len(shown) == 1 and shown[0].hint else None
        super().__init__(f"{what} is not valid:\n  " + "\n  ".join(lines), hint=first or hint)
        self.diagnostics = list(shown)


def check_file(path: Path, resource: str, display: str | None = None) -> tuple[Document | None, list[Diagnostic]]:
    """Read a YAML settings file and validate it against its shipped schema:
    the document (None when it cannot be read or parsed) and every finding
    (the loader's, then the schema's). An empty file is valid: no settings."""
    doc, diags = settings_document(*load_file(path, display))
    if doc is None:
        return None, diags
    return doc, diags + check(doc, resource)


def settings_document(doc: Document | None, diags: list[Diagnostic]) -> tuple[Document | None, list[Diagnostic]]:
    """A loaded settings file: an empty one (or only comments) is no settings, not a finding."""
    if doc is None and diags and all(d.code == "BP101" for d in diags):
        return Document(diags[0].file, None), []
    return doc, diags

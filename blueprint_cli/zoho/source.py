"""Reading Zoho JSON: the v8 GET responses of one blueprint — the blueprint
(`GET /settings/blueprints/{id}`, with its `connections`, its `states` and
`transitions` included or not), its states (`GET …/{id}/states`), its
transitions (`GET /settings/blueprints/transitions?ids=…`) — as separate files
or one bundle (`{"blueprints": […], "states": […], "transitions": […]}`), or
the file `blueprint zoho export` writes (whose last request, the blueprint's
update, carries only the `connections`). Every item keeps its file and JSON
path, for messages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprint_cli.diagnostics import BlueprintError, JsonPath
from blueprint_cli.zoho.names import json_path

#: What `blueprint zoho export` writes in its file's `format`.
EXPORT_FORMAT = "blueprint-zoho-export/1"
#: The largest Zoho JSON file read (a blueprint is far smaller).
MAX_BYTES = 20 * 1024 * 1024


class ZohoInputError(BlueprintError):
    """Input that is not the Zoho JSON expected: refused, nothing written."""

    exit_code = 1


def refuse(file: str, path: JsonPath, message: str, hint: str | None = None) -> ZohoInputError:
    return ZohoInputError(f"{file}: {json_path(path)}: {message}", hint=hint)


@dataclass(frozen=True)
class Item:
    """One object of the input, where it was found."""

    data: dict[str, Any]
    file: str
    path: JsonPath

    def at(self, sub: JsonPath = ()) -> str:
        return f"{self.file}: {json_path(self.path + sub)}"


@dataclass
class ZohoSource:
    blueprint: Item
    states: list[Item] = field(default_factory=list)
    transitions: list[Item] = field(default_factory=list)
    #: the blueprint's connections: a transition, the state it leaves, the state it goes to
    connections: list[Item] = field(default_factory=list)
    #: from an export file: the YAML pieces its bodies do not carry
    kept: list[dict[str, Any]] = field(default_factory=list)
    #: an export file written without a map: its "ids" are the YAML's names
    names_as_ids: bool = False


def parse_json(raw: bytes, file: str) -> Any:
    """JSON text, or an error naming the line and column (a cut-off file says so)."""
    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ZohoInputError(f"{file}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise ZohoInputError(f"{file}: empty file; expected Zoho JSON")
    try:
        return json.loads(text, parse_constant=constant)
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(text.rstrip())
        raise ZohoInputError(f"{file}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
                             + ("; the file ends too soon (cut off?)" if cut else "")) from None
    except (ValueError, RecursionError) as exc:
        raise ZohoInputError(f"{file}: not valid JSON: {exc}") from None


def read(files: list[Path]) -> ZohoSource:
    from blueprint_cli.userfile import read_user_file

    loaded = []
    for path in files:
        if not path.exists():
            raise BlueprintError(f"no such file: {path}")
        loaded.append((str(path), parse_json(read_user_file(path, MAX_BYTES), str(path))))
    return collect(loaded)


def collect(loaded: list[tuple[str, Any]]) -> ZohoSource:
    """The blueprint in JSON documents already parsed (name, data): files, or Zoho's answers."""
    found: list[Item] = []
    states: list[Item] = []
    transitions: list[Item] = []
    kept: list[dict[str, Any]] = []
    names_as_ids = False
    for name, data in loaded:
        if isinstance(data, dict) and data.get("format") == EXPORT_FORMAT:
            _export_file(data, name, found, states, transitions, kept)
            names_as_ids = names_as_ids or data.get("mapped") is False
            continue
        if isinstance(data, dict) and "blueprint" in data and "blueprints" not in data:
            raise ZohoInputError(f"{name}: this is one record's blueprint (GET /{{module}}/{{record_id}}/actions/"
                                 "blueprint): it shows a record's next transitions, not the blueprint",
                                 hint="fetch GET /crm/v8/settings/blueprints/{id} and its states and "
                                      "transitions, or use: blueprint zoho pull")
        if not isinstance(data, dict) or not {"blueprints", "states", "transitions"} & set(data):
            raise ZohoInputError(f"{name}: not Zoho blueprint JSON: expected an object with `blueprints`, "
                                 "`states` or `transitions` (the v8 GET responses)",
                                 hint="see: blueprint zoho import --help")
        found.extend(_array(data, "blueprints", name, ()))
        states.extend(_array(data, "states", name, ()))
        transitions.extend(_array(data, "transitions", name, ()))
    blueprints: list[Item] = []
    connections: list[Item] = []
    for bp in found:
        for key, into in (("states", states), ("transitions", transitions)):
            if key in bp.data:
                # with `fields=state,transition` full objects; otherwise ids only
                into.extend(x for x in _array(bp.data, key, bp.file, bp.path) if set(x.data) - {"id"})
        connections.extend(_array(bp.data, "connections", bp.file, bp.path))
        if set(bp.data) - {"id", "connections"}:  # not just the update that wires the transitions
            blueprints.append(bp)
    if len(blueprints) != 1:
        given = ", ".join(name for name, _data in loaded)
        raise ZohoInputError(f"{given}: {'no blueprint' if not blueprints else f'{len(blueprints)} blueprints'} "
                             "found; give the files of exactly one blueprint",
                             hint="the blueprint itself is the response of GET /crm/v8/settings/blueprints/{id}")
    return ZohoSource(blueprints[0], _unique(states), _unique(transitions), connections, kept, names_as_ids)


def _array(data: dict[str, Any], key: str, file: str, path: JsonPath) -> list[Item]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise refuse(file, path + (key,), f"expected a list of {key}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise refuse(file, path + (key, i), f"expected an object, found {json.dumps(item)[:40]}")
        out.append(Item(item, file, path + (key, i)))
    return out


def _unique(items: list[Item]) -> list[Item]:
    """The same object given twice (in the blueprint and in its own response) counts once."""
    seen: set[str] = set()
    out = []
    for item in items:
        zid = item.data.get("id")
        if zid is not None and str(zid) in seen:
            continue
        if zid is not None:
            seen.add(str(zid))
        out.append(item)
    return out


def _export_file(data: dict[str, Any], name: str, blueprints: list[Item], states: list[Item],
                 transitions: list[Item], kept: list[dict[str, Any]]) -> None:
    requests = data.get("requests")
    if not isinstance(requests, list):
        raise refuse(name, ("requests",), "expected the list of requests")
    for i, request in enumerate(requests):
        body = request.get("body") if isinstance(request, dict) else None
        if not isinstance(body, dict):
            continue  # activation and the like carry no definition
        at: JsonPath = ("requests", i, "body")
        blueprints.extend(_array(body, "blueprints", name, at))
        states.extend(_array(body, "states", name, at))
        transitions.extend(_array(body, "transitions", name, at))
    for i, piece in enumerate(data.get("kept") or []):
        if not isinstance(piece, dict) or not isinstance(piece.get("path"), list) or "value" not in piece:
            raise refuse(name, ("kept", i), "expected {path, value, reason}")
        kept.append(piece)

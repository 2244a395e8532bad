"""The map that travels with a conversion: Zoho's ids for users, roles,
profiles and fields, and the names the YAML uses for them.

    users:    {"4150868000000225013": alice}
    roles:    {"4150868000000026005": sales_manager}
    profiles: {"4150868000000026011": admin}
    fields:   {"4150868000000002565": {name: close_on, api_name: Closing_Date, type: date},
               Last_Name: {name: last_name}}
    layouts:  {Deals: {id: "4150868000000091055", name: Standard}}

Fields are keyed by their Zoho id, or by their api_name when Zoho named them
by api_name only (no id known); either way the map holds, per field, Zoho's
api_name (its key then) and its id when known. Export names each field of the
YAML by these and nothing else: a field the map lacks is a gap (`Missing`),
never a guessed name. A field keyed by id may be given by its name alone
(`"4150868000000002557": amount`); its api_name is then the name. `layouts` names, per module, the layout a blueprint
of that module is built on ("Create Blueprint" asks for it; the YAML has no
layout): by its id alone (`Deals: "4150868000000091055"`) or with its name. `Names` is what the action kinds translate through
(`ZohoNames`): without a map, ids stay ids (`user:4150868000000225013`) and
are listed as ids to map; with one, a user, role or profile it lacks is an
error on export, and a field it lacks (any field, without a map) is a gap the
export lists and push refuses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprint_cli.diagnostics import BlueprintError, JsonPath
from blueprint_cli.language.actions import NotInZoho
from blueprint_cli.language.building import ModelError
from blueprint_cli.language.model import FIELD_TYPES

#: The owner kinds with ids, as Zoho's owner objects type them: `users` and `role`
#: as "Create Blueprint" and "Create Blueprint Transitions" list the owner types
#: (record_owner, users, role, group, portal_user_type); `profiles` is not among
#: them and is our assumption.
OWNER_TYPES = {"user": "users", "role": "role", "profile": "profiles"}
#: The same kinds as the map file groups their ids.
MAP_KINDS = {"user": "users", "role": "roles", "profile": "profiles"}
KINDS = tuple(MAP_KINDS.values()) + ("fields", "layouts")
#: Zoho's owner types that the blueprint language has no word for.
FOREIGN_OWNERS = {"group": "a group of users", "portal_user_type": "a portal user type"}
#: Zoho's api names of the fields every record has, and ours.
BUILTIN = {"Owner": "owner", "Tag": "tags"}
_TEMPLATE = re.compile(r"\{\{\s*record\.([a-z][a-z0-9_]*)\s*\}\}")
_MERGE = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z][A-Za-z0-9_]*)\}")
_ADDRESS = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
#: Zoho's field data types and ours.
DATA_TYPES = {"text": "text", "textarea": "textarea", "integer": "integer", "bigint": "integer", "double": "number",
              "decimal": "number", "currency": "currency", "percent": "percent", "boolean": "boolean",
              "date": "date", "datetime": "datetime", "email": "email", "phone": "phone", "website": "url",
              "picklist": "picklist", "multiselectpicklist": "multiselect", "ownerlookup": "user",
              "userlookup": "user"}
DATA_TYPES_BACK = {"text": "text", "textarea": "textarea", "integer": "integer", "number": "double",
                   "currency": "currency", "percent": "percent", "boolean": "boolean", "date": "date",
                   "datetime": "datetime", "email": "email", "phone": "phone", "url": "website",
                   "picklist": "picklist", "multiselect": "multiselectpicklist", "user": "userlookup"}


def snake(api_name: str) -> str:
    """A Zoho api name (`Closing_Date`) as a field name of the YAML (`closing_date`)."""
    name = re.sub(r"_+", "_", re.sub(r"[^a-z0-9_]", "_", api_name.lower())).strip("_")
    return name if re.match(r"[a-z]", name) else f"f_{name}"


@dataclass(frozen=True)
class FieldEntry:
    """A field of the map: the YAML's name, Zoho's api_name, Zoho's id when known."""

    name: str
    api_name: str
    type: str | None = None
    id: str | None = None

    def ref(self) -> dict[str, Any]:
        """The field as Zoho's bodies name it: `{api_name, id}` (the id when known)."""
        return {"api_name": self.api_name, "id": self.id} if self.id else {"api_name": self.api_name}


@dataclass(frozen=True)
class Layout:
    """The layout a blueprint is built on: its Zoho id, and its name when known."""

    id: str
    name: str | None = None

    def label(self) -> str:
        return f"{self.name!r} ({self.id})" if self.name else self.id


@dataclass
class ZohoMap:
    """A map file: per kind, Zoho id → name (fields: → FieldEntry); layouts: module → Layout."""

    source: str = ""
    owners: dict[str, dict[str, str]] = field(default_factory=dict)
    #: keyed by Zoho id, or by api_name when no id is known
    fields: dict[str, FieldEntry] = field(default_factory=dict)
    layouts: dict[str, Layout] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> ZohoMap:
        from blueprint_cli.language.loader import load_bytes
        from blueprint_cli.userfile import read_user_file

        if not path.exists():
            raise BlueprintError(f"no such map file: {path}", hint="write one with: blueprint zoho map init FILE.json")
        doc, diags = load_bytes(read_user_file(path), str(path))
        if doc is None or diags:
            first = diags[0] if diags else None
            where = f" (line {first.line}): {first.message}" if first else ""
            raise BlueprintError(f"{path}: not a readable map file{where}")
        data = doc.data if doc.data is not None else {}
        if not isinstance(data, dict):
            raise BlueprintError(f"{path}: a map is a mapping of users, roles, profiles and fields",
                                 hint="see: blueprint zoho map init --help")
        out = cls(str(path))
        for key, entries in data.items():
            if key not in KINDS:
                raise BlueprintError(f"{path}: $.{key}: unknown kind; expected {', '.join(KINDS)}")
            if entries is None:
                continue
            if not isinstance(entries, dict):
                raise BlueprintError(f"{path}: $.{key}: expected Zoho ids with their names")
            for zid, value in entries.items():
                at = f"{path}: $.{key}.{zid}"
                if value is None:
                    continue  # a skeleton's line not filled in yet: the id stays an id
                if key == "fields":
                    out.fields[str(zid)] = _field_entry(str(zid), value, at)
                elif key == "layouts":
                    out.layouts[str(zid)] = _layout_entry(value, at)
                elif isinstance(value, str) and value and not re.search(r"[\s:]", value):
                    out.owners.setdefault(key, {})[str(zid)] = value
                else:
                    raise BlueprintError(f"{at}: expected a name (no spaces or colons), found {value!r}")
        for key, names in out.owners.items():
            _no_twice(path, key, names.values())
        _no_twice(path, "fields", (f.name for f in out.fields.values()))
        _no_twice(path, "fields", (f.api_name for f in out.fields.values()), what="api_name")
        return out

    def field_named(self, name: str) -> FieldEntry | None:
        """The map's entry for the YAML's field `name`."""
        return next((f for f in self.fields.values() if f.name == name), None)

    def field_of(self, zid: str | None, api_name: str | None) -> FieldEntry | None:
        """The map's entry for a field Zoho names by id and/or api_name."""
        if zid is not None and zid in self.fields and self.fields[zid].id == zid:
            return self.fields[zid]
        if api_name is None:
            return None
        return next((f for f in self.fields.values() if f.api_name == api_name), None)


def _field_entry(key: str, value: Any, at: str) -> FieldEntry:
    """A field keyed by its Zoho id (digits), or by its api_name when Zoho gave no id."""
    by_id = layout_id(key)
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict) or not isinstance(value.get("name"), str) \
            or not re.fullmatch(r"[a-z][a-z0-9_]*", value["name"]):
        raise BlueprintError(f"{at}: expected a field name (lower case, like close_on) or "
                             "{name: NAME, api_name: API_NAME, type: TYPE}")
    api_name = value.get("api_name", value["name"] if by_id else key)
    kind = value.get("type")
    if not isinstance(api_name, str) or (kind is not None and kind not in FIELD_TYPES):
        raise BlueprintError(f"{at}: api_name is text and type one of {', '.join(FIELD_TYPES)}")
    if not by_id and api_name != key:
        raise BlueprintError(f"{at}: a field without its Zoho id is keyed by its api_name, found api_name "
                             f"{api_name!r}", hint=f"key it by its Zoho id (digits), or by {api_name}")
    return FieldEntry(value["name"], api_name, kind, key if by_id else None)


def _layout_entry(value: Any, at: str) -> Layout:
    if isinstance(value, dict):
        zid, name = value.get("id"), value.get("name")
    else:
        zid, name = value, None
    if isinstance(zid, bool) or not isinstance(zid, (str, int)) or not layout_id(str(zid)) \
            or (name is not None and not isinstance(name, str)):
        raise BlueprintError(f"{at}: expected the layout's Zoho id (digits), alone or as {{id: ID, name: NAME}}, "
                             f"found {value!r}", hint="Zoho lists a module's layouts at Setup > Customization > "
                             "Modules, or GET /crm/v8/settings/layouts?module=MODULE")
    return Layout(str(zid), name)


def layout_id(text: str) -> bool:
    """Whether `text` looks like a Zoho id (digits), as `--layout` and the map take it."""
    return text.isascii() and text.isdigit()


def _no_twice(path: Path, key: str, names: Iterable[str], what: str = "name") -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise BlueprintError(f"{path}: $.{key}: {what} {name!r} is given to two entries; a {what} stands for "
                                 "one field" if what != "name" else
                                 f"{path}: $.{key}: {name!r} is given to two ids; a name stands for one id")
        seen.add(name)


@dataclass(frozen=True)
class Unmapped:
    """An id the import kept as an id (no map, or not in it), and where it is."""

    kind: str
    id: str
    where: str


@dataclass(frozen=True)
class Missing:
    """A name the map has no id for, on export, and where it is in the YAML."""

    kind: str
    name: str
    path: JsonPath


class Names:
    """Ids ↔ names for one conversion (the `ZohoNames` the action kinds use).
    `state_field`: the YAML's state field and its Zoho reference; fields met on
    import are kept with their types (`seen`), ids without a name (`unmapped`)."""

    def __init__(self, zmap: ZohoMap | None, where: str = "") -> None:
        self.map = zmap
        self.where = where
        self.state_field: tuple[str, dict[str, Any]] | None = None
        #: the module the blueprint governs (merge fields name it: `${Deals.Amount}`)
        self.module = ""
        #: on export, templates Zoho has no merge field for (sent as written): (path, template)
        self.plain: list[tuple[JsonPath, str]] = []
        #: on import, merge fields of another module (kept as written): (where, merge field)
        self.foreign_merges: list[tuple[str, str]] = []
        self.unmapped: list[Unmapped] = []
        self.missing: list[Missing] = []
        #: fields met on import: name → (Zoho data type or None, label or None)
        self.seen: dict[str, tuple[str | None, str | None]] = {}
        #: fields met on import, keyed by Zoho id, or by api_name when Zoho gave none:
        #: key → (api_name, name, Zoho data type) — what `map init` writes
        self.field_ids: dict[str, tuple[str, str, str | None]] = {}
        #: on import with a map, fields it lacks (named after their api_name): kind "fields", api_name or id
        self.unmapped_fields: list[Unmapped] = []
        #: on import, the layout the blueprint names (for the map skeleton)
        self.layout: Layout | None = None
        self._by_name = {kind: {v: k for k, v in ids.items()} for kind, ids in (zmap.owners if zmap else {}).items()}

    # ----- owners
    def owner_to_zoho(self, entry: str, path: JsonPath) -> dict[str, Any]:
        if entry == "record_owner":
            return {"type": "record_owner", "resources": None}
        if entry == "anyone":
            raise NotInZoho("Zoho has no 'anyone' owner (a transition without owners is open to all)", path)
        if m := _TEMPLATE.fullmatch(entry):
            return {"type": "field", "field": self.field_to_zoho(m[1], path)}
        kind, sep, name = entry.partition(":")
        if sep and kind in OWNER_TYPES:
            return {"type": OWNER_TYPES[kind], "resources": [{"id": self._id(MAP_KINDS[kind], name, path)}]}
        if _ADDRESS.fullmatch(entry):
            return {"type": "email", "value": entry}
        raise NotInZoho(f"{entry!r}: Zoho has no such recipient", path)

    def _id(self, kind: str, name: str, path: JsonPath) -> str:
        if self.map is None:
            return name
        zid = self._by_name.get(kind, {}).get(name)
        if zid is None:
            self.missing.append(Missing(kind, name, path))
            return name
        return zid

    def owner_from_zoho(self, data: Any, path: JsonPath) -> list[str]:
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            raise ModelError("expected an owner like {\"type\": \"users\", \"resources\": [{\"id\": \"…\"}]}", path)
        kind = data["type"]
        if kind == "record_owner":
            return ["record_owner"]
        if kind == "field":
            return ["{{record.%s}}" % self.field_from_zoho(data.get("field"), path + ("field",))]
        if kind == "email":
            value = data.get("value")
            if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
                raise ModelError("expected an e-mail address in `value`", path + ("value",))
            return [value]
        if kind in FOREIGN_OWNERS:
            raise NotInZoho(f"owner type {kind!r} ({FOREIGN_OWNERS[kind]}): no equivalent", path)
        ours = next((k for k, v in OWNER_TYPES.items() if v == kind), None)
        if ours is None:
            raise ModelError(f"unknown owner type {kind!r}; expected users, role, profiles, record_owner, field "
                             "or email", path + ("type",))
        kind = MAP_KINDS[ours]
        resources = data.get("resources")
        if not isinstance(resources, list) or not resources:
            raise ModelError("`resources` must list the ids", path + ("resources",))
        out = []
        for i, resource in enumerate(resources):
            zid = resource.get("id") if isinstance(resource, dict) else None
            if not isinstance(zid, (str, int)) or isinstance(zid, bool) or re.search(r"[\s:]", str(zid)) \
                    or not str(zid):
                raise ModelError("expected a resource like {\"id\": \"4150868000000225013\"}",
                                 path + ("resources", i, "id"))
            name = self.map.owners.get(kind, {}).get(str(zid)) if self.map else None
            if name is None:
                self.unmapped.append(Unmapped(kind, str(zid), self._where(path + ("resources", i, "id"))))
                name = str(zid)
            out.append(f"{ours}:{name}")
        return out

    # ----- templates and merge fields
    def text_to_zoho(self, text: str, path: JsonPath) -> str:
        def merge(m: re.Match[str]) -> str:
            ref = self.field_to_zoho(m[1], path)
            return "${%s.%s}" % (self.module, ref.get("api_name", m[1]))

        out = _TEMPLATE.sub(merge, text)
        for other in sorted(set(re.findall(r"\{\{[^}]*\}\}", out))):
            self.plain.append((path, other))
        return out

    def text_from_zoho(self, text: str, path: JsonPath) -> str:
        def template(m: re.Match[str]) -> str:
            if m[1] != self.module:
                self.foreign_merges.append((self._where(path), m[0]))
                return m[0]
            return "{{record.%s}}" % self.field_from_zoho({"api_name": m[2]}, path)

        return _MERGE.sub(template, text)

    def _where(self, path: JsonPath) -> str:
        return f"{self.where}: {_json_path(path)}" if self.where else _json_path(path)

    # ----- fields
    def field_to_zoho(self, name: str, path: JsonPath) -> dict[str, Any]:
        """The YAML's field `name` as Zoho names it: by the api_name (and id) the map gives, never a guess.
        A field the map lacks (or any, without a map) is a gap (`missing`), written as its YAML name."""
        if self.state_field is not None and name in ("state", self.state_field[0]):
            return dict(self.state_field[1])
        builtin = next((api for api, ours in BUILTIN.items() if ours == name), None)
        if builtin is not None:
            return {"api_name": builtin}
        entry = self.map.field_named(name) if self.map is not None else None
        if entry is None:
            self.missing.append(Missing("fields", name, path))
            return {"api_name": name}
        return entry.ref()

    def field_from_zoho(self, data: Any, path: JsonPath) -> str:
        if not isinstance(data, dict) or not (isinstance(data.get("api_name"), str) or isinstance(data.get("id"),
                                                                                                  (str, int))):
            raise ModelError("expected a field like {\"api_name\": \"Amount\", \"id\": \"…\"}", path)
        zid, api = data.get("id"), data.get("api_name")
        if self.state_field is not None and (api == self.state_field[1].get("api_name")
                                             or (zid is not None and zid == self.state_field[1].get("id"))):
            return "state"
        entry = self.map.field_of(None if zid is None else str(zid), api if isinstance(api, str) else None) \
            if self.map is not None else None
        if entry is not None:
            name = entry.name
            kind = DATA_TYPES_BACK.get(entry.type) if entry.type else None
            zid = zid if zid is not None else entry.id
            api = api if isinstance(api, str) else entry.api_name
        elif isinstance(api, str):
            if api in BUILTIN:
                return BUILTIN[api]
            name, kind = snake(api), None
            if self.map is not None:
                self.unmapped_fields.append(Unmapped("fields", api, self._where(path)))
        else:
            raise ModelError(f"field id {zid} is not in the map and has no api_name", path)
        dtype = data.get("data_type") if isinstance(data.get("data_type"), str) else None
        label = data.get("field_label") if isinstance(data.get("field_label"), str) else None
        old = self.seen.get(name, (None, None))
        self.seen[name] = (old[0] or dtype or kind, old[1] or label)
        if isinstance(api, str):
            self.met(None if zid is None else str(zid), api, name, dtype or kind)
        return name

    def met(self, zid: str | None, api: str, name: str, dtype: str | None) -> None:
        """A field met on import, for the map: under its id, or its api_name until an id is met."""
        if zid is None:
            zid = next((k for k, (a, _, _) in self.field_ids.items() if a == api), api)
        known = self.field_ids.pop(api, None) if zid != api else None
        known = self.field_ids.get(zid, known)
        self.field_ids[zid] = (api, name, (known[2] if known else None) or dtype)


def _json_path(path: JsonPath) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def json_path(path: JsonPath) -> str:
    """`$.transitions[0].owners` for a path."""
    return _json_path(path)


def field_type(zoho_type: str | None) -> str:
    """The field type of the YAML for a Zoho data type (text when unknown)."""
    return DATA_TYPES.get(zoho_type or "", "text")


def skeleton(names: Names) -> str:
    """A map file naming every id `names` met (after an import without a map):
    users, roles and profiles to fill in, fields named after their api_name."""
    from blueprint_cli.zoho.yamltext import scalar

    lines = ["# The map of `blueprint zoho`: Zoho ids and the names the YAML uses for them.",
             "# Write each null as a name (users, roles and profiles as your team file names them);",
             "# fields, keyed by Zoho id (or by api_name where Zoho gave none), are named after their",
             "# api_name: rename them if you like; export names each field by its api_name and id here.",
             "# layouts: the layout of each module a blueprint is built on, which export and push send",
             "# (Zoho's \"Create Blueprint\" asks for it): {id: ID, name: NAME}, or null until you know it.", ""]
    for kind in MAP_KINDS.values():
        ids = list(dict.fromkeys(u.id for u in names.unmapped if u.kind == kind))
        lines.append(f"{kind}:" if ids else f"{kind}: {{}}")
        lines += [f"  {scalar(zid)}: null" for zid in ids]
    lines.append("fields:" if names.field_ids else "fields: {}")
    for zid, (api, name, dtype) in names.field_ids.items():
        entry = f"{{name: {name}" + (f", api_name: {scalar(api, flow=True)}" if zid != api else "")
        lines.append(f"  {scalar(zid)}: {entry}" + (f", type: {field_type(dtype)}}}" if dtype else "}"))
    if names.module:
        lines.append("layouts:")
        layout = names.layout
        if layout is None:
            lines.append(f"  {scalar(names.module)}: null")
        else:
            named = f", name: {scalar(layout.name, flow=True)}" if layout.name else ""
            lines.append(f"  {scalar(names.module)}: {{id: {scalar(layout.id, flow=True)}{named}}}")
    return "\n".join(lines) + "\n"

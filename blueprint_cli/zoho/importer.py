"""Zoho JSON → blueprint YAML.

The shapes read are those of Zoho CRM's v8 settings pages: the blueprint of
"Get a Specific Blueprint" (module, layout, the picklist `field`,
`entry_criteria`, owners and its `connections`, each wiring a transition from
a source state to a target state), the states of "Get Blueprint States"
(`pick_list_value`, `state_escalation` with `trigger_details` that run
`before`, `on` or `after` the deadline) and the transitions of "Get Blueprint
Transitions" (`trigger_type`, `transition_type`, `criteria`, `owners`,
`during_inputs`, `actions`). A few keys no page shows are our assumptions and
are read as the export writes them: a state's `start_state`, `end_state` and
`description`, a child transition's `parent_transition`, an automatic
transition's `automatic` time, the conditional `outcomes` of a transition, and
an action's `details` (Zoho's transitions name their actions by id only).

No page shows Zoho's Start node in the JSON: a connection without a source
state is read as it, and the state it reaches is the start state.

Nothing is dropped silently: every piece with no equivalent (widgets, Deluge
custom functions, Kiosk, layouts, group owners, optional inputs, actions
defined elsewhere in Zoho, keys we do not know) becomes a `Note` with its file
and JSON path, listed by the command and written as a comment at the top of
the YAML. Ids without a name in the map stay ids and are listed (`unmapped`);
the layout is kept for the map skeleton (`Names.layout`), from which export
sends it back.
An export file's `kept` pieces (what Zoho could not carry) are put back where
they were, so import(export(x)) is x.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.actions import ZOHO_KINDS, NotInZoho
from blueprint_cli.language.actions.base import period_from_zoho
from blueprint_cli.language.building import ModelError
from blueprint_cli.zoho import criteria
from blueprint_cli.zoho.names import Layout, Names, Unmapped, ZohoMap, field_type, json_path, snake
from blueprint_cli.zoho.source import Item, ZohoSource, refuse

#: Keys Zoho adds that describe the object rather than the process (`chart_data`: where
#: Zoho's editor draws each node; `module`, `layout` on a state or transition: the
#: blueprint's own, repeated).
METADATA = frozenset({"id", "api_name", "process_id", "created_time", "modified_time", "created_by", "modified_by",
                      "status", "version", "sequence", "color_code", "colour_code", "text_color_code", "position",
                      "source", "chart_data"})
#: After-actions with no equivalent, and how to say what they are.
FOREIGN_ACTIONS = {"functions": "Deluge custom function", "kiosk": "Kiosk", "circuits": "Circuit",
                   "schedule_calls": "scheduled call", "sla": "SLA escalation", "whatsapp": "WhatsApp message",
                   "sms": "SMS"}
#: During inputs ("Get Blueprint Transitions": `during_inputs[].type`) with no equivalent.
FOREIGN_INPUTS = {"widget": "widget", "kiosk": "Kiosk", "tags": "tags to add", "related_list": "related list"}
HEADER = "Imported from Zoho CRM by blueprint zoho import."


@dataclass(frozen=True)
class Note:
    """A piece of the Zoho JSON with no equivalent, not imported: where and what."""

    where: str
    what: str

    def to_dict(self) -> dict[str, str]:
        return {"where": self.where, "what": self.what}


@dataclass
class Imported:
    data: dict[str, Any]
    notes: list[Note] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    names: Names | None = None
    #: with a map, the fields it lacks, named after their api_name (export cannot name them back)
    unmapped_fields: list[Unmapped] = field(default_factory=list)

    def comments(self) -> list[str]:
        lines = [HEADER]
        if self.notes:
            lines += ["", "Not imported (no equivalent in the blueprint language):"]
            lines += [f"  {n.where}: {n.what}" for n in self.notes]
        if self.unmapped:
            lines += ["", "Zoho ids kept as ids (give them names with --map MAP.yaml):"]
            lines += [f"  {u.kind} {u.id}" for u in _distinct(self.unmapped)]
        return lines

    def text(self) -> str:
        from blueprint_cli.zoho.yamltext import dump

        return dump(self.data, self.comments())


def _distinct(unmapped: list[Unmapped]) -> list[Unmapped]:
    seen: dict[tuple[str, str], Unmapped] = {}
    for u in unmapped:
        seen.setdefault((u.kind, u.id), u)
    return list(seen.values())


def slug(name: str) -> str:
    """A blueprint id from a Zoho blueprint's name (`Deal follow-up` → `deal-follow-up`)."""
    text = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", name.lower())).strip("-")
    return text if re.match(r"[a-z]", text) else f"blueprint-{text}".rstrip("-")


def convert(source: ZohoSource, zmap: ZohoMap | None = None) -> Imported:
    return _Importer(source, zmap).run()


class _Importer:
    def __init__(self, source: ZohoSource, zmap: ZohoMap | None) -> None:
        self.source = source
        self.names = Names(zmap)
        self.notes: list[Note] = []
        self.item = source.blueprint

    # ----- helpers
    def note(self, item: Item, sub: JsonPath, what: str) -> None:
        self.notes.append(Note(item.at(sub), what))

    def guard(self, item: Item, fn: Any, *args: Any) -> Any:
        """`fn(*args)`, its ModelError turned into the refusal of the input (file, JSON path)."""
        self.names.where = item.file
        try:
            return fn(*args)
        except ModelError as exc:
            raise refuse(item.file, exc.path, str(exc)) from None

    def unknown(self, item: Item, sub: JsonPath, obj: dict[str, Any], known: set[str]) -> None:
        for key in obj:
            if key not in known and key not in METADATA and obj[key] not in (None, [], {}):
                self.note(item, sub + (key,), f"`{key}`: not read (no equivalent)")

    def text(self, item: Item, obj: dict[str, Any], key: str, sub: JsonPath, required: bool = False) -> str | None:
        value = obj.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise refuse(item.file, item.path + sub + (key,), f"`{key}` must be {'non-empty ' if required else ''}text")
        return value

    # ----- the whole
    def run(self) -> Imported:
        bp = self.item.data
        item = self.item
        base = item.path
        name = self.text(item, bp, "name", (), required=True)
        assert name is not None
        state_ref = bp.get("field")
        if not isinstance(state_ref, dict) or not isinstance(state_ref.get("api_name") or state_ref.get("id"),
                                                              (str, int)):
            raise refuse(item.file, base + ("field",), "the blueprint's picklist field is missing: expected "
                         "{\"api_name\": \"Stage\", \"id\": \"…\"}")
        module = bp.get("module")
        module_name = module.get("api_name") if isinstance(module, dict) else module
        if not isinstance(module_name, str) or not module_name:
            raise refuse(item.file, base + ("module",), "the module is missing: expected {\"api_name\": \"Deals\"}")
        state_field = self._state_field_name(state_ref)
        self.names.module = module_name
        self.names.state_field = (state_field, {k: state_ref[k] for k in ("api_name", "id") if k in state_ref})
        if self.names.map is not None and self.names.map.field_of(
                None if state_ref.get("id") is None else str(state_ref["id"]),
                state_ref["api_name"] if isinstance(state_ref.get("api_name"), str) else None) is None:
            self.names.unmapped_fields.append(Unmapped("fields", str(state_ref.get("api_name") or state_ref["id"]),
                                                       item.at(("field",))))
        if isinstance(state_ref.get("api_name"), str):  # for the map, from which export names it back
            zid = state_ref.get("id")
            self.names.met(None if zid is None else str(zid), state_ref["api_name"], state_field, "picklist")
        data: dict[str, Any] = {"blueprint": slug(name), "title": name}
        if self.text(item, bp, "description", ()):
            data["description"] = bp["description"]
        data["module"] = module_name
        data["field"] = state_field
        entry: dict[str, Any] = {}
        if bp.get("entry_criteria") is not None:
            entry["when"] = self.guard(item, criteria.from_zoho, bp["entry_criteria"], self.names,
                                       base + ("entry_criteria",))
        for key in ("continuous", "is_continuous"):  # Create Blueprint takes the one, Get gives the other
            if bp.get(key):
                self.note(item, (key,), "a continuous blueprint (records re-enter it): no equivalent")
        if bp.get("layout") is not None:
            self._layout(item, bp["layout"], module_name)
        if bp.get("pipeline") is not None:
            self.note(item, ("pipeline",), "the blueprint's sales pipeline: no equivalent")
        if bp.get("owners"):
            self.note(item, ("owners",), "the blueprint's owners (who may see it): no equivalent")
        self.unknown(item, (), bp, {"name", "description", "field", "module", "entry_criteria", "continuous",
                                    "is_continuous", "layout", "pipeline", "owners", "states", "transitions",
                                    "connections"})
        states, start = self._states()
        transitions = self._transitions()
        start = self._start_node(start)
        if start is not None:
            entry["state"] = start
        if entry:
            data["entry"] = entry
        fields = {n: self._field_decl(n, t, label) for n, (t, label) in self.names.seen.items()
                  if n not in ("state", state_field)}
        if fields:
            data["fields"] = fields
        data["states"] = states
        data["transitions"] = transitions
        for where, merge in self.names.foreign_merges:
            self.notes.append(Note(where, f"merge field {merge}: another module's field, kept as written"))
        for piece in self.source.kept:
            _put(data, tuple(piece["path"]), piece["value"])
        unmapped = [] if self.source.names_as_ids else self.names.unmapped
        fields_unmapped = [] if self.source.names_as_ids else _distinct(self.names.unmapped_fields)
        return Imported(data, self.notes, unmapped, self.names, fields_unmapped)

    def _layout(self, item: Item, layout: Any, module: str) -> None:
        """The layout the blueprint is built on ("Get a Specific Blueprint": `{api_name, name, id}`): not in
        the YAML, where a blueprint governs every record of its module; kept for the map, from which export
        and push send it back, and listed."""
        if isinstance(layout, dict):
            zid, name = layout.get("id"), layout.get("name") or layout.get("api_name")
        else:
            zid, name = layout, None
        if isinstance(zid, (str, int)) and not isinstance(zid, bool) and str(zid):
            self.names.layout = Layout(str(zid), name if isinstance(name, str) else None)
        label = f"{name!r} ({zid})" if isinstance(name, str) and zid is not None else repr(name or zid)
        known = self.names.map.layouts.get(module) if self.names.map is not None else None
        if known is not None and known.id == str(zid):
            where = f"the map names it under layouts: {module}, from which export and push send it"
        else:
            where = ("the YAML has no layout; `blueprint zoho map init` writes it into the map (layouts:), from "
                     "which export and push send it")
        self.note(item, ("layout",), f"layout {label}: {where}")

    def _state_field_name(self, ref: dict[str, Any]) -> str:
        zmap = self.names.map
        api = ref.get("api_name")
        entry = zmap.field_of(None if ref.get("id") is None else str(ref.get("id")),
                              api if isinstance(api, str) else None) if zmap is not None else None
        if entry is not None:
            return entry.name
        return snake(str(ref.get("api_name") or f"field_{ref.get('id')}"))

    @staticmethod
    def _field_decl(name: str, zoho_type: str | None, label: str | None) -> dict[str, Any]:
        decl: dict[str, Any] = {"type": field_type(zoho_type)}
        if label:
            decl["label"] = label
        return decl

    # ----- states
    def _states(self) -> tuple[list[dict[str, Any]], str | None]:
        out: list[dict[str, Any]] = []
        start: str | None = None
        #: a state's id, api_name and name → its name (connections name states by api_name)
        self.state_names: dict[str, str] = {}
        for item in self.source.states:
            s = item.data
            name = self._state_name(item)
            for key in ("id", "api_name"):
                if s.get(key) is not None:
                    self.state_names[str(s[key])] = name
            self.state_names.setdefault(name, name)
            state: dict[str, Any] = {"name": name}
            if self.text(item, s, "description", ()):
                state["description"] = s["description"]
            if s.get("end_state"):
                state["final"] = True
            if s.get("start_state"):
                if start is not None:
                    raise refuse(item.file, item.path + ("start_state",),
                                 f"a second start state ({start!r} is one); a blueprint starts in one state")
                start = name
            if s.get("state_escalation") is not None:
                state["sla"] = self.guard(item, self._escalation, item, s["state_escalation"],
                                          item.path + ("state_escalation",))
            self.unknown(item, (), s, {"name", "pick_list_value", "description", "end_state", "start_state",
                                       "state_escalation", "module", "layout"})
            out.append(state)
        if not out:
            raise refuse(self.item.file, self.item.path + ("states",), "the blueprint has no states",
                         hint="give the response of GET /crm/v8/settings/blueprints/{id}/states too")
        return out, start

    def _state_name(self, item: Item) -> str:
        """A state's name: its `name`, or the picklist value it stands for (Create Blueprint States)."""
        s = item.data
        if s.get("name") is not None:
            name = self.text(item, s, "name", (), required=True)
            assert name is not None
            return name
        value = s.get("pick_list_value")
        if isinstance(value, dict) and isinstance(value.get("actual_value"), str) and value["actual_value"].strip():
            return str(value["actual_value"])
        raise refuse(item.file, item.path + ("pick_list_value",), "a state needs its `name` or its picklist value: "
                     "{\"actual_value\": \"Negotiation\", \"id\": \"…\"}")

    def _escalation(self, item: Item, data: Any, path: JsonPath) -> dict[str, Any]:
        """`state_escalation` ("Create Blueprint States"): the deadline, and what runs `on` it
        (our `escalate`) or `after` it (our `levels`); `before` it has no equivalent."""
        if not isinstance(data, dict):
            raise ModelError("expected {period, value, trigger_details}", path)
        sla: dict[str, Any] = {"within": period_from_zoho(data, path), "escalate": []}
        triggers = data.get("trigger_details") or []
        if not isinstance(triggers, list):
            raise ModelError("`trigger_details` must list what runs when the time is up", path + ("trigger_details",))
        more = []
        for i, trigger in enumerate(triggers):
            at = path + ("trigger_details", i)
            if not isinstance(trigger, dict):
                raise ModelError("expected {period, execute_type, value, actions}", at)
            when = trigger.get("execute_type")
            if when not in ("before", "on", "after"):
                raise ModelError(f"unknown execute_type {when!r}; expected before, on or after",
                                 at + ("execute_type",))
            if when == "before":
                self.notes.append(Note(f"{item.file}: {json_path(at)}", "actions before the deadline: no "
                                       "equivalent (an SLA escalates when its time is up, or later)"))
                continue
            actions = self._actions(item, trigger.get("actions"), at + ("actions",))
            if when == "on":
                sla["escalate"].extend(actions)
            else:
                more.append({"after": period_from_zoho(trigger, at), "escalate": actions})
        if more:
            sla["levels"] = more
        return sla

    # ----- actions
    def _actions(self, item: Item, actions: Any, path: JsonPath) -> list[dict[str, Any]]:
        if actions is None:
            return []
        if not isinstance(actions, list):
            raise ModelError("`actions` must be a list of {type, details}", path)
        out: list[dict[str, Any]] = []
        for i, action in enumerate(actions):
            at = path + (i,)
            if not isinstance(action, dict) or not isinstance(action.get("type"), str):
                raise ModelError("expected an action {\"type\": …, \"details\": {…}}", at)
            kind = ZOHO_KINDS.get(action["type"])
            details = action.get("details")
            label = action.get("name") or (details.get("name") if isinstance(details, dict) else None) \
                or action.get("id")
            if kind is None:
                what = FOREIGN_ACTIONS.get(action["type"], f"after-action of type {action['type']!r}")
                self.notes.append(Note(f"{item.file}: {json_path(at)}",
                                       f"{what}{f' {label!r}' if label else ''}: no equivalent"))
                continue
            if details is None:
                # what "Get Blueprint Transitions" gives: the action named by its id, defined elsewhere
                self.notes.append(Note(f"{item.file}: {json_path(at)}",
                                       f"{action['type']} action{f' {label!r}' if label else ''}: defined in "
                                       "Zoho's automation settings and named here by id only; not imported"))
                continue
            try:
                bodies = kind.from_zoho(details, self.names, at + ("details",))
            except NotInZoho as exc:
                self.notes.append(Note(f"{item.file}: {json_path(exc.path or at)}",
                                       f"{kind.KEY} action not imported: {exc.reason}"))
                continue
            out.extend({kind.KEY: body} for body in bodies)
        return out

    # ----- transitions
    def _transitions(self) -> list[dict[str, Any]]:
        items = self.source.transitions
        by_id = {str(t.data["id"]): t for t in items if t.data.get("id") is not None}
        children: dict[int, list[Item]] = {}
        parents: list[Item] = []
        for item in items:
            if item.data.get("transition_type") == "child_transition":
                parent = self._parent(item, by_id, items)
                children.setdefault(id(parent), []).append(item)
            else:
                parents.append(item)
        wired = self._connections(parents)
        out = []
        for item in parents:
            if id(item) not in wired and id(item) in self.from_start:
                continue  # it only leaves Zoho's Start node: the record enters at the start state (noted)
            t = self._transition(item, wired.get(id(item), []))
            parts = children.get(id(item), [])
            if item.data.get("transition_type") == "parallel_transition":
                if not parts:
                    raise refuse(item.file, item.path, "a parallel transition without child transitions",
                                 hint="give the child transitions too (transition_type child_transition)")
                t["parallel"] = [self._part(p) for p in parts]
            out.append(t)
        return out

    def _connections(self, parents: list[Item]) -> dict[int, list[tuple[str, str]]]:
        """Per transition, the (source, target) states its connections give. "Get a Specific
        Blueprint" writes a connection `{source: {state}, target: {state}, transition}`;
        "Create Blueprint" takes `{from_state, to_state, transitions}`: both are read."""
        refs: dict[str, Item] = {}
        for item in parents:
            for key in ("id", "api_name", "name"):
                if item.data.get(key) is not None:
                    refs.setdefault(f"{key}:{item.data[key]}", item)
        out: dict[int, list[tuple[str, str]]] = {}
        #: connections out of Zoho's Start node: (the connection, the state it reaches)
        self.start_connections: list[tuple[Item, str]] = []
        #: transitions a connection out of the Start node names
        self.from_start: set[int] = set()
        for conn in self.source.connections:
            c = conn.data
            got = "source" in c or "target" in c  # "Get a Specific Blueprint"; else "Create Blueprint"
            source = _start_or_state(conn, c, "source" if got else "from_state", got)
            target = c.get("target", {}).get("state") if isinstance(c.get("target"), dict) else c.get("to_state")
            ref = c.get("transition") if "transition" in c else c.get("transitions")
            key = "transition" if "transition" in c else "transitions"
            dst = self._state(conn, target, ("target", "state") if "target" in c else ("to_state",))
            found = None
            if isinstance(ref, dict):
                found = next((refs[f"{k}:{ref[k]}"] for k in ("id", "api_name", "name")
                              if ref.get(k) is not None and f"{k}:{ref[k]}" in refs), None)
            if source is None:
                self.start_connections.append((conn, dst))
                if found is not None:
                    self.from_start.add(id(found))
                    self.note(conn, (key,), f"transition {found.data.get('name')!r} out of Zoho's Start node: "
                              f"a record enters at {dst!r} (entry.state); the YAML has no transition into "
                              "the start state")
                continue
            if found is None:
                raise refuse(conn.file, conn.path + (key,), "the connection names no transition among the "
                             "transitions given", hint="give the blueprint's transitions too "
                             "(GET /crm/v8/settings/blueprints/transitions?ids=…)")
            src = self._state(conn, source, ("source", "state") if got else ("from_state",))
            out.setdefault(id(found), []).append((src, dst))
        return out

    def _start_node(self, flagged: str | None) -> str | None:
        """The start state: the state flagged `start_state`, or the one Zoho's Start node leads
        to (a connection without a source state); both, they must agree."""
        start = flagged
        for conn, state in self.start_connections:
            if start is not None and state != start:
                raise refuse(conn.file, conn.path, f"Zoho's Start node leads to {state!r}, but the start state is "
                             f"{start!r}; a blueprint starts in one state")
            start = state
        return start

    def _parent(self, item: Item, by_id: dict[str, Item], items: list[Item]) -> Item:
        ref = item.data.get("parent_transition")
        found = None
        if isinstance(ref, dict) and ref.get("id") is not None:
            found = by_id.get(str(ref["id"]))
        elif isinstance(ref, dict) and isinstance(ref.get("name"), str):
            found = next((t for t in items if t.data.get("name") == ref["name"]
                          and t.data.get("transition_type") == "parallel_transition"), None)
        if found is None or found.data.get("transition_type") != "parallel_transition":
            raise refuse(item.file, item.path + ("parent_transition",),
                         "a child transition names no parallel transition among the transitions given")
        return found

    def _state(self, item: Item, ref: Any, path: JsonPath) -> str:
        if isinstance(ref, dict):
            for key in ("api_name", "id", "name"):
                if ref.get(key) is not None and str(ref[key]) in self.state_names:
                    return self.state_names[str(ref[key])]
            if ref:
                raise refuse(item.file, item.path + path, f"state {next(iter(ref.values()))!r} is not one of the "
                             "blueprint's states")
        raise refuse(item.file, item.path + path, "expected a state like {\"api_name\": \"Negotiation\"}")

    def _transition(self, item: Item, wired: list[tuple[str, str]]) -> dict[str, Any]:
        t = item.data
        name = self.text(item, t, "name", (), required=True)
        kind = t.get("transition_type", "standalone_transition")
        if kind not in ("standalone_transition", "parallel_transition"):
            raise refuse(item.file, item.path + ("transition_type",), f"unknown transition_type {kind!r}; "
                         "expected standalone_transition, parallel_transition or child_transition")
        out: dict[str, Any] = {"name": name}
        if self.text(item, t, "description", ()):
            out["description"] = t["description"]
        sources = list(dict.fromkeys(src for src, _ in wired))
        targets = list(dict.fromkeys(dst for _, dst in wired))
        if not sources:
            raise refuse(item.file, item.path, f"transition {name!r} is in no connection: the blueprint's "
                         "`connections` wire each transition from a state to the next",
                         hint="give the response of GET /crm/v8/settings/blueprints/{id}, which holds them")
        out["from"] = sources[0] if len(sources) == 1 else sources
        if t.get("outcomes"):
            out["branches"] = self._outcomes(item, t["outcomes"])
        elif len(targets) == 1:
            out["to"] = targets[0]
        else:
            raise refuse(item.file, item.path, f"transition {name!r} is connected to {len(targets)} states "
                         f"({', '.join(targets)}); a transition here goes to one state")
        self._before_during(item, t, out)
        then = self.guard(item, self._actions, item, t.get("actions"), item.path + ("actions",))
        if then:
            out["then"] = then
        trigger = t.get("trigger_type", "manual")
        if trigger == "automatic":
            if t.get("automatic") is None:
                raise refuse(item.file, item.path + ("automatic",), "an automatic transition needs its time: "
                             "{\"period\": \"days\", \"value\": 5}")
            out["auto"] = {"after": self.guard(item, period_from_zoho, t["automatic"], item.path + ("automatic",))}
        elif trigger != "manual":
            raise refuse(item.file, item.path + ("trigger_type",), f"unknown trigger_type {trigger!r}; expected "
                         "manual or automatic")
        self.unknown(item, (), t, {"name", "description", "transition_type", "common_source", "outcomes", "owners",
                                   "criteria", "during_inputs", "actions", "trigger_type", "automatic",
                                   "parent_transition", "module", "layout"})
        return out

    def _outcomes(self, item: Item, outcomes: Any) -> list[dict[str, Any]]:
        if not isinstance(outcomes, list):
            raise refuse(item.file, item.path + ("outcomes",), "`outcomes` must list {next_state, criteria}")
        out = []
        for i, o in enumerate(outcomes):
            at = ("outcomes", i)
            if not isinstance(o, dict):
                raise refuse(item.file, item.path + at, "expected {next_state, criteria}")
            target = self._state(item, o.get("next_state"), at + ("next_state",))
            if o.get("criteria") is None:
                out.append({"else": target})
            else:
                when = self.guard(item, criteria.from_zoho, o["criteria"], self.names, item.path + at + ("criteria",))
                out.append({"when": when, "to": target})
        return out

    def _before_during(self, item: Item, t: dict[str, Any], out: dict[str, Any]) -> None:
        owners = self._owners(item, t.get("owners"))
        if owners:
            out["owners"] = owners
        elif t.get("owners"):
            self.note(item, ("owners",), "none of the owners has an equivalent: in the YAML, anyone may perform it")
        if t.get("criteria") is not None:
            out["when"] = self.guard(item, criteria.from_zoho, t["criteria"], self.names, item.path + ("criteria",))
        inputs = t.get("during_inputs")
        if inputs is None:
            return
        if not isinstance(inputs, list):
            raise refuse(item.file, item.path + ("during_inputs",), "expected a list of inputs "
                         "{type, optional, sequence, …}")
        require: dict[str, Any] = {}
        messages: list[str] = []
        for i, d in enumerate(inputs):
            sub: JsonPath = ("during_inputs", i)
            if not isinstance(d, dict) or not isinstance(d.get("type"), str):
                raise refuse(item.file, item.path + sub, "expected an input like {\"type\": \"field\", "
                             "\"optional\": false, \"field\": {…}}")
            self._during_input(item, d, sub, require, messages)
        if messages:
            out["message"] = "\n".join(messages)
        if require:
            out["require"] = require

    def _during_input(self, item: Item, d: dict[str, Any], sub: JsonPath, require: dict[str, Any],
                      messages: list[str]) -> None:
        """One of a transition's `during_inputs` ("Get Blueprint Transitions")."""
        kind, optional = d["type"], bool(d.get("optional", False))
        if kind == "info":
            text = self.text(item, d, "message", sub, required=True)
            assert text is not None
            messages.append(text)
        elif kind == "field":
            name = self.guard(item, self.names.field_from_zoho, d.get("field"), item.path + sub + ("field",))
            if optional:
                self.note(item, sub, f"optional field {name!r}: the blueprint language asks only for required fields")
            else:
                require.setdefault("fields", []).append(name)
            if d.get("validation_filter") is not None:
                self.note(item, sub + ("validation_filter",), f"validation of field {name!r}: no equivalent")
        elif kind == "checklist":
            items = d.get("items")
            if not isinstance(items, list) or not items:
                raise refuse(item.file, item.path + sub + ("items",), "a checklist lists its items: "
                             "[{\"item\": \"Budget confirmed\"}]")
            texts = []
            for n, entry in enumerate(items):
                text = entry.get("item") if isinstance(entry, dict) else entry
                if not isinstance(text, str) or not text.strip():
                    raise refuse(item.file, item.path + sub + ("items", n), "expected {\"item\": \"…\"}")
                texts.append(text)
            if optional:
                self.note(item, sub, "an optional checklist: the blueprint language asks only for required items")
            else:
                require.setdefault("checklist", []).extend(texts)
        elif kind in ("notes", "attachment"):
            if optional:
                self.note(item, sub, f"optional {kind}: the blueprint language asks only for what is required")
            else:
                require["note" if kind == "notes" else "attachment"] = True
        else:
            thing = d.get("widget") if isinstance(d.get("widget"), dict) else d
            label = thing.get("name") or thing.get("id") if isinstance(thing, dict) else None
            what = FOREIGN_INPUTS.get(kind, f"during input of type {kind!r}")
            self.note(item, sub, f"{what}{f' {label!r}' if label else ''}: no equivalent")

    def _owners(self, item: Item, owners: Any) -> list[str]:
        if owners is None:
            return []
        if not isinstance(owners, list):
            raise refuse(item.file, item.path + ("owners",), "expected a list of owners")
        out: list[str] = []
        for i, owner in enumerate(owners):
            try:
                out.extend(self.guard(item, self.names.owner_from_zoho, owner, item.path + ("owners", i)))
            except NotInZoho as exc:
                self.notes.append(Note(f"{item.file}: {json_path(exc.path)}", exc.reason))
        return out

    def _part(self, item: Item) -> dict[str, Any]:
        t = item.data
        part: dict[str, Any] = {"name": self.text(item, t, "name", (), required=True)}
        self._before_during(item, t, part)
        if t.get("actions"):
            self.note(item, ("actions",), "a child transition's actions: the parallel transition's own "
                                          "actions run when every part is done")
        self.unknown(item, (), t, {"name", "description", "transition_type", "parent_transition", "owners",
                                   "criteria", "during_inputs", "actions", "trigger_type", "module", "layout"})
        return part


def _start_or_state(conn: Item, c: dict[str, Any], key: str, got: bool) -> Any:
    """A connection's source state, or None when it leaves Zoho's Start node. No page shows
    that node in the JSON: a source that is null, missing or `{"state": null}` (and, in the
    "Create Blueprint" form, a `from_state` null or missing) is read as it."""
    value = c.get(key)
    if value is None:
        return None
    if not got:
        return value
    if not isinstance(value, dict):
        raise refuse(conn.file, conn.path + (key,), "expected {\"state\": {\"api_name\": \"Negotiation\"}}, or null "
                     "for Zoho's Start node")
    return value.get("state")


def _put(data: Any, path: JsonPath, value: Any) -> None:
    """Put `value` back at `path`: into a list at its index, into a mapping under
    its key (None: remove the key); missing containers are made."""
    target = data
    for n, part in enumerate(path[:-1]):
        following = path[n + 1]
        if isinstance(target, list):
            target = target[int(part)]
            continue
        if part not in target:
            target[part] = [] if isinstance(following, int) else {}
        target = target[part]
    last = path[-1]
    if isinstance(target, list):
        target.insert(int(last), value)
    elif value is None:
        target.pop(str(last), None)
    else:
        target[str(last)] = value

"""Blueprint YAML → the JSON bodies Zoho CRM's v8 endpoints accept, in the
order they must be sent: the blueprint ("Create Blueprint",
`POST /settings/blueprints`), its states ("Create Blueprint States",
`POST /settings/blueprints/{id}/states`), its transitions — the standalone and
parallel ones, then the child transitions of the parallel ones ("Create
Blueprint Transitions", `POST /settings/blueprints/transitions`), at most 50
per request — and last the blueprint's `connections`, which wire each
transition from its states to its target by `api_name` ("Update Blueprint",
`PUT /settings/blueprints/{id}`).

Fields go by Zoho's own names, from the map: its `api_name`, and its id when
the map has one (`Names.field_to_zoho`). A field the map lacks (every field,
without a map) is written under the YAML's name, so that the file imports
back, and listed in `Exported.gaps` with its YAML path; push refuses it.

The blueprint's body names the `layout` it is built on ("Create Blueprint"
asks for it; the YAML has none) when one is known: `--layout`, or the map's
`layouts` entry for the module (`Exported.layout`, None otherwise).

Zoho gives ids as it creates: a body names the blueprint as `{blueprint_id}`
and a child's parent transition by name; `push` fills the ids in as the
responses come back. States and transitions get an `api_name` made from their
name, which the connections use.

Keys no Zoho page shows are our assumptions, read back by the importer: a
state's `start_state`, `end_state` and `description`, a child's
`parent_transition`, an automatic transition's `automatic` time, conditional
`outcomes`, an action's `details` and a checklist's `items` as `{item}`.

What the language has and Zoho lacks (tags, `not` criteria other than over
one condition with a negated comparator, regular
expressions, a webhook's `secret_env`, field declarations, priority…) is not
sent, and never lost silently: each piece is reported and kept in the export
file (`kept`, with its YAML path and the reason), so that importing the file
gives the blueprint back (import(export(x)) is x).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from blueprint_cli.diagnostics import BlueprintError, JsonPath
from blueprint_cli.language.actions import Action, Left, NotInZoho
from blueprint_cli.language.actions.base import period_to_zoho
from blueprint_cli.language.model import (
    ALL_STATES, Blueprint, Criterion, NotOf, Owner, ParallelPart, Requirement, Sla, Transition,
)
from blueprint_cli.zoho import criteria
from blueprint_cli.zoho.importer import slug
from blueprint_cli.zoho.names import Layout, Missing, Names, ZohoMap, json_path
from blueprint_cli.zoho.source import EXPORT_FORMAT

#: Zoho's limit of states or transitions in one request.
BATCH = 50
BLUEPRINT_ID = "{blueprint_id}"
API = "/crm/v8/settings/blueprints"


@dataclass
class Exported:
    blueprint: Blueprint
    requests: list[dict[str, Any]] = field(default_factory=list)
    kept: list[dict[str, Any]] = field(default_factory=list)
    #: templates Zoho has no merge field for, sent as written: (YAML path, template)
    plain: list[tuple[JsonPath, str]] = field(default_factory=list)
    #: written with a map (ids), or without (names where Zoho wants ids)
    mapped: bool = False
    #: per request, the YAML path of each item of its body (for Zoho's errors)
    origins: list[list[JsonPath]] = field(default_factory=list)
    #: the layout sent with the blueprint (from --layout or the map), None when none is known
    layout: Layout | None = None
    #: fields the map has no Zoho api_name for (or all, without a map): written under their YAML
    #: name, which Zoho does not know; push refuses them
    gaps: list[Missing] = field(default_factory=list)

    @property
    def not_sent(self) -> list[dict[str, Any]]:
        return [k for k in self.kept if not k["sent"]]

    def to_json(self) -> dict[str, Any]:
        return {"format": EXPORT_FORMAT, "blueprint": self.blueprint.id, "mapped": self.mapped,
                "requests": self.requests, "kept": self.kept}


class MissingIds(BlueprintError):
    """Names the map has no Zoho id for: refused, nothing written."""

    exit_code = 1

    def __init__(self, source: str, missing: list[Missing]) -> None:
        lines = [f"{m.kind[:-1] if m.kind != 'fields' else 'field'} {m.name!r} at {json_path(m.path)}"
                 for m in dict.fromkeys(missing)]
        super().__init__(f"{source}: the map has no Zoho id for {len(lines)} name{'s' if len(lines) != 1 else ''}:"
                         "\n  " + "\n  ".join(lines),
                         hint="add them to the map (Zoho id: name) under users, roles or profiles; fields under "
                         "fields, keyed by Zoho id or api_name")
        self.missing = missing


def export(bp: Blueprint, data: dict[str, Any], zmap: ZohoMap | None = None, layout: str | None = None) -> Exported:
    """`bp` (lint-clean, read from `data`) as Zoho requests; MissingIds when a map is given and lacks a user,
    role or profile; a field the map lacks (any, without a map) is listed in `gaps`.
    `layout`: the layout's id (`--layout`), else the one the map names for the module."""
    return _Exporter(bp, data, zmap, layout).run()


class _Exporter:
    def __init__(self, bp: Blueprint, data: dict[str, Any], zmap: ZohoMap | None, layout: str | None) -> None:
        self.bp = bp
        self.data = data
        self.names = Names(zmap)
        self.names.module = bp.module
        self.names.state_field = (bp.field, self._state_field_ref(zmap))
        self.out = Exported(bp, mapped=zmap is not None)
        self.out.layout = Layout(layout) if layout is not None else zmap.layouts.get(bp.module) if zmap else None
        #: what every state and transition names as its module ("Create Blueprint States": `module`)
        self.module = {"api_name": bp.module}
        self.state_api = api_names(s.name for s in bp.states)
        self.transition_api = api_names(t.name for t in bp.transitions)

    def _state_field_ref(self, zmap: ZohoMap | None) -> dict[str, Any]:
        entry = zmap.field_named(self.bp.field) if zmap is not None else None
        if entry is None:
            self.names.missing.append(Missing("fields", self.bp.field, ("field",)))
            return {"api_name": self.bp.field}
        return entry.ref()

    # ----- what is not sent
    def keep(self, path: JsonPath, reason: str, *, sent: bool = False, value: Any = ...) -> None:
        if value is ...:
            value = self._value(path)
        self.out.kept.append({"path": list(path), "at": json_path(path), "value": value, "reason": reason,
                              "sent": sent})

    def left(self, lefts: list[Left]) -> None:
        for piece in lefts:
            self.keep(piece.path, piece.reason, sent=not piece.lost, value=piece.value)

    def _value(self, path: JsonPath) -> Any:
        value: Any = self.data
        for part in path:
            value = value[part]
        return value

    def period(self, duration: Any, path: JsonPath) -> dict[str, Any]:
        body, lefts = period_to_zoho(duration, path)
        self.left(lefts)
        return body

    # ----- the whole
    def run(self) -> Exported:
        bp = self.bp
        body: dict[str, Any] = {"name": bp.title or bp.id, "module": dict(self.module)}
        if self.out.layout is not None:  # "Create Blueprint": the layout the blueprint is built on
            body["layout"] = {"id": self.out.layout.id}
        body["field"] = dict(self.names.state_field[1]) if self.names.state_field else {}
        body["continuous"] = False
        if bp.description:
            body["description"] = bp.description
        if slug(body["name"]) != bp.id:
            self.keep(("blueprint",), "Zoho has no id besides the name", sent=True)
        if bp.title is None:
            self.keep(("title",), "no title: Zoho is sent the id as the name", sent=True, value=None)
        if bp.priority is not None:
            self.keep(("priority",), "Zoho orders blueprints in its own list: the priority is not sent")
        if bp.entry.when is not None:
            c = self.criterion(bp.entry.when, ("entry", "when"))
            if c is not None:
                body["entry_criteria"] = c
        if bp.fields:
            self.keep(("fields",), "field declarations belong to the module in Zoho (its fields and their types)",
                      sent=True)
        states: list[tuple[dict[str, Any], JsonPath]] = [(self.state(i), ("states", i)) for i in range(len(bp.states))]
        transitions: list[tuple[dict[str, Any], JsonPath]] = []
        children: list[tuple[dict[str, Any], JsonPath]] = []
        connections: list[dict[str, Any]] = []
        for t in bp.transitions:
            transitions.append((self.transition(t), t.path))
            children.extend((self.part(t, p), p.path) for p in t.parallel)
            connections.extend(self.connections(t))
        owners = [m for m in self.names.missing if m.kind != "fields"]
        if owners and self.out.mapped:
            raise MissingIds(bp.source, self.names.missing)  # the fields too: one refusal names them all
        self.out.gaps = list(dict.fromkeys(m for m in self.names.missing if m.kind == "fields"))
        self.out.plain = self.names.plain
        self.request("POST", API, "blueprints", [(body, ())])
        for batch in _batches(states):
            self.request("POST", f"{API}/{BLUEPRINT_ID}/states", "states", batch)
        for group in (transitions, children):
            for batch in _batches(group):
                self.request("POST", f"{API}/transitions", "transitions", batch)
        if connections:
            self.request("PUT", f"{API}/{BLUEPRINT_ID}", "blueprints", [({"connections": connections}, ())])
        return self.out

    def request(self, method: str, path: str, key: str, items: list[tuple[dict[str, Any], JsonPath]]) -> None:
        self.out.requests.append({"method": method, "path": path, "body": {key: [body for body, _ in items]}})
        self.out.origins.append([origin for _, origin in items])

    def criterion(self, c: Criterion, path: JsonPath) -> dict[str, Any] | None:
        negations: list[tuple[NotOf, str]] = []
        try:
            out = criteria.to_zoho(c, self.names, negations)
        except NotInZoho as exc:
            self.keep(path, f"{exc.reason}: these criteria are not sent")
            return None
        for node, comparator in negations:  # sent; kept as written, so importing the file gives `not` back
            self.keep(node.path, f"Zoho criteria have no 'not' group: sent as {comparator!r}", sent=True)
        return out

    # ----- states
    def state(self, i: int) -> dict[str, Any]:
        """A state as "Create Blueprint States" takes it: the picklist value it stands for."""
        s = self.bp.states[i]
        body: dict[str, Any] = {"api_name": self.state_api[s.name], "process_id": BLUEPRINT_ID,
                                "module": dict(self.module), "pick_list_value": {"actual_value": s.name}}
        if s.description:
            body["description"] = s.description
        if s.name == self.bp.entry_state:
            body["start_state"] = True
        if s.final:
            body["end_state"] = True
        if s.sla is not None:
            body["state_escalation"] = self.escalation(s.sla, ("states", i, "sla"))
        return body

    def escalation(self, sla: Sla, path: JsonPath) -> dict[str, Any]:
        """`state_escalation`: the deadline; `escalate` runs `on` it, each level `after` it."""
        body = self.period(sla.within, path + ("within",))
        triggers = [{"execute_type": "on", "period": body["period"], "value": 0,
                     "actions": self.actions(sla.escalate, path + ("escalate",))}]
        for n, level in enumerate(sla.levels):
            at = path + ("levels", n)
            triggers.append({"execute_type": "after", **self.period(level.after, at + ("after",)),
                             "actions": self.actions(level.escalate, at + ("escalate",))})
        body["trigger_details"] = triggers
        return body

    # ----- actions
    def actions(self, actions: tuple[Action, ...], path: JsonPath) -> list[dict[str, Any]]:
        out = []
        for i, action in enumerate(actions):
            try:
                details, lefts = action.to_zoho(self.names)
            except NotInZoho as exc:
                self.keep(path + (i,), f"{exc.reason}: the {action.KEY} action is not sent")
                continue
            self.left(lefts)
            out.append({"type": action.ZOHO, "details": details})
        return out

    # ----- transitions
    def owners(self, owners: tuple[Owner, ...], path: JsonPath) -> list[dict[str, Any]] | None:
        if all(o.kind == "anyone" for o in owners):
            return None  # open to every user, as a Zoho transition without owners
        try:
            return [self.names.owner_to_zoho(str(o), o.path or path) for o in owners]
        except NotInZoho as exc:
            self.keep(path, f"{exc.reason}: the owners are not sent (in Zoho, every user may perform it)")
            return None

    def before_during(self, body: dict[str, Any], owners: tuple[Owner, ...], when: Criterion | None,
                      message: str | None, require: Requirement, path: JsonPath) -> None:
        zoho_owners = self.owners(owners, path + ("owners",))
        if zoho_owners:
            body["owners"] = zoho_owners
        if when is not None:
            c = self.criterion(when, path + ("when",))
            if c is not None:
                body["criteria"] = c
        inputs: list[dict[str, Any]] = []
        if message:
            inputs.append({"type": "info", "optional": True, "message": message})
        inputs += [{"type": "field", "optional": False,
                    "field": self.names.field_to_zoho(f, path + ("require", "fields", i))}
                   for i, f in enumerate(require.fields)]
        if require.checklist:
            inputs.append({"type": "checklist", "optional": False, "items": [{"item": x} for x in require.checklist]})
        if require.note:
            inputs.append({"type": "notes", "optional": False})
        if require.attachment:
            inputs.append({"type": "attachment", "optional": False})
        if inputs:
            body["during_inputs"] = [{"sequence": n, **d} for n, d in enumerate(inputs, 1)]

    def transition(self, t: Transition) -> dict[str, Any]:
        path = t.path
        body: dict[str, Any] = {"name": t.name, "api_name": self.transition_api[t.name]}
        if t.description:
            body["description"] = t.description
        body["trigger_type"] = "automatic" if t.auto is not None else "manual"
        body["transition_type"] = "parallel_transition" if t.parallel else "standalone_transition"
        body["process_id"] = BLUEPRINT_ID
        body["module"] = dict(self.module)
        if t.sources == (ALL_STATES,) or len(t.sources) > 1:
            body["common_source"] = True
        if t.sources == (ALL_STATES,):
            self.keep(path + ("from",), "Zoho lists the states a common transition leaves from: sent as a "
                                        "connection from each", sent=True)
        if t.branches:
            outcomes = []
            for i, b in enumerate(t.branches):
                when = self.criterion(b.when, path + ("branches", i, "when")) if b.when is not None else None
                outcomes.append({"next_state": {"api_name": self.state_api[b.to]}, "criteria": when})
            body["outcomes"] = outcomes
        self.before_during(body, t.owners, t.when, t.message, t.require, path)
        actions = self.actions(t.then, path + ("then",))
        if actions:
            body["actions"] = actions
        if t.auto is not None:
            body["automatic"] = self.period(t.auto.after, path + ("auto", "after"))
        return body

    def connections(self, t: Transition) -> list[dict[str, Any]]:
        """A transition's connections, as "Create Blueprint" takes them: one per state it
        leaves from and state it goes to."""
        targets = [t.to] if t.to is not None else list(dict.fromkeys(b.to for b in t.branches))
        ref = {"api_name": self.transition_api[t.name], "name": t.name}
        return [{"api_name": f"{self.state_api[src]}_{ref['api_name']}_{self.state_api[dst]}",
                 "from_state": {"api_name": self.state_api[src]}, "to_state": {"api_name": self.state_api[dst]},
                 "transitions": dict(ref)}
                for src in self.bp.sources_of(t) for dst in targets]

    def part(self, t: Transition, p: ParallelPart) -> dict[str, Any]:
        body: dict[str, Any] = {"name": p.name, "trigger_type": "manual", "transition_type": "child_transition",
                                "process_id": BLUEPRINT_ID, "module": dict(self.module),
                                "parent_transition": {"name": t.name}}
        self.before_during(body, p.owners, p.when, p.message, p.require, p.path)
        return body


def api_names(names: Iterable[str]) -> dict[str, str]:
    """An `api_name` for each name (`Closed Won` → `Closed_Won`), distinct from the others."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "State"
        base = base if base[0].isalpha() else f"S_{base}"
        api, n = base, 2
        while api in taken:
            api, n = f"{base}_{n}", n + 1
        taken.add(api)
        out[name] = api
    return out


def _batches(items: list[tuple[dict[str, Any], JsonPath]]) -> list[list[tuple[dict[str, Any], JsonPath]]]:
    return [items[i:i + BATCH] for i in range(0, len(items), BATCH)]

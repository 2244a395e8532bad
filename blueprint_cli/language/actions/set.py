"""`set`: give fields new values (`set: {stage_note: "Won on {{now}}"}`).

Values may use templates, and dates relative times (`+3d`); the state field
changes only through transitions. History: `amount: 100 → 200`.
Zoho CRM: a field update (`field_updates`, one entry per field).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.actions.base import ActionKind, Applied, Left, texts, zoho_object
from blueprint_cli.language.building import ModelError

if TYPE_CHECKING:
    from blueprint_cli.language.actions.base import Performing, ZohoNames



@dataclass(frozen=True)
class SetAction(ActionKind):
    """After a transition: set fields to values (`set:`)."""

    KEY = "set"
    ZOHO = "field_updates"

    values: tuple[tuple[str, Any], ...]
    path: JsonPath = ()
    kind: Literal["set"] = "set"

    @classmethod
    def read(cls, body: Any, path: JsonPath) -> SetAction:
        return cls(tuple((str(k), v) for k, v in body.items()), path)

    def describe(self) -> str:
        return "set " + ", ".join(f"{k} = {v}" for k, v in self.values)

    def diff_key(self) -> tuple[Any, ...]:
        return ("set", tuple((k, json.dumps(v, sort_keys=True, default=str)) for k, v in self.values))

    def to_zoho(self, names: ZohoNames) -> tuple[dict[str, Any], list[Left]]:
        return {"updates": [{"field": names.field_to_zoho(k, self.path + (k,)),
                             "value": texts(v, names.text_to_zoho, self.path + (k,))} for k, v in self.values]}, []

    @classmethod
    def from_zoho(cls, details: Any, names: ZohoNames, path: JsonPath) -> list[dict[str, Any]]:
        updates = zoho_object(details, path).get("updates")
        if not isinstance(updates, list) or not updates:
            raise ModelError("`updates` must be a list of {field, value}", path + ("updates",))
        body: dict[str, Any] = {}
        for i, update in enumerate(updates):
            at = path + ("updates", i)
            update = zoho_object(update, at)
            if "value" not in update:
                raise ModelError("a field update needs its `value`", at)
            body[names.field_from_zoho(update.get("field"), at + ("field",))] = \
                texts(update["value"], names.text_from_zoho, at + ("value",))
        return [body]

    def perform(self, on: Performing) -> Applied:
        fields = dict(on.fields)
        owner = on.owner
        done: list[str] = []
        for name, value in self.values:
            try:
                typed = on.typed(name, value)
            except ValueError as exc:
                return Applied.failed(str(exc))  # one value that cannot be set: nothing is
            old = owner if name == "owner" else fields.get(name)
            if name == "owner":
                owner = str(typed)
            else:
                fields[name] = typed
            done.append(f"{name}: {on.shown(old)} → {on.shown(typed)}")
        return Applied("done", "; ".join(done), fields=fields, owner=owner)

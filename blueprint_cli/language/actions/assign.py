"""`assign`: give the record a new owner (`assign: {to: "user:bob"}`).

`to` names a user (`user:bob`), or a role or profile (`role:sales_manager`):
then the member of it with the fewest open records under this blueprint
(records not in a final state), ties by name — round-robin by workload, as a
CRM's assignment rule does. Or `{{record.FIELD}}`, a user field: its value is the user.
History: `owner: alice → bob`. Lint checks the target against the team file.
Zoho CRM: an owner assignment (`assign_owner`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.actions.base import ActionKind, Applied, Left, zoho_object
from blueprint_cli.language.building import ModelError

if TYPE_CHECKING:
    from blueprint_cli.language.actions.base import Performing, ZohoNames


#: The owner entries an assignment may name.
TARGETS = ("user", "role", "profile")


@dataclass(frozen=True)
class AssignAction(ActionKind):
    """After a transition or in an escalation: change the record's owner (`assign:`)."""

    KEY = "assign"
    ZOHO = "assign_owner"

    to: str
    path: JsonPath = ()
    kind: Literal["assign"] = "assign"

    @classmethod
    def read(cls, body: Any, path: JsonPath) -> AssignAction:
        to = str(body["to"])
        kind, sep, name = to.partition(":")
        if "{{" not in to and not (sep and kind in TARGETS and name):
            raise ModelError(f"{to!r} is not a user, role or profile; write user:NAME, role:NAME or profile:NAME",
                             path + ("to",))
        return cls(to, path)

    def describe(self) -> str:
        return f"assign to {self.to}"

    def diff_key(self) -> tuple[Any, ...]:
        return ("assign", self.to)

    def owner_entries(self) -> Iterator[tuple[str, JsonPath]]:
        yield self.to, self.path + ("to",)

    def to_zoho(self, names: ZohoNames) -> tuple[dict[str, Any], list[Left]]:
        return {"assign_to": names.owner_to_zoho(self.to, self.path + ("to",))}, []

    @classmethod
    def from_zoho(cls, details: Any, names: ZohoNames, path: JsonPath) -> list[dict[str, Any]]:
        at = path + ("assign_to",)
        targets = names.owner_from_zoho(zoho_object(details, path).get("assign_to"), at)
        if len(targets) != 1 or not (targets[0].partition(":")[0] in TARGETS or "{{" in targets[0]):
            raise ModelError("an owner assignment names one user, role, profile or user field", at)
        return [{"to": targets[0]}]

    def perform(self, on: Performing) -> Applied:
        to = on.render(self.to).strip()
        kind, sep, name = to.partition(":")
        if not sep:  # a user field's value: a user's name
            kind, name = "user", to
        if kind not in TARGETS or not name:
            return Applied.failed(f"{to!r} is not a user, role or profile")
        if kind == "user":
            owner: str | None = name
        else:
            owner = on.least_busy(kind, name)
            if owner is None:
                return Applied.failed(f"no member of {kind} {name!r} to assign to")
        return Applied("done", f"owner: {on.owner} → {owner}", owner=owner)

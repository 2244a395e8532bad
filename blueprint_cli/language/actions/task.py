"""`task`: create a to-do (`task: {subject: Call back, due: 2d, owner: record_owner}`).

The subject and owner may use templates; `due` is a duration from the moment
the action runs (business time on the workspace calendar). History:
`#3 'Call back' for alice, due 2026-05-06T09:30:00+02:00`.
Zoho CRM: a task (`tasks`), its due date a period from the transition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.actions.base import (
    ActionKind, Applied, Left, NewTask, period_from_zoho, period_to_zoho, zoho_object, zoho_text,
)
from blueprint_cli.language.building import ModelError, duration
from blueprint_cli.language.durations import Duration

if TYPE_CHECKING:
    from blueprint_cli.language.actions.base import Performing, ZohoNames



@dataclass(frozen=True)
class TaskAction(ActionKind):
    """After a transition: create a task (`task:`)."""

    KEY = "task"
    ZOHO = "tasks"

    subject: str
    due: Duration | None = None
    owner: str | None = None
    description: str | None = None
    path: JsonPath = ()
    kind: Literal["task"] = "task"

    @classmethod
    def read(cls, body: Any, path: JsonPath) -> TaskAction:
        due = body.get("due")
        return cls(str(body["subject"]), duration(due, path + ("due",)) if due else None,
                   body.get("owner"), body.get("description"), path)

    def describe(self) -> str:
        extra = [f"due in {self.due}" if self.due else "", f"for {self.owner}" if self.owner else ""]
        return f"task {self.subject!r}" + "".join(f" {e}" for e in extra if e)

    def diff_key(self) -> tuple[Any, ...]:
        return ("task", self.subject, str(self.due) if self.due else None, self.owner, self.description)

    def owner_entries(self) -> Iterator[tuple[str, JsonPath]]:
        if self.owner:
            yield self.owner, self.path + ("owner",)

    def to_zoho(self, names: ZohoNames) -> tuple[dict[str, Any], list[Left]]:
        details: dict[str, Any] = {"subject": names.text_to_zoho(self.subject, self.path + ("subject",))}
        left: list[Left] = []
        if self.due is not None:
            details["due_date"], left = period_to_zoho(self.due, self.path + ("due",))
        if self.owner is not None:
            details["owner"] = names.owner_to_zoho(self.owner, self.path + ("owner",))
        if self.description is not None:
            details["description"] = names.text_to_zoho(self.description, self.path + ("description",))
        return details, left

    @classmethod
    def from_zoho(cls, details: Any, names: ZohoNames, path: JsonPath) -> list[dict[str, Any]]:
        details = zoho_object(details, path)
        body: dict[str, Any] = {"subject": names.text_from_zoho(str(zoho_text(details, "subject", path)),
                                                                path + ("subject",))}
        if details.get("due_date") is not None:
            body["due"] = period_from_zoho(details["due_date"], path + ("due_date",))
        if details.get("owner") is not None:
            owners = names.owner_from_zoho(details["owner"], path + ("owner",))
            if len(owners) != 1:
                raise ModelError("a task has one owner", path + ("owner",))
            body["owner"] = owners[0]
        description = zoho_text(details, "description", path, required=False)
        if description is not None:
            body["description"] = names.text_from_zoho(description, path + ("description",))
        return [body]

    def perform(self, on: Performing) -> Applied:
        subject = on.render(self.subject)
        due = on.due(self.due) if self.due is not None else None
        owner = on.task_owner(on.render(self.owner) if self.owner else None)
        detail = f"#{on.next_task} {subject!r} for {owner}" + (f", due {due}" if due else "")
        return Applied("done", detail, task=NewTask(subject, due, owner))

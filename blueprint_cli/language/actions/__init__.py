"""The registry of action kinds: every kind one module of this package (see
`base.py` for what a kind module holds). This tuple is the one list of kinds;
the model, the records, the scenario model, what may be sent, the JSON
Schemas (checked by a test) and the docs are derived from it or checked
against it. To add a kind: a module here, its place in `KINDS`, its YAML in
`blueprint_cli/schemas/blueprint.schema.json`, its docs in docs/language.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.actions.assign import AssignAction
from blueprint_cli.language.actions.base import ActionKind, Applied, Left, NewTask, NotInZoho, Status
from blueprint_cli.language.actions.email import EmailAction
from blueprint_cli.language.actions.set import SetAction
from blueprint_cli.language.actions.tag import TagAction
from blueprint_cli.language.actions.task import TaskAction
from blueprint_cli.language.actions.webhook import WebhookAction
from blueprint_cli.language.building import ModelError

if TYPE_CHECKING:
    from blueprint_cli.language.actions.base import Performing, ZohoNames


__all__ = ["Action", "ActionKind", "Applied", "AssignAction", "EmailAction", "KINDS", "Left", "NewTask",
           "NotInZoho", "Performing", "SENT_KINDS", "SetAction", "Status", "TagAction", "TaskAction",
           "WebhookAction", "ZOHO_KINDS", "ZohoNames", "build_action", "describe", "sends"]

#: Every action kind, by its YAML key, in the order the docs list them.
KINDS: dict[str, type[ActionKind]] = {kind.KEY: kind for kind in (
    SetAction, TaskAction, EmailAction, WebhookAction, TagAction, AssignAction,
)}
#: The kinds that leave the process after a commit (delivered, retried), by key: their channel.
SENT_KINDS: dict[str, str] = {key: kind.CHANNEL for key, kind in KINDS.items() if kind.CHANNEL is not None}
#: The kinds Zoho CRM has, by the type of Zoho after-action they are.
ZOHO_KINDS: dict[str, type[ActionKind]] = {kind.ZOHO: kind for kind in KINDS.values() if kind.ZOHO is not None}

#: Any action (an instance of one of `KINDS`).
Action = ActionKind


def build_action(data: dict[str, Any], path: JsonPath) -> Action:
    """An action from its schema-valid YAML (`{KIND: BODY}`)."""
    (key, body), = data.items()
    kind = KINDS.get(key)
    if kind is None:
        raise ModelError(f"unknown action {key!r}", path)
    return kind.read(body, path + (key,))


def describe(action: Action) -> str:
    """The one wording of an action."""
    return action.describe()


def sends(actions: Any) -> bool:
    """Whether running `actions` can send something out of the process (e-mail, webhook…)."""
    return any(a.CHANNEL is not None for a in actions)

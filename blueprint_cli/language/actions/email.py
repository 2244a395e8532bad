"""`email`: send an e-mail (`email: {to: record_owner, subject: "Won: {{record.name}}"}`).

`to` is an address or an owner entry (`user:…`, `role:…`, `profile:…`,
`record_owner`), whose addresses come from the team file. Leaves the process
by mail: written to the outbox, or sent over SMTP when the workspace sets a
server, after the move is committed (`pending` until then; `blueprint retry`
sends a failed one again).
Zoho CRM: an e-mail notification (`email_notifications`); one with several
recipients becomes one `email` per recipient.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.actions.base import ActionKind, Applied, Left, zoho_object, zoho_text
from blueprint_cli.language.building import ModelError

if TYPE_CHECKING:
    from blueprint_cli.language.actions.base import Performing, ZohoNames



@dataclass(frozen=True)
class EmailAction(ActionKind):
    """After a transition: send an e-mail (`email:`)."""

    KEY = "email"
    CHANNEL = "mail"
    ZOHO = "email_notifications"

    to: str
    subject: str
    body: str | None = None
    path: JsonPath = ()
    kind: Literal["email"] = "email"

    @classmethod
    def read(cls, body: Any, path: JsonPath) -> EmailAction:
        return cls(str(body["to"]), str(body["subject"]), body.get("body"), path)

    def describe(self) -> str:
        return f"email {self.to}: {self.subject!r}"

    def diff_key(self) -> tuple[Any, ...]:
        return ("email", self.to, self.subject, self.body)

    def owner_entries(self) -> Iterator[tuple[str, JsonPath]]:
        yield self.to, self.path + ("to",)

    def to_zoho(self, names: ZohoNames) -> tuple[dict[str, Any], list[Left]]:
        details: dict[str, Any] = {"to": [names.owner_to_zoho(self.to, self.path + ("to",))],
                                   "subject": names.text_to_zoho(self.subject, self.path + ("subject",))}
        if self.body is not None:
            details["content"] = names.text_to_zoho(self.body, self.path + ("body",))
        return details, []

    @classmethod
    def from_zoho(cls, details: Any, names: ZohoNames, path: JsonPath) -> list[dict[str, Any]]:
        details = zoho_object(details, path)
        recipients = details.get("to")
        if not isinstance(recipients, list) or not recipients:
            raise ModelError("`to` must be a list of recipients", path + ("to",))
        subject = names.text_from_zoho(str(zoho_text(details, "subject", path)), path + ("subject",))
        content = zoho_text(details, "content", path, required=False)
        if content is not None:
            content = names.text_from_zoho(content, path + ("content",))
        bodies = []
        for i, recipient in enumerate(recipients):
            for to in names.owner_from_zoho(recipient, path + ("to", i)):
                bodies.append({"to": to, "subject": subject, **({"body": content} if content is not None else {})})
        return bodies

    def perform(self, on: Performing) -> Applied:
        to_spec = on.render(self.to)
        addresses, without = on.recipients(to_spec)
        subject = on.render(self.subject)
        if not addresses:
            return Applied.failed(f"{subject!r}: no e-mail address for {to_spec}"
                                  + (f" ({', '.join(without)})" if without else ""))
        body = on.render(self.body) if self.body else ""
        detail = f"{subject!r} to {', '.join(addresses)}"
        if without:
            detail += f" (no address for {', '.join(without)})"
        return Applied("pending", detail, request={"to": addresses, "subject": subject, "body": body, **on.about()})

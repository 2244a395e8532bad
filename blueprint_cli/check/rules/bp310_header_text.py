"""A webhook header or an e-mail subject cannot go into a message as written.

A header is one line: a line break (or another control character) in a
webhook header value or an e-mail subject would end it and start another —
blueprint sends such text with each break turned into a space, so say what
you mean. A header name is an HTTP token: letters, digits and
``!#$%&'*+-.^_`|~``, no spaces or colons.

    webhook:
      url: https://hooks.example.com/deal
      headers: {"X Team": sales}          # BP310: 'X Team' is not a header name
    email: {to: record_owner, subject: "Stuck\\nagain"}   # BP310: a line break in the subject

Values filled in from a record (`{{record.name}}`) are made one line when sent,
and a value put into a webhook URL after the host is percent-encoded.
"""

from collections.abc import Iterator

from blueprint_cli.language.analysis import action_sites
from blueprint_cli.language.headers import HEADER_NAME, one_line
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import EmailAction, WebhookAction

CODE = "BP310"
NAME = "header-text"
SEVERITY = "error"
NEEDS: tuple[str, ...] = ()


def _broken(text: str) -> bool:
    return one_line(text) != text.strip()


def check(ctx: LintContext) -> Iterator[Finding]:
    for action, where in action_sites(ctx.blueprint):
        if isinstance(action, WebhookAction):
            for name, value in action.headers:
                if not HEADER_NAME.match(name):
                    yield Finding(f"webhook in {where}: {name!r} is not a header name (an HTTP token: letters, "
                                  "digits and !#$%&'*+-.^_`|~)", action.path + ("headers", name))
                elif isinstance(value, str) and _broken(value):
                    yield Finding(f"webhook in {where}: header {name!r} holds a line break or control character",
                                  action.path + ("headers", name), hint="a header is one line: remove the break")
        elif isinstance(action, EmailAction) and _broken(action.subject):
            yield Finding(f"e-mail in {where}: the subject holds a line break or control character",
                          action.path + ("subject",), hint="a subject is one line: remove the break")

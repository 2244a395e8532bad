"""A webhook URL names no server that can be called.

The schema checks that a webhook's `url` starts with `http://` or `https://`;
this rule checks the rest of the address: a host after the `//`, and a port,
when one is given, that is a number from 1 to 65535. Such an address would
lint clean and fail only when the first record moves.

    webhook: {url: "https:///orders"}                     # BP311: no host
    webhook: {url: "https://erp.example.com:99999/orders"} # BP311: no such port

A template in the host or port (`url: "https://{{record.server}}/hook"`) is
filled in when the webhook is sent, so that part is not checked.
"""

from collections.abc import Iterator
from urllib.parse import urlsplit

from blueprint_cli.language.analysis import action_sites
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import WebhookAction

CODE = "BP311"
NAME = "webhook-url"
SEVERITY = "error"
NEEDS: tuple[str, ...] = ()


def problem(url: str) -> str | None:
    """What is wrong with the server part of an http(s) URL, or None."""
    scheme = url.find("://")
    if scheme < 0:
        return None  # the schema reports it
    rest = url[scheme + 3:]
    authority = rest[:min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))]
    if "{{" in authority:
        return None  # filled in when sent (an unclosed one is BP309's)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        text = str(exc)
        if "Port" in text:
            given = authority.rpartition(":")[2]
            return f"port {given!r} is not a port number (1 to 65535)"
        return f"the address cannot be read: {text}"
    if not parts.hostname:
        return "it names no host (write one after the //)"
    if port == 0:
        return "port 0 is not a port number (1 to 65535)"
    return None


def check(ctx: LintContext) -> Iterator[Finding]:
    for action, where in action_sites(ctx.blueprint):
        if isinstance(action, WebhookAction):
            wrong = problem(action.url)
            if wrong is not None:
                yield Finding(f"webhook in {where}: {action.url!r} cannot be called: {wrong}",
                              action.path + ("url",), hint="write the address as https://host[:port]/path")

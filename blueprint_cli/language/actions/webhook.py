"""`webhook`: call a URL (`webhook: {url: "https://…/{{record.id}}", method: POST}`).

URL, headers and body may use templates (values in the URL are encoded). A
string body is sent as written; anything else as JSON; no body at all sends
the event (record, transition, user, time) as JSON; GET and DELETE send none.
Leaves the process by HTTP after the move is committed (`pending` until then;
`blueprint retry` sends a failed one again, with the same delivery id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.actions.base import ActionKind, Applied, Performing


@dataclass(frozen=True)
class WebhookAction(ActionKind):
    """After a transition: call a URL (`webhook:`)."""

    KEY = "webhook"
    CHANNEL = "http"

    url: str
    method: str = "POST"
    headers: tuple[tuple[str, str], ...] = ()
    body: Any = None
    secret_env: str | None = None
    path: JsonPath = ()
    kind: Literal["webhook"] = "webhook"

    @classmethod
    def read(cls, body: Any, path: JsonPath) -> WebhookAction:
        headers = tuple((str(k), str(v)) for k, v in (body.get("headers") or {}).items())
        return cls(str(body["url"]), str(body.get("method", "POST")).upper(), headers,
                   body.get("body"), body.get("secret_env"), path)

    def describe(self) -> str:
        return f"webhook {self.method} {self.url}"

    def diff_key(self) -> tuple[Any, ...]:
        return ("webhook", self.url, self.method, self.headers, json.dumps(self.body, sort_keys=True, default=str),
                self.secret_env)

    def perform(self, on: Performing) -> Applied:
        url = on.render_url(self.url)
        headers = {k: on.render(v) for k, v in self.headers}
        body: str | None
        content_type = "application/json"
        if self.method in ("GET", "DELETE"):
            body = None
        elif self.body is None:
            body = json.dumps(on.event(), ensure_ascii=False, sort_keys=True, default=str)
        elif isinstance(self.body, str):
            body = on.render(self.body)
            content_type = "text/plain; charset=utf-8"
        else:
            body = json.dumps(on.render_data(self.body), ensure_ascii=False, sort_keys=True, default=str)
        if body is not None and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = content_type
        request = {"url": url, "method": self.method, "headers": headers, "body": body,
                   "secret_env": self.secret_env, "delivery": on.delivery_id(), **on.about()}
        return Applied("pending", f"{self.method} {url}", request=request)

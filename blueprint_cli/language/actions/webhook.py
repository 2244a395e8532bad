"""`webhook`: call a URL (`webhook: {url: "https://…/{{record.id}}", method: POST}`).

URL, headers and body may use templates (values in the URL are encoded). A
string body is sent as written; anything else as JSON; no body at all sends
the event (record, transition, user, time) as JSON; GET and DELETE send none.
Leaves the process by HTTP after the move is committed (`pending` until then;
`blueprint retry` sends a failed one again, with the same delivery id).
Zoho CRM: a webhook (`webhooks`); `secret_env` has no place there (Zoho signs
with its own connections), so it is reported and left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.actions.base import ActionKind, Applied, Left, texts, zoho_object, zoho_text
from blueprint_cli.language.building import ModelError

if TYPE_CHECKING:
    from blueprint_cli.language.actions.base import Performing, ZohoNames



@dataclass(frozen=True)
class WebhookAction(ActionKind):
    """After a transition: call a URL (`webhook:`)."""

    KEY = "webhook"
    CHANNEL = "http"
    ZOHO = "webhooks"

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

    def to_zoho(self, names: ZohoNames) -> tuple[dict[str, Any], list[Left]]:
        details: dict[str, Any] = {"url": names.text_to_zoho(self.url, self.path + ("url",)), "method": self.method}
        if self.headers:
            details["headers"] = [{"name": k, "value": names.text_to_zoho(v, self.path + ("headers", k))}
                                  for k, v in self.headers]
        if self.body is not None:
            details["body"] = texts(self.body, names.text_to_zoho, self.path + ("body",))
        left = [] if self.secret_env is None else [Left(
            self.path + ("secret_env",), self.secret_env,
            "Zoho webhooks have no signing secret from an environment variable (use a Zoho connection)")]
        return details, left

    @classmethod
    def from_zoho(cls, details: Any, names: ZohoNames, path: JsonPath) -> list[dict[str, Any]]:
        details = zoho_object(details, path)
        body: dict[str, Any] = {"url": names.text_from_zoho(str(zoho_text(details, "url", path)), path + ("url",))}
        method = zoho_text(details, "method", path, required=False)
        if method is not None:
            if method.upper() not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                raise ModelError(f"unknown method {method!r}; expected GET, POST, PUT, PATCH or DELETE",
                                 path + ("method",))
            body["method"] = method.upper()
        headers = details.get("headers")
        if headers is not None:
            if not isinstance(headers, list):
                raise ModelError("`headers` must be a list of {name, value}", path + ("headers",))
            body["headers"] = {}
            for i, h in enumerate(headers):
                h = zoho_object(h, path + ("headers", i))
                body["headers"][zoho_text(h, "name", path + ("headers", i))] = names.text_from_zoho(
                    zoho_text(h, "value", path + ("headers", i), required=False) or "", path + ("headers", i))
        if details.get("body") is not None:
            body["body"] = texts(details["body"], names.text_from_zoho, path + ("body",))
        return [body]

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

"""Talking to Zoho CRM over HTTPS (stdlib `urllib`): `pull` fetches a
blueprint's definition, `push` creates one as a draft.

The OAuth access token comes from an environment variable only
(`ZOHO_ACCESS_TOKEN`) and is sent in the `Authorization` header, never written
anywhere else: not in messages, not in `--dry-run`, and redirects are not
followed (a redirect would carry the header to another host). The API domain is
configurable: `com`, `eu`, `in`, `com.au`, `jp`, `ca`, `com.cn`, `sa`, a host,
or a URL; plain http only to this machine (tests). Lists come in pages
(`page` and `per_page` asked, `info.more_records` answered; when the answer's
`info` gives a `next_page_token`, the next page is asked by `page_token`); a 429 is retried after
`Retry-After` (or 1, 2, 4… seconds), five times at most; Zoho's error bodies
(`INVALID_DATA`, `MANDATORY_NOT_FOUND`…) are reported with the field and JSON
path they name.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from blueprint_cli.diagnostics import BlueprintError

TOKEN_ENV = "ZOHO_ACCESS_TOKEN"
DOMAIN_ENV = "ZOHO_API_DOMAIN"
#: Zoho's data centres, by the end of their API host.
DOMAINS = ("com", "eu", "in", "com.au", "jp", "ca", "com.cn", "sa")
RETRIES = 5
PER_PAGE = 200
#: Zoho's limit of ids in one GET of transitions.
IDS_PER_GET = 50
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


class ZohoApiError(BlueprintError):
    """Zoho refused or failed a request (exit 1)."""

    exit_code = 1


def api_base(domain: str) -> str:
    """The base URL for a data centre (`eu`), a host (`www.zohoapis.eu`) or a URL."""
    domain = domain.strip().rstrip("/")
    if domain in DOMAINS:
        return f"https://www.zohoapis.{domain}"
    if "://" not in domain:
        domain = f"https://{domain}"
    parts = urllib.parse.urlsplit(domain)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.username:
        raise BlueprintError(f"{domain!r} is not an API domain", hint=f"give one of {', '.join(DOMAINS)}, a host "
                             "like www.zohoapis.eu, or https://HOST")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise BlueprintError(f"{domain}: the token would travel unencrypted; use https",
                             hint="plain http is only for a server on this machine (127.0.0.1)")
    return f"{parts.scheme}://{parts.netloc}"


def token_from(environ: dict[str, str]) -> str:
    token = environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise BlueprintError(f"no Zoho access token: set {TOKEN_ENV} to an OAuth access token",
                             hint="scopes ZohoCRM.settings.blueprint.ALL and ZohoCRM.settings.transitions.ALL; "
                                  "the token is read from the environment only")
    if re.search(r"[\s\x00-\x1f]", token):
        raise BlueprintError(f"{TOKEN_ENV} holds spaces or control characters: not a token")
    return token


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


#: How the keys of an error's `details` read ("Create Blueprint Transitions"; zoho/crm-oas
#: v8.0/blueprint.json, API_Exception): the field, where in the body, what Zoho expected.
_DETAILS = {"api_name": "field", "json_path": "at", "parent_api_name": "in", "expected_data_type": "expected",
            "message": "", "info_message": ""}


def describe_error(body: Any) -> str:
    """Zoho's error body as one line: code, message, the field and JSON path it names."""
    if not isinstance(body, dict):
        return str(body)[:200]
    code = body.get("code", "error")
    text = f"{code}: {body.get('message', '')}".rstrip(": ")
    found = body.get("details")
    details: dict[str, Any] = found if isinstance(found, dict) else {}
    bits = [f"{_DETAILS[k]} {v}".lstrip() if k in _DETAILS else f"{k} {v}" for k, v in details.items()
            if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v)]
    extra = ", ".join(b for b in bits if b)
    return f"{text} ({extra})" if extra else text


class Client:
    def __init__(self, base: str, token: str, *, sleep: Callable[[float], None] = time.sleep,
                 timeout: float = 30.0) -> None:
        self.base = base
        self._token = token
        self.sleep = sleep
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect())

    def __repr__(self) -> str:  # never the token
        return f"Client({self.base!r})"

    def call(self, method: str, path: str, query: dict[str, str] | None = None, body: Any = None) -> Any:
        url = self.base + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        for attempt in range(RETRIES + 1):
            request = urllib.request.Request(url, data=data, method=method, headers={
                "Authorization": f"Zoho-oauthtoken {self._token}", "Accept": "application/json",
                **({"Content-Type": "application/json"} if data is not None else {})})
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    return _json(response.read(), method, path)
            except urllib.error.HTTPError as exc:
                raw = exc.read()
                if exc.code == 429 and attempt < RETRIES:
                    self.sleep(_wait(exc.headers.get("Retry-After"), attempt))
                    continue
                if exc.code == 429:
                    raise ZohoApiError(f"{method} {path}: Zoho kept answering 429 (too many requests) after "
                                       f"{RETRIES} retries", hint="wait a minute and try again") from None
                if 300 <= exc.code < 400:
                    raise ZohoApiError(f"{method} {path}: Zoho answered {exc.code} (a redirect, not followed)",
                                       hint="check --api-domain: the data centre of your Zoho account") from None
                try:
                    detail = describe_error(json.loads(raw.decode("utf-8")))
                except ValueError:
                    detail = raw.decode("utf-8", "replace")[:200] or exc.reason
                raise ZohoApiError(f"{method} {path}: Zoho answered {exc.code}: {detail}", hint=_hint(exc.code)) \
                    from None
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise ZohoApiError(f"cannot reach {self.base}: {reason}",
                                   hint="check the network and --api-domain") from None
        raise AssertionError("unreachable")

    def pages(self, path: str, key: str, query: dict[str, str] | None = None) -> list[Any]:
        """Every item of a list that Zoho gives in pages."""
        out: list[Any] = []
        where: dict[str, str] = {"page": "1"}
        while True:
            answer = self.call("GET", path, {**(query or {}), **where, "per_page": str(PER_PAGE)})
            items = answer.get(key) if isinstance(answer, dict) else None
            out.extend(items if isinstance(items, list) else [])
            info = answer.get("info") if isinstance(answer, dict) else None
            if not (isinstance(info, dict) and info.get("more_records")) or not items:
                return out
            token = info.get("next_page_token")
            where = {"page_token": token} if isinstance(token, str) and token else \
                {"page": str(int(where.get("page", "1")) + 1)}


def _json(raw: bytes, method: str, path: str) -> Any:
    if not raw.strip():
        return {}  # 204 No Content: nothing there
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:
        raise ZohoApiError(f"{method} {path}: Zoho's answer is not JSON") from None


def _wait(header: str | None, attempt: int) -> float:
    """Seconds before the next try: what `Retry-After` asks (as a webhook reads
    it: `nan` is no number of seconds), at most a minute; else backing off."""
    from blueprint_cli.actions.delivery.webhook import retry_after_seconds

    asked = retry_after_seconds(header)
    return min(asked, 60.0) if asked is not None else float(min(2 ** attempt, 30))


def _hint(status: int) -> str | None:
    if status == 401:
        return f"the token in {TOKEN_ENV} is invalid or expired: get a new one"
    if status == 403:
        return "the token lacks a scope: ZohoCRM.settings.blueprint.ALL, ZohoCRM.settings.transitions.ALL"
    return None

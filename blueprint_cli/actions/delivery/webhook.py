"""Webhooks over HTTP(S): one request with a timeout, retried with backoff on
5xx, 408, 429 and connection errors, signed with HMAC-SHA256 when the action
names a secret (`secret_env`: the environment variable that holds it).

Headers sent besides the action's own:

    User-Agent: blueprint/VERSION
    X-Blueprint-Delivery: <id>        the same on every retry of one action, so a
                                      receiver can drop duplicates
    X-Blueprint-Signature: sha256=<hex of HMAC-SHA256(secret, body bytes)>

Redirects are not followed (a webhook URL that moved is a failure to fix, and
following one would re-send the body somewhere else).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import os
import socket
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from blueprint_cli.actions.delivery import Sleep, WebhookSettings
from blueprint_cli.language.headers import HEADER_NAME, one_line
from blueprint_cli.engine.records import ActionOutcome, ActionStatus

SIGNATURE_HEADER = "X-Blueprint-Signature"
DELIVERY_HEADER = "X-Blueprint-Delivery"
#: Responses worth trying again: the server's trouble, or "not now".
RETRY_STATUS = frozenset({408, 429}) | frozenset(range(500, 600))


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for `body`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def send(request: Mapping[str, Any], settings: WebhookSettings, *, sleep: Sleep,
         env: Mapping[str, str] | None = None, at: str | None = None) -> ActionOutcome:
    """Make the request, retrying as configured; the outcome says how it went."""
    env = os.environ if env is None else env
    method = str(request.get("method") or "POST")
    url = str(request["url"])
    what = f"{method} {url}"

    def outcome(status: ActionStatus, detail: str, attempts: int, error: str | None = None,
                http_status: int | None = None) -> ActionOutcome:
        return ActionOutcome("webhook", status, detail, request=request, attempts=attempts, error=error,
                             http_status=http_status, at=at)

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return outcome("failed", f"{what}: not an http(s) URL", 0, "not an http(s) URL")
    body = request.get("body")
    data = body.encode("utf-8") if isinstance(body, str) else b""
    headers = {str(k): one_line(str(v)) for k, v in (request.get("headers") or {}).items()}
    bad = next((k for k in headers if not HEADER_NAME.match(k)), None)
    if bad is not None:
        error = f"{bad!r} is not a header name (letters, digits and !#$%&'*+-.^_`|~)"
        return outcome("failed", f"{what}: {error}", 0, error)
    headers.setdefault("User-Agent", _agent())
    if request.get("delivery"):
        headers[DELIVERY_HEADER] = str(request["delivery"])
    secret_env = request.get("secret_env")
    if secret_env:
        secret = env.get(str(secret_env))
        if not secret:
            error = f"the secret's environment variable {secret_env} is not set: not sent unsigned"
            return outcome("failed", f"{what}: {error}", 0, error)
        headers[SIGNATURE_HEADER] = sign(secret, data)

    attempts = settings.retry.attempts
    error, status = "", None
    for attempt in range(1, attempts + 1):
        retry_after: float | None = None
        try:
            status, reason, text, retry_after = _once(parts, method, data if body is not None else None, headers,
                                                      settings.timeout)
        except (OSError, http.client.HTTPException, ValueError) as exc:  # ValueError: what http.client refuses
            status, error = None, _describe(exc, settings.timeout)
        else:
            if 200 <= status < 300:
                tries = f" (attempt {attempt} of {attempts})" if attempt > 1 else ""
                return outcome("done", f"{what} → {status} {reason}{tries}", attempt, None, status)
            error = f"HTTP {status} {reason}".strip() + (f": {text}" if text else "")
            if 300 <= status < 400:
                error += " (redirects are not followed)"
            if status not in RETRY_STATUS:
                return outcome("failed", f"{what} → {error}", attempt, error, status)
        if attempt < attempts:
            wait = settings.retry.wait(attempt)
            if retry_after is not None:
                wait = min(max(wait, retry_after), 30.0)
            sleep(wait)
    tries = f"after {attempts} attempts" if attempts > 1 else "(1 attempt)"
    return outcome("failed", f"{what} → {error} {tries}", attempts, error, status)


def _once(parts: Any, method: str, data: bytes | None, headers: Mapping[str, str],
          timeout: float) -> tuple[int, str, str, float | None]:
    port = parts.port
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=timeout, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # as ASCII (http.client refuses anything else): other characters percent-encoded, `%XX` kept
    path = quote(path, safe="/?#[]@!$&'()*+,;=:%~-._")
    try:
        # values as UTF-8 bytes: http.client would refuse (UnicodeEncodeError) what Latin-1 cannot hold
        conn.request(method, path, body=data, headers={k: v.encode("utf-8") for k, v in headers.items()})
        resp = conn.getresponse()
        text = resp.read(2000).decode("utf-8", "replace").strip()
        retry_after = resp.getheader("Retry-After")
        try:
            after = float(retry_after) if retry_after is not None else None
        except ValueError:
            after = None
        return resp.status, resp.reason or "", " ".join(text.split())[:200], after
    finally:
        conn.close()


def _describe(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"no answer within {timeout:g}s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({exc.strerror or exc})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return f"{type(exc).__name__}: {exc}".rstrip(": ")


def _agent() -> str:
    from blueprint_cli import __version__

    return f"blueprint/{__version__}"

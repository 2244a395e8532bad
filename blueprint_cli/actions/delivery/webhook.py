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

Each try ends within `timeout` whatever the server does (a deadline for the
connection, the request and every read: `deadline.py`). A `Retry-After`
(seconds or an HTTP date) is slept up to 30 s, and never past a move's budget:
a longer one leaves the delivery failed, with the time to come back, for
`blueprint retry`. `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` are honoured (an
https URL goes through the proxy with CONNECT, so the proxy never sees inside).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import math
import os
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import SplitResult, quote, unquote, urlsplit

from blueprint_cli.actions.delivery import MAX_BACKOFF, RETRY_HINT, Budget, Sleep, WebhookSettings
from blueprint_cli.actions.delivery.deadline import Guard
from blueprint_cli.language.durations import MAX_DAYS
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
         env: Mapping[str, str] | None = None, at: str | None = None, budget: Budget | None = None,
         clock: Callable[[], datetime] | None = None) -> ActionOutcome:
    """Make the request, retrying as configured; the outcome says how it went.
    `budget`: the time all tries may take (a move's `delivery_wait`); what does
    not fit in it is left `pending` or `failed` for `blueprint retry`. `clock`:
    the wall clock, for when a `Retry-After` says to come back."""
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
    try:
        proxy = proxy_for(parts, env)
    except ValueError as exc:
        return outcome("failed", f"{what}: {exc}", 0, str(exc))

    attempts = settings.retry.attempts
    error, status = "", None
    for attempt in range(1, attempts + 1):
        limit = settings.timeout
        if budget is not None:
            if budget.left() <= 0:  # the record's other deliveries took the time
                note = f"not tried within {budget.wording}" if attempt == 1 else error
                return outcome("pending", f"{what}: {note}: {RETRY_HINT}", attempt - 1, note, status)
            limit = min(limit, budget.left())
        retry_after: float | None = None
        try:
            status, reason, text, retry_after = _once(parts, method, data if body is not None else None, headers,
                                                      limit, proxy)
        except TimeoutError:
            status, error = None, f"no answer within {settings.timeout:g}s"
            if limit < settings.timeout:  # cut short by the budget, not by the server's time being up
                error = f"no answer within {budget.wording if budget else f'{limit:g}s'}"
                return outcome("pending", f"{what} → {error}: {RETRY_HINT}", attempt, error)
        except (OSError, http.client.HTTPException, ValueError) as exc:  # ValueError: what http.client refuses
            status, error = None, _describe(exc, settings.timeout, proxy)
        else:
            if 200 <= status < 300:
                tries = f" (attempt {attempt} of {attempts})" if attempt > 1 else ""
                return outcome("done", f"{what} → {status} {reason}{tries}", attempt, None, status)
            error = f"HTTP {status} {reason}".strip() + (f": {text}" if text else "")
            if 300 <= status < 400:
                error += " (redirects are not followed)"
            if status not in RETRY_STATUS:
                return outcome("failed", f"{what} → {error}", attempt, error, status)
        if attempt == attempts:
            break
        wait = settings.retry.wait(attempt)
        if retry_after is not None:
            wait = max(wait, retry_after)
            room = MAX_BACKOFF if budget is None else min(MAX_BACKOFF, budget.left())
            if retry_after > room:  # not slept here: the server said when to come back
                again = ((clock or _now)() + timedelta(seconds=math.ceil(retry_after))).isoformat(timespec="seconds")
                note = f"the server asks to be tried again after {again}"
                return outcome("failed", f"{what} → {error}; {note}: {RETRY_HINT}", attempt,
                               f"{error}; {note}", status)
        if budget is not None and wait >= budget.left():
            return outcome("failed", f"{what} → {error}: {RETRY_HINT} (attempt {attempt} of {attempts} "
                                     f"made in {budget.wording})", attempt, error, status)
        sleep(min(wait, MAX_BACKOFF))
    tries = f"after {attempts} attempts" if attempts > 1 else "(1 attempt)"
    return outcome("failed", f"{what} → {error} {tries}", attempts, error, status)


@dataclass(frozen=True)
class Proxy:
    """An HTTP proxy from the environment: its host, port and login (if any)."""

    host: str
    port: int
    authorization: str | None = None

    def __str__(self) -> str:
        return f"the proxy {self.host}:{self.port}"


def proxy_for(parts: SplitResult, env: Mapping[str, str]) -> Proxy | None:
    """The proxy `HTTP_PROXY`/`HTTPS_PROXY` name for this URL, unless `NO_PROXY`
    lists its host (the lower-case names win, as curl reads them; `HTTP_PROXY` is
    ignored in a CGI script, where a request header could have set it)."""
    scheme = parts.scheme

    def named(key: str) -> str:
        value = env.get(key.lower()) or ("" if key == "HTTP_PROXY" and "REQUEST_METHOD" in env else env.get(key))
        return (value or "").strip()

    address = named(f"{scheme.upper()}_PROXY")
    if not address:
        return None
    if _bypassed(parts, env.get("no_proxy") or env.get("NO_PROXY") or ""):
        return None
    given = urlsplit(address if "://" in address else f"http://{address}")
    if given.scheme != "http" or not given.hostname:
        raise ValueError(f"the proxy {address!r} ({scheme.upper()}_PROXY) is not an http:// proxy")
    try:
        port = given.port or 80
    except ValueError:
        raise ValueError(f"the proxy {address!r} ({scheme.upper()}_PROXY) has no valid port") from None
    login = None
    if given.username is not None:
        pair = f"{unquote(given.username)}:{unquote(given.password or '')}"
        login = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
    return Proxy(given.hostname, port, login)


def _bypassed(parts: SplitResult, no_proxy: str) -> bool:
    """Whether `NO_PROXY` names the URL's host: `*`, the host itself, or a domain
    it is in (`example.com` and `.example.com` both take `api.example.com`),
    each optionally with a port. An empty `NO_PROXY` names nothing."""
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = 0
    for item in no_proxy.split(","):
        name = item.strip().lower()
        if name == "*":
            return True
        if name.startswith("[") and "]" in name:  # [::1]:8080
            name, _, rest = name[1:].partition("]")
            wanted = rest[1:] if rest.startswith(":") else ""
        elif name.count(":") == 1:
            name, wanted = name.split(":")
        else:
            wanted = ""
        name = name.lstrip(".")
        if not name or (wanted and wanted != str(port)):
            continue
        if host == name or host.endswith("." + name):
            return True
    return False


#: The longest `Retry-After` taken as it is: longer is as long as a duration can be (it is added to a time)
LONGEST_RETRY_AFTER = MAX_DAYS * 86400.0


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds from `now`: a number of seconds (ASCII digits,
    as HTTP writes them), or an HTTP date; at most LONGEST_RETRY_AFTER."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit() also takes '²', which float() does not
        return min(float(value), LONGEST_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return min(max(0.0, (when - (now or _now())).total_seconds()), LONGEST_RETRY_AFTER)


class _Connection(http.client.HTTPConnection):
    guard: Guard

    def close(self) -> None:
        self.guard.release()  # never shut a socket down after its owner let go of it
        super().close()


class _TlsConnection(http.client.HTTPSConnection):
    guard: Guard

    def close(self) -> None:
        self.guard.release()
        super().close()


def _once(parts: SplitResult, method: str, data: bytes | None, headers: Mapping[str, str],
          timeout: float, proxy: Proxy | None) -> tuple[int, str, str, float | None]:
    """One try, all of it within `timeout` (else `TimeoutError`)."""
    guard = Guard(timeout)
    host, port = parts.hostname or "", parts.port
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # as ASCII (http.client refuses anything else): other characters percent-encoded, `%XX` kept
    path = quote(path, safe="/?#[]@!$&'()*+,;=:%~-._")
    conn: http.client.HTTPConnection
    through = {} if proxy is None or not proxy.authorization else {"Proxy-Authorization": proxy.authorization}
    if parts.scheme == "https":
        conn = _TlsConnection(proxy.host if proxy else host, proxy.port if proxy else port, timeout=guard.left(),
                              context=ssl.create_default_context())
        if proxy is not None:
            conn.set_tunnel(host, port, headers=through)
    else:
        conn = _Connection(proxy.host if proxy else host, proxy.port if proxy else port, timeout=guard.left())
        if proxy is not None:  # the whole URL in the request line, as a proxy wants it
            netloc = f"[{host}]" if ":" in host else host
            path = f"http://{netloc}{f':{port}' if port else ''}{path}"
    sent = {k: v.encode("utf-8") for k, v in headers.items()}
    sent.update({k: v.encode("ascii") for k, v in through.items()} if parts.scheme == "http" else {})
    conn.guard = guard
    guard.watch(lambda: conn.sock)
    try:
        with guard:
            try:
                # values as UTF-8 bytes: http.client would refuse (UnicodeEncodeError) what Latin-1 cannot hold
                conn.request(method, path, body=data, headers=sent)
                resp = conn.getresponse()
            except (OSError, http.client.HTTPException):
                if guard.expired:
                    raise TimeoutError(f"no answer within {timeout:g}s") from None
                raise
            try:
                text = resp.read(2000).decode("utf-8", "replace").strip()
            except (OSError, http.client.HTTPException):
                text = ""  # the status arrived: a body cut short by the deadline does not undo the answer
            after = retry_after_seconds(resp.getheader("Retry-After"))
            return resp.status, resp.reason or "", " ".join(text.split())[:200], after
    finally:
        conn.close()


def _now() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


def _describe(exc: BaseException, timeout: float, proxy: Proxy | None = None) -> str:
    where = f" ({proxy})" if proxy is not None else ""
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"no answer within {timeout:g}s{where}"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused{where}"
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({exc.strerror or exc}){where}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower() + where
    return f"{type(exc).__name__}: {exc}".rstrip(": ") + where


def _agent() -> str:
    from blueprint_cli import __version__

    return f"blueprint/{__version__}"

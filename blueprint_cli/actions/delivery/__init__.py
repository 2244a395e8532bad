"""Real delivery of the outside effects of actions: e-mail over SMTP
(`delivery/smtp.py`) and webhooks over HTTP (`delivery/webhook.py`), with
timeouts and bounded retries, configured in `.blueprint/config.yaml`::

    smtp:                         # without it, e-mail goes to .blueprint/outbox/
      host: smtp.example.com
      port: 587                   # default: 465 with ssl, else 587 with starttls, else 25
      starttls: true              # default: true (unless ssl)
      ssl: false                  # implicit TLS (port 465)
      user: blueprint             # optional; the password comes from the environment:
      password_env: BLUEPRINT_SMTP_PASSWORD
      from: "Blueprint <blueprint@example.com>"
      timeout: 10                 # seconds per connection attempt
      attempts: 3                 # tries in all for transient failures (4xx, connection)
      backoff: 1                  # seconds before the second try; doubles each time
      ca_file: /path/to/ca.pem    # optional: trust a private certificate authority
    webhooks:
      timeout: 10
      attempts: 3                 # tries in all on 5xx, 408, 429 and connection errors
      backoff: 1
    delivery_wait: 1              # seconds a move waits for a record's e-mails and webhooks

Each send returns an `ActionOutcome` (done, failed, or pending when it was
left for `blueprint retry`, with attempts, error, HTTP status) — never an
exception: the transition is already committed. Waiting between tries goes
through an injected `sleep`, so tests never sleep.

Two bounds on time: `timeout` bounds one attempt as a whole — connecting,
sending and every read (`deadline.py`) — and a `Budget` bounds all the tries
of a record's deliveries in a command that changes records (`delivery_wait`):
what does not fit in it is left for `blueprint retry`, which has no budget.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: How long one wait between tries may be, whatever the backoff doubles to
#: (and the longest `Retry-After` slept; a longer one leaves the delivery for later).
MAX_BACKOFF = 30.0
DEFAULT_SENDER = "blueprint@localhost"
#: Seconds a command that changes records waits for one record's deliveries.
DEFAULT_WAIT = 1.0
#: What the outcome of a delivery left for later tells the user to run.
RETRY_HINT = "left for `blueprint retry`"

Sleep = Callable[[float], None]

class DeliveryConfigError(ValueError):
    """A delivery setting that cannot be used; names it. `path` is the setting
    in the config (e.g. ("smtp", "port")), for a finding at its line."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class Retry:
    attempts: int = 3
    backoff: float = 1.0

    def wait(self, attempt: int) -> float:
        """Seconds to wait after failed try number `attempt` (1-based)."""
        return float(min(self.backoff * 2.0 ** (attempt - 1), MAX_BACKOFF))


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    starttls: bool = True
    ssl: bool = False
    user: str | None = None
    password_env: str | None = None
    sender: str = DEFAULT_SENDER
    timeout: float = 10.0
    retry: Retry = Retry()
    ca_file: str | None = None


@dataclass(frozen=True)
class WebhookSettings:
    timeout: float = 10.0
    retry: Retry = Retry()


@dataclass(frozen=True)
class DeliverySettings:
    smtp: SmtpSettings | None = None
    webhooks: WebhookSettings = WebhookSettings()
    sender: str = DEFAULT_SENDER
    #: `delivery_wait`: seconds a move waits for a record's e-mails and webhooks
    wait: float = DEFAULT_WAIT


@dataclass(frozen=True)
class Budget:
    """The time all the tries of a record's deliveries may take in a command that
    changes records (`delivery_wait`), as a deadline on a monotonic clock. A try
    that would start or wait past it is not made: the delivery is left for
    `blueprint retry`."""

    seconds: float
    end: float
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @classmethod
    def of(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Budget:
        return cls(seconds, clock() + seconds, clock)

    def left(self) -> float:
        return self.end - self.clock()

    @property
    def wording(self) -> str:
        return f"the {self.seconds:g}s a move waits for delivery"


def from_config(config: Mapping[str, Any], source: str = "config.yaml") -> DeliverySettings:
    """Delivery settings from the workspace config (missing sections: defaults)."""
    smtp = _smtp(config.get("smtp"), source) if config.get("smtp") is not None else None
    hooks = _section(config.get("webhooks"), "webhooks", {"timeout", "attempts", "backoff"}, source)
    webhooks = WebhookSettings(_number(hooks, "timeout", 10.0, source, "webhooks"), _retry(hooks, source, "webhooks"))
    wait = _number(config, "delivery_wait", DEFAULT_WAIT, source, "")
    return DeliverySettings(smtp, webhooks, smtp.sender if smtp else DEFAULT_SENDER, wait)


def _section(data: Any, name: str, known: set[str], source: str) -> Mapping[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise DeliveryConfigError(f"{source}: `{name}` must be a mapping", (name,))
    unknown = sorted(set(data) - known)
    if unknown:
        raise DeliveryConfigError(f"{source}: {name}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})",
                                 (name, unknown[0]))
    return data


def _number(data: Mapping[str, Any], key: str, default: float, source: str, section: str,
            *, minimum: float = 0.0) -> float:
    value = data.get(key, default)
    # NaN is neither below nor above anything: test that it is a real number first
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < minimum:
        name = f"{section}.{key}" if section else key
        raise DeliveryConfigError(f"{source}: {name} must be a number of at least {minimum:g}, not {value!r}",
                                  (section, key) if section else (key,))
    return float(value)


def _retry(data: Mapping[str, Any], source: str, section: str) -> Retry:
    attempts = data.get("attempts", 3)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= 10:
        raise DeliveryConfigError(f"{source}: {section}.attempts must be a whole number from 1 to 10, not {attempts!r}",
                                  (section, "attempts"))
    return Retry(attempts, _number(data, "backoff", 1.0, source, section))


def _smtp(data: Any, source: str) -> SmtpSettings:
    known = {"host", "port", "starttls", "ssl", "user", "password_env", "from", "timeout", "attempts", "backoff",
             "ca_file"}
    if isinstance(data, Mapping) and "password" in data:
        raise DeliveryConfigError(f"{source}: smtp.password: the password is never kept in the config; "
                                  "name an environment variable that holds it with smtp.password_env", ("smtp", "password"))
    d = _section(data, "smtp", known, source)
    host = d.get("host")
    if not isinstance(host, str) or not host.strip():
        raise DeliveryConfigError(f"{source}: smtp.host must name the mail server, e.g. smtp.example.com", ("smtp", "host"))
    for key in ("starttls", "ssl"):
        if key in d and not isinstance(d[key], bool):
            raise DeliveryConfigError(f"{source}: smtp.{key} must be true or false, not {d[key]!r}", ("smtp", key))
    ssl = bool(d.get("ssl", False))
    starttls = bool(d.get("starttls", not ssl))
    if ssl and starttls:
        raise DeliveryConfigError(f"{source}: smtp: ssl and starttls exclude each other (ssl is TLS from the start)",
                                  ("smtp", "ssl"))
    port = d.get("port", 465 if ssl else 587 if starttls else 25)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise DeliveryConfigError(f"{source}: smtp.port must be a port number, not {port!r}", ("smtp", "port"))
    for key in ("user", "password_env", "from", "ca_file"):
        if key in d and d[key] is not None and not isinstance(d[key], str):
            raise DeliveryConfigError(f"{source}: smtp.{key} must be text, not {d[key]!r}", ("smtp", key))
    if bool(d.get("password_env")) != bool(d.get("user")):
        raise DeliveryConfigError(f"{source}: smtp.user and smtp.password_env go together "
                                  "(the login, and the environment variable holding its password)", ("smtp",))
    return SmtpSettings(host.strip(), int(port), starttls, ssl, d.get("user"), d.get("password_env"),
                        str(d.get("from") or DEFAULT_SENDER), _number(d, "timeout", 10.0, source, "smtp"),
                        _retry(d, source, "smtp"), d.get("ca_file"))

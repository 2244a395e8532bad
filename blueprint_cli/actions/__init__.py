"""Carrying out the outside effects of a transition, after it is committed.

The engine turns `email` and `webhook` actions into `Effect`s. Here e-mails are
sent over SMTP when the workspace configures a server (`delivery/smtp.py`), or
else written to the workspace outbox (one `.eml` file each); webhooks are real
HTTP requests (`delivery/webhook.py`). Each returns the outcome that replaces
the entry's `pending` one. A failure is an outcome too, never an exception:
the move itself already happened, and `blueprint retry` can send it again.

A record's effects go out in order, within its budget (`delivery_wait`): one
that does not fit is left `pending`, as is one whose endpoint did not answer
earlier in the same command (`delivery/pool.py`).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from blueprint_cli.actions.delivery import DEFAULT_SENDER, RETRY_HINT, Budget, DeliverySettings, Sleep
from blueprint_cli.actions.delivery.pool import Circuit
from blueprint_cli.engine import Effect
from blueprint_cli.engine.records import ActionOutcome
from blueprint_cli.language.actions import SENT_KINDS
from blueprint_cli.store.files import atomic_write

SENDER = DEFAULT_SENDER


def deliver(effects: Sequence[Effect], outbox: Path, *, sender: str = SENDER,
            settings: DeliverySettings | None = None, sleep: Sleep | None = None,
            env: Mapping[str, str] | None = None, at: str | None = None, budget: Budget | None = None,
            circuit: Circuit | None = None, home: Path | None = None) -> dict[int, ActionOutcome]:
    """Run every effect, in order; return the new outcome for each by its index in the entry.
    `home`: the workspace folder the outbox must stay inside (a link out of it is refused);
    `at`: when (for the outcome; tests pass `--now`); `sleep`: how to wait between tries;
    `budget`: the time all of them may take (what does not fit is left `pending`);
    `circuit`: endpoints that did not answer earlier in the command (not tried again)."""
    settings = settings or DeliverySettings(sender=sender)
    wait = sleep or time.sleep
    out: dict[int, ActionOutcome] = {}
    for effect in effects:
        endpoint = _endpoint(effect, settings)
        if endpoint is not None and circuit is not None and circuit.open(endpoint):
            note = f"not tried: {endpoint} did not answer earlier in this command"
            out[effect.index] = ActionOutcome(effect.kind, "pending", f"{_what(effect)}: {note}: {RETRY_HINT}",
                                              request=effect.data, attempts=0, error=note, at=at)
            continue
        try:
            result = _deliver_one(effect, outbox, settings, wait, env, at, budget, home)
        except (ValueError, TypeError, LookupError, UnicodeError) as exc:
            # the transition is committed: a value the message cannot carry is a failed delivery, never a crash
            result = ActionOutcome(effect.kind, "failed", f"could not be sent: {exc}", request=effect.data,
                                   error=str(exc), at=at)
        if endpoint is not None and circuit is not None and result.error and "no answer within" in result.error:
            circuit.silent(endpoint)
        out[effect.index] = result
    return out


def left_for_later(outcome: ActionOutcome, budget: Budget) -> ActionOutcome:
    """The outcome of a delivery still under way when its command stopped waiting."""
    note = f"not finished within {budget.wording}"
    return ActionOutcome(outcome.action, "pending", f"{_what_of(outcome)}: {note}: {RETRY_HINT}",
                         request=outcome.request, attempts=outcome.attempts, error=note, at=outcome.at)


def _endpoint(effect: Effect, settings: DeliverySettings) -> str | None:
    """Where the effect goes over the network (None: the outbox, a local folder)."""
    if effect.kind == "webhook":
        parts = urlsplit(str(effect.data.get("url") or ""))
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return None
        return f"{parts.scheme}://{parts.hostname}:{port}" if parts.hostname else None
    if effect.kind == "email" and settings.smtp is not None:
        return f"the mail server {settings.smtp.host}:{settings.smtp.port}"
    return None


def _what(effect: Effect) -> str:
    data = effect.data
    if SENT_KINDS.get(effect.kind) == "http":
        return f"{data.get('method') or 'POST'} {data.get('url')}"
    return f"{data.get('subject')!r} to {', '.join(map(str, data.get('to') or ()))}"


def _what_of(outcome: ActionOutcome) -> str:
    return _what(Effect(outcome.action, 0, dict(outcome.request or {})))


def _deliver_one(effect: Effect, outbox: Path, settings: DeliverySettings, wait: Sleep,
                 env: Mapping[str, str] | None, at: str | None, budget: Budget | None,
                 home: Path | None = None) -> ActionOutcome:
    # each kind that leaves the process says by which channel (the registry: language/actions/)
    channel = SENT_KINDS.get(effect.kind)
    if channel == "mail":
        if settings.smtp is not None:
            return _by_smtp(effect, settings, wait, env, at, budget)
        return _to_outbox(effect, outbox, settings.sender, at, home)
    if channel == "http":
        from blueprint_cli.actions.delivery import webhook

        return webhook.send(effect.data, settings.webhooks, sleep=wait, env=env, at=at, budget=budget)
    return ActionOutcome(effect.kind, "skipped", "no delivery for this kind")


def message(data: Mapping[str, Any], sender: str) -> EmailMessage:
    """The e-mail an `email` effect describes (the same for the outbox and SMTP)."""
    from blueprint_cli.language.headers import one_line
    from blueprint_cli.language.times import TimeError, in_effect

    msg = EmailMessage()
    msg["From"] = one_line(sender)
    # a record value with CRLF would end the header and start another (Bcc: ...): one line each
    msg["To"] = ", ".join(one_line(str(a)) for a in data["to"])
    msg["Subject"] = one_line(str(data["subject"]))
    try:
        msg["Date"] = format_datetime(in_effect(str(data["at"])))
    except TimeError:
        pass
    # the same id on every retry of one action: mail systems drop a duplicate
    key = "\0".join(str(data.get(k)) for k in ("record", "at", "transition", "subject")) + "\0" + ",".join(data["to"])
    msg["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@blueprint>"
    msg["X-Blueprint-Record"] = one_line(f"{data['module']} {data['record']}")
    if data.get("transition"):
        msg["X-Blueprint-Transition"] = one_line(f"{data['blueprint']}: {data['transition']}")
    msg.set_content(str(data.get("body") or ""))
    return msg


def _by_smtp(effect: Effect, settings: DeliverySettings, sleep: Sleep, env: Mapping[str, str] | None,
             at: str | None, budget: Budget | None) -> ActionOutcome:
    from blueprint_cli.actions.delivery import smtp

    assert settings.smtp is not None
    data = effect.data
    server = f"{settings.smtp.host}:{settings.smtp.port}"
    sent = smtp.send(message(data, settings.smtp.sender), list(data["to"]), settings.smtp, sleep=sleep, env=env,
                     budget=budget)
    what = f"{data['subject']!r} to {', '.join(data['to'])}"
    tries = f" (attempt {sent.attempts} of {settings.smtp.retry.attempts})" if sent.attempts > 1 else ""
    note = sent.note
    if sent.sent:
        return ActionOutcome("email", "done", f"{what}: sent via {server}{tries}" + (f"; {note}" if note else ""),
                             request=data, attempts=sent.attempts, error=note, at=at)
    if sent.left == "pending":
        return ActionOutcome("email", "pending", f"{what}: not sent via {server} yet: {note}: {RETRY_HINT}",
                             request=data, attempts=sent.attempts, error=note, at=at)
    later = (f": {RETRY_HINT} (attempt {sent.attempts} of {settings.smtp.retry.attempts} made in "
             f"{budget.wording})") if sent.left == "failed" and budget is not None else ""
    return ActionOutcome("email", "failed", f"{what}: not sent via {server}: {note}{later}", request=data,
                         attempts=sent.attempts, error=note, at=at)


def _to_outbox(effect: Effect, outbox: Path, sender: str, at: str | None, home: Path | None) -> ActionOutcome:
    data = effect.data
    msg = message(data, sender)
    stamp = re.sub(r"[^0-9]", "", str(data["at"]))[:14]
    try:
        if home is not None and not outbox.resolve().is_relative_to(home.resolve()):
            # a link planted where the outbox is (a cloned repository's .blueprint/outbox -> ~/.ssh)
            error = (f"the outbox {outbox.name}/ leads outside the workspace folder (to {outbox.resolve()}): "
                     "not written there; make it a plain folder inside .blueprint/")
            return ActionOutcome("email", "failed", f"{data['subject']!r}: {error}", request=data, attempts=1,
                                 error=error, at=at)
        outbox.mkdir(parents=True, exist_ok=True)
        n = 1
        while True:
            path = outbox / f"{stamp}-record{data['record']}-{n}.eml"
            if not path.exists():
                break
            n += 1
        atomic_write(path, bytes(msg))
    except OSError as exc:
        error = f"cannot write to the outbox: {exc.strerror}"
        return ActionOutcome("email", "failed", f"{data['subject']!r}: {error}", request=data, attempts=1,
                             error=error, at=at)
    where = f"{outbox.name}/{path.name}"
    return ActionOutcome("email", "done", f"{data['subject']!r} to {', '.join(data['to'])}: written to {where}",
                         request=data, attempts=1, at=at)

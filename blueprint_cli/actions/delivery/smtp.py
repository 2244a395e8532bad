"""E-mail over SMTP (the standard library's `smtplib`): STARTTLS or implicit
TLS, login with a password taken from the environment variable the config
names, a timeout, and bounded retries with backoff on what SMTP calls
transient (4xx replies) and on connection trouble. Permanent refusals (5xx)
are not retried.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage

from blueprint_cli.actions.delivery import Sleep, SmtpSettings


def send(message: EmailMessage, to: list[str], settings: SmtpSettings, *, sleep: Sleep,
         env: Mapping[str, str] | None = None) -> tuple[bool, int, str | None]:
    """Send `message` to `to`: (sent, attempts, error or a note on refused recipients)."""
    env = os.environ if env is None else env
    password = None
    if settings.user:
        password = env.get(settings.password_env or "")
        if password is None:
            return False, 0, f"the SMTP password's environment variable {settings.password_env} is not set"
    attempts = settings.retry.attempts
    error = ""
    for attempt in range(1, attempts + 1):
        try:
            refused = _once(message, to, settings, password)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = "every recipient was refused: " + _refused(exc.recipients)
            if not all(400 <= c < 500 for c in codes):
                return False, attempt, error
        except smtplib.SMTPAuthenticationError as exc:
            return False, attempt, f"login as {settings.user} refused: {exc.smtp_code} {_text(exc.smtp_error)}"
        except smtplib.SMTPResponseException as exc:
            error = f"{exc.smtp_code} {_text(exc.smtp_error)}"
            if not 400 <= exc.smtp_code < 500:
                return False, attempt, error
        except smtplib.SMTPNotSupportedError as exc:
            return False, attempt, f"the server does not support it: {exc}"
        except (OSError, smtplib.SMTPException) as exc:
            error = _describe(exc, settings)
        else:
            return True, attempt, ("some recipients were refused: " + _refused(refused)) if refused else None
        if attempt < attempts:
            sleep(settings.retry.wait(attempt))
    return False, attempts, error


def _once(message: EmailMessage, to: list[str], settings: SmtpSettings,
          password: str | None) -> dict[str, tuple[int, bytes]]:
    context = ssl.create_default_context(cafile=settings.ca_file)
    client: smtplib.SMTP
    if settings.ssl:
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        client.ehlo()
        if settings.starttls:
            client.starttls(context=context)
            client.ehlo()
        if settings.user:
            client.login(settings.user, password or "")
        return client.send_message(message, from_addr=settings.sender, to_addrs=to)


def _refused(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{who}: {code} {_text(msg)}" for who, (code, msg) in recipients.items())


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())


def _describe(exc: BaseException, settings: SmtpSettings) -> str:
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"{where}: no answer within {settings.timeout:g}s"
    if isinstance(exc, ConnectionRefusedError):
        return f"{where}: connection refused"
    if isinstance(exc, socket.gaierror):
        return f"{where}: unknown host"
    if isinstance(exc, ssl.SSLError):
        return f"{where}: TLS error: {exc.reason or exc}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{where}: the server closed the connection"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{where}: {exc.strerror.lower()}"
    return f"{where}: {type(exc).__name__}: {exc}"

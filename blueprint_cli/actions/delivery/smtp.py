"""E-mail over SMTP (the standard library's `smtplib`): STARTTLS or implicit
TLS, login with a password taken from the environment variable the config
names, a timeout, and bounded retries with backoff on what SMTP calls
transient (4xx replies) and on connection trouble. Permanent refusals (5xx)
are not retried.

Each try ends within `timeout` whatever the server does: connecting, the
greeting, every reply and sending the message share one deadline
(`deadline.py`), and a reply may run to at most 100 lines.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Literal, NamedTuple

from blueprint_cli.actions.delivery import Budget, Sleep, SmtpSettings
from blueprint_cli.actions.delivery.deadline import Guard

#: The longest reply line read (smtplib's own limit) and the most lines to one reply.
MAX_LINE = 8192
MAX_REPLY_LINES = 100


def send(message: EmailMessage, to: list[str], settings: SmtpSettings, *, sleep: Sleep,
         env: Mapping[str, str] | None = None, budget: Budget | None = None) -> Sent:
    """Send `message` to `to`: (sent, attempts, error or a note on refused recipients,
    and whether it was left for later because `budget` ran out)."""
    env = os.environ if env is None else env
    password = None
    if settings.user:
        password = env.get(settings.password_env or "")
        if password is None:
            return Sent(False, 0, f"the SMTP password's environment variable {settings.password_env} is not set")
    attempts = settings.retry.attempts
    error = ""
    for attempt in range(1, attempts + 1):
        limit = settings.timeout
        if budget is not None:
            if budget.left() <= 0:  # the record's other deliveries took the time
                return Sent(False, attempt - 1, f"not tried within {budget.wording}" if attempt == 1 else error,
                            left="pending")
            limit = min(limit, budget.left())
        try:
            refused = _once(message, to, settings, password, limit)
        except TimeoutError:
            where = f"{settings.host}:{settings.port}"
            if limit < settings.timeout:  # cut short by the budget
                return Sent(False, attempt, f"{where}: no answer within {budget.wording if budget else limit}",
                            left="pending")
            error = f"{where}: no answer within {settings.timeout:g}s"
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = "every recipient was refused: " + _refused(exc.recipients)
            if not all(400 <= c < 500 for c in codes):
                return Sent(False, attempt, error)
        except smtplib.SMTPAuthenticationError as exc:
            return Sent(False, attempt, f"login as {settings.user} refused: {exc.smtp_code} {_text(exc.smtp_error)}")
        except smtplib.SMTPResponseException as exc:
            error = f"{exc.smtp_code} {_text(exc.smtp_error)}"
            if not 400 <= exc.smtp_code < 500:
                return Sent(False, attempt, error)
        except smtplib.SMTPNotSupportedError as exc:
            return Sent(False, attempt, f"the server does not support it: {exc}")
        except (OSError, smtplib.SMTPException) as exc:
            error = _describe(exc, settings)
        else:
            return Sent(True, attempt, ("some recipients were refused: " + _refused(refused)) if refused else None)
        if attempt < attempts:
            wait = settings.retry.wait(attempt)
            if budget is not None and wait >= budget.left():
                return Sent(False, attempt, error, left="failed")
            sleep(wait)
    return Sent(False, attempts, error)


class Sent(NamedTuple):
    sent: bool
    attempts: int
    #: the error, or a note on recipients the server refused
    note: str | None
    #: given up on because the budget ran out, and left for `blueprint retry`:
    #: "pending" (no answer yet, or not tried) or "failed" (no time for another try)
    left: Literal["pending", "failed"] | None = None


class _Client(smtplib.SMTP):
    """smtplib's client under a deadline, reading replies of a bounded length."""

    guard: Guard

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        # (typeshed does not list smtplib's hook for making the socket)
        sock: socket.socket = super()._get_socket(host, port, self.guard.left())  # type: ignore[misc]
        self.guard.watch(lambda: sock if self.sock is None else self.sock)
        return sock

    def close(self) -> None:
        self.guard.release()  # never shut a socket down after its owner let go of it
        super().close()

    def getreply(self) -> tuple[int, bytes]:
        """smtplib's, with at most `MAX_REPLY_LINES` lines to a reply: a server that
        sends `220-` lines for ever is cut off (smtplib keeps every line)."""
        lines: list[bytes] = []
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        if self.file is None:
            self.file = self.sock.makefile("rb")
        while True:
            try:
                line = self.file.readline(MAX_LINE + 1)
            except TimeoutError:
                self.close()
                raise  # no answer in time: not "closed the connection"
            except OSError as exc:
                self.close()
                raise smtplib.SMTPServerDisconnected(f"Connection unexpectedly closed: {exc}") from None
            if not line:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            if len(line) > MAX_LINE:
                self.close()
                raise smtplib.SMTPResponseException(500, "Line too long.")
            lines.append(line[4:].strip(b" \t\r\n"))
            try:
                code = int(line[:3])
            except ValueError:
                return -1, b"\n".join(lines)
            if line[3:4] != b"-":
                return code, b"\n".join(lines)
            if len(lines) >= MAX_REPLY_LINES:
                self.close()
                raise smtplib.SMTPServerDisconnected(f"a reply of more than {MAX_REPLY_LINES} lines")


class _TlsClient(smtplib.SMTP_SSL, _Client):
    """Implicit TLS (the socket is watched before the handshake)."""


def _once(message: EmailMessage, to: list[str], settings: SmtpSettings,
          password: str | None, timeout: float) -> dict[str, tuple[int, bytes]]:
    """One try, all of it within `timeout` (else `TimeoutError`)."""
    context = ssl.create_default_context(cafile=settings.ca_file)
    guard = Guard(timeout)
    client: _Client
    if settings.ssl:
        client = _TlsClient(timeout=timeout, context=context)
    else:
        client = _Client(timeout=timeout)
    client.guard = guard
    client._host = settings.host  # type: ignore[attr-defined]  # what smtplib checks the certificate against
    try:
        with guard:
            try:
                client.connect(settings.host, settings.port)
                client.ehlo()
                if settings.starttls:
                    client.starttls(context=context)
                    client.ehlo()
                if settings.user:
                    client.login(settings.user, password or "")
                refused = client.send_message(message, from_addr=settings.sender, to_addrs=to)
            except (OSError, smtplib.SMTPException):
                if guard.expired:
                    raise TimeoutError(f"no answer within {timeout:g}s") from None
                raise
            try:
                client.docmd("QUIT")
            except (OSError, smtplib.SMTPException):
                pass  # the message was accepted: a QUIT that goes wrong changes nothing
            return refused
    finally:
        client.close()


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
        if str(exc).startswith("a reply of more than"):
            return f"{where}: the server sent {exc}"
        return f"{where}: the server closed the connection"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{where}: {exc.strerror.lower()}"
    return f"{where}: {type(exc).__name__}: {exc}"

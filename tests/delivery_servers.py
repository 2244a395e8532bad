"""Real servers on 127.0.0.1 for the delivery tests: an SMTP server (aiosmtpd,
optionally with STARTTLS and AUTH) and an HTTP server (http.server in a
thread). Both record what arrived, and can be told to fail the first N times."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), made with openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


# ----- SMTP -------------------------------------------------------------------------------------

@dataclass
class Mail:
    sender: str
    recipients: list[str]
    data: bytes
    #: the session was encrypted with STARTTLS, and who logged in
    tls: bool = False
    login: str | None = None

    @property
    def message(self) -> Message:
        return message_from_bytes(self.data)


@dataclass
class MailServer:
    host: str
    port: int
    received: list[Mail] = field(default_factory=list)
    #: answer the next N messages with this reply instead of accepting them
    fail_next: int = 0
    fail_reply: str = "451 4.3.0 Try again later"
    attempts: int = 0


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        self.server.attempts += 1
        if self.server.fail_next > 0:
            self.server.fail_next -= 1
            return self.server.fail_reply
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else None
        self.server.received.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content),
                                         tls=smtp._tls_protocol is not None, login=login))
        return "250 OK"


@contextmanager
def smtp_server(*, tls: tuple[Path, Path] | None = None, users: dict[str, str] | None = None) -> Iterator[MailServer]:
    """An SMTP server on 127.0.0.1; with `tls` (cert, key) it offers and requires
    STARTTLS, with `users` it requires AUTH (only over TLS)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    server = MailServer("127.0.0.1", free_port())
    kwargs: dict[str, Any] = {}
    if tls is not None:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(tls[0]), str(tls[1]))
        kwargs.update(tls_context=ctx, require_starttls=True)
    if users is not None:
        def authenticate(smtp: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            if isinstance(data, LoginPassword) and users.get(data.login.decode()) == data.password.decode():
                return AuthResult(success=True, auth_data=data.login)
            return AuthResult(success=False, handled=False)
        kwargs.update(authenticator=authenticate, auth_require_tls=True, auth_required=True)
    controller = Controller(_Handler(server), hostname=server.host, port=server.port, **kwargs)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


# ----- HTTP -------------------------------------------------------------------------------------

@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HookServer:
    url: str
    received: list[Request] = field(default_factory=list)
    #: statuses to answer with, in order (then 200)
    script: list[int] = field(default_factory=list)
    #: seconds to wait before answering the next N requests (a slow receiver)
    delay: float = 0.0
    delay_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def http_server() -> Iterator[HookServer]:
    hook = HookServer("")

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with hook.lock:
                hook.received.append(Request(self.command, self.path, {k: v for k, v in self.headers.items()}, body))
                status = hook.script.pop(0) if hook.script else 200
                slow = hook.delay_next > 0
                if slow:
                    hook.delay_next -= 1
            if slow:
                time.sleep(hook.delay)
            payload = b'{"ok": true}' if status < 400 else b"upstream trouble"
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    hook.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        httpd.shutdown()
        httpd.server_close()

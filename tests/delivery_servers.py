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
from collections.abc import Callable, Iterator
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

class _Server(ThreadingHTTPServer):
    # the listen backlog of a real server: with http.server's 5, a burst of
    # connections (a bulk delivers on many threads) has SYNs dropped and resent a second later
    request_queue_size = 128
    daemon_threads = True

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

    httpd = _Server(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        httpd.shutdown()
        httpd.server_close()


# ----- hostile servers: raw sockets that misbehave on purpose ---------------------------------------

@dataclass
class RawServer:
    host: str
    port: int
    #: connections accepted so far
    connections: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def pause(self, seconds: float) -> bool:
        """Wait, unless the test is over (then False: stop serving)."""
        return not self.stop.wait(seconds)


@contextmanager
def raw_server(serve: Callable[[RawServer, socket.socket], None]) -> Iterator[RawServer]:
    """A TCP server on 127.0.0.1 that hands each connection to `serve(server, conn)`
    in its own thread; `server.pause` lets a slow server end with the test."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    server = RawServer("127.0.0.1", int(listener.getsockname()[1]))
    open_: list[socket.socket] = []

    def handle(conn: socket.socket) -> None:
        try:
            serve(server, conn)
        except OSError:
            pass  # the client hung up: what a misbehaving server expects

    def accept() -> None:
        while not server.stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            server.connections += 1
            open_.append(conn)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield server
    finally:
        server.stop.set()
        listener.close()
        for conn in open_:
            try:
                conn.close()
            except OSError:
                pass


def read_request(conn: socket.socket) -> bytes:
    """The head of an HTTP request and as much of its body as Content-Length says."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


@dataclass
class ProxyServer:
    url: str
    #: (method, target as the request line gave it, headers) of each request
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


@contextmanager
def proxy_server() -> Iterator[ProxyServer]:
    """A tiny forwarding HTTP proxy on 127.0.0.1: records each request (a proxy is
    asked for the whole URL) and passes it on to where the URL points."""
    import http.client
    from urllib.parse import urlsplit

    proxy = ProxyServer("")

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            proxy.requests.append((self.command, self.path, {k: v for k, v in self.headers.items()}))
            target = urlsplit(self.path)
            conn = http.client.HTTPConnection(target.hostname or "", target.port or 80, timeout=5)
            try:
                sent = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-authorization", "host")}
                path = target.path + (f"?{target.query}" if target.query else "")
                conn.request(self.command, path or "/", body=body or None, headers=sent)
                resp = conn.getresponse()
                payload = resp.read()
                self.send_response(resp.status, resp.reason)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Via", "1.1 test-proxy")
                self.end_headers()
                self.wfile.write(payload)
            finally:
                conn.close()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        def log_message(self, *args: Any) -> None:
            pass

    httpd = _Server(("127.0.0.1", 0), Handler)
    proxy.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        httpd.shutdown()
        httpd.server_close()

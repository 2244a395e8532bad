"""Hostile input, class 7: servers that take all the time they are given. A
webhook that drips its answer a byte at a time, an SMTP server that never
greets or sends `220-` lines for ever, a `Retry-After` of minutes: one attempt
ends within its timeout, and a move within its delivery budget, whatever the
server does; what did not get through is queued for `blueprint retry` and the
outcome says why (and when to come back). Real servers on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from blueprint_cli.actions.delivery import Retry, SmtpSettings, WebhookSettings
from blueprint_cli.actions.delivery import smtp as smtp_delivery
from blueprint_cli.actions.delivery.webhook import retry_after_seconds, send
from delivery_servers import RawServer, raw_server, read_request
from workspace_helpers import cli

BLUEPRINT = """\
blueprint: orders
module: Orders
field: stage
fields:
  customer: {type: text}
states:
  - name: New
  - name: Placed
  - name: Mailed
    final: true
transitions:
  - name: Place
    from: New
    to: Placed
    then:
      - webhook: {url: "URL/orders/{{record.id}}"}
  - name: Mail
    from: Placed
    to: Mailed
    then:
      - email: {to: "ops@example.com", subject: "Placed: {{record.customer}}"}
"""

#: How much later than its bound a command may return (start-up, the machine being busy).
SLACK = 2.0


def workspace(folder: Path, url: str, config: str = "") -> Path:
    assert cli("init", "--no-sample", str(folder)).code == 0
    with open(folder / ".blueprint" / "config.yaml", "a", encoding="utf-8") as f:
        f.write(config)
    (folder / "orders.yaml").write_text(BLUEPRINT.replace("URL", url), encoding="utf-8")
    assert cli("--as", "grace", "publish", "orders.yaml", cwd=folder).code == 0
    assert cli("--as", "alice", "record", "create", "Orders", "--set", "customer=Acme", cwd=folder).code == 0
    return folder


def timed(*args: str, cwd: Path) -> tuple[float, Any]:
    t0 = time.monotonic()
    result = cli(*args, cwd=cwd)
    return time.monotonic() - t0, result


def last_outcome(ws: Path) -> dict[str, Any]:
    history = cli("--json", "history", "1", cwd=ws).json()
    return history[-1]["actions"][0]  # type: ignore[index, no-any-return]


# ----- servers that misbehave -----------------------------------------------------------------------

def dripping_headers(server: RawServer, conn: socket.socket) -> None:
    """Answers a byte every 0.2 s, and never finishes its headers."""
    read_request(conn)
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
        conn.sendall(bytes([byte]))
        if not server.pause(0.2):
            return


def dripping_body(server: RawServer, conn: socket.socket) -> None:
    """Answers 200 at once, then drips a long body."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n")
    for _ in range(10_000):
        conn.sendall(b"x")
        if not server.pause(0.2):
            return


def silent(server: RawServer, conn: socket.socket) -> None:
    """Accepts the connection, reads what comes, and never says a word."""
    conn.settimeout(0.2)
    while server.pause(0):
        try:
            if conn.recv(65536) == b"":
                return
        except TimeoutError:
            continue


def endless_greeting(delay: float) -> Callable[[RawServer, socket.socket], None]:
    """An SMTP server whose greeting never ends: `220-` lines, one every `delay` seconds."""
    def serve(server: RawServer, conn: socket.socket) -> None:
        while server.pause(delay):
            conn.sendall(b"220-still greeting you\r\n")
    return serve


# ----- one attempt: within its timeout ----------------------------------------------------------------

def test_a_webhook_that_drips_its_headers_is_cut_off_at_the_timeout() -> None:
    with raw_server(dripping_headers) as server:
        t0 = time.monotonic()
        out = send({"url": server.url + "/x", "method": "POST", "body": "{}"},
                   WebhookSettings(timeout=1, retry=Retry(1, 0)), sleep=lambda s: None)
        elapsed = time.monotonic() - t0
    assert elapsed < 1 + SLACK, elapsed  # a socket timeout alone would wait 2,000 s
    assert (out.status, out.error) == ("failed", "no answer within 1s"), out


def test_a_body_dripped_after_the_status_does_not_undo_the_answer() -> None:
    with raw_server(dripping_body) as server:
        t0 = time.monotonic()
        out = send({"url": server.url + "/x", "method": "POST", "body": "{}"},
                   WebhookSettings(timeout=1, retry=Retry(1, 0)), sleep=lambda s: None)
        elapsed = time.monotonic() - t0
    assert elapsed < 1 + SLACK, elapsed
    assert (out.status, out.http_status) == ("done", 200), out


def test_an_smtp_server_that_never_greets_did_not_answer_it_did_not_hang_up() -> None:
    with raw_server(silent) as server:
        t0 = time.monotonic()
        sent, attempts, error, _ = smtp_delivery.send(
            _message(), ["bob@example.com"], SmtpSettings(server.host, server.port, starttls=False, timeout=1,
                                                          retry=Retry(1, 0)), sleep=lambda s: None)
        elapsed = time.monotonic() - t0
    assert elapsed < 1 + SLACK, elapsed
    assert (sent, attempts, error) == (False, 1, f"{server.host}:{server.port}: no answer within 1s")


def test_an_endless_220_greeting_is_cut_off_by_lines_and_by_time() -> None:
    with raw_server(endless_greeting(0)) as fast, raw_server(endless_greeting(0.05)) as slow:
        for server, wanted in ((fast, "the server sent a reply of more than 100 lines"),
                               (slow, "no answer within 1s")):
            t0 = time.monotonic()
            sent, _, error, _ = smtp_delivery.send(
                _message(), ["bob@example.com"], SmtpSettings(server.host, server.port, starttls=False, timeout=1,
                                                              retry=Retry(1, 0)), sleep=lambda s: None)
            elapsed = time.monotonic() - t0
            assert elapsed < 1 + SLACK, (wanted, elapsed)
            assert not sent and error == f"{server.host}:{server.port}: {wanted}"


def test_retry_after_as_seconds_or_an_http_date() -> None:
    now = datetime(2026, 5, 4, 9, 30, tzinfo=timezone.utc)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds(format_datetime(now + timedelta(minutes=5), usegmt=True), now) == 300
    assert retry_after_seconds("Mon, 04 May 2026 09:00:00 GMT", now) == 0  # in the past: now
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None


def test_a_retry_after_python_cannot_add_to_a_time_is_bounded_or_ignored() -> None:
    """A server's `Retry-After` of 20 digits overflowed the time it was added
    to, and `²` (a digit to str.isdigit, not to float) raised ValueError."""
    now = datetime(2026, 5, 4, 9, 30, tzinfo=timezone.utc)
    hundred_years = 36525 * 86400
    assert retry_after_seconds("9" * 20, now) == hundred_years
    assert retry_after_seconds("Fri, 31 Dec 9999 23:59:59 GMT", now) == hundred_years
    assert retry_after_seconds("\u00b2", now) is None and retry_after_seconds("\u0661\u0662", now) is None


def test_a_retry_after_of_twenty_digits_fails_the_webhook_not_the_move(tmp_path: Path) -> None:
    def unavailable(server: RawServer, conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 99999999999999999999\r\n"
                     b"Content-Length: 0\r\n\r\n")

    with raw_server(unavailable) as server:
        ws = workspace(tmp_path, server.url)
        moved = cli("--as", "alice", "move", "1", "Place", cwd=ws)
    assert moved.code == 0 and "Traceback" not in moved.err, moved
    outcome = last_outcome(ws)
    assert (outcome["status"], outcome["http_status"]) == ("failed", 503)
    again = datetime.fromisoformat(outcome["error"].split("the server asks to be tried again after ")[1])
    assert again.year == datetime.now(timezone.utc).year + 100


# ----- a move: within its delivery budget, the rest queued for retry -------------------------------------

def test_a_move_against_a_dripping_webhook_ends_at_the_timeout_and_is_queued(tmp_path: Path) -> None:
    with raw_server(dripping_headers) as server:
        ws = workspace(tmp_path, server.url, "webhooks: {timeout: 1, attempts: 1}\ndelivery_wait: 30\n")
        elapsed, moved = timed("--as", "alice", "move", "1", "Place", cwd=ws)
    assert moved.code == 0 and elapsed < 1 + SLACK, (elapsed, moved)
    outcome = last_outcome(ws)
    assert (outcome["status"], outcome["error"]) == ("failed", "no answer within 1s")
    assert cli("--json", "record", "show", "1", cwd=ws).json()["undelivered"] == 1  # type: ignore[index]


def test_a_hanging_webhook_costs_a_move_about_a_second_and_waits_for_retry(tmp_path: Path) -> None:
    answering = False

    def hangs_then_answers(server: RawServer, conn: socket.socket) -> None:
        if not answering:
            return silent(server, conn)
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    with raw_server(hangs_then_answers) as server:
        ws = workspace(tmp_path, server.url)  # the defaults: 10 s a try, 3 tries, 1 s for a move
        elapsed, moved = timed("--as", "alice", "move", "1", "Place", cwd=ws)
        assert moved.code == 0 and elapsed < 1 + SLACK, (elapsed, moved)
        assert "no answer within the 1s a move waits for delivery: left for `blueprint retry`" in moved.out
        outcome = last_outcome(ws)
        assert (outcome["status"], outcome["attempts"]) == ("pending", 1)
        record = cli("--json", "record", "show", "1", cwd=ws).json()
        assert record["state"] == "Placed" and record["undelivered"] == 1  # type: ignore[index]
        answering = True
        again = cli("retry", cwd=ws)
    assert again.code == 0 and "✓ Orders 1 (Place): webhook POST" in again.out, again
    assert (last_outcome(ws)["status"], last_outcome(ws)["attempts"]) == ("done", 2)


def test_a_refusing_webhook_is_not_waited_for_in_a_move(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    ws = workspace(tmp_path, url)  # 3 tries, 1 s backoff: the second try would not fit in the move's second
    elapsed, moved = timed("--as", "alice", "move", "1", "Place", cwd=ws)
    assert moved.code == 0 and elapsed < SLACK, (elapsed, moved)
    outcome = last_outcome(ws)
    assert (outcome["status"], outcome["attempts"], outcome["error"]) == ("failed", 1, "connection refused")
    assert outcome["detail"].endswith("connection refused: left for `blueprint retry` "
                                      "(attempt 1 of 3 made in the 1s a move waits for delivery)")


@pytest.mark.parametrize("header", ["30", "DATE"])
def test_a_long_retry_after_is_not_slept_in_a_move(tmp_path: Path, header: str) -> None:
    later = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=90)
    value = format_datetime(later, usegmt=True) if header == "DATE" else header

    def unavailable(server: RawServer, conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(f"HTTP/1.1 503 Service Unavailable\r\nRetry-After: {value}\r\nContent-Length: 0\r\n\r\n"
                     .encode())

    with raw_server(unavailable) as server:
        ws = workspace(tmp_path, server.url, "delivery_wait: 5\n")
        elapsed, moved = timed("--as", "alice", "move", "1", "Place", cwd=ws)
        assert server.connections == 1
    assert moved.code == 0 and elapsed < SLACK, (elapsed, moved)
    outcome = last_outcome(ws)
    assert (outcome["status"], outcome["http_status"], outcome["attempts"]) == ("failed", 503, 1)
    again = datetime.fromisoformat(outcome["error"].split("the server asks to be tried again after ")[1])
    expected = later if header == "DATE" else datetime.now(timezone.utc) + timedelta(seconds=30)
    assert abs((again - expected).total_seconds()) <= 3, (again, expected)
    assert outcome["detail"].endswith(": left for `blueprint retry`")
    assert cli("--json", "record", "show", "1", cwd=ws).json()["undelivered"] == 1  # type: ignore[index]


def test_a_silent_mail_server_costs_a_move_about_a_second(tmp_path: Path) -> None:
    with raw_server(silent) as mail, socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        ws = workspace(tmp_path, f"http://127.0.0.1:{s.getsockname()[1]}",
                       f"smtp: {{host: 127.0.0.1, port: {mail.port}, starttls: false}}\n")
        cli("--as", "alice", "move", "1", "Place", cwd=ws)
        elapsed, moved = timed("--as", "alice", "move", "1", "Mail", cwd=ws)
    assert moved.code == 0 and elapsed < 1 + SLACK, (elapsed, moved)
    outcome = last_outcome(ws)
    assert outcome["status"] == "pending"
    assert outcome["error"] == f"127.0.0.1:{mail.port}: no answer within the 1s a move waits for delivery"


def _message() -> Any:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "blueprint@example.com", "bob@example.com", "Hello"
    msg.set_content("body")
    return msg

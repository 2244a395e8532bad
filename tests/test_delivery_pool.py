"""Deliveries off the move's path: a bulk delivers its records' webhooks at once
on a bounded pool, an endpoint that did not answer is not tried again in the
same command, and webhooks go through the proxy the environment names. Real
HTTP servers (and a real forwarding proxy) on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from blueprint_cli.workspace import changes
from blueprint_cli.workspace.publishing import publish
from blueprint_cli import workspace
from blueprint_cli.actions.delivery import Retry, WebhookSettings
from blueprint_cli.actions.delivery.pool import WORKERS, run_all
from blueprint_cli.actions.delivery.webhook import _bypassed, send
from delivery_servers import HookServer, ProxyServer, RawServer, http_server, proxy_server, raw_server
from workspace_helpers import NOW, cli

BLUEPRINT = """\
blueprint: orders
module: Orders
field: stage
fields:
  customer: {type: text}
states:
  - name: New
  - name: Placed
    final: true
transitions:
  - name: Place
    from: New
    to: Placed
    then:
      - webhook: {url: "URL/orders/{{record.id}}"}
"""
RECORDS = 120


@pytest.fixture()
def hook() -> Iterator[HookServer]:
    with http_server() as server:
        yield server


@pytest.fixture()
def proxy() -> Iterator[ProxyServer]:
    with proxy_server() as server:
        yield server


def orders(folder: Path, url: str, records: int = RECORDS) -> Path:
    ws = workspace.init(folder, sample=False).workspace
    (folder / "orders.yaml").write_text(BLUEPRINT.replace("URL", url), encoding="utf-8")
    publish(ws, folder / "orders.yaml", user="grace", at=NOW)
    for i in range(records):
        changes.create(ws, "Orders", {"customer": f"C{i}"}, user="alice", at=NOW)
    return folder


def bulk(folder: Path) -> tuple[float, Any]:
    t0 = time.monotonic()
    result = cli("--as", "alice", "--json", "bulk", "Place", "--where", "customer starts_with C", cwd=folder)
    return time.monotonic() - t0, result


def outcomes(folder: Path) -> list[dict[str, Any]]:
    return [cli("--json", "history", str(i), cwd=folder).json()[-1]["actions"][0]  # type: ignore[index]
            for i in range(1, RECORDS + 1)]


def silent(server: RawServer, conn: socket.socket) -> None:
    conn.settimeout(0.2)
    while server.pause(0):
        try:
            if conn.recv(65536) == b"":
                return
        except TimeoutError:
            continue


# ----- bulk -----------------------------------------------------------------------------------------

def test_a_bulk_delivers_every_record_once(tmp_path: Path, hook: HookServer) -> None:
    ws = orders(tmp_path, hook.url)
    _, result = bulk(ws)
    assert result.code == 0, result
    assert len(result.json()["done"]) == RECORDS
    assert sorted(r.path for r in hook.received) == sorted(f"/orders/{i}" for i in range(1, RECORDS + 1))
    assert len({r.headers["X-Blueprint-Delivery"] for r in hook.received}) == RECORDS
    assert {(o["status"], o["attempts"]) for o in outcomes(ws)} == {("done", 1)}


def test_a_hanging_receiver_costs_a_bulk_about_one_wait_not_one_per_record(tmp_path: Path) -> None:
    with raw_server(silent) as server:
        ws = orders(tmp_path, server.url)
        elapsed, result = bulk(ws)
        connections = server.connections
    assert result.code == 0, result
    # each record would wait its second: 120 s one by one, 8 s on 16 threads; the circuit makes it one wait
    assert elapsed < 1 + 3, elapsed
    assert connections <= WORKERS, connections  # the first ones; the others were not tried
    done = result.json()["done"]
    assert len(done) == RECORDS and all(d["to"] == "Placed" for d in done)
    assert all("left for `blueprint retry`" in d["failed_actions"][0] for d in done)
    seen = outcomes(ws)
    assert {o["status"] for o in seen} == {"pending"}
    assert sum(o["error"] == "no answer within the 1s a move waits for delivery" for o in seen) == connections
    assert sum(o["error"] == f"not tried: http://127.0.0.1:{server.port} did not answer earlier in this command"
               for o in seen) == RECORDS - connections
    listed = cli("--json", "record", "list", cwd=ws).json()
    assert {r["undelivered"] for r in listed} == {1}  # type: ignore[union-attr, index]
    again = cli("--as", "alice", "--json", "bulk", "Place", "--where", "customer starts_with C", cwd=ws)
    assert again.code == 0 and again.json()["matched"] == 0  # the moves were committed  # type: ignore[index]


def test_a_refusing_receiver_fails_fast_and_is_queued(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    ws = orders(tmp_path, url)
    elapsed, result = bulk(ws)
    assert result.code == 0 and elapsed < 1 + 3, (elapsed, result)
    assert {(o["status"], o["error"], o["attempts"]) for o in outcomes(ws)} == {("failed", "connection refused", 1)}


# ----- the pool -------------------------------------------------------------------------------------

def test_the_pool_returns_results_in_order_and_raises_a_jobs_error() -> None:
    assert run_all([lambda i=i: i * i for i in range(40)], patience=5) == [i * i for i in range(40)]

    def broken() -> int:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        run_all([lambda: 1, broken], patience=5)


def test_the_pool_gives_up_on_a_job_stuck_past_every_deadline() -> None:
    release = threading.Event()
    t0 = time.monotonic()
    results = run_all([lambda: release.wait(30), lambda: 2], patience=0.5, workers=1)
    assert time.monotonic() - t0 < 2 and results == [None, None]  # the second never started
    release.set()


# ----- proxies --------------------------------------------------------------------------------------

def request(url: str) -> dict[str, object]:
    return {"url": url, "method": "POST", "headers": {"X-Team": "sales"}, "body": '{"a": 1}', "delivery": "d-7"}


def test_a_webhook_goes_through_the_proxy_the_environment_names(hook: HookServer, proxy: ProxyServer) -> None:
    port = urlsplit(proxy.url).port
    env = {"HTTP_PROXY": f"http://robot:s%40id@127.0.0.1:{port}", "NO_PROXY": ""}
    out = send(request(hook.url + "/orders/7?x=1"), WebhookSettings(retry=Retry(1, 0)), sleep=lambda s: None,
               env=env)
    assert (out.status, out.http_status) == ("done", 200), out
    [(method, target, headers)] = proxy.requests
    assert (method, target) == ("POST", f"{hook.url}/orders/7?x=1")  # the whole URL, as a proxy is asked
    assert headers["Proxy-Authorization"] == "Basic cm9ib3Q6c0BpZA=="  # robot:s@id
    [arrived] = hook.received
    assert (arrived.path, arrived.body, arrived.headers["X-Blueprint-Delivery"]) == \
        ("/orders/7?x=1", b'{"a": 1}', "d-7")


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "*", "localhost,127.0.0.1", ".0.0.1"])
def test_no_proxy_sends_straight_to_the_host(hook: HookServer, proxy: ProxyServer, no_proxy: str) -> None:
    out = send(request(hook.url + "/x"), WebhookSettings(retry=Retry(1, 0)), sleep=lambda s: None,
               env={"http_proxy": proxy.url, "no_proxy": no_proxy})
    assert out.status == "done" and proxy.requests == [] and len(hook.received) == 1


def test_a_dead_proxy_is_named_in_the_outcome(hook: HookServer) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    out = send(request(hook.url + "/x"), WebhookSettings(retry=Retry(1, 0)), sleep=lambda s: None,
               env={"HTTP_PROXY": dead})
    assert out.status == "failed" and out.error == f"connection refused (the proxy 127.0.0.1:{urlsplit(dead).port})"
    assert hook.received == []


@pytest.mark.parametrize(("url", "no_proxy", "bypassed"), [
    ("http://api.example.com/x", "example.com", True),
    ("http://api.example.com/x", ".example.com", True),
    ("http://badexample.com/x", "example.com", False),
    ("http://example.com:8080/x", "example.com:8080", True),
    ("http://example.com/x", "example.com:8080", False),
    ("https://example.com/x", "example.com:443", True),
    ("http://[::1]:9000/x", "[::1]:9000", True),
    ("http://example.com/x", "", False),
    ("http://example.com/x", " , ", False),
])
def test_no_proxy_names(url: str, no_proxy: str, bypassed: bool) -> None:
    assert _bypassed(urlsplit(url), no_proxy) is bypassed


def test_a_move_honours_the_proxy_of_its_environment(tmp_path: Path, hook: HookServer, proxy: ProxyServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ws = orders(tmp_path, hook.url, records=1)
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "")
    assert cli("--as", "alice", "move", "1", "Place", cwd=ws).code == 0
    assert [r[1] for r in proxy.requests] == [f"{hook.url}/orders/1"] and len(hook.received) == 1


def test_delivery_wait_0_leaves_every_webhook_to_retry(tmp_path: Path, hook: HookServer) -> None:
    ws = orders(tmp_path, hook.url, records=1)
    with open(ws / ".blueprint" / "config.yaml", "a", encoding="utf-8") as f:
        f.write("delivery_wait: 0\n")
    moved = cli("--as", "alice", "move", "1", "Place", cwd=ws)
    assert moved.code == 0 and hook.received == [], moved
    outcome = cli("--json", "history", "1", cwd=ws).json()[-1]["actions"][0]  # type: ignore[index]
    assert (outcome["status"], outcome["attempts"]) == ("pending", 0)
    assert outcome["error"] == "not tried within the 0s a move waits for delivery"
    again = cli("retry", cwd=ws)
    assert again.code == 0 and [r.path for r in hook.received] == ["/orders/1"], again

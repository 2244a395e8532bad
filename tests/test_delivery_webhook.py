"""Webhooks for real: an HTTP server on 127.0.0.1 receives them; the tests check
what arrived (method, headers, HMAC signature, body), retries with backoff on
5xx and connection errors (the sleeper is injected: nothing sleeps), the
outcome in the history, and `blueprint retry`."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from blueprint_cli.actions.delivery import Retry, WebhookSettings
from blueprint_cli.actions.delivery.webhook import send
from delivery_servers import HookServer, free_port, http_server
from workspace_helpers import cli

SECRET = "s3cr3t-for-tests"


@pytest.fixture()
def hook() -> Iterator[HookServer]:
    with http_server() as server:
        yield server


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def request(url: str, body: str | None = '{"a": 1}', **extra: object) -> dict[str, object]:
    return {"url": url, "method": "POST", "headers": {"Content-Type": "application/json", "X-Team": "sales"},
            "body": body, "delivery": "d-42", "secret_env": None, **extra}


def test_a_signed_post_arrives_with_its_headers_and_body(hook: HookServer) -> None:
    sleeps = Sleeps()
    out = send(request(hook.url + "/deals?x=1", secret_env="HOOK_SECRET"), WebhookSettings(), sleep=sleeps,
               env={"HOOK_SECRET": SECRET}, at="2026-05-04T09:30:00+02:00")
    assert (out.status, out.attempts, out.http_status, out.error) == ("done", 1, 200, None)
    assert out.detail == f"POST {hook.url}/deals?x=1 → 200 OK" and out.at == "2026-05-04T09:30:00+02:00"
    (got,) = hook.received
    assert (got.method, got.path, got.body) == ("POST", "/deals?x=1", b'{"a": 1}')
    assert got.headers["Content-Type"] == "application/json" and got.headers["X-Team"] == "sales"
    assert got.headers["X-Blueprint-Delivery"] == "d-42" and got.headers["User-Agent"].startswith("blueprint/")
    expected = "sha256=" + hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-Blueprint-Signature"] == expected and sleeps == []


def test_a_server_that_fails_twice_gets_three_identical_tries_with_backoff(hook: HookServer) -> None:
    hook.script = [503, 502]
    sleeps = Sleeps()
    out = send(request(hook.url, secret_env="HOOK_SECRET"), WebhookSettings(retry=Retry(3, 0.5)), sleep=sleeps,
               env={"HOOK_SECRET": SECRET})
    assert (out.status, out.attempts, out.http_status) == ("done", 3, 200)
    assert "(attempt 3 of 3)" in out.detail
    assert len(hook.received) == 3 and sleeps == [0.5, 1.0]  # doubling
    assert len({(r.body, r.headers["X-Blueprint-Signature"], r.headers["X-Blueprint-Delivery"])
                for r in hook.received}) == 1  # the same request each time


def test_retries_are_bounded(hook: HookServer) -> None:
    hook.script = [500, 500, 500, 500]
    sleeps = Sleeps()
    out = send(request(hook.url), WebhookSettings(retry=Retry(3, 1)), sleep=sleeps)
    assert (out.status, out.attempts, out.http_status) == ("failed", 3, 500)
    assert out.error == "HTTP 500 Internal Server Error: upstream trouble" and "after 3 attempts" in out.detail
    assert len(hook.received) == 3 and sleeps == [1, 2]


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_a_client_error_is_not_retried(hook: HookServer, status: int) -> None:
    hook.script = [status]
    sleeps = Sleeps()
    out = send(request(hook.url), WebhookSettings(), sleep=sleeps)
    assert (out.status, out.attempts, out.http_status) == ("failed", 1, status)
    assert len(hook.received) == 1 and sleeps == []


def test_a_timeout_is_retried(hook: HookServer) -> None:
    hook.delay, hook.delay_next = 1.0, 1
    sleeps = Sleeps()
    out = send(request(hook.url), WebhookSettings(timeout=0.2, retry=Retry(2, 0.1)), sleep=sleeps)
    assert (out.status, out.attempts) == ("done", 2) and sleeps == [0.1] and len(hook.received) == 2


def test_connection_refused_is_retried_then_reported() -> None:
    sleeps = Sleeps()
    out = send(request(f"http://127.0.0.1:{free_port()}/x"), WebhookSettings(), sleep=sleeps)
    assert (out.status, out.attempts, out.error, out.http_status) == ("failed", 3, "connection refused", None)
    assert sleeps == [1, 2]


def test_a_missing_secret_sends_nothing_unsigned(hook: HookServer) -> None:
    out = send(request(hook.url, secret_env="NOT_SET_ANYWHERE"), WebhookSettings(), sleep=Sleeps(), env={})
    assert (out.status, out.attempts) == ("failed", 0) and "NOT_SET_ANYWHERE is not set" in (out.error or "")
    assert hook.received == []


def test_get_sends_no_body(hook: HookServer) -> None:
    out = send({"url": hook.url + "/ping", "method": "GET", "headers": {}, "body": None}, WebhookSettings(),
               sleep=Sleeps())
    assert out.status == "done" and hook.received[0].method == "GET" and hook.received[0].body == b""


# ----- through the workspace: the outcome in the history, and `blueprint retry` ---------------------

BLUEPRINT = """\
blueprint: orders
module: Orders
field: status
fields:
  customer: {{type: text}}
  total: {{type: currency}}
states:
  - name: New
  - name: Placed
  - name: Shipped
    final: true
transitions:
  - name: Place
    from: New
    to: Placed
    then:
      - webhook:
          url: "{url}/orders/{{{{record.id}}}}"
          headers: {{X-Customer: "{{{{record.customer}}}}"}}
          secret_env: ERP_SECRET
      - webhook:
          url: "{url}/audit"
          method: PUT
          body: {{order: "{{{{record.id}}}}", total: 12, by: "{{{{user}}}}"}}
      - set: {{total: 99}}
  - name: Ship
    from: Placed
    to: Shipped
    then:
      - webhook: {{url: "{url}/text", body: "shipped {{{{record.customer}}}}"}}
"""


@pytest.fixture()
def orders(tmp_path: Path, hook: HookServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ERP_SECRET", SECRET)
    assert cli("init", "--no-sample", str(tmp_path)).code == 0
    with open(tmp_path / ".blueprint" / "config.yaml", "a", encoding="utf-8") as f:
        f.write("webhooks: {timeout: 2, attempts: 3, backoff: 0}\n")
    (tmp_path / "orders.yaml").write_text(BLUEPRINT.format(url=hook.url), encoding="utf-8")
    assert cli("--as", "grace", "publish", "orders.yaml", cwd=tmp_path).code == 0
    assert cli("--as", "alice", "record", "create", "Orders", "--set", "customer=Acme", cwd=tmp_path).code == 0
    return tmp_path


def test_a_move_sends_its_webhooks_and_records_how_it_went(orders: Path, hook: HookServer) -> None:
    r = cli("--as", "alice", "--json", "move", "1", "Place", cwd=orders)
    assert r.code == 0, r
    first, second = hook.received
    assert (first.method, first.path, first.headers["X-Customer"]) == ("POST", "/orders/1", "Acme")
    event = first.json()
    assert (event["event"], event["transition"], event["user"], event["record"]["id"]) == \
        ("transition", "Place", "alice", "1")
    assert event["record"]["state"] == "Placed"
    assert first.headers["X-Blueprint-Signature"] == \
        "sha256=" + hmac.new(SECRET.encode(), first.body, hashlib.sha256).hexdigest()
    assert (second.method, second.json()) == ("PUT", {"order": "1", "total": 12, "by": "alice"})
    assert "X-Blueprint-Signature" not in second.headers  # no secret_env: unsigned
    history = cli("--json", "history", "1", cwd=orders).json()
    actions = history[-1]["actions"]  # type: ignore[index]
    assert [(a["action"], a["status"], a.get("attempts"), a.get("http_status")) for a in actions] == \
        [("webhook", "done", 1, 200), ("webhook", "done", 1, 200), ("set", "done", None, None)]
    assert actions[0]["request"]["url"] == f"{hook.url}/orders/1"


def test_a_failing_webhook_never_undoes_the_move_and_retry_sends_it_once(orders: Path, hook: HookServer) -> None:
    hook.script = [500, 500, 500]  # the first webhook fails three times; the second one goes through
    r = cli("--as", "alice", "move", "1", "Place", cwd=orders)
    assert r.code == 0 and "✗ webhook" in r.out and "after 3 attempts" in r.out
    record = cli("--json", "record", "show", "1", cwd=orders).json()
    assert record["state"] == "Placed" and record["fields"]["total"] == 99  # type: ignore[index]
    assert record["undelivered"] == 1  # type: ignore[index]
    shown = cli("record", "show", "1", cwd=orders).out
    assert "Not delivered (1)" in shown and "HTTP 500" in shown and "blueprint retry 1" in shown
    failed = cli("--json", "history", "1", cwd=orders).json()[-1]["actions"][0]  # type: ignore[index]
    assert (failed["status"], failed["attempts"], failed["http_status"]) == ("failed", 3, 500)
    assert len(hook.received) == 4

    listed = cli("retry", "--dry-run", cwd=orders)
    assert listed.code == 0 and "would send again: Orders 1 (Place): webhook POST" in listed.out
    assert len(hook.received) == 4  # a dry run sends nothing

    again = cli("retry", cwd=orders)
    assert again.code == 0 and "✓ Orders 1 (Place): webhook POST" in again.out
    assert len(hook.received) == 5 and hook.received[-1].path == "/orders/1"
    assert hook.received[-1].body == hook.received[0].body  # exactly what the move produced, signed alike
    assert hook.received[-1].headers["X-Blueprint-Signature"] == hook.received[0].headers["X-Blueprint-Signature"]
    done = cli("--json", "history", "1", cwd=orders).json()[-1]["actions"][0]  # type: ignore[index]
    assert (done["status"], done["attempts"]) == ("done", 4) and "retried at" in done["detail"]
    assert "undelivered" not in cli("--json", "record", "show", "1", cwd=orders).json()  # type: ignore[operator]
    assert "Not delivered" not in cli("record", "show", "1", cwd=orders).out

    # idempotent: what was delivered is never sent again
    nothing = cli("retry", cwd=orders)
    assert nothing.code == 0 and "nothing to retry" in nothing.out and len(hook.received) == 5
    assert cli("retry", "1", cwd=orders).code == 0 and len(hook.received) == 5


def test_retry_exits_1_while_still_failing_and_names_unknown_records(orders: Path, hook: HookServer) -> None:
    hook.script = [500] * 9  # both webhooks of the move fail (3 tries each), then the first fails again
    cli("--as", "alice", "move", "1", "Place", cwd=orders)
    assert cli("--json", "record", "show", "1", cwd=orders).json()["undelivered"] == 2  # type: ignore[index]
    r = cli("--json", "retry", cwd=orders)
    assert r.code == 1
    data = r.json()
    assert (data["sent"], data["failed"]) == (1, 1)  # type: ignore[index]
    assert [(x["status"], x["attempts"]) for x in data["retried"]] == [("failed", 6), ("done", 4)]  # type: ignore[index]
    assert cli("--json", "record", "show", "1", cwd=orders).json()["undelivered"] == 1  # type: ignore[index]
    r = cli("retry", "77", cwd=orders)
    assert r.code == 2 and "no record 77" in r.err


def test_a_text_body_and_templates(orders: Path, hook: HookServer) -> None:
    cli("--as", "alice", "move", "1", "Place", cwd=orders)
    assert cli("--as", "alice", "move", "1", "Ship", cwd=orders).code == 0
    got = hook.received[-1]
    assert got.body == b"shipped Acme" and got.headers["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(("setting", "message"), [
    ("webhooks: {attempts: 0}", "webhooks.attempts: 0 is less than the minimum of 1"),
    ("webhooks: {timeout: soon}", "webhooks.timeout must be a number"),
    ("webhooks: {retries: 3}", "unknown key 'retries' in webhooks"),
    ("delivery_wait: -1", "delivery_wait: -1 is less than the minimum of 0"),
    ("delivery_wait: soon", "delivery_wait must be a number"),
])
def test_bad_webhook_settings_are_usage_errors(orders: Path, setting: str, message: str) -> None:
    with open(orders / ".blueprint" / "config.yaml", "a", encoding="utf-8") as f:
        f.write(setting.replace("webhooks", "\nwebhooks", 1) + "\n")
    text = (orders / ".blueprint" / "config.yaml").read_text().replace(
        "webhooks: {timeout: 2, attempts: 3, backoff: 0}\n", "")
    (orders / ".blueprint" / "config.yaml").write_text(text)
    r = cli("--as", "alice", "move", "1", "Place", cwd=orders)
    assert r.code == 2 and message in r.err and "config.yaml" in r.err
    # a usage error: refused before anything was written or sent
    record = cli("--json", "record", "show", "1", cwd=orders).json()
    assert record["state"] == "New" and "total" not in record["fields"]  # type: ignore[index]
    assert len(cli("--json", "history", "1", cwd=orders).json()) == 1  # type: ignore[arg-type]


def test_outcome_json_shape_is_stable() -> None:
    from blueprint_cli.engine.records import ActionOutcome

    plain = ActionOutcome("set", "done", "x: 1 → 2")
    assert plain.to_dict() == {"action": "set", "status": "done", "detail": "x: 1 → 2"}
    full = ActionOutcome("webhook", "failed", "d", {"url": "u"}, 3, "HTTP 500", 500, "2026-05-04T09:30:00+02:00")
    assert ActionOutcome.from_dict(json.loads(json.dumps(full.to_dict()))) == full

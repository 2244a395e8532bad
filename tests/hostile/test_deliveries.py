"""Hostile input, class 5: record values in e-mail headers and webhook URLs
and headers. A value with CR/LF is sent on one line (no forged header, no crash
after the commit, retry works), a value in a URL path is percent-encoded (it
cannot change where the request goes), a value Latin-1 cannot hold is sent as
UTF-8; literals that cannot be sent are lint findings (BP310). Real HTTP and
SMTP servers on 127.0.0.1."""

from __future__ import annotations

import email
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from delivery_servers import HookServer, http_server
from workspace_helpers import cli

BLUEPRINT = """\
blueprint: orders
module: Orders
field: stage
fields:
  customer: {{type: text}}
states:
  - name: New
  - name: Placed
    final: true
transitions:
  - name: Place
    from: New
    to: Placed
    then:
      - webhook:
          url: "{url}/hook/{{{{record.customer}}}}?who={{{{record.customer}}}}"
          headers: {{X-Customer: "{{{{record.customer}}}}"}}
      - email: {{to: "ops@example.com", subject: "Placed: {{{{record.customer}}}}"}}
"""

EVIL = ["../../admin?token=1#", "Acme\r\nX-Injected: 1", "Acme\r\n\r\nGET /other HTTP/1.1", "Zoë 日本 €",
        "a\x00b\x1b[2Jc", "Acme\u2028Bcc: evil@example.com", "%2e%2e%2f", "a b/c"]


@pytest.fixture()
def hook() -> Iterator[HookServer]:
    with http_server() as server:
        yield server


@pytest.fixture()
def orders(tmp_path: Path, hook: HookServer) -> Path:
    assert cli("init", "--no-sample", str(tmp_path)).code == 0
    with open(tmp_path / ".blueprint" / "config.yaml", "a", encoding="utf-8") as f:
        f.write("webhooks: {timeout: 2, attempts: 1, backoff: 0}\n")
    (tmp_path / "orders.yaml").write_text(BLUEPRINT.format(url=hook.url), encoding="utf-8")
    assert cli("--as", "grace", "publish", "orders.yaml", cwd=tmp_path).code == 0
    return tmp_path


def place(orders: Path, customer: str) -> str:
    created = cli("--as", "alice", "--json", "record", "create", "Orders", "--set", f"customer={customer}", cwd=orders)
    assert created.code == 0, created
    rid = str(created.json()["id"])  # type: ignore[index]
    moved = cli("--as", "alice", "move", rid, "Place", cwd=orders)
    assert moved.code == 0 and "Traceback" not in moved.err, moved
    return rid


@pytest.mark.parametrize("customer", EVIL)
def test_a_hostile_value_reaches_the_receiver_as_data(orders: Path, hook: HookServer, customer: str) -> None:
    rid = place(orders, customer)
    [request] = hook.received
    path, _, query = request.path.partition("?")
    assert path.count("/") == 2 and path.startswith("/hook/"), request.path  # one segment, same endpoint
    assert unquote(path[len("/hook/"):]) == customer
    assert unquote(query) == f"who={customer}"
    assert set(request.headers) >= {"X-Customer"} and "X-Injected" not in request.headers
    assert "\n" not in request.headers["X-Customer"] and "\r" not in request.headers["X-Customer"]
    [mail] = list((orders / ".blueprint" / "outbox").glob("*.eml"))
    message = email.message_from_bytes(mail.read_bytes())
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert "\n" not in str(message["Subject"])
    history = cli("--json", "history", rid, cwd=orders).json()
    assert [a["status"] for a in history[-1]["actions"]] == ["done", "done"]  # type: ignore[index]
    mail.unlink()
    hook.received.clear()


def test_a_webhook_that_failed_on_a_hostile_value_is_retried_without_a_crash(orders: Path, hook: HookServer) -> None:
    hook.script = [500]
    rid = place(orders, "Acme\r\nX-Injected: 1")
    again = cli("retry", rid, cwd=orders)
    assert again.code == 0 and "Traceback" not in again.err, again
    assert len(hook.received) == 2 and "X-Injected" not in hook.received[1].headers


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=20)
       .filter(lambda s: s.strip() != ""))
def test_any_value_is_delivered_or_recorded_as_failed(orders: Path, hook: HookServer, customer: str) -> None:
    created = cli("--as", "alice", "--json", "record", "create", "Orders", "--set", f"customer={customer}", cwd=orders)
    if created.code != 0:
        return  # a value the field refuses is refused before anything is sent
    rid = str(created.json()["id"])  # type: ignore[index]
    moved = cli("--as", "alice", "move", rid, "Place", cwd=orders)
    assert moved.code == 0 and "Traceback" not in moved.err, (customer, moved)
    for request in hook.received:
        assert request.path.startswith("/hook/") and request.path.count("/") == 2, (customer, request.path)
    hook.received.clear()


def test_literals_that_cannot_be_sent_are_lint_findings(tmp_path: Path) -> None:
    source = tmp_path / "b.yaml"
    source.write_text(BLUEPRINT.format(url="https://hooks.example.com").replace(
        'headers: {X-Customer: "{{record.customer}}"}', 'headers: {"X Customer": a, X-Two: "a\\r\\nb"}').replace(
        'subject: "Placed: {{record.customer}}"', 'subject: "Placed\\nagain"'), encoding="utf-8")
    result = cli("lint", str(source))
    assert result.code == 1, result
    assert [line.split(" BP310 ")[1].split(":")[1] for line in result.out.splitlines() if "BP310" in line] == \
        [" 'X Customer' is not a header name (an HTTP token", " header 'X-Two' holds a line break or control character",
         " the subject holds a line break or control character"], result.out


@pytest.mark.parametrize("outbox", ["/tmp/elsewhere", "../outside", "mail/../../outside", "~/mail"])
def test_an_outbox_outside_the_workspace_is_a_settings_finding(orders: Path, outbox: str) -> None:
    config = orders / ".blueprint" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert "\noutbox: outbox\n" in text
    config.write_text(text.replace("\noutbox: outbox\n", f"\noutbox: {outbox!r}\n"), encoding="utf-8")
    linted = cli("lint", str(config), cwd=orders)
    assert linted.code == 1 and "outbox" in linted.out and "inside .blueprint/" in linted.out, linted
    created = cli("--as", "alice", "--json", "record", "create", "Orders", "--set", "customer=Acme", cwd=orders)
    assert created.code == 0, created
    rid = str(created.json()["id"])  # type: ignore[index]
    moved = cli("--as", "alice", "move", rid, "Place", cwd=orders)
    assert moved.code == 2 and "outbox" in moved.err and "inside .blueprint/" in moved.err, moved  # as any broken setting
    assert "Traceback" not in moved.err
    assert cli("--json", "record", "show", rid, cwd=orders).json()["state"] == "New"  # type: ignore[index]
    assert not (orders / "outside").exists()


def test_an_outbox_that_links_out_of_the_workspace_is_not_written_through(orders: Path, tmp_path_factory:
                                                                          pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (orders / ".blueprint" / "outbox").symlink_to(elsewhere, target_is_directory=True)  # as a cloned repo may hold
    rid = place(orders, "Acme")
    assert list(elsewhere.iterdir()) == []
    history = cli("--json", "history", rid, cwd=orders).json()
    [webhook, mail] = history[-1]["actions"]  # type: ignore[index]
    assert (webhook["status"], mail["status"]) == ("done", "failed")
    assert "outside the workspace folder" in mail["detail"] and "plain folder inside .blueprint/" in mail["detail"]

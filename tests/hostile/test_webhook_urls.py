"""Hostile input, round two, 13 (c): a webhook URL with no host, or with a port
that is no port (99999, `x`, 0), linted clean and failed only when the first
record moved. It is a BP311 finding; an address lint accepts is one the
sender can read (host and port), and a template in the host is left for
when it is sent."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings, strategies as st

from blueprint_cli.check.rules.bp311_webhook_url import problem
from workspace_helpers import cli

BLUEPRINT = """\
blueprint: hooks
module: Deals
field: stage
fields:
  server: {{type: text}}
states:
  - name: Open
  - name: Won
    final: true
transitions:
  - name: Win
    from: Open
    to: Won
    then:
      - webhook: {{url: {url}}}
"""


def _lint(folder: Path, url: str) -> tuple[int, list[dict[str, object]]]:
    source = folder / "hooks.yaml"
    source.write_text(BLUEPRINT.format(url=json.dumps(url)), encoding="utf-8")
    result = cli("lint", "--format", "json", str(source))
    assert "Traceback" not in result.err, result
    return result.code, json.loads(result.out)["diagnostics"]


@pytest.mark.parametrize("url, says", [
    ("https:///orders", "names no host"),
    ("http://:8080/orders", "names no host"),
    ("https://user@/orders", "names no host"),
    ("https://erp.example.com:99999/orders", "port '99999'"),
    ("https://erp.example.com:65536", "port '65536'"),
    ("https://erp.example.com:http/orders", "port 'http'"),
    ("https://erp.example.com:0/orders", "port 0"),
    ("https://[::1/orders", "cannot be read"),
])
def test_an_address_that_cannot_be_called_is_a_finding(tmp_path: Path, url: str, says: str) -> None:
    code, found = _lint(tmp_path, url)
    assert code == 1 and [d["code"] for d in found] == ["BP311"], found
    assert says in str(found[0]["message"]) and found[0]["line"] == 15, found


@pytest.mark.parametrize("url", [
    "https://erp.example.com/orders/{{record.id}}",
    "https://erp.example.com:65535/orders",
    "http://erp.example.com:/orders?port=99999",
    "http://[::1]:8080/hook",
    "https://{{record.server}}/hook",
    "https://{{record.server}}:{{record.server}}/hook",
])
def test_an_address_that_can_be_called_is_clean(tmp_path: Path, url: str) -> None:
    code, found = _lint(tmp_path, url)
    assert code == 0 and not found, found


_AUTHORITY = st.text(alphabet="ab.:[]@0123456789x", max_size=14)


@settings(max_examples=300, deadline=None)
@given(_AUTHORITY, st.sampled_from(["", "/orders", "?x=1", "#f"]))
def test_an_address_lint_accepts_is_one_the_sender_reads(authority: str, rest: str) -> None:
    url = f"https://{authority}{rest}"
    if problem(url) is None:
        parts = urlsplit(url)  # what the sender does: neither may fail
        assert parts.hostname and parts.port != 0, url
        assert parts.port is None or 0 < parts.port < 65536

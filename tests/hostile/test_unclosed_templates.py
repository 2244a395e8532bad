"""Hostile input, round two, 13 (b): a template left open (`{{record.name`)
linted clean and went out as written, braces and all. It is a BP309 finding,
wherever an action holds text (subject, body, URL, header, set value); `}}`
alone and JSON braces in a body are not templates and stay clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from workspace_helpers import cli

BLUEPRINT = """\
blueprint: templates
module: Deals
field: stage
fields:
  name: {{type: text}}
  note: {{type: text}}
states:
  - name: Open
  - name: Won
    final: true
transitions:
  - name: Win
    from: Open
    to: Won
    then:
      - {action}
"""


def _lint(folder: Path, action: str) -> tuple[int, str]:
    source = folder / "templates.yaml"
    source.write_text(BLUEPRINT.format(action=action), encoding="utf-8")
    result = cli("lint", "--format", "json", str(source))
    assert "Traceback" not in result.err, result
    return result.code, result.out


@pytest.mark.parametrize("action", [
    'email: {to: record_owner, subject: "{{record.name is won"}',
    'email: {to: record_owner, subject: Won, body: "Hello {{user"}',
    'webhook: {url: "https://hooks.example.com/{{record.id"}',
    'webhook: {url: "https://hooks.example.com/", headers: {X-Deal: "{{record.id"}}',
    'webhook: {url: "https://hooks.example.com/", body: {deal: "{{ record.name "}}',
    'set: {note: "{{now"}',
    'set: {note: "{{record.{{record.name}}"}',
], ids=["subject", "body", "url", "header", "json-body", "set", "nested"])
def test_an_unclosed_template_is_a_finding(tmp_path: Path, action: str) -> None:
    code, out = _lint(tmp_path, action)
    found = [d for d in json.loads(out)["diagnostics"] if d["code"] == "BP309"]
    assert code == 1 and found, out
    assert "is not closed" in found[0]["message"]


@pytest.mark.parametrize("action", [
    'email: {to: record_owner, subject: "{{record.name}} is won}}"}',
    "webhook: {url: \"https://hooks.example.com/\", body: '{\"deal\": {\"id\": \"{{record.id}}\"}}'}",
    'set: {note: "{{{record.name}}}"}',
    'set: {note: "{ {record.name"}',
], ids=["closing-only", "json-text", "triple", "spaced"])
def test_braces_that_open_no_template_are_clean(tmp_path: Path, action: str) -> None:
    code, out = _lint(tmp_path, action)
    assert code == 0 and not json.loads(out)["diagnostics"], out


_TEMPLATES = st.sampled_from(["{{record.name}}", "{{ user }}", "{{now}}", "{{record.id}}"])
_TEXT = st.text(alphabet="ab {}", max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_TEMPLATES, _TEXT), max_size=6))
def test_a_finding_exactly_when_a_brace_pair_opens_no_template(parts: list[str]) -> None:
    import re
    import tempfile

    text = "".join(parts)
    left_open = "{{" in re.sub(r"\{\{\s*([^{}]*?)\s*\}\}", lambda m: " " * len(m[0]), text)
    with tempfile.TemporaryDirectory() as folder:
        code, out = _lint(Path(folder), "set: {note: " + json.dumps(text) + "}")
    found = [d for d in json.loads(out)["diagnostics"] if d["code"] == "BP309" and "is not closed" in d["message"]]
    assert bool(found) == left_open, (text, out)

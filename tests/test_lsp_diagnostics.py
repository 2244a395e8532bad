"""`blueprint lsp` findings, over stdio with a real client: the same codes at
the same line:col as `blueprint lint`, with the rule's page; the lint
configuration and suppressions respected; a workspace's team; scenario
files; and a session that survives what it is given."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp_helpers import REPO, SAMPLES, Editor, config, doc, start

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=config(), scope="module")
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    await start(lsp_client)
    yield
    await lsp_client.shutdown_session()


def lint_json(path: Path, cwd: Path | None = None) -> list[tuple[str, int, int]]:
    proc = subprocess.run([sys.executable, "-m", "blueprint_cli", "lint", "--no-cache", "--format", "json",
                           str(path)], capture_output=True, text=True, cwd=cwd or path.parent,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    found = json.loads(proc.stdout)
    items = found["diagnostics"] if isinstance(found, dict) else found
    return sorted((d["code"], d["line"], d["col"]) for d in items)


def shown(diags: list[lsp.Diagnostic]) -> list[tuple[str, int, int]]:
    return sorted((str(d.code), d.range.start.line + 1, d.range.start.character + 1) for d in diags)


BROKEN = (SAMPLES / "deal-follow-up.yaml").read_text("utf-8") \
    .replace("to: Legal Review\n    owners: [record_owner, \"role:sales_manager\"]",
             "to: Legal Reviw\n    owners: [record_owner, \"role:sales_manager\"]") \
    .replace("{field: discount, lte: 20}", "{field: discont, lte: 20}")


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.yaml")))
async def test_the_samples_are_clean(client: LanguageClient, name: str) -> None:
    assert await Editor(client).open(SAMPLES / name) == []


async def test_a_broken_blueprint_shows_what_lint_shows_then_clears(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(BROKEN, "utf-8")
    editor = Editor(client)
    diags = await editor.open(path)
    expected = lint_json(path)
    assert {c for c, _, _ in expected} >= {"BP301", "BP302"}
    assert shown(diags) == expected
    for d in diags:
        assert d.source == "blueprint"
        assert d.code_description is not None and d.code_description.href.endswith(f"/rules/{d.code}/")
    typo = next(d for d in diags if d.code == "BP301")
    assert "Legal Reviw" in typo.message and "Legal Review" in typo.message
    # the range covers the name written
    line = BROKEN.splitlines()[typo.range.start.line]
    assert line[typo.range.start.character:typo.range.end.character] == "Legal Reviw"
    # fixed in the buffer (not saved): cleared
    assert await editor.change(path, BROKEN.replace("Legal Reviw", "Legal Review")
                               .replace("discont", "discount")) == []
    editor.close(path)


async def test_configuration_and_suppressions_are_respected(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(BROKEN, "utf-8")
    (tmp_path / ".blueprint.toml").write_text('[lint]\nignore = ["BP302"]\n', "utf-8")
    editor = Editor(client)
    diags = await editor.open(path)
    assert "BP302" not in {d.code for d in diags} and "BP301" in {d.code for d in diags}
    assert shown(diags) == lint_json(path)
    suppressed = BROKEN.replace("to: Legal Reviw", "to: Legal Reviw  # blueprint: disable=BP301")
    diags = await editor.change(path, suppressed)
    assert "BP301" not in {d.code for d in diags}
    # a stale suppression is itself a finding, as in `blueprint lint`
    diags = await editor.change(path, suppressed.replace("Legal Reviw", "Legal Review"))
    assert [d.code for d in diags if d.code == "BP002"] == ["BP002"]
    editor.close(path)


def _workspace(root: Path) -> None:
    (root / ".blueprint").mkdir()
    (root / ".blueprint" / "workspace.json").write_text('{"format": 1}', "utf-8")
    (root / ".blueprint" / "team.yaml").write_text(
        "users:\n  ann: {roles: [sales_rep]}\n  bob: {roles: [sales_manager, legal], profile: admin}\n"
        "  grace: {roles: [director], profile: admin}\n", "utf-8")


async def test_owners_are_checked_against_the_workspace_team(client: LanguageClient, tmp_path: Path) -> None:
    text = (SAMPLES / "deal-follow-up.yaml").read_text("utf-8")
    outside = tmp_path / "outside" / "deal.yaml"
    outside.parent.mkdir()
    outside.write_text(text, "utf-8")
    inside = tmp_path / "ws" / "blueprints" / "deal.yaml"
    inside.parent.mkdir(parents=True)
    _workspace(tmp_path / "ws")
    inside.write_text(text, "utf-8")
    editor = Editor(client)
    assert await editor.open(outside) == []
    diags = await editor.open(inside)
    assert {d.code for d in diags} == {"BP305"}  # nobody has the role finance
    assert shown(diags) == lint_json(inside, cwd=tmp_path / "ws")
    editor.close(outside)
    editor.close(inside)


async def test_a_scenario_buffer_is_checked_as_typed(client: LanguageClient, tmp_path: Path) -> None:
    for name in ("deal-follow-up.yaml", "deal-follow-up.scenarios.yaml"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    path = tmp_path / "deal-follow-up.scenarios.yaml"
    editor = Editor(client)
    assert await editor.open(path) == []
    text = path.read_text("utf-8").replace("move: Send to legal", "move: Send to legl", 1)
    diags = await editor.change(path, text)
    assert [d.code for d in diags] == ["SC303"]
    assert text.splitlines()[diags[0].range.start.line].strip() == "move: Send to legl"
    editor.close(path)


async def test_broken_buffers_and_odd_files_never_end_the_session(client: LanguageClient, tmp_path: Path) -> None:
    editor = Editor(client)
    path = tmp_path / "deal.yaml"
    diags = await editor.open(path, "blueprint: x\nstates: [\n  - {name: A\n")
    assert [d.code for d in diags] == ["BP100"]
    diags = await editor.change(path, "\x00\x01 not yaml at all: [}")
    assert diags and diags[0].code == "BP100"
    # a buffer that is no file at all, and one outside any folder the editor opened
    untitled = "untitled:Untitled-1"
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(
        untitled, "yaml", 1, "states:\n  - name: A\n")))
    assert {d.code for d in await editor.diagnostics(untitled)} >= {"BP112"}
    hover = await client.text_document_hover_async(lsp.HoverParams(doc(path), lsp.Position(500, 3)))
    assert hover is None
    # and it still answers
    assert await editor.change(path, (SAMPLES / "support-ticket.yaml").read_text("utf-8")) == []


#: the server, with a fault put into two of its handlers: hover always fails,
#: and linting fails on any text holding the word BOOM
FAULTY = [sys.executable, "-c", "\n".join([
    "import blueprint_cli.lsp.features as f",
    "real = f.diagnostics",
    "def boom(*args, **kwargs):",
    "    raise RuntimeError('injected fault')",
    "def diagnostics(analysis):",
    "    if 'BOOM' in analysis.text:",
    "        raise RuntimeError('injected fault in linting')",
    "    return real(analysis)",
    "f.hover = boom",
    "f.diagnostics = diagnostics",
    "from blueprint_cli.lsp.server import serve",
    "serve()",
])]


@pytest_lsp.fixture(config=config(FAULTY), scope="module")
async def faulty(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    await start(lsp_client)
    yield
    await lsp_client.shutdown_session()


async def test_a_handler_that_fails_is_logged_and_the_session_goes_on(faulty: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    editor = Editor(faulty)
    await editor.open(path, BROKEN)
    hover = await faulty.text_document_hover_async(lsp.HoverParams(doc(path), lsp.Position(10, 3)))
    assert hover is None
    faulty.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(Editor.next_version(), path.as_uri()),
        [lsp.TextDocumentContentChangeWholeDocument(BROKEN + "# BOOM\n")]))

    def logged() -> list[str]:
        return [m.message for m in faulty.log_messages if m.type == lsp.MessageType.Error]

    for _ in range(3000):
        if any("injected fault in linting" in m for m in logged()):
            break
        await asyncio.sleep(0.01)
    # the next change is linted as usual
    assert await editor.change(path, (SAMPLES / "deal-follow-up.yaml").read_text("utf-8")) == []
    assert any("hover failed: RuntimeError: injected fault" in m for m in logged())
    assert any(m.startswith("blueprint lsp: linting file://") and m.endswith("injected fault in linting")
               for m in logged())
    assert not any("Traceback" in m for m in logged())

"""`blueprint lsp` code actions, over stdio with a real client: the fixes
`blueprint lint --fix` knows, and suppressing a finding on its line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp_helpers import REPO, SAMPLES, Editor, apply_edits, config, doc, start

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=config(), scope="module")
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    await start(lsp_client)
    yield
    await lsp_client.shutdown_session()


BROKEN = (SAMPLES / "deal-follow-up.yaml").read_text("utf-8") \
    .replace("to: Legal Review\n    owners: [record_owner, \"role:sales_manager\"]",
             "to: Legal Reviw\n    owners: [record_owner, \"role:sales_manager\"]") \
    .replace("{field: discount, lte: 20}", "{field: discont, lte: 20}") \
    .replace("fields: [reason]", "fields: [reasn]")


async def actions(client: LanguageClient, path: Path, text: str) -> list[lsp.CodeAction]:
    last = len(text.split("\n"))
    found = await client.text_document_code_action_async(lsp.CodeActionParams(
        doc(path), lsp.Range(lsp.Position(0, 0), lsp.Position(last, 0)), lsp.CodeActionContext(diagnostics=[])))
    assert found is not None
    return [a for a in found if isinstance(a, lsp.CodeAction)]


async def test_quick_fixes_are_the_fixes_of_lint_fix(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    editor = Editor(client)
    diags = await editor.open(path, BROKEN)
    assert {d.code for d in diags} == {"BP301", "BP302"}
    text = BROKEN
    titles = [a.title for a in await actions(client, path, text)]
    assert "Fix BP301: write 'Legal Review'" in titles and "Suppress BP301 on this line" in titles
    # apply the preferred fix, one at a time, as a user would, until none is left
    for _ in range(10):
        preferred = [a for a in await actions(client, path, text) if a.is_preferred]
        if not preferred:
            break
        assert preferred[0].edit is not None and preferred[0].edit.changes is not None
        text = apply_edits(text, preferred[0].edit.changes[path.as_uri()])
        await editor.change(path, text)
    # the same text `blueprint lint --fix` writes
    path.write_text(BROKEN, "utf-8")
    fixed = subprocess.run([sys.executable, "-m", "blueprint_cli", "lint", "--no-cache", "--fix", str(path)],
                           capture_output=True, text=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert "Fixed" in fixed.stderr
    assert text == path.read_text("utf-8")
    assert await editor.change(path, text) == []
    editor.close(path)


async def test_suppress_this_finding_on_its_line(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    editor = Editor(client)
    await editor.open(path, BROKEN)
    text = BROKEN
    diags = await editor.diagnostics(path.as_uri())
    for _ in range(len(diags)):
        suppress = [a for a in await actions(client, path, text) if a.title.startswith("Suppress ")]
        assert suppress[0].title == f"Suppress {diags[0].code} on this line"
        assert suppress[0].edit is not None and suppress[0].edit.changes is not None
        text = apply_edits(text, suppress[0].edit.changes[path.as_uri()])
        left = await editor.change(path, text)
        assert len(left) == len(diags) - 1 and "BP002" not in {d.code for d in left}
        diags = left
    assert "to: Legal Reviw  # blueprint: disable=BP301" in text
    assert await editor.change(path, text) == []
    editor.close(path)

"""`blueprint lsp` go to definition, references and rename, over stdio with a
real client, across a blueprint and the scenario file that tests it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_asyncio
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp_helpers import REPO, SAMPLES, Editor, apply_edits, at, config, doc, start

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=config(), scope="module")
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    await start(lsp_client)
    yield
    await lsp_client.shutdown_session()


@pytest_asyncio.fixture(loop_scope="module")
async def files(client: LanguageClient, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of deal-follow-up and its scenarios; the blueprint open in the editor."""
    for name in ("deal-follow-up.yaml", "deal-follow-up.scenarios.yaml"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    bp, sc = tmp_path / "deal-follow-up.yaml", tmp_path / "deal-follow-up.scenarios.yaml"
    assert await Editor(client).open(bp) == []
    yield bp, sc
    Editor(client).close(bp)


def lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "blueprint_cli", "lint", "--no-cache", *map(str, paths)],
                          capture_output=True, text=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
                          cwd=paths[0].parent)


def spans(text: str, locations: list[lsp.Location]) -> list[tuple[int, str]]:
    lines = text.split("\n")
    return sorted((loc.range.start.line, lines[loc.range.start.line][loc.range.start.character:
                                                                     loc.range.end.character]) for loc in locations)


async def test_definition_of_a_state_a_field_and_a_transition(client: LanguageClient,
                                                              files: tuple[Path, Path]) -> None:
    bp, sc = files
    text = bp.read_text("utf-8")
    for needle, offset, target in (("to: Legal Review", 5, "  - name: Legal Review"),
                                   ("{field: discount, lte: 20}", 9, "  discount:"),
                                   ("{field: state, ne: Legal Review}", 20, "  - name: Legal Review")):
        found = await client.text_document_definition_async(lsp.DefinitionParams(doc(bp), at(text, needle, offset)))
        assert isinstance(found, list) and len(found) == 1 and found[0].uri == bp.as_uri()
        line = text.split("\n")[found[0].range.start.line]
        assert line.startswith(target)
    # from the scenario file to the blueprint
    sc_text = sc.read_text("utf-8")
    await Editor(client).open(sc)
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(doc(sc), at(sc_text, "move: Send to legal", 8)))
    assert isinstance(found, list) and [f.uri for f in found] == [bp.as_uri()]
    assert text.split("\n")[found[0].range.start.line].strip() == "- name: Send to legal"
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(doc(sc), at(sc_text, "move: Legal approval", 8)))
    assert isinstance(found, list) and text.split("\n")[found[0].range.start.line].strip() == "- name: Legal approval"
    Editor(client).close(sc)


async def test_references_across_the_blueprint_and_its_scenarios(client: LanguageClient,
                                                                 files: tuple[Path, Path]) -> None:
    bp, sc = files
    text, sc_text = bp.read_text("utf-8"), sc.read_text("utf-8")
    found = await client.text_document_references_async(lsp.ReferenceParams(
        text_document=doc(bp), position=at(text, "- name: Legal Review", 9),
        context=lsp.ReferenceContext(include_declaration=True)))
    assert found is not None
    in_bp = [f for f in found if f.uri == bp.as_uri()]
    in_sc = [f for f in found if f.uri == sc.as_uri()]
    assert [name for _, name in spans(text, in_bp)] == ["Legal Review"] * 5  # declared, to, a branch, from, a criterion
    assert len(in_sc) == sc_text.count("state: Legal Review")
    assert {name for _, name in spans(sc_text, in_sc)} == {"Legal Review"}
    # a field: declared, used in criteria, requirements, set actions and templates
    found = await client.text_document_references_async(lsp.ReferenceParams(
        text_document=doc(bp), position=at(text, "  discount:", 3),
        context=lsp.ReferenceContext(include_declaration=False)))
    assert found is not None
    bp_lines = [text.split("\n")[line].strip() for line, _ in spans(text, [f for f in found if f.uri == bp.as_uri()])]
    assert "- {field: discount, empty: true}" in bp_lines and "require: {fields: [discount]}" in bp_lines
    assert any("{{record.discount}}" in line for line in bp_lines)
    assert not any(line.startswith("discount:") for line in bp_lines)  # not the declaration


async def test_rename_a_state_across_files(client: LanguageClient, files: tuple[Path, Path]) -> None:
    bp, sc = files
    text = bp.read_text("utf-8")
    pos = at(text, "to: Legal Review", 5)
    prepared = await client.text_document_prepare_rename_async(lsp.PrepareRenameParams(doc(bp), pos))
    assert isinstance(prepared, lsp.Range)
    assert text.split("\n")[prepared.start.line][prepared.start.character:prepared.end.character] == "Legal Review"
    edit = await client.text_document_rename_async(lsp.RenameParams(doc(bp), pos, "Contract: review"))
    assert edit is not None and edit.changes is not None
    assert set(edit.changes) == {bp.as_uri(), sc.as_uri()}
    for path in (bp, sc):
        path.write_text(apply_edits(path.read_text("utf-8"), edit.changes[path.as_uri()]), "utf-8")
    assert "Legal Review" not in bp.read_text("utf-8") and "Legal Review" not in sc.read_text("utf-8")
    assert '"Contract: review"' in bp.read_text("utf-8")  # quoted: `: ` would make it a mapping
    done = lint(bp, sc)
    assert done.returncode == 0, done.stdout + done.stderr


async def test_rename_a_field_across_files_and_templates(client: LanguageClient, files: tuple[Path, Path]) -> None:
    bp, sc = files
    text = bp.read_text("utf-8")
    edit = await client.text_document_rename_async(lsp.RenameParams(doc(bp), at(text, "{field: discount, eq: 0}", 9),
                                                                    "rebate"))
    assert edit is not None and edit.changes is not None
    for path in (bp, sc):
        path.write_text(apply_edits(path.read_text("utf-8"), edit.changes.get(path.as_uri(), [])), "utf-8")
    new = bp.read_text("utf-8")
    assert "discount:" not in new and "{{record.rebate}}%" in new and "  rebate:" in new
    assert "discount-reviewed" in new  # a tag that merely contains the word stays
    done = lint(bp, sc)
    assert done.returncode == 0, done.stdout + done.stderr


async def test_a_rename_that_would_clash_is_refused(client: LanguageClient, files: tuple[Path, Path]) -> None:
    bp, _ = files
    text = bp.read_text("utf-8")
    with pytest.raises(Exception, match="already a state named 'Negotiation'"):
        await client.text_document_rename_async(lsp.RenameParams(doc(bp), at(text, "to: Legal Review", 5),
                                                                 "Negotiation"))

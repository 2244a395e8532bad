"""A real language client for the tests: pytest-lsp drives `blueprint lsp`
over stdio in a process of its own, as an editor does."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_blueprints"
SERVER = [sys.executable, "-m", "blueprint_cli", "lsp"]


def config(command: Sequence[str] = SERVER) -> ClientServerConfig:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("BLUEPRINT_WORKSPACE", None)
    return ClientServerConfig(server_command=list(command), server_env=env)


async def start(client: LanguageClient, root: Path | None = None) -> lsp.InitializeResult:
    return await client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=root.as_uri() if root is not None else None,
        initialization_options={"debounce": 0},
    ))


class Editor:
    """Open, change and close files in the server, as an editor would, and
    wait for what it publishes."""

    #: versions only grow, whichever Editor sends the change
    version = 0

    def __init__(self, client: LanguageClient) -> None:
        self.client = client

    @classmethod
    def next_version(cls) -> int:
        cls.version += 1
        return cls.version

    async def open(self, path: Path, text: str | None = None) -> list[lsp.Diagnostic]:
        uri = path.as_uri()
        self.client.diagnostics.pop(uri, None)
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(
            uri, "yaml", self.next_version(), path.read_text("utf-8") if text is None else text)))
        return await self.diagnostics(uri)

    async def change(self, path: Path, text: str) -> list[lsp.Diagnostic]:
        uri = path.as_uri()
        self.client.diagnostics.pop(uri, None)
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(self.next_version(), uri),
            [lsp.TextDocumentContentChangeWholeDocument(text)]))
        return await self.diagnostics(uri)

    def close(self, path: Path) -> None:
        self.client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(path.as_uri())))

    async def diagnostics(self, uri: str, timeout: float = 30) -> list[lsp.Diagnostic]:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while uri not in self.client.diagnostics:
            if loop.time() > end:
                raise AssertionError(f"no diagnostics published for {uri}")
            await asyncio.sleep(0.005)
        return list(self.client.diagnostics[uri])


def at(text: str, needle: str, offset: int = 0, occurrence: int = 0) -> lsp.Position:
    """The position of the `occurrence`-th `needle` in `text`, `offset` characters into it."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    index += offset
    line = text.count("\n", 0, index)
    return lsp.Position(line, index - (text.rfind("\n", 0, index) + 1))


def doc(path: Path) -> lsp.TextDocumentIdentifier:
    return lsp.TextDocumentIdentifier(path.as_uri())


def apply_edits(text: str, edits: Sequence[lsp.TextEdit]) -> str:
    """`text` with the edits applied (ASCII positions), as an editor applies them."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(p: lsp.Position) -> int:
        return starts[p.line] + p.character if p.line < len(starts) else len(text)

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[:offset(e.range.start)] + e.new_text + text[offset(e.range.end):]
    return text

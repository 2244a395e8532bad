"""The language server: pygls over stdio.

Linting is debounced: a change schedules the file's lint a moment later
(`DEBOUNCE`), and while one lint runs, further changes only mark the file
dirty — when it ends, the newest text is linted once more. Findings are
published only for the version they were computed on.

Everything that parses YAML runs on one worker thread (the loader's parser is
shared, and not made for two threads); completion reads the text and the last
model and answers on the event loop, so it never waits for a lint. A handler
that fails logs one line (the client's log, and standard error) and answers
nothing; the session goes on.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.workspace import TextDocument

from blueprint_cli import __version__
from blueprint_cli.lsp import features
from blueprint_cli.lsp.analysis import Analyser, Analysis

log = logging.getLogger("blueprint.lsp")
T = TypeVar("T")

#: Seconds between a change and its lint (changes meanwhile are linted together).
DEBOUNCE = 0.005
#: Characters after which editors ask for completion by themselves.
TRIGGERS = [":", "[", ",", "-", "="]


class _Protocol(LanguageServerProtocol):
    """pygls (2.1) keeps the future of every notification its built-in handlers
    (didOpen, didChange, ...) run, never removing it: memory that grows with
    every keystroke. Each is removed here once done."""

    def _handle_notification(self, method_name: str, params: Any) -> None:
        futures = self._request_futures
        before = set(futures)
        super()._handle_notification(method_name, params)
        for key in set(futures) - before:
            futures[key].add_done_callback(partial(self._forget, key))

    def _forget(self, key: Any, _done: Any) -> None:
        self._request_futures.pop(key, None)


class BlueprintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("blueprint", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
                         protocol_cls=_Protocol)
        self.analyser = Analyser()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="blueprint-lint")
        #: the last analysis of each open file, and the last one that built a model
        self.latest: dict[str, Analysis] = {}
        self.good: dict[str, Analysis] = {}
        self.linting: dict[str, asyncio.Task[None]] = {}
        self.debounce = DEBOUNCE

    # ----- running things safely ------------------------------------------------------------

    def failed(self, what: str, exc: BaseException) -> None:
        message = f"blueprint lsp: {what} failed: {type(exc).__name__}: {exc}"
        log.error(message)
        log.debug("details", exc_info=exc)
        try:
            self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Error, message))
        except Exception:  # the client is gone: standard error has it
            pass

    async def on_worker(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.worker, fn, *args)

    # ----- analysis --------------------------------------------------------------------------

    def document(self, uri: str) -> TextDocument:
        return self.workspace.get_text_document(uri)

    def _analyse(self, uri: str, text: str, version: int | None, fixes: bool = False) -> Analysis:
        analysis = self.analyser.analyse(uri, text, version, fixes)
        self.latest[uri] = analysis
        if analysis.blueprint is not None:
            self.good[uri] = analysis
        return analysis

    async def fresh(self, uri: str, fixes: bool = False) -> Analysis:
        """The analysis of the document as it is now (made now if a change is
        not linted yet); with `fixes`, one whose findings carry their fixes."""
        doc = self.document(uri)
        known = self.latest.get(uri)
        if known is not None and known.version == doc.version and known.text == doc.source and \
                (known.fixes or not fixes):
            return known
        return await self.on_worker(self._analyse, uri, doc.source, doc.version, fixes)

    def schedule(self, uri: str) -> None:
        task = self.linting.get(uri)
        if task is not None and not task.done():
            return  # it lints the newest text before it ends
        self.linting[uri] = asyncio.ensure_future(self._lint(uri))

    async def _lint(self, uri: str) -> None:
        try:
            await asyncio.sleep(self.debounce)
            while uri in self.workspace.text_documents:
                doc = self.document(uri)
                version, text = doc.version, doc.source
                analysis = await self.on_worker(self._analyse, uri, text, version)
                if uri not in self.workspace.text_documents:
                    return
                now = self.document(uri)
                if now.version == version and now.source == text:
                    self.publish(uri, version, features.diagnostics(analysis))
                    return
        except Exception as exc:
            self.failed(f"linting {uri}", exc)

    def publish(self, uri: str, version: int | None, diagnostics: list[lsp.Diagnostic]) -> None:
        doc = self.document(uri)
        for d in diagnostics:
            d.range = self.to_client(doc, d.range)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, diagnostics, version))

    # ----- positions: the client's units <-> code points -----------------------------------------

    def from_client(self, doc: TextDocument, position: lsp.Position) -> lsp.Position:
        at = doc.position_codec.position_from_client_units(doc.lines, position)
        return lsp.Position(at.line, at.character)

    def to_client(self, doc: TextDocument, r: lsp.Range) -> lsp.Range:
        return doc.position_codec.range_to_client_units(doc.lines, r)

    def edit_to_client(self, edit: lsp.WorkspaceEdit) -> lsp.WorkspaceEdit:
        for uri, edits in (edit.changes or {}).items():
            doc = self.document(uri)
            for e in edits:
                e.range = self.to_client(doc, e.range)
        return edit


server = BlueprintServer()


def _safe(what: str, default: Any = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run a handler; on an error, log it and answer `default`."""
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        async def handler(ls: BlueprintServer, params: Any) -> Any:
            try:
                return await fn(ls, params)
            except JsonRpcException:
                raise  # an answer for the client (a rename refused), not a failure
            except Exception as exc:
                ls.failed(what, exc)
                return default
        handler.__name__ = fn.__name__
        return handler
    return wrap


@server.feature(lsp.INITIALIZE)
def initialize(ls: BlueprintServer, params: lsp.InitializeParams) -> None:
    """`initializationOptions: {debounce: MS}` sets the delay before linting a change."""
    options = params.initialization_options
    if isinstance(options, dict) and isinstance(options.get("debounce"), (int, float)):
        ls.debounce = max(0.0, float(options["debounce"]) / 1000)


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
@_safe("opening a file")
async def did_open(ls: BlueprintServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
@_safe("a change")
async def did_change(ls: BlueprintServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
@_safe("saving a file")
async def did_save(ls: BlueprintServer, params: lsp.DidSaveTextDocumentParams) -> None:
    # a saved blueprint changes what the scenario files testing it report
    for uri in list(ls.workspace.text_documents):
        ls.latest.pop(uri, None)
        ls.schedule(uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
@_safe("closing a file")
async def did_close(ls: BlueprintServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.latest.pop(uri, None)
    ls.good.pop(uri, None)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=TRIGGERS))
@_safe("completion")
async def completion(ls: BlueprintServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
    uri = params.text_document.uri
    doc = ls.document(uri)
    pos = ls.from_client(doc, params.position)
    analysis = ls.good.get(uri) or ls.latest.get(uri)
    items = features.completion(analysis, doc.source, pos.line, pos.character)
    for item in items:
        if isinstance(item.text_edit, lsp.TextEdit):
            item.text_edit.range = ls.to_client(doc, item.text_edit.range)
    return lsp.CompletionList(is_incomplete=False, items=items)


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
@_safe("hover")
async def hover(ls: BlueprintServer, params: lsp.HoverParams) -> lsp.Hover | None:
    uri = params.text_document.uri
    doc = ls.document(uri)
    pos = ls.from_client(doc, params.position)
    analysis = await ls.fresh(uri)
    if analysis.blueprint is None and uri in ls.good:
        analysis.blueprint = ls.good[uri].blueprint  # the names still mean what they meant
    result = features.hover(analysis, pos.line, pos.character)
    if result is not None and result.range is not None:
        result.range = ls.to_client(doc, result.range)
    return result


def _texts(ls: BlueprintServer) -> features.Texts:
    return features.Texts({uri: d.source for uri, d in ls.workspace.text_documents.items()})


def _locations(ls: BlueprintServer, found: list[lsp.Location]) -> list[lsp.Location]:
    for loc in found:
        loc.range = ls.to_client(ls.document(loc.uri), loc.range)
    return found


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
@_safe("go to definition", [])
async def definition(ls: BlueprintServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
    uri = params.text_document.uri
    pos = ls.from_client(ls.document(uri), params.position)
    analysis = await ls.fresh(uri)
    found = await ls.on_worker(features.definition, analysis, pos.line, pos.character, _texts(ls))
    return _locations(ls, found)


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
@_safe("find references", [])
async def references(ls: BlueprintServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    uri = params.text_document.uri
    pos = ls.from_client(ls.document(uri), params.position)
    analysis = await ls.fresh(uri)
    found = await ls.on_worker(features.references, analysis, pos.line, pos.character, _texts(ls),
                               params.context.include_declaration)
    return _locations(ls, found)


@server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
@_safe("rename")
async def prepare_rename(ls: BlueprintServer, params: lsp.PrepareRenameParams) -> lsp.Range | None:
    uri = params.text_document.uri
    doc = ls.document(uri)
    pos = ls.from_client(doc, params.position)
    analysis = await ls.fresh(uri)
    found = features.prepare_rename(analysis, pos.line, pos.character)
    return ls.to_client(doc, found) if found is not None else None


@server.feature(lsp.TEXT_DOCUMENT_RENAME)
@_safe("rename")
async def rename(ls: BlueprintServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
    uri = params.text_document.uri
    pos = ls.from_client(ls.document(uri), params.position)
    analysis = await ls.fresh(uri)
    try:
        edit = await ls.on_worker(features.rename, analysis, pos.line, pos.character, params.new_name, _texts(ls))
    except features.RenameRefused as exc:
        raise JsonRpcInvalidParams(str(exc)) from None
    return ls.edit_to_client(edit) if edit is not None else None


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
@_safe("code actions", [])
async def code_action(ls: BlueprintServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    doc = ls.document(uri)
    start = ls.from_client(doc, params.range.start)
    end = ls.from_client(doc, params.range.end)
    analysis = await ls.fresh(uri, fixes=True)
    actions = features.code_actions(analysis, start.line, end.line)
    converted: set[int] = set()
    for action in actions:
        if action.edit is not None:
            ls.edit_to_client(action.edit)
        for d in action.diagnostics or ():
            if id(d) not in converted:  # a finding is shared by its fix and its suppression
                converted.add(id(d))
                d.range = ls.to_client(doc, d.range)
    return actions


def serve(verbose: bool = False) -> None:
    """Serve one editor session over standard input and output."""
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(message)s")
    server.start_io()

"""The blueprint `blueprint init` writes gets editor validation: its
yaml-language-server modeline resolves from the file's own folder to the schema
the workspace holds; and a value that breaks a pattern is shown in the schema's
own words (`patternErrorMessage`), not as a regular expression. Checked with the
real yaml-language-server (the server behind VS Code's YAML support), spoken to
over its stdio protocol."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from schema_cases import PATTERN_CASES, REPO, PatternCase
from workspace_helpers import cli

#: installed by .ci/install-system.sh
YAML_LS = os.environ.get("YAML_LANGUAGE_SERVER", "/opt/yaml-language-server/node_modules/.bin/yaml-language-server")


class Server:
    """A yaml-language-server process and the few LSP messages a test needs."""

    def __init__(self, root: Path) -> None:
        exe = YAML_LS if Path(YAML_LS).is_file() else shutil.which("yaml-language-server")
        assert exe, f"yaml-language-server is not installed ({YAML_LS}): run .ci/install-system.sh"
        self.proc = subprocess.Popen([exe, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=root)
        self.ids = 0
        self.settings = {"yaml": {"validate": True, "schemaStore": {"enable": False}, "schemas": {}}}
        self.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                                    "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                                    "capabilities": {"workspace": {"configuration": True},
                                                     "textDocument": {"publishDiagnostics": {}}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": self.settings})

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.ids += 1
        self.send({"id": self.ids, "method": method, "params": params})
        while True:
            message = self.receive(time.monotonic() + 60)
            if message.get("id") == self.ids and "method" not in message:
                return message.get("result")

    def receive(self, deadline: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        assert time.monotonic() < deadline, "yaml-language-server did not answer in time"
        length = 0
        while True:
            line = self.proc.stdout.readline()
            assert line, "yaml-language-server ended"
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        message: dict[str, Any] = json.loads(self.proc.stdout.read(length))
        if "method" in message and "id" in message:  # a request from the server: answer it
            result: Any = [self.settings["yaml"] for _ in message["params"].get("items", [])] \
                if message["method"] == "workspace/configuration" else None
            self.send({"id": message["id"], "result": result})
        return message

    def diagnostics(self, path: Path) -> list[dict[str, Any]]:
        """Open the file as an editor does; the diagnostics the server publishes for it."""
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": 1, "text": path.read_text(encoding="utf-8")}})
        deadline = time.monotonic() + 60
        while True:
            message = self.receive(deadline)
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                found: list[dict[str, Any]] = message["params"]["diagnostics"]
                return found

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One server for the module, as an editor keeps one for all the files it opens."""
    running = Server(tmp_path_factory.mktemp("editor"))
    yield running
    running.close()


def test_the_initialised_sample_is_validated_by_the_editor_schema(tmp_path: Path, server: Server) -> None:
    assert cli("init", str(tmp_path)).code == 0
    sample = tmp_path / "blueprints" / "deal-follow-up.yaml"
    assert sample.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../.blueprint/schemas/blueprint.schema.json\n")
    # a clean file: nothing to say (a schema that could not be loaded would be reported)
    assert server.diagnostics(sample) == []
    # the same file with typos, as a user might save it: the schema finds them
    typo = tmp_path / "blueprints" / "typo.yaml"
    text = sample.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitel: ", 1)
    typo.write_text(text, encoding="utf-8")
    found = server.diagnostics(typo)
    messages = [d["message"] for d in found]
    assert any("titel" in m and "not allowed" in m for m in messages), messages
    titel = next(d for d in found if "titel" in d["message"])
    assert titel["range"]["start"]["line"] == next(
        i for i, line in enumerate(text.splitlines()) if line.startswith("titel:"))
    # it is the modeline that does it: without it the server knows no schema for the file
    bare = tmp_path / "blueprints" / "bare.yaml"
    bare.write_text(text.split("\n", 1)[1], encoding="utf-8")
    assert server.diagnostics(bare) == []


def test_the_workspace_schema_is_the_one_the_package_ships(tmp_path: Path) -> None:
    assert cli("init", str(tmp_path)).code == 0
    assert cli("schema").out == (tmp_path / ".blueprint" / "schemas" / "blueprint.schema.json").read_text(
        encoding="utf-8")


MODELINE = "# yaml-language-server: $schema="


@pytest.mark.parametrize("case", PATTERN_CASES, ids=[case.id for case in PATTERN_CASES])
def test_a_broken_pattern_is_shown_in_the_schemas_words(case: PatternCase, tmp_path: Path, server: Server) -> None:
    """Every pattern with a patternErrorMessage: the editor shows that text, on
    the broken value (or key), and nothing else."""
    text = case.text()
    line, column = case.position()
    if text.startswith(MODELINE):  # the sample's own modeline points elsewhere: this one replaces it
        text = text.split("\n", 1)[1]
        line -= 1
    schema = os.path.relpath(REPO / "schemas" / case.schema, tmp_path)
    path = tmp_path / "bad.yaml"
    path.write_text(f"{MODELINE}{schema}\n{text}", encoding="utf-8")
    line += 1
    found = [(d["message"], d["range"]) for d in server.diagnostics(path)]
    assert found == [(case.message, {"start": {"line": line, "character": column},
                                     "end": {"line": line, "character": column + len(case.bad)}})]

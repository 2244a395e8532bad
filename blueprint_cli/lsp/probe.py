"""`blueprint lsp --check`: will an editor find the server, and does it start?

An editor starts `blueprint lsp` by name, from its own PATH. This finds the
command there, starts it once the way an editor does (over stdio: initialize,
shutdown, exit) and says what to configure when something is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import Any

TIMEOUT = 30.0


def _message(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _responses(data: bytes) -> list[dict[str, Any]]:
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            break
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        try:
            out.append(json.loads(rest[:length]))
        except ValueError:
            break
        data = rest[length:]
    return out


def start(command: list[str]) -> tuple[bool, str]:
    """Start the server as an editor would; (it answered, what happened)."""
    messages = b"".join(_message(m) for m in (
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": os.getpid(), "rootUri": None, "capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ))
    try:
        proc = subprocess.run(command, input=messages, capture_output=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"could not run it: {exc}"
    answers = {r.get("id"): r for r in _responses(proc.stdout)}
    result = answers.get(1, {}).get("result")
    if not isinstance(result, dict):
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return False, "it did not answer `initialize`" + (f": {err[-1]}" if err else "")
    info = result.get("serverInfo") or {}
    features = sorted(k.removesuffix("Provider") for k in result.get("capabilities", {}) if k.endswith("Provider"))
    return True, f"{info.get('name', '?')} {info.get('version', '?')} answered; it offers " + ", ".join(features)


def check() -> tuple[bool, str]:
    """(ready, the report)."""
    lines = []
    try:
        import pygls  # noqa: F401
        from importlib.metadata import version
    except ImportError:
        return False, ("✗ pygls is not installed, so the server cannot run\n"
                       "  install it: pip install pygls (it comes with crm-blueprint)\n")
    lines.append(f"✓ pygls {version('pygls')} is installed")
    found = shutil.which("blueprint")
    here = [sys.executable, "-m", "blueprint_cli", "lsp"]
    if found is None:
        lines.append("✗ `blueprint` is not on PATH: an editor started from here will not find `blueprint lsp`")
        lines.append("  put its folder on PATH, or give the editor the full command: " + " ".join(here))
        ok, what = start(here)
        lines.append(("✓ " if ok else "✗ ") + " ".join(here) + ": " + what)
        return False, "\n".join(lines) + "\n"
    lines.append(f"✓ `blueprint` is on PATH: {found}")
    ok, what = start([found, "lsp"])
    lines.append(("✓ " if ok else "✗ ") + f"`{found} lsp` " + ("starts: " if ok else "does not start: ") + what)
    if ok:
        lines.append("Ready: configure your editor to run `blueprint lsp` for YAML files (docs: Editors).")
    return ok, "\n".join(lines) + "\n"

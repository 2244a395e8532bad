"""A real editor: headless Neovim starts `blueprint lsp` with the Lua setup
docs/editors.md gives, opens a broken blueprint, and the findings it shows
(`vim.diagnostic.get()`) are `blueprint lint`'s."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lsp_helpers import REPO, SAMPLES

NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(NVIM is None, reason="Neovim is not installed (.ci/install-system.sh installs it)")

DUMP = """
function _G.blueprint_dump(out)
  local ok = vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 50)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(found, {code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code),
                         line = d.lnum + 1, col = d.col + 1, message = d.message, source = d.source})
  end
  vim.fn.writefile({vim.fn.json_encode({ok = ok, diagnostics = found})}, out)
  vim.cmd("qa!")
end
"""


def _version() -> tuple[int, int]:
    assert NVIM is not None
    out = subprocess.run([NVIM, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"NVIM v(\d+)\.(\d+)", out)
    assert m is not None, out
    return int(m[1]), int(m[2])


def documented_setup() -> str:
    """The Lua setup from docs/editors.md for this Neovim, starting this checkout's server."""
    page = (REPO / "docs" / "editors.md").read_text("utf-8")
    blocks = re.findall(r"```lua\n(.*?)```", page, re.S)
    newer, older = blocks[0], blocks[1]
    lua = newer if _version() >= (0, 8) else older
    assert '{ "blueprint", "lsp" }' in lua
    command = ", ".join(json.dumps(part) for part in (sys.executable, "-m", "blueprint_cli", "lsp"))
    return "vim.cmd('filetype on')\n" + lua.replace('{ "blueprint", "lsp" }', "{ " + command + " }")


def test_neovim_shows_the_findings_of_blueprint_lint(tmp_path: Path) -> None:
    assert NVIM is not None
    text = (SAMPLES / "deal-follow-up.yaml").read_text("utf-8").replace("to: Closed Lost", "to: Closed Lots")
    blueprint = tmp_path / "deal.yaml"
    blueprint.write_text(text, "utf-8")
    init = tmp_path / "init.lua"
    init.write_text(documented_setup() + DUMP, "utf-8")
    out = tmp_path / "out.json"
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path)}
    proc = subprocess.run([NVIM, "--headless", "--clean", "-u", str(init), str(blueprint),
                           "-c", f"lua blueprint_dump('{out}')"], capture_output=True, text=True, env=env,
                          timeout=120, cwd=tmp_path)
    assert out.exists(), proc.stdout + proc.stderr
    shown = json.loads(out.read_text("utf-8"))
    assert shown["ok"], shown
    lint = subprocess.run([sys.executable, "-m", "blueprint_cli", "lint", "--no-cache", "--format", "json",
                           str(blueprint)], capture_output=True, text=True, env=env, cwd=tmp_path)
    expected = sorted((d["code"], d["line"], d["col"]) for d in json.loads(lint.stdout)["diagnostics"])
    assert expected and expected[0][0] == "BP301"
    assert sorted((d["code"], d["line"], d["col"]) for d in shown["diagnostics"]) == expected
    assert all(d["source"] == "blueprint" for d in shown["diagnostics"])
    assert any("Closed Lots" in d["message"] for d in shown["diagnostics"])

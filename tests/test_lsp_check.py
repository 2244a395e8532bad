"""`blueprint lsp --check`: says whether an editor will find the server, and
starts it once to be sure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lsp_helpers import REPO


def test_without_blueprint_on_path_it_says_what_to_configure(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "blueprint_cli", "lsp", "--check"], capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": str(tmp_path)}, cwd=tmp_path, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "✗ `blueprint` is not on PATH" in proc.stdout
    # the full command it suggests does start the server
    assert f"✓ {sys.executable} -m blueprint_cli lsp: blueprint " in proc.stdout
    assert "answered; it offers codeAction, completion, definition" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr

"""The distribution's name is ours: nothing tells a user to install a name on
the public package index that fetches someone else's code."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: on the public index, "blueprint-cli" is an unrelated tool that also installs a `blueprint` command
TAKEN = "blueprint-cli"


def test_the_distribution_is_crm_blueprint_with_the_blueprint_command() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "crm-blueprint"
    assert project["scripts"] == {"blueprint": "blueprint_cli.cli.entry:main"}


def test_no_file_says_to_install_the_name_someone_else_owns() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    install = re.compile(rf"""(pip|pipx|uv pip|uv tool) install\s+(-U\s+|--upgrade\s+)?['"]?{TAKEN}\b""")
    found = []
    for name in tracked.splitlines():
        path = ROOT / name
        if path.suffix not in {".py", ".md", ".toml", ".yaml", ".yml", ".txt", ".sh", ".cfg", ""} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{name}: {m.group()}" for m in install.finditer(text)]
    assert found == []


def test_the_postgres_hint_names_the_driver() -> None:
    from blueprint_cli.store.postgres import INSTALL_HINT

    assert TAKEN not in INSTALL_HINT and "psycopg" in INSTALL_HINT

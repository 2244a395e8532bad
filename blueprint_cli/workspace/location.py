"""Finding a workspace: `--workspace DIR`, `$BLUEPRINT_WORKSPACE`, or the nearest
`.blueprint/` upward from the current folder; and the store it keeps its records in."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.store import Store, is_url, open_store

if TYPE_CHECKING:
    from blueprint_cli.workspace.core import Workspace

DIRNAME = ".blueprint"
MARKER = "workspace.json"
ENV = "BLUEPRINT_WORKSPACE"
INIT_HINT = "run `blueprint init` to create one here, or pass --workspace DIR"


def locate(given: Path) -> Path | None:
    """The `.blueprint` folder `given` names: itself, or the one inside it."""
    for candidate in (given, given / DIRNAME):
        if (candidate / MARKER).is_file():
            return candidate.resolve()
    return None


def find_root(explicit: Path | None = None, cwd: Path | None = None) -> Path:
    """The `.blueprint` folder commands work in: `--workspace DIR` (the folder or
    one holding it), else `$BLUEPRINT_WORKSPACE`, else the nearest `.blueprint/`
    upward. No workspace is a usage error."""
    given = explicit if explicit is not None else (Path(os.environ[ENV]) if os.environ.get(ENV) else None)
    if given is not None:
        given = given.expanduser()
        if not given.exists():
            raise BlueprintError(f"no such folder: {given}", hint=INIT_HINT)
        root = locate(given)
        if root is not None:
            return root
        raise BlueprintError(f"{given} is not a blueprint workspace (no {DIRNAME}/ in it)", hint=INIT_HINT)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DIRNAME / MARKER).is_file():
            return folder / DIRNAME
    raise BlueprintError(f"no blueprint workspace in {here} or any folder above it", hint=INIT_HINT)


def find(explicit: Path | None = None, cwd: Path | None = None) -> Workspace:
    """The workspace `find_root` finds."""
    from blueprint_cli.workspace.core import Workspace

    return Workspace(find_root(explicit, cwd))


def configured_store(root: Path) -> str | None:
    """The `store:` line of config.yaml: a PostgreSQL URL, or None for the JSON
    files. Read as text, not YAML, because every command opens the workspace and
    a YAML parser costs start-up time."""
    try:
        text = (root / "config.yaml").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    match = re.search(r"^store:[ \t]*[\"']?([^\"'\s#]*)", text, re.M)
    value = match[1] if match else ""
    if value in ("", "json"):
        return None
    if not is_url(value):
        raise BlueprintError(f"{root / 'config.yaml'}: store {value!r} is neither `json` nor a postgresql:// URL")
    return value


def store_of(root: Path) -> Store:
    """The workspace's store: its JSON files in `root`, or the one config.yaml names
    (PostgreSQL connects on first use)."""
    return open_store(configured_store(root) or root)

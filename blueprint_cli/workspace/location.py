"""Finding a workspace: `--workspace DIR`, `$BLUEPRINT_WORKSPACE`, or the nearest
`.blueprint/` upward from the current folder; and the store it keeps its records in."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from blueprint_cli.diagnostics import BlueprintError

if TYPE_CHECKING:
    from blueprint_cli.workspace.settings import Config
    from blueprint_cli.store import Store

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


def store_of(root: Path, settings: Config | None = None) -> Store:
    """The workspace's store: its JSON files in `root`, or the one config.yaml names
    (PostgreSQL connects on first use)."""
    # the store package (records, dataclasses) is imported only by what opens a store:
    # `blueprint lint` looks for the workspace's team file and pays for nothing more
    from blueprint_cli.workspace.settings import Config
    from blueprint_cli.store import open_store

    return open_store((settings or Config.of(root)).store or root)

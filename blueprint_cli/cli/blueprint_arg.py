"""What `show` and `graph` accept as a blueprint: a file, or the id of a
blueprint published in the workspace."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from blueprint_cli.cli.context import options

if TYPE_CHECKING:
    from blueprint_cli.language.model import Blueprint
    from blueprint_cli.workspace import Workspace

#: a blueprint id (the language's `blueprint:` key); anything else is a path
_ID = re.compile(r"^[a-z][a-z0-9-]*$")
HELP = "A blueprint file, or the id of a blueprint published in the workspace."


def load(ctx: typer.Context, given: str, version: int | None = None) -> Blueprint:
    """The blueprint in the file `given`; else, when `given` is an id and there is
    no such file, the published one (its latest version, or `version`)."""
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.check import load_blueprint

    path = Path(given)
    if path.exists() or not _ID.match(given):
        return load_blueprint(path)
    try:
        ws = workspace(ctx)
    except BlueprintError:
        raise BlueprintError(f"no such file: {given}",
                             hint="give a blueprint file, or the id of a published blueprint inside a workspace "
                                  "(or with --workspace DIR)") from None
    try:
        return ws.blueprint(given, version)
    except BlueprintError as exc:
        raise BlueprintError(f"{given}: no such file, and no blueprint {given!r} is published in {ws.root}",
                             hint=exc.hint) from None


def workspace(ctx: typer.Context) -> Workspace:
    from blueprint_cli.workspace import find

    return find(options(ctx).workspace)


def workspace_folder(ctx: typer.Context, command: str, what: str = "file or folder") -> Path:
    """The workspace's `blueprints/` folder (next to its `.blueprint/`): what `lint`,
    `test` and `publish` work on when given no path."""
    from blueprint_cli.diagnostics import BlueprintError

    try:
        ws = workspace(ctx)
    except BlueprintError:
        raise BlueprintError(f"give at least one {what} to {command}",
                             hint=f"blueprint {command} FILE|FOLDER; inside a workspace it takes its blueprints/ "
                                  "folder") from None
    folder = ws.root.parent / "blueprints"
    if not folder.is_dir():
        raise BlueprintError(f"give at least one {what} to {command}: the workspace {ws.root} has no "
                             f"blueprints/ folder next to it", hint=f"blueprint {command} FILE|FOLDER")
    return folder


def is_scenario_file(path: Path) -> bool:
    return path.name.endswith((".scenarios.yaml", ".scenarios.yml"))

"""`blueprint diff OLD NEW`: a semantic diff of two versions of a blueprint."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from blueprint_cli.cli.context import options

if TYPE_CHECKING:
    from blueprint_cli.workspace import Workspace


class Format(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


def diff(
    ctx: typer.Context,
    old: str = typer.Argument(..., help="The old version: a file, or git's REV:path (HEAD~1:deal.yaml)."),
    new: str = typer.Argument(..., help="The new version: a file, or REV:path."),
    fmt: Optional[Format] = typer.Option(None, "--format", "-f", help="Output format (default text; "
                                         "markdown for a pull-request comment)."),
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit 1 when there are differences (like git diff)."),
    no_impact: bool = typer.Option(False, "--no-impact", help="Do not look for a workspace to count the "
                                   "records the changes touch."),
) -> None:
    """Semantic diff of two versions of a blueprint.

    States added, removed or renamed; transitions whose owners, criteria,
    requirements or targets changed (tightened or loosened); fields. Inside a
    workspace, how many records the changes touch. Exit 0 (with --exit-code:
    1 when something changed); 1 when lint refuses a side (the diff is shown
    first when its model can be built); 2 on usage errors."""
    from blueprint_cli.render import diff as semantic

    opts = options(ctx)
    chosen = fmt.value if fmt is not None else ("json" if opts.json else "text")
    sides = (semantic.read_side(old), semantic.read_side(new))
    result = semantic.compare(*sides)
    if not no_impact:
        ws = _workspace(opts.workspace)
        if ws is not None:
            result.impact = semantic.impact(result, ws)
    sys.stdout.write(semantic.RENDERERS[chosen](result).rstrip("\n") + "\n")
    refused = [d for side in sides for d in side.errors]
    if refused:  # lint refuses a side: a diff of it is shown, but it is no success
        from blueprint_cli.check import LintFailed

        raise LintFailed(refused)
    if exit_code and result.has_changes:
        raise typer.Exit(1)


def _workspace(explicit: Path | None) -> Workspace | None:
    """The workspace to measure impact in: the one given (its problems are
    errors), else the nearest one, if any (none is fine: no impact then)."""
    from blueprint_cli import workspace
    from blueprint_cli.diagnostics import BlueprintError

    if explicit is not None:
        return workspace.find(explicit)
    try:
        return workspace.find()
    except BlueprintError:
        return None


def register(app: typer.Typer) -> None:
    app.command("diff")(diff)

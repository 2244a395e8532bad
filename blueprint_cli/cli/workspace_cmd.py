"""`blueprint init` and `blueprint publish`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from blueprint_cli.shown import markup as m
from blueprint_cli.cli.context import options, print_json


def init(
    ctx: typer.Context,
    folder: Path = typer.Argument(Path("."), help="Where to create .blueprint/ (default: here)."),
    sample: bool = typer.Option(True, "--sample/--no-sample",
                                help="Write and publish the deal sample blueprint (blueprints/deal-follow-up.yaml)."),
    store: Optional[str] = typer.Option(None, "--store", metavar="URL",
                                        help="Keep records in PostgreSQL: postgresql://USER@HOST:PORT/DB[?schema=NAME] "
                                             "(password from $BLUEPRINT_PG_PASSWORD or $PGPASSWORD, never stored)."),
    nested: bool = typer.Option(False, "--nested", help="Create it even inside another workspace."),
    clock: str = typer.Option("real", "--clock", metavar="real|simulated",
                              help="simulated: `tick --now` may write at any later time (demos, training)."),
) -> None:
    """Create a workspace: .blueprint/ with a team file, settings, the record store and a sample blueprint."""
    from blueprint_cli.cli.record_view import term

    from blueprint_cli import workspace

    opts = options(ctx)
    result = workspace.init(folder, sample=sample, user=opts.acting_user, store=store, nested=nested, clock=clock)
    if opts.json:
        print_json({"workspace": str(result.workspace.root), "sample": str(result.sample) if result.sample else None,
                    "published": {"blueprint": result.published.blueprint, "version": result.published.version}
                    if result.published else None})
        return
    out = term(ctx)
    out.print(f"[green]✓[/] Created workspace [bold]{m(result.workspace.root)}[/]")
    out.print(f"  team file   {m(result.workspace.root / 'team.yaml')}  (users, roles, profiles: edit it)")
    if result.sample and result.not_published:
        out.print(f"[yellow]![/] {m(result.sample)} was already there and was not published:\n{m(result.not_published)}")
        out.print(f"  fix it, then: blueprint publish {m(result.sample)}", style="dim")
    if result.sample and result.published:
        out.print(f"  blueprint   {m(result.sample)}  (published as {result.published.blueprint} "
                  f"v{result.published.version})")
        out.print("\nTry:\n  blueprint --as alice record create Deals --set name=Acme --set amount=5000\n"
                  "  blueprint --as alice next 1\n  blueprint demo            (a guided tour)", style="dim")


def publish(
    ctx: typer.Context,
    file: Optional[Path] = typer.Argument(None, help="The blueprint file to publish (default: every blueprint in "
                                                       "the workspace's blueprints/ folder, in name order)."),
    move: Optional[List[str]] = typer.Option(None, "--move", metavar="OLD=NEW",
                                             help="Records in a state this version deletes go to NEW (repeatable)."),
    priority: Optional[int] = typer.Option(None, "--priority",
                                           help="Entry priority (lower wins); default: the file's `priority`."),
) -> None:
    """Lint the blueprint (errors block), then store it as the next version in the workspace."""
    from blueprint_cli.cli.record_view import acting, open_workspace, parse_assignments, term
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.workspace.publishing import publish

    ws = open_workspace(ctx)
    moves = parse_assignments(move or (), "--move")
    opts = options(ctx)
    if file is not None:
        files = [file]
    else:
        if moves or priority is not None:
            raise BlueprintError("--move and --priority apply to one blueprint: give its FILE",
                                 hint="blueprint publish blueprints/NAME.yaml --priority 10")
        files = _workspace_blueprints(ctx)
    user = acting(ctx, ws)
    results = [publish(ws, f, moves=moves, priority=priority, user=user) for f in files]
    if opts.json:
        data = [{"blueprint": r.blueprint, "version": r.version, "unchanged": r.unchanged,
                 "moved": {src: {"to": dst, "records": ids} for src, (dst, ids) in r.moved.items()}} for r in results]
        print_json(data[0] if file is not None else data)
        return
    out = term(ctx)
    for result in results:
        if result.unchanged:
            out.print(f"{result.blueprint} is unchanged: still version {result.version}", markup=False)
            continue
        out.print(f"[green]✓[/] Published [bold]{m(result.blueprint)}[/] version {result.version}")
        for src, (dst, ids) in result.moved.items():
            out.print(f"  moved {len(ids)} record{'s' if len(ids) != 1 else ''} from {m(src)} to {m(dst)}")


def _workspace_blueprints(ctx: typer.Context) -> list[Path]:
    """Every blueprint file in the workspace's blueprints/, all linted clean first:
    one with errors stops the run before anything is published."""
    from blueprint_cli.cli.blueprint_arg import is_scenario_file, workspace_folder
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.check import load_blueprint

    folder = workspace_folder(ctx, "publish")
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                   and not is_scenario_file(p))
    if not files:
        raise BlueprintError(f"no blueprint files in {folder}", hint="blueprint publish FILE")
    for f in files:
        load_blueprint(f)  # errors raise LintFailed, listed like a single publish's
    return files


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("publish")(publish)

"""`blueprint store copy|migrate|info`: move a workspace between the JSON files
and PostgreSQL, bring a PostgreSQL store's schema up to date, and say which store
a workspace uses."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from blueprint_cli.cli.context import options, print_json
from blueprint_cli.shown import markup as m

if TYPE_CHECKING:
    from blueprint_cli.store import Store
    from blueprint_cli.workspace import Workspace

store_app = typer.Typer(
    help="The record store: copy a workspace between JSON files and PostgreSQL, migrate, inspect.",
    no_args_is_help=True,
)

WHERE_HELP = "A workspace folder (its JSON files) or a postgresql://USER@HOST:PORT/DB[?schema=NAME] URL."


def _open(spec: str, *, create: bool = False) -> Store:
    """A store named on the command line: a workspace folder or a URL."""
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.store import is_url, open_store
    from blueprint_cli.workspace import locate

    if is_url(spec):
        return open_store(spec, create=create)
    root = locate(Path(spec).expanduser())
    if root is None:
        raise BlueprintError(f"{spec} is neither a blueprint workspace folder nor a postgresql:// URL",
                             hint="e.g. --from .blueprint --to postgresql://USER@HOST:5432/DB")
    return open_store(root)


def _new_workspace(target: str, *, team_from: Path | None) -> Path | None:
    """When `--to` names a folder that holds no workspace yet, make one there (as
    `init --no-sample` does) with the source workspace's team file, and return its
    `.blueprint/`; the copy then fills its empty store."""
    from blueprint_cli import workspace
    from blueprint_cli.store import is_url

    folder = Path(target).expanduser()
    if is_url(target) or workspace.locate(folder) is not None:
        return None
    team = team_from / "team.yaml" if team_from is not None else None
    return workspace.init(folder, sample=False, team=team).workspace.root


def _workspace(ctx: typer.Context) -> Workspace | None:
    from blueprint_cli import workspace
    from blueprint_cli.diagnostics import BlueprintError

    try:
        return workspace.find(options(ctx).workspace)
    except BlueprintError:
        return None


def copy(
    ctx: typer.Context,
    source: Optional[str] = typer.Option(None, "--from", metavar="FOLDER|URL",
                                         help=WHERE_HELP + " Default: the workspace's own store."),
    target: str = typer.Option(..., "--to", metavar="FOLDER|URL", help=WHERE_HELP + " Must be empty."),
    switch: bool = typer.Option(True, "--switch/--no-switch",
                                help="Afterwards, point the workspace that used the source at the target."),
) -> None:
    """Copy every blueprint version, record and history entry into an empty store, then verify the counts."""
    import shutil
    import sys

    from blueprint_cli.store import is_url, transfer
    from blueprint_cli.workspace import locate

    opts = options(ctx)
    ws = _workspace(ctx)
    if source is None:
        if ws is None:
            from blueprint_cli.diagnostics import BlueprintError
            from blueprint_cli.workspace import INIT_HINT

            raise BlueprintError("no workspace here to copy from", hint="pass --from FOLDER|URL; " + INIT_HINT)
        src = ws.store
    else:
        src = _open(source)
    made = _new_workspace(target, team_from=ws.root if ws is not None and source is None else
                          (None if source is None or is_url(source) else locate(Path(source).expanduser())))
    dst = _open(target, create=True)

    def progress(n: int) -> None:
        if not opts.json and sys.stderr.isatty():
            sys.stderr.write(f"\r  {n} records copied")
            sys.stderr.flush()

    try:
        result = transfer.copy(src, dst, progress=progress)
    except BaseException:
        if made is not None:  # the copy was refused: leave the folder as it was
            shutil.rmtree(made)
        raise
    if not opts.json and sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    switched = None
    # a workspace can only use files in its own folder (or a server)
    if switch and ws is not None and src.location == ws.store.location and dst.folder in (None, ws.root):
        ws.settings.set_store(dst.location if dst.folder is None else None)
        switched = str(ws.root)
    c = result.counts
    if opts.json:
        print_json({"from": result.source, "to": result.target, "verified": True, "next_id": result.next_id,
                    "switched": switched, "created": None if made is None else str(made), **c.to_dict()})
        return
    from blueprint_cli.cli.record_view import term

    out = term(ctx)
    if made is not None:
        out.print(f"[green]✓[/] Created the workspace {m(str(made))} (its team file: "
                  f"{m(str(made / 'team.yaml'))})")
    out.print(f"[green]✓[/] Copied {m(str(result.source))} → {m(str(result.target))}")
    out.print(f"  blueprints  {c.blueprints} ({c.versions} version{'s' if c.versions != 1 else ''})")
    out.print(f"  records     {c.records}")
    out.print(f"  history     {c.history} entries")
    out.print("  counted again in the target: they match (per blueprint and state too)")
    if switched:
        kept = ("its JSON files are kept as they were" if dst.folder is None
                else "the PostgreSQL store is left as it was")
        out.print(f"  the workspace {switched} now uses {result.target} ({kept})", markup=False)


def migrate(
    ctx: typer.Context,
    url: Optional[str] = typer.Argument(None, metavar="[URL]", help="Default: the workspace's store."),
) -> None:
    """Create a PostgreSQL store's tables, or apply the schema migrations it lacks."""
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.store import is_url, open_store

    if url is None:
        ws = _workspace(ctx)
        if ws is None:
            raise BlueprintError("no workspace here", hint="give a postgresql:// URL")
        if ws.store.folder is not None:
            raise BlueprintError("this workspace keeps its records in JSON files: nothing to migrate",
                                 hint="give a postgresql:// URL")
        url = ws.store.location
    if not is_url(url):
        raise BlueprintError(f"{url!r} is not a store URL", hint="give a postgresql:// URL")
    store = open_store(url, check=False)
    applied = store.migrate()
    version = store.info().get("schema_version")
    if options(ctx).json:
        print_json({"store": store.location, "schema_version": version,
                    "applied": [{"version": m.version, "description": m.description} for m in applied]})
        return
    if not applied:
        typer.echo(f"{store.location} is up to date (schema version {version})")
    for m in applied:
        typer.echo(f"applied migration {m.version}: {m.description}")


def info(ctx: typer.Context) -> None:
    """Which store the workspace uses, and what it holds."""
    from blueprint_cli.cli.record_view import open_workspace

    ws = open_workspace(ctx)
    data: dict[str, Any] = {"workspace": str(ws.root), **ws.store.info()}
    if options(ctx).json:
        print_json(data)
        return
    for key, value in data.items():
        typer.echo(f"{key:15} {value}")


def register(app: typer.Typer) -> None:
    store_app.command("copy")(copy)
    store_app.command("migrate")(migrate)
    store_app.command("info")(info)
    app.add_typer(store_app, name="store")

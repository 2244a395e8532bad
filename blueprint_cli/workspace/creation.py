"""`blueprint init`: a new workspace — its `.blueprint/` folder with the team file,
the settings, an empty store, and the deal sample published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from blueprint_cli import engine
from blueprint_cli.workspace.settings import initial_text
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.store import FORMAT, is_url, open_store
from blueprint_cli.store.files import atomic_write
from blueprint_cli.workspace.clock import now
from blueprint_cli.workspace.core import Workspace
from blueprint_cli.workspace.publishing import PublishResult, publish
from blueprint_cli.workspace.location import DIRNAME, MARKER

def _data(name: str) -> str:
    return resources.files("blueprint_cli").joinpath("data", name).read_text(encoding="utf-8")


#: where `init` puts the blueprint JSON Schema, inside `.blueprint/`, for editors
SCHEMA_FILE = Path("schemas", "blueprint.schema.json")
#: the modeline of a blueprint in `DIR/blueprints/`: relative, so it resolves from
#: the file's own folder (as yaml-language-server reads it) in any clone
SAMPLE_MODELINE = f"# yaml-language-server: $schema=../{DIRNAME}/{SCHEMA_FILE.as_posix()}\n"


def sample_blueprint_text() -> str:
    """The deal sample as `init` writes it to `DIR/blueprints/`: its modeline (in the
    package it points at the repository's schemas/) points at the workspace's copy."""
    lines = _data("deal-follow-up.yaml").splitlines(keepends=True)
    if lines and "yaml-language-server" in lines[0]:
        lines[0] = SAMPLE_MODELINE
    return "".join(lines)


def enclosing(folder: Path) -> Path | None:
    """The workspace (its `.blueprint/`) that `folder` is inside of, if any."""
    for parent in folder.resolve().parents:
        if (parent / DIRNAME / MARKER).is_file():
            return parent / DIRNAME
    return None


@dataclass
class InitResult:
    workspace: Workspace
    sample: Path | None = None
    published: PublishResult | None = None
    #: why the sample (a file already there, edited by the user) could not be published
    not_published: str | None = None


def init(folder: Path, *, sample: bool = True, user: str = "admin", at: datetime | None = None,
         store: str | None = None, nested: bool = False, team: Path | None = None,
         clock: str = "real") -> InitResult:
    """Create `folder/.blueprint/` with a team file, settings, an empty store and
    (unless `sample=False`) the deal sample written to `folder/blueprints/` and published.
    `store`: a postgresql:// URL to keep records in PostgreSQL instead; its tables are
    created, and config.yaml keeps the URL without a password. Inside another
    workspace it is refused unless `nested` (commands below `folder` would find
    the new one instead). `team`: a team file to start from instead of the sample
    team (`store copy` into a new folder takes the source workspace's). `clock`:
    `real`, or `simulated` (`tick --now` may write at any later time: demos, training)."""
    folder = folder.expanduser()
    if folder.exists() and not folder.is_dir():
        raise BlueprintError(f"{folder} is a file, not a folder")
    root = folder / DIRNAME
    if (root / MARKER).exists():
        raise BlueprintError(f"{root} is already a workspace", exit_code=1,
                             hint="use it as it is, or remove that folder to start over")
    outer = enclosing(folder)
    if outer is not None and not nested:
        raise BlueprintError(f"{folder.resolve()} is inside the workspace {outer}; a second workspace there would "
                             f"hide that one from every command run below {folder.resolve()}", exit_code=1,
                             hint="use that workspace (commands find it from any sub-folder), or pass --nested "
                                  "to create a separate one inside it")
    if clock not in ("real", "simulated"):
        raise BlueprintError(f"--clock {clock!r}: write real or simulated")
    if store and not is_url(store):
        raise BlueprintError(f"--store {store!r} is not a store URL", hint="e.g. --store postgresql://USER@HOST:5432/DB")
    shared = open_store(store, create=True) if store else None
    root.mkdir(parents=True, exist_ok=True)
    team_file = root / "team.yaml"
    if not team_file.exists():
        given = team.read_bytes() if team is not None and team.is_file() else None
        atomic_write(team_file, given if given is not None else _data("team.yaml").encode())
    config = root / "config.yaml"
    if not config.exists():
        atomic_write(config, initial_text(shared.location if shared is not None else None,
                                          simulated_clock=clock == "simulated").encode())
    (root / ".gitignore").write_text("locks/\nstays/\n", encoding="utf-8")
    from blueprint_cli.language.schema import schema_text

    (root / SCHEMA_FILE).parent.mkdir(exist_ok=True)
    atomic_write(root / SCHEMA_FILE, schema_text().encode())  # for the modeline of blueprints/*.yaml
    if shared is None:
        open_store(root, create=True)
    stamp = engine.iso(at or now())
    atomic_write(root / MARKER, (f'{{"format": {FORMAT}, "kind": "blueprint-workspace", '
                                 f'"created_at": "{stamp}"}}\n').encode())
    ws = Workspace(root.resolve())
    if shared is not None:
        ws.store = shared  # connected already (with a password the URL may have carried for this run)
    result = InitResult(ws)
    if sample and not (shared is not None and ws.published()):  # a shared store in use keeps its blueprints
        target = folder / "blueprints" / "deal-follow-up.yaml"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(sample_blueprint_text(), encoding="utf-8")
        result.sample = target
        try:
            result.published = publish(ws, target, user=user, at=at)
        except BlueprintError as exc:  # the workspace is made; a broken file there must not undo that
            result.not_published = exc.message
    return result



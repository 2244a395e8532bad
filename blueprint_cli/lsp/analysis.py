"""One open file, linted as `blueprint lint FILE` lints it — the configuration
found upward from it, its inline suppressions, the team of the workspace it is
in — and what checking it built: the document with positions, the model (for a
scenario file, the blueprint it tests) and the names it uses."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from blueprint_cli.diagnostics import BlueprintError, Diagnostic
from blueprint_cli.lint.config import Finder
from blueprint_cli.lint.run import Job, inspect_bytes
from blueprint_cli.lsp.symbols import Occurrence, occurrences

if TYPE_CHECKING:
    from blueprint_cli.check.kinds import Kind
    from blueprint_cli.language.loader import Document
    from blueprint_cli.language.model import Blueprint
    from blueprint_cli.language.team import Team
    from blueprint_cli.scenarios.loader import LoadedFile


def path_of(uri: str) -> Path:
    """The file a document's URI names. A document that is no file (an editor's
    unsaved `untitled:` buffer) is taken for one of that name in the current
    folder: linted, with no configuration or workspace of its own."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    name = os.path.basename(unquote(parsed.path or parsed.netloc)) or "untitled.yaml"
    if not name.endswith((".yaml", ".yml")):
        name += ".yaml"
    return Path.cwd() / name


def uri_of(path: Path) -> str:
    return path.absolute().as_uri()


@dataclass
class Analysis:
    uri: str
    path: Path
    text: str
    version: int | None
    kind: Kind
    #: the findings in this file, as `blueprint lint` reports them
    diagnostics: list[Diagnostic]
    document: Document | None = None
    #: a blueprint's model; for a scenario file, the blueprint it tests
    blueprint: Blueprint | None = None
    #: the file `blueprint` was read from
    blueprint_path: Path | None = None
    scenarios: LoadedFile | None = None
    team: Team | None = None
    #: whether the findings carry their fixes
    fixes: bool = False
    _symbols: list[Occurrence] | None = field(default=None, repr=False)

    @property
    def symbols(self) -> list[Occurrence]:
        """The names the file uses (found on first use: publishing findings needs none)."""
        if self._symbols is None:
            doc = self.document
            self._symbols = [] if doc is None or self.kind not in ("blueprint", "scenarios") else \
                occurrences(doc, scenario=self.kind == "scenarios")
        return self._symbols


class Analyser:
    """Lints open files; keeps the workspaces' teams, read again when their file changes."""

    def __init__(self) -> None:
        self._teams: dict[Path, tuple[float, Team | None]] = {}

    def team_for(self, path: Path) -> Team | None:
        """The team of the workspace the file is in (rule BP305 checks owners
        against it), as `blueprint lint` run there finds it; None outside one."""
        from blueprint_cli.workspace.location import find_root

        try:
            team_file = find_root(cwd=path.parent) / "team.yaml"
            mtime = team_file.stat().st_mtime
        except (BlueprintError, OSError):
            return None
        cached = self._teams.get(team_file)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        from blueprint_cli.language.team import Team

        try:
            team: Team | None = Team.load(team_file)
        except BlueprintError:  # a broken team file: owners go unchecked (its own lint says why)
            team = None
        self._teams[team_file] = (mtime, team)
        return team

    def analyse(self, uri: str, text: str, version: int | None = None, fixes: bool = False) -> Analysis:
        path = path_of(uri)
        team = self.team_for(path)
        config = Finder().for_file(path)
        job = Job(path, config.selection(path), explicit=True)
        inspected = inspect_bytes(text.encode("utf-8", "surrogatepass"), job, team, fixes)
        display = job.display
        # a scenario file also reports the blueprint it tests; those findings belong to that file
        diagnostics = [d for d in inspected.entry.diagnostics if d.file == display]
        out = Analysis(uri, path, text, version, inspected.kind, diagnostics, inspected.document,
                       inspected.blueprint, path if inspected.blueprint is not None else None,
                       inspected.scenarios, team=team, fixes=fixes)
        if inspected.scenarios is not None:
            out.blueprint = inspected.scenarios.blueprint
            out.blueprint_path = inspected.scenarios.blueprint_path
            if inspected.scenarios.has_team:
                out.team = inspected.scenarios.team
        return out

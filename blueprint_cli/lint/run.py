"""A lint run over files and folders: which files, with which configuration,
from the cache or checked (over the CPU cores when there are many), and
suppressions applied. The command (cli/lint_cmd.py) only reports the result.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from blueprint_cli.diagnostics import BlueprintError, Diagnostic, Findings, Severity
from blueprint_cli.parallel import can_fork, processors
from blueprint_cli.lint.cache import Cache, Entry
from blueprint_cli.lint.config import Finder, Overrides, is_known_code
from blueprint_cli.check.kinds import SCENARIO_SUFFIXES, kind_of
from blueprint_cli.check.selection import Selection
from blueprint_cli.userfile import UnreadableFile, read_user_file

if TYPE_CHECKING:
    from blueprint_cli.check.kinds import Kind
    from blueprint_cli.language.loader import Document
    from blueprint_cli.language.model import Blueprint
    from blueprint_cli.language.team import Team
    from blueprint_cli.scenarios.loader import LoadedFile

YAML_SUFFIXES = (".yaml", ".yml")
#: Below this many files (to check, not found in the cache) a process pool costs more than it saves.
PARALLEL_THRESHOLD = 24
#: The files a spawned worker takes from the queue at a time (see `_lint_spawned`).
CHUNK = 8
#: Codes the loader and schema stages report: checked whenever a file could be parsed.
_STAGE_CODES = ("BP100", "BP101", "BP102", "BP103", "BP104", "BP105", "BP110", "BP111", "BP112", "BP113",
                "BP114", "BP119")


class RunOptions(NamedTuple):
    overrides: Overrides = Overrides()
    #: `--config FILE`: this configuration for every file, instead of finding one
    config: Path | None = None
    #: the cache folder; None: no cache
    cache: Path | None = None
    #: apply the configuration's `exclude` to files named on the command line too
    force_exclude: bool = False
    #: skip named files that are not blueprints, as folder walks do (the pre-commit hook)
    blueprints_only: bool = False
    jobs: int | None = None


class Job(NamedTuple):
    path: Path
    selection: Selection
    #: named on the command line (not found in a folder)
    explicit: bool
    blueprints_only: bool = False

    @property
    def display(self) -> str:
        return str(self.path)


class Run(NamedTuple):
    findings: Findings
    #: the configuration files that applied (for `--watch`)
    configs: list[Path]


def walk(paths: Sequence[Path], finder: Finder | None = None, force_exclude: bool = False) -> list[tuple[Path, bool]]:
    """(file, named on the command line) for every file to lint: files as given,
    folders searched recursively for *.yaml/*.yml (hidden folders, scenario files
    and what the configuration excludes are skipped). A path that does not exist
    is a usage error."""
    files: list[tuple[Path, bool]] = []
    for p in paths:
        if p.is_dir():
            found: list[Path] = []
            # a subfolder that cannot be listed is linted as a file: reading it gives the finding
            for root, dirs, names in os.walk(p, onerror=lambda e: found.append(Path(e.filename))):
                here = Path(root)
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and
                                 not (finder is not None and finder.for_folder(_abs(here / d)).excludes(here / d)))
                for n in names:
                    if n.endswith(YAML_SUFFIXES) and not n.endswith(SCENARIO_SUFFIXES):
                        f = here / n
                        if finder is None or not finder.for_file(f).excludes(f):
                            found.append(f)
            files.extend((f, False) for f in sorted(found))
        elif p.exists():
            if not (force_exclude and finder is not None and finder.for_file(p).excludes(p)):
                files.append((p, True))
        else:
            raise BlueprintError(f"no such file or folder: {p}", hint="check the path; folders are searched for *.yaml")
    seen: dict[Path, bool] = {}
    for f, explicit in files:
        seen[f] = seen.get(f, False) or explicit
    return list(seen.items())


def _abs(path: Path) -> Path:
    return Path(os.path.abspath(path))


def plan(paths: Sequence[Path], options: RunOptions, finder: Finder) -> list[Job]:
    return [Job(f, finder.for_file(f).selection(f, options.overrides), explicit, options.blueprints_only)
            for f, explicit in walk(paths, finder, options.force_exclude)]


def lint_paths(paths: Sequence[Path], team: Team | None = None, options: RunOptions = RunOptions()) -> Run:
    finder = Finder(options.config)
    jobs = plan(paths, options, finder)
    cache = Cache(options.cache) if options.cache is not None else None
    team_key = _team_key(team)
    results: list[Entry | None] = [None] * len(jobs)
    #: with the cache, each file's bytes as read to look it up: a miss lints those
    #: same bytes (read once, and the entry stored is for what was hashed)
    read: list[bytes | None] = [None] * len(jobs)
    if cache is not None:
        for i, job in enumerate(jobs):
            try:
                raw = read_user_file(job.path)
            except UnreadableFile as exc:  # a FIFO or device found in a folder, a file too large: a finding
                results[i] = unreadable_entry(exc, job)
                continue
            results[i] = cache.get(cache.key(raw, _settings(job, team_key)))
            read[i] = raw if results[i] is None else None
    todo = [i for i, r in enumerate(results) if r is None]
    workers = min(options.jobs or processors(), len(todo))
    work = [(jobs[i], team, team_key, cache, read[i]) for i in todo]
    if workers > 1 and len(work) >= PARALLEL_THRESHOLD:
        done = _lint_forked(work, workers) if can_fork() else _lint_spawned(work, workers)
    else:
        done = [lint_job(item) for item in work]
    for i, linted in zip(todo, done):
        results[i] = linted
    findings = Findings()
    for entry in results:
        assert entry is not None
        findings.files += entry.checked
        findings.extend(entry.diagnostics)
    return Run(findings, add_config_problems(finder, findings))


#: what `lint_job` takes: the job, the team, its key for the cache, the cache, the bytes if already read
Work = tuple[Job, "Team | None", str, "Cache | None", "bytes | None"]


def _lint_forked(work: list[Work], workers: int) -> list[Entry]:
    """Every item's entry, linted by this process and `workers - 1` forked
    copies of it (`parallel.fork_map`: what a copy did not send, this process
    lints itself, and a failure is raised here as `--jobs 1` raises it)."""
    from blueprint_cli.check.check import prepare
    from blueprint_cli.parallel import fork_map

    prepare()  # once, here: the copies forked below share it instead of each loading it
    return fork_map(lambda i: lint_job(work[i]), len(work), workers)


def _lint_spawned(work: list[Work], workers: int) -> list[Entry]:
    """`_lint_forked` where processes cannot fork (Windows): a pool of fresh
    processes, each importing what it needs, the work sent to them in chunks."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        return pool.map(lint_job, work, chunksize=CHUNK)


def add_config_problems(finder: Finder, findings: Findings) -> list[Path]:
    """The findings in the configuration files the run used; returns their paths."""
    used = finder.used
    for config in used:
        findings.extend(list(config.problems))
        findings.files += bool(config.problems)  # so the summary counts the file it names
    return [c.path for c in used if c.path is not None]


def _team_key(team: Team | None) -> str:
    if team is None:
        return "-"
    users = sorted((u.name, u.roles, u.profile) for u in team.users.values())
    # the file's name too: BP305's message names it ("... in .blueprint/team.yaml")
    return repr((users, sorted(team.extra_roles), sorted(team.extra_profiles), team.source))


def _settings(job: Job, team_key: str) -> str:
    return repr((job.display, job.selection, job.explicit, job.blueprints_only, team_key))


def lint_job(item: Work) -> Entry:
    """One file's findings, from its bytes if already read (else read here), stored in the cache."""
    job, team, team_key, cache, raw = item
    if raw is None:
        try:
            raw = read_user_file(job.path)
        except UnreadableFile as exc:
            return unreadable_entry(exc, job)
    entry, cacheable = lint_bytes(raw, job, team)
    if cache is not None and cacheable:
        cache.put(cache.key(raw, _settings(job, team_key)), entry)
    return entry


def unreadable_entry(exc: UnreadableFile, job: Job) -> Entry:
    """A FIFO or device found in a folder, a file too large: a finding (never cached)."""
    from blueprint_cli.language.loader import unreadable

    return Entry(True, [unreadable(exc, job.display)])


def lint_bytes(raw: bytes, job: Job, team: Team | None) -> tuple[Entry, bool]:
    """One file's findings (and whether they may be cached: a scenario file's
    depend on other files)."""
    inspected = inspect_bytes(raw, job, team)
    return inspected.entry, inspected.cacheable


class Inspected(NamedTuple):
    """One file linted, with what checking it built (for the language server,
    which answers questions about the file from the same work)."""

    entry: Entry
    cacheable: bool
    kind: Kind
    document: Document | None = None
    #: a blueprint's model (None when it could not be built)
    blueprint: Blueprint | None = None
    #: a scenario file, read and checked (its `blueprint` is the one it tests)
    scenarios: LoadedFile | None = None


def inspect_bytes(raw: bytes, job: Job, team: Team | None, fixes: bool = True) -> Inspected:
    """`lint_bytes`, keeping the document and the model it checked; without
    `fixes`, the findings come without their fixes (cheaper)."""
    from blueprint_cli.check.check import Checked, check_document, selected, with_duplicate_fixes
    from blueprint_cli.language.loader import load_bytes

    path, display, selection = job.path, job.display, job.selection
    doc, diags = load_bytes(raw, display)
    kind = kind_of(path.name, doc.data if doc is not None else None, path.parent.name)
    cacheable = True
    checked_codes: set[str] = set()
    model: Blueprint | None = None
    loaded: LoadedFile | None = None
    if kind != "blueprint":
        if not job.explicit or job.blueprints_only:
            return Inspected(Entry(False, []), True, kind, doc)
        if kind == "scenarios":
            from blueprint_cli.scenarios.loader import load
            from blueprint_cli.scenarios.rules import catalogue as scenario_rules

            # the text given, not the file on disk: an editor's buffer is linted as typed
            loaded = load(path, display, text=raw.decode("utf-8") if doc is not None else None)
            diags = loaded.diagnostics
            checked_codes = set(scenario_rules()) if doc is not None else set()
            cacheable = False
        elif kind == "team":
            from blueprint_cli.language.team import Team

            _, diags = Team.check(path, display)
            checked_codes = set(_STAGE_CODES) if doc is not None else set()
        else:
            at = doc.at(()) if doc is not None else None
            diags = _settings_file(path, display, kind, (at.line, at.col) if at else (1, 1))
        # these checks read the file from disk, not `raw`: `--fix` (which lints the
        # text it is fixing) could not see its own edits, so they offer no fix
        diags = [replace(d, fix=None) if d.fix is not None else d for d in diags]
        checked = Checked(None, diags)
    elif doc is None:
        checked = Checked(None, diags, whole=False)
    else:
        checked = check_document(doc, team, selection, fixes)
        diags = (with_duplicate_fixes(doc, diags) if fixes else diags) + checked.diagnostics
        checked_codes = set(_STAGE_CODES) | set(checked.ran)
        model = checked.blueprint
    kept = selected(checked, diags, selection)
    if doc is not None:
        from blueprint_cli.check import suppressions

        kept = suppressions.apply(raw.decode("utf-8"), display, kept, {c for c in checked_codes if selection.wants(c)},
                                  lambda c: is_known_code(c, exact=True), selection.wants)
    if selection.severity:
        kept = [d if (s := selection.severity_of(d.code, d.severity)) is d.severity else replace(d, severity=s)
                for d in kept]
    return Inspected(Entry(True, kept), cacheable, kind, doc, model, loaded)


def _settings_file(path: Path, display: str, kind: str, at: tuple[int, int]) -> list[Diagnostic]:
    """A workspace settings file: checked against its schema and by the code
    that uses its values (`config.lint_file`). Anything else is not a
    blueprint (BP003)."""
    if kind == "other":
        return [Diagnostic("BP003", Severity.ERROR, "this is not a blueprint: it has none of the top-level keys "
                           "`blueprint`, `states` and `transitions`", display, *at,
                           hint="a blueprint starts with `blueprint: ID`; --blueprints-only skips other files")]
    from blueprint_cli.workspace.settings import lint_file

    return lint_file(path, display)


def discover(paths: Sequence[Path]) -> list[Path]:
    """The files a folder walk lints (see `walk`), without configuration."""
    return [f for f, _ in walk(paths)]

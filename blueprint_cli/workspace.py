"""A workspace: the `.blueprint/` folder with the team file, the published
blueprints and the record store — and the operations users run in it.

Each operation reads what it needs, calls the pure engine, commits through the
store, then carries out outside effects (`actions`). Nothing here prints; the
CLI turns the results into output and exit codes.

Versions: records remember the blueprint version they follow. Publishing a new
version moves records out of states it deletes (`--move OLD=NEW`, refused
otherwise), so every record's state exists in the latest version; other records
follow the latest version from their next read, and their next write records it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from blueprint_cli import engine
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine import Inputs, Moved, Option, Refusal
from blueprint_cli.model import Blueprint, FieldDef, build
from blueprint_cli.records import HistoryEntry, Record
from blueprint_cli.store import FORMAT, CorruptFile, PublishedBlueprint, StoredRecord
from blueprint_cli.store.files import atomic_write
from blueprint_cli.store.jsonstore import JsonStore
from blueprint_cli.suggest import did_you_mean
from blueprint_cli.team import Team, User

DIRNAME = ".blueprint"
MARKER = "workspace.json"
ENV = "BLUEPRINT_WORKSPACE"
INIT_HINT = "run `blueprint init` to create one here, or pass --workspace DIR"

CONFIG_TEXT = """\
# blueprint workspace settings
format: 1
# Outgoing e-mail is written here, one .eml file per message, unless `smtp` names a server.
outbox: outbox
# Send e-mail over SMTP instead (the password comes from the environment variable named):
# smtp: {host: smtp.example.com, port: 587, starttls: true, user: blueprint,
#        password_env: BLUEPRINT_SMTP_PASSWORD, from: "Blueprint <blueprint@example.com>"}
# Webhooks: seconds per try, tries in all, seconds before the 2nd try (doubling):
# webhooks: {timeout: 10, attempts: 3, backoff: 1}
# Working time for `2 business_days` / `4 business_hours`:
# calendar: {days: [mon, tue, wed, thu, fri], hours: "09:00-17:00", time_zone: Europe/Berlin, holidays: []}
"""


def now() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


# ----- finding and creating a workspace ---------------------------------------------------

def find(explicit: Path | None = None, cwd: Path | None = None) -> Workspace:
    """`--workspace DIR` (the .blueprint folder or one holding it), else
    `$BLUEPRINT_WORKSPACE`, else the nearest `.blueprint/` upward."""
    given = explicit if explicit is not None else (Path(os.environ[ENV]) if os.environ.get(ENV) else None)
    if given is not None:
        given = given.expanduser()
        if not given.exists():
            raise BlueprintError(f"no such folder: {given}", hint=INIT_HINT)
        for candidate in (given, given / DIRNAME):
            if (candidate / MARKER).is_file():
                return Workspace(candidate.resolve())
        raise BlueprintError(f"{given} is not a blueprint workspace (no {DIRNAME}/ in it)", hint=INIT_HINT)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DIRNAME / MARKER).is_file():
            return Workspace(folder / DIRNAME)
    raise BlueprintError(f"no blueprint workspace in {here} or any folder above it", hint=INIT_HINT)


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
    if not value.startswith(("postgresql://", "postgres://")):
        raise BlueprintError(f"{root / 'config.yaml'}: store {value!r} is neither `json` nor a postgresql:// URL")
    return value


def open_store(root: Path) -> Any:
    """The workspace's store: JSON files in `root`, or PostgreSQL (connects on first use)."""
    url = configured_store(root)
    if url is None:
        return JsonStore(root)
    from blueprint_cli.store.postgres import PostgresStore

    return PostgresStore(url)


def _data(name: str) -> str:
    return resources.files("blueprint_cli").joinpath("data", name).read_text(encoding="utf-8")


def sample_blueprint_text() -> str:
    # the copy in the package points its schema modeline at the repository; drop it
    lines = _data("deal-follow-up.yaml").splitlines(keepends=True)
    while lines and ("yaml-language-server" in lines[0] or lines[0].strip() == "#"):
        lines.pop(0)
    return "".join(lines)


@dataclass
class InitResult:
    workspace: Workspace
    sample: Path | None = None
    published: PublishResult | None = None
    #: why the sample (a file already there, edited by the user) could not be published
    not_published: str | None = None


def init(folder: Path, *, sample: bool = True, user: str = "admin", at: datetime | None = None,
         store: str | None = None) -> InitResult:
    """Create `folder/.blueprint/` with a team file, settings, an empty store and
    (unless `sample=False`) the deal sample written to `folder/blueprints/` and published.
    `store`: a postgresql:// URL to keep records in PostgreSQL instead; its tables are
    created, and config.yaml keeps the URL without a password."""
    folder = folder.expanduser()
    if folder.exists() and not folder.is_dir():
        raise BlueprintError(f"{folder} is a file, not a folder")
    root = folder / DIRNAME
    if (root / MARKER).exists():
        raise BlueprintError(f"{root} is already a workspace", exit_code=1,
                             hint="use it as it is, or remove that folder to start over")
    shared = None
    if store:
        from blueprint_cli.store.postgres import PostgresStore

        shared = PostgresStore.init(store)
    root.mkdir(parents=True, exist_ok=True)
    team = root / "team.yaml"
    if not team.exists():
        atomic_write(team, _data("team.yaml").encode())
    config = root / "config.yaml"
    if not config.exists():
        text = CONFIG_TEXT
        if shared is not None:
            text += ("# Records live in PostgreSQL. The password is never kept here: it comes from\n"
                     "# $BLUEPRINT_PG_PASSWORD, $PGPASSWORD or ~/.pgpass.\n"
                     f"store: {shared.url}\n")
        atomic_write(config, text.encode())
    (root / ".gitignore").write_text("locks/\n", encoding="utf-8")
    if shared is None:
        JsonStore.init(root)
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
            result.published = ws.publish(target, user=user, at=at)
        except BlueprintError as exc:  # the workspace is made; a broken file there must not undo that
            result.not_published = exc.message
    return result


# ----- results ----------------------------------------------------------------------------

@dataclass
class PublishResult:
    blueprint: str
    version: int
    unchanged: bool = False
    #: old state -> (new state, record ids moved)
    moved: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


@dataclass
class Created:
    record: Record
    #: why no blueprint took the record, when none did
    not_governed: list[str] = field(default_factory=list)


@dataclass
class MoveResult:
    record: Record
    outcome: Moved | Refusal
    blueprint: Blueprint

    @property
    def refused(self) -> bool:
        return isinstance(self.outcome, Refusal)


# ----- the workspace ----------------------------------------------------------------------

class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = open_store(root)
        self._team: Team | None = None
        self._built: dict[tuple[str, int], Blueprint] = {}
        self._config: dict[str, Any] | None = None
        #: how delivery waits between retries (tests put a recorder here: they never sleep)
        self.sleep: Any = None
        #: where delivery reads secrets and passwords (default: os.environ)
        self.env: Mapping[str, str] | None = None

    # ----- settings (config.yaml) ----------------------------------------------------------

    @property
    def config(self) -> dict[str, Any]:
        """`config.yaml` as data, read once and only when a setting is needed."""
        if self._config is None:
            from blueprint_cli.loader import load_file

            path = self.root / "config.yaml"
            if not path.exists():
                self._config = {}
            else:
                doc, diags = load_file(path)
                if doc is None:
                    d = diags[0]
                    raise BlueprintError(f"cannot read {d.file}:{d.line}:{d.col}: {d.message}")
                if doc.data is not None and not isinstance(doc.data, dict):
                    raise BlueprintError(f"{path}: the settings must be a mapping (key: value lines)")
                self._config = dict(doc.data or {})
        return self._config

    @property
    def calendar(self) -> Any:
        """The working calendar for business durations (`calendar.WorkingCalendar`)."""
        from blueprint_cli.calendar import CalendarError, from_config

        try:
            return from_config(self.config.get("calendar"), str(self.root / "config.yaml"))
        except CalendarError as exc:
            raise BlueprintError(str(exc), hint="see the README, section 'Business time: the working calendar'") from None

    @property
    def delivery(self) -> Any:
        """How e-mails and webhooks go out (`delivery.DeliverySettings`)."""
        from blueprint_cli.delivery import DeliveryConfigError, from_config

        try:
            return from_config(self.config, str(self.root / "config.yaml"))
        except DeliveryConfigError as exc:
            raise BlueprintError(str(exc), hint="see the README, sections 'E-mail' and 'Webhooks'") from None

    def deliver(self, record: Record, entry: HistoryEntry, effects: Sequence[engine.Effect],
                at: datetime) -> tuple[Record, HistoryEntry]:
        """Send what a committed entry's actions produced; the entry with each
        outcome filled in, and the record with its count of undelivered ones."""
        from blueprint_cli.actions import deliver

        results = deliver(effects, self.outbox, settings=self.delivery, sleep=self.sleep, env=self.env,
                          at=engine.iso(at))
        actions = list(entry.actions)
        for index, result in results.items():
            actions[index] = result
        done = replace(entry, actions=tuple(actions))
        count = max(0, record.undelivered + done.undelivered - entry.undelivered)
        return replace(record, undelivered=count), done

    @property
    def folder(self) -> Path:
        """The project folder that holds `.blueprint/`."""
        return self.root.parent

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def team(self) -> Team:
        if self._team is None:
            self._team = Team.load(self.root / "team.yaml")
        return self._team

    def user(self, name: str) -> User:
        return self.team.user(name)

    # ----- blueprints -------------------------------------------------------------------

    def published(self) -> list[PublishedBlueprint]:
        return self.store.published()

    def blueprint(self, blueprint_id: str, version: int | None = None) -> Blueprint:
        if version is not None and (blueprint_id, version) in self._built:
            return self._built[(blueprint_id, version)]
        pubs = {p.id: p for p in self.published()}
        if blueprint_id not in pubs:
            hint = did_you_mean(blueprint_id, list(pubs))
            raise BlueprintError(f"no published blueprint {blueprint_id!r} in this workspace",
                                 hint=hint or "see `blueprint publish FILE`")
        version = version or pubs[blueprint_id].latest
        key = (blueprint_id, version)
        if key not in self._built:
            self._built[key] = build(dict(self.store.blueprint_data(blueprint_id, version)),
                                     f"{blueprint_id} v{version}")
        return self._built[key]

    def candidates(self, module: str | None = None) -> list[Blueprint]:
        """Latest versions in the order entry tries them (SPEC §4)."""
        pubs = [p for p in self.published() if module is None or p.module.casefold() == module.casefold()]
        return engine.entry_order((p.seq, self.blueprint(p.id, p.latest)) for p in pubs)

    def publish(self, path: Path, *, moves: Mapping[str, str] | None = None, priority: int | None = None,
                user: str = "", at: datetime | None = None) -> PublishResult:
        """Lint the file (errors refuse it), then store it as the next version."""
        from blueprint_cli.lint import load_blueprint
        from blueprint_cli.loader import load_file

        bp = load_blueprint(path, self.team.names())
        doc, _ = load_file(path)
        assert doc is not None
        data = doc.data
        text = path.read_text(encoding="utf-8")
        moment = at or now()
        moves = dict(moves or {})
        with self.store.publishing() as pub:
            current = {p.id: p for p in self.store.published()}.get(bp.id)
            if priority is None:
                priority = bp.priority
            old: Blueprint | None = None
            if current is not None:
                old = self.blueprint(bp.id, current.latest)
                same = dict(self.store.blueprint_data(bp.id, current.latest)) == data
                if same and not moves and priority == current.priority:
                    return PublishResult(bp.id, current.latest, unchanged=True)
            deleted = [s for s in (old.state_names if old else ()) if bp.state(s) is None]
            for src, dst in moves.items():
                if src not in deleted:
                    choices = deleted or (old.state_names if old else ())
                    raise BlueprintError(f"--move {src!r}: not a state this version deletes",
                                         hint=did_you_mean(src, choices) or
                                         (f"it deletes: {', '.join(deleted)}" if deleted else "it deletes no state"))
                if bp.state(dst) is None:
                    raise BlueprintError(f"--move {src}={dst}: {dst!r} is not a state of the new version",
                                         hint=did_you_mean(dst, bp.state_names) or f"states: {', '.join(bp.state_names)}")
            stuck = {s: pub.record_ids_in(bp.id, s) for s in deleted}
            unplaced = {s: ids for s, ids in stuck.items() if ids and s not in moves}
            if unplaced:
                lines = [f"{s}: {len(ids)} record{'s' if len(ids) != 1 else ''} ({_few(ids)})" for s, ids in unplaced.items()]
                example = next(iter(unplaced))
                raise BlueprintError(
                    f"{path} deletes state{'s' if len(unplaced) > 1 else ''} that records are in:\n  " + "\n  ".join(lines),
                    hint=f"say where they go, e.g. --move \"{example}={bp.entry_state}\"", exit_code=1)
            version = current.latest + 1 if current else 1
            meta = {"published_at": engine.iso(moment), "published_by": user, "source": str(path)}
            pub.save_version(bp.id, version, text, data, meta)
            result = PublishResult(bp.id, version)
            for src, ids in stuck.items():
                if not ids:
                    continue
                dst = moves[src]
                for record_id in ids:
                    with pub.transaction(record_id) as txn:
                        rec = txn.current.record
                        if rec.state != src:
                            continue
                        new = replace(rec, state=dst, version=version, pending=(), state_since=engine.iso(moment),
                                      updated_at=engine.iso(moment))
                        txn.commit(new, [HistoryEntry(
                            at=engine.iso(moment), user=user, kind="migrate", from_state=src, to_state=dst,
                            note=f"version {version} of {bp.id} deletes {src}", version=version)])
                result.moved[src] = (dst, ids)
            pub.activate(bp.id, version, bp.module, priority, meta)
        self._built.pop((bp.id, version), None)
        return result

    # ----- reading records ----------------------------------------------------------------

    def current(self, record: Record,
                published: Mapping[str, PublishedBlueprint] | None = None) -> tuple[Blueprint | None, Record]:
        """The record as it follows the latest version of its blueprint."""
        if record.blueprint is None:
            return None, record
        pub = (published if published is not None else {p.id: p for p in self.published()}).get(record.blueprint)
        if pub is None:
            raise BlueprintError(f"record {record.id} follows blueprint {record.blueprint!r}, "
                                 "which is not published in this workspace", exit_code=1)
        bp = self.blueprint(record.blueprint, pub.latest)
        if record.version != pub.latest:
            if bp.state(record.state or "") is None:
                raise BlueprintError(
                    f"record {record.id} is in {record.state!r}, which version {pub.latest} of {bp.id} does not have",
                    hint=f"publish again with --move \"{record.state}=STATE\"", exit_code=1)
            parts = {(t.name, p.name) for t in bp.transitions for p in t.parallel}
            record = replace(record, version=pub.latest,
                             pending=tuple(p for p in record.pending if (p.transition, p.part) in parts))
        return bp, record

    def get(self, record_id: str) -> tuple[Blueprint | None, Record, StoredRecord]:
        stored = self.store.get(record_id)
        bp, record = self.current(stored.record)
        return bp, record, stored

    def records(self, *, blueprint: str | None = None, state: str | None = None, module: str | None = None,
                where: Any = None, errors: list[CorruptFile] | None = None) -> list[Record]:
        from blueprint_cli import criteria

        if blueprint is not None:
            self.blueprint(blueprint)  # unknown id: a usage error with did-you-mean
        if state is not None:
            states = {s for b in self.candidates() for s in b.state_names
                      if blueprint is None or b.id == blueprint}
            if state not in states:
                hint = did_you_mean(state, states)
                raise BlueprintError(f"no state {state!r} in " + (blueprint or "any published blueprint"),
                                     hint=hint or f"states: {', '.join(sorted(states))}")
        if where is not None:
            from blueprint_cli.model import iter_conditions

            known = {"state", "owner", "tags", "id", "module"}
            for b in self.candidates():
                known |= {f.name for f in b.fields} | {b.field}
            for cond in iter_conditions(where):
                if cond.field not in known:
                    raise BlueprintError(f"--where: unknown field {cond.field!r}",
                                         hint=did_you_mean(cond.field, known) or f"fields: {', '.join(sorted(known))}")
        out = []
        published = {p.id: p for p in self.published()}
        for record in self.store.scan(blueprint=blueprint, state=state, errors=errors):
            if module is not None and record.module.casefold() != module.casefold():
                continue
            bp, record = self.current(record, published)
            if where is not None and not criteria.evaluate(where, record.values(bp.field if bp else None)):
                continue
            out.append(record)
        return out

    # ----- changing records ---------------------------------------------------------------

    def _module_fields(self, module: str, first: Blueprint | None = None) -> dict[str, FieldDef]:
        defs: dict[str, FieldDef] = {}
        for bp in ([first] if first else []) + self.candidates(module):
            for f in bp.fields:
                defs.setdefault(f.name, f)
        return defs

    def _check_owner(self, owner: str) -> None:
        if self.team.users and owner not in self.team.users:
            raise BlueprintError(f"unknown user {owner!r}",
                                 hint=did_you_mean(owner, self.team.users) or
                                 f"users in {self.root / 'team.yaml'}: {', '.join(self.team.users)}")

    def create(self, module: str, values: Mapping[str, Any], *, user: str, owner: str | None = None,
               blueprint: str | None = None, at: datetime | None = None) -> Created:
        moment = at or now()
        with self.store.session():
            modules = sorted({p.module for p in self.published()})
            match = next((m for m in modules if m.casefold() == module.casefold()), None)
            if match is None:
                hint = did_you_mean(module, modules)
                raise BlueprintError(f"no published blueprint governs module {module!r}",
                                     hint=hint or (f"modules: {', '.join(modules)}" if modules
                                                   else "publish one first: `blueprint publish FILE`"))
            chosen = self.blueprint(blueprint) if blueprint else None
            if chosen is not None and chosen.module.casefold() != module.casefold():
                raise BlueprintError(f"blueprint {chosen.id} governs {chosen.module}, not {module}")
            candidates = [chosen] if chosen else self.candidates(match)
            state_fields = {b.field for b in self.candidates(match)}
            for name in values:
                if name in state_fields:
                    raise BlueprintError(f"{name!r} is a state field: a new record starts in its blueprint's "
                                         "entry state and moves only through transitions", exit_code=1)
            if owner is not None:
                self._check_owner(owner)
            typed = engine.parse_values(self._module_fields(match, chosen), values, None, f"module {match}")
            bp, why = engine.choose_blueprint(candidates, match, typed)
            if chosen is not None and bp is None:
                raise BlueprintError(f"the record does not enter {chosen.id}: " + "; ".join(w.split(": ", 1)[1] for w in why),
                                     exit_code=1)
            if bp is not None:  # re-check with the chosen blueprint's own definitions
                typed = {**typed, **engine.parse_values(engine.field_defs(bp), {k: v for k, v in values.items()
                                                                             if bp.field_def(k)}, bp.field, bp.id)}
            version = {p.id: p.latest for p in self.published()}.get(bp.id) if bp else None

            def make(record_id: str) -> tuple[Record, HistoryEntry]:
                return engine.create(bp, record_id=record_id, module=match, version=version,
                                     owner=owner or user, values=typed, user=user, now=moment)

            return Created(self.store.create(make), why if bp is None else [])

    def set_fields(self, record_id: str, values: Mapping[str, Any], *, user: str,
                   at: datetime | None = None) -> tuple[Record, list[HistoryEntry]]:
        """Edit fields outside a transition; an ungoverned record that now matches
        a blueprint's entry criteria enters it."""
        moment = at or now()
        with self.store.transaction(record_id) as txn:
            bp, record = self.current(txn.current.record)
            defs = self._module_fields(record.module, bp)
            state_fields = {b.field for b in self.candidates(record.module)} | ({bp.field} if bp else set())
            for name in values:
                if name in state_fields or name == "state":
                    raise BlueprintError(f"{name!r} is the state field: it changes only through transitions",
                                         hint=f"see what record {record_id} can do: `blueprint next {record_id}`",
                                         exit_code=1)
            typed = engine.parse_values(defs, values, None, bp.id if bp else f"module {record.module}")
            if "owner" in typed:
                self._check_owner(str(typed["owner"]))
            edited = engine.edit(bp, record, typed, user, moment)
            entries: list[HistoryEntry] = []
            if edited is not None:
                record, entry = edited
                entries.append(entry)
            if record.blueprint is None:
                versions = {p.id: p.latest for p in self.published()}
                target, _ = engine.choose_blueprint(self.candidates(record.module), record.module,
                                                    record.values())
                if target is not None:
                    record, entry = engine.enter(target, record, versions[target.id], user, moment)
                    entries.append(entry)
            if entries:
                txn.commit(record, entries)
            return record, entries

    def options(self, record_id: str, user: str) -> tuple[Record, Blueprint | None, list[Option]]:
        bp, record, _ = self.get(record_id)
        if bp is None:
            return record, None, []
        return record, bp, engine.options(bp, record, self.user(user))

    def move(self, record_id: str, transition: str, inputs: Inputs, *, user: str,
             at: datetime | None = None) -> MoveResult:
        """Perform a transition (or a part of one): commit the record and its
        history entry, then send what the actions produced and record the outcome."""
        moment = at or now()
        for path in inputs.attachments:
            if not Path(path).is_file():
                raise BlueprintError(f"no such file to attach: {path}")
        with self.store.transaction(record_id) as txn:
            bp, record = self.current(txn.current.record)
            if bp is None:
                raise BlueprintError(f"record {record_id} is not governed by any blueprint, so it has no transitions",
                                     hint="`blueprint record set` can change its fields so that it enters one",
                                     exit_code=1)
            outcome = engine.move(bp, record, self.user(user), transition, inputs, moment, self.team,
                                  calendar=LazyCalendar(self))
            if isinstance(outcome, Refusal):
                return MoveResult(record, outcome, bp)
            entry = outcome.entry
            if inputs.attachments:
                entry = replace(entry, attachments=tuple(self._attach(record_id, inputs.attachments)))
            # committed before anything is sent: a failed delivery never undoes the move
            moved = replace(outcome.record, undelivered=outcome.record.undelivered + entry.undelivered)
            txn.commit(moved, [entry])
            if outcome.effects:
                moved, entry = self.deliver(moved, entry, outcome.effects, moment)
                txn.commit(moved, amend={-1: entry})
            return MoveResult(moved, replace(outcome, record=moved, entry=entry), bp)

    def tag(self, record_id: str, add: Sequence[str], remove: Sequence[str], *, user: str,
            at: datetime | None = None) -> tuple[Record, HistoryEntry | None]:
        """Add and remove tags (recorded in the history as an edit)."""
        for tag in [*add, *remove]:
            if not tag.strip() or any(ch.isspace() or ch == "," for ch in tag):
                raise BlueprintError(f"{tag!r} is not a tag", hint="a tag is one word: letters, digits, - and _")
        with self.store.transaction(record_id) as txn:
            _, record = self.current(txn.current.record)
            changed = engine.retag(record, add, remove, user, at or now())
            if changed is None:
                return record, None
            txn.commit(changed[0], [changed[1]])
            return changed

    def complete_task(self, record_id: str, task_id: int, *, user: str,
                      at: datetime | None = None) -> tuple[Record, HistoryEntry]:
        with self.store.transaction(record_id) as txn:
            _, record = self.current(txn.current.record)
            record, entry = engine.complete_task(record, task_id, user, at or now())
            txn.commit(record, [entry])
            return record, entry

    def _attach(self, record_id: str, paths: Sequence[str]) -> list[str]:
        """Copy attachments into the workspace; the history keeps their paths in it."""
        folder = self.root / "attachments" / record_id
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for given in paths:
            src = Path(given)
            n = 1
            while (target := folder / f"{n}-{src.name}").exists():
                n += 1
            tmp = folder / f".{target.name}.tmp"
            shutil.copyfile(src, tmp)
            os.replace(tmp, target)
            out.append(str(target.relative_to(self.root)))
        return out

    def history(self, record_id: str) -> tuple[Record, list[HistoryEntry]]:
        _, record, stored = self.get(record_id)
        return record, stored.history


class LazyCalendar:
    """The workspace calendar, read from config.yaml only if a business duration needs it."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._calendar: Any = None

    def add(self, moment: datetime, duration: Any) -> datetime:
        if self._calendar is None:
            self._calendar = self.ws.calendar
        return self._calendar.add(moment, duration)  # type: ignore[no-any-return]


def _few(ids: Sequence[str], limit: int = 10) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")

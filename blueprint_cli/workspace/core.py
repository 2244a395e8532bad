"""The workspace: the `.blueprint/` folder with the team file, the settings, the
published blueprints and the record store — and the record operations users run
in it (create, set, move, tag, tasks, history).

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
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blueprint_cli import engine
from blueprint_cli.workspace.settings import Config
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.language.durations import Duration
from blueprint_cli.engine import Inputs, Moved, Option, Refusal, permissions
from blueprint_cli.language.model import Blueprint, Criterion, FieldDef, build
from blueprint_cli.engine.records import HistoryEntry, Record
from blueprint_cli.store import CorruptFile, PublishedBlueprint, Store, StoredRecord, Write
from blueprint_cli.language.suggest import did_you_mean
from blueprint_cli.language.team import Team, User
from blueprint_cli.usertext import check_text
from blueprint_cli.language.times import use_zone
from blueprint_cli.workspace.commit import Change, apply, check_settings, single
from blueprint_cli.workspace.clock import not_before, now
from blueprint_cli.workspace.location import find_root, store_of

if TYPE_CHECKING:
    from blueprint_cli.language.calendar import WorkingCalendar
    from blueprint_cli.actions.delivery import DeliverySettings, Sleep
    from blueprint_cli.actions.delivery.pool import Circuit


# ----- results ----------------------------------------------------------------------------

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

class OpenRecords:
    """A user's open records (not in a final state) under one blueprint, counted
    from the store on first use only — an `assign` to a role asks, nothing else
    does — and kept up to date as the command changes records (`moved`)."""

    def __init__(self, ws: Workspace, bp: Blueprint) -> None:
        self.ws, self.bp = ws, bp
        self.finals = frozenset(bp.final_states)
        self.counts: dict[str, int] | None = None

    def __call__(self, user: str) -> int:
        if self.counts is None:
            self.counts = {}
            for record in self.ws.records(blueprint=self.bp.id):
                self._add(record, 1)
        return self.counts.get(user, 0)

    def moved(self, before: Record, after: Record) -> None:
        """A record changed (its owner or state may have): count it anew."""
        if self.counts is not None:
            self._add(before, -1)
            self._add(after, 1)

    def _add(self, record: Record, n: int) -> None:
        assert self.counts is not None
        if record.blueprint == self.bp.id and record.state not in self.finals:
            self.counts[record.owner] = self.counts.get(record.owner, 0) + n


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        #: config.yaml, read once and only as far as a command needs it
        self.settings = Config.of(root)
        self.store: Store = store_of(root, self.settings)
        self._team: Team | None = None
        self._built: dict[tuple[str, int], Blueprint] = {}
        self._workloads: dict[str, OpenRecords] = {}
        #: how delivery waits between retries (tests put a recorder here: they never sleep)
        self.sleep: Sleep | None = None
        #: where delivery reads secrets, passwords and proxies (default: os.environ)
        self.env: Mapping[str, str] | None = None
        self._circuit: Circuit | None = None
        # a time written without an offset (a field's value, a criterion's) is in this workspace's zone
        use_zone(lambda: self.zone)

    # ----- settings (config.yaml, read by `config.Config`) -------------------------------

    @property
    def calendar(self) -> WorkingCalendar:
        """The working calendar for business durations."""
        return self.settings.calendar

    @property
    def zone(self) -> tzinfo | None:
        """The zone a time written without an offset is in: the calendar's
        `time_zone`, else None (the machine's local zone)."""
        return self.settings.calendar.zone

    @property
    def delivery(self) -> DeliverySettings:
        """How e-mails and webhooks go out."""
        return self.settings.delivery

    @property
    def circuit(self) -> Circuit:
        """Endpoints that did not answer earlier in this command (not tried again)."""
        if self._circuit is None:
            from blueprint_cli.actions.delivery.pool import Circuit

            self._circuit = Circuit()
        return self._circuit

    @property
    def folder(self) -> Path:
        """The project folder that holds `.blueprint/`."""
        return self.root.parent

    @property
    def outbox(self) -> Path:
        """Where e-mail is written when no SMTP server is set (`outbox:` in config.yaml)."""
        return self.settings.outbox

    @property
    def team(self) -> Team:
        if self._team is None:
            self._team = Team.load(self.root / "team.yaml")
        return self._team

    def user(self, name: str) -> User:
        return self.team.user(name)

    def actor(self, name: str, *, given: bool = True) -> str:
        """`name` as the user a command acts as. When the team file lists users,
        someone not in it is refused (a typo in `--as` must not become a record
        owner or a history entry), unless config.yaml says `unknown_users: allow`.
        `given`: the name was given (`--as`, $BLUEPRINT_USER), not the OS user's."""
        users = self.team.users
        if not users or name in users or self.settings.unknown_users_allowed:
            return name
        team = self.root / "team.yaml"
        who = f"unknown user {name!r}" if given else f"you act as {name!r} (the OS user), who is not a user"
        listed = ", ".join(list(users)[:10]) + (", ..." if len(users) > 10 else "")
        hint = did_you_mean(name, users)
        raise BlueprintError(f"{who} in {team}" if given else f"{who} of {team}",
                             hint=(f"{hint} Act" if hint else "act") + f" as one of them with --as NAME or "
                                  f"$BLUEPRINT_USER ({listed}); `unknown_users: allow` in "
                                  f"{self.root / 'config.yaml'} lets anyone act")

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
        """Latest versions in the order entry tries them."""
        pubs = [p for p in self.published() if module is None or p.module.casefold() == module.casefold()]
        return engine.entry_order((p.seq, self.blueprint(p.id, p.latest)) for p in pubs)

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
                where: Criterion | None = None, errors: list[CorruptFile] | None = None) -> list[Record]:
        from blueprint_cli.language import criteria

        self._check_listing(blueprint, state)
        if where is not None:
            from blueprint_cli.language.model import iter_conditions
            from blueprint_cli.language.where import Vocabulary

            known = set(Vocabulary.BUILTINS)
            for b in self.candidates():
                known |= {f.name for f in b.fields} | {b.field}
            for cond in iter_conditions(where):
                if cond.field not in known:
                    raise BlueprintError(f"--where: unknown field {cond.field!r}",
                                         hint=did_you_mean(cond.field, known) or f"fields: {', '.join(sorted(known))}")
        out = []
        published = {p.id: p for p in self.published()}
        if where is not None:
            from blueprint_cli.engine.due import where_values
            from blueprint_cli.language.where import mentions

            moment, sla, calendar = now(), mentions(where, ("sla", "sla_level")), LazyCalendar(self)
            timed: dict[Any, Any] = {}  # each state's timers, worked out once
        for record in self.store.scan(blueprint=blueprint, state=state, errors=errors):
            if module is not None and record.module.casefold() != module.casefold():
                continue
            bp, record = self.current(record, published)
            if where is not None and not criteria.evaluate(
                    where, where_values(bp, record, moment, calendar, sla=sla, timed=timed)):
                continue
            out.append(record)
        return out

    def _check_listing(self, blueprint: str | None, state: str | None) -> None:
        if blueprint is not None:
            self.blueprint(blueprint)  # unknown id: a usage error with did-you-mean
        if state is not None:
            states = {s for b in self.candidates() for s in b.state_names
                      if blueprint is None or b.id == blueprint}
            if state not in states:
                hint = did_you_mean(state, states)
                raise BlueprintError(f"no state {state!r} in " + (blueprint or "any published blueprint"),
                                     hint=hint or f"states: {', '.join(sorted(states))}")

    def first_in_state(self, state: str, *, blueprint: str | None = None, limit: int, newest: bool = False,
                       errors: list[CorruptFile] | None = None) -> tuple[list[Record], int]:
        """The first `limit` records in `state` in id order (`newest`: the highest
        ids, the last created, first) and how many the state holds, from the
        store's index: only the records shown are read, so the first page of a
        state holding 20,000 records costs as much as one of 20."""
        from blueprint_cli.store import UnknownRecord, id_order

        self._check_listing(blueprint, state)
        published = {p.id: p for p in self.published()}
        ids = [(bp.id, i) for bp in self.candidates() if (blueprint is None or bp.id == blueprint)
               and bp.state(state) is not None for i in self.store.ids(blueprint=bp.id, state=state)]
        ids.sort(key=lambda pair: id_order(pair[1]), reverse=newest)
        out: list[Record] = []
        stale = 0
        for bp_id, record_id in ids:
            if len(out) >= limit:
                break
            try:
                record = self.store.get(record_id).record
            except UnknownRecord:
                stale += 1
                continue
            except CorruptFile as exc:
                if errors is None:
                    raise
                errors.append(exc)
                continue
            if record.blueprint != bp_id or record.state != state:
                stale += 1  # a marker a crash left: the record is elsewhere
                continue
            out.append(self.current(record, published)[1])
        return out, len(ids) - stale

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

    def unknown_state(self, bp: Blueprint, state: str) -> str | None:
        """What is wrong with `state` as a state of `bp`'s published version (None: it is one)."""
        if bp.state(state) is not None:
            return None
        hint = did_you_mean(state, bp.state_names)
        return f"no state {state!r} in {bp.id}" + (f" — {hint}" if hint else f" (states: {', '.join(bp.state_names)})")

    def start_refusals(self, bp: Blueprint, state: str, user: str) -> list[str]:
        """Why `user` may not start a record of `bp` at `state` (empty: allowed)."""
        if state == bp.entry_state:
            return []
        return permissions.enter_at_state(self.team, self.user(user), state)

    def create(self, module: str, values: Mapping[str, Any], *, user: str, owner: str | None = None,
               blueprint: str | None = None, at: datetime | None = None, state: str | None = None) -> Created:
        """A new record in the first blueprint that takes it; `state`: start there
        instead of the entry state (entering mid-process, as `enter_at_state` permits)."""
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
            if state is not None:
                if bp is None:
                    refuse(f"start the record at {state!r}: it enters no blueprint", why or ["no blueprint takes it"])
                    raise AssertionError  # pragma: no cover - refuse raised
                unknown = self.unknown_state(bp, state)
                if unknown is not None:
                    raise BlueprintError(unknown)
                refuse(f"create the record at {state!r}", self.start_refusals(bp, state, user))
            if bp is not None:  # re-check with the chosen blueprint's own definitions
                typed = {**typed, **engine.parse_values(engine.field_defs(bp), {k: v for k, v in values.items()
                                                                             if bp.field_def(k)}, bp.field, bp.id)}
            version = {p.id: p.latest for p in self.published()}.get(bp.id) if bp else None

            def make(record_id: str) -> tuple[Record, HistoryEntry]:
                return engine.create(bp, record_id=record_id, module=match, version=version,
                                     owner=owner or user, values=typed, user=user, now=moment, state=state)

            return Created(self.store.create(make), why if bp is None else [])

    def set_fields(self, record_id: str, values: Mapping[str, Any], *, user: str,
                   at: datetime | None = None) -> tuple[Record, list[HistoryEntry]]:
        """Edit fields outside a transition; an ungoverned record that now matches
        a blueprint's entry criteria enters it."""
        with self.store.transaction(record_id) as txn:
            bp, record = self.current(txn.current.record)
            moment = at or not_before(record, now())
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
            if edited is not None:
                refuse(f"change record {record_id}",
                       permissions.changes(bp, self.team, self.user(user), record, edited[1].changes))
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
        return record, bp, engine.options(bp, record, self.user(user), LazyCalendar(self))

    def workload(self, bp: Blueprint) -> OpenRecords:
        """How many open records under `bp` each user owns (for `assign` to a
        role): one count per blueprint for the life of this workspace object, so
        that a bulk or a tick that assigns many records spreads them."""
        found = self._workloads.get(bp.id)
        if found is None:
            found = self._workloads[bp.id] = OpenRecords(self, bp)
        return found

    def move(self, record_id: str, transition: str, inputs: Inputs, *, user: str,
             at: datetime | None = None) -> MoveResult:
        """Perform a transition (or a part of one): commit the record and its
        history entry, then send what the actions produced and record the outcome."""
        for path in inputs.attachments:
            if not Path(path).is_file():  # a FIFO or device would be copied for ever
                what = "not a regular file" if Path(path).exists() else "no such file"
                raise BlueprintError(f"{what} to attach: {path}")
            # the name goes into the history as text: refused before anything is copied
            check_text(Path(path).name, "the name of the file to attach", hint="rename the file with a UTF-8 name")
        with self.store.transaction(record_id) as txn:
            bp, record = self.current(txn.current.record)
            if bp is None:
                raise BlueprintError(f"record {record_id} is not governed by any blueprint, so it has no transitions",
                                     hint="`blueprint record set` can change its fields so that it enters one",
                                     exit_code=1)
            moment = at or not_before(record, now())
            outcome = engine.move(bp, record, self.user(user), transition, inputs, moment, self.team,
                                  calendar=LazyCalendar(self), workload=self.workload(bp))
            if isinstance(outcome, Refusal):
                return MoveResult(record, outcome, bp)
            change = Change(outcome.record, (outcome.entry,), (tuple(outcome.effects),))
            check_settings(self, [change])  # a broken config.yaml refuses before anything is written
            copied = self._attach(record_id, inputs.attachments) if inputs.attachments else []
            if copied:
                change = replace(change, entries=(replace(outcome.entry, attachments=tuple(copied)),))
            commit, written = single(txn.commit), []

            def write(writes: Sequence[Write]) -> None:
                commit(writes)
                written.append(True)
            try:
                # committed before anything is sent: a failed delivery never undoes the move
                [done] = apply(self, write, [change], moment)
            except BaseException:
                if not written:  # the move is not in the history: neither are its attachments
                    for name in copied:
                        (self.root / name).unlink(missing_ok=True)
                raise
            return MoveResult(done.record, replace(outcome, record=done.record, entry=done.entries[0]), bp)

    def tag(self, record_id: str, add: Sequence[str], remove: Sequence[str], *, user: str,
            at: datetime | None = None) -> tuple[Record, HistoryEntry | None]:
        """Add and remove tags (recorded in the history as an edit)."""
        for tag in [*add, *remove]:
            if not tag.strip() or any(ch.isspace() or ch == "," for ch in tag):
                raise BlueprintError(f"{tag!r} is not a tag", hint="a tag is one word: letters, digits, - and _")
        with self.store.transaction(record_id) as txn:
            bp, record = self.current(txn.current.record)
            changed = engine.retag(record, add, remove, user, at or not_before(record, now()))
            if changed is None:
                return record, None
            refuse(f"change the tags of record {record_id}",
                   permissions.changes(bp, self.team, self.user(user), record, [permissions.TAGS]))
            txn.commit(changed[0], [changed[1]])
            return changed

    def complete_task(self, record_id: str, task_id: int, *, user: str,
                      at: datetime | None = None) -> tuple[Record, HistoryEntry]:
        with self.store.transaction(record_id) as txn:
            _, record = self.current(txn.current.record)
            task = next((t for t in record.tasks if t.id == task_id and t.status != "done"), None)
            if task is not None:
                refuse(f"complete task #{task_id} of record {record_id}",
                       permissions.complete(self.team, self.user(user), record, task))
            record, entry = engine.complete_task(record, task_id, user, at or not_before(record, now()))
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


def refuse(what: str, reasons: Sequence[str]) -> None:
    """A refusal (exit 1, nothing changed) naming every reason at once; nothing when there is none."""
    if reasons:
        lines = "\n".join(f"  - {r}" for r in reasons)
        raise BlueprintError(f"cannot {what}:\n{lines}", exit_code=1)


class LazyCalendar:
    """The workspace calendar, read from config.yaml only if a business duration needs it."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def add(self, moment: datetime, duration: Duration) -> datetime:
        if duration.delta is not None:
            return moment + duration.delta  # elapsed time: no settings needed
        return self.ws.calendar.add(moment, duration)


def find(explicit: Path | None = None, cwd: Path | None = None) -> Workspace:
    """The workspace `find_root` finds (`location.py`)."""
    return Workspace(find_root(explicit, cwd))

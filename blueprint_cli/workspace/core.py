"""The workspace as the context every operation runs in: the `.blueprint/`
folder with its settings (config.yaml), the store, the team, the working
calendar and time zone, the delivery settings — and reading what is in it
(published blueprints, records, history, what a user can do next). The
operations that change records are functions of it (`changes`, `bulk`,
`tick`, `retry`, `publishing`, `dataio`). Nothing here prints.

Versions: records remember the blueprint version they follow. Publishing a new
version moves records out of states it deletes (`--move OLD=NEW`, refused
otherwise), so every record's state exists in the latest version; other records
follow the latest version from their next read, and their next write records it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blueprint_cli import engine
from blueprint_cli.workspace.settings import Config
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.language.durations import Duration
from blueprint_cli.engine import Option
from blueprint_cli.language.model import Blueprint, Criterion, build
from blueprint_cli.engine.records import HistoryEntry, Record
from blueprint_cli.store import CorruptFile, PublishedBlueprint, Store, StoredRecord
from blueprint_cli.language.suggest import did_you_mean
from blueprint_cli.language.team import Team, User
from blueprint_cli.language.times import use_zone
from blueprint_cli.workspace.commit import Outlet
from blueprint_cli.workspace.clock import now
from blueprint_cli.workspace.location import find_root, store_of

if TYPE_CHECKING:
    from blueprint_cli.language.calendar import WorkingCalendar
    from blueprint_cli.actions.delivery import DeliverySettings, Sleep
    from blueprint_cli.actions.delivery.pool import Circuit


# ----- results ----------------------------------------------------------------------------

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
    def outlet(self) -> Outlet:
        """What committing needs to deliver (`commit.Outlet`), as a value."""
        return Outlet(self.settings, self.circuit, sleep=self.sleep, env=self.env)

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

    def history(self, record_id: str) -> tuple[Record, list[HistoryEntry]]:
        _, record, stored = self.get(record_id)
        return record, stored.history


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

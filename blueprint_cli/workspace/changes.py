"""Changing records: the operations users run on them — create, set fields,
move, tag, complete a task — as functions of the workspace they run in (the
context: settings, store, team, clock, delivery; `core.Workspace`), beside
`bulk`, `tick` and `retry`.

Each operation reads what it needs, calls the pure engine, commits through the
store under the record's lock, then carries out outside effects (`commit`).
Nothing here prints; the CLI turns the results into output and exit codes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from blueprint_cli import engine
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine import Inputs, Moved, Refusal, permissions
from blueprint_cli.engine.records import HistoryEntry, Record
from blueprint_cli.language.model import Blueprint, FieldDef
from blueprint_cli.language.suggest import did_you_mean
from blueprint_cli.store import Write
from blueprint_cli.usertext import check_text
from blueprint_cli.workspace.clock import not_before, now
from blueprint_cli.workspace.commit import Change, apply, check_settings, single
from blueprint_cli.workspace.core import LazyCalendar, Workspace


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


# ----- the operations ---------------------------------------------------------------------


def _module_fields(ws: Workspace, module: str, first: Blueprint | None = None) -> dict[str, FieldDef]:
    defs: dict[str, FieldDef] = {}
    for bp in ([first] if first else []) + ws.candidates(module):
        for f in bp.fields:
            defs.setdefault(f.name, f)
    return defs

def _check_owner(ws: Workspace, owner: str) -> None:
    if ws.team.users and owner not in ws.team.users and not ws.settings.unknown_users_allowed:
        raise BlueprintError(f"unknown user {owner!r}",
                             hint=did_you_mean(owner, ws.team.users) or
                             f"users in {ws.root / 'team.yaml'}: {', '.join(ws.team.users)}")

def unknown_state(ws: Workspace, bp: Blueprint, state: str) -> str | None:
    """What is wrong with `state` as a state of `bp`'s published version (None: it is one)."""
    if bp.state(state) is not None:
        return None
    hint = did_you_mean(state, bp.state_names)
    return f"no state {state!r} in {bp.id}" + (f" — {hint}" if hint else f" (states: {', '.join(bp.state_names)})")

def start_refusals(ws: Workspace, bp: Blueprint, state: str, user: str) -> list[str]:
    """Why `user` may not start a record of `bp` at `state` (empty: allowed)."""
    if state == bp.entry_state:
        return []
    return permissions.enter_at_state(ws.team, ws.user(user), state)

def _check_users(ws: Workspace, values: Mapping[str, Any], defs: Mapping[str, FieldDef]) -> None:
    """A user field names someone on the team, as the user a command acts as
    must (`actor`): when the team file lists users, anyone else is refused
    (a typo must not become a reviewer nobody is), unless config.yaml says
    `unknown_users: allow`. The owner is `_check_owner`'s."""
    users = ws.team.users
    if not users or ws.settings.unknown_users_allowed:
        return
    for name, value in values.items():
        fd = defs.get(name)
        if fd is None or fd.type != "user" or name == "owner" or value in (None, "") or value in users:
            continue
        team = ws.root / "team.yaml"
        hint = did_you_mean(str(value), users)
        listed = ", ".join(list(users)[:10]) + (", ..." if len(users) > 10 else "")
        raise BlueprintError(f"{fd.display}: {str(value)!r} is not a user in {team}",
                             hint=(f"{hint} Users" if hint else "users") + f": {listed}; `unknown_users: "
                                  f"allow` in {ws.root / 'config.yaml'} lets a user field name anyone",
                             exit_code=1)

def create(ws: Workspace, module: str, values: Mapping[str, Any], *, user: str, owner: str | None = None,
           blueprint: str | None = None, at: datetime | None = None, state: str | None = None) -> Created:
    """A new record in the first blueprint that takes it; `state`: start there
    instead of the entry state (entering mid-process, as `enter_at_state` permits)."""
    moment = at or now()
    with ws.store.session():
        modules = sorted({p.module for p in ws.published()})
        match = next((m for m in modules if m.casefold() == module.casefold()), None)
        if match is None:
            hint = did_you_mean(module, modules)
            raise BlueprintError(f"no published blueprint governs module {module!r}",
                                 hint=hint or (f"modules: {', '.join(modules)}" if modules
                                               else "publish one first: `blueprint publish FILE`"))
        chosen = ws.blueprint(blueprint) if blueprint else None
        if chosen is not None and chosen.module.casefold() != module.casefold():
            raise BlueprintError(f"blueprint {chosen.id} governs {chosen.module}, not {module}")
        candidates = [chosen] if chosen else ws.candidates(match)
        state_fields = {b.field for b in ws.candidates(match)}
        for name in values:
            if name in state_fields:
                raise BlueprintError(f"{name!r} is a state field: a new record starts in its blueprint's "
                                     "entry state and moves only through transitions", exit_code=1)
        typed = engine.parse_values(_module_fields(ws, match, chosen), values, None, f"module {match}")
        if owner is None and typed.get("owner"):  # `--set owner=bob` says what `--owner bob` says
            owner = str(typed["owner"])
        if owner is not None:
            _check_owner(ws, owner)
        bp, why = engine.choose_blueprint(candidates, match, typed)
        if chosen is not None and bp is None:
            raise BlueprintError(f"the record does not enter {chosen.id}: " + "; ".join(w.split(": ", 1)[1] for w in why),
                                 exit_code=1)
        if state is not None:
            if bp is None:
                refuse(f"start the record at {state!r}: it enters no blueprint", why or ["no blueprint takes it"])
                raise AssertionError  # pragma: no cover - refuse raised
            unknown = unknown_state(ws, bp, state)
            if unknown is not None:
                raise BlueprintError(unknown)
            refuse(f"create the record at {state!r}", start_refusals(ws, bp, state, user))
        if bp is not None:  # re-check with the chosen blueprint's own definitions
            typed = {**typed, **engine.parse_values(engine.field_defs(bp), {k: v for k, v in values.items()
                                                                         if bp.field_def(k)}, bp.field, bp.id)}
        _check_users(ws, typed, {**_module_fields(ws, match, chosen), **(engine.field_defs(bp) if bp else {})})
        version = {p.id: p.latest for p in ws.published()}.get(bp.id) if bp else None

        def make(record_id: str) -> tuple[Record, HistoryEntry]:
            return engine.create(bp, record_id=record_id, module=match, version=version,
                                 owner=owner or user, values=typed, user=user, now=moment, state=state)

        return Created(ws.store.create(make), why if bp is None else [])

def set_fields(ws: Workspace, record_id: str, values: Mapping[str, Any], *, user: str,
               at: datetime | None = None) -> tuple[Record, list[HistoryEntry]]:
    """Edit fields outside a transition; an ungoverned record that now matches
    a blueprint's entry criteria enters it."""
    with ws.store.transaction(record_id) as txn:
        bp, record = ws.current(txn.current.record)
        moment = at or not_before(record, now())
        defs = _module_fields(ws, record.module, bp)
        state_fields = {b.field for b in ws.candidates(record.module)} | ({bp.field} if bp else set())
        for name in values:
            if name in state_fields or name == "state":
                raise BlueprintError(f"{name!r} is the state field: it changes only through transitions",
                                     hint=f"see what record {record_id} can do: `blueprint next {record_id}`",
                                     exit_code=1)
        typed = engine.parse_values(defs, values, None, bp.id if bp else f"module {record.module}")
        if "owner" in typed:
            _check_owner(ws, str(typed["owner"]))
        _check_users(ws, typed, defs)
        edited = engine.edit(bp, record, typed, user, moment)
        if edited is not None:
            refuse(f"change record {record_id}",
                   permissions.changes(bp, ws.team, ws.user(user), record, edited[1].changes))
        entries: list[HistoryEntry] = []
        if edited is not None:
            record, entry = edited
            entries.append(entry)
        if record.blueprint is None:
            versions = {p.id: p.latest for p in ws.published()}
            target, _ = engine.choose_blueprint(ws.candidates(record.module), record.module,
                                                record.values())
            if target is not None:
                record, entry = engine.enter(target, record, versions[target.id], user, moment)
                entries.append(entry)
        if entries:
            txn.commit(record, entries)
        return record, entries

def move(ws: Workspace, record_id: str, transition: str, inputs: Inputs, *, user: str,
         at: datetime | None = None) -> MoveResult:
    """Perform a transition (or a part of one): commit the record and its
    history entry, then send what the actions produced and record the outcome."""
    for path in inputs.attachments:
        if not Path(path).is_file():  # a FIFO or device would be copied for ever
            what = "not a regular file" if Path(path).exists() else "no such file"
            raise BlueprintError(f"{what} to attach: {path}")
        # the name goes into the history as text: refused before anything is copied
        check_text(Path(path).name, "the name of the file to attach", hint="rename the file with a UTF-8 name")
    with ws.store.transaction(record_id) as txn:
        bp, record = ws.current(txn.current.record)
        if bp is None:
            raise BlueprintError(f"record {record_id} is not governed by any blueprint, so it has no transitions",
                                 hint="`blueprint record set` can change its fields so that it enters one",
                                 exit_code=1)
        moment = at or not_before(record, now())
        outcome = engine.move(bp, record, ws.user(user), transition, inputs, moment, ws.team,
                              calendar=LazyCalendar(ws), workload=ws.workload(bp))
        if isinstance(outcome, Refusal):
            return MoveResult(record, outcome, bp)
        change = Change(outcome.record, (outcome.entry,), (tuple(outcome.effects),))
        check_settings(ws.outlet, [change])  # a broken config.yaml refuses before anything is written
        copied = _attach(ws, record_id, inputs.attachments) if inputs.attachments else []
        if copied:
            change = replace(change, entries=(replace(outcome.entry, attachments=tuple(copied)),))
        commit, written = single(txn.commit), []

        def write(writes: Sequence[Write]) -> None:
            commit(writes)
            written.append(True)
        try:
            # committed before anything is sent: a failed delivery never undoes the move
            [done] = apply(ws.outlet, write, [change], moment)
        except BaseException:
            if not written:  # the move is not in the history: neither are its attachments
                for name in copied:
                    (ws.root / name).unlink(missing_ok=True)
            raise
        return MoveResult(done.record, replace(outcome, record=done.record, entry=done.entries[0]), bp)

def tag(ws: Workspace, record_id: str, add: Sequence[str], remove: Sequence[str], *, user: str,
        at: datetime | None = None) -> tuple[Record, HistoryEntry | None]:
    """Add and remove tags (recorded in the history as an edit)."""
    for tag in [*add, *remove]:
        if not tag.strip() or any(ch.isspace() or ch == "," for ch in tag):
            raise BlueprintError(f"{tag!r} is not a tag", hint="a tag is one word: letters, digits, - and _")
    with ws.store.transaction(record_id) as txn:
        bp, record = ws.current(txn.current.record)
        changed = engine.retag(record, add, remove, user, at or not_before(record, now()))
        if changed is None:
            return record, None
        refuse(f"change the tags of record {record_id}",
               permissions.changes(bp, ws.team, ws.user(user), record, [permissions.TAGS]))
        txn.commit(changed[0], [changed[1]])
        return changed

def complete_task(ws: Workspace, record_id: str, task_id: int, *, user: str,
                  at: datetime | None = None) -> tuple[Record, HistoryEntry]:
    with ws.store.transaction(record_id) as txn:
        _, record = ws.current(txn.current.record)
        task = next((t for t in record.tasks if t.id == task_id and t.status != "done"), None)
        if task is not None:
            refuse(f"complete task #{task_id} of record {record_id}",
                   permissions.complete(ws.team, ws.user(user), record, task))
        record, entry = engine.complete_task(record, task_id, user, at or not_before(record, now()))
        txn.commit(record, [entry])
        return record, entry

def _attach(ws: Workspace, record_id: str, paths: Sequence[str]) -> list[str]:
    """Copy attachments into the workspace; the history keeps their paths in it."""
    folder = ws.root / "attachments" / record_id
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
        out.append(str(target.relative_to(ws.root)))
    return out


def refuse(what: str, reasons: Sequence[str]) -> None:
    """A refusal (exit 1, nothing changed) naming every reason at once; nothing when there is none."""
    if reasons:
        lines = "\n".join(f"  - {r}" for r in reasons)
        raise BlueprintError(f"cannot {what}:\n{lines}", exit_code=1)

"""`blueprint publish`: lint a blueprint file (errors refuse it) and store it as the
next version. A version that deletes states some records are in is refused
unless told where they go (`--move OLD=NEW`); those records move in the same
publish, with a `migrate` history entry, before the version becomes the one
records follow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from blueprint_cli import engine
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.language.analysis import renamed_states
from blueprint_cli.language.model import Blueprint
from blueprint_cli.engine.records import HistoryEntry
from blueprint_cli.language.suggest import did_you_mean
from blueprint_cli.workspace.clock import not_before, now

if TYPE_CHECKING:
    from blueprint_cli.workspace.core import Workspace


@dataclass
class PublishResult:
    blueprint: str
    version: int
    unchanged: bool = False
    #: old state -> (new state, record ids moved)
    moved: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


def publish(ws: Workspace, path: Path, *, moves: Mapping[str, str] | None = None, priority: int | None = None,
        user: str = "", at: datetime | None = None) -> PublishResult:
    """Lint the file (errors refuse it), then store it as the next version:
    the file is read once, and what is stored is the text that was linted."""
    from blueprint_cli.check import read_blueprint

    bp, doc, text = read_blueprint(path, ws.team)
    data = doc.data
    moment = at or now()
    moves = dict(moves or {})
    with ws.store.publishing() as pub:
        current = {p.id: p for p in ws.store.published()}.get(bp.id)
        if priority is None:
            priority = bp.priority
        old: Blueprint | None = None
        if current is not None:
            old = ws.blueprint(bp.id, current.latest)
            same = dict(ws.store.blueprint_data(bp.id, current.latest)) == data
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
            raise BlueprintError(
                f"{path} deletes state{'s' if len(unplaced) > 1 else ''} that records are in:\n  " + "\n  ".join(lines),
                hint=_where_they_go(old, bp, list(unplaced)), exit_code=1)
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
                    stamp = engine.iso(moment if at else not_before(rec, moment))
                    new = replace(rec, state=dst, version=version, pending=(), state_since=stamp, updated_at=stamp)
                    txn.commit(new, [HistoryEntry(
                        at=stamp, user=user, kind="migrate", from_state=src, to_state=dst,
                        note=f"version {version} of {bp.id} deletes {src}", version=version)])
            result.moved[src] = (dst, ids)
        pub.activate(bp.id, version, bp.module, priority, meta)
    ws._built.pop((bp.id, version), None)
    return result


def _few(ids: Sequence[str], limit: int = 10) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _where_they_go(old: Blueprint | None, new: Blueprint, unplaced: list[str]) -> str:
    """The `--move` to suggest: where `blueprint diff` says each state went (a
    state renamed: the same transitions around it), else the entry state."""
    if old is None:
        renames: dict[str, str] = {}
    else:
        removed = [s for s in old.state_names if new.state(s) is None]
        added = [s for s in new.state_names if old.state(s) is None]
        renames = {s: to for s, to in renamed_states(old, new, removed, added).items() if s in unplaced}
    moves = " ".join(f'--move "{s}={renames[s]}"' for s in unplaced if s in renames)
    if moves and len(renames) == len(unplaced):
        return f"they look renamed (as `blueprint diff` shows): {moves}"
    example = next((s for s in unplaced if s not in renames), unplaced[0])
    guess = f'--move "{example}={new.entry_state}"'
    return f"say where they go, e.g. {moves + ' ' if moves else ''}{guess}"

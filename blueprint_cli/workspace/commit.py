"""Commit, then deliver, then record how delivery went: the one step every change
with after-actions goes through (`move`, `bulk`, `tick`, `retry`).

1. When anything is to be sent, the delivery settings are read first: a broken
   `config.yaml` refuses the command (exit 2) before anything is written.
2. The records are written with their new history entries, in one call of the
   store (a transaction's commit, or a batch's). Each action still to be sent is
   `pending` in its entry, and the record counts it as undelivered — so a crash
   while sending leaves a record that says what was not sent.
3. The e-mails and webhooks go out: records at once on a bounded pool, each
   record's in order, within `delivery_wait` seconds (default 1) for all of
   them. A failure never undoes the commit; what does not fit in the time stays
   `pending` (or `failed`, when a try failed and the next did not fit), counted
   as undelivered, for `blueprint retry`.
4. The outcomes replace the pending ones in the entries, in a second write.

`Record.undelivered` — how many actions in a record's history are not
delivered (`retry` finds records by it without reading histories) — is kept
here and only here: `counted`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from blueprint_cli.engine import Effect, iso
from blueprint_cli.language.actions import Action, sends
from blueprint_cli.engine.records import ActionOutcome, HistoryEntry, Record
from blueprint_cli.store import Write

if TYPE_CHECKING:
    from blueprint_cli.actions.delivery import Budget, DeliverySettings, Sleep
    from blueprint_cli.actions.delivery.pool import Circuit
    from blueprint_cli.workspace.settings import Config


@dataclass(frozen=True)
class Outlet:
    """What committing needs to deliver, as a value (`Workspace.outlet` makes
    it): the settings of config.yaml (the delivery settings are read, and
    checked, on first use), how to wait between tries, the environment that
    secrets are read from, and the endpoints that did not answer earlier in
    the command. Committing never sees the workspace."""

    settings: Config
    circuit: Circuit
    #: how delivery waits between tries (None: really sleep)
    sleep: Sleep | None = None
    #: where secrets, passwords and proxies are read (None: os.environ)
    env: Mapping[str, str] | None = None

    @property
    def delivery(self) -> DeliverySettings:
        return self.settings.delivery


#: How a caller writes: `Transaction.commit` of one record, or `Batch.commit` of many.
Writer = Callable[[Sequence[Write]], None]
#: Seconds past `delivery_wait` the delivery pool waits for the next result before
#: it gives up: every try ends by its own deadline, so this only covers what none
#: can bound (a name lookup), and leaves room for a busy disk's outbox writes.
PATIENCE = 5.0


@dataclass(frozen=True)
class Change:
    """One record's change: the record as the engine left it (its undelivered count
    not yet updated), its new history entries, and what each entry's actions
    produced to send (one tuple per entry; empty when nothing goes out)."""

    record: Record
    entries: tuple[HistoryEntry, ...]
    effects: tuple[tuple[Effect, ...], ...] = ()

    @property
    def sends(self) -> bool:
        return any(self.effects)


@dataclass(frozen=True)
class Resend:
    """Actions of entries already in a record's history to send again (`retry`):
    by entry index, the effects to send."""

    record: Record
    history: Sequence[HistoryEntry]
    effects: Mapping[int, tuple[Effect, ...]]


def counted(record: Record, *, added: Sequence[HistoryEntry] = (), replaced: Sequence[HistoryEntry] = ()) -> Record:
    """`record` with its undelivered count updated: `added` are new or corrected
    entries, `replaced` the entries they correct."""
    count = max(0, record.undelivered + sum(e.undelivered for e in added) - sum(e.undelivered for e in replaced))
    return record if count == record.undelivered else replace(record, undelivered=count)


def recounted(record: Record, history: Sequence[HistoryEntry]) -> Record:
    """`record` with its undelivered count taken from its whole history."""
    return replace(record, undelivered=sum(e.undelivered for e in history))


def single(txn_commit: Callable[..., None]) -> Writer:
    """A `Writer` for one locked record (`Transaction.commit`)."""

    def write(writes: Sequence[Write]) -> None:
        for w in writes:
            txn_commit(w.record, w.append, w.amend)

    return write


def may_send(actions: Iterable[Action]) -> bool:
    """Whether running `actions` can send something out of the process (e-mails, webhooks)."""
    return sends(actions)


def check_settings(outlet: Outlet, changes: Sequence[Change]) -> None:
    """Step 1 alone: `settings_checked` when any of `changes` sends something."""
    settings_checked(outlet, any(c.sends for c in changes))


def settings_checked(outlet: Outlet, needed: bool = True) -> None:
    """Read the delivery settings when `needed`: a broken config.yaml refuses the
    command here (a usage error, exit 2) — callers do this before they change
    any record."""
    if needed:
        outlet.delivery  # noqa: B018 - read for its checks


def apply(outlet: Outlet, write: Writer, changes: Sequence[Change], at: datetime, *,
          hand_over: Writer | None = None) -> list[Change]:
    """Steps 1–4 for `changes`, each on a record the caller holds locked. Returns
    the changes as written: records counted, entries with their outcomes.
    `hand_over`: where to write when nothing is to be sent (a bulk's background
    writer, `Batch.hand_over`), so the caller can go on meanwhile."""
    check_settings(outlet, changes)
    committed = [c if (r := counted(c.record, added=c.entries)) is c.record else replace(c, record=r)
                 for c in changes]  # a bulk makes thousands: no copy where nothing changes
    sends = any(c.sends for c in committed)
    (write if sends or hand_over is None else hand_over)([Write(c.record, c.entries) for c in committed])
    if not sends:
        return committed
    sending = [c for c in committed if c.sends]
    delivered = dict(zip(map(id, sending), _deliver_all(outlet, sending, at)))
    done: list[Change] = []
    amends: list[Write] = []
    for c in committed:
        if not c.sends:
            done.append(c)
            continue
        record, entries = c.record, list(c.entries)
        amend: dict[int, HistoryEntry] = {}
        for i, sent in enumerate(delivered[id(c)]):
            if sent is not c.entries[i]:
                record = counted(record, added=[sent], replaced=[c.entries[i]])
                entries[i] = amend[i - len(entries)] = sent
        done.append(replace(c, record=record, entries=tuple(entries)))
        amends.append(Write(record, amend=amend))
    write(amends)
    return done


def _deliver_all(outlet: Outlet, changes: Sequence[Change], at: datetime) -> list[list[HistoryEntry]]:
    """Step 3: each change's entries with their outcomes. Records are delivered
    at once on a bounded pool, each record's actions in order within its budget
    (`delivery_wait`); a record whose delivery is still under way when the pool
    gives up keeps its actions `pending`, with a note, for `blueprint retry`."""
    from blueprint_cli.actions import left_for_later
    from blueprint_cli.actions.delivery import Budget
    from blueprint_cli.actions.delivery.pool import run_all

    seconds = outlet.delivery.wait

    def job(change: Change) -> Callable[[], list[HistoryEntry]]:
        def run() -> list[HistoryEntry]:
            budget = Budget.of(seconds)
            return [_send(outlet, entry, effects, at, budget) if effects else entry
                    for entry, effects in zip(change.entries, change.effects)]
        return run

    results = run_all([job(c) for c in changes], patience=seconds + PATIENCE)
    out: list[list[HistoryEntry]] = []
    for change, result in zip(changes, results):
        if result is None:  # given up on: its actions stay pending, saying so
            budget = Budget.of(seconds)
            result = []
            for entry, effects in zip(change.entries, change.effects):
                sending = {e.index for e in effects}
                result.append(replace(entry, actions=tuple(left_for_later(a, budget) if i in sending else a
                                                           for i, a in enumerate(entry.actions))))
        out.append(result)
    return out


def resend(outlet: Outlet, write: Writer, job: Resend, at: datetime,
           merge: Callable[[ActionOutcome, ActionOutcome], ActionOutcome]) -> tuple[Record, dict[int, HistoryEntry]]:
    """Steps 3–4 for actions already in the history (`retry`): send, merge each
    new outcome with the old (`merge(old, new)`), write, and count the record
    again from its whole history. Returns the record and the corrected entries."""
    amend: dict[int, HistoryEntry] = {}
    for index, effects in job.effects.items():
        entry = job.history[index]
        sent = _send(outlet, entry, effects, at)
        actions = list(entry.actions)
        for effect in effects:
            actions[effect.index] = merge(entry.actions[effect.index], sent.actions[effect.index])
        amend[index] = replace(entry, actions=tuple(actions))
    record = recounted(job.record, [amend.get(i, e) for i, e in enumerate(job.history)])
    if amend or record.undelivered != job.record.undelivered:
        write([Write(record, amend=amend)])
    return record, amend


def _send(outlet: Outlet, entry: HistoryEntry, effects: Sequence[Effect], at: datetime,
          budget: Budget | None = None) -> HistoryEntry:
    """Send what an entry's actions produced; the entry with each outcome in place."""
    from blueprint_cli.actions import deliver

    results = deliver(effects, outlet.settings.outbox, settings=outlet.delivery, sleep=outlet.sleep, env=outlet.env,
                      at=iso(at), budget=budget, circuit=outlet.circuit, home=outlet.settings.path.parent)
    actions = list(entry.actions)
    for index, result in results.items():
        actions[index] = result
    return replace(entry, actions=tuple(actions))

"""`blueprint retry`: send again the e-mails and webhooks whose delivery failed.

Each outcome in the history keeps the request it was made from (`request`),
so a retry sends exactly what the action produced then — not what the record
looks like now. Only `failed` outcomes (and `pending` ones a crashed process
left behind: a live delivery holds the record's lock, so under the lock a
`pending` one is orphaned) are sent; an action that succeeded is never sent
again. The outcome is replaced in its history entry, with the attempts added up.

Records are found through their `undelivered` count, so a retry over the whole
workspace reads only the record files, not every history.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from blueprint_cli.engine.records import ActionOutcome
from blueprint_cli.workspace.commit import Resend, resend, settings_checked, single

if TYPE_CHECKING:
    from blueprint_cli.workspace import Workspace


@dataclass(frozen=True)
class Retried:
    record: str
    module: str
    entry: int
    transition: str | None
    before: ActionOutcome
    after: ActionOutcome

    def to_dict(self) -> dict[str, Any]:
        return {"record": self.record, "module": self.module, "entry": self.entry, "transition": self.transition,
                "action": self.after.action, "status": self.after.status, "detail": self.after.detail,
                "attempts": self.after.attempts, "error": self.after.error, "http_status": self.after.http_status}


@dataclass
class RetryReport:
    dry_run: bool = False
    retried: list[Retried] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def still_failed(self) -> list[Retried]:
        return [r for r in self.retried if r.after.status != "done"]

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "retried": [r.to_dict() for r in self.retried],
                "sent": len(self.retried) - len(self.still_failed), "failed": len(self.still_failed),
                "errors": list(self.errors)}


def retry(ws: Workspace, record_ids: list[str] | None, now: datetime, *, dry_run: bool = False) -> RetryReport:
    from blueprint_cli.engine import Effect, iso
    from blueprint_cli.store import CorruptFile

    def merge(old: ActionOutcome, new: ActionOutcome) -> ActionOutcome:
        return replace(new, attempts=(old.attempts or 0) + (new.attempts or 0),
                       detail=new.detail + f" (retried at {iso(now)})")

    report = RetryReport(dry_run)
    with ws.store.session():
        if record_ids:
            ids = list(dict.fromkeys(record_ids))
            for rid in ids:
                ws.store.get(rid)  # an unknown id is a usage error before anything is sent
        else:
            errors: list[CorruptFile] = []
            ids = [r.id for r in ws.store.scan(errors=errors) if r.undelivered]
            report.errors += [e.message for e in errors]
        settings_checked(ws.outlet, bool(ids) and not dry_run)
        for rid in ids:
            with ws.store.transaction(rid) as txn:
                record, history = txn.current.record, txn.current.history
                # retryable: an e-mail or a webhook
                todo = {i: tuple(Effect(a.action, j, dict(a.request or {}))
                                 for j, a in enumerate(e.actions) if a.retryable) for i, e in enumerate(history)}
                todo = {i: effects for i, effects in todo.items() if effects}
                if dry_run:
                    report.retried += [Retried(rid, record.module, i, history[i].transition, history[i].actions[e.index],
                                               history[i].actions[e.index]) for i, effects in todo.items() for e in effects]
                    continue
                _, amended = resend(ws.outlet, single(txn.commit), Resend(record, history, todo), now, merge)
                report.retried += [Retried(rid, record.module, i, history[i].transition, history[i].actions[e.index],
                                           amended[i].actions[e.index]) for i, effects in todo.items() for e in effects]
    return report

"""Open tasks across records (`blueprint tasks`): which records' tasks, for
whom, overdue or not. Reads only; the one reader of tasks across a workspace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from blueprint_cli.engine import permissions
from blueprint_cli.engine.records import Record, Task
from blueprint_cli.language.model import Criterion

if TYPE_CHECKING:
    from blueprint_cli.store import CorruptFile
    from blueprint_cli.workspace.core import Workspace


@dataclass(frozen=True)
class OpenTask:
    """An open task and the record it belongs to."""

    record: Record
    task: Task
    overdue: bool

    def to_dict(self) -> dict[str, Any]:
        return {"record": self.record.id, "module": self.record.module, "blueprint": self.record.blueprint,
                "state": self.record.state, "record_owner": self.record.owner, **self.task.to_dict(),
                "overdue": self.overdue}


def _due(task: Task) -> datetime | None:
    try:
        return datetime.fromisoformat(task.due) if task.due else None
    except ValueError:
        return None


def open_tasks(ws: Workspace, now: datetime, *, user: str | None = None, overdue: bool = False,
               where: Criterion | None = None, errors: list[CorruptFile] | None = None) -> list[OpenTask]:
    """Every open task of the records `where` selects, due first (those without a
    due date last); `user`: only the tasks assigned to them (to them by name, or
    to a role or profile they hold); `overdue`: only those past their due time."""
    who = ws.user(user) if user is not None else None
    out: list[OpenTask] = []
    for record in ws.records(where=where, errors=errors):
        for task in record.open_tasks():
            due = _due(task)
            late = due is not None and due < now
            if overdue and not late:
                continue
            if who is not None and not permissions.assignee(task, who):
                continue
            out.append(OpenTask(record, task, late))
    return sorted(out, key=lambda t: (_due(t.task) is None, _due(t.task) or now, t.record.id, t.task.id))

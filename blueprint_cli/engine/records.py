"""Records and their history: the data the engine steps and the store keeps.

Everything here is plain data with a JSON form (`to_dict`/`from_dict`) that is
also the `--json` output (docs/json.md). Times are ISO 8601 text with offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, Mapping, NamedTuple, get_args

from blueprint_cli.language.actions import KINDS, SENT_KINDS, Status

#: What a history entry records (`kind`); docs/json.md lists them (tests/test_json_docs.py).
EntryKind = Literal["create", "move", "part", "edit", "migrate", "enter", "task", "escalate", "skip"]
#: What a `then` or `escalate` action is (an outcome's `action`): a key of the
#: registry of action kinds (`language/actions/`).
ActionKind = str
#: How an action went (an outcome's `status`).
ActionStatus = Status
#: Actions carried out outside the record after a commit (they can fail and be retried).
DeliveredKind = str
DELIVERED: tuple[str, ...] = tuple(SENT_KINDS)


def _one_of(value: Any, kinds: Any, what: str) -> Any:
    """`value` if it is one of `kinds` (a Literal type or a collection of names;
    reading a stored file), else ValueError."""
    names = get_args(kinds) or tuple(kinds)
    if value not in names:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(names)}")
    return value


@dataclass(frozen=True)
class Task:
    """A to-do created by a `task` action; `record show` lists the open ones."""

    id: int
    subject: str
    due: str | None = None
    owner: str | None = None
    status: str = "open"
    created_at: str = ""
    transition: str | None = None
    done_at: str | None = None
    done_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "subject": self.subject, "due": self.due, "owner": self.owner,
                "status": self.status, "created_at": self.created_at, "transition": self.transition,
                "done_at": self.done_at, "done_by": self.done_by}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Task:
        return cls(int(d["id"]), str(d["subject"]), d.get("due"), d.get("owner"), str(d.get("status", "open")),
                   str(d.get("created_at", "")), d.get("transition"), d.get("done_at"), d.get("done_by"))


@dataclass(frozen=True)
class PartDone:
    """One finished part of a parallel transition that is still waiting for others."""

    transition: str
    part: str
    user: str
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {"transition": self.transition, "part": self.part, "user": self.user, "at": self.at}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PartDone:
        return cls(str(d["transition"]), str(d["part"]), str(d["user"]), str(d["at"]))


@dataclass(frozen=True)
class Record:
    id: str
    module: str
    blueprint: str | None
    version: int | None
    state: str | None
    owner: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    #: parts of a parallel transition already done (`pending` in the `--json` output)
    pending: tuple[PartDone, ...] = ()
    tasks: tuple[Task, ...] = ()
    created_at: str = ""
    updated_at: str = ""
    #: when the record entered its current state (for SLAs and auto transitions)
    state_since: str = ""
    #: what `tick` already did in the stay that began at `fired_since` (`sla:0`,
    #: `sla:1`, `skip:NAME`); it counts only while `fired_since == state_since`,
    #: so re-entering a state restarts every clock
    fired: tuple[str, ...] = ()
    fired_since: str = ""
    #: e-mails and webhooks in the history that failed (or never got an outcome)
    #: and can be sent again with `blueprint retry`
    undelivered: int = 0

    def values(self, state_field: str | None = None) -> dict[str, Any]:
        """What criteria and templates see: the fields plus state, owner, tags, id."""
        out = dict(self.fields)
        out.update(state=self.state, owner=self.owner, tags=list(self.tags), id=self.id, module=self.module)
        if state_field:
            out[state_field] = self.state
        return out

    def fired_in_stay(self) -> tuple[str, ...]:
        """What `tick` already did since the record entered its current state."""
        return self.fired if self.fired_since and self.fired_since == self.state_since else ()

    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.status == "open"]

    def with_(self, **changes: Any) -> Record:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id, "module": self.module, "blueprint": self.blueprint, "version": self.version,
            "state": self.state, "owner": self.owner, "fields": dict(self.fields), "tags": list(self.tags),
            "pending": [p.to_dict() for p in self.pending], "tasks": [t.to_dict() for t in self.tasks],
            "created_at": self.created_at, "updated_at": self.updated_at, "state_since": self.state_since,
        }
        if self.fired_in_stay():  # only when there is something: the common shape stays as it was
            out["timers"] = {"since": self.fired_since, "fired": list(self.fired)}
        if self.undelivered:
            out["undelivered"] = self.undelivered
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Record:
        # read for every record a command looks at: no generator where a list is empty
        version, tags, pending, tasks = d.get("version"), d.get("tags"), d.get("pending"), d.get("tasks")
        timers = d.get("timers") or {}
        fired = timers.get("fired")
        record = object.__new__(cls)
        # every field at once: a frozen dataclass's __init__ sets each through object.__setattr__,
        # which costs more than the rest of this for each record a report reads
        record.__dict__.update(
            id=str(d["id"]), module=str(d["module"]), blueprint=d.get("blueprint"),
            version=int(version) if version is not None else None, state=d.get("state"),
            owner=str(d.get("owner") or ""), fields=dict(d.get("fields") or {}),
            tags=tuple(map(str, tags)) if tags else (),
            pending=tuple(map(PartDone.from_dict, pending)) if pending else (),
            tasks=tuple(map(Task.from_dict, tasks)) if tasks else (),
            created_at=str(d.get("created_at", "")), updated_at=str(d.get("updated_at", "")),
            state_since=str(d.get("state_since", "")),
            fired=tuple(map(str, fired)) if fired else (),
            fired_since=str(timers.get("since") or ""),
            undelivered=int(d.get("undelivered") or 0),
        )
        return record


@dataclass(frozen=True)
class ActionOutcome:
    """What happened to one `then` action: done, failed, skipped or pending.

    E-mails and webhooks also keep what was (to be) sent — `request`, so that
    `blueprint retry` can send exactly that again — and how delivery went:
    `attempts`, the last `error`, the HTTP status of a webhook's last response,
    and when it was last tried (`at`).
    """

    action: ActionKind
    status: ActionStatus
    detail: str = ""
    request: Mapping[str, Any] | None = None
    attempts: int | None = None
    error: str | None = None
    http_status: int | None = None
    at: str | None = None

    @property
    def retryable(self) -> bool:
        """Not delivered (yet), and known well enough to be sent again."""
        return self.action in DELIVERED and self.status in ("failed", "pending") and self.request is not None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "status": self.status, "detail": self.detail}
        for key in ("attempts", "http_status", "error", "at"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.request is not None:
            out["request"] = dict(self.request)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ActionOutcome:
        attempts, status = d.get("attempts"), d.get("http_status")
        return cls(_one_of(d["action"], KINDS, "action"), _one_of(d["status"], ActionStatus, "status"),
                   str(d.get("detail", "")), d.get("request"),
                   int(attempts) if attempts is not None else None, d.get("error"),
                   int(status) if status is not None else None, d.get("at"))


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    user: str
    kind: EntryKind
    transition: str | None = None
    #: the part of a parallel transition this entry performed
    part: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    #: field -> [old, new]
    changes: Mapping[str, list[Any]] = field(default_factory=dict)
    note: str | None = None
    checklist: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()
    actions: tuple[ActionOutcome, ...] = ()
    #: the blueprint version the entry was made under
    version: int | None = None

    @property
    def undelivered(self) -> int:
        """How many of its e-mails and webhooks `blueprint retry` could still send."""
        return sum(1 for a in self.actions if a.retryable)

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at, "user": self.user, "kind": self.kind, "transition": self.transition,
            "part": self.part, "from": self.from_state, "to": self.to_state,
            "changes": {k: list(v) for k, v in self.changes.items()}, "note": self.note,
            "checklist": list(self.checklist), "attachments": list(self.attachments),
            "actions": [a.to_dict() for a in self.actions], "version": self.version,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> HistoryEntry:
        version = d.get("version")
        return cls(
            at=str(d["at"]), user=str(d["user"]), kind=_one_of(d.get("kind", "move"), EntryKind, "kind"), transition=d.get("transition"),
            part=d.get("part"), from_state=d.get("from"), to_state=d.get("to"),
            changes={str(k): list(v) for k, v in (d.get("changes") or {}).items()}, note=d.get("note"),
            checklist=tuple(d.get("checklist") or ()), attachments=tuple(d.get("attachments") or ()),
            actions=tuple(ActionOutcome.from_dict(a) for a in d.get("actions") or ()),
            version=int(version) if version is not None else None,
        )


class Passage(NamedTuple):
    """What a report reads of one history entry: when, who, what kind, the
    transition, where from and where to, and the blueprint version it was made
    under. Light (a tuple): a report reads millions of them
    (`Store.histories`)."""

    at: str
    user: str
    kind: str
    transition: str | None
    from_state: str | None
    to_state: str | None
    version: int | None


def passage(entry: HistoryEntry) -> Passage:
    return Passage(entry.at, entry.user, entry.kind, entry.transition, entry.from_state, entry.to_state, entry.version)


def passages_of(entries: list[Mapping[str, Any]]) -> list[Passage]:
    """Stored entries already checked against the store schema's `history`
    (which fixes each member's type) as `Passage`s, without checking each again."""
    return [Passage(e["at"], e["user"], e.get("kind") or "move", e.get("transition"), e.get("from"), e.get("to"),
                    e.get("version")) for e in entries]


def diff_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """field -> [old, new] for every field whose value changed."""
    out: dict[str, list[Any]] = {}
    for key in list(old) + [k for k in new if k not in old]:
        if old.get(key) != new.get(key):
            out[key] = [old.get(key), new.get(key)]
    return out

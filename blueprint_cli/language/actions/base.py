"""What every action kind is: the contract of one module in this package.

An action kind is one module holding everything about it: its model (a frozen
dataclass, with `KEY`, the YAML key that names it), how it is read from YAML
(`read`), what it does to a record (`perform`, against the `Performing` the
engine gives it: the kind never builds records itself, so it needs nothing of
the engine), its wording (`describe`, the one used by `show`, `diff`, `graph`,
`history` and `next`), its key for `diff` (`diff_key`), the owner entries it
names (for lint against the team file), and — when it leaves the process — the
channel it leaves by (`CHANNEL`: the request it builds is delivered after the
commit). The registry (`__init__.py`) lists the kinds once; every other list
of kinds is derived from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.durations import Duration

#: How an action went (an outcome's `status`).
Status = Literal["done", "failed", "skipped", "pending"]


@dataclass(frozen=True)
class NewTask:
    """A task an action creates (the engine numbers it and dates it)."""

    subject: str
    due: str | None
    owner: str


@dataclass(frozen=True)
class Applied:
    """What performing one action did: its outcome (`status`, `detail`) and the
    changes to the record it asks for (none when it failed). `request`: what a
    kind that leaves the process sends (kept in the outcome for `retry`)."""

    status: Status
    detail: str
    fields: Mapping[str, Any] | None = None
    owner: str | None = None
    tags: tuple[str, ...] | None = None
    task: NewTask | None = None
    request: dict[str, Any] | None = None

    @classmethod
    def failed(cls, detail: str) -> Applied:
        return cls("failed", detail)


class Performing(Protocol):
    """What an action is performed on and with: the record as the actions before
    it left it, who acts and when, and the engine's services (templates, field
    values, recipients, the team's workload). Given by the engine."""

    @property
    def record_id(self) -> str: ...
    @property
    def fields(self) -> Mapping[str, Any]: ...
    @property
    def owner(self) -> str: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def next_task(self) -> int: ...

    def render(self, text: str) -> str:
        """`text` with its `{{…}}` templates filled in."""

    def render_url(self, text: str) -> str:
        """A URL with its templates filled in, each value URL-encoded."""

    def render_data(self, value: Any) -> Any:
        """Every string inside `value` (mappings, lists) rendered."""

    def typed(self, name: str, value: Any) -> Any:
        """`value` (rendered, relative dates resolved) as a value of field `name`;
        ValueError with the reason when it is not one, or not settable."""

    def shown(self, value: Any) -> str:
        """A value as history shows it."""

    def due(self, after: Duration) -> str:
        """The moment `after` from now (business time on the calendar), as ISO text."""

    def recipients(self, spec: str) -> tuple[list[str], list[str]]:
        """E-mail addresses for an owner entry or address, and who had none."""

    def task_owner(self, spec: str | None) -> str:
        """Who a task is for: a user's name, the record's owner, or a role/profile entry."""

    def least_busy(self, kind: str, name: str) -> str | None:
        """The member of a role or profile with the fewest open records under
        this blueprint (ties by name); None when it has no member."""

    def about(self) -> dict[str, Any]:
        """What every request that leaves the process carries: record, module,
        blueprint, transition, user, time."""

    def event(self) -> dict[str, Any]:
        """The event a webhook without a body sends (record, transition, user, time)."""

    def delivery_id(self) -> str:
        """One id per action of one entry: the same on every retry."""


class ActionKind:
    """The behaviour every action kind's dataclass has (see the module docstring)."""

    #: The YAML key that names the kind (`set:`, `email:` …); also its `kind`.
    KEY: ClassVar[str]
    #: How it leaves the process: "mail" or "http" (delivered after the commit,
    #: retried by `blueprint retry`), or None (it changes the record only).
    CHANNEL: ClassVar[str | None] = None

    path: JsonPath

    @classmethod
    def read(cls, body: Any, path: JsonPath) -> ActionKind:
        """The action from its schema-valid YAML body (`path`: where it is)."""
        raise NotImplementedError

    def describe(self) -> str:
        """The one wording of the action."""
        raise NotImplementedError

    def diff_key(self) -> tuple[Any, ...]:
        """What `diff` compares: equal keys, the same action."""
        raise NotImplementedError

    def owner_entries(self) -> Iterator[tuple[str, JsonPath]]:
        """The owner entries (`user:…`, `role:…`) the action names, with their paths."""
        return iter(())

    def perform(self, on: Performing) -> Applied:
        """What the action does to the record (the engine applies it)."""
        raise NotImplementedError

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

A kind also owns its Zoho CRM mapping: `ZOHO`, the type of Zoho after-action it
is (`field_updates`…, None when Zoho has none), `to_zoho` (the action's details
as Zoho's create endpoints take them, with the pieces Zoho has no place for)
and `from_zoho` (the YAML body back from those details). Ids and names are
translated by the `ZohoNames` the caller gives (the map of `blueprint zoho`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.building import ModelError
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

    #: The type of Zoho CRM after-action it is (`field_updates`…), or None: Zoho has none.
    ZOHO: ClassVar[str | None] = None

    def to_zoho(self, names: ZohoNames) -> tuple[dict[str, Any], list[Left]]:
        """The Zoho after-action's details, and the pieces of the action they leave out
        (NotInZoho when Zoho has no such action at all)."""
        raise NotInZoho(f"Zoho CRM has no {self.KEY} action", self.path[:-1])

    @classmethod
    def from_zoho(cls, details: Any, names: ZohoNames, path: JsonPath) -> list[dict[str, Any]]:
        """The YAML bodies of the actions one Zoho after-action's details make (`path`:
        where they are in the Zoho JSON; ModelError when they are not what Zoho sends)."""
        raise ModelError(f"Zoho CRM has no {cls.KEY} action", path)


# ----- Zoho CRM ----------------------------------------------------------------------------

class NotInZoho(Exception):
    """What cannot be said in Zoho CRM's terms (`reason`), at `path` of the YAML."""

    def __init__(self, reason: str, path: JsonPath = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path


@dataclass(frozen=True)
class Left:
    """A piece of the YAML a Zoho body does not carry: where it is, its value, and why.
    `lost`: Zoho does without it (False: only its spelling, such as `1w` sent as 7 days)."""

    path: JsonPath
    value: Any
    reason: str
    lost: bool = True


def texts(value: Any, convert: Callable[[str, JsonPath], str], path: JsonPath) -> Any:
    """`value` with every string inside it (mappings, lists) converted."""
    if isinstance(value, str):
        return convert(value, path)
    if isinstance(value, dict):
        return {k: texts(v, convert, path + (k,)) for k, v in value.items()}
    if isinstance(value, list):
        return [texts(v, convert, path + (i,)) for i, v in enumerate(value)]
    return value


#: Zoho's units of time, with how our durations write them.
ZOHO_PERIODS = {"minutes": "m", "hours": "h", "days": "d"}
_SECONDS = {"days": 86400, "hours": 3600, "minutes": 60}


def period_to_zoho(d: Duration, path: JsonPath) -> tuple[dict[str, Any], list[Left]]:
    """A duration as Zoho's `{period, value}` (days, hours, minutes, business_days,
    business_hours); the spelling, when ours differs (`1w`), as a piece left."""
    if d.business_unit is not None:
        period, value = d.business_unit, d.business_amount
    else:
        assert d.delta is not None
        seconds = int(d.delta.total_seconds())
        unit = next((u for u, n in _SECONDS.items() if seconds % n == 0), None)
        if unit is None:
            raise NotInZoho(f"{d.text!r}: Zoho counts time in whole minutes", path)
        period, value = unit, seconds // _SECONDS[unit]
    left = [] if period_from_zoho({"period": period, "value": value}, path) == d.text else \
        [Left(path, d.text, f"written {d.text!r}; Zoho is sent {value} {period}", lost=False)]
    return {"period": period, "value": value}, left


def period_from_zoho(data: Any, path: JsonPath) -> str:
    """A Zoho `{period, value}` as our duration text (`3d`, `4 business_hours`)."""
    if not isinstance(data, dict) or not isinstance(data.get("value"), int) or isinstance(data.get("value"), bool):
        raise ModelError("expected a period like {\"period\": \"days\", \"value\": 3}", path)
    period, value = data.get("period"), data["value"]
    if value < 0:
        raise ModelError(f"a period of {value}: expected a whole number of 0 or more", path + ("value",))
    if period in ZOHO_PERIODS:
        return f"{value}{ZOHO_PERIODS[str(period)]}"
    if period in ("business_days", "business_hours"):
        return f"{value} {period}"
    raise ModelError(f"unknown period {period!r}; expected one of days, hours, minutes, business_days, "
                     "business_hours", path + ("period",))


def zoho_object(data: Any, path: JsonPath) -> dict[str, Any]:
    """`data`, which must be a JSON object."""
    if not isinstance(data, dict):
        raise ModelError(f"expected a JSON object, found {type(data).__name__ if data is not None else 'null'}",
                         path)
    return data


def zoho_text(data: dict[str, Any], key: str, path: JsonPath, *, required: bool = True) -> str | None:
    """The text under `key` (None when absent and not required)."""
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise ModelError(f"`{key}` must be {'non-empty ' if required else ''}text", path + (key,))
    return value


if TYPE_CHECKING:  # protocols cost a few milliseconds to create, and every lint pays for this module
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

    class ZohoNames(Protocol):
        """Zoho's ids and the names the YAML uses, both ways (the map `blueprint zoho` reads)."""

        def owner_to_zoho(self, entry: str, path: JsonPath) -> dict[str, Any]:
            """An owner entry or recipient (`user:bob`, `role:R`, `profile:P`, `record_owner`,
            `{{record.FIELD}}`, an address) as a Zoho owner object; NotInZoho when Zoho has none."""

        def owner_from_zoho(self, data: Any, path: JsonPath) -> list[str]:
            """The owner entries a Zoho owner object names (`path`: where it is in the Zoho JSON)."""

        def field_to_zoho(self, name: str, path: JsonPath) -> dict[str, Any]:
            """A field of the YAML as a Zoho field reference (`api_name`, and `id` when known)."""

        def field_from_zoho(self, data: Any, path: JsonPath) -> str:
            """The YAML's name of a Zoho field reference."""

        def text_to_zoho(self, text: str, path: JsonPath) -> str:
            """Text with our templates (`{{record.amount}}`) as Zoho's merge fields (`${Deals.Amount}`)."""

        def text_from_zoho(self, text: str, path: JsonPath) -> str:
            """Text with Zoho's merge fields as our templates."""

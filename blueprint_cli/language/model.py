"""The blueprint language (docs/language.md) as typed, frozen dataclasses.

`build(document)` turns schema-valid data into a `Blueprint`. Every element
keeps its JSON path (`path`), so lint rules can point at the exact YAML node
through `Document.at(path)`. No I/O happens here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Union

from blueprint_cli.diagnostics import JsonPath
# the action kinds, owners and the model's error live in their own modules; the
# model's readers import them from here as before
from blueprint_cli.language.actions import (
    KINDS, Action as Action, AssignAction as AssignAction, EmailAction as EmailAction, SetAction as SetAction,
    TagAction as TagAction, TaskAction as TaskAction, WebhookAction as WebhookAction, build_action as build_action,
)
from blueprint_cli.language.building import ModelError as ModelError, duration, names
from blueprint_cli.language.durations import Duration
from blueprint_cli.language.owners import ANYONE as ANYONE, OWNER_KINDS as OWNER_KINDS, Owner as Owner

FIELD_TYPES = (
    "text", "textarea", "number", "integer", "currency", "percent", "boolean",
    "date", "datetime", "email", "phone", "url", "picklist", "multiselect", "user",
)
OPERATORS = (
    "eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "not_contains",
    "starts_with", "ends_with", "matches", "between", "empty",
)
#: Fields every record has besides the declared ones.
BUILTIN_FIELDS = ("state", "owner", "tags")
ALL_STATES = "*"
#: The action kinds, by YAML key (the registry in `language/actions/` is the one list).
ACTION_KINDS = tuple(KINDS)


@dataclass(frozen=True)
class FieldDef:
    """A declared field of the record: its type and what values it accepts."""

    name: str
    type: str
    label: str | None = None
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    values: tuple[str, ...] | None = None
    default: Any = None
    description: str | None = None
    #: who may change it outside what a transition requires; None: the team file's `edit_fields`
    editors: tuple[Owner, ...] | None = None
    #: states in which it is locked (only a transition that requires it changes it there)
    locked_in: tuple[str, ...] = ()
    path: JsonPath = ()

    @property
    def display(self) -> str:
        return self.label or self.name


# ----- criteria ----------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    """A leaf: `{field: amount, gte: 1000}`."""

    field: str
    op: str
    value: Any
    path: JsonPath = ()


@dataclass(frozen=True)
class AllOf:
    """Criteria that hold when every item holds (`all:`)."""

    items: tuple[Criterion, ...]
    path: JsonPath = ()


@dataclass(frozen=True)
class AnyOf:
    """Criteria that hold when at least one item holds (`any:`)."""

    items: tuple[Criterion, ...]
    path: JsonPath = ()


@dataclass(frozen=True)
class NotOf:
    """Criteria that hold when the item does not (`not:`)."""

    item: Criterion
    path: JsonPath = ()


Criterion = Union[Condition, AllOf, AnyOf, NotOf]


def iter_conditions(criterion: Criterion | None) -> list[Condition]:
    """Every leaf of a criteria tree, depth first."""
    if criterion is None:
        return []
    if isinstance(criterion, Condition):
        return [criterion]
    if isinstance(criterion, NotOf):
        return iter_conditions(criterion.item)
    return [leaf for item in criterion.items for leaf in iter_conditions(item)]


# ----- requirements and actions ----------------------------------------------------------

@dataclass(frozen=True)
class Requirement:
    """What must be filled in during a transition (`require:`)."""

    fields: tuple[str, ...] = ()
    checklist: tuple[str, ...] = ()
    note: bool = False
    attachment: bool = False
    path: JsonPath = ()

    @property
    def is_empty(self) -> bool:
        return not (self.fields or self.checklist or self.note or self.attachment)




# ----- states, SLAs and transitions ----------------------------------------------------

@dataclass(frozen=True)
class EscalationLevel:
    """One more step of an SLA: what happens when a record is still in the state `after` it."""

    after: Duration
    escalate: tuple[Action, ...]
    path: JsonPath = ()


@dataclass(frozen=True)
class Sla:
    """How long a record may stay in a state, and what happens when it stays longer."""

    within: Duration
    escalate: tuple[Action, ...]
    levels: tuple[EscalationLevel, ...] = ()
    path: JsonPath = ()


@dataclass(frozen=True)
class State:
    """A state a record can be in."""

    name: str
    final: bool = False
    description: str | None = None
    sla: Sla | None = None
    path: JsonPath = ()


@dataclass(frozen=True)
class Branch:
    """One outcome of a conditional transition; `when` is None for `else`."""

    to: str
    when: Criterion | None = None
    path: JsonPath = ()

    @property
    def is_else(self) -> bool:
        return self.when is None


@dataclass(frozen=True)
class ParallelPart:
    """One part of a parallel transition: done by its owners, in any order."""

    name: str
    owners: tuple[Owner, ...] = ANYONE
    when: Criterion | None = None
    require: Requirement = Requirement()
    message: str | None = None
    path: JsonPath = ()


@dataclass(frozen=True)
class Auto:
    """A transition the clock performs, `after` the record entered its source state."""

    after: Duration
    path: JsonPath = ()


@dataclass(frozen=True)
class Transition:
    """A way from one or more states to another: who, when, what is required, what happens."""

    name: str
    #: the `from` states as written; `("*",)` means every non-final state
    sources: tuple[str, ...]
    to: str | None = None
    #: who may perform it by hand; empty for an automatic transition without `owners` (`timer_only`)
    owners: tuple[Owner, ...] = ANYONE
    when: Criterion | None = None
    message: str | None = None
    require: Requirement = Requirement()
    then: tuple[Action, ...] = ()
    branches: tuple[Branch, ...] = ()
    parallel: tuple[ParallelPart, ...] = ()
    auto: Auto | None = None
    description: str | None = None
    path: JsonPath = ()

    @property
    def is_common(self) -> bool:
        """Available from several states: `from: "*"` or a list."""
        return self.sources == (ALL_STATES,) or len(self.sources) > 1

    @property
    def is_conditional(self) -> bool:
        return bool(self.branches)

    @property
    def timer_only(self) -> bool:
        """An automatic transition nobody may perform by hand: `blueprint tick` alone runs it."""
        return self.auto is not None and not self.owners

    @property
    def is_parallel(self) -> bool:
        return bool(self.parallel)

    @property
    def targets(self) -> tuple[str, ...]:
        """Every state this transition can lead to."""
        if self.branches:
            return tuple(b.to for b in self.branches)
        return (self.to,) if self.to is not None else ()


@dataclass(frozen=True)
class Entry:
    """Where a record starts, and which records enter the blueprint at all."""

    state: str | None = None
    when: Criterion | None = None
    path: JsonPath = ()


@dataclass(frozen=True)
class Blueprint:
    """One blueprint file: the process of one module, as states and transitions."""

    id: str
    module: str
    field: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    fields: tuple[FieldDef, ...] = ()
    title: str | None = None
    description: str | None = None
    entry: Entry = Entry()
    priority: int | None = None
    #: the file it was read from, for messages
    source: str = ""
    # (`dataclasses.field`: the attribute `field` above shadows the name here)
    _state_index: dict[str, State] = dataclasses.field(default_factory=dict, compare=False, repr=False)
    _field_index: dict[str, FieldDef] = dataclasses.field(default_factory=dict, compare=False, repr=False)
    #: state → transitions leaving it, built on first use (rules ask for every state)
    _from_index: dict[str, tuple[Transition, ...]] = dataclasses.field(default_factory=dict, init=False,
                                                                       compare=False, repr=False)

    def __post_init__(self) -> None:
        for s in self.states:
            self._state_index.setdefault(s.name, s)
        for f in self.fields:
            self._field_index.setdefault(f.name, f)

    @property
    def display_name(self) -> str:
        return self.title or self.id

    def state(self, name: str) -> State | None:
        return self._state_index.get(name)

    def field_def(self, name: str) -> FieldDef | None:
        return self._field_index.get(name)

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states)

    @property
    def entry_state(self) -> str:
        # no states at all only in a model lint salvaged from a broken file
        return self.entry.state or (self.states[0].name if self.states else "")

    @property
    def final_states(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states if s.final)

    def sources_of(self, transition: Transition) -> tuple[str, ...]:
        """The concrete states a transition leaves from (`*` expanded)."""
        if transition.sources == (ALL_STATES,):
            return tuple(s.name for s in self.states if not s.final)
        return transition.sources

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        index = self._from_index
        if not index and self.transitions:
            leaving: dict[str, list[Transition]] = {}
            for t in self.transitions:
                for src in dict.fromkeys(self.sources_of(t)):
                    leaving.setdefault(src, []).append(t)
            index.update((k, tuple(v)) for k, v in leaving.items())
            index.setdefault("", ())  # built, even when no transition has a source
        return index.get(state, ())

    def transition(self, name: str) -> Transition | None:
        for t in self.transitions:
            if t.name == name:
                return t
        return None


# ----- building the model from (schema-valid) data ----------------------------------------

def build_criterion(data: Any, path: JsonPath) -> Criterion:
    if not isinstance(data, dict) or not data:
        raise ModelError("a criterion must be a mapping like {field: amount, gt: 0}", path)
    # a None item is a criterion lint cut out of a half-valid file (check/salvage.py):
    # skipped, so the others keep their places and are still checked
    if "all" in data:
        return AllOf(tuple(build_criterion(c, path + ("all", i)) for i, c in enumerate(data["all"])
                           if c is not None), path)
    if "any" in data:
        return AnyOf(tuple(build_criterion(c, path + ("any", i)) for i, c in enumerate(data["any"])
                           if c is not None), path)
    if "not" in data:
        return NotOf(build_criterion(data["not"], path + ("not",)), path)
    ops = [k for k in data if k != "field"]
    if "field" not in data or len(ops) != 1 or ops[0] not in OPERATORS:
        raise ModelError("a condition needs `field` and exactly one operator", path)
    return Condition(str(data["field"]), ops[0], data[ops[0]], path)


def _owners(data: Any, path: JsonPath) -> tuple[Owner, ...]:
    if data is None:
        return ANYONE
    out = []
    for i, text in enumerate(data):
        try:
            out.append(Owner.parse(str(text), path + (i,)))
        except ValueError as exc:
            raise ModelError(str(exc), path + (i,)) from None
    return tuple(out)


def _requirement(data: Any, path: JsonPath) -> Requirement:
    if not data:
        return Requirement(path=path)
    return Requirement(
        fields=names(data.get("fields")),
        checklist=names(data.get("checklist")),
        note=bool(data.get("note", False)),
        attachment=bool(data.get("attachment", False)),
        path=path,
    )


def _actions(data: Any, path: JsonPath) -> tuple[Action, ...]:
    return tuple(build_action(a, path + (i,)) for i, a in enumerate(data or ()))


def _sla(data: Any, path: JsonPath) -> Sla | None:
    if data is None:
        return None
    levels = tuple(
        EscalationLevel(duration(lv["after"], path + ("levels", i, "after")),
                        _actions(lv.get("escalate"), path + ("levels", i, "escalate")), path + ("levels", i))
        for i, lv in enumerate(data.get("levels") or ())
    )
    return Sla(duration(data["within"], path + ("within",)), _actions(data.get("escalate"), path + ("escalate",)),
               levels, path)


def _opt_criterion(data: dict[str, Any], path: JsonPath) -> Criterion | None:
    return build_criterion(data["when"], path + ("when",)) if data.get("when") is not None else None


def _transition(data: dict[str, Any], path: JsonPath) -> Transition:
    branches = []
    for i, b in enumerate(data.get("branches") or ()):
        bp = path + ("branches", i)
        if "else" in b:
            branches.append(Branch(str(b["else"]), None, bp))
        else:
            branches.append(Branch(str(b["to"]), build_criterion(b["when"], bp + ("when",)), bp))
    parts = tuple(
        ParallelPart(
            name=str(p["name"]),
            owners=_owners(p.get("owners"), path + ("parallel", i, "owners")),
            when=_opt_criterion(p, path + ("parallel", i)),
            require=_requirement(p.get("require"), path + ("parallel", i, "require")),
            message=p.get("message"),
            path=path + ("parallel", i),
        )
        for i, p in enumerate(data.get("parallel") or ())
    )
    auto = data.get("auto")
    # an automatic transition without `owners` runs on its timer alone: nobody performs it by hand
    owners = () if auto and data.get("owners") is None else _owners(data.get("owners"), path + ("owners",))
    return Transition(
        name=str(data["name"]),
        sources=names(data.get("from")),
        to=str(data["to"]) if data.get("to") is not None else None,
        owners=owners,
        when=_opt_criterion(data, path),
        message=data.get("message"),
        require=_requirement(data.get("require"), path + ("require",)),
        then=_actions(data.get("then"), path + ("then",)),
        branches=tuple(branches),
        parallel=parts,
        auto=Auto(duration(auto["after"], path + ("auto", "after")), path + ("auto",)) if auto else None,
        description=data.get("description"),
        path=path,
    )


def _field(name: str, data: dict[str, Any], path: JsonPath) -> FieldDef:
    values = data.get("values")
    return FieldDef(
        name=name,
        type=str(data["type"]),
        label=data.get("label"),
        min=data.get("min"),
        max=data.get("max"),
        min_length=data.get("min_length"),
        max_length=data.get("max_length"),
        pattern=data.get("pattern"),
        values=tuple(str(v) for v in values) if values is not None else None,
        default=data.get("default"),
        description=data.get("description"),
        editors=_owners(data["editors"], path + ("editors",)) if data.get("editors") is not None else None,
        locked_in=names(data.get("locked_in")),
        path=path,
    )


def build(data: dict[str, Any], source: str = "") -> Blueprint:
    """Build the model from data that passed the JSON Schema."""
    entry = data.get("entry") or {}
    return Blueprint(
        id=str(data["blueprint"]),
        module=str(data["module"]),
        field=str(data["field"]),
        title=data.get("title"),
        description=data.get("description"),
        priority=data.get("priority"),
        entry=Entry(
            state=str(entry["state"]) if entry.get("state") is not None else None,
            when=_opt_criterion(entry, ("entry",)),
            path=("entry",),
        ),
        fields=tuple(_field(str(k), v, ("fields", str(k))) for k, v in (data.get("fields") or {}).items()),
        states=tuple(
            State(str(s["name"]), bool(s.get("final", False)), s.get("description"),
                  _sla(s.get("sla"), ("states", i, "sla")), ("states", i))
            for i, s in enumerate(data["states"]) if s is not None
        ),
        # `None` items are holes where lint cut out an invalid item (lint/salvage.py)
        transitions=tuple(_transition(t, ("transitions", i))
                          for i, t in enumerate(data.get("transitions") or ()) if t is not None),
        source=source,
    )

"""The transition engine: pure functions from (blueprint, record, user, input,
now) to either a refusal that says exactly why, or the new record, one history
entry and the outside effects (e-mails, webhooks) still to carry out.

No I/O and no clock here: `now` is passed in, the team is passed in, and the
store and the actions layer (`blueprint_cli.actions`) do the rest.

The steps of a transition follow Zoho's Blueprint:
before (owners, `when` criteria) → during (required fields — one still at its
`default` given or confirmed —, checklist, note, attachment) → the new state
(`to`, the first matching branch, or — for a parallel transition — nothing
until every part is done) → after (`then` actions, in order, each with its
outcome recorded).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from blueprint_cli.language import criteria
from blueprint_cli.shown import quoted
from blueprint_cli.language.calendar import DEFAULT as DEFAULT_CALENDAR
from blueprint_cli.language.calendar import BusinessTime
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.language.durations import Duration, DurationError, parse_relative
from blueprint_cli.language.fieldtypes import FieldValueError, check, is_empty, parse
from blueprint_cli.language.actions import Action, Applied
from blueprint_cli.language.actions.tag import retagged
from blueprint_cli.language.model import Blueprint, FieldDef, Owner, ParallelPart, Requirement, Transition
from blueprint_cli.engine.records import ActionOutcome, HistoryEntry, PartDone, Record, Task, diff_fields
from blueprint_cli.engine import permissions
from blueprint_cli.engine.permissions import owner_matches
from blueprint_cli.language.suggest import closest, did_you_mean
from blueprint_cli.language.team import Team, User

#: Reason kinds that a person can fix by supplying something during the move.
REQUIREMENT_KINDS = frozenset({"field", "checklist", "note", "attachment"})
#: Fields every record has and a user may set besides the declared ones.
SETTABLE_BUILTINS = {"owner": FieldDef("owner", "user", label="Owner")}
#: Who performs what blueprint does by itself (auto transitions, SLA escalations).
SYSTEM_USER = "blueprint"
#: Open records under a blueprint of a user, by name (for `assign` to a role); none: 0 for everyone.
Workload = Callable[[str], int]
TEMPLATE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


class EngineError(BlueprintError):
    """Input the engine cannot even consider: an unknown transition, field or
    checklist item, or a value that does not parse (a usage error, exit 2)."""


# ----- inputs and outcomes --------------------------------------------------------------

@dataclass(frozen=True)
class Inputs:
    """What the user supplies during a move. Field values may be text (as typed on
    the command line) or already-typed values; both are parsed and validated."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    checklist: tuple[str, ...] = ()
    note: str | None = None
    attachments: tuple[str, ...] = ()
    #: the part of a parallel transition to perform (when the name was the transition's)
    part: str | None = None
    #: a required field still at its `default` is taken as it is (`--yes`; automatic
    #: transitions always); without it, such a field counts as still needed
    confirm_defaults: bool = False


#: Why a transition cannot happen (yet); docs/json.md lists them (tests/test_json_docs.py).
ReasonKind = Literal["final", "unavailable", "automatic", "owner", "permission", "criteria", "done", "choose-part", "parallel",
                     "error", "field", "checklist", "note", "attachment"]
#: What shape a transition has (`next --json` `kind`).
OptionKind = Literal["transition", "parallel", "conditional", "common"]


@dataclass(frozen=True)
class Reason:
    """One precise reason a transition cannot happen (yet).

    kind: final, unavailable, automatic, owner, permission, criteria, done, choose-part, parallel, error —
    which block it — or field, checklist, note, attachment — which the user can
    supply during the move (`REQUIREMENT_KINDS`).
    """

    kind: ReasonKind
    message: str
    #: for `field`: the field name; for `checklist`: the missing items
    field: str | None = None
    items: tuple[str, ...] = ()
    #: for `field`: the value proposed (the field's default, which the record holds, to confirm)
    proposed: Any = None

    @property
    def is_requirement(self) -> bool:
        return self.kind in REQUIREMENT_KINDS

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.field:
            out["field"] = self.field
        if self.items:
            out["items"] = list(self.items)
        if self.proposed is not None:
            out["proposed"] = self.proposed
        return out


@dataclass(frozen=True)
class Refusal:
    transition: str
    reasons: tuple[Reason, ...]
    part: str | None = None

    @property
    def only_missing(self) -> bool:
        """Refused only for things the user could still supply (so a terminal may prompt)."""
        return all(r.is_requirement for r in self.reasons)

    def missing_fields(self) -> list[str]:
        return [r.field for r in self.reasons if r.kind == "field" and r.field]

    def missing_checklist(self) -> list[str]:
        return [i for r in self.reasons if r.kind == "checklist" for i in r.items]

    def needs(self, kind: str) -> bool:
        return any(r.kind == kind for r in self.reasons)


@dataclass(frozen=True)
class Effect:
    """An outside action to carry out after the record is committed. `index` is
    its place in the history entry's `actions`, whose outcome it will replace."""

    kind: str
    index: int
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Moved:
    record: Record
    entry: HistoryEntry
    effects: tuple[Effect, ...] = ()
    #: parts of the parallel transition still waiting (the record has not moved yet)
    waiting: tuple[str, ...] = ()


@dataclass(frozen=True)
class Option:
    """One thing the user could do now (`blueprint next`): a transition, or one
    part of a parallel transition."""

    transition: str
    part: str | None
    targets: tuple[str, ...]
    allowed: bool
    #: why not, when not allowed (owner, criteria, done)
    blocked_by: tuple[Reason, ...]
    #: what must still be supplied during the move
    requires: tuple[Reason, ...]
    message: str | None = None
    kind: OptionKind = "transition"
    #: what happens after it (each action in its one wording)
    then: tuple[str, ...] = ()
    #: an automatic transition the user may not perform by hand: when `blueprint tick` runs it
    #: (ISO 8601; None when the record's time of entering its state is unknown)
    runs_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        req = {
            "fields": [r.field for r in self.requires if r.kind == "field"],
            "proposed": {r.field: r.proposed for r in self.requires
                         if r.kind == "field" and r.field and r.proposed is not None},
            "checklist": [i for r in self.requires if r.kind == "checklist" for i in r.items],
            "note": any(r.kind == "note" for r in self.requires),
            "attachment": any(r.kind == "attachment" for r in self.requires),
        }
        return {
            "transition": self.transition, "part": self.part, "kind": self.kind, "to": list(self.targets),
            "allowed": self.allowed, "requires": req, "message": self.message, "then": list(self.then),
            "blocked_by": [r.to_dict() for r in self.blocked_by], "runs_at": self.runs_at,
        }


# ----- small helpers --------------------------------------------------------------------

def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _owner_reason(what: str, owners: Sequence[Owner], user: User, record: Record) -> Reason | None:
    if any(owner_matches(o, user, record) for o in owners):
        return None
    rules = " or ".join(str(o) for o in owners)
    extra = f" (the record owner is {record.owner})" if any(o.kind == "record_owner" for o in owners) else ""
    return Reason("owner", f"you are not an owner of {what}: it is for {rules}{extra}; you are {user.describe()}")


def field_defs(bp: Blueprint) -> dict[str, FieldDef]:
    return {f.name: f for f in bp.fields}


def parse_values(defs: Mapping[str, FieldDef], raw: Mapping[str, Any], state_field: str | None = None,
                 what: str = "") -> dict[str, Any]:
    """Parse `name -> text` with each field's type. Unknown fields and values that
    do not parse are usage errors; the state field is refused (it moves only
    through transitions)."""
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name in (state_field, "state"):
            raise BlueprintError(
                f"{name!r} is the state field of {what or 'the blueprint'}: it changes only through transitions",
                hint="see what the record can do with `blueprint next ID`", exit_code=1)
        fd = defs.get(name) or SETTABLE_BUILTINS.get(name)
        if fd is None:
            hint = did_you_mean(name, list(defs) + list(SETTABLE_BUILTINS))
            known = ", ".join(defs) or "none"
            raise EngineError(f"unknown field {name!r}{' in ' + what if what else ''}",
                              hint=hint or f"fields: {known}")
        try:
            out[name] = parse(fd, value)
        except FieldValueError as exc:
            shown = value if isinstance(value, str) else repr(value)
            raise EngineError(f"{fd.display}: {quoted(shown)} is not a valid {fd.type}: {exc}",
                              hint=_value_hint(fd)) from None
    return out


def _value_hint(fd: FieldDef) -> str | None:
    if fd.values:
        return f"{fd.name} is one of: {', '.join(fd.values)}"
    return None


def render(text: str, record: Record, user: str, now: datetime, state_field: str | None = None) -> str:
    """Fill `{{record.FIELD}}`, `{{user}}` and `{{now}}`; unknown names become empty."""
    values = record.values(state_field)

    def one(m: re.Match[str]) -> str:
        name = m[1]
        if name == "user":
            return user
        if name == "now":
            return iso(now)
        if name.startswith("record."):
            return _text(values.get(name[len("record."):]))
        return ""

    return TEMPLATE.sub(one, text)


def render_url(text: str, record: Record, user: str, now: datetime, state_field: str | None = None) -> str:
    """`render` for a webhook URL: a value filled in after the host (in the
    path, query or fragment) is percent-encoded whole, so `../../admin?x=1#`
    from a record stays one path segment and cannot change where the request
    goes. A value that makes up the scheme or host (`url: "{{record.hook}}"`)
    is left as it is: that address is what the blueprint asks for."""
    from urllib.parse import quote

    scheme = text.find("://")
    path_at = text.find("/", scheme + 3) if scheme >= 0 else -1
    out: list[str] = []
    last = 0
    for m in TEMPLATE.finditer(text):
        value = render(m[0], record, user, now, state_field)
        out += [text[last:m.start()], quote(value, safe="") if 0 <= path_at < m.start() else value]
        last = m.end()
    return "".join(out) + text[last:]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _shown(value: Any) -> str:
    return "—" if is_empty(value) else _text(value)


def add_duration(now: datetime, duration: Duration, calendar: BusinessTime | None = None) -> datetime:
    """`now` plus a duration: calendar durations are elapsed time, business
    ones count working time on `calendar` (default: `calendar.DEFAULT`,
    Monday to Friday 09:00-17:00). The one business-time arithmetic."""
    return (calendar or DEFAULT_CALENDAR).add(now, duration)


# ----- entering a blueprint -------------------------------------------------------------

def entry_order(blueprints: Iterable[tuple[int, Blueprint]]) -> list[Blueprint]:
    """Blueprints in the order entry tries them: lowest `priority` first (none set
    counts as last), then publish order. Input: (publish sequence, blueprint)."""
    ranked = sorted(blueprints, key=lambda sb: (sb[1].priority is None, sb[1].priority or 0, sb[0]))
    return [bp for _, bp in ranked]


def choose_blueprint(candidates: Sequence[Blueprint], module: str,
                     values: Mapping[str, Any]) -> tuple[Blueprint | None, list[str]]:
    """The first blueprint (in entry order) whose module matches and whose
    `entry.when` holds; else None and why each candidate declined."""
    why: list[str] = []
    for bp in candidates:
        if bp.module.casefold() != module.casefold():
            continue
        failures = criteria.explain(bp.entry.when, values)
        if not failures:
            return bp, why
        why.append(f"{bp.id}: entry criteria not met: " + "; ".join(f.describe() for f in failures))
    return None, why


def with_defaults(bp: Blueprint, fields: Mapping[str, Any]) -> dict[str, Any]:
    """`fields` with the blueprint's field defaults filled in where a field has no
    value: what a record gets when it enters `bp`, at creation or later."""
    out = dict(fields)
    for fd in bp.fields:
        if fd.name not in out and fd.default is not None:
            try:
                out[fd.name] = parse(fd, fd.default)
            except FieldValueError:
                pass  # a bad default is lint's business; the field simply stays empty
    return out


def create(bp: Blueprint | None, *, record_id: str, module: str, version: int | None, owner: str,
           values: Mapping[str, Any], user: str, now: datetime, state: str | None = None) -> tuple[Record, HistoryEntry]:
    """A new record (in `bp`'s entry state — or `state`, entering mid-process —,
    with field defaults filled in, or ungoverned when `bp` is None) and its first
    history entry."""
    fields = with_defaults(bp, values) if bp is not None else dict(values)
    fields = {k: v for k, v in fields.items() if k != "owner"}
    stamp = iso(now)
    state = (state or bp.entry_state) if bp is not None else None
    record = Record(id=record_id, module=bp.module if bp else module, blueprint=bp.id if bp else None,
                    version=version if bp else None, state=state, owner=owner, fields=fields,
                    created_at=stamp, updated_at=stamp, state_since=stamp if bp else "")
    entry = HistoryEntry(at=stamp, user=user, kind="create", to_state=state,
                         changes={k: [None, v] for k, v in fields.items() if not is_empty(v)},
                         note=(None if state == bp.entry_state else f"started at {state}, past the entry state {bp.entry_state}")
                         if bp else "not governed by any blueprint", version=record.version)
    return record, entry


def enter(bp: Blueprint, record: Record, version: int, user: str, now: datetime) -> tuple[Record, HistoryEntry]:
    """An ungoverned record that now matches `bp`'s entry criteria enters it, and
    gets the field defaults a record created in it gets."""
    stamp = iso(now)
    fields = with_defaults(bp, record.fields)
    new = replace(record, blueprint=bp.id, version=version, state=bp.entry_state, state_since=stamp,
                  updated_at=stamp, fields=fields)
    changes = {k: [record.fields.get(k), v] for k, v in fields.items() if record.fields.get(k) != v}
    return new, HistoryEntry(at=stamp, user=user, kind="enter", to_state=bp.entry_state, changes=changes,
                             note=f"entered {bp.id}", version=version)


def edit(bp: Blueprint | None, record: Record, values: Mapping[str, Any], user: str,
         now: datetime) -> tuple[Record, HistoryEntry] | None:
    """Change fields outside a transition (already parsed); None if nothing changes."""
    owner = values.get("owner", record.owner)
    fields = dict(record.fields)
    fields.update({k: v for k, v in values.items() if k != "owner"})
    changes = diff_fields(record.fields, fields)
    if owner != record.owner:
        changes["owner"] = [record.owner, owner]
    if not changes:
        return None
    stamp = iso(now)
    new = replace(record, fields=fields, owner=str(owner), updated_at=stamp)
    return new, HistoryEntry(at=stamp, user=user, kind="edit", from_state=record.state, to_state=record.state,
                             changes=changes, version=record.version)


def complete_task(record: Record, task_id: int, user: str, now: datetime) -> tuple[Record, HistoryEntry]:
    """Mark one of the record's tasks done."""
    task = next((t for t in record.tasks if t.id == task_id), None)
    if task is None:
        open_ = ", ".join(f"#{t.id} {t.subject}" for t in record.open_tasks())
        raise EngineError(f"record {record.id} has no task #{task_id}",
                          hint=f"open tasks: {open_}" if open_ else "it has no open tasks")
    if task.status == "done":
        raise BlueprintError(f"task #{task_id} of record {record.id} was already done by {task.done_by} at {task.done_at}",
                             exit_code=1)
    stamp = iso(now)
    done = replace(task, status="done", done_at=stamp, done_by=user)
    new = replace(record, tasks=tuple(done if t.id == task_id else t for t in record.tasks), updated_at=stamp)
    return new, HistoryEntry(at=stamp, user=user, kind="task", from_state=record.state, to_state=record.state,
                             changes={f"task #{task_id}": ["open", "done"]}, note=task.subject,
                             version=record.version)


def retag(record: Record, add: Sequence[str], remove: Sequence[str], user: str,
          now: datetime) -> tuple[Record, HistoryEntry] | None:
    """Add and remove tags outside a transition; None if nothing changes."""
    tags, _ = retagged(record.tags, tuple(add), tuple(remove))
    if tags == record.tags:
        return None
    stamp = iso(now)
    new = replace(record, tags=tags, updated_at=stamp)
    return new, HistoryEntry(at=stamp, user=user, kind="edit", from_state=record.state, to_state=record.state,
                             changes={"tags": [list(record.tags), list(new.tags)]}, version=record.version)


# ----- finding the transition -------------------------------------------------------------

def _resolve(bp: Blueprint, name: str, part: str | None) -> tuple[Transition, ParallelPart | None]:
    """A transition by name (any case), or a parallel part by its own name."""
    names = [t.name for t in bp.transitions]
    parts = {p.name: t for t in bp.transitions for p in t.parallel}
    match = closest(name, names)
    if match is not None and match.casefold() == name.casefold():
        t = bp.transition(match)
        assert t is not None
        return t, _resolve_part(t, part) if part else None
    pmatch = closest(name, list(parts))
    if pmatch is not None and pmatch.casefold() == name.casefold():
        t = parts[pmatch]
        return t, _resolve_part(t, pmatch)
    hint = did_you_mean(name, names + list(parts))
    raise EngineError(f"no transition {name!r} in {bp.id}", hint=hint or f"transitions: {', '.join(names)}")


def _resolve_part(t: Transition, name: str) -> ParallelPart:
    if not t.parallel:
        raise EngineError(f"{t.name!r} is not a parallel transition; it has no parts")
    for p in t.parallel:
        if p.name.casefold() == name.casefold():
            return p
    hint = did_you_mean(name, [p.name for p in t.parallel])
    raise EngineError(f"{t.name!r} has no part {name!r}",
                      hint=hint or f"parts: {', '.join(p.name for p in t.parallel)}")


def _blocked_here(bp: Blueprint, record: Record, t: Transition) -> Reason | None:
    state = record.state or ""
    st = bp.state(state)
    if st is not None and st.final:
        return Reason("final", f"record {record.id} is in {state}, a final state: no transition leaves it")
    if state not in bp.sources_of(t):
        here = [x.name for x in bp.transitions_from(state)]
        sources = ", ".join(bp.sources_of(t))
        avail = f"; from {state} there is: {', '.join(here)}" if here else ""
        return Reason("unavailable", f"{t.name!r} leaves from {sources}, but record {record.id} is in {state}{avail}")
    return None


def runs_at(record: Record, t: Transition, calendar: BusinessTime | None = None) -> str | None:
    """When the timer runs the automatic transition `t` for `record` (ISO 8601),
    None when the record's entry time into its state is unknown."""
    assert t.auto is not None
    try:
        if record.state_since:
            return iso(add_duration(datetime.fromisoformat(record.state_since), t.auto.after, calendar))
    except (OverflowError, ValueError):
        pass
    return None


def _timer_reason(record: Record, t: Transition, user: User, at: str | None) -> Reason:
    """Why a user may not perform an automatic transition by hand: when its timer runs it."""
    assert t.auto is not None
    when = f"at {at}" if at else f"{t.auto.after} after entering {record.state}"
    if not t.owners:
        return Reason("automatic", f"{t.name!r} runs automatically {when}: `blueprint tick` performs it, "
                                   "nobody by hand")
    rules = " or ".join(str(o) for o in t.owners)
    return Reason("automatic", f"{t.name!r} runs automatically {when}; by hand it is for {rules}, "
                               f"and you are {user.describe()}")


def _done(record: Record, t: Transition) -> dict[str, PartDone]:
    return {p.part: p for p in record.pending if p.transition == t.name}


# ----- checking ---------------------------------------------------------------------------

def _requirement_reasons(bp: Blueprint, req: Requirement, fields: Mapping[str, Any], inputs: Inputs,
                         ticked: set[str]) -> list[Reason]:
    out: list[Reason] = []
    for name in req.fields:
        fd = bp.field_def(name)
        value = fields.get(name)
        label = fd.display if fd else name
        if is_empty(value):
            out.append(Reason("field", f"{label} is required", field=name))
            continue
        if fd is not None and not inputs.confirm_defaults and name not in inputs.fields and at_default(fd, value):
            out.append(Reason("field", f"{label} is required: its default {_text(value)} is proposed; confirm with "
                                       f"--yes or give --set {name}=…", field=name, proposed=value))
            continue
        if fd is not None:
            try:
                check(fd, value)
            except FieldValueError as exc:
                out.append(Reason("field", f"{label} is required and its value {value!r} is not valid: {exc}",
                                  field=name))
    missing = tuple(i for i in req.checklist if i.casefold() not in ticked)
    if missing:
        out.append(Reason("checklist", "checklist not ticked: " + ", ".join(missing), items=missing))
    if req.note and not (inputs.note or "").strip():
        out.append(Reason("note", "a note is required"))
    if req.attachment and not inputs.attachments:
        out.append(Reason("attachment", "an attachment is required"))
    return out


def at_default(fd: FieldDef, value: Any) -> bool:
    """Whether `value` is still `fd`'s default — what a record gets on entering
    the blueprint — so a transition requiring the field has it confirmed
    (`Inputs.confirm_defaults`) or given rather than taking it unseen. Only the
    value is compared: a value typed earlier that equals the default counts too."""
    if fd.default is None:
        return False
    try:
        return bool(parse(fd, fd.default) == parse(fd, value))
    except FieldValueError:
        return False


def _checklist(t: Transition, part: ParallelPart | None, inputs: Inputs, completes: bool) -> tuple[str, ...]:
    """The checklist items that apply, validating the ticked ones (exit 2 if unknown)."""
    items = list(part.require.checklist if part else t.require.checklist)
    if part is not None and completes:
        items += list(t.require.checklist)
    for given in inputs.checklist:
        if not any(given.casefold() == i.casefold() for i in items):
            what = f"{t.name} / {part.name}" if part else t.name
            if not items:
                raise EngineError(f"{what!r} has no checklist; remove --check {given!r}")
            raise EngineError(f"{given!r} is not on the checklist of {what!r}",
                              hint=did_you_mean(given, items) or "items: " + "; ".join(items))
    return tuple(items)


def _plan(bp: Blueprint, record: Record, user: User, t: Transition, part: ParallelPart | None,
          inputs: Inputs, calendar: BusinessTime | None = None,
          ) -> tuple[list[Reason], ParallelPart | None, dict[str, Any], bool]:
    """Every reason the move cannot happen, the part it performs, the fields after
    the input, and whether it completes the transition."""
    blocked = _blocked_here(bp, record, t)
    if blocked is not None:
        return [blocked], part, dict(record.fields), False
    reasons: list[Reason] = []
    values = record.values(bp.field)
    if t.auto is not None and not any(owner_matches(o, user, record) for o in t.owners):
        reasons.append(_timer_reason(record, t, user, runs_at(record, t, calendar)))
    elif t.owners:
        r = _owner_reason(repr(t.name), t.owners, user, record)
        if r:
            reasons.append(r)
    reasons += [Reason("criteria", f"criteria of {t.name!r} not met: {f.describe()}")
                for f in criteria.explain(t.when, values)]
    done = _done(record, t)
    if t.parallel:
        if part is None:
            waiting = [p for p in t.parallel if p.name not in done]
            mine = [p for p in waiting if any(owner_matches(o, user, record) for o in p.owners)]
            if len(mine) == 1:
                part = mine[0]
            elif len(mine) > 1:
                names = ", ".join(p.name for p in mine)
                reasons.append(Reason("choose-part", f"{t.name!r} has {len(mine)} parts you may do: {names}; "
                                                     "name one (e.g. --part NAME)", items=tuple(p.name for p in mine)))
                return reasons, None, dict(record.fields), False
            else:
                for p in waiting:
                    r = _owner_reason(f"{t.name!r} / {p.name!r}", p.owners, user, record)
                    if r:
                        reasons.append(r)
                return reasons, None, dict(record.fields), False
        if part.name in done:
            d = done[part.name]
            reasons.append(Reason("done", f"{part.name!r} was already done by {d.user} at {d.at}"))
            return reasons, part, dict(record.fields), False
        r = _owner_reason(f"{t.name!r} / {part.name!r}", part.owners, user, record)
        if r:
            reasons.append(r)
        reasons += [Reason("criteria", f"criteria of {part.name!r} not met: {f.describe()}")
                    for f in criteria.explain(part.when, values)]
    completes = not t.parallel or all(p.name in done or p is part for p in t.parallel)
    defs = field_defs(bp)
    given = parse_values(defs, inputs.fields, bp.field, bp.id)
    fields = dict(record.fields)
    fields.update({k: v for k, v in given.items() if k != "owner"})
    items = _checklist(t, part, inputs, completes)
    ticked = {i.casefold() for i in inputs.checklist}
    reqs = [part.require] if part is not None else [t.require]
    if part is not None and completes:
        reqs.append(t.require)  # a parallel transition's own requirements fall to its last part
    merged = Requirement(
        fields=tuple(dict.fromkeys(f for r in reqs for f in r.fields)),
        checklist=items,
        note=any(r.note for r in reqs),
        attachment=any(r.attachment for r in reqs),
    )
    reasons += _requirement_reasons(bp, merged, fields, inputs, ticked)
    return reasons, part, fields, completes


# ----- the public operations --------------------------------------------------------------

def options(bp: Blueprint, record: Record, user: User, calendar: BusinessTime | None = None) -> list[Option]:
    """Every transition (and parallel part) leaving the record's state, whether the
    user may perform it now, and what it still requires (`blueprint next`)."""
    out: list[Option] = []
    state = bp.state(record.state or "")
    if state is None or state.final:
        return out
    for t in bp.transitions_from(record.state or ""):
        kind: OptionKind = ("parallel" if t.parallel else "conditional" if t.branches else "common" if t.is_common
                            else "transition")
        targets = t.targets
        parts: list[ParallelPart | None] = list(t.parallel) if t.parallel else [None]
        done = _done(record, t)
        for p in parts:
            if p is not None and p.name in done:
                continue
            reasons, _, _, _ = _plan(bp, record, user, t, p, Inputs(), calendar)
            blocking = tuple(r for r in reasons if not r.is_requirement)
            needs = tuple(r for r in reasons if r.is_requirement)
            message = (p.message if p is not None and p.message else None) or t.message
            at = runs_at(record, t, calendar) if any(r.kind == "automatic" for r in blocking) else None
            out.append(Option(t.name, p.name if p else None, targets, not blocking, blocking, needs, message, kind,
                              tuple(a.describe() for a in t.then), at))
    return out


def move(bp: Blueprint, record: Record | Mapping[str, Any], user: User, transition: str, inputs: Inputs,
         now: datetime, team: Team | None = None, *, system: bool = False, calendar: BusinessTime | None = None,
         workload: Workload | None = None) -> Moved | Refusal:
    """Perform a transition, or one part of a parallel transition.

    Returns `Refusal` with every reason when it cannot happen; raises
    `EngineError` for input that names nothing (unknown transition, field or
    checklist item) or a value that does not parse.

    `system`: blueprint performs it by itself (an `auto` transition on `tick`):
    owner rules do not apply — nobody is acting — but criteria and requirements
    do (a required field still at its default counts as given: nobody is there
    to confirm it). Without it, an `auto` transition with no `owners` is
    refused: its timer alone runs it. `calendar` is the working calendar for business durations in
    actions; `workload` counts a user's open records (for `assign` to a role).
    """
    if not isinstance(record, Record):
        record = Record.from_dict(record)
    if record.blueprint != bp.id:
        raise BlueprintError(f"record {record.id} is not governed by {bp.id}", exit_code=1)
    t, part = _resolve(bp, transition, inputs.part)
    if system:
        inputs = replace(inputs, confirm_defaults=True)  # nobody to ask: a default stands
    reasons, part, fields, completes = _plan(bp, record, user, t, part, inputs, calendar)
    if system:
        if t.parallel:
            reasons = [Reason("parallel", f"{t.name!r} is a parallel transition: its parts are done by people, "
                                          "never automatically")]
        reasons = [r for r in reasons if r.kind not in ("owner", "automatic")]
    elif inputs.fields:
        # what the user sets beyond what the transition asks for is an edit: the field's editors, its locks
        asked = t.require.fields + (part.require.fields if part is not None else ())
        reasons += [Reason("permission", why) for why in
                    permissions.changes(bp, team or Team(), user, record, inputs.fields, asked)]
    if reasons:
        return Refusal(t.name, tuple(reasons), part.name if part else None)

    stamp = iso(now)
    given_owner = parse_values(field_defs(bp), {k: v for k, v in inputs.fields.items() if k == "owner"}).get("owner")
    moved = replace(record, fields=fields, owner=str(given_owner or record.owner), updated_at=stamp)
    checklist = tuple(i for i in _checklist(t, part, inputs, completes)
                      if i.casefold() in {c.casefold() for c in inputs.checklist})
    if not completes:
        assert part is not None
        moved = replace(moved, pending=record.pending + (PartDone(t.name, part.name, user.name, stamp),))
        waiting = tuple(p.name for p in t.parallel if p.name not in _done(moved, t))
        entry = HistoryEntry(at=stamp, user=user.name, kind="part", transition=t.name, part=part.name,
                             from_state=record.state, to_state=record.state,
                             changes=_changes(record, moved), note=inputs.note or None, checklist=checklist,
                             attachments=inputs.attachments, version=record.version)
        return Moved(moved, entry, (), waiting)

    target = _target(t, moved.values(bp.field))
    moved = replace(moved, state=target, pending=(), state_since=stamp)
    moved, outcomes, effects = run_actions(bp, t.then, moved, user.name, now, team, t.name, calendar, workload)
    entry = HistoryEntry(at=stamp, user=user.name, kind="move", transition=t.name,
                         part=part.name if part else None, from_state=record.state, to_state=target,
                         changes=_changes(record, moved), note=inputs.note or None, checklist=checklist,
                         attachments=inputs.attachments, actions=tuple(outcomes), version=record.version)
    return Moved(moved, entry, tuple(effects))


def _target(t: Transition, values: Mapping[str, Any]) -> str:
    for b in t.branches:
        if b.when is None or criteria.evaluate(b.when, values):
            return b.to
    if t.to is None:  # a conditional transition without `else` (lint BP208) and no branch matched
        raise BlueprintError(f"no branch of {t.name!r} matches and it has no `else`", exit_code=1,
                             hint="add `- else: STATE` to its branches")
    return t.to


def _changes(old: Record, new: Record) -> dict[str, list[Any]]:
    changes = diff_fields(old.fields, new.fields)
    if old.owner != new.owner:
        changes["owner"] = [old.owner, new.owner]
    if old.tags != new.tags:
        changes["tags"] = [list(old.tags), list(new.tags)]
    return changes


# ----- after: actions ---------------------------------------------------------------------

def run_actions(bp: Blueprint, actions: Sequence[Action], record: Record, user: str, now: datetime,
                team: Team | None, origin: str | None = None,
                calendar: BusinessTime | None = None,
                workload: Workload | None = None) -> tuple[Record, list[ActionOutcome], list[Effect]]:
    """Perform each action on the record, in order (each kind says what it does:
    `language/actions/`); the ones that leave the process (e-mail, webhook)
    become effects for the actions layer (their outcome is `pending` until it
    is delivered, and keeps the request so it can be sent again). A failing
    action changes nothing and is reported in its outcome — the others still
    run. `origin`: the transition (or escalation) that runs them."""
    outcomes: list[ActionOutcome] = []
    effects: list[Effect] = []
    for action in actions:
        on = _Performing(bp, record, user, now, team, origin, calendar, workload, len(outcomes))
        try:
            applied = action.perform(on)
        except (FieldValueError, ValueError) as exc:
            applied = Applied.failed(str(exc))
        if applied.status != "failed":
            record = _applied(record, applied, now, origin)
        if applied.request is not None and applied.status == "pending":
            effects.append(Effect(action.KEY, len(outcomes), applied.request))
        outcomes.append(ActionOutcome(action.KEY, applied.status, applied.detail, request=applied.request))
    return record, outcomes, effects


def _applied(record: Record, applied: Applied, now: datetime, origin: str | None) -> Record:
    """The record with what one action asked for."""
    changes: dict[str, Any] = {}
    if applied.fields is not None:
        changes["fields"] = dict(applied.fields)
    if applied.owner is not None and applied.owner != record.owner:
        changes["owner"] = applied.owner
    if applied.tags is not None:
        changes["tags"] = applied.tags
    if applied.task is not None:
        new = applied.task
        task = Task(id=max((t.id for t in record.tasks), default=0) + 1, subject=new.subject, due=new.due,
                    owner=new.owner, created_at=iso(now), transition=origin)
        changes["tasks"] = record.tasks + (task,)
    return replace(record, **changes) if changes else record


class _Performing:
    """The record and services an action is performed with (`Performing`)."""

    def __init__(self, bp: Blueprint, record: Record, user: str, now: datetime, team: Team | None,
                 origin: str | None, calendar: BusinessTime | None, workload: Workload | None, index: int) -> None:
        self.bp, self.record, self.user, self.now, self.team = bp, record, user, now, team
        self.origin, self.calendar, self.workload, self.index = origin, calendar, workload, index

    @property
    def record_id(self) -> str:
        return self.record.id

    @property
    def fields(self) -> Mapping[str, Any]:
        return self.record.fields

    @property
    def owner(self) -> str:
        return self.record.owner

    @property
    def tags(self) -> tuple[str, ...]:
        return self.record.tags

    @property
    def next_task(self) -> int:
        return max((t.id for t in self.record.tasks), default=0) + 1

    def render(self, text: str) -> str:
        return render(text, self.record, self.user, self.now, self.bp.field)

    def render_url(self, text: str) -> str:
        return render_url(text, self.record, self.user, self.now, self.bp.field)

    def render_data(self, value: Any) -> Any:
        return _render_data(value, self.record, self.user, self.now, self.bp.field)

    def typed(self, name: str, value: Any) -> Any:
        if name in (self.bp.field, "state"):
            raise ValueError(f"{name}: the state field changes only through transitions")
        fd = self.bp.field_def(name) or SETTABLE_BUILTINS.get(name)
        if fd is None:
            raise ValueError(f"{name}: not a field of {self.bp.id}")
        return _set_value(fd, value, self.record, self.user, self.now, self.bp.field)

    def shown(self, value: Any) -> str:
        return _shown(value)

    def due(self, after: Duration) -> str:
        return iso(add_duration(self.now, after, self.calendar))

    def recipients(self, spec: str) -> tuple[list[str], list[str]]:
        return recipients(spec, self.record, self.team)

    def task_owner(self, spec: str | None) -> str:
        return _resolve_task_owner(spec, self.record)

    def least_busy(self, kind: str, name: str) -> str | None:
        team = self.team or Team()
        members = team.with_role(name) if kind == "role" else team.with_profile(name)
        load = self.workload or (lambda _user: 0)
        return min(((load(u.name), u.name) for u in members), default=(0, None))[1]

    def about(self) -> dict[str, Any]:
        return {"record": self.record.id, "module": self.record.module, "blueprint": self.bp.id,
                "transition": self.origin, "user": self.user, "at": iso(self.now)}

    def event(self) -> dict[str, Any]:
        origin = self.origin
        return {"event": "transition" if origin and not origin.startswith("SLA ") else "escalation",
                "blueprint": self.bp.id, "transition": origin, "user": self.user, "at": iso(self.now),
                "record": self.record.to_dict()}

    def delivery_id(self) -> str:
        import hashlib

        key = f"{self.record.id}\0{iso(self.now)}\0{self.origin}\0{self.index}"
        return hashlib.sha256(key.encode()).hexdigest()[:24]


def _set_value(fd: FieldDef, value: Any, record: Record, user: str, now: datetime, state_field: str) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if fd.type in ("date", "datetime"):
            try:
                delta = parse_relative(text)
            except DurationError as exc:
                raise FieldValueError(f"{fd.name}: {exc}") from None
            if delta is not None:
                moment = now + delta
                return moment.date().isoformat() if fd.type == "date" else iso(moment)
            if text in ("{{now}}", "{{ now }}"):
                return now.date().isoformat() if fd.type == "date" else iso(now)
        value = render(value, record, user, now, state_field)
    try:
        return parse(fd, value)
    except FieldValueError as exc:
        raise FieldValueError(f"{fd.name}: {quoted(value)} is not a valid {fd.type}: {exc}") from None


def _resolve_task_owner(spec: str | None, record: Record) -> str:
    if not spec or spec == "record_owner":
        return record.owner
    try:
        owner = Owner.parse(spec)
    except ValueError:
        return spec
    if owner.kind == "user" and owner.name:
        return owner.name
    return str(owner)  # a role or profile: the task is for whoever holds it


def recipients(spec: str, record: Record, team: Team | None) -> tuple[list[str], list[str]]:
    """E-mail addresses for an owner entry or address, and who had none."""
    spec = spec.strip()
    if "@" in spec and ":" not in spec:
        return [spec], []
    team = team or Team()
    try:
        owner = Owner.parse(spec)
    except ValueError:
        return [], [spec]
    if owner.kind == "record_owner":
        users = [team.user(record.owner)]
    elif owner.kind == "user":
        users = [team.user(owner.name or "")]
    elif owner.kind == "role":
        users = team.with_role(owner.name or "") or [User(f"role:{owner.name}", known=False)]
    elif owner.kind == "profile":
        users = team.with_profile(owner.name or "") or [User(f"profile:{owner.name}", known=False)]
    else:
        return [], ["anyone"]
    found = [u.email for u in users if u.email]
    return found, [u.name for u in users if not u.email]


def _render_data(value: Any, record: Record, user: str, now: datetime, state_field: str) -> Any:
    if isinstance(value, str):
        return render(value, record, user, now, state_field)
    if isinstance(value, Mapping):
        return {str(k): _render_data(v, record, user, now, state_field) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_render_data(v, record, user, now, state_field) for v in value]
    return value



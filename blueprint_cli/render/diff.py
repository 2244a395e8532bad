"""`blueprint diff`: what changed between two versions of a blueprint, in the
words of the process rather than of the YAML.

States added, removed or renamed (a removed and an added state with the same
transitions around them are one state renamed); transitions added, removed,
renamed, or changed in their sources, targets, branches, owners, criteria,
requirements, actions, parallel parts or timing; fields and the entry
criteria. Changes that make a transition harder to perform are *tightened*
(fewer owners, stricter criteria, more requirements), easier ones *loosened*;
for criteria that is decided by `implication` (proven, or left "changed").

With a workspace, `impact` counts the records a change touches: records in
removed or renamed states, and records waiting in a state a changed transition
leaves from. Rendering (text, Markdown, JSON) is separate from computing: the
core never prints.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprint_cli.language import wording
from blueprint_cli.language.analysis import renamed_states
from blueprint_cli.diagnostics import BlueprintError, Diagnostic, Severity
from blueprint_cli.language.implication import Domain, canonical, implies
from blueprint_cli.language.model import (
    Action, Blueprint, Criterion, Owner, ParallelPart, Requirement,
    State, Transition,
)

TIGHTENED, LOOSENED = "tightened", "loosened"

# ----- reading the two sides --------------------------------------------------------------

@dataclass(frozen=True)
class Side:
    blueprint: Blueprint
    label: str
    #: lint errors of a side whose model could still be built (no final state, ...)
    errors: tuple[Diagnostic, ...] = ()


def _lint_side(text: str, label: str) -> Side:
    from blueprint_cli.check import LintFailed, lint_text

    bp, diags = lint_text(text, label)
    # lint builds a model from what is left of a file with schema errors (so its
    # rules can run); a diff of that part-model would report a half-read file as
    # everything removed, so a side with reading or schema errors is refused
    unreadable = any(d.severity is Severity.ERROR and d.code.startswith("BP1") for d in diags)
    if bp is None or unreadable:
        raise LintFailed(sorted([d for d in diags if d.severity is Severity.ERROR] or diags,
                                key=lambda d: d.sort_key()))
    # the diff of a model that builds is still worth reading; the command exits 1 after it
    return Side(bp, label, tuple(sorted((d for d in diags if d.severity is Severity.ERROR),
                                        key=lambda d: d.sort_key())))


#: What a side of `diff` may be (said wherever one is refused).
SIDE_HINT = "give a blueprint file, or a git revision as REV:path (e.g. HEAD~1:deal.yaml)"


def is_revision_spec(spec: str) -> bool:
    """`REV:path` (git's notation), when no file of that name exists."""
    return ":" in spec and not Path(spec).exists() and not spec.startswith(":") and "://" not in spec


def read_side(spec: str, cwd: Path | None = None) -> Side:
    """A blueprint from a file, or from git as `REV:path` (`HEAD~1:deal.yaml`;
    the path is from the repository root as git reads it, or `./path` from the
    current folder)."""
    from blueprint_cli.userfile import read_user_file

    path = Path(spec)
    if path.exists() and not path.is_dir():  # a FIFO or device too: refused by the reader, never waited on
        try:
            text = read_user_file(path).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BlueprintError(f"cannot read {spec}: {exc}") from None
        return _lint_side(text, spec)
    if path.is_dir():
        raise BlueprintError(f"{spec} is a folder; give one blueprint file")
    if not is_revision_spec(spec):
        raise BlueprintError(f"no such file: {spec}",
                             hint=SIDE_HINT)
    return _lint_side(git_show(spec, cwd), spec)


def git_show(spec: str, cwd: Path | None = None) -> str:
    rev, _, rel = spec.partition(":")
    if spec.startswith("-"):
        # git would read it as one of its options (`--output=FILE` writes a file)
        raise BlueprintError(f"cannot read {spec} from git: a revision cannot start with '-'",
                             hint=SIDE_HINT)
    try:
        # --end-of-options: whatever the spec holds, git reads it as a revision, never as an option
        proc = subprocess.run(["git", "show", "--end-of-options", spec], cwd=cwd, capture_output=True, timeout=30)
    except FileNotFoundError:
        raise BlueprintError(f"cannot read {spec}: git is not installed",
                             hint="install git, or give the old version as a file") from None
    except subprocess.TimeoutExpired:
        raise BlueprintError(f"cannot read {spec}: git did not answer within 30 s") from None
    if proc.returncode != 0:
        problem = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = problem[-1] if problem else f"git exited with {proc.returncode}"
        detail = detail.removeprefix("fatal: ")
        raise BlueprintError(f"cannot read {spec} from git: {detail}",
                             hint=f"check the revision ({rev}) and the path ({rel}); paths are from the repository "
                                  "root, or start with ./ for the current folder")
    try:
        return proc.stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise BlueprintError(f"{spec} is not UTF-8 text") from None


# ----- the result ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Detail:
    """One aspect of a change: `owners: + role:legal` (tightened/loosened/None)."""

    aspect: str
    text: str
    direction: str | None = None
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"aspect": self.aspect, "text": self.text, "direction": self.direction,
                "old": _jsonable(self.old), "new": _jsonable(self.new)}


@dataclass
class Change:
    """A state, transition or field that was added, removed, renamed or changed."""

    kind: str  # added | removed | renamed | changed
    name: str
    #: for renamed: the old name
    old_name: str | None = None
    summary: str = ""
    details: list[Detail] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"change": self.kind, "name": self.name}
        if self.old_name is not None:
            out["old_name"] = self.old_name
        if self.summary:
            out["summary"] = self.summary
        out["details"] = [d.to_dict() for d in self.details]
        return out


@dataclass
class ImpactItem:
    text: str
    count: int
    records: list[str]
    kind: str  # removed-state | renamed-state | waiting

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "count": self.count, "records": self.records}


@dataclass
class Impact:
    workspace: str
    published: bool
    version: int | None = None
    items: list[ImpactItem] = field(default_factory=list)
    #: distinct records touched by any item
    records: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"workspace": self.workspace, "published": self.published, "version": self.version,
                "records": self.records, "items": [i.to_dict() for i in self.items]}


@dataclass
class BlueprintDiff:
    old: Side
    new: Side
    general: list[Detail] = field(default_factory=list)
    states: list[Change] = field(default_factory=list)
    transitions: list[Change] = field(default_factory=list)
    fields: list[Change] = field(default_factory=list)
    impact: Impact | None = None

    @property
    def has_changes(self) -> bool:
        return bool(self.general or self.states or self.transitions or self.fields)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old.label, "new": self.new.label,
            "blueprint": self.new.blueprint.id,
            "changed": self.has_changes,
            "general": [d.to_dict() for d in self.general],
            "states": [c.to_dict() for c in self.states],
            "transitions": [c.to_dict() for c in self.transitions],
            "fields": [c.to_dict() for c in self.fields],
            "impact": self.impact.to_dict() if self.impact is not None else None,
        }


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)


# ----- describing pieces --------------------------------------------------------------------

def _route_text(t: Transition) -> str:
    if t.branches:
        return ", ".join(f"{b.to} if {wording.criterion(b.when)}" if b.when is not None else f"else {b.to}"
                         for b in t.branches)
    return t.to or "?"


def _sources_text(bp: Blueprint, t: Transition) -> str:
    return "every open state" if t.sources == ("*",) else ", ".join(t.sources)


def transition_summary(bp: Blueprint, t: Transition) -> str:
    kind = "parallel " if t.parallel else "conditional " if t.branches else ""
    return f"{kind}{_sources_text(bp, t)} → {_route_text(t)}"


# ----- comparing ----------------------------------------------------------------------------

def _owners_detail(old: Sequence[Owner], new: Sequence[Owner], prefix: str = "") -> Detail | None:
    a, b = [str(o) for o in old], [str(o) for o in new]
    if set(a) == set(b):
        return None
    added = [o for o in b if o not in a]
    removed = [o for o in a if o not in b]
    if "anyone" in b and "anyone" not in a:
        direction: str | None = LOOSENED
    elif "anyone" in a and "anyone" not in b:
        direction = TIGHTENED
    elif added and not removed:
        direction = LOOSENED
    elif removed and not added:
        direction = TIGHTENED
    else:
        direction = None
    bits = [f"+ {o}" for o in added] + [f"- {o}" for o in removed]
    return Detail(prefix + "owners", f"{', '.join(bits)} (now: {', '.join(b)})", direction, a, b)


def _criteria_detail(old: Criterion | None, new: Criterion | None, domain: Domain,
                     aspect: str = "criteria") -> Detail | None:
    if canonical(old) == canonical(new):
        return None
    stricter = implies(new, old, domain)
    looser = implies(old, new, domain)
    if stricter and looser:
        direction, verb = None, "rewritten, same meaning"
    elif stricter:
        direction, verb = TIGHTENED, TIGHTENED
    elif looser:
        direction, verb = LOOSENED, LOOSENED
    else:
        direction, verb = None, "changed"
    text = f"{verb}: {wording.criterion(old)} → {wording.criterion(new)}"
    return Detail(aspect, text, direction, wording.criterion(old), wording.criterion(new))


def _requirement_detail(old: Requirement, new: Requirement, aspect: str = "requirements") -> Detail | None:
    more: list[str] = []
    less: list[str] = []
    more += [f"field {f}" for f in new.fields if f not in old.fields]
    less += [f"field {f}" for f in old.fields if f not in new.fields]
    old_items = {i.casefold() for i in old.checklist}
    new_items = {i.casefold() for i in new.checklist}
    more += [f"checklist {i!r}" for i in new.checklist if i.casefold() not in old_items]
    less += [f"checklist {i!r}" for i in old.checklist if i.casefold() not in new_items]
    for what in ("note", "attachment"):
        was, now = getattr(old, what), getattr(new, what)
        if now and not was:
            more.append(f"a {what}")
        elif was and not now:
            less.append(f"a {what}")
    if not more and not less:
        return None
    direction = TIGHTENED if more and not less else LOOSENED if less and not more else None
    bits = [f"+ {m}" for m in more] + [f"- {x}" for x in less]
    verb = direction or "changed"
    return Detail(aspect, f"{verb}: {', '.join(bits)}", direction, _req_dict(old), _req_dict(new))


def _req_dict(r: Requirement) -> dict[str, Any]:
    return {"fields": list(r.fields), "checklist": list(r.checklist), "note": r.note, "attachment": r.attachment}


def _actions_detail(old: Sequence[Action], new: Sequence[Action]) -> Detail | None:
    a = [x.diff_key() for x in old]
    b = [x.diff_key() for x in new]
    if a == b:
        return None
    added = [wording.action(x) for x, k in zip(new, b) if k not in a]
    removed = [wording.action(x) for x, k in zip(old, a) if k not in b]
    bits = [f"+ {t}" for t in added] + [f"- {t}" for t in removed]
    if not bits:
        bits = ["same actions, new order"]
    return Detail("actions", "; ".join(bits), None, [wording.action(x) for x in old], [wording.action(x) for x in new])


def _part_details(old: ParallelPart, new: ParallelPart, domain: Domain) -> list[Detail]:
    prefix = f"part {new.name!r} "
    out = [
        _owners_detail(old.owners, new.owners, prefix),
        _criteria_detail(old.when, new.when, domain, prefix + "criteria"),
        _requirement_detail(old.require, new.require, prefix + "requirements"),
    ]
    return [d for d in out if d is not None]


def _sla_text(s: State) -> str | None:
    if s.sla is None:
        return None
    return wording.sla(s.sla)


def _mapped(names: Iterable[str], renames: dict[str, str]) -> tuple[str, ...]:
    return tuple(renames.get(n, n) for n in names)


def _transition_details(old_bp: Blueprint, new_bp: Blueprint, a: Transition, b: Transition,
                        renames: dict[str, str], domain: Domain) -> list[Detail]:
    out: list[Detail] = []
    old_sources = set(_mapped(a.sources, renames))
    new_sources = set(b.sources)
    if old_sources != new_sources:
        out.append(Detail("from", f"{_sources_text(old_bp, a)} → {_sources_text(new_bp, b)}", None,
                          list(a.sources), list(b.sources)))
    old_kind = "parallel" if a.parallel else "conditional" if a.branches else "simple"
    new_kind = "parallel" if b.parallel else "conditional" if b.branches else "simple"
    if old_kind != new_kind:
        out.append(Detail("kind", f"{old_kind} → {new_kind}", None, old_kind, new_kind))
    if not a.branches and not b.branches:
        if _mapped([a.to or ""], renames)[0] != (b.to or ""):
            out.append(Detail("to", f"{a.to} → {b.to}", None, a.to, b.to))
    elif a.branches and b.branches:
        out.extend(_branch_details(a, b, renames, domain))
    else:
        out.append(Detail("to", f"{_route_text(a)} → {_route_text(b)}", None, _route_text(a), _route_text(b)))
    for d in (_owners_detail(a.owners, b.owners), _criteria_detail(a.when, b.when, domain),
              _requirement_detail(a.require, b.require), _actions_detail(a.then, b.then)):
        if d is not None:
            out.append(d)
    old_parts = {p.name: p for p in a.parallel}
    new_parts = {p.name: p for p in b.parallel}
    for name in new_parts:
        if name not in old_parts and a.parallel:
            out.append(Detail("parts", f"+ part {name!r}", TIGHTENED, None, name))
    for name in old_parts:
        if name not in new_parts and b.parallel:
            out.append(Detail("parts", f"- part {name!r}", LOOSENED, name, None))
    for name, p in new_parts.items():
        if name in old_parts:
            out.extend(_part_details(old_parts[name], p, domain))
    old_auto = str(a.auto.after) if a.auto else None
    new_auto = str(b.auto.after) if b.auto else None
    if old_auto != new_auto:
        text = (f"now automatic after {new_auto}" if old_auto is None else "no longer automatic" if new_auto is None
                else f"automatic after {old_auto} → {new_auto}")
        out.append(Detail("auto", text, None, old_auto, new_auto))
    if (a.message or "") != (b.message or ""):
        out.append(Detail("message", "message changed", None, a.message, b.message))
    return out


def _branch_details(a: Transition, b: Transition, renames: dict[str, str], domain: Domain) -> list[Detail]:
    out: list[Detail] = []
    for i in range(max(len(a.branches), len(b.branches))):
        old = a.branches[i] if i < len(a.branches) else None
        new = b.branches[i] if i < len(b.branches) else None
        label = f"branch {i + 1}"
        if old is None and new is not None:
            out.append(Detail(label, f"+ {_branch_text(new)}", None, None, _branch_text(new)))
            continue
        if new is None and old is not None:
            out.append(Detail(label, f"- {_branch_text(old)}", None, _branch_text(old), None))
            continue
        assert old is not None and new is not None
        if renames.get(old.to, old.to) != new.to:
            out.append(Detail(label, f"to {old.to} → {new.to}", None, old.to, new.to))
        if old.is_else != new.is_else:
            out.append(Detail(label, f"{_branch_text(old)} → {_branch_text(new)}", None,
                              _branch_text(old), _branch_text(new)))
        elif not old.is_else:
            d = _criteria_detail(old.when, new.when, domain, label + " criteria")
            if d is not None:
                out.append(d)
    return out


def _branch_text(b: Any) -> str:
    return f"else → {b.to}" if b.when is None else f"when {wording.criterion(b.when)} → {b.to}"


def _route_key(bp: Blueprint, t: Transition, renames: dict[str, str]) -> Any:
    branches = tuple((canonical(b.when), renames.get(b.to, b.to)) for b in t.branches)
    return (tuple(sorted(_mapped(t.sources, renames))), renames.get(t.to or "", t.to), branches,
            canonical(t.when), tuple(p.name for p in t.parallel))


def compare(old: Side, new: Side) -> BlueprintDiff:
    a, b = old.blueprint, new.blueprint
    out = BlueprintDiff(old, new)
    # reason only about fields that mean the same on both sides
    old_types, new_types = Domain.of(a).types, Domain.of(b).types
    domain = Domain({k: v for k, v in new_types.items() if old_types.get(k) == v},
                    b.field if a.field == b.field else None)
    # ----- general
    for aspect, x, y in (("id", a.id, b.id), ("module", a.module, b.module), ("state field", a.field, b.field),
                         ("priority", a.priority, b.priority), ("title", a.title, b.title)):
        if x != y:
            out.general.append(Detail(aspect, f"{x} → {y}", None, x, y))
    # ----- states
    removed = [s for s in a.state_names if b.state(s) is None]
    added = [s for s in b.state_names if a.state(s) is None]
    renames = renamed_states(a, b, removed, added)
    for s in removed:
        if s in renames:
            out.states.append(Change("renamed", renames[s], s, "same transitions around it"))
        else:
            out.states.append(Change("removed", s))
    for s in added:
        if s not in renames.values():
            st = b.state(s)
            out.states.append(Change("added", s, summary="final" if st is not None and st.final else ""))
    for new_state in b.states:
        old_name = next((o for o, n in renames.items() if n == new_state.name), new_state.name)
        old_state = a.state(old_name)
        if old_state is None:
            continue
        details = []
        if old_state.final != new_state.final:
            details.append(Detail("final", "now final" if new_state.final else "no longer final", None,
                                  old_state.final, new_state.final))
        if _sla_text(old_state) != _sla_text(new_state):
            details.append(Detail("sla", f"{_sla_text(old_state) or 'none'} → {_sla_text(new_state) or 'none'}",
                                  None, _sla_text(old_state), _sla_text(new_state)))
        if details:
            existing = next((c for c in out.states if c.name == new_state.name and c.kind == "renamed"), None)
            if existing is not None:
                existing.details.extend(details)
            else:
                out.states.append(Change("changed", new_state.name, details=details))
    old_entry, new_entry = a.entry_state, b.entry_state
    if renames.get(old_entry, old_entry) != new_entry:
        out.general.append(Detail("entry state", f"{old_entry} → {new_entry}", None, old_entry, new_entry))
    d = _criteria_detail(a.entry.when, b.entry.when, domain, "entry criteria")
    if d is not None:
        out.general.append(d)
    # ----- transitions
    old_ts = {t.name: t for t in a.transitions}
    new_ts = {t.name: t for t in b.transitions}
    gone = [n for n in old_ts if n not in new_ts]
    fresh = [n for n in new_ts if n not in old_ts]
    t_renames: dict[str, str] = {}
    for g in gone:
        key = _route_key(a, old_ts[g], renames)
        match = [f for f in fresh if f not in t_renames.values() and _route_key(b, new_ts[f], {}) == key]
        if len(match) == 1:
            t_renames[g] = match[0]
    for name, t in old_ts.items():
        if name in new_ts:
            details = _transition_details(a, b, t, new_ts[name], renames, domain)
            if details:
                out.transitions.append(Change("changed", name, summary=transition_summary(b, new_ts[name]),
                                              details=details))
        elif name in t_renames:
            nt = new_ts[t_renames[name]]
            details = _transition_details(a, b, t, nt, renames, domain)
            out.transitions.append(Change("renamed", nt.name, name, transition_summary(b, nt), details))
        else:
            out.transitions.append(Change("removed", name, summary=transition_summary(a, t)))
    for name in fresh:
        if name not in t_renames.values():
            out.transitions.append(Change("added", name, summary=transition_summary(b, new_ts[name])))
    # ----- fields
    old_fs = {f.name: f for f in a.fields}
    new_fs = {f.name: f for f in b.fields}
    for name, nf in new_fs.items():
        if name not in old_fs:
            out.fields.append(Change("added", name, summary=nf.type))
    for name, fd in old_fs.items():
        if name not in new_fs:
            out.fields.append(Change("removed", name, summary=fd.type))
            continue
        nfd = new_fs[name]
        details = []
        for aspect in ("type", "min", "max", "min_length", "max_length", "pattern", "default", "label"):
            x, y = getattr(fd, aspect), getattr(nfd, aspect)
            if x != y:
                details.append(Detail(aspect, f"{x} → {y}", None, x, y))
        if fd.values != nfd.values:
            plus = [v for v in (nfd.values or ()) if v not in (fd.values or ())]
            minus = [v for v in (fd.values or ()) if v not in (nfd.values or ())]
            bits = [f"+ {v}" for v in plus] + [f"- {v}" for v in minus] or ["same values, new order"]
            details.append(Detail("values", ", ".join(bits), None, list(fd.values or ()), list(nfd.values or ())))
        if details:
            out.fields.append(Change("changed", name, summary=nfd.type, details=details))
    return out


# ----- impact on a workspace ------------------------------------------------------------------

def impact(diff: BlueprintDiff, ws: Any) -> Impact:
    """How many records of `ws` the changes touch (nothing is written)."""
    from blueprint_cli.store import CorruptFile

    old, new = diff.old.blueprint, diff.new.blueprint
    pubs = {p.id: p for p in ws.published()}
    pub = pubs.get(new.id) or pubs.get(old.id)
    result = Impact(str(ws.root), pub is not None, pub.latest if pub is not None else None)
    if pub is None:
        return result
    errors: list[CorruptFile] = []
    touched: set[str] = set()

    def records_in(state: str) -> list[Any]:
        return list(ws.store.scan(blueprint=pub.id, state=state, errors=errors))

    for c in diff.states:
        if c.kind in ("removed", "renamed"):
            state = c.old_name if c.kind == "renamed" else c.name
            assert state is not None
            found = records_in(state)
            if found:
                ids = [r.id for r in found]
                touched.update(ids)
                text = (f"{len(ids)} record{_s(ids)} in removed state {state!r}" if c.kind == "removed" else
                        f"{len(ids)} record{_s(ids)} in {state!r}, renamed to {c.name!r} "
                        f"(publish with --move \"{state}={c.name}\")")
                result.items.append(ImpactItem(text, len(ids), ids, f"{c.kind}-state"))
    for c in diff.transitions:
        if c.kind not in ("changed", "removed", "renamed"):
            continue
        t = old.transition(c.old_name or c.name)
        if t is None:
            continue
        waiting: list[str] = []
        pending = 0
        for state in old.sources_of(t):
            for r in records_in(state):
                waiting.append(r.id)
                pending += any(p.transition == t.name for p in r.pending)
        if waiting:
            touched.update(waiting)
            extra = f", {pending} with parts already done" if pending else ""
            result.items.append(ImpactItem(f"{len(waiting)} record{_s(waiting)} waiting on {c.kind} transition "
                                           f"{t.name!r}{extra}", len(waiting), waiting, "waiting"))
    result.records = len(touched)
    return result


def _s(items: Sequence[Any]) -> str:
    return "" if len(items) == 1 else "s"


# ----- rendering ------------------------------------------------------------------------------

_MARK = {"added": "+", "removed": "-", "renamed": "~", "changed": "~"}


def _change_line(c: Change) -> str:
    if c.kind == "renamed":
        return f"{c.old_name} → {c.name} (renamed" + (f": {c.summary})" if c.summary else ")")
    head = c.name + ("" if c.kind == "changed" else f" ({c.kind})")
    return head + (f": {c.summary}" if c.summary else "")


def _detail_line(d: Detail) -> str:
    flag = f" ({d.direction})" if d.direction and not d.text.startswith(d.direction) else ""
    return f"{d.aspect}: {d.text}{flag}"


def render_text(diff: BlueprintDiff) -> str:
    lines = [f"{diff.new.blueprint.id}: {diff.old.label} → {diff.new.label}"]
    if not diff.has_changes:
        lines.append("No semantic differences.")
    for d in diff.general:
        lines.append(f"  {_detail_line(d)}")
    for title, changes in (("States", diff.states), ("Transitions", diff.transitions), ("Fields", diff.fields)):
        if not changes:
            continue
        lines.append(title)
        for c in changes:
            lines.append(f"  {_MARK[c.kind]} {_change_line(c)}")
            for d in c.details:
                lines.append(f"      {_detail_line(d)}")
    if diff.impact is not None:
        lines.extend(_impact_lines(diff.impact, "  "))
    return "\n".join(lines)


def _impact_lines(imp: Impact, indent: str) -> list[str]:
    lines = [f"Impact on the workspace {imp.workspace}"]
    if not imp.published:
        lines.append(f"{indent}not published there: no records follow it yet")
    elif not imp.items:
        lines.append(f"{indent}no records are affected (version {imp.version} is published)")
    else:
        for item in imp.items:
            shown = ", ".join(item.records[:10]) + (f" and {item.count - 10} more" if item.count > 10 else "")
            lines.append(f"{indent}{item.text} (record{_s(item.records)} {shown})")
        lines.append(f"{indent}{imp.records} record{'' if imp.records == 1 else 's'} affected in all "
                     f"(version {imp.version} is published)")
    return lines


def render_markdown(diff: BlueprintDiff) -> str:
    bp = diff.new.blueprint
    lines = [f"### Blueprint `{bp.id}`: `{diff.old.label}` → `{diff.new.label}`", ""]
    if not diff.has_changes:
        lines.append("No semantic differences.")
    if diff.general:
        for d in diff.general:
            lines.append(f"- **{d.aspect}**: {_md(d.text)}")
        lines.append("")
    for title, changes in (("States", diff.states), ("Transitions", diff.transitions), ("Fields", diff.fields)):
        if not changes:
            continue
        lines.append(f"#### {title}")
        lines.append("")
        for c in changes:
            label = {"added": "added", "removed": "removed", "renamed": "renamed", "changed": "changed"}[c.kind]
            name = f"`{c.old_name}` → `{c.name}`" if c.kind == "renamed" else f"`{c.name}`"
            summary = f" — {_md(c.summary)}" if c.summary else ""
            lines.append(f"- **{label}** {name}{summary}")
            for d in c.details:
                text = d.text.removeprefix(f"{d.direction}: ") if d.direction else d.text
                flag = f" **{d.direction}**" if d.direction else ""
                lines.append(f"  - {d.aspect}:{flag} {_md(text)}")
        lines.append("")
    if diff.impact is not None:
        imp = diff.impact
        lines.append("#### Impact")
        lines.append("")
        for line in _impact_lines(imp, "")[1:]:
            lines.append(f"- {_md(line)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    # keep table-less Markdown safe: escape what GitHub would read as markup
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_").replace("<", "&lt;")


def render_json(diff: BlueprintDiff) -> str:
    return json.dumps(diff.to_dict(), indent=2, ensure_ascii=False)


RENDERERS: dict[str, Callable[[BlueprintDiff], str]] = {
    "text": render_text, "markdown": render_markdown, "json": render_json,
}

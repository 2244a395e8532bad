"""Questions about a blueprint as a graph and as a set of references, shared by
lint rules, diagrams and the diff: what leads where, what can be reached, and
every place a criterion, requirement or action sits."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence

from blueprint_cli.language.model import (
    Action, Blueprint, Criterion, Requirement, SetAction, Transition,
)


def successors(bp: Blueprint) -> dict[str, set[str]]:
    """state → states one transition away (unknown names included as written)."""
    out: dict[str, set[str]] = {name: set() for name in bp.state_names}
    for t in bp.transitions:
        for src in bp.sources_of(t):
            out.setdefault(src, set()).update(t.targets)
    return out


def reachable(bp: Blueprint, start: str, succ: dict[str, set[str]] | None = None) -> set[str]:
    """States reachable from `start` (itself included); give `succ` (from
    `successors`) when asking for many starts."""
    succ = succ if succ is not None else successors(bp)
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in succ.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def can_reach(bp: Blueprint, goals: set[str], succ: dict[str, set[str]] | None = None) -> set[str]:
    """Every state from which one of `goals` can be reached (goals included): one
    walk backwards over the transitions, linear in the blueprint's size."""
    succ = successors(bp) if succ is None else succ
    preds: dict[str, list[str]] = {}
    for src, targets in succ.items():
        for target in targets:
            preds.setdefault(target, []).append(src)
    seen = set(goals)
    queue = deque(goals)
    while queue:
        for prev in preds.get(queue.popleft(), ()):
            if prev not in seen:
                seen.add(prev)
                queue.append(prev)
    return seen


def unresolved_targets(bp: Blueprint) -> bool:
    """Does any transition lead to a state that is not declared?"""
    return any(bp.state(target) is None for t in bp.transitions for target in t.targets)


def flow_order(bp: Blueprint) -> list[str]:
    """States in the order a record meets them (breadth first from the entry
    state), then any unreachable ones in file order."""
    if not bp.states:
        return []
    succ = successors(bp)
    start = bp.entry_state if bp.state(bp.entry_state) else bp.states[0].name
    order, seen = [start], {start}
    queue = deque([start])
    names = set(bp.state_names)
    file_pos = {n: i for i, n in enumerate(bp.state_names)}
    while queue:
        for nxt in sorted(succ.get(queue.popleft(), ()), key=lambda n: file_pos.get(n, 1 << 30)):
            if nxt not in seen and nxt in names:
                seen.add(nxt)
                order.append(nxt)
                queue.append(nxt)
    rest = [n for n in bp.state_names if n not in seen]
    # final states close the list: they end the flow wherever they are met
    final = {s.name for s in bp.states if s.final}
    return [n for n in order if n not in final] + [n for n in order if n in final] + rest


def criteria_sites(bp: Blueprint) -> Iterator[tuple[Criterion, str]]:
    """Every criterion with a short description of where it sits."""
    if bp.entry.when is not None:
        yield bp.entry.when, "entry"
    for t in bp.transitions:
        if t.when is not None:
            yield t.when, f"transition {t.name!r}"
        for b in t.branches:
            if b.when is not None:
                yield b.when, f"a branch of {t.name!r}"
        for p in t.parallel:
            if p.when is not None:
                yield p.when, f"part {p.name!r} of {t.name!r}"


def requirement_sites(bp: Blueprint) -> Iterator[tuple[Requirement, Transition, str]]:
    for t in bp.transitions:
        yield t.require, t, f"transition {t.name!r}"
        for p in t.parallel:
            yield p.require, t, f"part {p.name!r} of {t.name!r}"


def action_sites(bp: Blueprint) -> Iterator[tuple[Action, str]]:
    """Every action: after transitions and in SLA escalations."""
    for t in bp.transitions:
        for a in t.then:
            yield a, f"transition {t.name!r}"
    for s in bp.states:
        if s.sla is None:
            continue
        for a in s.sla.escalate:
            yield a, f"the SLA of {s.name!r}"
        for lv in s.sla.levels:
            for a in lv.escalate:
                yield a, f"the SLA of {s.name!r}"


def owner_sites(bp: Blueprint) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    """Every owner entry (as text) and its path: owners, parts, fields' editors, and what actions name (task owners, e-mail and assignment targets)."""
    for fd in bp.fields:
        for o in fd.editors or ():
            if o.path:
                yield str(o), o.path
    for t in bp.transitions:
        for o in t.owners:
            if o.path:
                yield str(o), o.path
        for p in t.parallel:
            for o in p.owners:
                if o.path:
                    yield str(o), o.path
    for a, _ in action_sites(bp):
        yield from a.owner_entries()


def set_actions(bp: Blueprint) -> Iterator[tuple[SetAction, str]]:
    for a, where in action_sites(bp):
        if isinstance(a, SetAction):
            yield a, where


# ----- a state renamed between two versions --------------------------------------------------

#: The minimum share of transitions two states must have in common around them
#: to be taken for one state renamed.
RENAME_SIMILARITY = 0.5


def signature(bp: Blueprint, state: str) -> set[tuple[str, str]]:
    """The transitions around a state, by name: what leads in, what leads out
    (common `*` transitions are everywhere, so they say nothing)."""
    out = set()
    for t in bp.transitions:
        if state in t.targets:
            out.add(("in", t.name))
        if state in t.sources:
            out.add(("out", t.name))
    return out


def renamed_states(old: Blueprint, new: Blueprint, removed: Sequence[str], added: Sequence[str]) -> dict[str, str]:
    """Which removed states of `old` are an added state of `new` renamed: the
    pairs with (mostly) the same transitions around them, and no equally good
    rival. The one answer `diff` reports and `publish` suggests `--move` from."""
    scored = []
    for r in removed:
        sr = signature(old, r)
        for a in added:
            sa = signature(new, a)
            if not sr or not sa:
                continue
            score = len(sr & sa) / len(sr | sa)
            if score >= RENAME_SIMILARITY:
                scored.append((score, r, a))
    scored.sort(key=lambda x: -x[0])
    out: dict[str, str] = {}
    used: set[str] = set()
    for score, r, a in scored:
        if r in out or a in used:
            continue
        # an equally good alternative for either side makes the guess a coin toss
        rivals = [x for x in scored if x[0] == score and (x[1] == r) != (x[2] == a)
                  and x[1] not in out and x[2] not in used]
        if rivals:
            continue
        out[r] = a
        used.add(a)
    return out

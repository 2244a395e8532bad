"""The neutral diagram model: what every picture of a blueprint shows, before
any output format is chosen.

A `Graph` is nodes and edges. Besides the blueprint's states it holds the
pseudo-nodes a reader needs to see how a record moves: the start and end
markers, a *choice* per conditional transition, a *fork* and a *join* per
parallel transition, and a *group* standing for the several states a common
transition leaves from (so it is drawn once, not once per state). Edges carry
what decides whether a user sees a transition — its owners and criteria — and
what it then asks and does, as plain text, so renderers never look back at the
blueprint. Marks say where a record is and the path it took.

`extract(blueprint, trail)` builds the graph; `blueprint_cli.render.graph.render_*`
turn it into text. Renderer tests build graphs by hand with these classes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from blueprint_cli.language import wording
from blueprint_cli.language.model import ALL_STATES, AllOf, AnyOf, Blueprint, Condition, Criterion, Owner, Sla


class NodeKind(str, Enum):
    START = "start"
    STATE = "state"
    #: a conditional transition: one edge in, one edge per branch out
    CHOICE = "choice"
    #: a parallel transition: one edge per part from the fork to the join
    FORK = "fork"
    JOIN = "join"
    #: the states a common transition leaves from, drawn as one box
    GROUP = "group"
    END = "end"


class EdgeKind(str, Enum):
    #: start → entry state; `when` holds the entry criteria
    ENTRY = "entry"
    #: a state (or group) → its target, choice or fork: the transition's own details
    TRANSITION = "transition"
    #: choice → target when the branch's criteria hold
    BRANCH = "branch"
    #: choice → target when no branch holds
    ELSE = "else"
    #: fork → join: one part of a parallel transition
    PART = "part"
    #: join → target (or choice): the record moves once every part is done
    JOINED = "joined"
    #: final state → end
    EXIT = "exit"


class Mark(str, Enum):
    CURRENT = "current"   # node: the record is here
    VISITED = "visited"   # node: the record has been here
    TAKEN = "taken"       # edge: on the record's path
    DONE = "done"         # part edge: done, the others are still awaited
    PENDING = "pending"   # part edge: still to be done before the record moves


#: Node ids are identifiers every output format accepts unquoted; the words are
#: keywords of Graphviz or Mermaid (or crash mermaid, like `root`).
_SAFE_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESERVED_IDS = frozenset({
    "node", "edge", "graph", "digraph", "subgraph", "strict",
    "state", "note", "class", "classdef", "default", "root", "direction", "end", "as", "click",
    "style", "linkstyle", "left", "right", "of", "tb", "bt", "lr", "rl",
})


def is_safe_id(text: str) -> bool:
    return bool(_SAFE_ID.match(text)) and text.lower() not in RESERVED_IDS


@dataclass(frozen=True)
class Criteria:
    """A criteria tree as text: `op` is `all`, `any`, `not` or `leaf` (then `text`
    says the condition, like "amount ≥ 1000")."""

    op: str
    text: str = ""
    items: tuple[Criteria, ...] = ()

    @classmethod
    def leaf(cls, text: str) -> Criteria:
        return cls("leaf", text)

    @classmethod
    def all(cls, *items: Criteria) -> Criteria:
        return cls("all", items=items)

    @classmethod
    def any(cls, *items: Criteria) -> Criteria:
        return cls("any", items=items)

    @classmethod
    def not_(cls, item: Criteria) -> Criteria:
        return cls("not", items=(item,))

    def lines(self) -> list[str]:
        """One line per condition, joined by `and`/`or`; nested groups in
        parentheses. For labels in diagrams, where a tree does not fit."""
        if self.op == "leaf":
            return [self.text]
        if self.op == "not":
            return ["not " + _group(self.items[0], always=True)]
        word = "and " if self.op == "all" else "or "
        parts = [_group(c) for c in self.items]
        return [p if i == 0 else word + p for i, p in enumerate(parts)]

    def to_data(self) -> Any:
        if self.op == "leaf":
            return self.text
        if self.op == "not":
            return {"not": self.items[0].to_data()}
        return {self.op: [c.to_data() for c in self.items]}


def _group(c: Criteria, always: bool = False) -> str:
    if c.op == "leaf":
        return f"({c.text})" if always else c.text
    if c.op == "not":
        return "not " + _group(c.items[0], always=True)
    return "(" + " ".join(c.lines()) + ")"


@dataclass(frozen=True)
class Escalation:
    """One step of a state's SLA: after this long, these actions."""

    after: str
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Node:
    id: str
    kind: NodeKind
    #: the state's name; for pseudo-nodes, what they stand for (a transition name, a group's caption)
    label: str = ""
    final: bool = False
    entry: bool = False
    description: str | None = None
    #: SLA steps, first the `within`, then each level
    sla: tuple[Escalation, ...] = ()
    #: GROUP: the ids of the states it stands for
    members: tuple[str, ...] = ()
    #: GROUP: stands for every open state (`from: "*"`)
    every_open_state: bool = False
    mark: Mark | None = None


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind
    #: TRANSITION: the transition's name; PART: the part's name
    label: str = ""
    #: the transition this edge belongs to (every kind but ENTRY and EXIT)
    transition: str | None = None
    #: who may perform it; empty means anyone
    owners: tuple[str, ...] = ()
    when: Criteria | None = None
    #: "after 2w": the transition performs itself
    auto: str | None = None
    message: str | None = None
    description: str | None = None
    requires: tuple[str, ...] = ()
    then: tuple[str, ...] = ()
    mark: Mark | None = None
    #: the record's moves along this edge (1-based, in order)
    steps: tuple[int, ...] = ()
    #: DONE part edges: who did it, and when
    done_by: str | None = None
    done_at: str | None = None
    #: BRANCH: its place among the branches (1-based); the first that holds wins
    order: int = 0


@dataclass(frozen=True)
class RecordView:
    """The record shown on the map (`--record`)."""

    id: str
    state: str | None
    #: the states it went through, oldest first, ending with the current one
    path: tuple[str, ...] = ()
    #: "Transition / part" still awaited, and the ones done
    pending: tuple[str, ...] = ()
    done: tuple[str, ...] = ()


@dataclass(frozen=True)
class Graph:
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...] = ()
    subtitle: str = ""
    record: RecordView | None = None
    _index: dict[str, Node] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for n in self.nodes:
            if not is_safe_id(n.id):
                raise ValueError(f"node id {n.id!r} is not a safe identifier")
            if n.id in self._index:
                raise ValueError(f"duplicate node id {n.id!r}")
            self._index[n.id] = n
        for e in self.edges:
            for end in (e.source, e.target):
                if end not in self._index:
                    raise ValueError(f"edge {e.source} -> {e.target}: no node {end!r}")

    def node(self, node_id: str) -> Node:
        return self._index[node_id]

    def nodes_of(self, *kinds: NodeKind) -> list[Node]:
        return [n for n in self.nodes if n.kind in kinds]

    def has(self, kind: NodeKind) -> bool:
        return any(n.kind is kind for n in self.nodes)

    def edges_from(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.source == node_id]

    def edges_to(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.target == node_id]

    @property
    def states(self) -> list[Node]:
        return self.nodes_of(NodeKind.STATE)

    def to_data(self) -> dict[str, Any]:
        """The graph as JSON-ready data (`blueprint graph --json`)."""
        def node(n: Node) -> dict[str, Any]:
            d: dict[str, Any] = {"id": n.id, "kind": n.kind.value, "label": n.label}
            if n.kind is NodeKind.STATE:
                d.update(final=n.final, entry=n.entry, description=n.description,
                         sla=[{"after": s.after, "actions": list(s.actions)} for s in n.sla])
            if n.kind is NodeKind.GROUP:
                d.update(members=list(n.members), every_open_state=n.every_open_state)
            d["mark"] = n.mark.value if n.mark else None
            return d

        def edge(e: Edge) -> dict[str, Any]:
            return {
                "source": e.source, "target": e.target, "kind": e.kind.value, "label": e.label,
                "transition": e.transition, "owners": list(e.owners),
                "when": e.when.to_data() if e.when else None, "auto": e.auto, "message": e.message,
                "requires": list(e.requires), "then": list(e.then),
                "mark": e.mark.value if e.mark else None, "steps": list(e.steps), "done_by": e.done_by,
                "done_at": e.done_at,
                "order": e.order or None,
            }

        rec = None
        if self.record is not None:
            r = self.record
            rec = {"id": r.id, "state": r.state, "path": list(r.path), "pending": list(r.pending),
                   "done": list(r.done)}
        return {"title": self.title, "subtitle": self.subtitle, "nodes": [node(n) for n in self.nodes],
                "edges": [edge(e) for e in self.edges], "record": rec}


# ----- a record's trail, as the store keeps it -------------------------------------------

@dataclass(frozen=True)
class Step:
    """One history entry that matters for the map."""

    kind: str                 # create, enter, move, part, migrate, edit
    from_state: str | None = None
    to_state: str | None = None
    transition: str | None = None
    part: str | None = None


@dataclass(frozen=True)
class PartDone:
    transition: str
    part: str
    user: str = ""
    at: str = ""


@dataclass(frozen=True)
class RecordTrail:
    """What `extract` needs to put a record on the map, free of the store's types."""

    id: str
    state: str | None
    steps: tuple[Step, ...] = ()
    #: parts of a parallel transition already done (the record has not moved yet)
    done_parts: tuple[PartDone, ...] = ()


# ----- extraction from a blueprint ------------------------------------------------------------

def extract(bp: Blueprint, trail: RecordTrail | None = None) -> Graph:
    """The diagram of a blueprint, with a record on it when `trail` is given."""
    from blueprint_cli.language.analysis import flow_order

    ids = _Ids()
    state_ids: dict[str, str] = {}
    order = flow_order(bp)
    nodes: list[Node] = [Node("start", NodeKind.START)]
    ids.taken.add("start")
    ids.taken.add("finish")
    for name in order:
        s = bp.state(name)
        assert s is not None
        state_ids[name] = ids.make("s", name)
        nodes.append(Node(state_ids[name], NodeKind.STATE, name, final=s.final, entry=name == bp.entry_state,
                          description=s.description.strip() if s.description else None,
                          sla=_sla(s.sla)))

    def state_id(name: str) -> str:
        # lint refuses unknown state names; still, draw them rather than fail
        if name not in state_ids:
            state_ids[name] = ids.make("s", name)
            nodes.append(Node(state_ids[name], NodeKind.STATE, name))
        return state_ids[name]

    edges: list[Edge] = [Edge("start", state_id(bp.entry_state), EdgeKind.ENTRY, when=_criteria(bp.entry.when))]
    pseudo: list[Node] = []
    groups: dict[tuple[str, ...], str] = {}
    for t in bp.transitions:
        if t.is_common:
            key = (ALL_STATES,) if t.sources == (ALL_STATES,) else tuple(
                sorted(t.sources, key=lambda n: order.index(n) if n in order else len(order)))
            if key not in groups:
                members = tuple(state_id(n) for n in (bp.sources_of(t) if key == (ALL_STATES,) else key))
                every = key == (ALL_STATES,)
                groups[key] = ids.make("g", "any_open_state" if every else "from_" + "_".join(key))
                label = "any open state" if every else ", ".join(key)
                pseudo.append(Node(groups[key], NodeKind.GROUP, label, members=members, every_open_state=every))
            sources = [groups[key]]
        else:
            sources = [state_id(n) for n in t.sources]
        details = dict(
            label=t.name, transition=t.name, owners=_owners(t.owners), when=_criteria(t.when),
            auto=f"after {t.auto.after}" if t.auto else None, message=t.message, description=t.description,
            requires=tuple(wording.requirement(t.require)), then=tuple(wording.action(a) for a in t.then),
        )
        # the hops after the transition edge: fork → parts → join, then choice → branches
        first: str
        after: list[Edge] = []
        if t.branches:
            choice = ids.make("c", t.name)
            pseudo.append(Node(choice, NodeKind.CHOICE, t.name))
            for rank, b in enumerate(t.branches, 1):
                if b.when is None:
                    after.append(Edge(choice, state_id(b.to), EdgeKind.ELSE, "else", t.name))
                else:
                    after.append(Edge(choice, state_id(b.to), EdgeKind.BRANCH, transition=t.name,
                                      when=_criteria(b.when), order=rank))
            next_hop = choice
        else:
            next_hop = state_id(t.to) if t.to is not None else state_id("?")
        if t.parallel:
            fork, join = ids.make("f", t.name), ids.make("j", t.name)
            pseudo += [Node(fork, NodeKind.FORK, t.name), Node(join, NodeKind.JOIN, t.name)]
            parts = [
                Edge(fork, join, EdgeKind.PART, p.name, t.name, owners=_owners(p.owners), when=_criteria(p.when),
                     message=p.message, requires=tuple(wording.requirement(p.require)))
                for p in t.parallel
            ]
            after = parts + [Edge(join, next_hop, EdgeKind.JOINED, transition=t.name)] + after
            first = fork
        else:
            first = next_hop
        edges += [Edge(src, first, EdgeKind.TRANSITION, **details) for src in sources]  # type: ignore[arg-type]
        edges += after
    finals = [n for n in nodes if n.kind is NodeKind.STATE and n.final]
    edges += [Edge(n.id, "finish", EdgeKind.EXIT) for n in finals]
    nodes += pseudo
    if finals:
        nodes.append(Node("finish", NodeKind.END))
    subtitle = f"{bp.id} · module {bp.module} · state field {bp.field}"
    graph = Graph(bp.display_name, tuple(nodes), tuple(edges), subtitle)
    return mark_record(graph, trail) if trail is not None else graph


def _sla(sla: Sla | None) -> tuple[Escalation, ...]:
    if sla is None:
        return ()
    steps = [Escalation(str(sla.within), tuple(wording.action(a) for a in sla.escalate))]
    steps += [Escalation(str(lv.after), tuple(wording.action(a) for a in lv.escalate)) for lv in sla.levels]
    return tuple(steps)


def _owners(owners: Sequence[Owner]) -> tuple[str, ...]:
    texts = tuple(str(o) for o in owners)
    return () if texts == ("anyone",) else texts


def _criteria(c: Criterion | None) -> Criteria | None:
    from blueprint_cli.language.criteria import describe_condition

    if c is None:
        return None
    if isinstance(c, Condition):
        return Criteria.leaf(describe_condition(c))
    if isinstance(c, (AllOf, AnyOf)):
        items = tuple(_criteria(i) for i in c.items)
        return Criteria("all" if isinstance(c, AllOf) else "any", items=items)  # type: ignore[arg-type]
    return Criteria.not_(_criteria(c.item))  # type: ignore[arg-type]


class _Ids:
    """Readable, unique, format-safe ids: `s_discount_approval`, `c_decide_discount`;
    names without Latin letters fall back to a number (`s_3`)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.count = 0

    def make(self, prefix: str, name: str) -> str:
        self.count += 1
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:40].rstrip("_")
        base = f"{prefix}_{slug or self.count}"
        out, n = base, 2
        while out in self.taken or not is_safe_id(out):
            out, n = f"{base}_{n}", n + 1
        self.taken.add(out)
        return out


# ----- a record on the map ---------------------------------------------------------------

def mark_record(graph: Graph, trail: RecordTrail) -> Graph:
    """Mark the record's current state, the states and edges of its path, and
    the parts of a parallel transition it is waiting for."""
    by_label = {n.label: n.id for n in graph.states}
    node_marks: dict[str, Mark] = {}
    edge_marks: dict[int, Mark] = {}
    edge_steps: dict[int, list[int]] = {}
    done_by: dict[int, PartDone] = {}
    path: list[str] = []

    def visit(state: str | None) -> None:
        if state is None:
            return
        if not path or path[-1] != state:
            path.append(state)
        if state in by_label:
            node_marks[by_label[state]] = Mark.VISITED

    def take(i: int, step: int | None) -> None:
        edge_marks[i] = Mark.TAKEN
        if step is not None:
            edge_steps.setdefault(i, []).append(step)

    edges = list(graph.edges)
    move = 0
    for s in trail.steps:
        if s.kind in ("create", "enter"):
            visit(s.to_state)
            for i, e in enumerate(edges):
                if e.kind is EdgeKind.ENTRY and graph.node(e.target).label == s.to_state:
                    take(i, None)
        elif s.kind == "move" and s.transition:
            move += 1
            visit(s.from_state)
            visit(s.to_state)
            for i in _transition_edges(graph, s.transition, s.from_state, s.to_state):
                take(i, move)
        elif s.kind == "migrate":
            visit(s.from_state)
            visit(s.to_state)
    if trail.state is not None:
        visit(trail.state)
    current = by_label.get(trail.state or "")
    if current is not None:
        node_marks[current] = Mark.CURRENT
        for i, e in enumerate(edges):
            if e.kind is EdgeKind.EXIT and e.source == current:
                take(i, None)

    # parts done of a parallel transition leaving the current state: the others are pending
    done = {(p.transition, p.part): p for p in trail.done_parts}
    started = {p.transition for p in trail.done_parts}
    pending: list[str] = []
    done_text: list[str] = []
    for i, e in enumerate(edges):
        if e.kind is EdgeKind.PART and e.transition in started:
            p = done.get((e.transition, e.label))
            if p is not None:
                edge_marks[i] = Mark.DONE
                done_by[i] = p
                done_text.append(f"{e.transition} / {e.label}")
            else:
                edge_marks[i] = Mark.PENDING
                pending.append(f"{e.transition} / {e.label}")

    nodes = tuple(replace(n, mark=node_marks.get(n.id)) for n in graph.nodes)
    new_edges = tuple(
        replace(e, mark=edge_marks.get(i), steps=tuple(edge_steps.get(i, ())),
                done_by=done_by[i].user or None if i in done_by else None,
                done_at=done_by[i].at or None if i in done_by else None)
        for i, e in enumerate(edges)
    )
    view = RecordView(trail.id, trail.state, tuple(path), tuple(pending), tuple(done_text))
    return Graph(graph.title, nodes, new_edges, graph.subtitle, view)


def _transition_edges(graph: Graph, transition: str, source: str | None, target: str | None) -> Iterable[int]:
    """The edges a move along `transition` from `source` to `target` used."""
    label_of = {n.id: n.label for n in graph.nodes}
    for i, e in enumerate(graph.edges):
        if e.transition != transition:
            continue
        if e.kind is EdgeKind.TRANSITION:
            src = graph.node(e.source)
            if src.kind is NodeKind.GROUP or label_of[e.source] == source:
                yield i
        elif e.kind in (EdgeKind.PART, EdgeKind.JOINED):
            yield i
        elif e.kind in (EdgeKind.BRANCH, EdgeKind.ELSE) and label_of[e.target] == target:
            yield i

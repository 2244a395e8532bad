"""The graph as a terminal tree (rich): states in flow order, each with the
transitions leaving it — owners, criteria as a tree, what they require and
do — and its SLA. A common transition is described once, under the group of
states it leaves from, and pointed to from each of them.

`render_tree` returns a rich renderable; `tree_text` the plain text (no colour,
fixed width) for files and golden tests.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from blueprint_cli.render.graph.model import Criteria, Edge, EdgeKind, Graph, Mark, Node, NodeKind
from blueprint_cli.render.graph.text import by_whom

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text
    from rich.tree import Tree


def render_tree(graph: Graph) -> RenderableType:
    from rich.console import Group
    from rich.text import Text
    from rich.tree import Tree

    root = Tree(Text.assemble((graph.title, "bold"), ("  " + graph.subtitle if graph.subtitle else "", "dim")))
    if graph.record is not None:
        _record_node(root, graph)
    groups = graph.nodes_of(NodeKind.GROUP)
    for n in graph.states:
        state = root.add(_state_label(graph, n))
        for e in graph.edges_to(n.id):
            if e.kind is EdgeKind.ENTRY and e.when is not None:
                _criteria_node(state, "enters when", e.when)
        _sla_node(state, n)
        for e in graph.edges_from(n.id):
            if e.kind is EdgeKind.TRANSITION:
                _transition(state, graph, e)
        for g in groups:
            if n.id in g.members:
                for e in graph.edges_from(g.id):
                    state.add(Text.assemble(
                        (_steps(e) + e.label, _edge_style(e) or "cyan"), f" → {_targets(graph, e)}",
                        ("  (common transition, see below)", "dim"),
                    ))
    for g in groups:
        members = ", ".join(graph.node(m).label for m in g.members)
        head = f"From {g.label}" + (f" ({members})" if g.every_open_state else "")
        group = root.add(Text(head, style="bold"))
        for e in graph.edges_from(g.id):
            _transition(group, graph, e)
    from blueprint_cli.shown import visible_renderable

    # names and values are data: no markup, control characters shown as escapes
    return visible_renderable(Group(root))  # type: ignore[no-any-return]


def tree_text(graph: Graph, width: int = 100) -> str:
    """The tree as plain text, without colour, `width` columns wide."""
    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, no_color=True, highlight=False,
                      soft_wrap=False, emoji=False, legacy_windows=False)
    console.print(render_tree(graph))
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


# ----- pieces ----------------------------------------------------------------------------

def _record_node(root: Tree, graph: Graph) -> None:
    from rich.text import Text

    rec = graph.record
    assert rec is not None
    node = root.add(Text(f"Record {rec.id}: " + (f"in {rec.state}" if rec.state else "not in a state"),
                         style="bold yellow"))
    if rec.path:
        node.add("path: " + " → ".join(rec.path))
    if rec.done:
        node.add("parts done: " + ", ".join(rec.done))
    if rec.pending:
        node.add(Text("waiting for: " + ", ".join(rec.pending), style="yellow"))


def _state_label(graph: Graph, n: Node) -> Text:
    from rich.text import Text

    tags = []
    if n.entry:
        tags.append("entry")
    if n.final:
        tags.append("final")
    style = "bold"
    marker = ""
    if n.mark is Mark.CURRENT:
        style, marker = "bold black on yellow", "▶ "
    elif n.mark is Mark.VISITED:
        style, marker = "bold blue", "✓ "
    text = Text.assemble((marker + n.label, style), (f"  [{', '.join(tags)}]" if tags else "", "dim"))
    if n.mark is Mark.CURRENT and graph.record is not None:
        text.append(f"  ◀ record {graph.record.id} is here", style="yellow")
    if n.description:
        text.append(f"  — {n.description}", style="dim italic")
    return text


def _sla_node(parent: Tree, n: Node) -> None:
    from rich.text import Text

    if not n.sla:
        return
    sla = parent.add(Text("SLA", style="bold magenta"))
    for step in n.sla:
        if len(step.actions) == 1:
            sla.add(Text.assemble((f"after {step.after}: ", "magenta"), step.actions[0]))
        else:
            level = sla.add(Text(f"after {step.after}", style="magenta"))
            for action in step.actions:
                level.add(action)


def _steps(e: Edge) -> str:
    return f"({', '.join(map(str, e.steps))}) " if e.steps else ""


def _edge_style(e: Edge) -> str:
    return {Mark.TAKEN: "bold blue", Mark.DONE: "green", Mark.PENDING: "bold yellow"}.get(e.mark, "") if e.mark else ""


def _after(graph: Graph, e: Edge) -> tuple[list[Edge], list[Edge]]:
    """The parts and the branches that follow a transition edge."""
    parts: list[Edge] = []
    branches: list[Edge] = []
    hop = graph.node(e.target)
    if hop.kind is NodeKind.FORK:
        parts = [p for p in graph.edges_from(hop.id) if p.kind is EdgeKind.PART]
        joins = [j for p in parts[:1] for j in graph.edges_from(p.target) if j.kind is EdgeKind.JOINED]
        hop = graph.node(joins[0].target) if joins else hop
    if hop.kind is NodeKind.CHOICE:
        branches = [b for b in graph.edges_from(hop.id) if b.kind in (EdgeKind.BRANCH, EdgeKind.ELSE)]
    elif hop.kind is NodeKind.STATE:
        branches = []
    return parts, branches if branches else [Edge(e.source, hop.id, EdgeKind.JOINED)]


def _targets(graph: Graph, e: Edge) -> str:
    _, nexts = _after(graph, e)
    names = list(dict.fromkeys(graph.node(b.target).label for b in nexts))
    return " or ".join(names)


def _transition(parent: Tree, graph: Graph, e: Edge) -> None:
    from rich.text import Text

    parts, nexts = _after(graph, e)
    kinds = []
    if parts:
        kinds.append("parallel")
    if any(b.kind in (EdgeKind.BRANCH, EdgeKind.ELSE) for b in nexts):
        kinds.append("conditional")
    if e.auto:
        kinds.append(f"automatic {e.auto}")
    label = Text.assemble((_steps(e) + e.label, _edge_style(e) or "bold cyan"), f" → {_targets(graph, e)}",
                          (f"  [{', '.join(kinds)}]" if kinds else "", "yellow"))
    node = parent.add(label)
    if e.description:
        node.add(Text(e.description, style="dim italic"))
    _details(node, e)
    for p in parts:
        status = ""
        if p.mark is Mark.DONE:
            status = "  ✓ done" + (f" by {p.done_by}" if p.done_by else "") + (f" at {p.done_at}" if p.done_at else "")
        elif p.mark is Mark.PENDING:
            status = "  … pending"
        elif p.mark is Mark.TAKEN:
            status = "  ✓"
        part = node.add(Text.assemble(("part: " + p.label, _edge_style(p) or "bold"), (status, _edge_style(p))))
        _details(part, p)
    if any(b.kind in (EdgeKind.BRANCH, EdgeKind.ELSE) for b in nexts):
        for b in nexts:
            target = graph.node(b.target).label
            if b.kind is EdgeKind.ELSE:
                node.add(Text(f"{_steps(b)}else → {target}", style=_edge_style(b) or "green"))
            elif b.when is not None:
                _criteria_node(node, f"{_steps(b)}{b.order}. → {target} when", b.when, _edge_style(b) or "green")
    if e.then:
        then = node.add(Text("then", style="bold"))
        for action in e.then:
            then.add(action)


def _details(node: Tree, e: Edge) -> None:
    from rich.text import Text

    node.add(by_whom(e))
    if e.when is not None:
        _criteria_node(node, "when", e.when)
    if e.message:
        node.add(Text(f"message: {e.message}", style="italic"))
    if e.requires:
        req = node.add(Text("requires", style="bold"))
        for item in e.requires:
            req.add(item)


def _criteria_node(parent: Tree, label: str, c: Criteria, style: str = "bold") -> None:
    """A single condition stays on the label's line; and/or/not become branches."""
    from rich.text import Text

    if c.op == "leaf":
        parent.add(Text.assemble((label, style), " " + c.text))
        return
    node = parent.add(Text(label, style=style))
    _criteria_children(node, c)


def _criteria_children(node: Tree, c: Criteria) -> None:
    from rich.text import Text

    if c.op == "leaf":
        node.add(c.text)
        return
    head = {"all": "ALL of", "any": "ANY of", "not": "NOT"}[c.op]
    child = node.add(Text(head, style="magenta"))
    for item in c.items:
        _criteria_children(child, item)

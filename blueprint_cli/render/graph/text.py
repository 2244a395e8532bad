"""The words on a diagram, shared by the Mermaid and DOT renderers: what an
edge's label says, what a state box says besides its name, and the legend.

Labels show what decides whether a user sees a transition — its owners (`by`)
and criteria (`if`) — and whether it runs by itself. What a transition then
asks for and does stays out of the picture (the tree view has it all): a
diagram with every checklist in it is a diagram nobody reads.
"""

from __future__ import annotations

from blueprint_cli.render.graph.model import Edge, EdgeKind, Graph, Mark, Node, NodeKind


def criteria_lines(edge: Edge, prefix: str = "if ") -> list[str]:
    if edge.when is None:
        return []
    lines = edge.when.lines()
    return [prefix + lines[0]] + lines[1:] if prefix else lines


def steps_prefix(edge: Edge) -> str:
    return f"({', '.join(map(str, edge.steps))}) " if edge.steps else ""


def by_whom(edge: Edge) -> str:
    """Who performs a transition or part: its owners, anyone, or (an automatic
    transition without owners) its timer alone."""
    if edge.owners:
        return "by " + ", ".join(edge.owners)
    return "by its timer only" if edge.auto else "by anyone"


def edge_lines(edge: Edge) -> list[str]:
    """The label of an edge, one line per item."""
    k = edge.kind
    if k is EdgeKind.ENTRY:
        return criteria_lines(edge, "enters if ")
    if k is EdgeKind.TRANSITION:
        lines = [steps_prefix(edge) + edge.label]
        if edge.owners:
            lines.append("by " + ", ".join(edge.owners))
        lines += criteria_lines(edge)
        if edge.auto:
            lines.append(f"automatic {edge.auto}")
        return lines
    if k is EdgeKind.BRANCH:
        first = steps_prefix(edge) + (f"{edge.order}. " if edge.order else "")
        return [first + line if i == 0 else line for i, line in enumerate(criteria_lines(edge, ""))]
    if k is EdgeKind.ELSE:
        return [steps_prefix(edge) + "else"]
    if k is EdgeKind.PART:
        name = edge.label
        if edge.mark is Mark.DONE:
            name += " (done" + (f" by {edge.done_by}" if edge.done_by else "") + ")"
        elif edge.mark is Mark.PENDING:
            name += " (pending)"
        lines = [name]
        if edge.owners:
            lines.append("by " + ", ".join(edge.owners))
        return lines + criteria_lines(edge)
    return []


def sla_summary(node: Node) -> str:
    if not node.sla:
        return ""
    return "SLA " + " → ".join(s.after for s in node.sla)


def state_lines(node: Node, graph: Graph | None = None) -> list[str]:
    """What a state box shows under its name: the SLA, and the record when it is here."""
    lines = []
    if node.sla:
        lines.append(sla_summary(node))
    if node.mark is Mark.CURRENT:
        rid = graph.record.id if graph is not None and graph.record is not None else ""
        lines.append(f"record {rid} is here" if rid else "the record is here")
    return lines


def legend_lines(graph: Graph, *, members_shown: bool = False) -> list[str]:
    """What the shapes, words and marks mean — only those the graph uses."""
    out: list[str] = []
    edges = [e for e in graph.edges if e.kind in (EdgeKind.TRANSITION, EdgeKind.PART)]
    if any(e.owners for e in edges):
        out.append("by: who may do it (else anyone)")
    if any(e.when for e in edges):
        out.append("if: offered only when the record meets it")
    if any(e.auto for e in graph.edges):
        out.append("automatic after: runs by itself after that long")
    if graph.has(NodeKind.CHOICE):
        out.append("diamond: branches in order, the first that holds wins")
    if graph.has(NodeKind.FORK):
        out.append("bars: every part, in any order, then the move")
    groups = graph.nodes_of(NodeKind.GROUP)
    if groups:
        out.append("dashed box: a common transition, drawn once, from each state named")
        for g in groups:
            if g.every_open_state and not members_shown:
                out.append(f"{g.label} = " + ", ".join(graph.node(m).label for m in g.members))
    if any(n.sla for n in graph.nodes):
        out.append("SLA a → b: escalates after a, again after b")
    rec = graph.record
    if rec is not None:
        out.append(f"record {rec.id}: " + ("highlighted = its state, " if rec.state else "")
                   + "shaded = passed through, (n) = its n-th move")
        if rec.pending:
            out.append("waiting for: " + ", ".join(rec.pending))
    return (["Legend"] + out) if out else []

r"""The graph as Graphviz DOT source, for `dot -Tsvg`/`-Tpng`.

Same picture as the Mermaid one: a dot for the start, a bull's eye for the
end, rounded boxes for states (double border when final), a diamond per
conditional transition, black bars for the fork and join of a parallel one,
a dashed box for the states a common transition leaves from, and a legend.

Escaping, checked against Graphviz: node ids are the model's safe identifiers
(never a DOT keyword), so they go unquoted. Labels are HTML-like (`<…>`), for
bold names and small detail lines: `&`, `<`, `>`, `"`, `]` become `&amp;`, `&lt;`,
`&gt;`, `&quot;`, `&#93;` (Graphviz refuses a `]` that opens an element's text), a line break `<BR/>`, control characters are shown as escapes — and a
backslash is doubled, because Graphviz still expands `\N`, `\G`, `\E`, `\T`,
`\H` and `\\` inside HTML-like labels (even when written `&#92;`). Tooltips
(hover text in SVG) are quoted strings: `\` becomes `\\` first, then `"`
becomes `\"`, a line break `\n`.
"""

from __future__ import annotations

from blueprint_cli.render.graph.model import Edge, EdgeKind, Graph, Mark, Node, NodeKind
from blueprint_cli.render.graph.text import by_whom, edge_lines, legend_lines, state_lines

FONT = "Helvetica,Arial,sans-serif"
#: Graphviz refuses quoted strings longer than 16 KiB; tooltips stay well below.
_MAX_TOOLTIP = 4000

#: node kind or mark → (fill, line)
COLORS: dict[str, tuple[str, str]] = {
    "state": ("#eef1fb", "#5461a8"),
    "final": ("#e9e9ef", "#3c3c58"),
    "group": ("#f6f6f6", "#888888"),
    "current": ("#ffd666", "#b36b00"),
    "visited": ("#dbeaff", "#3d6fb6"),
}
EDGE_COLORS: dict[str, str] = {
    "taken": "#1f5fbf",
    "done": "#2e8b57",
    "pending": "#d97a00",
    "edge": "#555555",
}


def _clean(text: str) -> str:
    """Line breaks kept (as breaks), every other control character shown as its
    escape (a name made only of them still has a label Graphviz accepts)."""
    from blueprint_cli.shown import visible_lines

    return visible_lines(text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))


def html_text(text: str) -> str:
    """Text for inside an HTML-like label."""
    text = _clean(text).replace("\\", "\\\\")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    # `]` as the first text of an element is a syntax error to Graphviz (2.43): `<B>]</B>`
    return text.replace("]", "&#93;").replace("\n", "<BR/>")


def dot_string(text: str) -> str:
    """A double-quoted DOT string that reads back as `text`."""
    text = _clean(text)[:_MAX_TOOLTIP]
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class _Html(str):
    """An HTML-like label built here from escaped parts: written as `<…>`. Every
    other attribute value is written as a quoted string, whatever it starts with
    (a name beginning with `<` is text, never markup)."""


def _html_lines(first: str | None, rest: list[str], size: int = 9, align: str = "") -> _Html:
    br = f'<BR ALIGN="{align}"/>' if align else "<BR/>"
    parts = []
    if first:  # `<B></B>` is a syntax error to Graphviz
        parts.append(f"<B>{html_text(first)}</B>")
    if rest:
        small = br.join(html_text(line) for line in rest)
        parts.append(f'<FONT POINT-SIZE="{size}">{small}</FONT>')
    tail = br if align and parts else ""
    return _Html("<" + br.join(parts) + tail + ">")


def _attrs(**attrs: str | None) -> str:
    """`[k=v, ...]`; HTML-like labels (`_Html`) as they are, every other value quoted."""
    items = []
    for key, value in attrs.items():
        if value is None:
            continue
        items.append(f"{key}={value if isinstance(value, _Html) else dot_string(value)}")
    return " [" + ", ".join(items) + "]" if items else ""


def render_dot(graph: Graph, *, rankdir: str = "TB") -> str:
    out = [
        "digraph blueprint {",
        f"    graph{_attrs(rankdir=rankdir, fontname=FONT, labelloc='t', nodesep='0.4', ranksep='0.45', label=_title(graph), tooltip=graph.title)};",
        f'    node [fontname="{FONT}", fontsize=12, shape=box, style="rounded,filled", '
        f'fillcolor="{COLORS["state"][0]}", color="{COLORS["state"][1]}", margin="0.15,0.06"];',
        f'    edge [fontname="{FONT}", fontsize=10, color="{EDGE_COLORS["edge"]}", fontcolor="#333333", arrowsize=0.8];',
    ]
    for n in graph.nodes:
        out.append(f"    {n.id}{_node(graph, n)};")
    for e in graph.edges:
        out.append(f"    {e.source} -> {e.target}{_edge(e)};")
    legend = legend_lines(graph, members_shown=True)
    if legend:
        label = _html_lines(legend[0], legend[1:], size=10, align="LEFT")
        out.append(f'    legend [shape=note, style=filled, fillcolor="#fff8c4", color="#b5a642", '
                   f"label={label}];")
        ends = [n.id for n in graph.nodes if n.kind is NodeKind.END]
        # keep the legend at the bottom, out of the flow
        out.append("    { rank=sink; legend" + "".join(f"; {i}" for i in ends) + " }")
    out.append("}")
    return "\n".join(out) + "\n"


def _title(graph: Graph) -> _Html:
    return _html_lines(graph.title, [graph.subtitle] if graph.subtitle else [], size=10)


def _node(graph: Graph, n: Node) -> str:
    k = n.kind
    if k is NodeKind.START:
        return _attrs(shape="circle", style="filled", fillcolor="black", color="black", label="",
                      width="0.22", fixedsize="true", tooltip="start")
    if k is NodeKind.END:
        return _attrs(shape="doublecircle", style="filled", fillcolor="black", color="black", label="",
                      width="0.16", fixedsize="true", tooltip="end")
    if k is NodeKind.CHOICE:
        return _attrs(shape="diamond", style="filled", fillcolor="white", color=COLORS["state"][1], label="",
                      width="0.32", height="0.32", fixedsize="true", tooltip=f"{n.label}: conditional")
    if k in (NodeKind.FORK, NodeKind.JOIN):
        return _attrs(shape="box", style="filled", fillcolor="black", color="black", label="",
                      width="1.1", height="0.06", fixedsize="true",
                      tooltip=f"{n.label}: {'fork' if k is NodeKind.FORK else 'join'}")
    if k is NodeKind.GROUP:
        fill, line = COLORS["group"]
        members = [graph.node(m).label for m in n.members]
        extra = [", ".join(members)] if n.every_open_state else []
        return _attrs(style="rounded,dashed,filled", fillcolor=fill, color=line, fontcolor="#444444",
                      label=_html_lines(n.label, extra), tooltip="from each of: " + ", ".join(members))
    fill, line = COLORS["final" if n.final else "state"]
    penwidth = None
    if n.mark is Mark.CURRENT:
        fill, line = COLORS["current"]
        penwidth = "3"
    elif n.mark is Mark.VISITED:
        fill, line = COLORS["visited"]
    return _attrs(label=_html_lines(n.label, state_lines(n, graph)), fillcolor=fill, color=line, penwidth=penwidth,
                  peripheries="2" if n.final else None, tooltip=_node_tooltip(n))


def _node_tooltip(n: Node) -> str:
    lines = [n.label]
    if n.description:
        lines.append(n.description)
    for i, s in enumerate(n.sla):
        lines.append(f"{'SLA within' if i == 0 else 'then after'} {s.after}: " + "; ".join(s.actions))
    return "\n".join(lines)


def _edge(e: Edge) -> str:
    lines = edge_lines(e)
    label = _html_lines(lines[0], lines[1:]) if lines else None
    if e.kind in (EdgeKind.ENTRY, EdgeKind.BRANCH, EdgeKind.ELSE) and lines:
        label = _html_lines(None, lines, size=10)
    color = style = penwidth = None
    if e.mark is Mark.TAKEN:
        color, penwidth = EDGE_COLORS["taken"], "2.2"
    elif e.mark is Mark.DONE:
        color, penwidth = EDGE_COLORS["done"], "2.2"
    elif e.mark is Mark.PENDING:
        color, style, penwidth = EDGE_COLORS["pending"], "dashed", "2"
    if e.kind is EdgeKind.ELSE and style is None:
        style = "dashed"
    return _attrs(label=label, color=color, fontcolor=color, style=style, penwidth=penwidth,
                  tooltip=_edge_tooltip(e) if e.kind in (EdgeKind.TRANSITION, EdgeKind.PART) else None)


def _edge_tooltip(e: Edge) -> str:
    lines = [e.label if e.kind is EdgeKind.TRANSITION else f"{e.transition} / {e.label}"]
    if e.description:
        lines.append(e.description)
    lines.append(by_whom(e))
    if e.when is not None:
        lines += ["if " + e.when.lines()[0]] + e.when.lines()[1:]
    if e.message:
        lines.append("message: " + e.message)
    if e.requires:
        lines.append("requires " + "; ".join(e.requires))
    if e.then:
        lines.append("then " + "; ".join(e.then))
    return "\n".join(lines)

"""The graph as a Mermaid `stateDiagram-v2` (renders on GitHub and in mermaid-cli).

Every node gets a safe id and a `state "Name" as id` line; the start edge
comes from `[*]`, final states lead to `[*]`; a conditional transition goes
through a `<<choice>>`, a parallel one through `<<fork>>`/`<<join>>` with one
edge per part; a common transition leaves once from a dashed box standing for
its states. A note (the legend) says what the shapes and marks mean.

Escaping (`mermaid_text`), checked against mermaid-cli: every ASCII
punctuation character but a few readable ones (space , . ' ( ) - / and `_`
inside a word) becomes an entity code `#NN;`, which Mermaid decodes in state
names, edge labels and notes alike. Raw, `"` ends a name, `:` starts a label,
`;` ends a statement, `<…>` is eaten as HTML, `#x;` is read as an entity,
`*`/`_`/`$`/`%` start Markdown, KaTeX or comments. The word "direction" in a
label makes Mermaid drop the whole edge without an error, so its `d` is
escaped too. Line breaks become `<br/>`. The title lives in the front matter,
which decodes nothing and mangles `&`/`<`/`>`: see `mermaid_title`.
"""

from __future__ import annotations

import json
import re
import string

from blueprint_cli.render.graph.model import Edge, Graph, Mark, Node, NodeKind
from blueprint_cli.render.graph.text import edge_lines, legend_lines, state_lines

#: Punctuation left as is, for readable sources: tested raw-safe in every label context.
_KEEP = frozenset(" ,.'()-/")
_ESCAPE = frozenset(string.punctuation) - _KEEP
_DIRECTION = re.compile(r"d(?=irection)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

STYLES = {
    "group": "fill:#f6f6f6,stroke:#888,stroke-dasharray:5 5,color:#444",
    "current": "fill:#ffd666,stroke:#b36b00,stroke-width:3px,color:#000",
    "visited": "fill:#dbeaff,stroke:#3d6fb6,color:#000",
}


def _intraword(text: str, i: int) -> bool:
    """An underscore inside a word (`record_owner`) cannot start or end
    Markdown emphasis, so it may stay raw — sources stay readable."""
    return text[i] == "_" and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def mermaid_text(text: str) -> str:
    """`text` made safe for any Mermaid label: state names, edge labels, notes."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    out = "".join(f"#{ord(c)};" if c in _ESCAPE and not _intraword(text, i) else c for i, c in enumerate(text))
    out = _DIRECTION.sub(lambda m: f"#{ord(m.group())};", out)
    return "<br/>".join(line.strip() or "#160;" for line in out.split("\n"))


#: The front-matter title is not entity-decoded but is sanitised as HTML and
#: then escaped again: `&` shows as `&amp;`, `<` as `&lt;`, `<b>` vanishes.
#: Look-alikes keep such titles readable.
_TITLE_LOOKALIKES = str.maketrans({"&": "＆", "<": "‹", ">": "›"})


def mermaid_title(text: str) -> str:
    """The title as the front matter can carry it (a JSON string is a YAML string)."""
    return json.dumps(" ".join(_CONTROL.sub("", text).split()).translate(_TITLE_LOOKALIKES), ensure_ascii=False)


def _lines(lines: list[str]) -> str:
    return "<br/>".join(mermaid_text(line) for line in lines if line)


def render_mermaid(graph: Graph) -> str:
    # front matter: the title, and notes wrapped at 400 px rather than 200 so
    # the legend stays a box, not a column
    out = ["---", f"title: {mermaid_title(graph.title)}", "config:", "  flowchart:",
           "    wrappingWidth: 400", "---", "stateDiagram-v2"]
    for n in graph.nodes:
        out.extend("    " + line for line in _node(graph, n))
    for e in graph.edges:
        out.append("    " + _edge(graph, e))
    legend = legend_lines(graph)
    if legend and graph.states:
        anchor = _legend_anchor(graph)
        out.append(f"    note right of {anchor} : {_lines(legend)}")
    classes: dict[str, list[str]] = {}
    for n in graph.nodes:
        if n.kind is NodeKind.GROUP:
            classes.setdefault("group", []).append(n.id)
        if n.mark is Mark.CURRENT:
            classes.setdefault("current", []).append(n.id)
        elif n.mark is Mark.VISITED:
            classes.setdefault("visited", []).append(n.id)
    for name, members in classes.items():
        out.append(f"    classDef {name} {STYLES[name]}")
        out.append(f"    class {','.join(members)} {name}")
    return "\n".join(out) + "\n"


def _node(graph: Graph, n: Node) -> list[str]:
    if n.kind in (NodeKind.START, NodeKind.END):
        return []  # drawn as [*]
    if n.kind is NodeKind.CHOICE:
        return [f"state {n.id} <<choice>>"]
    if n.kind is NodeKind.FORK:
        return [f"state {n.id} <<fork>>"]
    if n.kind is NodeKind.JOIN:
        return [f"state {n.id} <<join>>"]
    name = n.label if n.label.strip() else n.id
    lines = [f'state "{mermaid_text(name)}" as {n.id}']
    body = state_lines(n, graph)
    if body:
        lines.append(f"{n.id} : {_lines(body)}")
    return lines


def _end(graph: Graph, node_id: str) -> str:
    kind = graph.node(node_id).kind
    return "[*]" if kind in (NodeKind.START, NodeKind.END) else node_id


def _edge(graph: Graph, e: Edge) -> str:
    arrow = f"{_end(graph, e.source)} --> {_end(graph, e.target)}"
    label = _lines(edge_lines(e))
    return f"{arrow} : {label}" if label else arrow


def _legend_anchor(graph: Graph) -> str:
    """The legend hangs off the last final state, below the flow, where it
    stretches nothing (a note takes a rank of its own beside its state)."""
    states = graph.states
    finals = [n for n in states if n.final]
    return (finals or states)[-1].id

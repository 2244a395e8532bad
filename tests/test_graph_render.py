"""The renderers, on graphs built by hand (no YAML): what each format draws for
each kind of node and edge, the marks of a record, and escaping.

`nasty_graph()` — names with quotes, colons, brackets, entities, markdown,
keywords, emoji and non-Latin letters — is also rendered by the real Graphviz
and mermaid-cli in test_graph_tools.py.
"""

from __future__ import annotations

import re

import pytest

from blueprint_cli.render.graph.model import (
    Criteria, Edge, EdgeKind, Escalation, Graph, Mark, Node, NodeKind, RecordView,
)
from blueprint_cli.render.graph.render_dot import dot_string, html_text, render_dot
from blueprint_cli.render.graph.render_mermaid import mermaid_text, mermaid_title, render_mermaid
from blueprint_cli.render.graph.render_tree import tree_text
from blueprint_cli.render.graph.text import edge_lines, legend_lines

K, E = NodeKind, EdgeKind


def small_graph(**marks: Mark) -> Graph:
    """Open → (conditional) → Review | Open; Review → (parallel) → Done;
    any open state → Dropped."""
    nodes = (
        Node("start", K.START),
        Node("s_open", K.STATE, "Open", entry=True, mark=marks.get("s_open"),
             sla=(Escalation("2d", ("email role:boss: 'late'",)), Escalation("1w", ("tag +stale",)))),
        Node("s_review", K.STATE, "Review", mark=marks.get("s_review")),
        Node("s_done", K.STATE, "Done", final=True),
        Node("s_dropped", K.STATE, "Dropped", final=True),
        Node("c_decide", K.CHOICE, "Decide"),
        Node("f_sign", K.FORK, "Sign"),
        Node("j_sign", K.JOIN, "Sign"),
        Node("g_any", K.GROUP, "any open state", members=("s_open", "s_review"), every_open_state=True),
        Node("finish", K.END),
    )
    edges = (
        Edge("start", "s_open", E.ENTRY, when=Criteria.leaf("amount > 0")),
        Edge("s_open", "c_decide", E.TRANSITION, "Decide", "Decide", owners=("role:boss",),
             when=Criteria.all(Criteria.leaf("amount ≥ 10"), Criteria.any(Criteria.leaf("a = 1"),
                                                                           Criteria.leaf("b = 2"))),
             requires=("a note",), then=("tag +decided",), mark=marks.get("decide")),
        Edge("c_decide", "s_review", E.BRANCH, transition="Decide", when=Criteria.leaf("discount ≤ 20"),
             order=1, mark=marks.get("branch")),
        Edge("c_decide", "s_open", E.ELSE, "else", "Decide"),
        Edge("s_review", "f_sign", E.TRANSITION, "Sign", "Sign"),
        Edge("f_sign", "j_sign", E.PART, "Legal", "Sign", owners=("role:legal",), mark=marks.get("legal"),
             done_by="carol" if marks.get("legal") is Mark.DONE else None),
        Edge("f_sign", "j_sign", E.PART, "Finance", "Sign", owners=("role:finance",), mark=marks.get("finance")),
        Edge("j_sign", "s_done", E.JOINED, transition="Sign"),
        Edge("g_any", "s_dropped", E.TRANSITION, "Drop", "Drop", auto="after 30d"),
        Edge("s_done", "finish", E.EXIT),
        Edge("s_dropped", "finish", E.EXIT),
    )
    record = None
    if marks:
        record = RecordView("17", "Review", ("Open", "Review"), pending=("Sign / Finance",), done=("Sign / Legal",))
    return Graph("Small", nodes, edges, "small · module Things", record)


# ----- the model's own checks ------------------------------------------------------------

def test_graph_refuses_unsafe_or_duplicate_ids_and_dangling_edges() -> None:
    with pytest.raises(ValueError, match="safe"):
        Graph("x", (Node("my state", K.STATE, "x"),))
    with pytest.raises(ValueError, match="safe"):
        Graph("x", (Node("node", K.STATE, "x"),))  # a DOT keyword
    with pytest.raises(ValueError, match="duplicate"):
        Graph("x", (Node("a", K.STATE), Node("a", K.STATE)))
    with pytest.raises(ValueError, match="no node 'b'"):
        Graph("x", (Node("a", K.STATE),), (Edge("a", "b", E.TRANSITION),))


def test_criteria_lines_keep_nesting_readable() -> None:
    c = Criteria.all(Criteria.leaf("a = 1"), Criteria.any(Criteria.leaf("b = 2"), Criteria.not_(Criteria.leaf("c"))))
    assert c.lines() == ["a = 1", "and (b = 2 or not (c))"]
    assert Criteria.not_(Criteria.leaf("x is empty")).lines() == ["not (x is empty)"]


# ----- Mermaid ---------------------------------------------------------------------------

def test_mermaid_draws_every_kind_of_node_and_edge() -> None:
    text = render_mermaid(small_graph())
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "---" and 'title: "Small"' in lines
    assert "stateDiagram-v2" in lines
    assert 'state "Open" as s_open' in lines
    assert "s_open : SLA 2d → 1w" in lines
    assert "state c_decide <<choice>>" in lines
    assert "state f_sign <<fork>>" in lines and "state j_sign <<join>>" in lines
    assert 'state "any open state" as g_any' in lines
    assert "[*] --> s_open : enters if amount #62; 0" in lines
    assert ("s_open --> c_decide : Decide<br/>by role#58;boss<br/>if amount ≥ 10<br/>"
            "and (a #61; 1 or b #61; 2)") in lines
    assert "c_decide --> s_review : 1. discount ≤ 20" in lines
    assert "c_decide --> s_open : else" in lines
    # one edge per part, named, with its owners
    assert "f_sign --> j_sign : Legal<br/>by role#58;legal" in lines
    assert "f_sign --> j_sign : Finance<br/>by role#58;finance" in lines
    assert "j_sign --> s_done" in lines
    # the common transition leaves once, from the group
    assert "g_any --> s_dropped : Drop<br/>automatic after 30d" in lines
    assert "s_done --> [*]" in lines and "s_dropped --> [*]" in lines
    assert "class g_any group" in lines
    note = next(line for line in lines if line.startswith("note right of s_dropped : Legend<br/>"))
    assert "dashed box#58; a common transition, drawn once, from each state named" in note
    assert "any open state #61; Open, Review" in note
    assert "diamond#58;" in note and "bars#58;" in note


def test_mermaid_marks_a_record() -> None:
    text = render_mermaid(small_graph(s_review=Mark.CURRENT, s_open=Mark.VISITED, decide=Mark.TAKEN,
                                      legal=Mark.DONE, finance=Mark.PENDING))
    assert "s_review : record 17 is here" in text
    assert "class s_review current" in text and "class s_open visited" in text
    assert "f_sign --> j_sign : Legal (done by carol)<br/>by role#58;legal" in text
    assert "f_sign --> j_sign : Finance (pending)<br/>by role#58;finance" in text
    assert "waiting for#58; Sign / Finance" in text


def test_mermaid_steps_number_the_path() -> None:
    g = small_graph()
    e = Edge("s_open", "c_decide", E.TRANSITION, "Decide", "Decide", mark=Mark.TAKEN, steps=(1, 3))
    assert edge_lines(e)[0] == "(1, 3) Decide"
    assert "(1, 3) Decide" in render_mermaid(Graph(g.title, g.nodes, (e,)))


@pytest.mark.parametrize("raw, escaped", [
    ('say "hi"', "say #34;hi#34;"),
    ("a: b; c", "a#58; b#59; c"),
    ("#1 [x] {y}", "#35;1 #91;x#93; #123;y#125;"),
    ("<b>&", "#60;b#62;#38;"),
    ("#quot;", "#35;quot#59;"),
    ("**x** _y_ $$z$$ %%", "#42;#42;x#42;#42; #95;y#95; #36;#36;z#36;#36; #37;#37;"),
    ("direction TB", "#100;irection TB"),
    ("Redirection", "Re#100;irection"),
    ("交渉 🚀 Ελληνικά", "交渉 🚀 Ελληνικά"),
    ("one\ntwo", "one<br/>two"),
    ("it's (fine), a-b/c.", "it's (fine), a-b/c."),
    ("record_owner _x_ y_ _z a__b", "record_owner #95;x#95; y#95; #95;z a#95;#95;b"),
    ("tab\there\x00", "tab here"),
])
def test_mermaid_text_escapes(raw: str, escaped: str) -> None:
    assert mermaid_text(raw) == escaped


def test_mermaid_title_uses_lookalikes_where_mermaid_would_mangle() -> None:
    assert mermaid_title('R&D <b>"x"</b>\n交渉') == '"R＆D ‹b›\\"x\\"‹/b› 交渉"'


def test_mermaid_output_has_no_raw_specials_in_labels() -> None:
    body = render_mermaid(nasty_graph()).split("stateDiagram-v2\n", 1)[1]
    for line in body.splitlines():
        line = line.strip()
        if line.startswith(("classDef ", "class ")):
            continue
        if line.startswith('state "'):
            label = line[len('state "'):line.rindex('" as ')]
        elif " : " in line:
            label = line.split(" : ", 1)[1]
        else:
            continue
        label = re.sub(r"#\d+;", "", label.replace("<br/>", ""))
        label = re.sub(r"(?<=[^\W_])_(?=[^\W_])", "", label)  # record_owner may stay
        assert not set(label) & set('"<>;:%#[]{}*_$`\\'), line


# ----- DOT -------------------------------------------------------------------------------

def test_dot_draws_every_kind_of_node_and_edge() -> None:
    text = render_dot(small_graph())
    assert text.startswith("digraph blueprint {")
    assert re.search(r'^    start \[shape="circle"', text, re.M)
    assert re.search(r'^    finish \[shape="doublecircle"', text, re.M)
    assert re.search(r'^    c_decide \[shape="diamond"', text, re.M)
    assert re.search(r'^    f_sign \[shape="box", style="filled", fillcolor="black"', text, re.M)
    assert re.search(r'^    g_any \[style="rounded,dashed,filled".*Open, Review', text, re.M)
    assert re.search(r'^    s_done \[label=<<B>Done</B>>.*peripheries="2"', text, re.M)
    assert 's_open [label=<<B>Open</B><BR/><FONT POINT-SIZE="9">SLA 2d → 1w</FONT>>' in text
    assert "    start -> s_open [label=<<FONT POINT-SIZE=\"10\">enters if amount &gt; 0</FONT>>];" in text
    assert text.count("    f_sign -> j_sign") == 2
    assert "    g_any -> s_dropped [label=<<B>Drop</B><BR/><FONT POINT-SIZE=\"9\">automatic after 30d</FONT>>" in text
    assert 'c_decide -> s_open [label=<<FONT POINT-SIZE="10">else</FONT>>, style="dashed"' in text
    assert "    legend [shape=note" in text and "{ rank=sink; legend; finish }" in text
    # tooltips carry what the picture leaves out
    assert 'tooltip="Decide\\nby role:boss\\nif amount ≥ 10\\nand (a = 1 or b = 2)\\nrequires a note\\nthen tag +decided"' in text


def test_dot_marks_a_record() -> None:
    text = render_dot(small_graph(s_review=Mark.CURRENT, s_open=Mark.VISITED, decide=Mark.TAKEN,
                                  legal=Mark.DONE, finance=Mark.PENDING))
    assert re.search(r's_review \[label=<<B>Review</B><BR/><FONT POINT-SIZE="9">record 17 is here</FONT>>, '
                     r'fillcolor="#ffd666", color="#b36b00", penwidth="3"', text)
    assert 's_open [label=<<B>Open</B>' in text and 'fillcolor="#dbeaff"' in text
    assert re.search(r's_open -> c_decide .*color="#1f5fbf".*penwidth="2.2"', text)
    assert re.search(r'f_sign -> j_sign \[label=<<B>Legal \(done by carol\)</B>.*color="#2e8b57"', text)
    assert re.search(r'f_sign -> j_sign \[label=<<B>Finance \(pending\)</B>.*style="dashed"', text)


@pytest.mark.parametrize("raw, escaped", [
    ('a "b" <c> & d', "a &quot;b&quot; &lt;c&gt; &amp; d"),
    ("&amp;", "&amp;amp;"),
    ("one\ntwo\r\nthree", "one<BR/>two<BR/>three"),
    ("交渉 🚀", "交渉 🚀"),
    ("x\x01y\x7f", "x\\\\x01y\\\\x7f"),  # shown, not dropped: a name of only such characters still has a label
    ("a\\b \\N", "a\\\\b \\\\N"),
])
def test_html_text_escapes(raw: str, escaped: str) -> None:
    assert html_text(raw) == escaped


@pytest.mark.parametrize("raw, quoted", [
    ('say "hi"', '"say \\"hi\\""'),
    ("back\\slash \\N \\G", '"back\\\\slash \\\\N \\\\G"'),
    ("ends with \\", '"ends with \\\\"'),
    ("one\ntwo", '"one\\ntwo"'),
    ("{}[]<>|;:,=#%&/", '"{}[]<>|;:,=#%&/"'),
])
def test_dot_string_quotes(raw: str, quoted: str) -> None:
    assert dot_string(raw) == quoted


# ----- tree ------------------------------------------------------------------------------

def test_tree_lists_states_with_their_transitions_criteria_and_sla() -> None:
    text = tree_text(small_graph(), width=100)
    assert text.splitlines()[0] == "Small  small · module Things"
    assert """\
├── Open  [entry]
│   ├── enters when amount > 0
│   ├── SLA
│   │   ├── after 2d: email role:boss: 'late'
│   │   └── after 1w: tag +stale
│   ├── Decide → Review or Open  [conditional]
│   │   ├── by role:boss
│   │   ├── when
│   │   │   └── ALL of
│   │   │       ├── amount ≥ 10
│   │   │       └── ANY of
│   │   │           ├── a = 1
│   │   │           └── b = 2
│   │   ├── requires
│   │   │   └── a note
│   │   ├── 1. → Review when discount ≤ 20
│   │   ├── else → Open
│   │   └── then
│   │       └── tag +decided
│   └── Drop → Dropped  (common transition, see below)
""" in text
    assert """\
├── Review
│   ├── Sign → Done  [parallel]
│   │   ├── by anyone
│   │   ├── part: Legal
│   │   │   └── by role:legal
│   │   └── part: Finance
│   │       └── by role:finance
│   └── Drop → Dropped  (common transition, see below)
├── Done  [final]
├── Dropped  [final]
└── From any open state (Open, Review)
    └── Drop → Dropped  [automatic after 30d]
        └── by its timer only
""" in text


def test_tree_shows_the_record() -> None:
    text = tree_text(small_graph(s_review=Mark.CURRENT, s_open=Mark.VISITED, legal=Mark.DONE,
                                 finance=Mark.PENDING), width=100)
    assert """\
├── Record 17: in Review
│   ├── path: Open → Review
│   ├── parts done: Sign / Legal
│   └── waiting for: Sign / Finance
├── ✓ Open  [entry]
""" in text
    assert "├── ▶ Review  ◀ record 17 is here" in text
    assert "│   │   ├── part: Legal  ✓ done by carol" in text
    assert "│   │   └── part: Finance  … pending" in text


# ----- the legend --------------------------------------------------------------------------

def test_legend_explains_only_what_the_graph_uses() -> None:
    plain = Graph("x", (Node("a", K.STATE, "A"), Node("b", K.STATE, "B")), (Edge("a", "b", E.TRANSITION, "Go", "Go"),))
    assert legend_lines(plain) == []
    assert "note " not in render_mermaid(plain) and "legend" not in render_dot(plain)
    full = legend_lines(small_graph(s_review=Mark.CURRENT, finance=Mark.PENDING))
    assert full[0] == "Legend"
    assert any(line.startswith("record 17: highlighted = its state") for line in full)
    assert "waiting for: Sign / Finance" in full


# ----- names that break naive renderers ------------------------------------------------------

NASTY_STATES = (
    'Say "hi": now; then #1 [x] {y} <b>bold</b> & more',
    "Négociation — 交渉 🚀 Ελληνικά العربية עברית",
    "%% not a comment",
    "end note",
    "state",
    "**bold** _it_ $$x^2$$ fa:fa-car `code` snake_case_name __init__ a_b_ _c_d",
    "back\\slash \\n \\N \\G \\",
    "#quot; &lt; &amp; #35; &#60;",
    "--> -- ::: ;; |pipe| ~tilde~ ^caret^ =eq= +plus+ *star* ?q! @at",
    "it's (quoted) 'single' , . /",
    "direction TB",
    "classDef x fill:#f00",
)


def nasty_graph() -> Graph:
    """Every kind of node and edge, each named with characters that mean
    something to Mermaid, DOT, HTML, Markdown or YAML."""
    states = [Node(f"s_{i}", K.STATE, name, entry=i == 0, final=i == len(NASTY_STATES) - 1,
                   sla=(Escalation("2d <b>", ("email \"x\": y",)),) if i == 1 else ())
              for i, name in enumerate(NASTY_STATES)]
    nodes = [Node("start", K.START), *states,
             Node("c_x", K.CHOICE, 'Choose: "a" or [b]'),
             Node("f_x", K.FORK, "Both; <now>"), Node("j_x", K.JOIN, "Both; <now>"),
             Node("g_x", K.GROUP, 'any "open" state: <all>; #1', members=("s_0", "s_1"), every_open_state=True),
             Node("finish", K.END)]
    last = len(NASTY_STATES) - 1
    edges = [Edge("start", "s_0", E.ENTRY, when=Criteria.leaf("source not in ['Partner'] & x < 3 \"q\""))]
    for i in range(last):
        edges.append(Edge(f"s_{i}", f"s_{i + 1}", E.TRANSITION, f"T{i}: {NASTY_STATES[i]}", f"t{i}",
                          owners=("role:a\"b", "user:交渉"),
                          when=Criteria.any(Criteria.leaf(f"name starts with '[{i}]'"),
                                            Criteria.not_(Criteria.leaf("x ≠ <none> ; 'y'")))))
    edges += [
        Edge("s_2", "c_x", E.TRANSITION, 'Route "it": now; [go] 🚦', "route", owners=("role:boss",)),
        Edge("c_x", "s_3", E.BRANCH, transition="route", when=Criteria.leaf("amount < 1000 & \"ok\": #yes"), order=1),
        Edge("c_x", "s_4", E.ELSE, "else", "route"),
        Edge("s_5", "f_x", E.TRANSITION, "Both; <now>", "both"),
        Edge("f_x", "j_x", E.PART, 'Legal: "sign" [x]', "both", owners=("role:légal",), mark=Mark.DONE,
             done_by="ćarol \"c\""),
        Edge("f_x", "j_x", E.PART, "Finance #1 {y} 金融", "both", owners=("role:finance",), mark=Mark.PENDING),
        Edge("j_x", "s_6", E.JOINED, transition="both"),
        Edge("g_x", f"s_{last}", E.TRANSITION, "Lose: all; \"hope\" 💔", "lose", auto="after 2w <soon>"),
        Edge(f"s_{last}", "finish", E.EXIT),
    ]
    record = RecordView('r-1"', NASTY_STATES[5], (NASTY_STATES[0], NASTY_STATES[5]),
                        pending=('both / Finance #1 {y} 金融',))
    states[5] = Node("s_5", K.STATE, NASTY_STATES[5], mark=Mark.CURRENT)
    nodes[6] = states[5]
    return Graph('Nasty: "quotes" & <tags> — 交渉 🚀', tuple(nodes), tuple(edges), "sub; title: #1", record)


def nasty_texts(graph: Graph) -> list[str]:
    """Every label line a renderer must show, whitespace-normalised."""
    texts = [n.label for n in graph.states] + [edge_lines(e) for e in graph.edges]  # type: ignore[list-item]
    out: list[str] = []
    for t in texts:
        for line in ([t] if isinstance(t, str) else t):
            out.extend(part for part in line.split("\n"))
    return [" ".join(x.split()) for x in out if x.strip()]


def test_nasty_graph_renders_in_every_format_without_losing_a_name() -> None:
    g = nasty_graph()
    tree = tree_text(g)
    for name in NASTY_STATES:
        assert " ".join(name.split()) in " ".join(tree.split())
    assert render_mermaid(g).count("\n    state ") >= len(NASTY_STATES)
    assert render_dot(g).count(" -> ") == len(g.edges)

"""Our diagrams, rendered by the real programs: Graphviz `dot` and mermaid-cli
`mmdc` (through Debian's Chromium). A diagram passes when the program accepts
it AND every name and label line shows up in the image — Mermaid drops some
broken statements silently, so an exit code alone proves little.

These tests fail, never skip, when a program is missing: .ci/run installs
both (.ci/install-system.sh). mmdc starts a browser (~3 s), so every Mermaid
diagram goes through one mmdc call.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pytest

from blueprint_cli.render.graph.model import Graph, NodeKind, PartDone, RecordTrail, Step, extract
from blueprint_cli.render.graph.render_dot import render_dot
from blueprint_cli.render.graph.render_mermaid import mermaid_title, render_mermaid
from blueprint_cli.render.graph.runner import RenderFailed, find_dot, find_mmdc, run_dot, run_mmdc
from blueprint_cli.render.graph.text import edge_lines, legend_lines, state_lines
from blueprint_cli.check import load_blueprint
from test_graph_render import nasty_graph

ROOT = Path(__file__).resolve().parents[1]
#: the sample blueprints (the folder also holds other files, like scenarios)
SAMPLES = sorted(p for p in (ROOT / "sample_blueprints").glob("*.yaml")
                 if re.search(r"^blueprint:", p.read_text(encoding="utf-8"), re.M))
PUPPETEER_CONFIG = ROOT / ".ci" / "puppeteer-config.json"
INSTALL = "run .ci/install-system.sh (it installs Graphviz, Chromium and mermaid-cli), as .ci/run does"


def deal_trail() -> RecordTrail:
    """A deal that went round the discount loop and waits for Finance."""
    return RecordTrail("42", "Legal Review", (
        Step("create", None, "Qualification"),
        Step("move", "Qualification", "Negotiation", "Negotiate"),
        Step("move", "Negotiation", "Discount Approval", "Request discount"),
        Step("move", "Discount Approval", "Negotiation", "Decide discount"),
        Step("move", "Negotiation", "Discount Approval", "Request discount"),
        Step("move", "Discount Approval", "Legal Review", "Decide discount"),
        Step("part", "Legal Review", "Legal Review", "Sign-off", "Legal approval"),
    ), (PartDone("Sign-off", "Legal approval", "carol", "2026-05-04T10:00:00+02:00"),))


def diagrams() -> dict[str, Graph]:
    out = {p.stem: extract(load_blueprint(p)) for p in SAMPLES}
    out["deal-follow-up+record"] = extract(load_blueprint(ROOT / "sample_blueprints" / "deal-follow-up.yaml"),
                                           deal_trail())
    out["nasty"] = nasty_graph()
    return out


DIAGRAMS = diagrams()


def words(text: str) -> str:
    return " ".join(text.split())


def svg_text(svg: bytes) -> str:
    """The visible text of an SVG, whitespace-normalised."""
    text = svg.decode("utf-8")
    text = re.sub(r"<style.*?</style>", " ", text, flags=re.S)
    text = re.sub(r"<br\s*/?>", " ", text)
    text = re.sub(r"<[^>]+>", "", text)
    return words(html.unescape(text))


def expected_lines(graph: Graph, *, dot: bool) -> list[str]:
    lines = [graph.title if dot else json.loads(mermaid_title(graph.title))]
    for n in graph.nodes:
        if n.kind in (NodeKind.STATE, NodeKind.GROUP):
            lines += n.label.split("\n") + state_lines(n, graph)
        if dot and n.kind is NodeKind.GROUP and n.every_open_state:
            lines.append(", ".join(graph.node(m).label for m in n.members))
    for e in graph.edges:
        lines += [part for line in edge_lines(e) for part in line.split("\n")]
    lines += [part for line in legend_lines(graph, members_shown=dot) for part in line.split("\n")]
    return [words(x) for x in lines if x.strip()]


def missing(svg: bytes, graph: Graph, *, dot: bool) -> list[str]:
    text = svg_text(svg)
    return [line for line in expected_lines(graph, dot=dot) if line not in text]


# ----- Graphviz --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dot_exe() -> str:
    exe = find_dot()
    if exe is None:
        pytest.fail("Graphviz `dot` is not installed, and these tests render DOT for real: " + INSTALL
                    + " (or apt-get install graphviz / brew install graphviz)")
    return exe


@pytest.mark.parametrize("name", list(DIAGRAMS))
def test_dot_renders_the_diagram_with_every_label(dot_exe: str, name: str) -> None:
    graph = DIAGRAMS[name]
    proc = subprocess.run([dot_exe, "-Tsvg"], input=render_dot(graph).encode(), capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    # warnings too: a label Graphviz had to guess at is a label we wrote wrong
    assert proc.stderr == b"", proc.stderr.decode()
    assert missing(proc.stdout, graph, dot=True) == []


def test_dot_png_of_every_sample(dot_exe: str) -> None:
    for name, graph in DIAGRAMS.items():
        png = run_dot(render_dot(graph), "png")
        assert png.startswith(b"\x89PNG\r\n\x1a\n"), name


def test_dot_rejection_is_an_error_with_dots_message(dot_exe: str) -> None:
    with pytest.raises(RenderFailed, match="syntax error"):
        run_dot("digraph { a -> }", "svg")
    # a broken HTML label: dot exits 1 but still prints an SVG
    with pytest.raises(RenderFailed):
        run_dot("digraph { a [label=<<B>x</I>>] }", "svg")


# ----- mermaid-cli -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def mmdc() -> str:
    exe = find_mmdc()
    if exe is None:
        pytest.fail("mermaid-cli (`mmdc`) is not installed, and these tests render Mermaid for real: " + INSTALL)
    if not PUPPETEER_CONFIG.exists():
        pytest.fail(f"{PUPPETEER_CONFIG} is missing: mmdc needs it to drive Debian's Chromium")
    return exe


@pytest.fixture(scope="module")
def mermaid_svgs(mmdc: str) -> dict[str, bytes]:
    names = list(DIAGRAMS)
    svgs = run_mmdc([render_mermaid(DIAGRAMS[n]) for n in names], puppeteer_config=PUPPETEER_CONFIG)
    return dict(zip(names, svgs))


@pytest.mark.parametrize("name", list(DIAGRAMS))
def test_mermaid_renders_the_diagram_with_every_label(mermaid_svgs: dict[str, bytes], name: str) -> None:
    svg = mermaid_svgs[name]
    assert b"Syntax error" not in svg
    assert missing(svg, DIAGRAMS[name], dot=False) == []


def test_mermaid_draws_choice_fork_join_and_notes(mermaid_svgs: dict[str, bytes]) -> None:
    svg = mermaid_svgs["deal-follow-up"].decode()
    assert svg.count('id="my-svg-state-c_decide_discount') == 1
    assert 'state-f_sign_off' in svg and 'state-j_sign_off' in svg
    assert "statediagram-note" in svg
    # 4 transitions + 2 parts + join + 2 branches + start + 2 finals ... every edge is a path
    graph = DIAGRAMS["deal-follow-up"]
    assert len(re.findall(r'<path[^>]*class="[^"]*transition', svg)) >= len(graph.edges)


def test_mmdc_fails_on_a_diagram_it_cannot_parse(mmdc: str) -> None:
    good = "stateDiagram-v2\n    [*] --> s_a\n"
    bad = 'stateDiagram-v2\n    state "a"b" as s_1\n'
    with pytest.raises(RenderFailed, match=r"diagram 2 of 2 .*Parse error"):
        run_mmdc([good, bad], puppeteer_config=PUPPETEER_CONFIG)

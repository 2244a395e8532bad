"""Hostile input, class 2: names and texts that look like markup, in every
diagram format. DOT is rendered by the real `dot`, and the SVG it produces is
parsed: no element or attribute a name could have made (no link, no script,
no event handler), and each name comes back as the text it is. Mermaid and
SARIF are checked for the characters that would end their strings."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import example, given, settings, strategies as st

from blueprint_cli.render.graph.render_dot import render_dot
from blueprint_cli.render.graph.render_mermaid import render_mermaid
from workspace_helpers import cli

NAMES = [
    '<a xlink:href="javascript:alert(1)">x</a>',
    "</text><script>alert(3)</script>",
    '"]; evil [label=<x>',
    "\\N\\G\\E \\\\ }",
    "<b onmouseover=alert(4)>go</b>",
    "&amp; &#60; &lt;",
    "-> -- ; { } [ ]",
    "<<choice>>",
    "a%%comment",
]


def blueprint(names: list[str]) -> str:
    quoted = [json.dumps(n) for n in names]
    states = "".join(f"  - name: {q}\n    description: {json.dumps('<img src=x onerror=alert(1)>' + n)}\n"
                     for q, n in zip(quoted[:-1], names))
    states += f"  - name: {quoted[-1]}\n    final: true\n"
    transitions = "".join(f"  - name: {json.dumps('<i>' + n)}\n    from: {a}\n    to: {b}\n"
                          f"    message: {json.dumps('</a>' + n)}\n" for n, a, b in zip(names, quoted, quoted[1:]))
    return (f"blueprint: evil\ntitle: {quoted[0]}\ndescription: {quoted[1]}\nmodule: Deals\nfield: stage\n"
            f"states:\n{states}transitions:\n{transitions}")


SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def test_the_svg_dot_draws_has_no_live_markup_from_a_name(tmp_path: Path) -> None:
    source = tmp_path / "evil.yaml"
    source.write_text(blueprint(NAMES), encoding="utf-8")
    assert cli("lint", str(source)).code == 0
    out = tmp_path / "evil.svg"
    result = cli("graph", str(source), "-o", str(out))
    assert result.code == 0, result
    root = ET.fromstring(out.read_bytes())  # well-formed
    tags = {el.tag for el in root.iter()}
    assert tags <= {SVG + t for t in ("svg", "g", "title", "polygon", "path", "ellipse", "text", "a", "polyline")}, tags
    for el in root.iter():
        for attr in el.attrib:
            assert attr not in (XLINK + "href", "href") and not attr.startswith("on"), (el.tag, attr)
    texts = {"".join(el.itertext()) for el in root.iter(SVG + "text")}
    for name in NAMES[:-1]:
        assert name in texts, (name, texts)
    tooltips = {el.get(XLINK + "title") for el in root.iter(SVG + "a")}
    assert any(t and t.startswith(NAMES[0]) for t in tooltips), tooltips


@settings(max_examples=60, deadline=None)
@example(["0", "]"])  # Graphviz refused `<B>]</B>`
@given(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=15)
                .filter(lambda s: s.strip() != ""), min_size=2, max_size=4, unique_by=lambda s: s.strip()))
def test_any_names_give_dot_that_dot_reads_and_mermaid_without_raw_delimiters(tmp_path_factory: pytest.TempPathFactory,
                                                                             names: list[str]) -> None:
    from blueprint_cli.check import load_blueprint

    folder = tmp_path_factory.mktemp("names")
    source = folder / "b.yaml"
    source.write_text(blueprint(names), encoding="utf-8")
    if cli("lint", str(source)).code != 0:
        return  # e.g. two names the same after trimming: lint says so, nothing is drawn
    result = cli("graph", str(source), "-f", "svg", "-o", str(folder / "b.svg"))
    assert result.code == 0, (names, result)
    root = ET.fromstring((folder / "b.svg").read_bytes())
    for el in root.iter():
        assert XLINK + "href" not in el.attrib and not any(a.startswith("on") for a in el.attrib), names
    from blueprint_cli.render.graph.model import extract

    mermaid = render_mermaid(extract(load_blueprint(source), None))
    for line in mermaid.splitlines():  # every label: entity codes, never a raw delimiter
        text = line.strip()
        if text.startswith('state "') and '" as ' in text:
            # the renderer's own codes: entities and its line break
            label = re.sub(r"#[0-9]+;|<br/>", "", text[len('state "'):text.rindex('" as ')])
            assert not any(c in label for c in '";:<>'), (names, line)
    assert "digraph" in render_dot(extract(load_blueprint(source), None))


def test_sarif_carries_names_as_json_strings(tmp_path: Path) -> None:
    source = tmp_path / "evil.yaml"
    source.write_text(blueprint(NAMES) + f"  - {{name: x, from: {json.dumps(NAMES[1])}, to: \"</script>\\u2028\"}}\n",
                      encoding="utf-8")
    result = cli("lint", "--format", "sarif", str(source))
    assert result.code == 1
    document = json.loads(result.out)
    messages = [r["message"]["text"] for r in document["runs"][0]["results"]]
    assert any("'</script>\\u2028'" in m for m in messages), messages

"""Golden files: what `blueprint graph` draws for each sample blueprint, as
Mermaid, DOT and the terminal tree (no colour, 100 columns). They were read by
eye (and the PNGs looked at) when written; a change in output shows up here
as a diff to review. Regenerate with `UPDATE_GOLDEN=1 pytest tests/test_graph_golden.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from blueprint_cli.render.graph.model import extract
from blueprint_cli.render.graph.render_dot import render_dot
from blueprint_cli.render.graph.render_mermaid import render_mermaid
from blueprint_cli.render.graph.render_tree import tree_text
from blueprint_cli.check import load_blueprint
from test_graph_tools import SAMPLES, deal_trail

GOLDEN = Path(__file__).parent / "golden" / "graph"
RENDERERS = {
    "mmd": render_mermaid,
    "dot": render_dot,
    "txt": lambda g: tree_text(g, width=100),
}
CASES = [(p, suffix, None) for p in SAMPLES for suffix in RENDERERS]
CASES += [(p, suffix, "record") for p in SAMPLES if p.stem == "deal-follow-up" for suffix in RENDERERS]


@pytest.mark.parametrize("path, suffix, variant", CASES,
                         ids=[f"{p.stem}{'+' + v if v else ''}.{s}" for p, s, v in CASES])
def test_output_matches_the_golden_file(path: Path, suffix: str, variant: str | None) -> None:
    graph = extract(load_blueprint(path), deal_trail() if variant == "record" else None)
    got = RENDERERS[suffix](graph)
    golden = GOLDEN / f"{path.stem}{'+' + variant if variant else ''}.{suffix}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run with UPDATE_GOLDEN=1 and review it"
    assert got == golden.read_text(encoding="utf-8")


def test_every_sample_has_golden_files() -> None:
    names = {p.name for p in GOLDEN.iterdir()}
    for p in SAMPLES:
        assert {f"{p.stem}.{s}" for s in RENDERERS} <= names


def test_the_diagrams_page_shows_the_deal_samples_diagram_as_the_tool_draws_it() -> None:
    """The inline Mermaid diagram on the docs' Diagrams page is the sample's
    real output, so GitHub shows what users will get."""
    deal = next(p for p in SAMPLES if p.stem == "deal-follow-up")
    block = "```mermaid\n" + render_mermaid(extract(load_blueprint(deal))) + "```\n"
    root = Path(__file__).resolve().parents[1]
    page = root / "docs" / "diagrams.md"
    assert block in page.read_text(encoding="utf-8"), \
        "paste the output of `blueprint graph sample_blueprints/deal-follow-up.yaml -f mermaid` into docs/diagrams.md"

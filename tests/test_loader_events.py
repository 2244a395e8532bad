"""The loader's fast path (data built straight from the parser's events) gives
exactly what the composer's path gives, wherever it answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueprint_cli.language import loader

REPO_ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p for p in [*REPO_ROOT.glob("sample_blueprints/*.yaml"), *REPO_ROOT.glob("tests/lint_cases/*.yaml"),
                           *REPO_ROOT.glob("docs/examples/*.yaml")] if p.name != "bp100_not_utf8.yaml")


def both(text: str) -> tuple:
    fast = loader.load_text(text, "f.yaml")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(loader, "_from_events", lambda _text: None)
        slow = loader.load_text(text, "f.yaml")

    def shape(result: tuple) -> tuple:
        doc, diags = result
        if doc is None:
            return None, diags
        return (json.dumps(doc.data, sort_keys=True, default=repr), doc.positions, doc.key_positions), diags

    return shape(fast), shape(slow)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_example_file_loads_the_same_both_ways(path: Path) -> None:
    fast, slow = both(path.read_text("utf-8"))
    assert fast == slow


def test_the_fast_path_answers_for_a_plain_blueprint() -> None:
    text = (REPO_ROOT / "sample_blueprints" / "deal-follow-up.yaml").read_text()
    assert loader._from_events(text) is not None


def test_checking_a_file_leaves_nothing_for_the_garbage_collector() -> None:
    # a run over many files would otherwise stop for a collection every few
    # files, scanning what every earlier file left behind (a third of a
    # 1,000-line file's lint time)
    import gc

    from blueprint_cli.check.check import lint_text

    text = (REPO_ROOT / "sample_blueprints" / "deal-follow-up.yaml").read_text()
    lint_text(text, "f.yaml")  # imports, caches
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        bp, diags = lint_text(text, "f.yaml")
        assert bp is not None and diags == []
        del bp
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


pieces = st.sampled_from(["a", "b", "on", "no", "1", "1_0", "0x1f", "1.5", ".nan", "-.inf", "~", "null", "''",
                          '"x"', "!!str 5", "!!int 7", "!custom z", "<<", "2026-01-01", "[x, y]", "{a: 1}",
                          "{a: 1, a: 2}", "[]", "{}", "|\n  text", "- q"])
yamlish = st.recursive(
    pieces,
    lambda children: st.lists(st.tuples(st.sampled_from(["a", "b", "c", "<<", "'q'", "!!str k", "1"]), children),
                              min_size=1, max_size=4).map(
        lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}")
    | st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "a", "x y", "'k'", "<<", "!!str n", "2"]), yamlish),
                min_size=1, max_size=5))
def test_random_documents_load_the_same_both_ways(pairs: list) -> None:
    block = "".join(f"{k}: {v}\n" for k, v in pairs)
    for text in (block, "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}\n"):
        fast, slow = both(text)
        assert fast == slow, text


@pytest.mark.parametrize("text", ["a: a\na: !custom z\n", "a: a\na: {<<: a}\n", "a: !custom z\na: !custom z\n"])
def test_a_repeated_key_with_a_value_the_loader_refuses_is_a_finding_not_a_crash(text: str) -> None:
    doc, diags = loader.load_text(text, "f.yaml")
    assert diags and all(d.code in ("BP103", "BP100", "BP105") for d in diags)


@pytest.mark.parametrize("text", ["a: 1\nb: [x, {c: d}]\n", "a: [1, 2\nb: 3\n", "a: *nowhere\n", "a: !x 1\n"],
                         ids=["read", "syntax error", "alias", "unknown tag"])
def test_after_the_fast_path_the_composer_still_reads_anchors(text: str) -> None:
    # the fast path has the C parser make tuples for the time of one parse: then,
    # answered or not, a file with anchors (the composer's path) reads as before
    loader._from_events(text)
    doc, diags = loader.load_text("base: &b {x: 1}\nuse: *b\n", "f.yaml")
    assert diags == [] and doc is not None and doc.data == {"base": {"x": 1}, "use": {"x": 1}}

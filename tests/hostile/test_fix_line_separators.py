"""Hostile input, round two (judgement call): a U+2028 (or NEL, U+2029)
anywhere in a file — a comment, a title — turned off every fix in it. The
loader reads those characters as text, not line breaks, and swapped them for
stand-ins while parsing, but the document it returned had lost its text (what
fixes edit), and the node graph fixes edit was parsed with them as line
breaks, every line after them off by one. Now both read the file as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from blueprint_cli.language.loader import load_text
from workspace_helpers import cli

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"
TEXT = SAMPLE.read_text(encoding="utf-8").replace("to: Negotiation", "to: Negotation", 1)
BREAKS = ["\u2028", "\u2029", "\x85"]


@pytest.mark.parametrize("brk", BREAKS, ids=["LS", "PS", "NEL"])
@pytest.mark.parametrize("where", ["comment", "title", "after"], ids=["comment", "title", "after-the-fix"])
def test_a_line_separator_leaves_the_fixes_on(tmp_path: Path, brk: str, where: str) -> None:
    if where == "comment":
        text = TEXT.replace("# Deal follow-up:", f"# Deal{brk}follow-up:", 1)
    elif where == "title":
        text = TEXT.replace("title: Deal follow-up", f'title: "Deal{brk}follow-up"', 1)
    else:
        text = TEXT + f"# the end{brk}of it\n"
    assert text != TEXT
    source = tmp_path / "b.yaml"
    source.write_text(text, encoding="utf-8")
    before = cli("lint", "--no-cache", str(source))
    assert "1 fixable" in before.err, before
    fixed = cli("lint", "--no-cache", "--fix", str(source))
    assert fixed.code == 0 and "Fixed 1 finding in 1 file." in fixed.err, fixed
    assert source.read_text(encoding="utf-8") == text.replace("to: Negotation", "to: Negotiation", 1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(BREAKS + ["x", " "]), min_size=1, max_size=5))
def test_the_document_keeps_the_text_it_was_read_from(chars: list[str]) -> None:
    text = "# " + "".join(chars) + "\na: 1\n"
    doc, diags = load_text(text, "x.yaml")
    assert doc is not None and not diags and doc.text == text

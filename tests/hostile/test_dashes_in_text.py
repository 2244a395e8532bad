"""Hostile input, round two, 13 (a): `- - -` written as text. A run of a
thousand `- ` is a thousand nested lists only where a block sequence can
start; inside a quoted string, a block scalar, a comment or a plain value it
is text, and the file lints as any other (no BP104 "nesting deeper than").
Real nesting that deep is still refused without crashing the parser."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from blueprint_cli.language.loader import MAX_PRESCAN_DEPTH, load_text
from workspace_helpers import cli

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"
RUN = "- " * (MAX_PRESCAN_DEPTH + 200)
DESCRIPTION = "    description: Rep is confirming budget, authority, need and timing.\n"


def _with_description(text: str) -> str:
    sample = SAMPLE.read_text(encoding="utf-8")
    assert DESCRIPTION in sample
    return sample.replace(DESCRIPTION, text, 1)


@pytest.mark.parametrize("written", [
    f'    description: "{RUN}"\n',
    f"    description: '{RUN}'\n",
    f"    description: |\n      {RUN}\n      {RUN}x\n",
    f"    description: >\n      {RUN}\n",
    f"    description: Dashes {RUN}\n",
    f"    description: Dashes\n      {RUN}\n",  # a plain value's next line
    f"    # {RUN}\n    description: Rep\n",
    f'    description: {{text: "{RUN}"}}\n',
], ids=["double-quoted", "single-quoted", "literal", "folded", "plain", "plain-continued", "comment", "flow"])
def test_dashes_written_as_text_lint_clean(tmp_path: Path, written: str) -> None:
    source = tmp_path / "deal.yaml"
    source.write_text(_with_description(written), encoding="utf-8")
    result = cli("lint", str(source))
    assert "BP104" not in result.out and "Traceback" not in result.err, result
    if "text:" not in written:
        assert result.code == 0, result


def test_dashes_in_a_string_keep_their_text() -> None:
    doc, diags = load_text(f'a: "{RUN}"\nb: [1, 2]\n', "x.yaml")
    assert doc is not None and not diags
    assert doc.data == {"a": RUN, "b": [1, 2]}


@pytest.mark.parametrize("text", [
    RUN + "x\n",
    "a:\n  " + RUN + "x\n",
    "a: b\nc:\n" + RUN + "x\n",
], ids=["top", "under-a-key", "after-text"])
def test_real_nesting_that_deep_is_still_refused(text: str) -> None:
    doc, diags = load_text(text, "deep.yaml")
    assert doc is None and [d.code for d in diags] == ["BP104"], diags
    assert "nesting deeper than" in diags[0].message


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(['"{}"', "'{}'", "|\n  {}", "# {}", "x {}"]),
       st.integers(min_value=MAX_PRESCAN_DEPTH, max_value=MAX_PRESCAN_DEPTH + 50),
       st.sampled_from(["- ", "-\t", "-  "]))
def test_any_dash_run_in_text_is_text(shape: str, count: int, dash: str) -> None:
    run = dash * count
    body = shape.format(run)
    text = ("k: " + body + "\n") if not body.startswith("#") else (body + "\nk: v\n")
    doc, diags = load_text(text, "x.yaml")
    assert not any(d.code == "BP104" for d in diags), diags
    assert doc is not None

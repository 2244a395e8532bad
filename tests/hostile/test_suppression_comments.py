"""Hostile input: suppression comments. Only a YAML comment suppresses: the
words `# blueprint: disable-file=BP301` inside a value — in every scalar style
YAML has, a description or an e-mail body — are text and hide nothing; a
comment that reads as a suppression but is written wrong is a BP002 finding,
never silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from workspace_helpers import cli

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"
BROKEN = SAMPLE.read_text(encoding="utf-8").replace("to: Negotiation", "to: Negotation", 1)
FINDING = "error BP301 [*] unknown state 'Negotation'"


def with_title(title: str) -> str:
    """The broken sample with `title:` holding `title` (a YAML value as written, maybe over lines)."""
    lines = BROKEN.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[at] = "title: " + title
    return "\n".join(lines)


DIRECTIVE = st.sampled_from(["# blueprint: disable-file=BP301", "# blueprint: disable=BP301",
                             "#blueprint:disable-file=BP301,BP302", "# blueprint: disable-file=BP301 -- reason"])
FILLER = st.sampled_from(["", "Deal ", "a\\", "x: y ", "- ", "'", '"', "#", " # ", "{", "[,]"])


@st.composite
def scalar_holding(draw: st.DrawFn) -> str:
    """A YAML scalar whose text holds a suppression directive, in one of YAML's styles."""
    words = draw(FILLER) + draw(DIRECTIVE)
    style = draw(st.sampled_from(["single", "double", "double-lines", "single-lines", "literal", "folded",
                                  "literal-keep", "folded-strip", "literal-indent"]))
    if style == "single":
        return "'" + words.replace("'", "''") + "'"
    if style == "double":
        return '"' + words.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if style == "double-lines":
        return '"Deal\n  ' + words.replace("\\", "\\\\").replace('"', '\\"') + '\n  end"'
    if style == "single-lines":
        return "'Deal\n\n  " + words.replace("'", "''") + "'"
    header = {"literal": "|", "folded": ">", "literal-keep": "|+", "folded-strip": ">-", "literal-indent": "|2"}[style]
    before = draw(st.sampled_from(["", "first line\n  ", "first\n\n  "]))
    return f"{header}\n  {before}{words.lstrip()}\n  last line"  # (a line more indented than the first: invalid)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=scalar_holding())
def test_a_directive_inside_a_value_of_any_style_suppresses_nothing(tmp_path: Path, value: str) -> None:
    (tmp_path / "b.yaml").write_text(with_title(value), encoding="utf-8")
    result = cli("lint", "--no-cache", "b.yaml", cwd=tmp_path)
    assert result.code == 1 and FINDING in result.out, (value, result)
    assert "BP100" not in result.out, (value, result)  # the value is valid YAML: the test is testing something


@pytest.mark.parametrize("comment", ["# blueprint: disable=BP301", "#blueprint:disable=BP301 -- renamed soon"])
def test_a_real_comment_still_suppresses_also_after_a_block_header_and_a_quoted_hash(tmp_path: Path,
                                                                                     comment: str) -> None:
    text = with_title("'Deal # blueprint: disable-file=BP204'").replace("to: Negotation", f"to: Negotation  {comment}")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    assert cli("lint", "--no-cache", "b.yaml", cwd=tmp_path).code == 0
    header = with_title("|  # blueprint: disable-file=BP301\n  Deal follow-up")  # the header's comment is a comment
    (tmp_path / "c.yaml").write_text(header, encoding="utf-8")
    assert cli("lint", "--no-cache", "c.yaml", cwd=tmp_path).code == 0


@pytest.mark.parametrize("comment, hint", [
    ("# blueprint disable=BP301", "write `# blueprint: disable=BP301`"),
    ("# blueprint: disable BP301", "write `# blueprint: disable=BP301`"),
    ("# blueprint: disable: BP301", "write `# blueprint: disable=BP301`"),
    ("# Blueprint: Disable-File BP301", "write `# blueprint: disable-file=BP301`"),
])
def test_a_misspelt_suppression_is_a_bp002_finding(tmp_path: Path, comment: str, hint: str) -> None:
    (tmp_path / "b.yaml").write_text(BROKEN.replace("to: Negotation", f"to: Negotation  {comment}"), encoding="utf-8")
    result = cli("lint", "--no-cache", "b.yaml", cwd=tmp_path)
    assert result.code == 1 and FINDING in result.out, result
    assert "warning BP002 misspelt suppression: it suppresses nothing" in result.out, result
    assert hint in result.out, result


def test_comments_that_only_mention_blueprint_are_not_suppressions(tmp_path: Path) -> None:
    text = "# blueprint: the deal process; disabled states are kept\n# this blueprint disables nothing\n" + BROKEN
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    result = cli("lint", "--no-cache", "b.yaml", cwd=tmp_path)
    assert "BP002" not in result.out, result

"""Hostile input, class 13: findings at the right place, no false ones. A
control character YAML refuses is reported at its own line and column in one
line; brackets inside quoted strings and comments are not nesting; a name of
only spaces is refused; the size limit counts bytes (test_special_files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from workspace_helpers import cli

SAMPLE = (Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml").read_text(encoding="utf-8")
TITLE = "title: Deal follow-up"
TITLE_LINE = SAMPLE.split("\n").index(TITLE) + 1


def lint(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    source = tmp_path / "b.yaml"
    source.write_text(text, encoding="utf-8")
    result = cli("lint", str(source))
    assert "Traceback" not in result.err
    return result.code, [line.replace(str(source), "b.yaml") for line in result.out.splitlines()]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([c for c in range(0x20) if c not in (9, 10, 13)] + [0x7F, 0x80, 0x9F]),
       st.integers(min_value=0, max_value=12))
def test_a_control_character_is_reported_where_it_is(tmp_path_factory: pytest.TempPathFactory, code: int,
                                                     offset: int) -> None:
    text = SAMPLE.replace(TITLE, TITLE[:7 + offset] + chr(code) + TITLE[7 + offset:], 1)
    status, lines = lint(tmp_path_factory.mktemp("c"), text)
    assert status == 1
    assert lines == [f"b.yaml:{TITLE_LINE}:{8 + offset}: error BP100 invalid YAML: the file holds U+{code:04X}, "
                     "a control character YAML does not allow",
                     '    hint: remove it (or write it as an escape in a double-quoted string, like "\\x07")'], lines


@pytest.mark.parametrize("title", [
    '"' + "[" * 1500 + '"',
    "'" + "{" * 1500 + "'",
    "Deal  # " + "[" * 1500,
    '"' + '\\"[' * 1500 + '"',
    "'it''s " + "[" * 1500 + "'",
])
def test_brackets_in_strings_and_comments_are_not_nesting(tmp_path: Path, title: str) -> None:
    status, lines = lint(tmp_path, SAMPLE.replace(TITLE, "title: " + title, 1))
    assert (status, lines) == (0, []), lines[:2]


@pytest.mark.parametrize("title", [
    "[" * 1500 + "]" * 1500,
    "[a '" + "[" * 1500,
    "a - '\nx: " + "[" * 3000 + "]" * 3000 + "\ny: '",  # a quote in a plain value: the count is fooled, the parse is not
])
def test_real_nesting_is_still_refused(tmp_path: Path, title: str) -> None:
    status, lines = lint(tmp_path, SAMPLE.replace(TITLE, "title: " + title, 1))
    assert status == 1 and "BP104 nesting deeper than 1000 levels" in lines[0], lines[:2]


@pytest.mark.parametrize("name", ["   ", "\\t", " \\t "])
def test_a_state_name_of_only_spaces_is_refused(tmp_path: Path, name: str) -> None:
    text = SAMPLE.replace("  - name: Negotiation\n", f'  - name: "{name}"\n  - name: Negotiation\n', 1)
    status, lines = lint(tmp_path, text)
    assert status == 1 and any("BP113" in line and "not a space" in line for line in lines), lines


@pytest.mark.parametrize("anchor", ["", " &m"])  # the fast path and the composer
def test_nel_and_line_separators_are_text_not_line_breaks(tmp_path: Path, anchor: str) -> None:
    name = "A\u2028B\u2029C\x85D"
    text = (f"blueprint: nel\nmodule:{anchor} Deals  # a \x85 comment\nfield: stage\nstates:\n"
            f'  - name: "{name}"\n  - name: Done\n    final: true\ntransitions:\n'
            f'  - {{name: Finish, from: "{name}", to: Done}}\n  - {{name: X, from: Nope, to: Done}}\n')
    status, lines = lint(tmp_path, text)
    assert status == 1 and lines[0] == "b.yaml:10:21: error BP301 unknown state 'Nope' in `from` of 'X'", lines
    assert "declared states: A\\u2028B\\u2029C\\x85D, Done" in lines[1]  # the name as written

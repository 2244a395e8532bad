"""Hostile input: `--fix` on a file where one fix exposes new errors (a
renamed key lets the checks under it run). The other safe fixes are applied
too, the exposing one as well (what it exposes was always there), and what
`--fix` reports as fixable is what running it again fixes: never "No fixes
to apply." beside "2 fixable". Fixes that break the file together are applied
one at a time, as far as each still applies."""

from __future__ import annotations

from pathlib import Path

from workspace_helpers import cli

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"
TEXT = SAMPLE.read_text(encoding="utf-8").replace("to: Negotiation", "to: Negotation", 1)
BRANCH = "      - when: {field: discount, lte: 20}\n"
EXPOSING = TEXT.replace(BRANCH, "      - whne: {all: [{field: discount, gt: Price}, {field: discount, lt: Cost}, "
                                "{field: reason, gt: 5}]}\n", 1)
TWO_TO_ONE = TEXT.replace(BRANCH, "      - whne: {field: discount, lte: 20}\n        wehn: {field: discount, lte: 20}\n", 1)


def test_a_fix_that_exposes_errors_does_not_stop_the_other_fixes(tmp_path: Path) -> None:
    assert BRANCH in TEXT
    (tmp_path / "b.yaml").write_text(EXPOSING, encoding="utf-8")
    fixed = cli("lint", "--no-cache", "--fix", "b.yaml", cwd=tmp_path)
    assert fixed.code == 1 and "Fixed 2 findings in 1 file." in fixed.err, fixed
    text = (tmp_path / "b.yaml").read_text(encoding="utf-8")
    assert "to: Negotiation\n" in text and "- when: {all: [" in text
    assert "BP307 'Price'" in fixed.out and "BP303 operator `gt`" in fixed.out, fixed  # exposed, reported
    again = cli("lint", "--no-cache", "--fix", "b.yaml", cwd=tmp_path)
    assert "No fixes to apply." in again.err and "fixable" not in again.err, again
    assert (tmp_path / "b.yaml").read_text(encoding="utf-8") == text


def test_fixes_that_break_the_file_together_are_applied_one_at_a_time(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(TWO_TO_ONE, encoding="utf-8")
    before = cli("lint", "--no-cache", "b.yaml", cwd=tmp_path)
    assert "3 fixable with `blueprint lint --fix`" in before.err, before
    fixed = cli("lint", "--no-cache", "--fix", "b.yaml", cwd=tmp_path)
    assert "Fixed 2 findings in 1 file." in fixed.err and "fixable" not in fixed.err, fixed
    assert fixed.out.splitlines() == ["b.yaml:118:9: error BP110 unknown key 'wehn' in transitions[3].branches[0] "
                                      "— did you mean 'when'?"], fixed
    again = cli("lint", "--no-cache", "--fix", "b.yaml", cwd=tmp_path)
    assert "No fixes to apply." in again.err and "fixable" not in again.err, again

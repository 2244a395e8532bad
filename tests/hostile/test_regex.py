"""Hostile input, class 7: regular expressions users write (`matches`,
`pattern`, `--where ... matches`). They run on RE2 (linear time): a pattern
that makes Python's re backtrack for ever answers at once, a count too large
is refused (lint BP308, `--where` usage error), never an OverflowError."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from blueprint_cli.language.regex import RegexError, check, compile_pattern, search
from workspace_helpers import cli, deal_workspace, run

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"
CATASTROPHIC = ["^(a+)+$", "^(a|a)*$", "^(a|aa)+$", "(x+x+)+y", "^(\\w+\\s?)*$"]
REFUSED = {
    "a{99999999999}": "repetition count 99999999999 is more than 1000",
    "a{1001}": "more than 1000",
    "a{2,5000}": "more than 1000",
    "(a)\\1": "invalid escape sequence",
    "(?=a)b": "invalid perl operator",
    "(?<!a)b": "invalid perl operator",
    "a++": "bad repetition operator",
    "*@x": "no argument for repetition operator",
    "((((a{100}){100}){100}){100})": "",
}


def with_pattern(tmp_path: Path, pattern: str) -> Path:
    source = tmp_path / "b.yaml"
    text = SAMPLE.read_text(encoding="utf-8")
    quoted = pattern.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("  name:        {type: text,", f'  name:        {{type: text, pattern: "{quoted}",', 1)
    assert quoted in text
    source.write_text(text, encoding="utf-8")
    return source


@pytest.mark.parametrize("pattern, why", REFUSED.items())
def test_lint_refuses_what_re2_cannot_run(tmp_path: Path, pattern: str, why: str) -> None:
    result = cli("lint", str(with_pattern(tmp_path, pattern)))
    assert result.code == 1 and "BP308" in result.out and why in result.out, result
    assert "Traceback" not in result.err and result.err.count("\n") <= 1, result  # RE2 logs nothing of its own


@pytest.mark.parametrize("pattern, why", REFUSED.items())
def test_where_refuses_what_re2_cannot_run(tmp_path: Path, pattern: str, why: str) -> None:
    deal_workspace(tmp_path)
    result = run(tmp_path, "record", "list", "--where", f"name matches {pattern!r}")
    assert result.code == 2 and "not a valid regular expression" in result.err and why in result.err, result


def test_catastrophic_patterns_answer_at_once_in_every_command(tmp_path: Path) -> None:
    """Each in a process of its own, with a 10 s bound (Python's re takes years on these)."""
    deal_workspace(tmp_path)
    value = "a" * 41 + "!"
    script = tmp_path / "run.py"
    script.write_text(
        "import sys\nfrom blueprint_cli.cli.main import run\nrun(sys.argv[1:])\n", encoding="utf-8")
    for pattern in CATASTROPHIC:
        source = with_pattern(tmp_path, pattern)
        steps = [
            ["publish", str(source)],
            ["record", "create", "Deals", "--set", f"name={value}", "--set", "amount=5"],
            ["record", "list", "--where", f"name matches '{pattern}'".replace("\\", "\\\\")],
        ]
        (tmp_path / "in.csv").write_text(f"module,name,amount\nDeals,{value},5\n", encoding="utf-8")
        steps.append(["record", "import", str(tmp_path / "in.csv")])
        for args in steps:
            done = subprocess.run([sys.executable, str(script), "--as", "alice", *args], cwd=tmp_path,
                                  capture_output=True, text=True, timeout=10)
            assert done.returncode in (0, 1, 2) and "Traceback" not in done.stderr, (pattern, args, done.stderr)
        assert "must match the pattern" in done.stderr, done.stderr  # the import row is refused, not hung


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("a()|*+?{}[]^$\\1,0.-wdsbBzZ=!<>P"), max_size=12), st.text("ab1 -", max_size=40))
def test_any_pattern_compiles_or_is_refused_with_a_reason(pattern: str, text: str) -> None:
    why = check(pattern)
    if why is None:
        compile_pattern(pattern)
        assert search(pattern, text) in (True, False)
    else:
        with pytest.raises(RegexError):
            compile_pattern(pattern)
        assert why and search(pattern, text) is False

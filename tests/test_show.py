"""`blueprint show FILE`: a readable summary (states, transitions, owners,
criteria as a tree, requirements), as text and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blueprint_cli.lint.run import discover

REPO_ROOT = Path(__file__).resolve().parent.parent
DEAL = REPO_ROOT / "sample_blueprints" / "deal-follow-up.yaml"
CASES = Path(__file__).resolve().parent / "lint_cases"


@pytest.fixture
def shown(cli, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", "120")
    result = cli("show", DEAL)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_show_names_every_state_transition_owner_and_requirement(shown: str) -> None:
    for text in ("Deal follow-up", "Qualification", "Negotiation", "Discount Approval", "Legal Review",
                 "Closed Won", "Closed Lost",
                 "Negotiate", "Request discount", "Send to legal", "Decide discount", "Sign-off", "Lose",
                 "role:sales_rep", "record_owner", "role:legal", "role:finance", "user:grace",
                 "Budget confirmed", "Decision maker identified", "a note", "an attachment",
                 "Payment terms within policy"):
        assert text in shown, text


def test_show_draws_nested_criteria_as_a_tree(shown: str) -> None:
    lines = shown.splitlines()
    i = next(n for n, line in enumerate(lines) if "ALL of" in line)
    head_indent = lines[i].index("ALL of")
    children = lines[i + 1:i + 3]
    assert "amount ≥ 1000" in children[0] and "name does not contain 'TEST'" in children[1]
    # the conditions hang under ALL, one level deeper, not in a flat list beside it
    assert all(line.index(line.lstrip("│ ├└─")) > head_indent for line in children)
    assert "ANY of" in shown


def test_show_marks_entry_final_conditional_parallel_and_common(shown: str) -> None:
    assert "Entry: records enter at 'Qualification'" in shown
    assert "[conditional]" in shown and "[parallel]" in shown and "[common]" in shown
    assert "else → Negotiation" in shown
    assert "part: Legal approval" in shown and "part: Finance approval" in shown


def test_show_lists_fields_by_name_with_their_label(shown: str) -> None:
    row = next(line for line in shown.splitlines() if "close_on" in line and "date" in line)
    assert "Expected close date" in row
    signed = next(line for line in shown.splitlines() if line.lstrip("│ ").startswith("signed"))
    assert "default: false" in signed  # YAML's spelling, not Python's


def test_show_json(cli) -> None:
    result = cli("--json", "show", DEAL)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["blueprint"], data["module"], data["field"]) == ("deal-follow-up", "Deals", "stage")
    assert data["entry"]["state"] == "Qualification"
    assert [s["name"] for s in data["states"] if s["final"]] == ["Closed Lost", "Closed Won"]
    negotiate = next(t for t in data["transitions"] if t["name"] == "Negotiate")
    assert negotiate["from"] == ["Qualification"] and negotiate["to"] == ["Negotiation"]
    assert negotiate["owners"] == ["role:sales_rep", "record_owner"]
    assert negotiate["when"][0] == "ALL of" and negotiate["when"][1].startswith("  ")
    decide = next(t for t in data["transitions"] if t["name"] == "Decide discount")
    assert decide["branches"] == [{"when": ["discount ≤ 20"], "to": "Legal Review"},
                                  {"when": None, "to": "Negotiation"}]
    lose = next(t for t in data["transitions"] if t["name"] == "Lose")
    assert set(lose["from"]) == {"Qualification", "Negotiation", "Discount Approval", "Legal Review"}
    assert {"name": "close_on", "label": "Expected close date", "type": "date"} in data["fields"]


@pytest.mark.parametrize("sample", discover([REPO_ROOT / "sample_blueprints"]), ids=lambda p: p.stem)
def test_show_works_on_every_sample(cli, sample: Path) -> None:
    assert cli("show", sample).exit_code == 0


def test_show_refuses_a_blueprint_with_errors(cli) -> None:
    result = cli("show", CASES / "bp301_unknown_state.yaml")
    assert result.exit_code == 1
    assert "bp301_unknown_state.yaml:13:9: error BP301" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", ["bp100_unclosed_bracket.yaml", "bp102_list_top_level.yaml",
                                  "bp104_alias_bomb.yaml", "bp111_states_as_text.yaml"])
def test_show_of_broken_input_is_a_finding_not_a_traceback(cli, name: str) -> None:
    result = cli("show", CASES / name)
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_show_usage_errors(cli, tmp_path: Path) -> None:
    assert cli("show", tmp_path / "nope.yaml").exit_code == 2
    assert cli("show", tmp_path).exit_code == 2
    assert cli("show").exit_code == 2


# ----- output to a file or a pipe is not wrapped ---------------------------------------------------

LONG_SUBJECT = "Please review the renewal terms of " + "this very large account " * 6 + "today"


@pytest.mark.parametrize("args", [["show"], ["graph", "--format", "tree"]])
def test_output_to_a_pipe_keeps_long_lines_whole(tmp_path: Path, args: list[str]) -> None:
    """`blueprint show … | grep`, `> out.txt`: no terminal to measure, so no
    wrapping at rich's 80 columns — a long subject stays on one line."""
    import os
    import subprocess
    import sys

    text = DEAL.read_text().replace("Send proposal for", LONG_SUBJECT)
    assert LONG_SUBJECT in text
    path = tmp_path / "deal.yaml"
    path.write_text(text)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(PYTHONPATH=str(REPO_ROOT), NO_COLOR="1")
    done = subprocess.run([sys.executable, "-m", "blueprint_cli", *args, str(path)], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert any(LONG_SUBJECT in line for line in done.stdout.splitlines()), done.stdout
    # a terminal's own width (COLUMNS) is still obeyed
    env["COLUMNS"] = "80"
    done = subprocess.run([sys.executable, "-m", "blueprint_cli", *args, str(path)], capture_output=True,
                          text=True, env=env, timeout=60)
    assert max(len(line) for line in done.stdout.splitlines()) <= 80

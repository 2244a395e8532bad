"""`blueprint board` through the real CLI on the known histories of
tests/test_report.py, on every store."""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprint_cli.workspace import changes
from test_report import NOW, sales
from workspace_helpers import run

pytestmark = pytest.mark.usefixtures("store_kind")


def test_columns_in_flow_order_with_counts_and_cards(tmp_path: Path) -> None:
    sales(tmp_path)
    result = run(tmp_path, "board", "--now", NOW, "--json")
    assert result.code == 0, result
    data = result.json()
    assert data["order"] == "newest"
    columns = {c["state"]: c for c in data["columns"]}
    assert [(s, c["count"], [card["id"] for card in c["cards"]]) for s, c in columns.items()] == [
        ("Lead", 1, ["4"]), ("Call", 1, ["3"]), ("Offer", 0, []), ("Lost", 1, ["2"]), ("Won", 1, ["1"])]
    assert columns["Lead"]["cards"][0] == {"id": "4", "name": "Umbrella", "owner": "bob",
                                           "since": "2026-05-11T09:00:00+00:00", "age_seconds": 48 * 3600.0,
                                           "sla": "breached", "sla_level": 0}
    assert columns["Call"]["cards"][0]["sla"] == "none"


def test_where_reads_every_record_and_shows_the_longest_in_state_first(tmp_path: Path) -> None:
    ws = sales(tmp_path)
    changes.create(ws, "Leads", {"name": "Later"}, user="alice", owner="alice")  # in Lead for a shorter time
    data = run(tmp_path, "board", "--now", "2030-01-01T00:00:00+00:00", "--json", "--where", "owner = alice").json()
    columns = {c["state"]: c for c in data["columns"]}
    assert data["order"] == "longest in state"
    assert [card["id"] for card in columns["Lead"]["cards"]] == ["5"]
    assert [(c["count"]) for c in data["columns"]] == [1, 1, 0, 0, 1]
    data = run(tmp_path, "board", "--now", "2030-01-01T00:00:00+00:00", "--json", "--where", "region = North").json()
    assert [card["id"] for card in data["columns"][0]["cards"]] == ["4"]


def test_the_board_fits_the_terminal_and_marks_sla_breaches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sales(tmp_path)
    for width in (60, 100):
        monkeypatch.setenv("COLUMNS", str(width))
        result = run(tmp_path, "board", "--now", NOW)
        assert result.code == 0, result
        lines = result.out.splitlines()
        assert max(len(line) for line in lines) <= width
        assert "⚠ SLA" in result.out
        assert "1 record" in lines[2]
    assert "Umbrella" in result.out and "bob · 2d" in result.out


def test_a_piped_board_is_as_wide_as_its_cards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sales(tmp_path)
    monkeypatch.delenv("COLUMNS", raising=False)
    result = run(tmp_path, "board", "--now", NOW)  # not a terminal, no COLUMNS: nothing to fit
    assert result.code == 0, result
    lines = result.out.splitlines()
    # every column as wide as its longest card or header, not stretched to fill "infinity"
    assert 30 < max(len(line.rstrip()) for line in lines) < 120, lines
    assert "Umbrella" in result.out and "bob · 2d" in result.out


def test_cards_per_column_and_what_is_not_shown(tmp_path: Path) -> None:
    ws = sales(tmp_path)
    for name in ("A", "B", "C"):
        changes.create(ws, "Leads", {"name": name}, user="alice", owner="alice")
    data = run(tmp_path, "board", "--json", "--cards", "2").json()
    assert data["columns"][0]["count"] == 4
    assert [c["name"] for c in data["columns"][0]["cards"]] == ["C", "B"]  # newest first
    result = run(tmp_path, "board", "--cards", "2")
    assert "not shown — Lead: 2 more" in result.out


def test_the_first_page_of_a_state_is_the_full_lists_first_page(tmp_path: Path) -> None:
    ws = sales(tmp_path)
    for name in ("A", "B", "C", "D"):
        changes.create(ws, "Leads", {"name": name}, user="alice", owner="alice")
    full = [r["id"] for r in run(tmp_path, "--json", "record", "list", "--state", "Lead").json()]
    assert full == ["4", "5", "6", "7", "8"]
    for args, expected in ((["--limit", "2"], full[:2]), (["--limit", "2", "--sort", "-id"], full[::-1][:2]),
                           (["--limit", "9", "--sort", "id"], full)):
        result = run(tmp_path, "--json", "record", "list", "--state", "Lead", *args)
        assert [r["id"] for r in result.json()] == expected, args
    result = run(tmp_path, "record", "list", "--state", "Lead", "--limit", "2", "--sort", "-id")
    assert "… and 3 more records (5 in all)" in result.err
    assert run(tmp_path, "record", "list", "--state", "Laed", "--limit", "2").code == 2

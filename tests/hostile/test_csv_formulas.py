"""Hostile input, class 4: spreadsheet formula injection through `record
export --format csv`. A cell starting with = + - @ tab or CR gets a leading '
(OWASP), plain numbers stay numbers, `record import` reads an exported file
back to the same values, and --formulas writes cells as they are."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from blueprint_cli.workspace.dataio import FORMULA_START, neutralise, unneutralise
from workspace_helpers import deal_workspace, run

ATTACKS = ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
           "'=already quoted", "''@twice"]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    deal_workspace(tmp_path)
    for i, name in enumerate(ATTACKS):
        assert run(tmp_path, "record", "create", "Deals", "--set", f"name=Acme {i}", "--set", "amount=5000",
                   "--set", f"competitor={name}").code == 0
    return tmp_path


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_no_exported_cell_starts_a_formula(folder: Path) -> None:
    result = run(folder, "record", "export", "--format", "csv")
    assert result.code == 0, result
    rows = cells(result.out)
    column = rows[0].index("competitor")
    got = [r[column] for r in rows[1:]]
    assert got == ["'" + a for a in ATTACKS]
    assert all(c[:1] not in FORMULA_START for r in rows for c in r)


def test_export_then_import_gives_the_same_values(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = folder / "out.csv"
    assert run(folder, "record", "export", "-o", str(out)).code == 0
    other = tmp_path_factory.mktemp("other")
    deal_workspace(other)
    imported = run(other, "record", "import", str(out))
    assert imported.code == 0, imported
    listed = run(other, "--json", "record", "list")
    assert [r["fields"]["competitor"] for r in json.loads(listed.out)] == ATTACKS


def test_formulas_option_writes_cells_as_they_are(folder: Path) -> None:
    rows = cells(run(folder, "record", "export", "--format", "csv", "--formulas").out)
    column = rows[0].index("competitor")
    assert [r[column] for r in rows[1:]] == ATTACKS


def test_plain_numbers_are_not_touched(folder: Path) -> None:
    assert neutralise("-5") == "-5" and neutralise("+1.5e3") == "+1.5e3" and neutralise("-5x") == "'-5x"


@settings(max_examples=500)
@given(st.text(st.sampled_from("=+-@\t\r'a1. eE"), max_size=8))
def test_neutralise_is_safe_and_reversible(cell: str) -> None:
    out = neutralise(cell)
    assert out[:1] not in FORMULA_START or out == cell and cell.strip("+-0123456789.eE") == ""
    assert unneutralise(out) == cell

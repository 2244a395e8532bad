"""Hostile input, class 8: nesting. `--where` takes at most 100 levels of
parentheses and `not` (a clear usage error beyond, never a RecursionError);
criteria in a blueprint nest as deep as the loader allows and still lint,
draw, publish and evaluate; deep JSON in an import or a record file is
reported with its path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from blueprint_cli.language.where import MAX_DEPTH, WhereError, parse
from workspace_helpers import cli, deal_workspace, run

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nesting")
    deal_workspace(path)
    assert run(path, "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000").code == 0
    return path


@pytest.mark.parametrize("expression", [
    "(" * 101 + "amount > 1" + ")" * 101,
    "(" * 340 + "amount > 1" + ")" * 340,
    "not " * 5000 + "amount > 1",
    "(not " * 60 + "amount > 1" + ")" * 60,
    "(" * 5000,
])
def test_where_nested_too_deep_is_a_usage_error(folder: Path, expression: str) -> None:
    result = run(folder, "record", "list", "--where", expression)
    assert result.code == 2 and "Traceback" not in result.err, result
    assert f"nested more than {MAX_DEPTH} levels deep" in result.err, result
    assert len(result.err) < 12000, len(result.err)


def test_where_at_the_limit_works(folder: Path) -> None:
    expression = "(" * 50 + "not " * 50 + "amount > 1" + ")" * 50
    assert run(folder, "record", "list", "--where", expression).code == 0
    assert run(folder, "record", "list", "--where", " or ".join(["amount > 1"] * 5000)).code == 0


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["(", ")", "not ", "amount > 1", " and ", " or "]), max_size=300))
def test_any_where_nesting_parses_or_is_refused(parts: list[str]) -> None:
    try:
        parse("".join(parts))
    except WhereError:
        pass


@pytest.mark.parametrize("depth", [95, 190])
def test_deep_criteria_in_a_blueprint_lint_draw_publish_and_evaluate(tmp_path: Path, depth: int) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    deal_workspace(ws)
    criterion = "{field: amount, gt: 1}"
    for _ in range(depth):
        criterion = "{not: " + criterion + "}"
    text = SAMPLE.read_text(encoding="utf-8").replace("  when: {field: amount, gt: 0}", "  when: " + criterion, 1)
    source = ws / "deep.yaml"
    source.write_text(text.replace("blueprint: deal-follow-up", "blueprint: deep"), encoding="utf-8")
    for args in (("lint",), ("show",), ("graph", "-f", "mermaid")):
        assert cli(*args, str(source)).code == 0, args
    assert run(ws, "publish", str(source)).code == 0
    created = run(ws, "record", "create", "Deals", "--blueprint", "deep", "--set", "name=Acme", "--set", "amount=5")
    # an odd number of `not`s keeps the record out (exit 1, refused), an even number lets it in
    assert created.code == (1 if depth % 2 else 0) and "Traceback" not in created.err, created


def test_nesting_past_the_loader_limit_is_a_finding(tmp_path: Path) -> None:
    criterion = "{field: amount, gt: 1}"
    for _ in range(2000):
        criterion = "{not: " + criterion + "}"
    source = tmp_path / "deep.yaml"
    source.write_text(SAMPLE.read_text(encoding="utf-8").replace("  when: {field: amount, gt: 0}",
                                                                  "  when: " + criterion, 1), encoding="utf-8")
    result = cli("lint", str(source))
    assert result.code == 1 and "BP104" in result.out and "nesting deeper than" in result.out, result


def test_deep_json_in_an_import_is_a_usage_error(folder: Path) -> None:
    (folder / "deep.json").write_text("[" * 200000 + "]" * 200000, encoding="utf-8")
    result = run(folder, "record", "import", "deep.json")
    assert result.code == 2 and "nested too deeply" in result.err, result


def test_deep_json_in_a_record_file_names_the_file(folder: Path) -> None:
    files = sorted((folder / ".blueprint" / "records").rglob("*.json"))
    assert files
    saved = files[0].read_bytes()
    try:
        files[0].write_text("[" * 200000 + "]" * 200000, encoding="utf-8")
        result = run(folder, "record", "list")
        assert result.code == 1 and str(files[0].relative_to(folder)) in result.err, result
        assert "Traceback" not in result.err
    finally:
        files[0].write_bytes(saved)
    json.loads(saved)

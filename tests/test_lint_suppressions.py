"""Inline suppressions (`# blueprint: disable=...`) and the BP002 finding for
stale or misspelt ones. tests/lint_cases/bp002_unused_suppression.yaml holds
the basic case; these are the rest."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
UNREACHABLE = (HERE / "lint_cases" / "bp203_unreachable_state.yaml").read_text()  # BP203 at 9:11 ('Archived')


def codes(stdout: str) -> list[str]:
    return [line.split()[2] for line in stdout.splitlines() if not line.startswith(" ")]


def lint(cli, tmp_path: Path, text: str, *args: str) -> tuple[int, str]:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    result = cli("lint", "--strict", *args, path)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout


def test_same_line_and_line_above(cli, tmp_path: Path) -> None:
    same = UNREACHABLE.replace("  - name: Archived\n", "  - name: Archived  # blueprint: disable=BP203\n")
    assert lint(cli, tmp_path, same) == (0, "")
    above = UNREACHABLE.replace("  - name: Archived\n", "  # blueprint: disable=BP203 -- kept for imports\n"
                                                        "  - name: Archived\n")
    assert lint(cli, tmp_path, above) == (0, "")
    # two lines above is not "the line above"
    far = UNREACHABLE.replace("  - name: Archived\n", "  # blueprint: disable=BP203\n  # (old records)\n"
                                                      "  - name: Archived\n")
    code, out = lint(cli, tmp_path, far)
    assert code == 1 and codes(out) == ["BP002", "BP203"]
    assert "unused suppression: no BP203 finding on line 10" in out


def test_disable_file_and_several_codes(cli, tmp_path: Path) -> None:
    text = "# blueprint: disable-file=BP301, BP203\n" + UNREACHABLE
    code, out = lint(cli, tmp_path, text)
    assert code == 1 and codes(out) == ["BP002"]
    assert "1:27: warning BP002 unused suppression: no BP301 finding in this file" in out


def test_a_code_that_was_not_checked_is_not_reported_unused(cli, tmp_path: Path) -> None:
    text = UNREACHABLE.replace("  - name: Open\n", "  - name: Open  # blueprint: disable=BP301\n")
    assert lint(cli, tmp_path, text, "--ignore", "BP301") == (1, lint(cli, tmp_path, UNREACHABLE)[1])
    # nor when BP002 itself is ignored
    assert lint(cli, tmp_path, text, "--ignore", "BP002")[1] == lint(cli, tmp_path, UNREACHABLE)[1]


def test_suppressions_in_quoted_text_are_not_comments(cli, tmp_path: Path) -> None:
    text = UNREACHABLE.replace("module: Deals\n", "module: Deals\ntitle: \"Use#blueprint: disable=BP203\"\n")
    code, out = lint(cli, tmp_path, text)
    assert codes(out) == ["BP203"]


def test_explain_says_how_to_suppress(cli) -> None:
    out = cli("lint", "--explain", "BP203").stdout
    assert "# blueprint: disable=BP203" in out and "# blueprint: disable-file=BP203" in out
    assert "disable=" not in cli("lint", "--explain", "BP001").stdout


def test_misspelt_ones_are_found_in_any_case_and_spacing_and_a_schema_comment_is_none(cli, tmp_path: Path) -> None:
    schema = "# yaml-language-server: $schema=../schemas/blueprint.schema.json\n"
    assert codes(lint(cli, tmp_path, schema + UNREACHABLE)[1]) == ["BP203"]
    for attempt in ("#BLUEPRINT disable=BP203", "#\u00a0Blueprint: Disable BP203", "#\tblueprint disable-file=BP203"):
        text = schema + UNREACHABLE.replace("  - name: Archived\n", f"  - name: Archived  {attempt}\n")
        code, out = lint(cli, tmp_path, text)
        assert code == 1 and codes(out) == ["BP203", "BP002"], attempt
        assert "10:21: warning BP002 misspelt suppression: it suppresses nothing" in out, attempt

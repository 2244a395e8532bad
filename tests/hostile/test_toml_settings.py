"""Hostile input: lint settings in TOML. Whatever a `pyproject.toml`,
`blueprint.toml` or `.blueprint.toml` holds — `tool` that is not a table,
`[tool.blueprint` inside a string, an error at the end of the file — linting
the files below it never fails with a traceback: the file counts as settings
or it does not, and every problem is a BP001 finding at its real line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from workspace_helpers import cli

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"

#: TOML values for `tool` and for what is under it.
VALUES = ["5", "'x'", "true", "[]", "[1, 2]", "{}", "{blueprint = 5}", "{blueprint = {lint = 5}}",
          "{blueprint = {lint = {ignore = 5}}}", "{blueprint = {lint = {select = ['BP9']}}}", "1979-05-27",
          "{blueprint = []}", "{blueprint = {lint = {severity = {BP203 = 'loud'}}}}"]
#: Whole documents, or pieces of one, that have hurt.
PIECES = ["[[tool]]\nx = 1", "[[tool.blueprint]]\nlint = 1", "[[tool.blueprint.lint]]\nignore = ['BP203']",
          'x = """\n[tool.blueprint.lint]\nignore = ["BP3"]\n"""', "x = '''\n[tool.blueprint\n'''",
          "[tool.blueprint]\nlint = 'all'", "[tool.blueprint.lint]\nper-file-ignores = 5",
          "[tool.blueprint.lint]\nexclude = [1]", "[tool]\nblueprint.lint.ignore = ['BP203']", "[tool.other]\ny = 1"]


@st.composite
def pyproject(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(VALUES).map(lambda v: f"tool = {v}"), st.sampled_from(PIECES)),
                          min_size=1, max_size=3))
    return "\n".join(parts) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=pyproject(), name=st.sampled_from(["pyproject.toml", "blueprint.toml"]))
def test_any_settings_file_above_a_blueprint_lints_it_or_reports_a_finding(tmp_path: Path, text: str,
                                                                            name: str) -> None:
    below = tmp_path / "project" / "blueprints"
    below.mkdir(parents=True, exist_ok=True)
    for old in (tmp_path / "project").glob("*.toml"):
        old.unlink()
    (below / "deal.yaml").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "project" / name).write_text(text, encoding="utf-8")
    result = cli("lint", "--no-cache", "project/blueprints", cwd=tmp_path)
    assert result.code in (0, 1) and "Traceback" not in result.err, (text, result)
    for line in result.out.splitlines():
        if " BP001 " in line:
            assert line.startswith(f"project/{name}:"), (text, line)
            row, col = (int(n) for n in line.split(":")[1:3])
            assert 1 <= row <= text.count("\n") + 1 and 1 <= col <= len(text.split("\n")[row - 1]) + 1, (text, line)
    explicit = cli("lint", "--no-cache", "--config", f"project/{name}", "project/blueprints", cwd=tmp_path)
    assert explicit.code in (0, 1) and "Traceback" not in explicit.err, (text, explicit)


@pytest.mark.parametrize("text", ["tool = 5\n", "[[tool]]\nx = 1\n", "[[tool]]\n[tool.blueprint.lint]\n"])
def test_tool_that_is_not_a_table_is_a_finding_when_the_file_is_named(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    (tmp_path / "deal.yaml").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = cli("lint", "--no-cache", "--config", "pyproject.toml", "deal.yaml", cwd=tmp_path)
    assert result.code == 1 and "Traceback" not in result.err, result
    assert "pyproject.toml:1:1: error BP001 " in result.out, result


def test_a_pyproject_naming_tool_blueprint_only_inside_a_string_is_not_settings(tmp_path: Path) -> None:
    """Found by the text `[tool.blueprint` at the start of a line of a string: it
    is not settings, so the search goes on upward to the real ones."""
    (tmp_path / "blueprint.toml").write_text('[lint]\nignore = ["BP3"]\n', encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('tool = 5\nx = """\n[tool.blueprint.lint]\n"""\n', encoding="utf-8")
    (project / "broken.yaml").write_text(
        SAMPLE.read_text(encoding="utf-8").replace("to: Negotiation", "to: Negotation", 1), encoding="utf-8")
    result = cli("lint", "--no-cache", "project", cwd=tmp_path)
    assert result.code == 0 and "Traceback" not in result.err, result  # BP301 ignored by the real settings


@pytest.mark.parametrize("text, position", [("[lint]\nignore = [", "2:11"), ("[lint]\nignore = ", "2:10"),
                                            ("[lint]\nselect = ['BP3'", "2:16"), ("[lint", "1:6")])
def test_a_toml_error_at_the_end_of_the_file_is_reported_where_it_is(tmp_path: Path, text: str,
                                                                     position: str) -> None:
    (tmp_path / "blueprint.toml").write_text(text, encoding="utf-8")  # no line feed at the end
    (tmp_path / "deal.yaml").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = cli("lint", "--no-cache", "deal.yaml", cwd=tmp_path)
    assert result.code == 1 and f"blueprint.toml:{position}: error BP001 invalid TOML" in result.out, result


#: deeper than tomllib can recurse (it raised RecursionError, a traceback)
DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize("name, table", [("blueprint.toml", "[lint]"), ("pyproject.toml", "[tool.blueprint.lint]")])
def test_values_nested_too_deep_for_the_toml_reader_are_a_finding_where_they_start(tmp_path: Path, name: str,
                                                                                  table: str) -> None:
    (tmp_path / name).write_text(f'{table}\nselect = ["BP3"]\nexclude = {DEEP}\n', encoding="utf-8")
    (tmp_path / "deal.yaml").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    for args in (("deal.yaml",), ("--config", name, "deal.yaml")):
        result = cli("lint", "--no-cache", *args, cwd=tmp_path)
        assert result.code == 1 and "Traceback" not in result.err, result
        assert f"{name}:3:11: error BP001 invalid TOML: arrays or inline tables nested too deeply" in result.out, result


@pytest.mark.parametrize("name, table", [("blueprint.toml", "[lint]"), ("pyproject.toml", "[tool.blueprint.lint]")])
def test_a_settings_file_with_a_byte_order_mark_is_read(tmp_path: Path, name: str, table: str) -> None:
    (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + f'{table}\nignore = ["BP301"]\n'.encode())
    (tmp_path / "b.yaml").write_text(
        SAMPLE.read_text(encoding="utf-8").replace("to: Negotiation", "to: Negotation", 1), encoding="utf-8")
    result = cli("lint", "--no-cache", "b.yaml", cwd=tmp_path)
    assert result.code == 0 and "BP001" not in result.out, result


def test_settings_above_the_repository_root_do_not_apply_to_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.blueprint.lint]\nignore = ["BP3"]\n', encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "blueprints").mkdir()
    (repo / "blueprints" / "b.yaml").write_text(
        SAMPLE.read_text(encoding="utf-8").replace("to: Negotiation", "to: Negotation", 1), encoding="utf-8")
    result = cli("lint", "--no-cache", "blueprints", cwd=repo)
    assert result.code == 1 and "BP301" in result.out, result
    (repo / ".git").rmdir()  # not a repository: the settings above apply, as documented
    assert cli("lint", "--no-cache", "blueprints", cwd=repo).code == 0

"""Hostile input, class 3: rich markup and control characters in user data.
Record values, names in blueprints and file names are shown as data: markup
is not interpreted, control characters are written as visible escapes, and a
CR/LF cannot forge a row (one function, blueprint_cli.shown, used by every
human-readable writer)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from blueprint_cli.shown import visible
from workspace_helpers import cli, deal_workspace, run

#: what may reach a terminal from our own output: printable text and line feeds
RAW = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
HOSTILE = st.lists(st.sampled_from(list("ab [/]=#:") + ["[/]", "[link=http://x]", "[bold]", "\x1b[2J", "\x1b]0;t\x07",
                                                        "\r", "\n", "\r\n", "\t", "\x00", "\x85", "\u2028", "\u202e",
                                                        "\x9b", "\x7f"]), min_size=1, max_size=12).map("".join).filter(
    lambda s: s.strip() != "")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("terminal")
    deal_workspace(path)
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=HOSTILE)
def test_a_hostile_record_value_is_shown_as_data_everywhere(folder: Path, name: str) -> None:
    created = run(folder, "record", "create", "Deals", "--set", f"name=Acme {name}", "--set", "amount=5000")
    assert created.code == 0, created
    rid = re.search(r"Deals (\d+)", created.out).group(1)  # type: ignore[union-attr]
    assert not RAW.search(created.out + created.err), created
    for args in (("record", "show", rid), ("history", rid), ("next", rid), ("record", "list"),
                 ("record", "set", rid, f"name=Acme {name}x"), ("record", "tag", rid, "vip")):
        result = run(folder, *args)
        assert result.code == 0, (args, result)
        assert not RAW.search(result.out + result.err), (args, result)
    listing = run(folder, "record", "list", "--where", f"id = {rid}")
    lines = listing.out.splitlines()
    assert len(lines) == 2 and lines[1].split()[0] == rid, listing  # no forged row
    assert visible(f"Acme {name}x") in listing.out


def test_markup_in_a_value_is_not_interpreted(folder: Path) -> None:
    created = run(folder, "record", "create", "Deals", "--set", "name=[/] [link=http://evil]click[/link]",
                  "--set", "amount=5000")
    rid = re.search(r"Deals (\d+)", created.out).group(1)  # type: ignore[union-attr]
    shown = run(folder, "record", "show", rid)
    assert shown.code == 0 and "[/] [link=http://evil]click[/link]" in shown.out, shown


BLUEPRINT = """\
blueprint: evil
title: "[/] [link=http://evil]t[/link] \\e]0;pwned\\a"
description: "two\\nlines \\e[2J"
module: Deals
field: stage
states:
  - name: "[bold red]A[/]\\e[2J"
    description: "\\e]8;;http://evil\\e\\\\x"
  - name: "B\\u2028\\u202eC"
    final: true
transitions:
  - name: "[/]go\\rforged"
    from: "[bold red]A[/]\\e[2J"
    to: "B\\u2028\\u202eC"
    message: "[link=http://x]m[/link]\\a"
"""


@pytest.mark.parametrize("args", [("show",), ("graph", "-f", "tree"), ("lint",)])
def test_names_in_a_blueprint_are_shown_as_data(tmp_path: Path, args: tuple[str, ...]) -> None:
    source = tmp_path / "evil.yaml"
    broken = args == ("lint",)  # findings that quote the names
    source.write_text(BLUEPRINT + ('  - {name: "x\\r\\nforged.yaml:1:1: error", from: "\\e[2J", to: "\\u2028"}\n'
                                   if broken else ""), encoding="utf-8")
    result = cli(*args, str(source))
    assert result.code == (1 if broken else 0), result
    assert not RAW.search(result.out + result.err), result
    if broken:
        assert all(line.startswith(str(source)) or line.startswith("    hint") for line in result.out.splitlines())
    else:
        assert "[bold red]A[/]\\x1b[2J" in result.out, result


def test_a_finding_stays_one_line_whatever_the_file_name(tmp_path: Path) -> None:
    source = tmp_path / "a\nb\x1b[2J.yaml"
    source.write_text("blueprint: [\n", encoding="utf-8")
    result = cli("lint", str(source))
    assert result.code == 1
    finding = [line for line in result.out.splitlines() if "BP100" in line]
    assert len(finding) == 1 and finding[0].startswith(str(tmp_path) + "/a\\nb\\x1b[2J.yaml:"), result.out


def test_an_error_message_shows_a_value_as_data(folder: Path) -> None:
    result = run(folder, "record", "show", "9\x1b]0;t\x07")
    assert result.code == 2 and not RAW.search(result.err), result

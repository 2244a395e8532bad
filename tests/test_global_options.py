"""The global options `--json`, `--as`, `--workspace` and `--no-color` work
after the command too, every command's help lists them, and under `--json` a
usage error is a JSON object on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workspace_helpers import cli


@pytest.fixture()
def deal(tmp_path: Path) -> Path:
    assert cli("init", str(tmp_path)).code == 0
    assert cli("--as", "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
               cwd=tmp_path).code == 0
    return tmp_path


def test_json_after_the_command(deal: Path) -> None:
    before = cli("--json", "record", "show", "1", cwd=deal)
    after = cli("record", "show", "1", "--json", cwd=deal)
    assert after.code == 0, after
    assert after.json() == before.json()
    history = cli("history", "1", "--json", cwd=deal).json()
    assert isinstance(history, list) and history[0]["user"] == "alice"


def test_as_after_the_command(deal: Path) -> None:
    r = cli("next", "1", "--as", "bob", cwd=deal)
    assert r.code == 0, r
    assert "what bob can do now" in r.out or "Nothing bob can do now." in r.out
    created = cli("record", "create", "Deals", "--set", "name=Bolt", "--set", "amount=2000", "--as", "alice", "--json",
                  cwd=deal).json()
    assert isinstance(created, dict) and created["owner"] == "alice"


def test_workspace_after_the_command(deal: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    r = cli("record", "list", "--workspace", str(deal), "--json", cwd=elsewhere)
    assert r.code == 0, r
    listed = r.json()
    assert isinstance(listed, list) and [x["id"] for x in listed] == ["1"]
    r = cli("record", "list", "-w", str(deal), cwd=elsewhere)
    assert r.code == 0 and "Acme" in r.out


def _commands() -> list[list[str]]:
    from typer.core import TyperGroup

    from blueprint_cli.cli.main import command

    found: list[list[str]] = []

    def walk(group: TyperGroup, path: list[str]) -> None:
        for name, sub in group.commands.items():
            found.append([*path, name])
            if isinstance(sub, TyperGroup):
                walk(sub, [*path, name])

    walk(command(), [])
    return found


def test_every_command_help_lists_the_global_options() -> None:
    commands = _commands()
    assert ["record", "show"] in commands and ["move"] in commands and len(commands) > 20
    for path in commands:
        r = cli(*path, "--help")
        assert r.code == 0, (path, r)
        for option in ("--json", "--as", "--workspace", "--no-color"):
            assert option in r.out, (path, option)


@pytest.mark.parametrize("args", [
    ["--json", "record", "show", "1", "--bogus"],
    ["record", "show", "1", "--bogus", "--json"],
    ["--json", "record", "show"],
])
def test_usage_errors_under_json_are_a_json_object_on_stderr(deal: Path, args: list[str]) -> None:
    r = cli(*args, cwd=deal)
    assert r.code == 2
    assert r.out == ""
    error = json.loads(r.err)
    assert error["exit_code"] == 2 and isinstance(error["error"], str) and error["error"]
    assert "--bogus" in error["error"] or "ID" in error["error"]


def test_command_errors_under_json_are_a_json_object_on_stderr(deal: Path) -> None:
    r = cli("record", "show", "99", "--json", cwd=deal)
    assert r.code == 2
    assert json.loads(r.err) == {"error": "no record 99", "hint": "see `blueprint record list`", "exit_code": 2}


def test_without_json_usage_errors_stay_text(deal: Path) -> None:
    r = cli("record", "show", "1", "--bogus", cwd=deal)
    assert r.code == 2 and "No such option: --bogus" in r.err and not r.err.lstrip().startswith("{")


def test_help_shows_bracketed_words_of_the_command_text() -> None:
    """Help is rendered as rich markup, where `[word]` is a style tag and
    vanishes; a command's text that names `[tool.blueprint.lint]` must show it."""
    import re

    from blueprint_cli.cli.main import command

    for path in _commands():
        sub = command()
        for name in path:
            sub = sub.commands[name]  # type: ignore[attr-defined]
        written = re.findall(r"\\?\[[a-z][a-z.]*\]", sub.help or "")
        out = " ".join(cli(*path, "--help").out.split())
        for word in written:
            assert word.lstrip("\\") in out, (path, word)
    assert "[tool.blueprint.lint] in pyproject.toml, or [lint] in" in " ".join(cli("lint", "--help").out.split())


@pytest.mark.parametrize("argv, named", [
    (["lint", "f.yaml"], "lint"),
    (["--json", "-w", "ws", "--as", "bob", "record", "show", "1"], "record"),
    (["--workspace=ws", "--as=bob", "--no-color", "move", "1"], "move"),
    (["--help"], None), (["-h", "lint"], None), (["--version"], None),
    (["lnt"], None), (["--bogus", "lint"], None), ([], None), (["-w"], None),
])
def test_the_command_a_line_runs_is_found_before_parsing(argv: list[str], named: str | None) -> None:
    from blueprint_cli.cli.main import named_command

    assert named_command(argv) == named


def test_a_command_built_alone_behaves_as_in_the_whole_tree(tmp_path: Path) -> None:
    """Only the command a line names is built; its help, its errors and the
    application's own options are the same as with every command built."""
    from blueprint_cli.cli.main import command

    command("bulk")  # a command from the last modules, built before the others
    alone = command("lint")
    assert list(alone.commands) == ["lint"]
    whole = command()
    assert set(whole.commands) > {"lint", "record", "move"}
    # the help lists them in one order, whichever was built first (this process
    # has built others before; a new one builds the whole tree at once)
    import subprocess
    import sys

    fresh = subprocess.run([sys.executable, "-c", "from blueprint_cli.cli.main import command; "
                            "print(' '.join(command().commands))"], capture_output=True, text=True, check=True)
    assert list(whole.commands) == fresh.stdout.split()
    assert list(whole.commands)[:3] == ["lint", "schema", "show"]
    assert [p.name for p in alone.commands["lint"].params] == [p.name for p in whole.commands["lint"].params]
    assert [p.name for p in alone.params] == [p.name for p in whole.params]
    typo = cli("lnt")
    assert typo.code == 2 and "Did you mean 'lint'?" in typo.err
    assert "lint" in cli("--help").out and "record" in cli("--help").out


def test_each_command_comes_from_the_module_the_map_names() -> None:
    """`blueprint lint FILE` imports only lint's module: the map from command to
    module must say where each command really is, and name every command."""
    from typer.core import TyperGroup

    from blueprint_cli.cli.main import COMMAND_MODULES, command

    whole = command()
    mapped = {name for names in COMMAND_MODULES.values() for name in names}
    assert set(whole.commands) == mapped
    for name, sub in whole.commands.items():
        subs = list(sub.commands.values()) if isinstance(sub, TyperGroup) else [sub]
        for leaf in subs:
            module = leaf.callback.__module__.rpartition(".")[2]  # type: ignore[union-attr]
            assert name in COMMAND_MODULES[module], (name, module)

"""A pre-commit hook runs `blueprint lint FILE` on every commit: the command
loads what linting needs and nothing else (bench/lint_many.py measures the
time). Checked on the real console script, in a process of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_blueprints" / "deal-follow-up.yaml"

#: loaded by other commands, never needed to lint a blueprint
NOT_FOR_LINT = (
    "blueprint_cli.actions.delivery", "blueprint_cli.language.fixes", "blueprint_cli.store", "blueprint_cli.workspace.core",
    "blueprint_cli.engine", "blueprint_cli.language.team", "blueprint_cli.workspace.settings", "blueprint_cli.cli.record_cmd",
    "blueprint_cli.cli.flow_cmd", "blueprint_cli.cli.graph_cmd", "blueprint_cli.render.graph", "rich", "hashlib",
)


def _loaded_by(*args: str, cwd: Path) -> set[str]:
    code = ("import sys, atexit; sys.argv = ['blueprint', *sys.argv[1:]]; "
            "atexit.register(lambda: sys.__stderr__.write('MODULES ' + ' '.join(sorted(sys.modules)) + '\\n')); "
            "from blueprint_cli.cli.entry import main; main()")
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd)
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES "))
    assert proc.returncode == 0, proc.stderr
    return set(line.split()[1:])


def test_linting_one_file_loads_no_other_command(tmp_path: Path) -> None:
    loaded = _loaded_by("lint", "--no-cache", str(SAMPLE), cwd=tmp_path)
    assert "blueprint_cli.check.check" in loaded and "jsonschema_rs" in loaded  # it did lint
    assert sorted(m for m in loaded if any(m == p or m.startswith(p + ".") for p in NOT_FOR_LINT)) == []
    # only its own command module, of all of them
    assert sorted(m for m in loaded if m.startswith("blueprint_cli.cli.") and m.endswith("_cmd")) == \
        ["blueprint_cli.cli.lint_cmd"]


def test_the_help_still_lists_every_command(tmp_path: Path) -> None:
    loaded = _loaded_by("--help", cwd=tmp_path)
    assert {"blueprint_cli.cli.record_cmd", "blueprint_cli.cli.bulk_cmd", "blueprint_cli.cli.store_cmd"} <= loaded


def test_no_command_but_a_chart_loads_the_plotting_library(tmp_path: Path) -> None:
    """matplotlib costs ~0.3 s to import: `report` in text, `board`, `record list`
    and the help never load it; `report --format png` does."""
    subprocess.run([sys.executable, "-m", "blueprint_cli", "--as", "grace", "init", str(tmp_path)], check=True,
                   capture_output=True)
    for args in (["--help"], ["report"], ["report", "--json"], ["board"], ["record", "list"]):
        loaded = _loaded_by(*args, cwd=tmp_path)
        assert not any(m == "matplotlib" or m.startswith("matplotlib.") for m in loaded), args
    loaded = _loaded_by("report", "--format", "png", "-o", str(tmp_path / "r.png"), cwd=tmp_path)
    assert "matplotlib" in loaded


def test_listing_records_loads_no_terminal_drawing(tmp_path: Path) -> None:
    """`record list` prints plain lines: it never loads rich (about
    a tenth of their start-up) nor the record views drawn with it."""
    subprocess.run([sys.executable, "-m", "blueprint_cli", "--as", "grace", "init", str(tmp_path)], check=True,
                   capture_output=True)
    for args in (["record", "list"], ["record", "list", "--state", "Negotiation", "--limit", "5", "--sort", "-id"],
                 ["record", "list", "--json"]):
        loaded = _loaded_by(*args, cwd=tmp_path)
        assert "blueprint_cli.cli.record_lines" in loaded, args  # it did list
        assert sorted(m for m in loaded if m == "rich" or m.startswith("rich.")
                      or m == "blueprint_cli.cli.record_view") == [], args

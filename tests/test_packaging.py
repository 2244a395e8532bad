"""The distribution's name is ours: nothing tells a user to install a name on
the public package index that fetches someone else's code. What is released: the
sdist and the wheel `python -m build` makes carry the licence, the wheel carries
everything `init` and `demo` read, and the sdist ships no tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: on the public index, "blueprint-cli" is an unrelated tool that also installs a `blueprint` command
TAKEN = "blueprint-cli"


def test_the_distribution_is_crm_blueprint_with_the_blueprint_command() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "crm-blueprint"
    assert project["scripts"] == {"blueprint": "blueprint_cli.cli.entry:main"}


def test_no_file_says_to_install_the_name_someone_else_owns() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    install = re.compile(rf"""(pip|pipx|uv pip|uv tool) install\s+(-U\s+|--upgrade\s+)?['"]?{TAKEN}\b""")
    found = []
    for name in tracked.splitlines():
        path = ROOT / name
        if path.suffix not in {".py", ".md", ".toml", ".yaml", ".yml", ".txt", ".sh", ".cfg", ""} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{name}: {m.group()}" for m in install.finditer(text)]
    assert found == []


def test_the_postgres_hint_names_the_driver() -> None:
    from blueprint_cli.store.postgres import INSTALL_HINT

    assert TAKEN not in INSTALL_HINT and "psycopg" in INSTALL_HINT


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist and the wheel, as a release would build them (the wheel from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    return next(out.glob("*.tar.gz")), next(out.glob("*.whl"))


def _sdist_files(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as tar:
        return [name.split("/", 1)[1] for name in tar.getnames() if "/" in name]


def test_the_licence_is_mit_and_ships_in_both(built: tuple[Path, Path]) -> None:
    sdist, wheel = built
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert "LICENSE" in _sdist_files(sdist)
    with zipfile.ZipFile(wheel) as whl:
        names = whl.namelist()
        metadata = whl.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "License-Expression: MIT" in metadata.splitlines()


def test_the_sdist_ships_no_tests(built: tuple[Path, Path]) -> None:
    files = _sdist_files(built[0])
    assert [f for f in files if f.startswith(("tests/", "bench/"))] == []
    assert "blueprint_cli/cli/main.py" in files and "pyproject.toml" in files


def test_the_wheel_alone_runs_init_and_demo(built: tuple[Path, Path], tmp_path: Path) -> None:
    """Unpacked and put first on the path (the dependencies are those installed), the
    wheel's own code and data make a workspace with the deal sample, and give the tour."""
    site = tmp_path / "site"
    with zipfile.ZipFile(built[1]) as whl:
        whl.extractall(site)
    sample = site / "blueprint_cli" / "data" / "deal-follow-up.yaml"
    # the sample `init` writes is the one in sample_blueprints/
    assert sample.read_text(encoding="utf-8") == (ROOT / "sample_blueprints" / "deal-follow-up.yaml").read_text(
        encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"}
    env.pop("BLUEPRINT_WORKSPACE", None)

    def blueprint(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "blueprint_cli", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True)

    where = subprocess.run([sys.executable, "-c", "import blueprint_cli; print(blueprint_cli.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip() == str(site / "blueprint_cli" / "__init__.py")
    init = blueprint("init", "crm")
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "crm" / "blueprints" / "deal-follow-up.yaml").is_file()
    assert (tmp_path / "crm" / ".blueprint" / "team.yaml").is_file()
    lint = blueprint("lint", "crm/blueprints")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    demo = blueprint("demo")
    assert demo.returncode == 0, demo.stderr
    assert "That's the tour" in demo.stdout


def test_the_pre_commit_snippets_pin_a_revision_that_exists() -> None:
    """A `rev:` naming a tag that was never made fails in every user's pre-commit run."""
    tags = set(subprocess.run(["git", "tag"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split())
    revs = {}
    for name in ("docs/linting.md", ".pre-commit-hooks.yaml"):
        for rev in re.findall(r"(?m)^[#\s]*rev: *(<commit sha>|\S+)", (ROOT / name).read_text(encoding="utf-8")):
            revs[rev] = name
    assert revs, "no pre-commit snippet found"
    assert {rev: name for rev, name in revs.items() if rev != "<commit sha>" and rev not in tags} == {}

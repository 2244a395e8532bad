"""The `.pre-commit-hooks.yaml` at the repository root works with the real
`pre-commit` tool.

`pre-commit try-repo` installs the hook from a git repository into a fresh
virtualenv (a pip install, which needs the package index: most of a minute)
every time it runs. It takes the repository's HEAD plus modified *tracked*
files, so it is pointed at a fresh git repository holding a copy of this
working tree: that tests exactly the code on disk, whether or not the checkout
is itself a git repository and however many new files are not committed yet.

The failing and the passing run are started together to halve the wait.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

REPO_ROOT = Path(__file__).resolve().parent.parent
HOOKS_FILE = REPO_ROOT / ".pre-commit-hooks.yaml"
GOOD = REPO_ROOT / "sample_blueprints" / "deal-follow-up.yaml"
BAD = Path(__file__).resolve().parent / "lint_cases" / "bp301_unknown_state.yaml"

#: Not part of the installable project; copying them would only cost time.
_NOT_SHIPPED = (".git", "__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis", ".mypy_cache",
                ".benchmarks", ".venv", "venv", "build", "dist", "node_modules", ".blueprint",
                "tests", "bench", "docs", "site")


def _hooks() -> list[dict]:
    return YAML(typ="safe").load(HOOKS_FILE.read_text())


def test_hook_manifest() -> None:
    [hook] = _hooks()
    assert hook["id"] == "blueprint-lint"
    assert hook["entry"] == "blueprint lint --blueprints-only --force-exclude"
    assert hook["language"] == "python"
    assert hook["types"] == ["yaml"]
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
    for path in ("deal.yaml", "blueprints/deal.yml", "sample_blueprints/x.yaml"):
        assert files.search(path) and not exclude.search(path), path
    for path in (".pre-commit-config.yaml", ".github/workflows/ci.yml", ".blueprint/team.yaml",
                 "sample_blueprints/deal.scenarios.yaml", "x/a.scenario.yml"):
        assert exclude.search(path), path


def _git(*args: str, cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never",
    })
    for var in ("BLUEPRINT_WORKSPACE", "BLUEPRINT_USER", "GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE"):
        env.pop(var, None)
    return env


def _scratch_repo(folder: Path, files: dict[str, str], env: dict[str, str]) -> Path:
    folder.mkdir()
    _git("init", "-q", cwd=folder, env=env)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    _git("add", "-A", cwd=folder, env=env)  # --all-files means the files git knows
    return folder


def test_pre_commit_try_repo_fails_on_a_bad_blueprint_and_passes_on_good_ones(tmp_path: Path) -> None:
    env = _env(tmp_path)
    project = tmp_path / "project"
    shutil.copytree(REPO_ROOT, project, ignore=shutil.ignore_patterns(*_NOT_SHIPPED))
    _git("init", "-q", cwd=project, env=env)
    _git("add", "-A", cwd=project, env=env)
    _git("commit", "-q", "-m", "project under test", cwd=project, env=env)

    not_blueprints = {
        ".github/workflows/ci.yml": "on: push\njobs: {}\n",
        "deal.scenarios.yaml": "scenarios: []\n",
        # handed to the hook (no name pattern leaves them out), skipped by their content
        "docker-compose.yml": "services:\n  web: {image: nginx}\nversion: '3'\n",
        "deploy/values.yaml": "replicaCount: 2\nimage: {repository: nginx}\n",
    }
    mixed = _scratch_repo(tmp_path / "mixed", {"good.yaml": GOOD.read_text(), "bad.yaml": BAD.read_text(),
                                               **not_blueprints}, env)
    good = _scratch_repo(tmp_path / "good", {"good.yaml": GOOD.read_text(), **not_blueprints}, env)

    command = [sys.executable, "-m", "pre_commit", "try-repo", str(project), "blueprint-lint", "--all-files"]
    runs = {name: subprocess.Popen(command, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
            for name, repo in (("mixed", mixed), ("good", good))}
    out = {}
    for name, proc in runs.items():
        out[name] = proc.communicate(timeout=900)[0]

    assert runs["mixed"].returncode == 1, out["mixed"]
    assert "blueprint lint" in out["mixed"] and "Failed" in out["mixed"]
    assert "bad.yaml:13:9: error BP301 [*] unknown state 'Negotation' in `to` of 'Negotiate' — did you mean " \
           "'Negotiation'?" in out["mixed"]
    assert "good.yaml:" not in out["mixed"]
    # only the two blueprints were linted: not the workflow or the scenario file (left out by the
    # hook's `exclude`), nor docker-compose.yml and the Helm values (skipped by --blueprints-only)
    assert "Found 1 error in 1 of 2 files." in out["mixed"]
    assert "docker-compose.yml" not in out["mixed"] and "values.yaml" not in out["mixed"]
    assert "Traceback" not in out["mixed"]

    assert runs["good"].returncode == 0, out["good"]
    assert re.search(r"blueprint lint\.+Passed", out["good"]), out["good"]

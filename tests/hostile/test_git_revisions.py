"""Hostile input, round two, security: `blueprint diff REV:path` hands the
revision to git. Whatever the revision holds (a CI job may pass a file name
someone else chose), git reads it as a revision and never as one of its
options: `--output=FILE` must not make git write FILE."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from workspace_helpers import cli

BLUEPRINT = Path(__file__).parents[2] / "sample_blueprints" / "deal-follow-up.yaml"


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:  # pragma: no cover
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "v1"]):
        if args[0] == "add":
            (repo / "d.yaml").write_bytes(BLUEPRINT.read_bytes())
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo, check=True,
                       capture_output=True)
    return repo


def everything_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if ".git" not in p.parts}


@pytest.mark.parametrize("spec", [
    "--output={out}:d.yaml",      # git show --output=FILE writes FILE
    "--output={out}",
    "-o{out}:d.yaml",
    "--ext-diff:d.yaml",
    "-p:d.yaml",
])
def test_a_revision_like_an_option_writes_nothing_and_is_a_usage_error(repo: Path, spec: str) -> None:
    out = repo.parent / "written"
    before = everything_under(repo.parent)
    r = cli("diff", "--", spec.format(out=out), "d.yaml", cwd=repo)
    assert r.code == 2 and "Traceback" not in r.err, r
    if ":" in spec:
        assert "a revision cannot start with '-'" in r.err, r
    assert not out.exists() and not Path(f"{out}:d.yaml").exists()
    assert everything_under(repo.parent) == before


def test_an_ordinary_revision_still_reads_from_git(repo: Path) -> None:
    r = cli("diff", "HEAD:d.yaml", "d.yaml", cwd=repo)
    assert r.code == 0 and "No semantic differences." in r.out, r


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rev=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30))
def test_no_revision_makes_git_write_a_file(repo: Path, rev: str) -> None:
    before = everything_under(repo.parent)
    r = cli("diff", "--", f"{rev}:d.yaml", "d.yaml", cwd=repo)
    assert "Traceback" not in r.err and r.code in (0, 1, 2), r
    assert everything_under(repo.parent) == before

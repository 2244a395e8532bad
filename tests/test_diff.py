"""`blueprint diff OLD NEW`: a semantic diff of two versions of a blueprint, from
files or git revisions, in text, Markdown and JSON, with the impact on a
workspace's records."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from blueprint_cli.workspace import changes
from blueprint_cli.engine import Inputs
from workspace_helpers import NOW, cli, deal_workspace

REPO = Path(__file__).resolve().parent.parent
DEAL = (REPO / "sample_blueprints" / "deal-follow-up.yaml").read_text(encoding="utf-8")


def edit(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return text


#: A reviewer's worth of changes to the deal sample.
CHANGED = edit(
    DEAL,
    ("  - name: Discount Approval\n", "  - name: Pricing Approval\n"),
    ("to: Discount Approval", "to: Pricing Approval"),
    ("from: Discount Approval", "from: Pricing Approval"),
    ("{field: amount, gte: 1000}", "{field: amount, gte: 5000}"),
    ("checklist: [Budget confirmed, Decision maker identified]",
     "checklist: [Budget confirmed, Decision maker identified, Competitors known]"),
    ('owners: ["role:sales_manager", "user:grace"]', 'owners: ["role:sales_manager"]'),
    ("- when: {field: discount, lte: 20}", "- when: {field: discount, lte: 25}"),
    ("  - name: Send to legal\n", "  - name: Straight to legal\n"),
    ("values: [Price, Competitor, No budget, Timing, No decision]", "values: [Price, Competitor, No budget, Timing]"),
    ("  - name: Legal Review\n", "  - name: Legal Review\n  - name: On Hold\n    final: true\n"),
)


@pytest.fixture()
def files(tmp_path: Path) -> Path:
    (tmp_path / "old.yaml").write_text(DEAL, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(CHANGED, encoding="utf-8")
    return tmp_path


def test_text_diff_speaks_in_process_terms(files: Path) -> None:
    r = cli("diff", "old.yaml", "new.yaml", cwd=files)
    assert r.code == 0, r
    assert r.out.splitlines() == [
        "deal-follow-up: old.yaml → new.yaml",
        "States",
        "  ~ Discount Approval → Pricing Approval (renamed: same transitions around it)",
        "  + On Hold (added): final",
        "Transitions",
        "  ~ Negotiate: Qualification → Negotiation",
        "      criteria: tightened: amount ≥ 1000 and name does not contain 'TEST' → amount ≥ 5000 and name does "
        "not contain 'TEST'",
        "      requirements: tightened: + checklist 'Competitors known'",
        "  ~ Send to legal → Straight to legal (renamed: Negotiation → Legal Review)",
        "  ~ Decide discount: conditional Pricing Approval → Legal Review if discount ≤ 25, else Negotiation",
        "      branch 1 criteria: loosened: discount ≤ 20 → discount ≤ 25",
        "      owners: - user:grace (now: role:sales_manager) (tightened)",
        "Fields",
        "  ~ reason: picklist",
        "      values: - No decision",
    ]


def test_exit_code_flag_like_git_diff(files: Path) -> None:
    assert cli("diff", "--exit-code", "old.yaml", "new.yaml", cwd=files).code == 1
    # comments, key order and flow style are not semantic
    (files / "same.yaml").write_text(edit(DEAL, ("# Deal follow-up: how", "# Deals: how"),
                                          ("priority: 10                     #", "priority: 10  #")))
    r = cli("diff", "--exit-code", "old.yaml", "same.yaml", cwd=files)
    assert r.code == 0 and "No semantic differences." in r.out


def test_markdown_for_a_pull_request_comment(files: Path) -> None:
    r = cli("diff", "--format", "markdown", "old.yaml", "new.yaml", cwd=files)
    assert r.code == 0
    assert r.out.startswith("### Blueprint `deal-follow-up`: `old.yaml` → `new.yaml`\n")
    assert "- **renamed** `Discount Approval` → `Pricing Approval` — same transitions around it\n" in r.out
    assert "  - requirements: **tightened** + checklist 'Competitors known'\n" in r.out
    assert "  - branch 1 criteria: **loosened** discount ≤ 20 → discount ≤ 25\n" in r.out


def test_json_is_data(files: Path) -> None:
    r = cli("--json", "diff", "old.yaml", "new.yaml", cwd=files)
    data = json.loads(r.out)
    assert data["changed"] is True and data["impact"] is None
    assert data["states"][0] == {"change": "renamed", "name": "Pricing Approval", "old_name": "Discount Approval",
                                 "summary": "same transitions around it", "details": []}
    negotiate = next(t for t in data["transitions"] if t["name"] == "Negotiate")
    assert [(d["aspect"], d["direction"]) for d in negotiate["details"]] == [("criteria", "tightened"),
                                                                           ("requirements", "tightened")]
    req = negotiate["details"][1]
    assert req["new"]["checklist"][-1] == "Competitors known" and req["old"]["note"] is True
    assert json.loads(cli("diff", "-f", "json", "old.yaml", "new.yaml", cwd=files).out) == data


def test_removed_added_and_loosened(tmp_path: Path) -> None:
    old = """\
blueprint: p
module: Deals
field: stage
fields: {amount: {type: currency}, code: {type: text}}
states: [{name: Open}, {name: Hold}, {name: Done, final: true}]
transitions:
  - {name: Pause, from: Open, to: Hold}
  - {name: Resume, from: Hold, to: Open}
  - name: Close
    from: Open
    to: Done
    owners: ["role:boss"]
    when: {field: amount, gt: 10}
    require: {fields: [code], note: true}
"""
    new = """\
blueprint: p
module: Deals
field: stage
fields: {amount: {type: number}, ref: {type: text}}
states: [{name: Open}, {name: Done, final: true}]
transitions:
  - name: Close
    from: Open
    to: Done
    owners: ["role:boss", "role:clerk"]
    when: {field: name, contains: x}
    require: {fields: [code]}
  - {name: Cancel, from: Open, to: Done, auto: {after: 2d}}
"""
    (tmp_path / "a.yaml").write_text(old)
    (tmp_path / "b.yaml").write_text(new)
    r = cli("diff", "a.yaml", "b.yaml", cwd=tmp_path)
    # lint refuses the new side (`name` and `code` are not declared): its diff is shown, then exit 1
    assert r.code == 1 and "BP302 field 'name'" in r.err, r
    out = r.out.splitlines()
    assert "  - Hold (removed)" in out
    assert "  - Pause (removed): Open → Hold" in out and "  - Resume (removed): Hold → Open" in out
    assert "  + Cancel (added): Open → Done" in out
    assert "      owners: + role:clerk (now: role:boss, role:clerk) (loosened)" in out
    assert "      criteria: changed: amount > 10 → name contains 'x'" in out
    assert "      requirements: loosened: - a note" in out
    assert "  + ref (added): text" in out and "  - code (removed): text" in out
    assert "  ~ amount: number" in out and "      type: currency → number" in out


def test_a_broken_side_exits_1_and_a_missing_one_2(files: Path) -> None:
    (files / "broken.yaml").write_text("blueprint: x\nstates: oops\n")
    r = cli("diff", "old.yaml", "broken.yaml", cwd=files)
    assert r.code == 1 and "broken.yaml:" in r.err and "Traceback" not in r.err
    r = cli("diff", "old.yaml", "nope.yaml", cwd=files)
    assert r.code == 2 and "no such file: nope.yaml" in r.err


# ----- git revisions ------------------------------------------------------------------------

def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:  # pragma: no cover
        pytest.skip("git is not installed")
    git(tmp_path, "init", "-q")
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "deal.yaml").write_text(DEAL)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    (tmp_path / "flows" / "deal.yaml").write_text(CHANGED)
    return tmp_path


def test_old_side_from_a_git_revision(repo: Path) -> None:
    r = cli("diff", "HEAD:flows/deal.yaml", "flows/deal.yaml", cwd=repo)
    assert r.code == 0, r
    assert r.out.startswith("deal-follow-up: HEAD:flows/deal.yaml → flows/deal.yaml\n")
    assert "  ~ Discount Approval → Pricing Approval (renamed: same transitions around it)" in r.out
    # relative to the current folder with ./, as git reads it
    r = cli("diff", "HEAD:./deal.yaml", "deal.yaml", cwd=repo / "flows")
    assert r.code == 0 and "Pricing Approval" in r.out


@pytest.mark.parametrize(("spec", "message"), [
    ("HEAD~3:flows/deal.yaml", "cannot read HEAD~3:flows/deal.yaml from git: "),
    ("HEAD:flows/missing.yaml", "path 'flows/missing.yaml' does not exist in 'HEAD'"),
])
def test_git_problems_are_usage_errors(repo: Path, spec: str, message: str) -> None:
    r = cli("diff", spec, "flows/deal.yaml", cwd=repo)
    assert r.code == 2 and message in r.err and "Traceback" not in r.err


def test_outside_a_repository_or_without_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "deal.yaml").write_text(DEAL)
    r = cli("diff", "HEAD:deal.yaml", "deal.yaml", cwd=tmp_path)
    assert r.code == 2 and "not a git repository" in r.err
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    r = cli("diff", "HEAD:deal.yaml", "deal.yaml", cwd=tmp_path)
    assert r.code == 2 and "git is not installed" in r.err


# ----- impact on a workspace ------------------------------------------------------------------

def test_impact_counts_records_in_renamed_states_and_waiting_on_changes(files: Path) -> None:
    ws = deal_workspace(files / "project")
    for name in ("A", "B", "C"):
        changes.create(ws, "Deals", {"name": f"Deal {name}", "amount": "20000"}, user="alice", owner="alice", at=NOW)
    ok = changes.move(ws, "1", "Negotiate", Inputs(fields={"close_on": "2026-06-30"},
                                          checklist=("Budget confirmed", "Decision maker identified"), note="ok"),
                 user="alice", at=NOW)
    assert not ok.refused
    assert not changes.move(ws, "1", "Request discount", Inputs(fields={"discount": "10"}, note="x"), user="alice",
                       at=NOW).refused
    r = cli("--workspace", str(files / "project"), "diff", "old.yaml", "new.yaml", cwd=files)
    assert r.code == 0, r
    impact = r.out.split("Impact on the workspace ", 1)[1].splitlines()
    assert impact[1:] == [
        "  1 record in 'Discount Approval', renamed to 'Pricing Approval' (publish with --move \"Discount "
        "Approval=Pricing Approval\") (record 1)",
        "  2 records waiting on changed transition 'Negotiate' (records 2, 3)",
        "  1 record waiting on changed transition 'Decide discount' (record 1)",
        "  3 records affected in all (version 1 is published)",
    ]
    # found upwards from the current folder too; --no-impact leaves it out
    assert "Impact on the workspace" in cli("diff", "../old.yaml", "../new.yaml", cwd=files / "project").out
    assert "Impact" not in cli("diff", "--no-impact", "../old.yaml", "../new.yaml", cwd=files / "project").out
    data = cli("--json", "--workspace", str(files / "project"), "diff", "old.yaml", "new.yaml", cwd=files).json()
    assert data["impact"]["records"] == 3  # type: ignore[index]
    assert [i["kind"] for i in data["impact"]["items"]] == ["renamed-state", "waiting", "waiting"]  # type: ignore


def test_impact_when_the_blueprint_is_not_published(files: Path) -> None:
    project = files / "project"
    deal_workspace(project)
    other = edit(DEAL, ("blueprint: deal-follow-up", "blueprint: other-deals"))
    (files / "other.yaml").write_text(other)
    r = cli("--workspace", str(project), "diff", "other.yaml", "other.yaml", cwd=files)
    assert r.code == 0 and "not published there: no records follow it yet" in r.out


def test_a_bad_explicit_workspace_is_a_usage_error(files: Path) -> None:
    r = cli("--workspace", str(files / "nowhere"), "diff", "old.yaml", "new.yaml", cwd=files)
    assert r.code == 2 and "no such folder" in r.err

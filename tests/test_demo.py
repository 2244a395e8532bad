"""`blueprint demo` runs with no arguments and no terminal."""

from __future__ import annotations

import re
from pathlib import Path

from workspace_helpers import cli


def test_demo_tours_every_kind_of_transition_and_cleans_up(tmp_path: Path) -> None:
    r = cli("demo", cwd=tmp_path)
    assert r.code == 0, r
    out = r.out
    for expected in (
        "$ blueprint init",
        "criteria of 'Negotiate' not met: amount ≥ 1000 — actual: 800",  # a refusal, with the actual value
        "Qualification → Negotiation",                                    # a plain transition
        "Discount Approval → Legal Review",                               # conditional
        "Sign-off waits for: Finance approval",                           # parallel, first part
        "Legal Review → Closed Won",                                      # parallel, done
        "Qualification → Closed Lost",                                    # common
        "written to outbox/",                                             # an e-mail action
        "a final state",
        "Deals 1 · Acme rollout — 6 entries",                             # the history
    ):
        assert expected in out, expected
    assert "Traceback" not in out + r.err
    where = re.search(r"The tour's workspace \((.+?)\) has been removed", out)
    assert where and not Path(where[1]).exists()
    assert list(tmp_path.iterdir()) == []  # nothing left where it was run


def test_demo_can_keep_its_workspace(tmp_path: Path) -> None:
    target = tmp_path / "tour"
    assert cli("demo", "--dir", str(target)).code == 0
    assert (target / ".blueprint" / "workspace.json").is_file()
    assert cli("--json", "record", "list", cwd=target).json()[0]["state"] == "Closed Won"  # type: ignore[index]
    again = cli("demo", "--dir", str(target))
    assert again.code == 2 and "is not empty" in again.err

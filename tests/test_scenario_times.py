"""`blueprint test --times`: the time each scenario's record spent per state,
on the scenario's clock, in calendar and working time."""

from __future__ import annotations

from pathlib import Path

from workspace_helpers import cli

from test_report import FLOW

SCENARIOS = """\
now: "2026-05-04T09:00:00+00:00"        # a Monday
calendar: {time_zone: UTC}
scenarios:
  - name: Quick win
    record: {owner: alice, fields: {name: Acme}}
    steps:
      - wait: 4h
      - {as: alice, move: Qualify}
      - wait: 44h                       # Monday 13:00 to Wednesday 09:00
      - {as: alice, move: Propose}
      - wait: 1d
      - {as: alice, move: Back}
      - wait: 2h
      - {as: alice, move: Propose}
      - wait: 3h
      - {as: alice, move: Win, expect: {state: Won}}
  - name: Left in Lead over the weekend
    now: "2026-05-08T16:00:00+00:00"
    record: {owner: alice, fields: {name: Initech}}
    steps:
      - wait: 66h
"""


def test_times_per_state_in_calendar_and_working_time(tmp_path: Path) -> None:
    (tmp_path / "sales.yaml").write_text(FLOW, encoding="utf-8")
    (tmp_path / "sales.scenarios.yaml").write_text(SCENARIOS, encoding="utf-8")
    result = cli("--no-color", "test", "--times", str(tmp_path / "sales.scenarios.yaml"))
    assert result.code == 0, result
    lines = result.out.splitlines()
    # Call: 44h then 2h again (12h + 2h working); Offer: 1d then 3h (8h + 3h working); Won is where it ends
    assert lines[2] == ("          time in state: Lead 4h (4h working) · Call 1d 22h (14h working) · "
                        "Offer 1d 3h (11h working)")
    # Friday 16:00 to Monday 10:00: 66 hours, two of them working
    assert lines[4] == "          time in state: Lead 2d 18h (2h working)"
    data = cli("--json", "test", "--times", str(tmp_path / "sales.scenarios.yaml")).json()
    first = data["files"][0]["scenarios"][0]  # type: ignore[index]
    assert first["times"] == [{"state": "Lead", "seconds": 4 * 3600.0, "working_seconds": 4 * 3600.0},
                              {"state": "Call", "seconds": 46 * 3600.0, "working_seconds": 14 * 3600.0},
                              {"state": "Offer", "seconds": 27 * 3600.0, "working_seconds": 11 * 3600.0}]
    without = cli("--json", "test", str(tmp_path / "sales.scenarios.yaml")).json()
    assert "times" not in without["files"][0]["scenarios"][0]  # type: ignore[index]
    assert "time in state" not in cli("test", str(tmp_path / "sales.scenarios.yaml")).out

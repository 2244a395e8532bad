"""What time brings a record (blueprint_cli/engine/due.py), as users see it: scenario
files that `wait` and expect escalations and automatic moves, and the same
decisions made by `blueprint tick` in a workspace."""

from __future__ import annotations

import json
from pathlib import Path

from blueprint_cli.workspace import changes
import pytest

from workspace_helpers import cli

TIMED = """\
blueprint: timed
module: Cases
field: stage
fields:
  subject: {type: text}
  urgent: {type: boolean}
  note: {type: text}
states:
  - name: Open
    sla:
      within: 2 business_hours
      escalate:
        - email: {to: lead@example.com, subject: "Nobody on {{record.subject}}"}
      levels:
        - after: 1 business_days
          escalate:
            - set: {urgent: true}
            - task: {subject: "Answer {{record.subject}}", due: 1h, owner: record_owner}
  - name: Waiting
    sla:
      within: 1d
      escalate:
        - tag: {add: [stale]}
  - name: Parked
  - name: Closed
    final: true
transitions:
  - {name: Wait, from: Open, to: Waiting}
  - name: Give up
    from: Waiting
    to: Closed
    auto: {after: 3d}
    then:
      - set: {note: closed by time}
  - name: Park
    from: Open
    to: Parked
    auto: {after: 1w}
    when: {field: urgent, eq: false}
  - {name: Reopen, from: Parked, to: Open}
"""

HEAD = """\
now: "2026-01-05T09:00:00+00:00"       # a Monday
scenarios:
"""


def project(tmp_path: Path, scenarios: str) -> Path:
    (tmp_path / "timed.yaml").write_text(TIMED, encoding="utf-8")
    (tmp_path / "timed.scenarios.yaml").write_text(HEAD + scenarios, encoding="utf-8")
    return tmp_path


def test_a_wait_fires_the_sla_levels_as_they_fall_due(tmp_path: Path) -> None:
    project(tmp_path, """\
  - name: Nobody answers
    record: {owner: ann, fields: {subject: Login, urgent: false}}
    steps:
      - wait: 1h
        expect: {escalated: [], actions: []}
      - wait: 1h
        expect:
          escalated: [{state: Open, level: 0}]
          actions: [{email: "Nobody on Login", status: pending}]
      - wait: 6h
        expect:
          escalated: [Open]
          fields: {urgent: true}
          tasks: [{subject: Answer Login, owner: ann, due: "2026-01-05T18:00"}]
      - wait: 1w
        expect: {state: Open, escalated: [], skipped: [Park]}
""")
    result = cli("test", "timed.scenarios.yaml", cwd=tmp_path)
    assert result.code == 0, result.out
    assert "PASSED  Nobody answers" in result.out


def test_a_wait_performs_automatic_transitions_and_goes_on_in_the_new_state(tmp_path: Path) -> None:
    """Waiting 4 days in Waiting: its SLA fires on day 1, `Give up` moves the
    record on day 3; as a tick run every few minutes would do, in that order."""
    project(tmp_path, """\
  - name: A waiting case closes itself
    record: {owner: ann, fields: {subject: Export}}
    steps:
      - as: ann
        move: Wait
      - wait: 4d
        expect:
          escalated: [Waiting]
          moved: [Give up]
          state: Closed
          tags: [stale]
          fields: {note: closed by time}
""")
    result = cli("test", "timed.scenarios.yaml", cwd=tmp_path)
    assert result.code == 0, result.out


def test_what_time_did_not_do_is_a_failure_at_the_expectation(tmp_path: Path) -> None:
    project(tmp_path, """\
  - name: Too early
    record: {owner: ann, fields: {subject: Export}}
    steps:
      - as: ann
        move: Wait
      - wait: 2d
        expect: {moved: [Give up]}
""")
    result = cli("test", "timed.scenarios.yaml", cwd=tmp_path)
    assert result.code == 1
    assert "timed.scenarios.yaml:8:9: step 2 (wait 2d)\n" \
           "            > line 9: expected automatic transitions ['Give up'], performed: none" in result.out, result.out


def test_an_automatic_transition_whose_criteria_fail_is_skipped(tmp_path: Path) -> None:
    project(tmp_path, """\
  - name: An urgent case is not parked
    record: {owner: ann, fields: {subject: Outage, urgent: true}}
    steps:
      - wait: 2w
        expect: {state: Open, moved: [], skipped: [Park]}
""")
    assert cli("test", "timed.scenarios.yaml", cwd=tmp_path).code == 0


@pytest.mark.parametrize(("expect", "finding"), [
    ("{moved: [Wait]}", "7:26: error SC308 'Wait' is not automatic (it has no `auto: {after: ...}`): time never "
                        "performs it"),
    ("{moved: [Give upp]}", "7:26: error SC303 no transition 'Give upp' in timed — did you mean 'Give up'?"),
    ("{escalated: [Parked]}", "7:30: error SC308 state 'Parked' has no SLA, so it never escalates"),
    ("{escalated: [{state: Open, level: 2}]}", "7:51: error SC308 the SLA of 'Open' has levels 0 to 1, not 2"),
    ("{escalated: [Opne]}", "7:30: error SC301 unknown state 'Opne' — did you mean 'Open'?"),
])
def test_expectations_of_time_name_what_time_can_do(tmp_path: Path, expect: str, finding: str) -> None:
    project(tmp_path, f"""\
  - name: Checked before it runs
    record: {{owner: ann}}
    steps:
      - wait: 1d
        expect: {expect}
""")
    result = cli("test", "--lint", "timed.scenarios.yaml", cwd=tmp_path)
    assert result.code == 1
    assert f"timed.scenarios.yaml:{finding}" in result.out, result.out


def test_only_a_wait_can_expect_what_time_did(tmp_path: Path) -> None:
    project(tmp_path, """\
  - name: A move does not wait
    record: {owner: ann}
    steps:
      - as: ann
        move: Wait
        expect: {moved: [Give up]}
""")
    result = cli("test", "--lint", "timed.scenarios.yaml", cwd=tmp_path)
    assert result.code == 1
    assert "timed.scenarios.yaml:8:25: error SC120 `moved` is what time did during a `wait` step; this step " \
           "does not wait" in result.out, result.out


CIRCLE = """\
blueprint: circle
module: Pings
field: side
states:
  - name: Left
  - name: Right
  - name: Done
    final: true
transitions:
  - {name: Stop, from: Left, to: Done}
  - {name: Flip, from: Left, to: Right, auto: {after: 1m}}
  - {name: Flop, from: Right, to: Left, auto: {after: 1m}}
"""


def test_automatic_transitions_going_round_in_a_circle_stop_the_wait(tmp_path: Path) -> None:
    (tmp_path / "circle.yaml").write_text(CIRCLE, encoding="utf-8")
    (tmp_path / "circle.scenarios.yaml").write_text("""\
scenarios:
  - name: Forever
    record: {owner: ann}
    steps:
      - wait: 1w
""", encoding="utf-8")
    result = cli("test", "circle.scenarios.yaml", cwd=tmp_path)
    assert result.code == 1
    assert "more than 1000 escalations and automatic transitions fell due while waiting 1w" in result.out


def test_tick_in_a_workspace_decides_as_the_scenario_does(tmp_path: Path) -> None:
    """The same record, 4 days on: `blueprint tick` gives what the scenario expects."""
    project(tmp_path, "")
    from blueprint_cli import workspace
    from blueprint_cli.engine import Inputs
    from blueprint_cli.scenarios.model import DEFAULT_NOW
    from blueprint_cli.workspace.publishing import publish

    ws = workspace.init(tmp_path / "ws", sample=False).workspace
    publish(ws, tmp_path / "timed.yaml", user="admin", at=DEFAULT_NOW)
    record = changes.create(ws, "Cases", {"subject": "Export"}, user="ann", at=DEFAULT_NOW).record
    changes.move(ws, record.id, "Wait", Inputs(), user="ann", at=DEFAULT_NOW)
    day = 24 * 3600
    for seconds in range(0, 4 * day + 1, day // 4):  # a tick every six hours
        moment = DEFAULT_NOW.timestamp() + seconds
        from datetime import datetime, timezone

        at = datetime.fromtimestamp(moment, timezone.utc).isoformat()
        assert cli("tick", "--now", at, cwd=tmp_path / "ws").code == 0
    shown = cli("--json", "record", "show", record.id, cwd=tmp_path / "ws").json()
    assert isinstance(shown, dict)
    assert (shown["state"], shown["tags"], shown["fields"]["note"]) == ("Closed", ["stale"], "closed by time")
    kinds = [e["kind"] for e in json.loads(cli("--json", "history", record.id, cwd=tmp_path / "ws").out)]
    assert kinds == ["create", "move", "escalate", "move"]


def test_a_scenario_file_can_count_on_its_own_working_calendar(tmp_path: Path) -> None:
    """The SLA of Open (2 business hours) on mornings only, 08:00-12:00:
    from Monday 11:00 it falls due on Tuesday at 09:00."""
    (tmp_path / "timed.yaml").write_text(TIMED, encoding="utf-8")
    (tmp_path / "timed.scenarios.yaml").write_text("""\
now: "2026-01-05T11:00:00+00:00"
calendar: {days: mon-fri, hours: "08:00-12:00"}
scenarios:
  - name: Mornings only
    record: {owner: ann, fields: {subject: Login}}
    steps:
      - wait: 21h59m
        expect: {escalated: []}
      - wait: 1m
        expect: {escalated: [{state: Open, level: 0}]}
""".replace("21h59m", "P0DT21H59M").replace("wait: 1m", "wait: PT1M"), encoding="utf-8")
    result = cli("test", "timed.scenarios.yaml", cwd=tmp_path)
    assert result.code == 0, result.out


def test_a_calendar_that_cannot_work_is_a_finding_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "timed.yaml").write_text(TIMED, encoding="utf-8")
    (tmp_path / "timed.scenarios.yaml").write_text("""\
calendar: {time_zone: Mars/Olympus}
scenarios:
  - name: x
    record: {owner: ann}
    steps:
      - wait: 1d
""", encoding="utf-8")
    result = cli("test", "--lint", "timed.scenarios.yaml", cwd=tmp_path)
    assert result.code == 1
    assert "timed.scenarios.yaml:1:23: error SC120 calendar: 'Mars/Olympus' is not a time zone" in result.out, \
        result.out


def test_coverage_counts_the_automatic_transitions_time_performs(tmp_path: Path) -> None:
    project(tmp_path, """\
  - name: A waiting case closes itself
    record: {owner: ann, fields: {subject: Export}}
    steps:
      - as: ann
        move: Wait
      - wait: 4d
        expect: {moved: [Give up]}
""")
    result = cli("test", "--coverage", "timed.scenarios.yaml", cwd=tmp_path)
    assert "transition Give up" not in result.out and "transition Wait" not in result.out, result.out
    assert "transition Park" in result.out

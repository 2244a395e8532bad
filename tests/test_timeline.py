"""One timeline per record: `tick --now` later than the clock only shows what
would be due, unless the workspace runs on simulated time (`clock: simulated`);
a change read from the clock is never dated before the record's last one; and
the store refuses an entry dated before it (a `tick --now` in the past)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueprint_cli.workspace import changes
from blueprint_cli.workspace.clock import now as clock
from workspace_helpers import NOW, PING, cli, ping_workspace

pytestmark = pytest.mark.usefixtures("store_kind")

TIMED = PING.replace("  - name: Left\n", "  - name: Left\n    sla: {within: 1h, escalate: [{tag: {add: [late]}}],"
                                          " levels: [{after: 2d, escalate: [{tag: {add: [later]}}]}]}\n")


def timed_workspace(folder: Path, *, simulated: bool = False, records: int = 0) -> Path:
    ws = ping_workspace(folder)
    (folder / "ping.yaml").write_text(TIMED, encoding="utf-8")
    assert cli("--as", "grace", "publish", "ping.yaml", cwd=folder).code == 0
    if simulated:
        with open(ws.root / "config.yaml", "a", encoding="utf-8") as f:
            f.write("clock: simulated\n")
    for _ in range(records):
        assert cli("--as", "alice", "record", "create", "Pings", cwd=folder).code == 0
    return folder


def history(folder: Path, record_id: str = "1") -> list[dict[str, object]]:
    entries = json.loads(cli("--json", "history", record_id, cwd=folder).out)
    assert isinstance(entries, list)
    return entries


def later(days: float) -> str:
    return (clock() + timedelta(days=days)).isoformat()


def test_tick_now_later_than_the_clock_only_shows_what_would_be_due(tmp_path: Path) -> None:
    folder = timed_workspace(tmp_path, records=1)
    before = history(folder)
    r = cli("tick", "--now", later(3), cwd=folder)
    assert r.code == 0, r
    assert "(dry run) ⏰ Pings 1: SLA level 0 (1h) of Left fired" in r.out
    assert "--now is later than the clock" in r.out and "nothing was changed, as with --dry-run" in r.out
    assert "clock: simulated" in r.out
    assert history(folder) == before
    data = json.loads(cli("--json", "tick", "--now", later(3), cwd=folder).out)
    assert (data["dry_run"], data["ahead_of_clock"], len(data["escalations"])) == (True, True, 2)
    assert history(folder) == before
    # the clock itself is not ahead of the clock
    assert json.loads(cli("--json", "tick", cwd=folder).out)["ahead_of_clock"] is False


def test_on_simulated_time_tick_writes_ahead_and_later_changes_follow_it(tmp_path: Path) -> None:
    folder = timed_workspace(tmp_path, simulated=True, records=1)
    ahead = later(3)
    r = cli("--json", "tick", "--now", ahead, cwd=folder)
    assert r.code == 0 and json.loads(r.out)["ahead_of_clock"] is False, r
    moved = cli("--as", "alice", "move", "1", "Flip", cwd=folder)
    assert moved.code == 0, moved
    entries = history(folder)
    assert [e["kind"] for e in entries] == ["create", "escalate", "escalate", "move"]
    ats = [datetime.fromisoformat(str(e["at"])) for e in entries]
    assert ats == sorted(ats)  # the move comes after the escalations, not at the clock before them
    assert ats[-1] == datetime.fromisoformat(ahead)


def test_an_entry_dated_before_the_records_last_one_is_refused(tmp_path: Path) -> None:
    ws = ping_workspace(tmp_path)
    (tmp_path / "ping.yaml").write_text(TIMED, encoding="utf-8")
    assert cli("--as", "grace", "publish", "ping.yaml", cwd=tmp_path).code == 0
    changes.create(ws, "Pings", {}, user="alice", at=NOW)  # in Left since NOW: its SLA was due an hour later
    assert cli("--as", "alice", "record", "set", "1", "note=seen", cwd=tmp_path).code == 0  # a change now
    before = history(tmp_path)
    past = (NOW + timedelta(hours=2)).isoformat()
    r = cli("tick", "--now", past, cwd=tmp_path)
    assert r.code == 1, r
    assert f"record 1: its history ends at {before[-1]['at']}; a change dated {past} would come before it" in r.err
    assert history(tmp_path) == before


def test_a_clock_setting_that_is_not_real_or_simulated_is_a_usage_error(tmp_path: Path) -> None:
    folder = timed_workspace(tmp_path, records=1)
    with open(folder / ".blueprint" / "config.yaml", "a", encoding="utf-8") as f:
        f.write("clock: sometimes\n")
    r = cli("tick", cwd=folder)
    assert r.code == 2 and "config.yaml" in r.err and "clock" in r.err, r


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.one_of(st.floats(min_value=-3, max_value=5).map(lambda d: ("tick", d)),
                                st.sampled_from([("move", "Flip"), ("move", "Flop"), ("set", "x")])),
                      min_size=1, max_size=8),
       simulated=st.booleans())
def test_no_history_entry_is_dated_before_the_one_before_it(tmp_path_factory: pytest.TempPathFactory,
                                                           steps: list[tuple[str, object]], simulated: bool) -> None:
    folder = timed_workspace(tmp_path_factory.mktemp("w"), simulated=simulated, records=1)
    for kind, arg in steps:
        if kind == "tick":
            r = cli("tick", "--now", later(float(arg)), cwd=folder)  # type: ignore[arg-type]
        elif kind == "move":
            r = cli("--as", "alice", "move", "1", str(arg), cwd=folder)
        else:
            r = cli("--as", "alice", "record", "set", "1", f"note={len(history(folder))}", cwd=folder)
        assert r.code in (0, 1), r
        assert "Traceback" not in r.err
    ats = [datetime.fromisoformat(str(e["at"])) for e in history(folder)]
    assert ats == sorted(ats)

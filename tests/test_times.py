"""One reader of times (`language/times.py`): the same text is the same instant
in every place a command reads a time — `tick --now`, a `datetime` field's
value, a `--where` comparison (the criteria interpreter), a scenario's `now:`
— and a time without an offset is in the workspace's calendar time zone
(here New York, not the machine's); a year out of range is refused, with the
same reason, everywhere."""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workspace_helpers import run

ITEMS = """\
blueprint: items
module: Items
field: stage
fields:
  meeting: {type: datetime}
  stamped: {type: datetime}
states:
  - name: Open
  - name: Stamped
    final: true
transitions:
  - name: Stamp
    from: Open
    to: Stamped
    then:
      - set: {stamped: "{{now}}"}
"""

ZONE = "America/New_York"


def workspace(folder: Path) -> Path:
    assert run(folder, "init", "--no-sample").code == 0
    with open(folder / ".blueprint" / "config.yaml", "a", encoding="utf-8") as f:
        f.write(f"calendar: {{time_zone: {ZONE}}}\nunknown_users: allow\n")
    (folder / "items.yaml").write_text(ITEMS, encoding="utf-8")
    assert run(folder, "publish", "items.yaml").code == 0
    return folder


def instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment


def scenario_now(folder: Path, text: str, expected: str) -> int:
    """Exit code of a scenario whose clock starts at `text` and that expects
    `{{now}}` to be `expected` (an instant with its offset)."""
    (folder / "items.scenarios.yaml").write_text(
        f"blueprint: items.yaml\nnow: {json.dumps(text)}\ncalendar: {{time_zone: {ZONE}}}\n"
        "scenarios:\n  - name: stamp\n    steps:\n      - move: Stamp\n"
        f"        expect: {{fields: {{stamped: {json.dumps(expected)}}}}}\n", encoding="utf-8")
    return run(folder, "test", "items.scenarios.yaml").code


_OFFSETS = st.sampled_from(["", "", "Z", "+00:00", "+02:00", "-05:00", "+05:45", "-10:00"])


@st.composite
def time_texts(draw: st.DrawFn) -> str:
    moment = draw(st.datetimes(min_value=datetime(1001, 1, 1), max_value=datetime(8999, 12, 31)))
    sep = draw(st.sampled_from(["T", " "]))
    spec = draw(st.sampled_from(["seconds", "minutes"]))
    return moment.isoformat(sep=sep, timespec=spec) + draw(_OFFSETS)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=time_texts())
def test_the_same_text_is_the_same_instant_everywhere(text: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = workspace(Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp())))
    created = run(folder, "--json", "record", "create", "Items", "--set", f"meeting={text}")
    assert created.code == 0, created
    stored = created.json()["fields"]["meeting"]  # type: ignore[index]
    ticked = run(folder, "--json", "tick", "--dry-run", "--now", text)
    assert ticked.code == 0, ticked
    assert instant(ticked.json()["now"]) == instant(stored)  # type: ignore[index]
    if not text[-6:].startswith(("+", "-")) and not text.endswith("Z"):
        from zoneinfo import ZoneInfo

        naive = datetime.fromisoformat(text)
        assert instant(stored) == naive.replace(tzinfo=ZoneInfo(ZONE))  # the calendar's zone, not the machine's
    # the criteria interpreter compares instants: the text matches the value it gave
    listed = run(folder, "--json", "record", "list", "--where", f"meeting = '{text}' and meeting >= '{stored}'")
    assert listed.code == 0 and [r["id"] for r in listed.json()] == ["1"], listed  # type: ignore[attr-defined]
    later = (instant(stored) + timedelta(seconds=1)).isoformat()
    assert run(folder, "--json", "record", "list", "--where", f"meeting > '{later}'").out.strip() == "[]"
    # a scenario's clock read from the same text is the same instant
    assert scenario_now(folder, text, instant(stored).astimezone(timezone.utc).isoformat()) == 0


@pytest.mark.parametrize("text", ["0999-12-31T23:00:00+00:00", "9001-01-01T00:00", "0100-01-01"])
def test_a_year_out_of_range_is_refused_with_the_same_reason_everywhere(tmp_path: Path, text: str) -> None:
    folder = workspace(tmp_path)
    reason = "the year must be between 1000 and 9000"
    ticked = run(folder, "tick", "--now", text)
    assert ticked.code == 2 and f"--now {text!r}: {reason}" in ticked.err, ticked
    created = run(folder, "record", "create", "Items", "--set", f"meeting={text}")
    assert created.code == 2 and reason in created.err, created
    listed = run(folder, "record", "list", "--where", f"meeting < '{text}'")
    assert listed.code == 2 and reason in listed.err, listed
    (folder / "items.scenarios.yaml").write_text(
        f"blueprint: items.yaml\nnow: {json.dumps(text)}\nscenarios:\n  - name: s\n    steps:\n"
        "      - move: Stamp\n", encoding="utf-8")
    tested = run(folder, "test", "items.scenarios.yaml")
    assert tested.code == 1 and reason in tested.out + tested.err, tested


@pytest.mark.parametrize(("zone", "around"), [
    ("America/St_Johns", "2026-03-08T05:30:00+00:00"),     # -3:30 to -2:30, half past a UTC hour
    ("America/St_Johns", "2026-11-01T04:30:00+00:00"),
    ("Australia/Lord_Howe", "2026-10-03T15:30:00+00:00"),  # +10:30 to +11: half an hour, half past
    ("Europe/Berlin", "2026-10-25T01:00:00+00:00"),
    (None, "2026-10-25T01:00:00+00:00"),                   # this machine's zone
])
@pytest.mark.parametrize("first", ["before", "after"])
def test_a_zones_offset_as_an_integer_is_its_offset_at_every_moment(zone: str | None, around: str,
                                                                     first: str) -> None:
    """`times.Offsets` (each hour's offset asked once) against `astimezone`, minute
    by minute across a change of offset (asked first before it, or after), and
    `epoch_us` back and forth."""
    from zoneinfo import ZoneInfo

    from blueprint_cli.language.times import Offsets, epoch_us, from_epoch_us

    tz = ZoneInfo(zone) if zone else None
    offsets = Offsets(tz)
    change = datetime.fromisoformat(around)
    minutes = range(-90, 91) if first == "before" else range(90, -91, -1)
    for minute in minutes:
        moment = change + timedelta(minutes=minute, microseconds=minute % 7)
        us = epoch_us(moment)
        assert from_epoch_us(us) == moment and epoch_us(moment.astimezone(tz)) == us
        assert offsets(us) == moment.astimezone(tz).utcoffset() // timedelta(microseconds=1), moment

"""A record's JSON form (`to_dict`) read back (`from_dict`) is the same record:
what a store writes is what the next command reads, every field of it."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from blueprint_cli.engine.records import PartDone, Record, Task

_text = st.text(min_size=1, max_size=12)
_moment = st.sampled_from(["", "2026-05-01T09:00:00+00:00", "2026-11-02T17:30:00+01:00"])

records = st.builds(
    Record, id=st.integers(1, 10**18 - 1).map(str), module=_text, blueprint=st.none() | _text,
    version=st.none() | st.integers(1, 99), state=st.none() | _text, owner=_text,
    fields=st.dictionaries(_text, st.none() | st.integers() | _text | st.lists(_text, max_size=3), max_size=4),
    tags=st.lists(_text, max_size=3).map(tuple),
    pending=st.lists(st.builds(PartDone, _text, _text, _text, _moment), max_size=2).map(tuple),
    tasks=st.lists(st.builds(Task, st.integers(1, 50), _text, st.none() | _moment, st.none() | _text,
                             st.sampled_from(["open", "done"]), _moment), max_size=2).map(tuple),
    created_at=_moment, updated_at=_moment, state_since=_moment,
    fired=st.lists(st.sampled_from(["sla:0", "sla:1", "skip:Nudge"]), min_size=1, max_size=2).map(tuple),
    fired_since=st.just("2026-05-01T09:00:00+00:00"), undelivered=st.integers(0, 5))


@given(records)
def test_a_record_read_back_from_its_json_form_is_the_same_record(record: Record) -> None:
    record = dataclasses.replace(record, state_since=record.fired_since)  # its timers count in this stay
    again = Record.from_dict(record.to_dict())
    assert again == record  # every field compared: one that `from_dict` did not set would raise
    assert again.with_(state="Elsewhere").state == "Elsewhere"  # a frozen record all the same


def test_a_record_without_its_optional_members_gets_their_defaults() -> None:
    record = Record.from_dict({"id": "7", "module": "Deals"})
    assert record == Record(id="7", module="Deals", blueprint=None, version=None, state=None, owner="")

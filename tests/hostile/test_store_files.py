"""Hostile input, class 9: hand-edited store files. Every store file is checked
against its definition in schemas/store.schema.json when it is read: a file
that does not match is named with its path, never read wrongly and never
rewritten, and the other records go on working."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from blueprint_cli.store.jsonstore import shard
from workspace_helpers import ping_workspace, run

GOOD = {"format": 1, "record": {"id": "2", "module": "Pings", "blueprint": "ping", "version": 1, "state": "Left",
                                "owner": "alice", "fields": {}, "tags": [], "pending": [], "tasks": [],
                                "created_at": "2026-05-04T09:30:00+02:00", "updated_at": "2026-05-04T09:30:00+02:00",
                                "state_since": "2026-05-04T09:30:00+02:00"},
        "history": [{"at": "2026-05-04T09:30:00+02:00", "user": "alice", "kind": "create", "to": "Left"}]}


def broken(**changes: Any) -> dict[str, Any]:
    doc = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        if key == "history":
            doc["history"] = value
        elif value is None:
            doc["record"].pop(key, None)
        else:
            doc["record"][key] = value
    return doc


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    ping_workspace(tmp_path, records=3)
    return tmp_path


def record_file(folder: Path, record_id: str = "2") -> Path:
    return folder / ".blueprint" / "records" / shard(record_id) / f"{record_id}.json"


def assert_named_and_untouched(folder: Path, path: Path, before: bytes | None, reason: str) -> None:
    if not reason.startswith("history/"):  # a list reads records, not their histories
        listed = run(folder, "record", "list")
        assert listed.code == 1 and path.name in listed.err and reason in listed.err, listed
        assert [line.split()[0] for line in listed.out.splitlines()[1:]] == ["1", "3"]  # the others still list
    shown = run(folder, "record", "show", "2")
    assert shown.code == 1 and path.name in shown.err and reason in shown.err and "Traceback" not in shown.err
    for attempt in (("move", "2", "Flip"), ("record", "set", "2", "note=x"), ("record", "tag", "2", "vip")):
        r = run(folder, *attempt)
        assert r.code == 1 and "Traceback" not in r.err, (attempt, r)
    assert run(folder, "record", "tag", "1", "ok").code == 0  # another record still changes
    if before is not None:
        assert path.read_bytes() == before  # never rewritten


@pytest.mark.parametrize(("doc", "reason"), [
    (broken(state=7), "record/state"),
    (broken(fields=["a", "b"]), "record/fields"),
    (broken(tags="vip"), "record/tags"),
    (broken(history=None), "history"),
    (broken(history=[]), "history"),
    (broken(module=None), "module"),
    (broken(version="one"), "record/version"),
    (broken(pending=[{"transition": "Flip"}]), "record/pending/0"),
    (broken(tasks=[{"id": "one", "subject": "x"}]), "record/tasks/0/id"),
    (broken(undelivered=-1), "record/undelivered"),
    (broken(history=[{"at": "x", "user": "alice", "kind": "teleport"}]), "history/0/kind"),
])
def test_a_record_file_of_the_wrong_shape_is_named_and_never_rewritten(folder: Path, doc: dict[str, Any],
                                                                       reason: str) -> None:
    path = record_file(folder)
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert_named_and_untouched(folder, path, path.read_bytes(), reason)


def test_a_record_file_that_is_a_folder_or_a_fifo_is_named_and_nothing_hangs(folder: Path) -> None:
    path = record_file(folder)
    path.unlink()
    path.mkdir()
    assert_named_and_untouched(folder, path, None, "is a folder")
    path.rmdir()
    os.mkfifo(path)  # a read would block for ever
    assert_named_and_untouched(folder, path, None, "not a regular file")


def test_nan_or_infinity_in_a_record_file_is_named(folder: Path) -> None:
    path = record_file(folder)
    path.write_text(json.dumps(broken(fields={"note": float("nan")})), encoding="utf-8")  # writes NaN
    assert_named_and_untouched(folder, path, path.read_bytes(), "NaN is not a number JSON can hold")
    exported = run(folder, "--json", "record", "export", "--format", "json")
    assert exported.code == 1 and "NaN" not in exported.out
    json.loads(exported.out)  # valid JSON: the other records


def test_json_nested_200000_levels_deep_is_named(folder: Path) -> None:
    path = record_file(folder)
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    assert_named_and_untouched(folder, path, path.read_bytes(), "nested")


def test_a_number_longer_than_python_reads_in_a_record_file_is_named(folder: Path) -> None:
    """Python refuses to read a whole number of more than 4,300 digits, with a
    ValueError that was a traceback on every command reading the record."""
    path = record_file(folder)
    path.write_text(json.dumps(broken(fields={"note": 1})).replace('"note": 1', '"note": 1' + "0" * 5000),
                    encoding="utf-8")
    assert_named_and_untouched(folder, path, path.read_bytes(), "a number of more than 4300 digits")


@pytest.mark.parametrize(("edit", "reason"), [
    (lambda d: d.pop("states"), "states"),
    (lambda d: d.update(states="Left, Right"), "states"),
    (lambda d: d.update(states=[]), "states"),
])
def test_a_published_version_of_the_wrong_shape_is_named(folder: Path, edit: Any, reason: str) -> None:
    path = folder / ".blueprint" / "blueprints" / "ping" / "v1.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc["data"])
    path.write_text(json.dumps(doc), encoding="utf-8")
    r = run(folder, "record", "show", "1")
    assert r.code == 1 and "v1.json" in r.err and reason in r.err and "Traceback" not in r.err, r


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("blueprints/index.json", '{"format": 1, "blueprints": [{"id": "ping", "module": "Pings", "latest": "1", "seq": 1}]}',
     "latest"),
    ("blueprints/index.json", '{"format": 1, "blueprints": {"ping": 1}}', "blueprints"),
    ("counters.json", '{"format": 1, "next_id": "four"}', "next_id"),
    pytest.param("counters.json", '{"format": 1, "next_id": 1' + "0" * 5000 + "}", "a number of more than 4300 digits",
                 id="counters.json-a-number-of-5001-digits"),
    pytest.param("counters.json", '{"format": 1, "next_id": 1' + "0" * 400 + "}", "greater than the maximum of 1000000000000000000 (452 characters)",
                 id="counters.json-an-id-of-401-digits-named-not-echoed"),
])
def test_other_store_files_of_the_wrong_shape_are_named(folder: Path, name: str, content: str, reason: str) -> None:
    path = folder / ".blueprint" / name
    path.write_text(content, encoding="utf-8")
    r = run(folder, "record", "create", "Pings")
    assert r.code == 1 and path.name in r.err and reason in r.err and "Traceback" not in r.err, r
    assert path.read_text(encoding="utf-8") == content


def test_when_the_ids_are_used_up_a_create_is_refused_and_the_counter_kept(folder: Path) -> None:
    from blueprint_cli.store.contract import MOST_ID

    counters = folder / ".blueprint" / "counters.json"
    counters.write_text(json.dumps({"format": 1, "next_id": MOST_ID}), encoding="utf-8")
    last = run(folder, "--json", "record", "create", "Pings")
    assert last.code == 0 and last.json()["id"] == str(MOST_ID), last  # type: ignore[index]
    for _ in range(2):  # the counter written one past the last is read, and refused the same way
        refused = run(folder, "record", "create", "Pings")
        assert refused.code == 1 and "no record id is left" in refused.err and "Traceback" not in refused.err, refused
        assert json.loads(counters.read_text(encoding="utf-8"))["next_id"] == MOST_ID + 1
    assert run(folder, "record", "show", "2").code == 0  # the other records go on working


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(sorted(GOOD["record"]) + ["timers", "undelivered"]), value=JSON)
def test_any_value_in_a_record_file_is_read_or_named_never_a_traceback(tmp_path_factory: Any, key: str,
                                                                         value: Any) -> None:
    from blueprint_cli.store import CorruptFile
    from blueprint_cli.workspace import Workspace

    folder = tmp_path_factory.mktemp("w")
    ws = ping_workspace(folder, records=2)
    path = ws.store.record_path("2")  # type: ignore[attr-defined]
    doc = broken(**{key: value}) if value is not None else broken(**{key: None})
    text = json.dumps(doc)
    path.write_text(text, encoding="utf-8")
    try:
        got = Workspace(ws.root).store.get("2")
    except CorruptFile as exc:
        assert path.name in exc.message
    else:  # read: it really had the shape of a record
        assert got.record.id == "2" and isinstance(got.record.fields, dict)
        assert all(isinstance(t, str) for t in got.record.tags)

"""The JSON store's summary of each record's stays (`.blueprint/stays/`): a
report reads it instead of decoding every record file, and is exactly the
report it would be without it — whatever happened to the record files or to
the summary since."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from blueprint_cli.engine.records import HistoryEntry
from blueprint_cli.store import stays
from blueprint_cli.store.jsonstore import JsonStore, shard
from blueprint_cli.workspace import changes

from test_report import H, NOW, at, by_state, sales
from workspace_helpers import run

pytestmark = pytest.mark.json_store_only


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The record files a report reads the full way (not through the summary)."""
    read: list[str] = []
    full_way = JsonStore._passages

    def counted(self: JsonStore, path: str, record_id: str, **options: Any) -> Any:
        read.append(record_id)
        return full_way(self, path, record_id, **options)

    monkeypatch.setattr(JsonStore, "_passages", counted)
    return read


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Record files count as old enough to summarize as soon as they are written
    (the tests' files are milliseconds old; a real store's, seconds)."""
    monkeypatch.setattr(stays, "RECENT_NS", 0)


def report_text(folder: Path, *args: str) -> str:
    result = run(folder, "report", "--now", NOW, "--json", *args)
    assert result.code == 0 and result.err == "", result
    return result.out


def record_file(folder: Path, record_id: str) -> Path:
    return folder / ".blueprint" / "records" / shard(record_id) / f"{record_id}.json"


def summaries(folder: Path) -> list[Path]:
    return sorted((folder / ".blueprint" / "stays").glob("*/*.json"))


def without_summary(folder: Path, *args: str) -> str:
    """The report as a store with no summary gives it (the summary dropped first)."""
    shutil.rmtree(folder / ".blueprint" / "stays", ignore_errors=True)
    return report_text(folder, *args)


@pytest.mark.usefixtures("settled")
def test_a_report_reads_the_summary_instead_of_the_record_files_and_says_the_same(
        tmp_path: Path, reads: list[str]) -> None:
    sales(tmp_path, misfit=True)
    first = report_text(tmp_path)
    assert sorted(reads) == ["1", "2", "3", "4", "5"]  # no summary yet: every file read, the summary written
    assert len(summaries(tmp_path)) == 5  # one per shard folder holding a record
    for options in [(), ("--by", "region", "--idle", "1d"), ("--since", "2026-05-06", "--until", "2026-05-08"),
                    ("--where", "owner = bob")]:
        reads.clear()
        through_summary = report_text(tmp_path, *options)
        assert reads == [], options  # every record from the summary
        assert through_summary == without_summary(tmp_path, *options)
    assert report_text(tmp_path) == first


def test_a_record_file_written_seconds_ago_is_read_in_full_and_not_summarized(tmp_path: Path,
                                                                              reads: list[str]) -> None:
    """File times are kept in ticks: a file changed again within the same tick
    could keep its size and times, so a just-written file is not summarized."""
    sales(tmp_path)
    report_text(tmp_path)
    report_text(tmp_path)
    assert sorted(reads) == ["1", "1", "2", "2", "3", "3", "4", "4"]
    assert summaries(tmp_path) == []


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize("how", ["same size, same modification time", "replaced by a copy", "moved through the store"])
def test_a_record_file_changed_behind_the_summary_is_read_fresh(tmp_path: Path, reads: list[str], how: str) -> None:
    """Record 2 leaves Call for Lost at 15:00 instead of 12:00: Call's stays are
    44h and 5h, no longer 44h and 2h, so their median is 24.5h, not 23h."""
    ws = sales(tmp_path)
    assert by_state(run(tmp_path, "report", "--now", NOW, "--json").json())["Call"]["time_in_state"][
        "median_seconds"] == 23 * H
    path = record_file(tmp_path, "2")
    before = path.stat()
    text = path.read_bytes().replace(b"2026-05-05T12:00:00+00:00", b"2026-05-05T15:00:00+00:00")
    if how == "same size, same modification time":  # a hand edit in place, then the time set back
        path.write_bytes(text)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        after = path.stat()
        assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    elif how == "replaced by a copy":
        copy = path.with_name("copy")
        copy.write_bytes(text)
        os.replace(copy, path)
    else:  # a write that does not touch the summary: the store's own, amending the last entry
        with ws.store.transaction("2") as txn:
            moved = dataclasses.replace(txn.current.history[-1], at="2026-05-05T15:00:00+00:00")
            txn.commit(txn.current.record.with_(updated_at=moved.at, state_since=moved.at), amend={-1: moved})
    reads.clear()
    fresh = report_text(tmp_path)
    assert reads == ["2"]
    assert by_state(run(tmp_path, "report", "--now", NOW, "--json").json())["Call"]["time_in_state"][
        "median_seconds"] == 24.5 * H
    assert fresh == without_summary(tmp_path)


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize("damage", ["garbage", "cut short", "one byte changed", "empty", "a folder"])
def test_a_damaged_summary_is_ignored_and_rebuilt(tmp_path: Path, reads: list[str], damage: str) -> None:
    sales(tmp_path)
    expected = report_text(tmp_path)
    summary = tmp_path / ".blueprint" / "stays" / "sales" / f"{shard('1')}.json"
    text = summary.read_bytes()
    if damage == "garbage":
        summary.write_bytes(b"\x00\xff not a summary")
    elif damage == "cut short":
        summary.write_bytes(text[:len(text) // 2])
    elif damage == "one byte changed":  # still JSON, still the same shape: the checksum tells
        at = text.index(b"14400000000")  # record 1's first stay: 4 working hours, in microseconds
        summary.write_bytes(text[:at] + b"14400000001" + text[at + 11:])
    elif damage == "empty":
        summary.write_bytes(b"")
    else:
        summary.unlink()
        summary.mkdir()
    reads.clear()
    assert report_text(tmp_path) == expected
    assert reads == ["1"]
    if damage != "a folder":  # rebuilt: the next report reads no file in full
        reads.clear()
        assert report_text(tmp_path) == expected
        assert reads == []


@pytest.mark.usefixtures("settled")
def test_a_store_where_the_summary_cannot_be_written_still_reports(tmp_path: Path, reads: list[str]) -> None:
    sales(tmp_path)
    expected = without_summary(tmp_path)
    shutil.rmtree(tmp_path / ".blueprint" / "stays")
    (tmp_path / ".blueprint" / "stays").write_text("a file where the folder would be", encoding="utf-8")
    reads.clear()
    assert report_text(tmp_path) == expected
    assert report_text(tmp_path) == expected
    assert sorted(reads) == ["1", "1", "2", "2", "3", "3", "4", "4"]  # every time the full way, no error


@pytest.mark.usefixtures("settled")
def test_broken_record_files_and_misfits_are_listed_in_id_order_as_without_a_summary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store reads shard folder by shard folder (record 3's before record
    1's, 6's before 5's); what the report lists is in id order all the same, in
    one pass or split between processes."""
    from blueprint_cli.report import gather

    ws = sales(tmp_path, misfit=True)  # 5 moves by a transition version 1 does not have
    six = changes.create(ws, "Leads", {"name": "Hooli", "region": "South"}, user="bob", owner="bob",
                         at=at("2026-05-11T13:00")).record.id
    with ws.store.transaction(six) as txn:  # 6 goes from Lead straight to Won: not a move of version 1
        txn.commit(txn.current.record.with_(state="Won", updated_at="2026-05-12T09:00:00+00:00",
                                            state_since="2026-05-12T09:00:00+00:00"),
                   [HistoryEntry(at="2026-05-12T09:00:00+00:00", user="admin", kind="move", transition="Win",
                                 from_state="Lead", to_state="Won", version=1)])
    assert six == "6" and shard("3") < shard("1") and shard("6") < shard("5")
    report_text(tmp_path)  # the summary written
    for broken in ("1", "3"):
        record_file(tmp_path, broken).write_text("{not json", encoding="utf-8")
    outputs = []
    for parts in (1, 2, 3):
        monkeypatch.setattr(gather, "SHARE_AT_LEAST", 1)
        monkeypatch.setattr(gather, "processors", lambda: parts)
        result = run(tmp_path, "report", "--now", NOW, "--json")
        assert result.code == 1
        data = result.json()
        assert [m["id"] for m in data["misfits"]["entries"]] == ["5", "6"]  # type: ignore[index]
        named = [line for line in result.err.splitlines() if "not valid JSON" in line]
        assert [line.split(":")[1].strip() for line in named] == [
            f".blueprint/records/{shard('1')}/1.json", f".blueprint/records/{shard('3')}/3.json"]
        outputs.append(result.out)
    assert outputs[0] == outputs[1] == outputs[2]


@pytest.mark.usefixtures("settled")
def test_a_summary_brought_up_to_date_reads_only_the_changed_records(tmp_path: Path, reads: list[str]) -> None:
    """Records 6 and 68 share a shard folder (and so a summary file): after 68
    moves and 6's file is rewritten by hand in another layout (one line), the
    next report reads just those two, and the one after reads none."""

    from blueprint_cli.engine import Inputs

    ws = sales(tmp_path)
    for i in range(5, 69):
        changes.create(ws, "Leads", {"name": f"Lead {i}", "region": "North"}, user="alice", owner="alice",
                       at=at("2026-05-11T12:00"))
    assert shard("6") == shard("68")
    before = report_text(tmp_path)
    assert not changes.move(ws, "68", "Qualify", Inputs(), user="admin", at=at("2026-05-12T09:00")).refused
    six = record_file(tmp_path, "6")
    six.write_text(json.dumps(json.loads(six.read_text(encoding="utf-8"))), encoding="utf-8")
    reads.clear()
    after = report_text(tmp_path)
    assert sorted(reads) == ["6", "68"]
    reads.clear()
    assert report_text(tmp_path) == after
    assert reads == []
    assert after == without_summary(tmp_path) != before
    assert by_state(json.loads(after))["Call"]["now"] == by_state(json.loads(before))["Call"]["now"] + 1


@pytest.mark.usefixtures("settled")
def test_the_summary_stays_out_of_git_in_a_workspace_made_before_it(tmp_path: Path) -> None:
    import subprocess

    sales(tmp_path)
    (tmp_path / ".blueprint" / ".gitignore").write_text("locks/\n", encoding="utf-8")  # as `init` wrote it before
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    report_text(tmp_path)
    assert summaries(tmp_path)
    untracked = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path,
                               capture_output=True, text=True, check=True).stdout
    assert ".blueprint/records/" in untracked and "stays" not in untracked, untracked


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize("forge", ["a state that is a list", "a stay's start that is text",
                                   "a move's time past any calendar"])
def test_a_summary_forged_to_look_valid_is_dropped_and_the_files_counted(tmp_path: Path, forge: str) -> None:
    import zlib

    sales(tmp_path)
    expected = report_text(tmp_path)  # the summary written
    path = summaries(tmp_path)[0]
    raw = path.read_bytes()
    entries = json.loads(raw[raw.index(b"\n") + 1:])
    digest = entries[0][6]  # [misfit, states, starts, ...]
    if forge == "a state that is a list":
        digest[1][-1] = ["Won"]  # the state of its last stay
    elif forge == "a stay's start that is text":
        digest[2][0] = "2026-05-04T09:00:00+00:00"  # when its first stay began, in microseconds
    else:
        digest[5][0] = 4 * 10 ** 18  # when its first move was (µs): past the last day a date can hold
    body = ("[" + ",\n".join(json.dumps(e, separators=(",", ":")) for e in entries) + "]").encode()
    key = json.loads(raw[:raw.index(b"\n")])["digest"]
    head = json.dumps({"format": stays.STAYS_FORMAT, "kind": "stays", "digest": key,
                       "crc": zlib.crc32(body)}).encode()
    path.write_bytes(head + b"\n" + body)  # its CRC right, its record files unchanged: it is used
    assert report_text(tmp_path) == expected  # no traceback: counted from the record files instead
    assert path.read_bytes() != head + b"\n" + body  # and the summary made again from them


@pytest.mark.usefixtures("settled")
def test_a_summary_made_under_another_calendar_is_rebuilt(tmp_path: Path, reads: list[str]) -> None:
    """A digest holds each stay's working time on the calendar of its day: the
    calendar changed (working hours 10:00-16:00 instead of 09:00-17:00), record
    1's first stay (Mon 09:00-13:00) is 3 working hours, not 4."""
    sales(tmp_path)
    assert by_state(json.loads(report_text(tmp_path)))["Lead"]["business_time_in_state"]["max_seconds"] == 8 * H
    config = tmp_path / ".blueprint" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "calendar: {time_zone: UTC}", 'calendar: {time_zone: UTC, hours: "10:00-16:00"}'), encoding="utf-8")
    reads.clear()
    after = report_text(tmp_path)
    assert sorted(reads) == ["1", "2", "3", "4"]  # every digest made again
    lead = by_state(json.loads(after))["Lead"]["business_time_in_state"]
    assert (lead["count"], lead["max_seconds"]) == (3, 6 * H)  # record 2: Mon 10:00 to Tue 10:00, on the new hours
    assert after == without_summary(tmp_path)
    reads.clear()
    assert report_text(tmp_path) == after and reads == []  # and kept under the new calendar


@pytest.mark.usefixtures("settled")
def test_a_summary_made_before_a_new_version_is_rebuilt(tmp_path: Path, reads: list[str]) -> None:
    """A digest judges each history against the versions and follows the latest
    one: version 2 ends the funnel at Won alone (Lost is no longer final), so
    record 2, lost, is no longer a completion."""
    from blueprint_cli import workspace
    from blueprint_cli.workspace.publishing import publish

    from test_report import FLOW

    ws = sales(tmp_path)
    before = json.loads(report_text(tmp_path))
    (tmp_path / "sales.yaml").write_text(FLOW.replace("  - name: Lost\n    final: true\n",
                                                      "  - name: Lost\n").replace(
        "  - {name: Lose, from: \"*\", to: Lost}\n", "  - {name: Lose, from: \"*\", to: Lost}\n"
        "  - {name: Reopen, from: Lost, to: Lead}\n"), encoding="utf-8")
    publish(workspace.Workspace(ws.root), tmp_path / "sales.yaml", user="admin", at=at("2026-05-12T08:00"))
    reads.clear()
    after = report_text(tmp_path)
    assert sorted(reads) == ["1", "2", "3", "4"]
    data = json.loads(after)
    assert data["version"] == 2 and before["version"] == 1
    assert [d["completions"] for d in data["throughput"]["per_day"]] != \
        [d["completions"] for d in before["throughput"]["per_day"]]
    assert after == without_summary(tmp_path)


@pytest.mark.usefixtures("settled")
def test_a_history_with_a_time_written_without_an_offset_is_never_summarized(tmp_path: Path,
                                                                             reads: list[str]) -> None:
    """Such a time is read in the zone in effect, which may be another by the
    next report: record 2's Lose at 12:00 on the wall clock is 12:00 UTC in a
    workspace in UTC (Call's stays 44h and 2h: median 23h), 10:00 UTC once it
    is in Europe/Berlin (44h and 0h: 22h)."""
    sales(tmp_path)
    path = record_file(tmp_path, "2")
    path.write_bytes(path.read_bytes().replace(b'"at": "2026-05-05T12:00:00+00:00"', b'"at": "2026-05-05T12:00:00"'))
    first = report_text(tmp_path)
    assert by_state(json.loads(first))["Call"]["time_in_state"]["median_seconds"] == 23 * H
    reads.clear()
    assert report_text(tmp_path) == first
    assert reads == ["2"]  # read the full way again: its digest was not kept (the others' were)
    config = tmp_path / ".blueprint" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "calendar: {time_zone: UTC}", "calendar: {time_zone: Europe/Berlin}"), encoding="utf-8")
    berlin = report_text(tmp_path)
    assert by_state(json.loads(berlin))["Call"]["time_in_state"]["median_seconds"] == 22 * H
    assert berlin == without_summary(tmp_path)

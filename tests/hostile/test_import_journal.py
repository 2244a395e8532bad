"""Hostile input, round two, security: an import interrupted after its commit
point is finished by the next command that opens the JSON store, from the
journal it left in `.blueprint/locks/imports/`. The journal is a file in the
workspace; what it says must never move anything outside the store's records.
A journal naming anything but a record file and its temporary name beside it
is a corrupt file, named, and nothing is renamed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from blueprint_cli.store.jsonstore import shard
from workspace_helpers import ping_workspace, run

pytestmark = pytest.mark.json_store_only


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    ping_workspace(ws, records=2)
    return ws


def write_journal(folder: Path, files: object) -> Path:
    imports = folder / ".blueprint" / "locks" / "imports"
    imports.mkdir(parents=True, exist_ok=True)
    journal = imports / "999-1.json"
    journal.write_text(json.dumps({"format": 1, "kind": "import", "files": files}), encoding="utf-8")
    return journal


def snapshot(top: Path) -> dict[str, bytes]:
    return {str(p.relative_to(top)): p.read_bytes() for p in top.rglob("*") if p.is_file() and "locks" not in p.parts}


def test_a_journal_naming_a_file_outside_the_store_moves_nothing(folder: Path) -> None:
    victim = folder.parent / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    inside = folder / ".blueprint" / "records" / shard("1") / "1.json"
    hostile = [
        [str(inside.relative_to(folder / ".blueprint")), "../../victim.txt"],   # .. out of the store
        [str(inside.relative_to(folder / ".blueprint")), str(victim)],         # an absolute path
    ]
    for pair in hostile:
        journal = write_journal(folder, [pair])
        before = snapshot(folder.parent)
        r = run(folder, "record", "list")
        assert r.code == 1 and "999-1.json" in r.err and "not an import journal" in r.err, r
        assert "Traceback" not in r.err
        assert victim.read_text(encoding="utf-8") == "precious" and inside.exists()
        assert snapshot(folder.parent) == before
        journal.unlink()
    assert run(folder, "record", "list").code == 0  # once the journal is gone, the store works again


def test_a_journal_naming_a_record_and_its_temporary_is_still_finished(folder: Path) -> None:
    target = folder / ".blueprint" / "records" / shard("7") / "7.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    source = folder / ".blueprint" / "records" / shard("2") / "2.json"
    tmp = target.with_name(f".{target.name}.4242.tmp")
    tmp.write_bytes(source.read_bytes().replace(b'"id": "2"', b'"id": "7"'))
    base = folder / ".blueprint"
    write_journal(folder, [[str(tmp.relative_to(base)), str(target.relative_to(base))]])
    r = run(folder, "record", "list")
    assert r.code == 0, r
    assert target.exists() and not tmp.exists()
    assert not list((base / "locks" / "imports").glob("*.json"))


def test_a_temporary_that_is_a_link_is_refused(folder: Path) -> None:
    base = folder / ".blueprint"
    target = base / "records" / shard("7") / "7.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.1.tmp")
    elsewhere = folder.parent / "elsewhere.json"
    elsewhere.write_text("{}", encoding="utf-8")
    os.symlink(elsewhere, tmp)
    write_journal(folder, [[str(tmp.relative_to(base)), str(target.relative_to(base))]])
    r = run(folder, "record", "list")
    assert r.code == 1 and "not an import journal" in r.err, r
    assert tmp.is_symlink() and not target.exists()


path_part = st.sampled_from(["..", ".", "records", "locks", "blueprints", "index", "1.json", ".1.json.5.tmp",
                             "counters.json", "/", "/tmp", "../../victim.txt", "ab", "00", "x.json", "", "~"])
path_text = st.lists(path_part, min_size=0, max_size=5).map("/".join) | st.text(max_size=20)
journal_files = st.lists(st.lists(path_text, min_size=2, max_size=2) | st.just(["a"]) | st.integers(),
                         max_size=3) | st.none() | st.text(max_size=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=journal_files)
def test_no_journal_touches_a_file_outside_the_records(folder: Path, files: object) -> None:
    """Whatever a journal holds: no traceback, nothing outside the records
    changed, and each record file either stays or is a record."""
    (folder.parent / "victim.txt").write_text("precious", encoding="utf-8")
    write_journal(folder, files)
    before = {k: v for k, v in snapshot(folder.parent).items() if "/records/" not in f"/{k}"}
    r = run(folder, "record", "list")
    assert "Traceback" not in r.err and r.code in (0, 1), r
    after = {k: v for k, v in snapshot(folder.parent).items() if "/records/" not in f"/{k}"}
    assert after == before
    for journal in (folder / ".blueprint" / "locks" / "imports").glob("*.json"):
        journal.unlink()

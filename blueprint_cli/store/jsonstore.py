"""The embedded default store: JSON files under `.blueprint/`, no server.

    records/<shard>/<id>.json        one file per record: the record and its whole
                                     history, so they can never disagree
    index/<blueprint>/<state>/<id>   empty marker files: which records are in a state
    blueprints/index.json            published blueprints, publish order, priorities
    blueprints/<id>/v<N>.yaml|.json  each published version: the text and its data
    counters.json                    the next record id
    locks/                           lock files (`fcntl.flock`)
    stays/<blueprint>/<shard>.json   what `blueprint report` reads of each record,
                                     checked against its file (`store/stays.py`)

Every file carries `"format"`. A record is rewritten whole through a temporary
file, fsync and rename, under its own lock; one move touches one record file
and at most two markers, so its cost does not depend on how many records there
are. The state markers are written so that they are never *missing*: the new
marker is made durable before the record is written, the old one removed after.
A crash can therefore leave only an extra marker, and every read through the
index checks the record itself.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import sys
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine.records import HistoryEntry, Passage, Record, passages_of
from blueprint_cli.store.contract import (
    FORMAT, MOST_ID, BatchWriter, CorruptFile, DigestShare, Digesting, blueprint_problem, Dump, Migrated, problem_in, PublishedBlueprint, Store, StoredRecord, UnknownRecord, Write, build_all, check_id,
    id_order, is_record_id, check_order,
)
from blueprint_cli.store.files import (
    atomic_write, exchange, lock, locked, read_file, read_file_stat, sync_filesystem, touch, touch_durably,
    unlink_quietly, write_into, write_temporary,
)
from blueprint_cli.store import stays
from blueprint_cli.store.recordfile import encode, encode_appending, record_part
from blueprint_cli.store.writer import BatchFiles, Writer, write_batch

_BLUEPRINT_ID = re.compile(r"^[a-z][a-z0-9-]{0,99}$")
_SAFE = re.compile(r"[^A-Za-z0-9 _-]")


def state_key(state: str) -> str:
    """A state name as one safe folder name: readable, never `.`/`..`/`a/b`."""
    return _SAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode("utf-8")), state) or "%00"


def check_blueprint_id(blueprint: str) -> str:
    if not _BLUEPRINT_ID.match(blueprint or ""):
        raise BlueprintError(f"{blueprint!r} is not a blueprint id", hint="blueprint ids look like deal-follow-up")
    return blueprint


def shard(record_id: str) -> str:
    return f"{zlib.crc32(record_id.encode()) & 0xFF:02x}"


class JsonStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.records_dir = root / "records"
        self.index_dir = root / "index"
        self.blueprints_dir = root / "blueprints"
        self.locks_dir = root / "locks"
        #: "sh"/"ex" while this process holds the publish lock (it is not re-entrant across descriptors)
        self._held: str | None = None
        #: the publish lock's descriptor while a session holds it (a batch hands a copy to a writer)
        self._session_fd: int | None = None
        self._data_cache: dict[tuple[str, int], Mapping[str, Any]] = {}
        self._published: tuple[tuple[int, int, int], list[PublishedBlueprint]] | None = None
        #: whether the file system swaps files atomically (batches; found out on first use)
        self._exchange: bool | None = None
        self._marker_dirs: dict[tuple[str, str], str] = {}
        self._finish_imports()  # an import a crash cut short after its commit point

    @classmethod
    def init(cls, root: Path) -> JsonStore:
        store = cls(root)
        for d in (store.records_dir, store.index_dir, store.blueprints_dir, store.locks_dir):
            d.mkdir(parents=True, exist_ok=True)
        counters = root / "counters.json"
        if not counters.exists():
            atomic_write(counters, _json({"format": FORMAT, "next_id": 1}))
        return store

    # ----- what the store is -----------------------------------------------------------

    @property
    def location(self) -> str:
        return str(self.root)

    @property
    def folder(self) -> Path | None:
        return self.root

    def info(self) -> dict[str, Any]:
        return {"kind": "json", "folder": str(self.root), "records": sum(1 for _ in self.scan(errors=[])),
                "blueprints": len(self.published())}

    def counts(self) -> dict[str, int]:
        records = history = 0
        for record in self.scan():
            records += 1
            history += len(self.get(record.id).history)
        pubs = self.published()
        return {"records": records, "history": history, "blueprints": len(pubs),
                "versions": sum(len(p.version_numbers()) for p in pubs)}

    def next_id(self) -> int:
        try:
            return self._counter()[1]
        except CorruptFile:
            if not (self.root / "counters.json").exists():
                return 1
            raise

    def is_empty(self) -> bool:
        has_records = any(self.records_dir.glob("*/*.json")) if self.records_dir.exists() else False
        return not has_records and not self.published()

    def reopened(self) -> Store:
        return JsonStore(self.root)

    def migrate(self) -> Sequence[Migrated]:
        return []  # every file carries its format; a later release reads older ones as they are

    def close(self) -> None:
        pass

    def load(self, dump: Dump, progress: Callable[[int], None] | None = None) -> None:
        """Write every version and record file as it is; each file atomically, and
        the file system flushed once at the end."""
        if not self.is_empty():
            raise BlueprintError(f"the target {self.root} already holds records or blueprints", exit_code=1,
                                 hint="copy into a workspace folder whose store is empty")
        JsonStore.init(self.root)
        with self.publishing() as pub:
            for bp, versions in dump.blueprints:
                for version, text, data, meta in versions:
                    pub.save_version(bp.id, version, text, data, meta)
                    pub.activate(bp.id, version, bp.module, bp.priority, meta)
        n = 0
        for stored in dump.records:
            record = stored.record
            path = self.record_path(record.id)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, encode(record, stored.history), durable=False)
            marker = self._marker(record.blueprint, record.state, record.id)
            if marker is not None:
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.touch()
            n += 1
            if progress is not None and n % 1000 == 0:
                progress(n)
        atomic_write(self.root / "counters.json", _json({"format": FORMAT, "next_id": dump.next_id}))
        os.sync()  # one flush for all the files written above

    # ----- paths ----------------------------------------------------------------------

    def record_path(self, record_id: str) -> Path:
        check_id(record_id)
        return self.records_dir / shard(record_id) / f"{record_id}.json"

    def _lock_path(self, record_id: str) -> Path:
        return self.locks_dir / "records" / shard(record_id) / f"{record_id}.lock"

    def _marker(self, blueprint: str | None, state: str | None, record_id: str) -> Path | None:
        if not blueprint or state is None:
            return None
        return self.index_dir / blueprint / state_key(state) / record_id

    def _marker_path(self, blueprint: str | None, state: str | None, record_id: str) -> str | None:
        """`_marker` as plain text (a batch makes thousands of them)."""
        if not blueprint or state is None:
            return None
        key = (blueprint, state)
        folder = self._marker_dirs.get(key)
        if folder is None:
            folder = self._marker_dirs[key] = os.path.join(self.index_dir, blueprint, state_key(state))
        return os.path.join(folder, record_id)

    def display(self, path: Path | str) -> str:
        try:
            return str(Path(path).relative_to(self.root.parent))
        except ValueError:
            return str(path)

    # ----- reading records ------------------------------------------------------------

    def _load(self, path: Path | str, record_id: str | None = None, *, history: bool = True,
              data: bytes | None = None) -> StoredRecord:
        try:
            raw = data if data is not None else read_file(path)
        except FileNotFoundError:
            if record_id is not None:
                raise UnknownRecord(f"no record {record_id}", hint="see `blueprint record list`") from None
            raise
        except OSError as exc:  # a folder or a FIFO where the file should be, no permission…
            raise self._bad(path, exc.strerror or str(exc)) from None
        head = record_part(raw) if not history else None
        doc = self._checked(path, head if head is not None else raw, history=history)
        try:
            record = Record.from_dict(doc["record"])
            entries = [HistoryEntry.from_dict(e) for e in doc["history"]] if history else []
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise self._bad(path, f"not a valid record: {exc}" if isinstance(exc, ValueError)
                            else f"not a valid record: {type(exc).__name__} {exc}") from None
        if record_id is not None and record.id != record_id:
            raise self._bad(path, f"holds record {record.id!r}, not {record_id!r}")
        return StoredRecord(record, entries)

    def _bad(self, path: Path | str, problem: str) -> CorruptFile:
        return CorruptFile(self.display(path), problem)  # the name is worked out only when needed

    def _checked(self, path: Path | str, raw: bytes, *, history: bool = True) -> dict[str, Any]:
        """A record file's bytes (`raw`, read from `path`) decoded and checked
        whole against the store schema — the record part, and with `history`
        the history — before anything is read from it: never read wrongly,
        then rewritten."""
        doc = _decode_json(raw, lambda problem: self._bad(path, problem))
        if not isinstance(doc, dict) or "format" not in doc:
            raise self._bad(path, "not a record file: no `format`")
        if not isinstance(doc["format"], int) or doc["format"] > FORMAT:
            raise self._bad(path, f"written in store format {doc['format']!r}; this blueprint reads format {FORMAT}")
        problem = problem_in("record_file", doc) or (problem_in("history", doc["history"], "history") if history else None)
        if problem is not None:
            raise self._bad(path, f"not a valid record file: {problem}")
        return doc

    def get(self, record_id: str) -> StoredRecord:
        return self._load(self.record_path(record_id), record_id)

    def scan(self, *, blueprint: str | None = None, state: str | None = None,
             errors: list[CorruptFile] | None = None) -> Iterator[Record]:
        """Records in id order; with `blueprint`/`state`, only those (through the index).
        Unreadable files are added to `errors` (or raised when no list is given)."""
        ids = self._ids(blueprint, state)
        records_dir = str(self.records_dir)
        for record_id in sorted(ids, key=id_order):
            # plain strings here: pathlib costs more than the read for 100,000 small files
            path = os.path.join(records_dir, shard(record_id), record_id + ".json")
            try:
                record = self._load(path, record_id, history=False).record
            except UnknownRecord:
                continue  # a marker left by a crash between its creation and the record's
            except CorruptFile as exc:
                if errors is None:
                    raise
                errors.append(exc)
                continue
            if blueprint is not None and record.blueprint != blueprint:
                continue
            if state is not None and record.state != state:
                continue
            yield record

    def histories(self, *, blueprint: str | None = None,
                  errors: list[CorruptFile] | None = None) -> Iterator[tuple[Record, Sequence[Passage]]]:
        """Every record file (of `blueprint`: those its index names) read once,
        one at a time, in id order: the record and its history's passages (the
        entries' other members are not decoded into objects)."""
        yield from self._histories(sorted(self._ids(blueprint, None), key=id_order), blueprint, errors)

    def digested_shares(self, blueprint: str, digest: Digesting, *, parts: int,
                        least: int) -> list[DigestShare]:
        """The records of `blueprint` with their digests, read through the
        summary (`_summarized`), as up to `parts` runs of whole shard folders
        of at least `least` records each, for as many processes to read at
        once. The ids are listed once, here, so the runs neither overlap nor
        miss a record that a move or a new record meanwhile places elsewhere in
        the index; no two runs share a summary file."""
        shards = self._shards(blueprint)
        total = sum(len(ids) for _, ids in shards)
        n = max(1, min(parts, total // max(least, 1)))
        runs: list[list[tuple[str, list[str]]]] = [[] for _ in range(n)]
        seen = 0
        for folder in shards:  # cut where the count of records passes each n-th of the total
            runs[min(n - 1, seen * n // total)].append(folder)
            seen += len(folder[1])
        return [functools.partial(self._summarized, run, blueprint, digest) for run in runs if run]

    def drop_summary(self, blueprint: str) -> None:
        shutil.rmtree(os.path.join(self.root, stays.FOLDER, check_blueprint_id(blueprint)), ignore_errors=True)

    def _shards(self, blueprint: str) -> list[tuple[str, list[str]]]:
        """The ids the index of `blueprint` names, by shard folder (in order; the
        ids of a folder in no order: the report orders what it lists itself, and
        ordering 100,000 ids here costs a quarter of a second before the pass is split)."""
        by_shard: dict[str, list[str]] = {}
        for record_id in self._ids(blueprint, None):
            by_shard.setdefault(shard(record_id), []).append(record_id)
        return [(name, by_shard[name]) for name in sorted(by_shard)]

    def _summarized(self, shards: Sequence[tuple[str, list[str]]], blueprint: str, digest: Digesting,
                    errors: list[CorruptFile] | None) -> Iterator[tuple[Record, list[Any]]]:
        """The records of `shards` (shard folder, ids) with their digests: each
        from the shard's summary (`store/stays.py`) when the record file is still
        the one its entry was made from (one `stat`) and the summary was made
        under `digest.key`, else from the file read the full way (`_passages`: a
        damaged file is reported exactly as without a summary) and digested.
        Then the summary is written afresh if any entry was missing or stale.
        One shard's summary in memory at a time."""
        records_dir = str(self.records_dir)
        key = digest.key
        for name, ids in shards:
            folder = os.path.join(records_dir, name)
            summary = stays.summary_path(self.root, blueprint, name)
            known, written = stays.read(summary, key)
            changes: dict[str, bytes | None] = {}  # new entries, and stale ones to drop (None)
            try:
                dir_fd: int | None = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            except OSError:
                dir_fd = None  # no folder: every file is missing (the full way says so)
            try:
                for record_id in ids:
                    file = record_id + ".json"
                    e = known.get(record_id)
                    found = None
                    if e is not None and dir_fd is not None:
                        try:
                            if stays.matches(e, os.stat(file, dir_fd=dir_fd)):  # as the full way reads it
                                found = stays.use(e, record_id)
                        except OSError:
                            pass  # the full way says what is wrong
                    if found is None:
                        try:
                            record, passages, read = self._passages(os.path.join(folder, file), record_id, keep=True)
                        except FileNotFoundError:
                            if e is not None:
                                changes[record_id] = None
                            continue  # a marker left by a crash, or a record removed meanwhile
                        except CorruptFile as exc:
                            if e is not None:
                                changes[record_id] = None
                            if errors is None:
                                raise
                            errors.append(exc)
                            continue
                        digested, lasting = digest(record, passages)
                        fresh = stays.entry(record_id, *read, digested, time.time_ns()) \
                            if lasting and read is not None else None
                        if fresh is not None or e is not None:
                            changes[record_id] = fresh
                    else:
                        record, digested = found
                    if record.blueprint != blueprint:
                        continue
                    yield record, digested
            finally:
                if dir_fd is not None:
                    os.close(dir_fd)
            if changes:
                stays.write(summary, key, written, changes)

    def _histories(self, ids: Sequence[str], blueprint: str | None,
                   errors: list[CorruptFile] | None) -> Iterator[tuple[Record, Sequence[Passage]]]:
        records_dir = str(self.records_dir)
        for record_id in ids:
            path = os.path.join(records_dir, shard(record_id), record_id + ".json")
            try:
                record, passages, _ = self._passages(path, record_id)
            except FileNotFoundError:
                continue  # a marker left by a crash, or a record removed meanwhile
            except CorruptFile as exc:
                if errors is None:
                    raise
                errors.append(exc)
                continue
            if blueprint is not None and record.blueprint != blueprint:
                continue
            yield record, passages

    def _passages(self, path: str, record_id: str, *, keep: bool = False
                  ) -> tuple[Record, list[Passage], tuple[os.stat_result, bytes, dict[str, Any]] | None]:
        """A record file read the full way: the record, its passages, and with
        `keep` what its summary entry is made of (`stays.entry`: the file's
        status before it was read, its bytes, its record part decoded)."""
        try:
            raw, st = read_file_stat(path)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise self._bad(path, exc.strerror or str(exc)) from None
        doc = self._checked(path, raw)
        try:
            record = Record.from_dict(doc["record"])
            passages = passages_of(doc["history"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise self._bad(path, f"not a valid record: {exc}") from None
        if record.id != record_id:
            raise self._bad(path, f"holds record {record.id!r}, not {record_id!r}")
        return record, passages, (st, raw, doc["record"]) if keep else None

    def _ids(self, blueprint: str | None, state: str | None) -> set[str]:
        if blueprint is None and state is None:
            return {name[:-5] for d in _subdirs(self.records_dir) for name in _names(d)
                    if name.endswith(".json")}
        roots = [self.index_dir / check_blueprint_id(blueprint)] if blueprint else _subdirs(self.index_dir)
        out: set[str] = set()
        for bp_dir in roots:
            dirs = [bp_dir / state_key(state)] if state is not None else _subdirs(bp_dir)
            for d in dirs:
                out.update(_names(d))
        return out

    def record_ids_in(self, blueprint: str, state: str) -> list[str]:
        return [r.id for r in self.scan(blueprint=blueprint, state=state, errors=[])]

    def ids(self, *, blueprint: str, state: str) -> list[str]:
        """Ids the index places in the state (markers only: a crash may leave an extra one)."""
        return sorted(self._ids(blueprint, state), key=id_order)

    # ----- writing records ------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[None]:
        """Hold off publishing while a command reads blueprints and writes records."""
        if self._held is not None:
            yield
            return
        fd = lock(self.locks_dir / "publish.lock", shared=True, what="the workspace (being published)")
        self._held, self._session_fd = "sh", fd
        try:
            yield
        finally:
            self._held = self._session_fd = None
            os.close(fd)

    @contextmanager
    def transaction(self, record_id: str) -> Iterator[_Transaction]:
        check_id(record_id)
        with self.session():
            with locked(self._lock_path(record_id), what=f"record {record_id}"):
                yield _Transaction(self, self.get(record_id))

    def create(self, build: Callable[[str], tuple[Record, HistoryEntry]]) -> Record:
        """Allocate the next id, build the record with it, and write it."""
        with self.session():
            while True:
                record_id = self._next_id()
                path = self.record_path(record_id)
                try:
                    with locked(self._lock_path(record_id), what=f"record {record_id}"):
                        if path.exists():  # the counter was behind (restored from a backup?): take the next
                            continue
                        record, entry = build(record_id)
                        if record.id != record_id:
                            raise ValueError("the built record must carry the allocated id")
                        _Transaction(self, None).write(record, [entry], None)
                        return record
                except BaseException:
                    if not path.exists():  # nothing was written: a failed create uses up no id
                        self._give_back(int(record_id), int(record_id) + 1)
                    raise

    @contextmanager
    def batch(self, record_ids: Sequence[str], errors: list[CorruptFile] | None = None) -> Iterator[_Batch]:
        """Lock the records in id order, read them, and write changes together."""
        ids = sorted(dict.fromkeys(check_id(i) for i in record_ids), key=id_order)
        with self.session():
            fds: list[int] = []
            try:
                # plain strings: pathlib costs more than the lock itself for thousands of records
                lock_dir = os.path.join(self.locks_dir, "records")
                for record_id in ids:
                    fds.append(lock(os.path.join(lock_dir, shard(record_id), record_id + ".lock"),
                                    what=f"record {record_id}"))
                current: dict[str, StoredRecord] = {}
                for record_id in ids:
                    try:
                        current[record_id] = self._load_raw(record_id)
                    except UnknownRecord:
                        continue
                    except CorruptFile as exc:
                        if errors is None:
                            raise
                        errors.append(exc)
                yield _Batch(self, current, fds)
            finally:
                for fd in fds:
                    os.close(fd)

    @contextmanager
    def writer(self) -> Iterator[Writer | None]:
        """A helper process that writes batches while the caller prepares the next
        (`_Batch.hand_over`); leaving the block waits until all are written. None
        where no process can be started (the caller commits batches itself)."""
        try:
            helper = Writer()
        except OSError:
            yield None
            return
        try:
            yield helper
        except BaseException:
            helper.close(quietly=True)
            raise
        helper.close()

    def _load_raw(self, record_id: str) -> _RawRecord:
        """A record for a batch: the record decoded, its history only if asked for,
        and the file's bytes (to append to: `encode_appending`)."""
        path = os.path.join(self.records_dir, shard(record_id), record_id + ".json")  # the id is checked
        try:
            raw = read_file(path)
        except FileNotFoundError:
            raise UnknownRecord(f"no record {record_id}", hint="see `blueprint record list`") from None
        except OSError as exc:
            raise CorruptFile(self.display(path), exc.strerror or str(exc)) from None
        loaded = self._load(path, record_id, history=False, data=raw)  # checks the whole file is valid
        return _RawRecord(self, path, loaded.record, raw)

    def create_many(self, builds: Sequence[Callable[[str], tuple[Record, HistoryEntry]]]) -> list[Record]:
        """Allocate ids for all (one counter write), build, and write the records
        with one sync for the lot (see `_Batch.commit`)."""
        if not builds:
            return []
        with self.session():
            with locked(self.locks_dir / "ids.lock", what="record ids"):
                data, n = self._counter()
                ids: list[str] = []
                while len(ids) < len(builds):
                    _ids_left(n, len(builds) - len(ids))
                    if not self.record_path(str(n)).exists():  # a counter behind (restored?) skips taken ids
                        ids.append(str(n))
                    n += 1
                atomic_write(self.root / "counters.json", _json({**data, "format": FORMAT, "next_id": n}))
            # No record lock is taken: the ids are fresh from the counter, so no other
            # process writes these files, and a reader sees each file whole or not at
            # all (renamed into place). A lock per record held across the import
            # would keep a file open per row: an import of more rows than the
            # process may open files would fail.
            first, end = int(ids[0]), n
            try:
                built = build_all(ids, builds)
            except BaseException:
                self._give_back(first, end)
                raise
            self._write_new(built, aborted=lambda: self._give_back(first, end))
            return [record for record, _ in built]

    def _write_new(self, built: Sequence[tuple[Record, HistoryEntry]],
                   aborted: Callable[[], None] = lambda: None) -> None:
        """Write new records all or none, whatever the instant of a crash: each file
        and marker is written under a temporary name and synced; then a journal
        naming them all is written (the commit point), the files are renamed into
        place, synced, and the journal removed. A crash before the journal leaves
        none of them (only unused temporary files and extra markers, which every
        read through the index checks); a crash after it is finished by the next
        command that opens the store (`_finish_imports`). `aborted` runs when
        nothing was written (before the commit point)."""
        folder = self.locks_dir / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{os.getpid()}-{time.time_ns()}"
        journal = folder / f"{name}.json"
        staged: list[tuple[Path, Path]] = []
        # held while the import runs, so that another process leaves this journal alone
        with locked(folder / f"{name}.lock", what="an import"):
            try:
                for record, entry in built:
                    marker = self._marker(record.blueprint, record.state, record.id)
                    if marker is not None:
                        touch(marker)
                    target = self.record_path(record.id)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    staged.append((write_temporary(target, encode(record, [entry])), target))
                sync_filesystem(self.records_dir)
                atomic_write(journal, _json({"format": FORMAT, "kind": "import", "files": [
                    [str(tmp.relative_to(self.root)), str(target.relative_to(self.root))] for tmp, target in staged]}))
            except BaseException:
                for tmp, _ in staged:
                    unlink_quietly(tmp)
                aborted()
                raise
            for tmp, target in staged:
                os.replace(tmp, target)
            sync_filesystem(self.records_dir)
            unlink_quietly(journal)
        unlink_quietly(folder / f"{name}.lock")

    def _finish_imports(self) -> None:
        """Finish the imports a crash interrupted after their commit point (see
        `_write_new`): rename what is left of their files into place. An import
        still running holds its journal's lock and is left alone."""
        folder = self.locks_dir / "imports"
        try:
            names = [n for n in os.listdir(folder) if n.endswith(".json")]
        except (FileNotFoundError, NotADirectoryError):
            return
        for name in names:
            journal = folder / name
            try:
                fd = lock(journal.with_suffix(".lock"), what="an import", timeout=0)
            except BlueprintError:
                continue  # running
            try:
                if not journal.exists():
                    continue  # finished meanwhile
                try:
                    pairs = _read_json(journal, self, "import_journal")["files"]
                except (KeyError, TypeError, ValueError) as exc:
                    raise CorruptFile(self.display(journal), f"not an import journal ({exc})") from None
                # every pair is checked before any is renamed: a journal is a file in the
                # workspace, and what a file says must never move anything outside the records
                files = [self._journal_pair(journal, tmp, target) for tmp, target in pairs]
                for tmp, target in files:
                    try:
                        os.replace(tmp, target)
                    except FileNotFoundError:
                        pass  # renamed before the crash
                sync_filesystem(self.records_dir)
                unlink_quietly(journal)
            finally:
                os.close(fd)
            unlink_quietly(journal.with_suffix(".lock"))

    def _journal_pair(self, journal: Path, tmp: object, target: object) -> tuple[Path, Path]:
        """One `[temporary, record file]` pair of an import journal, as the paths
        `_write_new` writes: a record file exactly where `record_path` puts it
        and its temporary name beside it. Anything else (an absolute path, `..`,
        a file that is not a record's) makes the journal corrupt, so that no
        rename outside the records ever happens because of what it says."""
        def refuse(what: str) -> CorruptFile:
            return CorruptFile(self.display(journal),
                               f"not an import journal: {what} is not a record file of this store")
        if not isinstance(tmp, str) or not isinstance(target, str):
            raise refuse(repr(target if not isinstance(target, str) else tmp))
        record_id = Path(target).stem if target.endswith(".json") else ""
        if not is_record_id(record_id) or target != str(self.record_path(record_id).relative_to(self.root)):
            raise refuse(repr(target))
        target_path = self.record_path(record_id)
        if not re.fullmatch(rf"\.{re.escape(target_path.name)}\.[0-9]+\.tmp", Path(tmp).name) \
                or tmp != str(target_path.with_name(Path(tmp).name).relative_to(self.root)):
            raise refuse(repr(tmp))
        if (self.root / tmp).is_symlink():  # renamed into place, it would make the record a link elsewhere
            raise refuse(repr(tmp))
        return self.root / tmp, target_path

    def _next_id(self) -> str:
        with locked(self.locks_dir / "ids.lock", what="record ids"):
            data, n = self._counter()
            _ids_left(n, 1)
            atomic_write(self.root / "counters.json", _json({**data, "format": FORMAT, "next_id": n + 1}))
        return str(n)

    def _give_back(self, first: int, end: int) -> None:
        """Return the ids `first` to `end - 1`, taken for records that were not
        written, when no other process has taken an id since (the counter is
        still at `end`); else they stay a gap, as they must."""
        try:
            with locked(self.locks_dir / "ids.lock", what="record ids"):
                data, n = self._counter()
                if n == end:
                    atomic_write(self.root / "counters.json", _json({**data, "format": FORMAT, "next_id": first}))
        except (OSError, BlueprintError):
            pass  # the ids stay used: a gap, never a reused id

    def _counter(self) -> tuple[dict[str, Any], int]:
        """`counters.json` and the next record id in it (read under `ids.lock`)."""
        path = self.root / "counters.json"
        data = _read_json(path, self, "counters")
        try:
            return data, int(data["next_id"])
        except (KeyError, TypeError, ValueError):
            raise CorruptFile(self.display(path), "no valid `next_id`") from None

    # ----- blueprints -------------------------------------------------------------------

    def published(self) -> list[PublishedBlueprint]:
        path = self.blueprints_dir / "index.json"
        try:
            st = path.stat()
        except FileNotFoundError:
            return []
        # read once per change: listing many records asks for every one of them
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._published is not None and self._published[0] == key:
            return list(self._published[1])
        data = _read_json(path, self, "blueprint_index")
        try:
            found = [PublishedBlueprint(str(b["id"]), str(b["module"]), int(b["latest"]), int(b["seq"]),
                                        b.get("priority"), tuple(b.get("versions") or ()))
                     for b in data["blueprints"]]
        except (KeyError, TypeError, ValueError):
            raise CorruptFile(self.display(path), "not a valid blueprint index") from None
        self._published = (key, found)
        return list(found)

    def _version_path(self, blueprint: str, version: int, suffix: str) -> Path:
        return self.blueprints_dir / check_blueprint_id(blueprint) / f"v{int(version)}.{suffix}"

    def blueprint_data(self, blueprint: str, version: int) -> Mapping[str, Any]:
        key = (blueprint, version)
        if key not in self._data_cache:
            path = self._version_path(blueprint, version, "json")
            if not path.exists():
                raise BlueprintError(f"blueprint {blueprint} version {version} is not published in this workspace",
                                     hint="see `blueprint publish`", exit_code=2)
            doc = _read_json(path, self, "version_file")
            problem = blueprint_problem(doc["data"])
            if problem is not None:
                raise CorruptFile(self.display(path), problem)
            self._data_cache[key] = doc["data"]
        return self._data_cache[key]

    def blueprint_text(self, blueprint: str, version: int) -> str:
        path = self._version_path(blueprint, version, "yaml")
        try:
            return read_file(path).decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problem = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise CorruptFile(self.display(path), problem or str(exc)) from None

    @contextmanager
    def publishing(self) -> Iterator[_Publishing]:
        if self._held is not None:
            raise RuntimeError("publishing inside another store session")
        with locked(self.locks_dir / "publish.lock", what="the workspace"):
            self._held = "ex"
            try:
                yield _Publishing(self)
            finally:
                self._held = None


class _Transaction:
    def __init__(self, store: JsonStore, current: StoredRecord | None) -> None:
        self.store = store
        #: None only while `create` writes a record's first version
        self._current = current

    @property
    def current(self) -> StoredRecord:
        assert self._current is not None
        return self._current

    def commit(self, record: Record, append: Sequence[HistoryEntry] = (),
               amend: Mapping[int, HistoryEntry] | None = None) -> None:
        if record.id != self.current.record.id:
            raise ValueError("a transaction commits the record it locked")
        check_order(self.current.record, append)
        self.write(record, list(append), amend)

    def write(self, record: Record, append: list[HistoryEntry], amend: Mapping[int, HistoryEntry] | None) -> None:
        store = self.store
        history = list(self._current.history) if self._current is not None else []
        for index, entry in (amend or {}).items():
            history[index] = entry
        history += append
        new_marker = store._marker(record.blueprint, record.state, record.id)
        old = self._current.record if self._current is not None else None
        old_marker = store._marker(old.blueprint, old.state, old.id) if old is not None else None
        if new_marker is not None:
            touch_durably(new_marker)  # before the record: a marker may be extra, never missing
        path = store.record_path(record.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, encode(record, history))
        if old_marker is not None and old_marker != new_marker:
            unlink_quietly(old_marker)
        self._current = StoredRecord(record, history)


class _Batch:
    """Records locked together. `commit` writes every record's new file, makes the
    new state markers, syncs the file system once (so the markers are durable
    before any record names its new state, as in a single write), swaps every file
    into place atomically, syncs once more, and only then removes the old
    markers: one record's write is atomic, as always, and the cost of the syncs
    is shared by the whole batch (`writer.write_batch`).

    Creating a file is what costs most on a busy disk, so a batch creates none in
    its steady state: new contents go into spare files that are swapped with the
    record files (`files.exchange`; the spare then holds the old content and is
    reused by the next batch), and a marker moves to its new state as a hard link
    of the old one. Where the system cannot swap, each file is written under a
    temporary name and renamed, as a single write does.

    `hand_over` gives the writing to a helper process (`writer.Writer`) instead,
    with the batch's locks."""

    def __init__(self, store: JsonStore, current: dict[str, StoredRecord], fds: list[int]) -> None:
        self.store = store
        self.current = current
        self.fds = fds

    def commit(self, writes: Sequence[Write]) -> None:
        files, after = self._stage(writes)
        if files.files:
            write_batch(files)
            for record_id, stored in after.items():
                self.current[record_id] = stored

    def hand_over(self, writes: Sequence[Write], writer: BatchWriter) -> None:
        """`commit`, done by `writer` in its own process: this returns as soon as the
        batch is handed over, with copies of the batch's lock descriptors (and of
        the workspace's session lock), so every record stays locked until it is
        written, whatever becomes of this process. The batch is done with then:
        leave its block (closing this process's descriptors)."""
        if not isinstance(writer, Writer):
            raise TypeError("a batch is handed over to this store's own writer (`JsonStore.writer`)")
        files, _ = self._stage(writes, keep=False)
        if files.files:
            session = [self.store._session_fd] if self.store._session_fd is not None else []
            writer.submit(files, self.fds + session)

    def _stage(self, writes: Sequence[Write], *, keep: bool = True) -> tuple[BatchFiles, dict[str, StoredRecord]]:
        """The batch's files (each write's new content, and the markers that move)
        and, if `keep`, what the batch holds once they are written."""
        store = self.store
        after: dict[str, StoredRecord] = {}
        files: list[tuple[str, bytes]] = []
        markers: list[tuple[str | None, str]] = []
        records_dir = str(store.records_dir)
        for w in writes:
            old = self.current.get(w.record.id)
            if old is None:
                raise ValueError(f"record {w.record.id} is not in this batch")
            check_order(old.record, w.append)  # every record, before any file is written
        for w in writes:
            record = w.record
            old = self.current[record.id]
            path = f"{records_dir}/{shard(record.id)}/{record.id}.json"
            data = None
            if not w.amend and isinstance(old, _RawRecord) and old.raw is not None:
                data = encode_appending(record, old.raw, w.append)
            if data is not None:
                assert isinstance(old, _RawRecord)
                if keep:
                    after[record.id] = _RawRecord(store, path, record, data, old, tuple(w.append))
            else:
                history = list(old.history)
                for index, entry in (w.amend or {}).items():
                    history[index] = entry
                history += list(w.append)
                data = encode(record, history)
                if keep:
                    after[record.id] = StoredRecord(record, history)
            files.append((path, data))
            was = old.record
            new_marker = store._marker_path(record.blueprint, record.state, record.id)
            old_marker = store._marker_path(was.blueprint, was.state, was.id)
            if new_marker is not None and new_marker != old_marker:
                markers.append((old_marker, new_marker))
        return BatchFiles(str(store.locks_dir), records_dir, files, markers, _can_exchange(store)), after


class _RawRecord(StoredRecord):
    """A record a batch holds: decoded, with the bytes of its file; the history is
    decoded only if somebody asks for it (a bulk move only appends to it)."""

    def __init__(self, store: JsonStore, path: Path | str, record: Record, raw: bytes | None,
                 before: _RawRecord | None = None, appended: tuple[HistoryEntry, ...] = ()) -> None:
        self.record = record
        self.raw = raw
        self._store, self._path = store, path
        self._before, self._appended = before, appended
        self._history: list[HistoryEntry] | None = None

    @property
    def history(self) -> list[HistoryEntry]:
        if self._history is None:
            if self._before is not None:
                self._history = self._before.history + list(self._appended)
            else:
                assert self.raw is not None
                self._history = self._store._load(self._path, self.record.id, data=self.raw).history
        return self._history

    @history.setter
    def history(self, value: list[HistoryEntry]) -> None:
        self._history = value


def _can_exchange(store: JsonStore) -> bool:
    """Whether this file system swaps files atomically (asked once per store)."""
    if store._exchange is None:
        probe = store.locks_dir / "spare" / ".probe"
        write_into(str(probe), b"a")
        write_into(str(probe) + "2", b"b")
        store._exchange = exchange(str(probe), str(probe) + "2") and (probe.read_bytes() == b"b")
    return store._exchange


class _Publishing:
    def __init__(self, store: JsonStore) -> None:
        self.store = store

    def record_ids_in(self, blueprint: str, state: str) -> list[str]:
        return self.store.record_ids_in(blueprint, state)

    def transaction(self, record_id: str) -> AbstractContextManager[_Transaction]:
        return self.store.transaction(record_id)

    def save_version(self, blueprint: str, version: int, text: str, data: Mapping[str, Any],
                     meta: Mapping[str, Any]) -> None:
        """Write a version's files; records do not follow it until `activate`."""
        folder = self.store.blueprints_dir / check_blueprint_id(blueprint)
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(self.store._version_path(blueprint, version, "yaml"), text.encode("utf-8"))
        atomic_write(self.store._version_path(blueprint, version, "json"),
                     _json({"format": FORMAT, "blueprint": blueprint, "version": version, **meta, "data": data}))

    def activate(self, blueprint: str, version: int, module: str, priority: int | None,
                 meta: Mapping[str, Any]) -> None:
        """Make `version` the one records follow (the commit point of a publish)."""
        meta = {**meta, "version": version}
        current = self.store.published()
        entries: list[dict[str, Any]] = [{"id": b.id, "module": b.module, "latest": b.latest, "seq": b.seq, "priority": b.priority,
                    "versions": list(b.versions)} for b in current]
        for e in entries:
            if e["id"] == blueprint:
                e.update(module=module, latest=version, priority=priority, versions=[*e["versions"], meta])
                break
        else:
            entries.append({"id": blueprint, "module": module, "latest": version,
                            "seq": max((int(e["seq"]) for e in entries), default=0) + 1, "priority": priority,
                            "versions": [meta]})
        atomic_write(self.store.blueprints_dir / "index.json", _json({"format": FORMAT, "blueprints": entries}))


def _ids_left(first: int, count: int) -> None:
    """Refuse, before the counter is written, ids past the last one a store gives."""
    if first + count - 1 > MOST_ID:
        raise BlueprintError(f"no record id is left: the next would be {first + count - 1:,}, past the last, "
                             f"{MOST_ID:,}", hint="counters.json was edited by hand? set next_id to one more than "
                             "the highest record id", exit_code=1)


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n").encode("utf-8")


class _NotANumber(ValueError):
    pass


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (Python's reader takes them): a file holding
    one was not written by us, and would make `--json` output invalid."""
    raise _NotANumber(name)


_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def _decode_json(raw: bytes, bad: Callable[[str], CorruptFile]) -> Any:
    """A store file's JSON; `bad(problem)` is raised when it is not JSON."""
    try:
        try:  # one decoder for every file: `json.loads` with an option builds a new one per call
            return _DECODER.decode(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return json.loads(raw, parse_constant=_no_constant)  # a BOM, UTF-16…, or the error's own words
    except _NotANumber as exc:
        raise bad(f"not valid JSON: {exc} is not a number JSON can hold") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno}: {exc.msg})" if isinstance(exc, json.JSONDecodeError) else ""
        raise bad(f"not valid JSON{where}") from None
    except RecursionError:
        raise bad("not a store file: JSON nested thousands of levels deep") from None
    except ValueError:  # Python reads no whole number longer than this (a denial-of-service guard)
        raise bad(f"not a store file: a number of more than {sys.get_int_max_str_digits()} digits") from None


def _read_json(path: Path, store: JsonStore, kind: str) -> dict[str, Any]:
    """A store file other than a record's, checked against its definition in
    blueprint_cli/schemas/store.schema.json (`kind`)."""
    def bad(problem: str) -> CorruptFile:
        return CorruptFile(store.display(path), problem)

    try:
        raw = read_file(path)
    except FileNotFoundError:
        raise bad("is missing") from None
    except OSError as exc:
        raise bad(exc.strerror or str(exc)) from None
    data = _decode_json(raw, bad)
    if not isinstance(data, dict):
        raise CorruptFile(store.display(path), "not a JSON object")
    if isinstance(data.get("format"), int) and data["format"] > FORMAT:
        raise CorruptFile(store.display(path), f"written in store format {data['format']}; this blueprint reads {FORMAT}")
    problem = problem_in(kind, data)
    if problem is not None:
        raise bad(f"not a valid {kind.replace('_', ' ')}: {problem}")
    return data


def _subdirs(path: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(path) if e.is_dir() and not e.name.startswith(".")]
    except FileNotFoundError:
        return []


def _names(path: Path) -> list[str]:
    try:
        return [e.name for e in os.scandir(path) if not e.name.startswith(".")]
    except FileNotFoundError:
        return []

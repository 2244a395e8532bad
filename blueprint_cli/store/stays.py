"""The JSON store's summary of each record: what `blueprint report` reads of a
record file, kept so that a report does not read and digest whole histories.

    stays/<blueprint>/<shard>.json     one file per blueprint and shard folder of
                                       records/: for each of its records, the
                                       record's own part and its history's
                                       digest (`report.figures.Digester`: its
                                       stays, their times and working time, its
                                       moves, or why it does not fit)

Derived data, never trusted blindly: each entry carries the identity of the
record file it was made from (inode, size, modification and change times in
nanoseconds, from the status of the open file before it was read), and is used
only while the record file still has all four; otherwise the file is read the
full way. Any change to a file — a write by the store that left the summary as
it was, a hand edit of the same size, `touch`, a copy put in its place — gives
it a new change time, which nobody can set back (only the system clock can), so
a stale entry makes a report slower, never wrong. A file changed less than
`RECENT_NS` ago is not summarized: file times are kept in ticks (a few
milliseconds; seconds on some file systems), and a change within the same tick
as the one summarized could leave all four as they were. A digest depends on
more than the file (the blueprint's latest version, the working calendar): the
file's header holds the digest's key (`Digesting.key`), and a file made under
another key is not used, but rebuilt.

A summary file is a header line (`format`, `kind`, the digest's key, the CRC-32
of the rest) and the entries as one JSON array, an entry per line (so that a
summary brought up to date keeps the lines of the entries that did not change
as they are), written whole under a temporary name and renamed (not synced: it
is rebuilt if a crash damages it). One that cannot be read — missing, damaged,
of another format or key — counts as empty: its records are read the full way
and it is written afresh. One that cannot be written (a read-only store) is
simply not written. Deleting the folder `stays/` drops every summary; the next
report rebuilds it.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from blueprint_cli.engine.records import Record
from blueprint_cli.store.files import atomic_write, read_file
from blueprint_cli.store.recordfile import compact, record_text

#: The layout of a summary file; a file of another layout is rebuilt.
STAYS_FORMAT = 2
#: A record file changed less than this long ago (nanoseconds) is read the full way and not summarized.
RECENT_NS = 3_000_000_000
#: The folder of the summaries in the store (under its root).
FOLDER = "stays"
#: Its .gitignore: every file in it is derived data
IGNORED = b"# summaries `blueprint report` derives from the record files: safe to delete, never to commit\n*\n"

#: One record's entry: [id, inode, size, mtime_ns, ctime_ns, the record as stored, its digest]
Entry = list[Any]

_DECODER = json.JSONDecoder()


def summary_path(root: str | Path, blueprint: str, shard: str) -> str:
    return os.path.join(root, FOLDER, blueprint, shard + ".json")


def read(path: str, key: str) -> tuple[dict[str, Entry], bytes]:
    """The entries of a summary file by record id, and its entries as written
    (for `write`); none when there is no file or it cannot be read as a summary
    (damaged, another format, not a file) or its digests were made under
    another key than `key`."""
    try:
        raw = read_file(path)
        end = raw.find(b"\n")
        head = json.loads(raw[:end])
        body = raw[end + 1:]
        if not (end > 0 and type(head) is dict and head.get("format") == STAYS_FORMAT and head.get("kind") == "stays"
                and head.get("digest") == key and head.get("crc") == zlib.crc32(body)):
            return {}, b""
        entries = _DECODER.decode(body.decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # missing, unreadable, not JSON (ValueError), too deep
        return {}, b""
    if type(entries) is not list:
        return {}, b""
    return {e[0]: e for e in entries if type(e) is list and len(e) == 7 and type(e[0]) is str}, body


def write(path: str, key: str, body: bytes, changes: Mapping[str, bytes | None]) -> None:
    """Replace a summary file with the entries of `body` (as `read` gave them
    under `key`) changed by `changes` (record id: its new entry, or None to
    drop it); the lines of the others are kept as they are. Whole, or not at all; a store
    where it cannot be written is left as it is."""
    lines: dict[str, bytes] = {}
    if len(body) > 2:  # an entry per line, each beginning with its id: ["17",…
        for line in body[1:-1].split(b",\n"):
            lines[line[2:line.find(b'"', 2)].decode("utf-8", "replace")] = line
    for record_id, new in changes.items():
        if new is None:
            lines.pop(record_id, None)
        else:
            lines[record_id] = new
    text = b"[" + b",\n".join(lines.values()) + b"]"
    head = json.dumps({"format": STAYS_FORMAT, "kind": "stays", "digest": key, "crc": zlib.crc32(text)}).encode()
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        ignore = target.parent.parent / ".gitignore"  # stays/.gitignore: kept out of version control, even in a
        if not ignore.exists():  # workspace made before the summary was (its .blueprint/.gitignore lacks stays/)
            atomic_write(ignore, IGNORED, durable=False)
        atomic_write(target, head + b"\n" + text, durable=False)
    except OSError:
        pass  # a read-only store, a full disk, a file where the folder should be: read the full way next time


def entry(record_id: str, st: os.stat_result, raw: bytes, record: Mapping[str, Any], digest: list[Any],
          now_ns: int) -> bytes | None:
    """The entry (a line) of a record file just read: `st` its status before it
    was read, `raw` its bytes, `record` its record part decoded, `digest` its
    history's. None when the file changed too recently for its status to tell
    the next change apart."""
    if st.st_ctime_ns > now_ns - RECENT_NS or st.st_mtime_ns > now_ns - RECENT_NS:
        return None
    text = record_text(raw)  # as written: not encoded again
    status = b'",%d,%d,%d,%d,' % (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    return b"".join((b'["', record_id.encode(), status, text if text is not None else compact(record), b",",
                     compact(digest), b"]"))


def matches(e: Entry, st: os.stat_result) -> bool:
    """Whether the record file whose status is `st` is still the one `e` was made from."""
    return bool(e[4] == st.st_ctime_ns and e[3] == st.st_mtime_ns and e[1] == st.st_ino
                and e[2] == st.st_size)


def use(e: Entry, record_id: str) -> tuple[Record, list[Any]] | None:
    """The record and digest of a matching entry; None when the entry is not
    one this code wrote (the caller reads the file the full way). The digest
    is handed over as decoded: one written by hand to look valid makes the
    report fail, and the report then drops the summary (`drop_summary`)."""
    try:
        record = Record.from_dict(e[5])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    digest = e[6]
    if record.id != record_id or type(digest) is not list:
        return None
    return record, digest

"""The text of a record file in the JSON store: the record with one member per
line (a field per line), then its history with one entry per line:

    {"format": 1, "kind": "record",
     "record": {
      "id": "17",
      "state": "Negotiation",
      "fields": {
       "name": "ACME renewal",
       "amount": 12000
      },
      ...
     },
     "history": [
      {"at": "2026-05-04T09:30:00+02:00", "user": "alice", "kind": "create", ...},
      {"at": "2026-05-06T14:02:11+02:00", "user": "alice", "kind": "move", ...}
     ]
    }

Plain JSON, which any JSON reader reads; a diff shows each changed field and
each new event on a line of its own. Written by the C encoder, and a new
history entry is appended to the text already written (`encode_appending`): a
bulk move writes thousands of these files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine.records import HistoryEntry, Record
from blueprint_cli.store.contract import FORMAT


class UnwritableText(BlueprintError):
    """A record holding text UTF-8 cannot hold (see `blueprint_cli.usertext`,
    which refuses it where it enters); raised before anything is written."""


def _unwritable(record: Record, exc: UnicodeEncodeError) -> UnwritableText:
    from blueprint_cli.usertext import text_problem

    around = str(exc.object)[max(0, exc.start - 20):exc.end + 20]  # the text around it, not the whole file
    problem = text_problem(around) or "a character UTF-8 cannot hold"
    return UnwritableText(f"record {record.id} is not written: {problem}", exit_code=1)


def encode(record: Record, history: Sequence[HistoryEntry]) -> bytes:
    try:
        return _encode(record, history)
    except UnicodeEncodeError as exc:
        raise _unwritable(record, exc) from None


def _encode(record: Record, history: Sequence[HistoryEntry]) -> bytes:
    """A record file: the record with one member per line (a field per line), and
    its history with one entry per line, so a diff shows each changed field and
    each new event on a line of its own. Plain JSON (any JSON reader reads it),
    written by the C encoder: a bulk move writes thousands of these."""
    body = b",".join([b"\n  " + _compact(e.to_dict()).encode("utf-8") for e in history])
    return b"".join((_HEAD, _record_text(record.to_dict()), _HISTORY, body + b"\n ]" if body else b"]", b"\n}\n"))


def _record_text(data: Mapping[str, Any]) -> bytes:
    lines = []
    for key, value in data.items():
        name = _key(key) + ": "
        kind = type(value)
        if kind is dict and value:
            lines.append(name + "{\n   " + ",\n   ".join([_key(k) + ": " + _compact(v) for k, v in value.items()])
                         + "\n  }")
        elif (kind is list or kind is tuple) and value:
            lines.append(name + "[\n   " + ",\n   ".join([_compact(v) for v in value]) + "\n  ]")
        else:
            lines.append(name + _compact(value))
    return ("{\n  " + ",\n  ".join(lines) + "\n }").encode("utf-8")


_string = json.encoder.encode_basestring
try:  # the C encoder, called directly: `json.dumps` costs as much again in setting it up per call
    _c_encoder = getattr(json.encoder, "c_make_encoder")(None, str, _string, None, ": ", ", ", False, False, True)

    def _encode_c(value: Any) -> str:
        return "".join(_c_encoder(value, 0))

    _tight: Any = getattr(json.encoder, "c_make_encoder")(None, str, _string, None, ":", ",", False, False, True)
except (AttributeError, TypeError):  # no C accelerator: the same text, more slowly
    _slow = json.JSONEncoder(ensure_ascii=False, default=str)

    def _encode_c(value: Any) -> str:
        return _slow.encode(value)

    _tight = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":")).iterencode


def _compact(value: Any) -> str:
    """`json.dumps(value, ensure_ascii=False, default=str)`; plain strings and
    numbers without the encoder's set-up (most of a record's values are)."""
    kind = type(value)
    if kind is str:
        return str(_string(value))
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    return _encode_c(value)


_HEAD = f'{{"format": {FORMAT}, "kind": "record",\n "record": '.encode()
_HISTORY = b',\n "history": ['
_TAIL = b"\n ]\n}\n"


def encode_appending(record: Record, raw: bytes, append: Sequence[HistoryEntry]) -> bytes | None:
    try:
        return _encode_appending(record, raw, append)
    except UnicodeEncodeError as exc:
        raise _unwritable(record, exc) from None


def _encode_appending(record: Record, raw: bytes, append: Sequence[HistoryEntry]) -> bytes | None:
    """`encode(record, history + append)` given `raw`, the file as `encode` wrote it
    for the same history: the old entries are kept as they are written instead of
    being decoded and encoded again, so the cost does not grow with the history.
    None when `raw` is not laid out as expected (the caller encodes in full)."""
    entries = old_entries(raw)
    if entries is None:
        return None
    new = b",".join([b"\n  " + _compact(e.to_dict()).encode("utf-8") for e in append])
    if not entries and not new:
        body = b"]"
    else:
        body = (entries + (b"," if entries and new else b"") + new) + b"\n ]"
    return b"".join((_HEAD, _record_text(record.to_dict()), _HISTORY, body, b"\n}\n"))


def record_part(raw: bytes) -> bytes | None:
    """A file `encode` wrote, with its history cut to the first entry (a
    record file always has one): what listing records reads, without decoding
    a history it does not show. None for any other layout (the caller reads
    the whole file)."""
    at = raw.find(_HISTORY)
    if at < 0 or not raw.startswith(_HEAD):
        return None
    start = at + len(_HISTORY)
    end = raw.find(b"\n", start + 1)
    if not raw.startswith(b"\n  {", start) or end < 0:
        return None
    return raw[:end].rstrip(b",") + b"\n ]}"


def record_text(raw: bytes) -> bytes | None:
    """The record's own part of a file `encode` wrote, as written (JSON text,
    the lines joined); None for any other layout. A history entry is one line,
    so `_HISTORY` (a line break in it) is never inside a string; a file laid out
    otherwise that still matches gives text that is not JSON, never another
    record."""
    at = raw.find(_HISTORY)
    if at < 0 or not raw.startswith(_HEAD):
        return None
    return _INDENT.sub(b"", raw[len(_HEAD):at])


#: a line break and the indent after it (never inside a JSON string, which holds no raw line break)
_INDENT = re.compile(rb"\n *")


def compact(value: Any) -> bytes:
    """`value` as JSON text with no space in it but in its strings."""
    return "".join(_tight(value, 0)).encode("utf-8")


def old_entries(raw: bytes) -> bytes | None:
    """The history entries of a file `encode` wrote, as written; None for any other layout."""
    at = raw.find(_HISTORY)
    if not raw.startswith(_HEAD) or at < 0 or raw.find(_HISTORY, at + 1) >= 0:
        return None
    old = raw[at + len(_HISTORY):]
    if old.endswith(_TAIL):
        return old[:-len(_TAIL)]
    if old == b"]\n}\n":
        return b""
    return None


def _float(o: float) -> str:
    if o != o:
        return "NaN"
    if o in (float("inf"), float("-inf")):
        return "Infinity" if o > 0 else "-Infinity"
    return float.__repr__(o)


def _key(k: Any) -> str:
    if type(k) is str:
        return str(_string(k))
    if k is True or k is False or k is None:
        return '"' + json.dumps(k) + '"'
    if isinstance(k, float):
        return '"' + _float(k) + '"'
    if isinstance(k, int):
        return '"' + int.__repr__(k) + '"'
    if isinstance(k, str):
        return str(_string(k))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(k).__name__}")

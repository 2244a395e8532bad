"""Records as plain lines: `record list`'s columns, sorting and table, and the
helpers every command that walks many records shares (opening the workspace,
naming the files it could not read). Light: no rich, no engine of its own, so
a listing starts quickly (record_view, which draws with rich, builds on it)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

import typer

from blueprint_cli.cli.context import options
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine.records import Record
from blueprint_cli.language.fieldtypes import is_empty
from blueprint_cli.shown import visible
from blueprint_cli.workspace import Workspace, find


def open_workspace(ctx: typer.Context) -> Workspace:
    return find(options(ctx).workspace)


def value_text(value: Any) -> str:
    """A field value on one line, as data (control characters made visible)."""
    if is_empty(value):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(map(visible, value))
    return visible(value)


def when(stamp: str) -> str:
    """`2026-05-04T09:30:00+02:00` → `2026-05-04 09:30 +02:00`."""
    if len(stamp) >= 16 and stamp[10] == "T":
        return f"{stamp[:10]} {stamp[11:16]} {stamp[19:] or ''}".rstrip()
    return stamp


RECORD_COLUMNS = ("id", "module", "blueprint", "version", "state", "owner", "tags", "created_at", "updated_at",
                  "entered_at")
_ALIASES = {"created": "created_at", "updated": "updated_at", "entered": "entered_at"}
#: columns holding a time: sorted by the instant, whatever offset each is written with
TIME_COLUMNS = ("created_at", "updated_at", "entered_at")
DEFAULT_COLUMNS = ("id", "module", "state", "owner", "name", "updated_at")


def column_name(name: str, known: Iterable[str]) -> str:
    """A column or sort key as typed (`updated` is `updated_at`); unknown is a usage error."""
    from blueprint_cli.language.suggest import did_you_mean

    name = _ALIASES.get(name.strip(), name.strip())
    choices = [*RECORD_COLUMNS, *sorted(set(known) - set(RECORD_COLUMNS))]
    if name not in choices:
        raise BlueprintError(f"no field or column {name!r}",
                             hint=did_you_mean(name, choices) or "columns: " + ", ".join(choices))
    return name


def column_value(record: Record, name: str) -> Any:
    if name == "entered_at":
        return record.state_since  # when the record entered its current state
    if name in RECORD_COLUMNS:
        return getattr(record, name)
    return record.fields.get(name)


def sort_records(records: Sequence[Record], key: str, *, descending: bool = False) -> list[Record]:
    """By one column: numbers by value, text ignoring case, ids as the store orders
    them; empty values last either way."""
    from blueprint_cli.language.times import TimeError, in_effect
    from blueprint_cli.store import id_order

    def order(record: Record) -> tuple[int, Any]:
        if key == "id":
            return 0, id_order(record.id)
        value = column_value(record, key)
        if key in TIME_COLUMNS:
            try:
                return 0, (0, in_effect(value).timestamp(), "")
            except TimeError:
                return 0, (1, 0, value_text(value).casefold())
        if isinstance(value, bool):
            return 0, (0, int(value), "")
        if isinstance(value, (int, float)):
            return 0, (0, value, "")
        return 0, (1, 0, value_text(value).casefold())

    present = [r for r in records if key == "id" or not is_empty(column_value(r, key))]
    empty = [r for r in records if not (key == "id" or not is_empty(column_value(r, key)))]
    return sorted(present, key=order, reverse=descending) + empty


def list_lines(records: Sequence[Record], columns: Sequence[str] | None = None) -> list[str]:
    """Plain aligned columns (fast for many thousands of rows, and grep-able). The
    default columns leave out `name` when no record has one."""
    if columns is None:
        has_name = any("name" in r.fields for r in records)
        columns = [c for c in DEFAULT_COLUMNS if c != "name" or has_name]
    rows = [[_HEADS.get(c, c.upper()) for c in columns]]
    for r in records:
        rows.append([_cell(r, c) for c in columns])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


_HEADS = {"updated_at": "UPDATED", "created_at": "CREATED", "entered_at": "ENTERED"}


def _cell(record: Record, column: str) -> str:
    if column == "state":
        return visible(record.state) if record.state else "(not governed)"
    if column in TIME_COLUMNS:
        return when(column_value(record, column))
    if column == "blueprint":
        return visible(record.blueprint) if record.blueprint else "—"
    if column in ("id", "module", "owner"):
        return visible(getattr(record, column))
    return value_text(column_value(record, column))


# ----- history --------------------------------------------------------------------------

def report_unreadable(errors: Sequence[str]) -> None:
    """After a command that walks many records: each record that could not be read
    (its message names the file), on stderr. The command then exits 1."""
    from blueprint_cli.shown import visible_lines

    for message in errors:
        sys.stderr.write(f"error: {visible_lines(message)}\n")
    if errors:
        n = len(errors)
        sys.stderr.write(f"error: {n} record{'s' if n > 1 else ''} could not be handled (listed above); "
                         "the others were handled — fix or restore those files (e.g. from version control)\n")


def print_lines(lines: Iterable[str]) -> None:
    import sys

    write = sys.stdout.write
    for line in lines:
        write(line + "\n")

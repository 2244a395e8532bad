"""Records in and out: `record import FILE.csv|.json` and `record export`.

Import is all or nothing: every row is read and validated first — module,
owner, tags, each value typed and checked by its field, the state
field refused, entry into a blueprint decided as `record create` does — and
if any row has a problem, the report lists every problem of every row (row
number, file line, field, reason) and nothing is written. Only a file without
problems is created, in one batch (`Store.create_many`).

New records start where `record create` would put them (their blueprint's
entry state), or at the state a `state` column names (entering mid-process:
checked against the published version, allowed to whom the team file's
`permissions: enter_at_state` lets in, by default the admin profile; a row
that meets no blueprint's entry criteria cannot start anywhere, and says why).
The other columns an export writes about a record's past (`id`, `blueprint`,
`version`, times, tasks) are ignored, and the report says so.

CSV: a header row of column names (`module`, `owner`, `tags` and field
names); lists (tags, multiselect) are comma-separated in one cell; empty cells
are left unset. JSON: a list of objects, either flat (`{"module": "Deals",
"name": "Acme", "amount": 5000}`) or as exported (`{"module": …, "fields":
{…}, "tags": […]}`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from blueprint_cli.workspace import changes
from blueprint_cli import engine
from blueprint_cli.shown import quoted
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.language.fieldtypes import MAX_NUMBER_TEXT, FieldValueError, parse
from blueprint_cli.language.model import Blueprint, FieldDef
from blueprint_cli.engine.records import HistoryEntry, Record
from blueprint_cli.usertext import check_text

if TYPE_CHECKING:
    from blueprint_cli.workspace import Workspace

FORMATS = ("csv", "json")
#: An import file is read whole (every row is validated before any is created).
MAX_IMPORT_BYTES = 256 * 1024 * 1024
#: What an export writes about a record's past; an import starts records afresh.
IGNORED = ("id", "blueprint", "version", "created_at", "updated_at", "state_since", "pending", "tasks",
           "timers", "undelivered")
#: Columns every export has, before the fields.
COLUMNS = ("id", "module", "blueprint", "version", "state", "owner", "tags", "created_at", "updated_at")


@dataclass(frozen=True)
class RowError:
    row: int
    #: the file line the row starts on (CSV), or None (JSON)
    line: int | None
    field: str | None
    message: str

    def describe(self) -> str:
        where = f"row {self.row}" + (f" (line {self.line})" if self.line else "")
        return f"{where}: " + (f"{self.field}: " if self.field else "") + self.message

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "line": self.line, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Row:
    number: int
    line: int | None
    data: Mapping[str, Any]


@dataclass
class ImportResult:
    path: str
    dry_run: bool = False
    rows: int = 0
    created: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.path, "dry_run": self.dry_run, "rows": self.rows,
                "imported": 0 if self.errors or self.dry_run else len(self.created),
                "ignored_columns": self.ignored, "errors": [e.to_dict() for e in self.errors],
                "records": [r.to_dict() for r in self.created]}


# ----- reading files --------------------------------------------------------------------------

def file_format(path: Path, given: str | None = None) -> str:
    fmt = (given or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise BlueprintError(f"{path}: cannot tell the format from its name", hint="name it .csv or .json, or pass --format")
    return fmt


def read_rows(path: Path, fmt: str | None = None, *, formulas: bool = False) -> list[Row]:
    """The rows of a CSV or JSON file; a file that is not one is a usage error."""
    from blueprint_cli.userfile import read_user_file

    if not path.exists():
        raise BlueprintError(f"no such file: {path}")
    if path.is_dir():
        raise BlueprintError(f"{path} is a folder", hint="give a .csv or .json file")
    fmt = file_format(path, fmt)
    raw = read_user_file(path, MAX_IMPORT_BYTES)  # a FIFO, a device or a huge file: refused, never waited on
    try:
        # bytes decoded, not read_text: a CR inside a quoted cell stays a CR (no newline translation);
        # a BOM from a spreadsheet is not a column name
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BlueprintError(f"{path}: not UTF-8 text (byte {exc.start})", hint="save it as UTF-8") from None
    return _csv_rows(path, text, formulas) if fmt == "csv" else _json_rows(path, text)


def _csv_rows(path: Path, text: str, formulas: bool = False) -> list[Row]:
    """`formulas`: cells are taken as they are (else a `'` that `neutralise`
    put before a formula character is dropped again)."""
    clean: Callable[[str], str] = (lambda c: c) if formulas else unneutralise
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise BlueprintError(f"{path}: empty file", hint="the first row names the columns, e.g. module,name,amount") from None
    except csv.Error as exc:
        raise BlueprintError(f"{path}: line 1: not valid CSV: {exc}") from None
    names = [h.strip() for h in header]
    if not any(names):
        raise BlueprintError(f"{path}: the first row must name the columns, e.g. module,name,amount")
    counts = Counter(names)  # not names.count per name: a header of 100,000 columns took minutes
    dupes = sorted(n for n in counts if n and counts[n] > 1)
    if dupes:
        raise BlueprintError(f"{path}: line 1: column {dupes[0]!r} appears twice")
    rows: list[Row] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            data: dict[str, Any] = {n: clean(c) for n, c in zip(names, cells) if n and c.strip() != ""}
            if len(cells) > len(names):
                data[""] = cells[len(names):]
            rows.append(Row(len(rows) + 1, start, data))
    except csv.Error as exc:
        raise BlueprintError(f"{path}: line {reader.line_num}: not valid CSV: {exc}") from None
    return rows


class _JsonValueError(ValueError):
    pass


def _json_int(text: str) -> int:
    # before int(): Python refuses (with a bare ValueError) to convert more than 4300 digits
    if len(text) > MAX_NUMBER_TEXT:
        raise _JsonValueError(f"a number of {len(text)} digits")
    return int(text)


def _json_constant(name: str) -> Any:
    raise _JsonValueError(f"{name} is not a number JSON allows")


def _json_rows(path: Path, text: str) -> list[Row]:
    try:
        data = json.loads(text, parse_int=_json_int, parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        raise BlueprintError(f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}") from None
    except _JsonValueError as exc:
        raise BlueprintError(f"{path}: {exc}", hint="write numbers as plain JSON numbers of at most "
                             f"{MAX_NUMBER_TEXT} digits") from None
    except RecursionError:
        raise BlueprintError(f"{path}: nested too deeply to read", hint="a record is a flat object") from None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise BlueprintError(f"{path}: expected a JSON list of records (objects)")
    rows: list[Row] = []
    for i, item in enumerate(data, 1):
        _check_json_text(item, f"{path}: record {i}")
        if not isinstance(item, dict):
            rows.append(Row(i, None, {"": item}))
            continue
        flat = {k: v for k, v in item.items() if k != "fields"}
        if isinstance(item.get("fields"), dict):  # the exported shape
            flat.update(item["fields"])
        rows.append(Row(i, None, flat))
    return rows


_PAIRS = "a \\ud800-\\udfff escape in JSON is half of a character: it needs its other half beside it"


def _check_json_text(value: Any, where: str) -> None:
    """JSON can spell half a surrogate pair (`"\\ud800"`): text no record file can hold."""
    if isinstance(value, str):
        check_text(value, where, hint=_PAIRS)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, where, hint=_PAIRS)
            _check_json_text(item, f"{where}, {key}")
    elif isinstance(value, list):
        for item in value:
            _check_json_text(item, where)


# ----- importing ------------------------------------------------------------------------------

@dataclass
class _Planned:
    row: Row
    module: str
    owner: str
    tags: tuple[str, ...]
    values: dict[str, Any]
    blueprint: Blueprint | None
    version: int | None
    #: where it starts (a `state` column), None: its blueprint's entry state
    state: str | None = None


def import_records(ws: Workspace, path: Path, *, user: str, now: datetime, module: str | None = None,
                   blueprint: str | None = None, fmt: str | None = None, dry_run: bool = False,
                   formulas: bool = False) -> ImportResult:
    """Validate every row, then create them all — or, if any row has a problem,
    none (the result lists every problem)."""
    check_text(path.name, "the name of the file to import", hint="rename the file with a UTF-8 name")  # each record's history names it
    rows = read_rows(path, fmt, formulas=formulas)
    result = ImportResult(str(path), dry_run, len(rows))
    if not rows:
        return result
    with ws.store.session():
        published = ws.published()
        modules = sorted({p.module for p in published})
        if not modules:
            raise BlueprintError("no blueprint is published in this workspace", hint="publish one first: `blueprint publish FILE`")
        chosen = ws.blueprint(blueprint) if blueprint else None
        versions = {p.id: p.latest for p in published}
        default_module = _module(module, modules) if module else None
        if chosen is not None and default_module and chosen.module.casefold() != default_module.casefold():
            raise BlueprintError(f"blueprint {chosen.id} governs {chosen.module}, not {default_module}")
        ignored: set[str] = set()
        planned: list[_Planned] = []
        for row in rows:
            plan = _plan_row(ws, row, default_module or (chosen.module if chosen else None), modules, chosen,
                             user, result.errors, ignored)
            if plan is not None:
                plan.version = versions.get(plan.blueprint.id) if plan.blueprint else None
                planned.append(plan)
        result.ignored = sorted(ignored)
        if result.errors:
            return result

        def build(plan: _Planned) -> Any:
            def make(record_id: str) -> tuple[Record, HistoryEntry]:
                record, entry = engine.create(plan.blueprint, record_id=record_id, module=plan.module,
                                              version=plan.version, owner=plan.owner, values=plan.values,
                                              user=user, now=now, state=plan.state)
                if plan.tags:
                    record = replace(record, tags=plan.tags)
                    entry = replace(entry, changes={**entry.changes, "tags": [[], list(plan.tags)]})
                note = f"imported from {path.name}, row {plan.row.number}"
                return record, replace(entry, note=f"{entry.note}; {note}" if entry.note else note)
            return make

        if dry_run:
            result.created = [build(p)(f"new-{i}")[0] for i, p in enumerate(planned, 1)]
            return result
        result.created = ws.store.create_many([build(p) for p in planned])
    return result


def _module(given: str, modules: Sequence[str]) -> str:
    from blueprint_cli.language.suggest import did_you_mean

    match = next((m for m in modules if m.casefold() == given.casefold()), None)
    if match is None:
        raise BlueprintError(f"no published blueprint governs module {given!r}",
                             hint=did_you_mean(given, modules) or f"modules: {', '.join(modules)}")
    return match


def _plan_row(ws: Workspace, row: Row, default_module: str | None, modules: Sequence[str], chosen: Blueprint | None,
              user: str, errors: list[RowError], ignored: set[str]) -> _Planned | None:
    from blueprint_cli.language.suggest import did_you_mean

    def bad(name: str | None, message: str) -> None:
        errors.append(RowError(row.number, row.line, name, message))

    before = len(errors)
    data = dict(row.data)
    if "" in data:
        bad(None, "not a record: " + ("more cells than the header has columns" if row.line else "not a JSON object"))
        return None
    raw_module = data.pop("module", None) or default_module
    if raw_module is None:
        bad("module", "no module: add a `module` column, or pass --module")
        return None
    module = next((m for m in modules if m.casefold() == str(raw_module).casefold()), None)
    if module is None:
        hint = did_you_mean(str(raw_module), modules)
        bad("module", f"no published blueprint governs module {raw_module!r}" + (f" ({hint})" if hint else ""))
        return None
    if chosen is not None and chosen.module != module:
        bad("module", f"blueprint {chosen.id} governs {chosen.module}, not {module}")
        return None
    for name in IGNORED:
        if name in data:
            data.pop(name)
            ignored.add(name)
    raw_state = data.pop("state", None)
    state = str(raw_state).strip() if raw_state is not None and str(raw_state).strip() else None
    owner = str(data.pop("owner", None) or user)
    if ws.team.users and owner not in ws.team.users:
        hint = did_you_mean(owner, ws.team.users)
        bad("owner", f"unknown user {owner!r}" + (f" ({hint})" if hint else ""))
    tags = _tags(data.pop("tags", None), bad)
    candidates = [chosen] if chosen else ws.candidates(module)
    state_fields = {b.field for b in ws.candidates(module)}
    defs: dict[str, FieldDef] = {}
    for bp in candidates + ws.candidates(module):
        for fd in bp.fields:
            defs.setdefault(fd.name, fd)
    values: dict[str, Any] = {}
    for name, raw in data.items():
        if name in state_fields:
            bad(name, "the state field: a new record starts in its blueprint's entry state "
                      "and moves only through transitions")
            continue
        found = defs.get(name)
        if found is None:
            hint = did_you_mean(name, list(defs))
            bad(name, f"not a field of {module}" + (f" ({hint})" if hint else f"; fields: {', '.join(defs) or 'none'}"))
            continue
        try:
            values[name] = parse(found, raw)
        except FieldValueError as exc:
            bad(name, f"{quoted(raw)} is not a valid {found.type}: {exc}")
    if len(errors) > before:
        return None
    entered, why = engine.choose_blueprint(candidates, module, values)
    if chosen is not None and entered is None:
        bad(None, f"does not enter {chosen.id}: " + "; ".join(w.split(": ", 1)[1] for w in why))
        return None
    if state is not None:
        if entered is None:
            bad("state", f"enters no blueprint, so it cannot start at {state!r}: " + "; ".join(why))
            return None
        unknown = changes.unknown_state(ws, entered, state)
        for message in [unknown] if unknown else changes.start_refusals(ws, entered, state, user):
            bad("state", message)
        if len(errors) > before:
            return None
    return _Planned(row, module, owner, tags, values, entered, None, state)


def _tags(raw: Any, bad: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else str(raw).split(",")
    out = []
    for item in items:
        tag = str(item).strip()
        if not tag:
            continue
        if any(ch.isspace() for ch in tag):
            bad("tags", f"{tag!r}: a tag is one word (no spaces)")
            continue
        if tag not in out:
            out.append(tag)
    return tuple(out)


# ----- exporting ------------------------------------------------------------------------------

#: A spreadsheet reads a cell starting with one of these as a formula (OWASP,
#: "CSV injection"): `=HYPERLINK(...)`, `@SUM(...)`, `+cmd|...`, or after a tab/CR.
FORMULA_START = frozenset("=+-@\t\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def neutralise(cell: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs: one that starts with a
    formula character gets a leading `'` (the OWASP rule). Plain numbers (`-5`,
    `+1.5e3`) stay as they are: no spreadsheet runs them. A cell that already
    starts with quotes before a formula character gets one more, so `unneutralise`
    gives back exactly what was stored."""
    body = cell.lstrip("'")
    if body[:1] in FORMULA_START and (body != cell or not _PLAIN_NUMBER.match(cell)):
        return "'" + cell
    return cell


def unneutralise(cell: str) -> str:
    """What `neutralise` wrote, read back (import of an exported file)."""
    body = cell.lstrip("'")
    if len(body) < len(cell) and body[:1] in FORMULA_START:  # only `neutralise` writes these
        return cell[1:]
    return cell


def export(records: Sequence[Record], fmt: str, out: IO[str], blueprints: Iterable[Blueprint] = (), *,
           formulas: bool = False) -> int:
    """Write records as CSV (one column per field: every declared field in its
    blueprint's order, then the others by name) or JSON
    (the `--json` record shape, one per line); returns how many. In CSV, every
    cell that a spreadsheet would run as a formula is neutralised (`neutralise`)
    unless `formulas` is true."""
    if fmt == "json":
        write = out.write
        for i, r in enumerate(records):
            write(("[\n  " if i == 0 else ",\n  ") + json.dumps(r.to_dict(), ensure_ascii=False, default=str))
        write("[]\n" if not records else "\n]\n")
        return len(records)
    declared: list[str] = []
    for bp in blueprints:
        declared += [f.name for f in bp.fields if f.name not in declared]
    # every declared field, even one no record has a value for yet: the columns do not
    # depend on the data, so a script reading them by position keeps working
    seen = {k for r in records for k in r.fields}
    names = declared + sorted(seen - set(declared))
    write = out.write

    def row(cells: list[Any]) -> None:
        texts = [c if isinstance(c, str) else str(c) for c in cells]
        write(",".join(_csv_cell(c if formulas else neutralise(c)) for c in texts) + "\n")

    row([*COLUMNS, *names])
    for r in records:
        row([r.id, r.module, r.blueprint or "", r.version if r.version is not None else "", r.state or "",
                         r.owner, ", ".join(r.tags), r.created_at, r.updated_at,
                         *(_cell(r.fields.get(n)) for n in names)])
    return len(records)


def _csv_cell(text: str) -> str:
    """One CSV cell (RFC 4180). Unlike `csv.writer` with a `\\n` line end, a cell
    holding a lone CR is quoted too: some readers end a row at a CR."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)

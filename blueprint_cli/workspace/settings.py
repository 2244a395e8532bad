"""The workspace settings, `.blueprint/config.yaml`: its one reader and writer.

Shape: `schemas/config.schema.json`, shipped with the package (typos such as
`calender:` are findings with a did-you-mean, at their line and column). On
top of the schema, the values are checked by the code that uses them (the
working calendar, the delivery settings), so a setting that validates is one
that works. Any finding makes reading a setting a usage error (exit 2) that
names `path:line:col`, raised before the command writes anything.

Start-up stays cheap: every command opens the workspace and asks for the
store, but the YAML parser (and the schema) are loaded only when a setting is
read. The store lookup reads the file's text and parses it only if the text
can hold a `store` key at all (it must contain the word), so a workspace on
the default JSON store never pays for a YAML parse to find its store.

Nothing here imports the workspace or the linter (the writer uses the one
atomic file write, `store.files.atomic_write`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blueprint_cli.diagnostics import Diagnostic, JsonPath, Severity

if TYPE_CHECKING:
    from blueprint_cli.language.calendar import WorkingCalendar
    from blueprint_cli.actions.delivery import DeliverySettings

NAME = "config.yaml"
#: Larger than this is not a settings file (the loader's own limit).
MAX_BYTES = 10 * 1024 * 1024
SCHEMA_RESOURCE = "config.schema.json"
HINT = "fix each setting named (docs/time-and-delivery.md describes them); `blueprint lint` on the file checks it again"
SHAPE_HINT = "workspace settings are a mapping: `store: ...`, `smtp: {...}`, `webhooks: {...}`, `calendar: {...}`"
#: The comment written above a `store:` line that points at PostgreSQL.
STORE_COMMENT = ("# Records live in PostgreSQL. The password is never kept here: it comes from",
                 "# $BLUEPRINT_PG_PASSWORD, $PGPASSWORD or ~/.pgpass.")
#: What `blueprint init` writes.
TEMPLATE = """\
# blueprint workspace settings
format: 1
# Outgoing e-mail is written here, one .eml file per message, unless `smtp` names a server.
outbox: outbox
# Send e-mail over SMTP instead (the password comes from the environment variable named):
# smtp: {host: smtp.example.com, port: 587, starttls: true, user: blueprint,
#        password_env: BLUEPRINT_SMTP_PASSWORD, from: "Blueprint <blueprint@example.com>"}
# Webhooks: seconds per try, tries in all, seconds before the 2nd try (doubling):
# webhooks: {timeout: 10, attempts: 3, backoff: 1}
# Seconds a move waits for its e-mails and webhooks; the rest is left for `blueprint retry`:
# delivery_wait: 1
# `tick --now` later than the clock only shows what would be due; to run on simulated time (demos, training):
# clock: simulated
# Users not in team.yaml may not act (--as, $BLUEPRINT_USER, else the OS user); to let them:
# unknown_users: allow
# Working time for `2 business_days` / `4 business_hours`:
# calendar: {days: [mon, tue, wed, thu, fri], hours: "09:00-17:00", time_zone: Europe/Berlin, holidays: []}
"""
_STORE_LINE = re.compile(r"^store\s*:")
#: A URL written as it is; anything else is written as a quoted YAML string.
_PLAIN_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9._~%!$&'()*+,;=:@/?-]*$")


def initial_text(store: str | None = None, *, simulated_clock: bool = False) -> str:
    """The config.yaml of a new workspace (with its `store:` line for PostgreSQL,
    and `clock: simulated` for a workspace on simulated time)."""
    text = TEMPLATE.replace("# clock: simulated\n", "clock: simulated\n") if simulated_clock else TEMPLATE
    return text + (_store_lines(store) if store else "")


def _store_lines(url: str) -> str:
    value = url if _PLAIN_URL.match(url) and "#" not in url else json.dumps(url)
    return "\n".join((*STORE_COMMENT, f"store: {value}")) + "\n"


class Config:
    """One workspace's config.yaml, read at most once (a missing file is the
    defaults). Settings are read lazily; the first one read validates the file."""

    def __init__(self, path: Path, display: str | None = None) -> None:
        self.path = path
        self.display = display or str(path)
        self._forget()

    def _forget(self) -> None:
        self._raw: bytes | None = None
        self._read = False
        self._data: Mapping[str, Any] | None = None
        self._findings: list[Diagnostic] | None = None
        self._calendar: WorkingCalendar | None = None
        self._delivery: DeliverySettings | None = None

    @classmethod
    def of(cls, root: Path) -> Config:
        """The settings of the workspace whose `.blueprint/` folder is `root`."""
        return cls(root / NAME)

    # ----- reading -----------------------------------------------------------------------

    def raw(self) -> bytes | None:
        """The file's bytes (b"" when there is none); None when it is not a plain
        file of a sensible size (a folder, a FIFO, huge): the loader says what."""
        if not self._read:
            self._read = True
            try:
                info = self.path.stat()
            except FileNotFoundError:
                self._raw = b""
            else:
                from stat import S_ISREG

                if S_ISREG(info.st_mode) and info.st_size <= MAX_BYTES:
                    try:
                        self._raw = self.path.read_bytes()
                    except OSError:
                        self._raw = None
        return self._raw

    @property
    def store(self) -> str | None:
        """`store:`: a postgresql:// URL, or None for the JSON files in `.blueprint/`."""
        raw = self.raw()
        if raw is not None and b"store" not in raw:
            return None  # no key can be named `store` in a text without the word
        value = self.data.get("store")
        return None if value in (None, "json") else str(value)

    @property
    def data(self) -> Mapping[str, Any]:
        """The settings as data, once the whole file validates (else `InvalidFile`)."""
        if self._data is None:
            from blueprint_cli.language.schema import InvalidFile

            errors = [d for d in self.findings() if d.severity is Severity.ERROR]
            if errors:
                raise InvalidFile(f"the workspace settings {self.display}", errors, HINT)
            self._data = self._valid
        return self._data

    def findings(self) -> list[Diagnostic]:
        """Every problem in the file, each at its line and column: YAML, then the
        schema, then values the schema allows but that cannot work (an unknown
        time zone, ssl with starttls). What `blueprint lint config.yaml` reports."""
        if self._findings is None:
            self._valid: Mapping[str, Any] = {}
            self._findings = self._check()
        return self._findings

    def _check(self) -> list[Diagnostic]:
        from blueprint_cli.language import schema
        from blueprint_cli.language.loader import load_file, load_text

        raw = self.raw()
        if raw == b"":
            return []
        try:
            doc, found = load_text(raw.decode("utf-8"), self.display) if raw is not None else (None, [])
        except UnicodeDecodeError:
            raw = None
        if raw is None:
            doc, found = load_file(self.path, self.display)  # its findings say what is wrong with the file
        doc, found = schema.settings_document(doc, found)
        if doc is None:
            return [replace(d, hint=SHAPE_HINT) if d.code == "BP102" else d for d in found]
        problems = found + [d for d in schema.check(doc, SCHEMA_RESOURCE) if d.path != ("smtp", "password")]
        data = doc.data
        if isinstance(data, dict) and isinstance(data.get("smtp"), dict) and "password" in data["smtp"]:
            problems.append(_finding(doc, ("smtp", "password"), "smtp.password: the password is never kept in "
                                     "the config; name an environment variable that holds it with "
                                     "smtp.password_env", key=True))
        if not isinstance(data, dict):
            return problems
        # the values of each section the schema found no fault in are checked by their users
        faulty = {d.path[0] if d.path else "" for d in problems}
        from blueprint_cli.language.calendar import CalendarError
        from blueprint_cli.language.calendar import from_config as calendar_from

        if not faulty & {"", "calendar"}:
            try:
                self._calendar = calendar_from(data.get("calendar"), self.display)
            except CalendarError as exc:
                problems.append(_finding(doc, ("calendar", *exc.path), _own(str(exc), self.display)))
        from blueprint_cli.actions.delivery import DeliveryConfigError
        from blueprint_cli.actions.delivery import from_config as delivery_from

        if not faulty & {"", "smtp", "webhooks", "delivery_wait"}:
            try:
                self._delivery = delivery_from(data, self.display)
            except DeliveryConfigError as exc:
                problems.append(_finding(doc, exc.path, _own(str(exc), self.display)))
        self._valid = data
        return problems

    def _section(self, key: str) -> Any:
        """One top-level setting, when it (and the file's shape) is right: a broken
        smtp section refuses what sends, not every command that reads another
        setting. A fault in it, or in the file as a whole, raises with every problem."""
        from blueprint_cli.check.kinds import settings_keys

        errors = [d for d in self.findings() if d.severity is Severity.ERROR]
        # a misspelt key (`calender:`) may be the setting asked for: the whole file is refused
        if any(not d.path or d.path[0] == key or d.path[0] not in settings_keys() for d in errors):
            self.data  # noqa: B018 - raises, naming every problem
        return self._valid.get(key) if isinstance(self._valid, Mapping) else None

    @property
    def unknown_users_allowed(self) -> bool:
        """`unknown_users: allow`: users not in team.yaml may act (default: refuse)."""
        return bool(self._section("unknown_users") == "allow")

    @property
    def simulated_clock(self) -> bool:
        """`clock: simulated`: `tick --now` may write at a time later than the clock
        (default `real`: such a tick only shows what would be due)."""
        return bool(self._section("clock") == "simulated")

    @property
    def calendar(self) -> WorkingCalendar:
        """The working calendar for business durations (the default one when not set)."""
        if self._calendar is None:
            # only the calendar need be right: a broken smtp section refuses what sends, not
            # every command that reads a time (the calendar's time zone says what one means)
            self._section("calendar")
            from blueprint_cli.language.calendar import DEFAULT

            self._calendar = self._calendar or DEFAULT
        return self._calendar

    @property
    def delivery(self) -> DeliverySettings:
        """How e-mails and webhooks go out."""
        if self._delivery is None:
            self.data  # noqa: B018 - validates the file (a missing one has no settings)
            from blueprint_cli.actions.delivery import DeliverySettings

            self._delivery = self._delivery or DeliverySettings()
        return self._delivery

    @property
    def outbox(self) -> Path:
        """Where e-mail is written when no SMTP server is set (relative to `.blueprint/`)."""
        raw = self.raw()
        if raw is not None and b"outbox" not in raw:
            return self.path.parent / "outbox"
        return self.path.parent / str(self.data.get("outbox") or "outbox")

    # ----- writing -------------------------------------------------------------------------

    def set_store(self, url: str | None) -> None:
        """Point the settings at `url` (None: the JSON files). Only the `store:`
        line and the comment written above it change; every other line, comments
        included, stays as it is, in its place."""
        from blueprint_cli.store.files import atomic_write

        raw = self.raw()
        lines = raw.decode("utf-8", errors="replace").splitlines() if raw else []
        out: list[str] = []
        placed = False
        skipping = False
        for line in lines:
            if skipping and line[:1] in (" ", "\t"):
                continue  # the rest of a `store:` value written over several lines
            skipping = False
            if _STORE_LINE.match(line):
                skipping = True
                while out and out[-1] in STORE_COMMENT:
                    out.pop()
                if url is not None and not placed:
                    out.extend(_store_lines(url).splitlines())
                    placed = True
                continue
            out.append(line)
        if url is not None and not placed:
            out.extend(_store_lines(url).splitlines())
        atomic_write(self.path, ("\n".join(out) + "\n" if out else "").encode("utf-8"))
        self._forget()


def lint_file(path: Path, display: str | None = None) -> list[Diagnostic]:
    """Findings for a workspace settings file, as `blueprint lint` reports them."""
    return Config(path, display).findings()


def _own(message: str, source: str) -> str:
    """The message without the file name the settings readers put in front."""
    return message[len(source) + 2:] if message.startswith(source + ": ") else message


def _finding(doc: Any, path: JsonPath, message: str, *, key: bool = False) -> Diagnostic:
    pos = doc.at(path, key=key)
    return Diagnostic("BP113", Severity.ERROR, message, doc.file, pos.line, pos.col, path)

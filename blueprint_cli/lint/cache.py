"""The lint result cache: a file's findings, keyed by what decides them.

The key is a hash of the file's bytes, the tool (its version and the state of
its code and schemas on disk, so a changed checkout never serves stale
results), and everything else that shapes the findings: the selection and
severities that apply to the file (configuration included), the team names,
the name the file is shown under, and how it was given. Nothing else goes in,
so an entry is right wherever it is found — two runs at once, or a run in
another checkout, can only add entries, never spoil them (ruff's model).

Entries are small JSON files under `.blueprint_cache/lint-VERSION/` in the
current folder (`--cache-dir` or `$BLUEPRINT_CACHE_DIR` elsewhere), written
atomically. The folder holds a `.gitignore` of `*`, so git never sees it, and
a `CACHEDIR.TAG` for backup tools. Deleting it is always safe.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from blueprint_cli import __version__
from blueprint_cli.diagnostics import Diagnostic, Fix, Severity

ENV = "BLUEPRINT_CACHE_DIR"
DEFAULT_DIR = ".blueprint_cache"
_GITIGNORE = "# Created by blueprint lint: the result cache, safe to delete.\n*\n"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# The result cache of blueprint lint; safe to delete.\n"


@lru_cache(maxsize=1)
def tool_stamp() -> bytes:
    """The version, plus the size and time of every module and schema of the
    package: an edited checkout is another tool."""
    import hashlib  # (here: `--no-cache` does not pay for loading OpenSSL)

    root = Path(__file__).resolve().parent.parent
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".json")):
                st = os.stat(os.path.join(folder, name))
                h.update(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.digest()


class Entry(NamedTuple):
    #: False: the file was skipped (not a blueprint, in a folder walk)
    checked: bool
    diagnostics: list[Diagnostic]


class Cache:
    def __init__(self, folder: Path) -> None:
        self.root = folder
        self.folder = folder / f"lint-{__version__}"

    def key(self, content: bytes, settings: str) -> str:
        import hashlib

        h = hashlib.blake2b(tool_stamp(), digest_size=20)
        h.update(settings.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
        h.update(content)
        return h.hexdigest()

    def get(self, key: str) -> Entry | None:
        """The entry under `key`, or None. Read as any file a user could put
        there is (`read_user_file`): only a regular file, of bounded size —
        an entry replaced by a FIFO or linked to /dev/zero is a miss, never a
        hang or an exhausted memory."""
        from blueprint_cli.userfile import UnreadableFile, read_user_file

        try:
            data = json.loads(read_user_file(self.folder / key, MAX_ENTRY_BYTES))
            return Entry(bool(data["checked"]), [_diagnostic(d) for d in data["diagnostics"]])
        except (UnreadableFile, ValueError, KeyError, TypeError, IndexError, RecursionError):
            return None  # absent, or damaged (then it is rewritten)

    def put(self, key: str, entry: Entry) -> None:
        data = {"checked": entry.checked, "diagnostics": [_row(d) for d in entry.diagnostics]}
        tmp = self.folder / f".{key}.{os.getpid()}.tmp"
        try:
            if not self.folder.is_dir():
                self._create()
            _write_new(tmp, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
            os.replace(tmp, self.folder / key)
        except (OSError, UnicodeEncodeError):
            try:
                os.unlink(tmp)
            except OSError:
                pass
            # a cache that cannot be written only makes the next run slower

    def _create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _TAG)):
            try:
                _write_new(self.root / name, text)
            except FileExistsError:
                pass


#: An entry larger than this is not read (a miss): findings of a file the loader reads are far smaller.
MAX_ENTRY_BYTES = 64 * 1024 * 1024


def _write_new(path: Path, text: str) -> None:
    """Create `path` and write `text`: never through a link or into a FIFO
    someone left at that name (O_EXCL refuses anything already there)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_CLOEXEC", 0), 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def _row(d: Diagnostic) -> list[Any]:
    return [d.code, d.severity.value, d.message, d.file, d.line, d.col, list(d.path), d.hint,
            d.fix.to_dict() if d.fix is not None else None]


def _diagnostic(row: list[Any]) -> Diagnostic:
    code, severity, message, file, line, col, path, hint, fix = row
    return Diagnostic(code, Severity(severity), message, file, line, col, tuple(path), hint,
                      Fix.from_dict(fix) if fix is not None else None)


def location(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    env = os.environ.get(ENV)
    return Path(env) if env else Path(DEFAULT_DIR)

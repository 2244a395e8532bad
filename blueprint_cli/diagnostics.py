"""The one finding type every check produces, and the errors users can cause.

Every lint rule, the schema check and the loader report through `Diagnostic`,
so reporters (text, JSON, GitHub, SARIF) only ever handle one shape.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, NamedTuple

JsonPath = tuple[str | int, ...]


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


class Position(NamedTuple):
    """1-based line and column of a YAML node in its file. (A named tuple: the
    loader makes one for every node, and tuples are the cheapest to build.)"""

    line: int
    col: int


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, col) up to (end_line, end_col), exclusive,
    with `content`; 1-based, columns in characters (Unicode code points)."""

    line: int
    col: int
    end_line: int
    end_col: int
    content: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "col": self.col, "end_line": self.end_line, "end_col": self.end_col,
                "content": self.content}


@dataclass(frozen=True)
class Fix:
    """How to repair a finding: edits to its file (see blueprint_cli/language/fixes.py).
    `safe` fixes are applied by `--fix`; the others only with `--unsafe-fixes`."""

    title: str
    edits: tuple[Edit, ...]
    safe: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "safe": self.safe, "edits": [e.to_dict() for e in self.edits]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fix:
        edits = tuple(Edit(e["line"], e["col"], e["end_line"], e["end_col"], e["content"]) for e in data["edits"])
        return cls(data["title"], edits, data["safe"])


@dataclass(frozen=True)
class Diagnostic:
    """One finding: its rule, severity and message, and where it is (file, line, column, JSON path)."""

    code: str
    severity: Severity
    message: str
    file: str
    line: int
    col: int
    path: JsonPath = ()
    hint: str | None = None
    fix: Fix | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line, self.col, self.code, self.message)

    def json_path(self) -> str:
        out = "$"
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else f".{part}"
        return out

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "path": self.json_path(),
        }
        if self.hint:
            data["hint"] = self.hint
        if self.fix is not None:
            data["fix"] = self.fix.to_dict()
        return data


class BlueprintError(Exception):
    """An error a user caused; the CLI prints it without a traceback.

    `exit_code` follows docs/exit-codes.md: 2 for usage errors (bad path, unknown id,
    unparsable value), 1 for refusals.
    """

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code


@dataclass
class Findings:
    """Diagnostics collected over a lint run, plus how many files were read."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    #: `--unsafe-fixes` was given: unsafe fixes count as available too
    unsafe_fixes: bool = False

    def extend(self, diags: list[Diagnostic]) -> None:
        self.diagnostics.extend(diags)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=Diagnostic.sort_key)

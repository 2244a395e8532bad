"""The kinds in the JSON output are `Literal`s in the code, and docs/json.md
lists exactly those: a kind added to the code without a line in the docs (or a
line left for a kind that is gone) fails here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import pytest

from blueprint_cli.language.actions import KINDS
from blueprint_cli.engine import OptionKind, ReasonKind
from blueprint_cli.engine.records import ActionStatus, EntryKind

DOC = (Path(__file__).resolve().parent.parent / "docs" / "json.md").read_text(encoding="utf-8")


def documented(heading: str) -> list[str]:
    """The backticked words of the table rows or the sentence after `heading`."""
    start = DOC.index(heading)
    block = DOC[start + len(heading):].split("\n\n", 2)
    text = block[0] if block[0].strip() else block[1]
    if "|" in text:  # a table: the first cell of each row after the header
        rows = [line for line in text.splitlines() if line.startswith("| `")]
        return [re.findall(r"`([^`]+)`", row.split("|")[1])[0] for row in rows]
    return re.findall(r"`([^`]+)`", text)


@pytest.mark.parametrize(("heading", "kinds"), [
    ("History entry kinds (`kind`):", EntryKind),
    ("Action kinds (`action`):", tuple(KINDS)),  # the registry of action kinds
    ("Action statuses (`status`):", ActionStatus),
    ("Transition kinds (`next` `kind`):", OptionKind),
    ("Reason kinds (`reasons[].kind`, `blocked_by[].kind`):", ReasonKind),
])
def test_docs_list_exactly_the_kinds_the_code_has(heading: str, kinds: Any) -> None:
    assert sorted(documented(heading)) == sorted(get_args(kinds) or kinds)


def test_a_stored_entry_of_an_unknown_kind_is_refused_not_read() -> None:
    from blueprint_cli.engine.records import HistoryEntry

    with pytest.raises(ValueError, match="kind 'teleport' is not one of create, move"):
        HistoryEntry.from_dict({"at": "2026-05-04T09:30:00+02:00", "user": "ann", "kind": "teleport"})

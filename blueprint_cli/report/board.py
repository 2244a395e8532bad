"""The pipeline as a board: a column per state in flow order, how many records
each holds, and cards for some of them (name, owner, age in state, SLA breach).

Without `--where` the counts come from the store's state index (`Store.ids`,
no record read) and the cards are each column's newest records (the highest
ids), so the board costs the same with 1,000 records or 100,000. With a filter
every record of the blueprint is read and judged, and each column shows the
records longest in their state first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from blueprint_cli.engine import due
from blueprint_cli.engine.records import Record
from blueprint_cli.language.analysis import flow_order
from blueprint_cli.language.model import Blueprint
from blueprint_cli.store import CorruptFile, id_order
from blueprint_cli.workspace import Workspace


@dataclass(frozen=True)
class Card:
    id: str
    name: str | None
    owner: str
    since: str
    age_seconds: float | None
    sla: str
    sla_level: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "owner": self.owner, "since": self.since,
                "age_seconds": self.age_seconds, "sla": self.sla, "sla_level": self.sla_level}


@dataclass(frozen=True)
class Column:
    state: str
    final: bool
    count: int
    cards: tuple[Card, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "final": self.final, "count": self.count,
                "cards": [c.to_dict() for c in self.cards]}


@dataclass(frozen=True)
class Board:
    blueprint: str
    now: datetime
    columns: tuple[Column, ...]
    #: "newest" (index order, no filter) or "longest in state"
    order: str

    def to_dict(self) -> dict[str, Any]:
        return {"blueprint": self.blueprint, "now": self.now.isoformat(timespec="seconds"), "order": self.order,
                "columns": [c.to_dict() for c in self.columns]}


def build(ws: Workspace, bp: Blueprint, *, now: datetime, cards: int, keep: Callable[[Record], bool] | None,
          errors: list[CorruptFile]) -> Board:
    final = set(bp.final_states)
    timed: dict[str | None, due.Timed | None] = {}
    calendar = ws.calendar

    def card(record: Record) -> Card:
        if record.state not in timed:
            timed[record.state] = due.timed_state(bp, record.state)
        standing, level = due.sla_standing(timed[record.state], record, now, calendar)
        start = due.since(record)
        value = record.fields.get("name") or record.fields.get("subject") or record.fields.get("title")
        return Card(record.id, str(value) if value else None, record.owner, record.state_since,
                    (now - start).total_seconds() if start is not None else None, standing, level)

    columns = []
    if keep is None:
        for state in flow_order(bp):
            # the listing's own first page (`record list --state S --limit N`): only the cards shown are read
            shown, count = ws.first_in_state(state, blueprint=bp.id, limit=cards, newest=True, errors=errors)
            columns.append(Column(state, state in final, count, tuple(card(r) for r in shown)))
        return Board(bp.id, now, tuple(columns), "newest")
    found: dict[str, list[Card]] = {state: [] for state in flow_order(bp)}
    for record in ws.store.scan(blueprint=bp.id, errors=errors):
        if record.state in found and keep(record):
            found[record.state].append(card(record))
    for state, all_cards in found.items():
        all_cards.sort(key=lambda c: (-(c.age_seconds or 0), id_order(c.id)))
        columns.append(Column(state, state in final, len(all_cards), tuple(all_cards[:cards])))
    return Board(bp.id, now, tuple(columns), "longest in state")


def render(board: Board, width: int | None) -> Any:
    """The board as one rich table as wide as the terminal (`width`), long names
    cut; with no width (piped), as wide as its cards."""
    from rich.table import Table
    from rich.text import Text

    from blueprint_cli.language.wording import span
    from blueprint_cli.shown import visible

    table = Table(show_edge=False, pad_edge=False, expand=width is not None, width=width, show_lines=False,
                  title=f"{board.blueprint} · cards: {board.order} first · {board.now:%Y-%m-%d %H:%M}",
                  title_justify="left", title_style="bold")
    for column in board.columns:
        header = Text(visible(column.state), style="bold" if not column.final else "dim")
        header.append(f"\n{column.count} record{'s' if column.count != 1 else ''}", style="cyan")
        table.add_column(header, no_wrap=True, overflow="ellipsis", ratio=1, min_width=6)
    depth = max((len(c.cards) for c in board.columns), default=0)
    for i in range(depth):
        cells: list[Any] = []
        for column in board.columns:
            if i >= len(column.cards):
                cells.append("")
                continue
            c = column.cards[i]
            text = Text(visible(c.name or f"#{c.id}"), style="bold", no_wrap=True, overflow="ellipsis")
            text.append(f"\n{visible(c.owner)} · {span(c.age_seconds)}", style="")
            if c.sla == "breached":
                text.append("\n⚠ SLA" + (f" {c.sla_level}" if c.sla_level else ""), style="bold red")
            cells.append(text)
        table.add_row(*cells)
    more = [f"{c.state}: {c.count - len(c.cards)} more" for c in board.columns if c.count > len(c.cards)]
    return table, Text(("not shown — " + ", ".join(more)) if more else "", style="dim")

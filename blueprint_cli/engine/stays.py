"""A record's stays: each time it entered a state, when it left and by which
transition. Pure: from its history (`Passage`s), no store, no clock.

The one reading of "time in state" that `blueprint report`, `blueprint board`
and `blueprint test --times` share: a stay begins with the entry that brings
the record into a state (`create`, `enter`, a `move`, a publish's `migrate`)
and ends with the next entry that takes it elsewhere; entries that leave it
where it is (an escalation, an edit, one part of a parallel transition) do not
end it. Re-entering a state is a new stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from blueprint_cli.engine.records import Passage
from blueprint_cli.language import times


class Stay(NamedTuple):
    state: str
    start: datetime
    #: None: the record is still there
    end: datetime | None
    #: what ended it: the transition's name, else the entry's kind (`migrate`)
    left_by: str | None
    #: where it went
    to: str | None
    #: the entry that began it, and the one that ended it (indexes in the history)
    began: int
    ended: int | None


def stays(history: Sequence[Passage], moments: Sequence[datetime] | None = None) -> list[Stay]:
    """The stays of one record, in order; the last one is open when the record
    is still in its state. `moments`: each entry's time, when the caller has
    read them already. Raises `times.TimeError` on an entry whose time is not
    a time."""
    out: list[Stay] = []
    state: str | None = None
    start: datetime | None = None
    began = 0
    for i, p in enumerate(history):
        target = p.to_state
        if target is None or target == state and p.kind not in ("create", "enter"):
            continue
        at = moments[i] if moments is not None else times.instant(p.at)
        if state is not None and start is not None:
            out.append(Stay(state, start, at, p.transition or p.kind, target, began, i))
        state, start, began = target, at, i
    if state is not None and start is not None:
        out.append(Stay(state, start, None, None, None, began, None))
    return out

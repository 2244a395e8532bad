"""The one clock of the workspace operations: the local time now, to the second.
Commands take `--now` in its place where they offer it; the engine never reads
a clock (it is given the moment).

A record has one timeline: a change read from the clock is dated no earlier
than the record's last change (`not_before`), read under the record's lock —
two processes may read the clock in one order and lock the record in the other,
and another machine's clock may be a little ahead. A moment given explicitly
(`tick --now`) is never moved: the store refuses it if it comes before the
record's last change (`store.check_order`)."""

from __future__ import annotations

from datetime import datetime

from blueprint_cli.engine.records import Record


def now() -> datetime:
    """Now, in the machine's local time zone, to the second (history's precision)."""
    return datetime.now().astimezone().replace(microsecond=0)


def not_before(record: Record, moment: datetime) -> datetime:
    """`moment`, or when `record` last changed if that is later."""
    from blueprint_cli.language.times import TimeError, in_effect

    if not record.updated_at:
        return moment
    try:
        last = in_effect(record.updated_at)
    except TimeError:
        return moment
    return last if last > moment else moment

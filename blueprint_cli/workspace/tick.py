"""Time: what `blueprint tick` does when the clock has moved on.

For every record in a state with an SLA or with `auto` transitions leaving it,
what is due (`engine/due.py`: SLA escalations once per stay, in order; the first due
automatic transition that can run, a skipped one noted once per stay) is
applied under the record's store lock and committed, then delivered.

Durations are calendar time or business time on the workspace's working
calendar (`language/calendar.py`). Time moves only when tick runs, and `now` is given
(`--now` in tests); the clock is read only to refuse writing ahead of it (a `now`
later than the clock is a dry run unless the workspace runs on simulated time).

Idempotent, also when two ticks run at once: each record is changed under its
store lock, what is due is decided again on the locked record, and the record
remembers what fired in the current stay (`Record.fired`), written in the same
commit as the history entries — so nothing fires twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from blueprint_cli import engine
from blueprint_cli.language.calendar import BusinessTime
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine.due import Happening, due, step, timed_states
from blueprint_cli.workspace.commit import Change, apply, may_send, settings_checked, single

if TYPE_CHECKING:
    from blueprint_cli.workspace import Workspace


# ----- what tick reports ------------------------------------------------------------------------

@dataclass
class TickReport:
    now: str
    dry_run: bool = False
    #: a dry run because `now` is later than the clock in a workspace on real time
    ahead: bool = False
    happened: list[Happening] = field(default_factory=list)
    #: records looked at (in states with an SLA or auto transitions)
    checked: int = 0
    errors: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Happening]:
        return [h for h in self.happened if h.kind == kind]

    @property
    def failed_actions(self) -> int:
        return sum(1 for h in self.happened if h.entry for a in h.entry.actions if a.status == "failed")

    def to_dict(self) -> dict[str, Any]:
        return {"now": self.now, "dry_run": self.dry_run, "ahead_of_clock": self.ahead, "checked": self.checked,
                "escalations": [h.to_dict() for h in self.of("escalate")],
                "moves": [h.to_dict() for h in self.of("move")],
                "skipped": [h.to_dict() for h in self.of("skip")],
                "errors": list(self.errors)}


# ----- running it -----------------------------------------------------------------------------

def tick(ws: Workspace, now: datetime, *, dry_run: bool = False, from_clock: bool = False) -> TickReport:
    """Run every due escalation and automatic transition in the workspace. A
    `now` later than the clock only shows what would be due (a dry run), unless
    the workspace runs on simulated time (`clock: simulated`): history is never
    dated ahead of the time a person's next change gets. `from_clock`: `now` was
    read from the clock, so a record changed at a later second meanwhile is
    handled at that second (`clock.not_before`); a `now` given is never moved."""
    from blueprint_cli.store import CorruptFile
    from blueprint_cli.workspace.clock import now as clock

    calendar = ws.calendar
    simulated = ws.settings.simulated_clock  # read (and checked) whatever `now` is: tick is what it governs
    ahead = not dry_run and now > clock() and not simulated
    report = TickReport(engine.iso(now), dry_run or ahead, ahead)
    dry_run = report.dry_run
    with ws.store.session():
        published = {p.id: p for p in ws.published()}
        work = [(bp, timed) for bp in (ws.blueprint(p.id, p.latest) for p in published.values())
                for timed in timed_states(bp)]
        settings_checked(ws.outlet, not dry_run and any(
            may_send([*(a for lv in timed.levels for a in lv.actions), *(a for t in timed.autos for a in t.then)])
            for _, timed in work))
        for bp, timed in work:
            errors: list[CorruptFile] = []
            for snapshot in ws.store.scan(blueprint=bp.id, state=timed.state, errors=errors):
                report.checked += 1
                # a cheap look first: most records in a timed state have nothing due
                if not due(timed, snapshot, now, calendar):
                    continue
                try:
                    _record(ws, bp.id, timed.state, snapshot.id, now, calendar, report, dry_run, from_clock)
                except BlueprintError as exc:
                    report.errors.append(f"record {snapshot.id}: {exc.message}")
            report.errors += [e.message for e in errors]
    return report


def _record(ws: Workspace, blueprint: str, state: str, record_id: str, now: datetime, calendar: BusinessTime,
            report: TickReport, dry_run: bool, from_clock: bool) -> None:
    from blueprint_cli.workspace.clock import not_before

    with ws.store.transaction(record_id) as txn:
        bp, record = ws.current(txn.current.record)
        # decided again on the locked record: another tick, or a person, may have been first
        if bp is None or bp.id != blueprint or record.state != state:
            return
        now = not_before(record, now) if from_clock else now
        done = step(bp, record, now, calendar, ws.team, ws.workload(bp))
        ws.workload(bp).moved(record, done.record)
        if not done.entries or dry_run:
            report.happened += done.happened  # with no entries: only skips already noted in this stay
            return
        # committed, then each entry's e-mails and webhooks sent and their outcomes recorded
        [committed] = apply(ws.outlet, single(txn.commit), [Change(done.record, done.entries, done.effects)], now)
        delivered = {id(old): new for old, new in zip(done.entries, committed.entries)}
        report.happened += [replace(h, entry=delivered[id(h.entry)]) if h.entry is not None and id(h.entry) in delivered
                            else h for h in done.happened]


def parse_now(text: str | None, zone: tzinfo | None = None) -> datetime:
    """`--now`: ISO 8601 (a time without offset is in `zone`, None: the machine's
    local zone); default: the clock."""
    from blueprint_cli.language.times import EXAMPLE, TimeError, YearOutOfRange, parse_time
    from blueprint_cli.workspace import now as clock

    if text is None:
        return clock()
    try:
        return parse_time(text, zone=zone)
    except YearOutOfRange as exc:
        raise BlueprintError(f"--now {text!r}: {exc}", hint=f"write ISO 8601, like {EXAMPLE}") from None
    except TimeError:
        raise BlueprintError(f"--now {text!r} is not a time", hint=f"write ISO 8601, like {EXAMPLE}") from None


def describe(h: Happening) -> str:
    """One line for the terminal."""
    who = f"{h.module} {h.record}" + (f" · {h.name}" if h.name else "")
    if h.kind == "escalate":
        return f"{who}: SLA {h.what} of {h.state} fired"
    if h.kind == "move":
        return f"{who}: {h.what} performed automatically, {h.state} → {h.to_state}"
    return f"{who}: {h.what} is due but not performed: " + "; ".join(h.reasons)

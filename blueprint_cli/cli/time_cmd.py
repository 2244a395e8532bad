"""`blueprint tick` (SLA escalations and automatic transitions) and `blueprint
retry` (e-mails and webhooks that failed)."""

from __future__ import annotations

from typing import List, Optional

import typer

from blueprint_cli.shown import markup as m
from blueprint_cli.cli.context import options, print_json


def tick(
    ctx: typer.Context,
    now: Optional[str] = typer.Option(None, "--now", metavar="ISO",
                                      help="Act as if it were this time (ISO 8601; default: now). Later than the "
                                           "clock: only shows what is due, unless config.yaml says clock: simulated."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what is due without doing it."),
) -> None:
    """Run due SLA escalations and automatic transitions (cron-friendly; safe to run twice).

    Exit 0 when tick ran — also when an automatic transition had to be skipped or an
    e-mail or webhook failed (both are reported; `blueprint retry` re-sends failures).
    Exit 1 when a record could not be read, or what is due would be dated before its last
    change (a --now earlier than it): it is named, and every other record is handled."""
    from blueprint_cli.cli.record_view import open_workspace, report_unreadable, term
    from blueprint_cli.engine import iso as engine_iso
    from blueprint_cli.workspace.clock import now as clock
    from blueprint_cli.workspace.tick import describe, parse_now, tick as run_tick

    ws = open_workspace(ctx)
    moment = parse_now(now, ws.zone)
    report = run_tick(ws, moment, dry_run=dry_run, from_clock=now is None)
    if options(ctx).json:
        print_json(report.to_dict())
        if report.errors:
            raise typer.Exit(1)
        return
    out = term(ctx)
    prefix = "[dim](dry run)[/] " if report.dry_run else ""
    marks = {"escalate": "[yellow]⏰[/]", "move": "[green]→[/]", "skip": "[red]✗[/]"}
    for h in report.happened:
        out.print(f"{prefix}{marks[h.kind]} {m(describe(h))}", markup=True, highlight=False)
        if h.entry is not None:
            from blueprint_cli.cli.record_view import entry_details

            for line in entry_details(h.entry):
                out.print("    ", line)
    counts = (f"{len(report.of('escalate'))} escalation(s), {len(report.of('move'))} automatic transition(s), "
              f"{len(report.of('skip'))} skipped")
    out.print(f"{prefix}tick at {m(str(report.now))}: {counts}; {report.checked} record(s) in timed states checked",
              style="dim")
    if report.ahead:
        out.print(f"--now is later than the clock ({m(engine_iso(clock()))}): nothing was changed, as with --dry-run "
                  "(`clock: simulated` in config.yaml lets tick write at a later time)", style="yellow")
    if report.errors:
        report_unreadable(report.errors)
        raise typer.Exit(1)


def retry(
    ctx: typer.Context,
    record_ids: Optional[List[str]] = typer.Argument(None, metavar="[ID]...",
                                                     help="Only these records (default: every record with failures)."),
    now: Optional[str] = typer.Option(None, "--now", metavar="ISO", help="The time to record (default: now)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be sent again, send nothing."),
) -> None:
    """Send again the e-mails and webhooks whose delivery failed (never one that succeeded).

    Exit 1 if any is still failing afterwards, or a record could not be read."""
    from blueprint_cli.cli.record_view import open_workspace, report_unreadable, term
    from blueprint_cli.workspace.retry import retry as run_retry
    from blueprint_cli.workspace.tick import parse_now

    ws = open_workspace(ctx)
    report = run_retry(ws, list(record_ids or []), parse_now(now, ws.zone), dry_run=dry_run)
    failed = report.still_failed
    if options(ctx).json:
        print_json(report.to_dict())
    else:
        out = term(ctx)
        if not report.retried:
            out.print("nothing to retry: every e-mail and webhook was delivered")
        for r in report.retried:
            where = m(f"{r.module} {r.record}" + (f" ({r.transition})" if r.transition else ""))
            if dry_run:
                out.print(f"would send again: {where}: {m(r.before.action)} {m(r.before.detail)}")
            elif r.after.status == "done":
                out.print(f"[green]✓[/] {where}: {m(r.after.action)} {m(r.after.detail)}")
            else:
                out.print(f"[red]✗[/] {where}: {m(r.after.action)} {m(r.after.detail)}")
        report_unreadable(report.errors)
    if (failed and not dry_run) or report.errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("tick")(tick)
    app.command("retry")(retry)

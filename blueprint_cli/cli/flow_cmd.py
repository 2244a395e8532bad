"""`blueprint next`, `blueprint move` and `blueprint history`: stepping records
through their blueprint."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from blueprint_cli.cli.context import options, print_json

if TYPE_CHECKING:
    from rich.console import Console

    from blueprint_cli.engine import Inputs, Refusal
    from blueprint_cli.model import Blueprint


def next_(
    ctx: typer.Context,
    record_id: str = typer.Argument(..., metavar="ID"),
    all_: bool = typer.Option(False, "--all", help="With --json: also list transitions you may not perform, and why."),
) -> None:
    """Transitions you may perform on the record now, and what each still requires."""
    from blueprint_cli.cli.record_view import open_workspace, options_view, term

    opts = options(ctx)
    record, bp, choices = open_workspace(ctx).options(record_id, opts.acting_user)
    if opts.json:
        print_json([o.to_dict() for o in choices if o.allowed or all_])
        return
    term(ctx).print(options_view(record, opts.acting_user, choices, bp))


def move(
    ctx: typer.Context,
    record_id: str = typer.Argument(..., metavar="ID"),
    transition: str = typer.Argument(..., help="The transition, or a part of a parallel transition."),
    set_: Optional[List[str]] = typer.Option(None, "--set", metavar="NAME=VALUE", help="A field value (repeatable)."),
    check: Optional[List[str]] = typer.Option(None, "--check", metavar="ITEM", help="Tick a checklist item (repeatable)."),
    note: Optional[str] = typer.Option(None, "--note", help="A note for the history."),
    attach: Optional[List[Path]] = typer.Option(None, "--attach", metavar="FILE", help="Attach a file (repeatable)."),
    part: Optional[str] = typer.Option(None, "--part", help="Which part of a parallel transition."),
    no_input: bool = typer.Option(False, "--no-input", help="Never prompt, even on a terminal."),
) -> None:
    """Perform a transition. On a terminal, asks for what is missing; otherwise fails listing it (exit 1)."""
    import sys

    from blueprint_cli.cli.record_view import moved_view, open_workspace, parse_assignments, refusal_error, term
    from blueprint_cli.engine import Inputs, Refusal

    opts = options(ctx)
    ws = open_workspace(ctx)
    inputs = Inputs(fields=parse_assignments(set_ or ()), checklist=tuple(check or ()), note=note,
                    attachments=tuple(str(p) for p in attach or ()), part=part)
    interactive = not no_input and not opts.json and sys.stdin.isatty() and sys.stdout.isatty()
    result = ws.move(record_id, transition, inputs, user=opts.acting_user)
    for _ in range(3):
        if not (interactive and isinstance(result.outcome, Refusal) and _can_ask(result.outcome)):
            break
        more = ask_missing(term(ctx), result.blueprint, result.outcome, inputs)
        if more is None:
            break
        inputs = more
        result = ws.move(record_id, transition, inputs, user=opts.acting_user)
    outcome = result.outcome
    if isinstance(outcome, Refusal):
        if opts.json:
            print_json({"refused": True, "record": record_id, "transition": outcome.transition, "part": outcome.part,
                        "reasons": [r.to_dict() for r in outcome.reasons]})
            raise typer.Exit(1)
        raise refusal_error(result.record, outcome)
    if opts.json:
        print_json({"record": outcome.record.to_dict(), "entry": outcome.entry.to_dict(),
                    "waiting": list(outcome.waiting)})
        return
    term(ctx).print(moved_view(outcome.record, outcome))


def _can_ask(refusal: object) -> bool:
    from blueprint_cli.engine import Refusal

    assert isinstance(refusal, Refusal)
    return refusal.only_missing or all(r.kind == "choose-part" for r in refusal.reasons)


def ask_missing(out: Console, bp: Blueprint, refusal: Refusal, inputs: Inputs) -> Inputs | None:
    """Prompt for what a move still needs: typed prompts for fields, a tick list for
    the checklist, then the note and attachments. None if the user declines an item."""
    from dataclasses import replace

    from rich.prompt import Confirm, Prompt

    from blueprint_cli.fieldtypes import FieldValueError, parse

    t = bp.transition(refusal.transition)
    choose = next((r for r in refusal.reasons if r.kind == "choose-part"), None)
    if choose is not None:
        part = Prompt.ask("Which part do you perform?", choices=list(choose.items), console=out)
        return replace(inputs, part=part)
    doing = next((p for p in (t.parallel if t else ()) if p.name == refusal.part), None)
    message = (doing.message if doing and doing.message else None) or (t.message if t else None)
    out.print(f"[bold magenta]{refusal.part or refusal.transition}[/] needs a few things"
              + (f" — [italic]{message}[/]" if message else ""))
    fields = dict(inputs.fields)
    for name in refusal.missing_fields():
        fd = bp.field_def(name)
        while True:
            if fd is not None and fd.type == "boolean":
                raw: str = "true" if Confirm.ask(fd.display, console=out) else "false"
            elif fd is not None and fd.values and fd.type == "picklist":
                raw = Prompt.ask(fd.display, choices=list(fd.values), console=out)
            else:
                label = f"{fd.display} [dim]({fd.type})[/]" if fd else name
                raw = Prompt.ask(label, console=out)
            try:
                if fd is not None:
                    parse(fd, raw)
                break
            except FieldValueError as exc:
                out.print(f"[red]{exc}[/]")
        fields[name] = raw
    ticked = list(inputs.checklist)
    missing = refusal.missing_checklist()
    if missing:
        out.print("Checklist — tick each item:")
        for item in missing:
            if not Confirm.ask(f"  ☐ {item}", console=out):
                out.print(f"[yellow]{item!r} is not ticked; the transition needs every item.[/]")
                return None
            ticked.append(item)
    note = inputs.note
    if refusal.needs("note"):
        while not (note or "").strip():
            note = Prompt.ask("Note", console=out)
    attachments = list(inputs.attachments)
    if refusal.needs("attachment"):
        while True:
            path = Prompt.ask("File to attach", console=out)
            if Path(path).expanduser().is_file():
                attachments.append(str(Path(path).expanduser()))
                break
            out.print(f"[red]no such file: {path}[/]")
    return replace(inputs, fields=fields, checklist=tuple(ticked), note=note, attachments=tuple(attachments))


def history(ctx: typer.Context, record_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Timeline of the record: who, when, transition, from → to, changes, action outcomes."""
    from blueprint_cli.cli.record_view import history_view, open_workspace, term

    record, entries = open_workspace(ctx).history(record_id)
    if options(ctx).json:
        print_json([e.to_dict() for e in entries])
        return
    term(ctx).print(history_view(record, entries))


def register(app: typer.Typer) -> None:
    app.command("next")(next_)
    app.command("move")(move)
    app.command("history")(history)

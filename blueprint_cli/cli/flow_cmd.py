"""`blueprint next`, `blueprint move` and `blueprint history`: stepping records
through their blueprint."""

from __future__ import annotations

from pathlib import Path
from collections.abc import Sequence
from typing import TYPE_CHECKING, List, Optional

import typer

from blueprint_cli.shown import markup as m
from blueprint_cli.cli.context import options, print_json

if TYPE_CHECKING:
    from rich.console import Console

    from blueprint_cli.engine import Inputs, Refusal
    from blueprint_cli.language.model import Blueprint


def next_(
    ctx: typer.Context,
    record_id: str = typer.Argument(..., metavar="ID"),
    all_: bool = typer.Option(False, "--all", help="With --json: also list transitions you may not perform, and why."),
) -> None:
    """Transitions you may perform on the record now, and what each still requires."""
    from blueprint_cli.cli.record_view import acting, open_workspace, options_view, term

    opts = options(ctx)
    ws = open_workspace(ctx)
    user = acting(ctx, ws)
    record, bp, choices = ws.options(record_id, user)
    if opts.json:
        print_json([o.to_dict() for o in choices if o.allowed or all_])
        return
    term(ctx).print(options_view(record, user, choices, bp))


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
    yes: bool = typer.Option(False, "--yes", "-y",
                             help="Accept the default of each required field still at its default, without asking."),
) -> None:
    """Perform a transition. On a terminal, asks for what is missing; otherwise fails listing it (exit 1).

    A required field whose value is still its default (and not given with
    --set) is asked too, the default proposed; --yes accepts the defaults."""
    import sys

    from blueprint_cli.cli.record_view import acting, moved_view, open_workspace, parse_assignments, refusal_error, term
    from blueprint_cli.engine import Inputs, Refusal

    opts = options(ctx)
    ws = open_workspace(ctx)
    user = acting(ctx, ws)
    inputs = Inputs(fields=parse_assignments(set_ or ()), checklist=tuple(check or ()), note=note,
                    attachments=tuple(str(p) for p in attach or ()), part=part, confirm_defaults=yes)
    interactive = not no_input and not opts.json and sys.stdin.isatty() and sys.stdout.isatty()
    from blueprint_cli.workspace import changes

    result = changes.move(ws, record_id, transition, inputs, user=user)
    asked = False
    for _ in range(3):
        if not (interactive and isinstance(result.outcome, Refusal) and _can_ask(result.outcome)):
            break
        answers = Answers(inputs)
        out = term(ctx)
        try:
            complete = ask_missing(out, result.blueprint, result.outcome, answers)
        except (KeyboardInterrupt, EOFError) as exc:
            out.print()  # the cursor is still after the prompt
            raise _cancelled(ctx, record_id, transition, answers.inputs(), result.outcome,
                             "Ctrl-C" if isinstance(exc, KeyboardInterrupt) else "Ctrl-D") from None
        asked = True
        inputs = answers.inputs()
        # what was answered is checked too, so a refusal names only what is still missing
        result = changes.move(ws, record_id, transition, inputs, user=user)
        if not complete:
            break
    outcome = result.outcome
    if isinstance(outcome, Refusal):
        if opts.json:
            print_json({"refused": True, "record": record_id, "transition": outcome.transition, "part": outcome.part,
                        "reasons": [r.to_dict() for r in outcome.reasons]})
            raise typer.Exit(1)
        raise refusal_error(result.record, outcome, inputs, global_args=_global_args(ctx), answered=asked)
    if opts.json:
        print_json({"record": outcome.record.to_dict(), "entry": outcome.entry.to_dict(),
                    "waiting": list(outcome.waiting)})
        return
    term(ctx).print(moved_view(outcome.record, outcome))


def _global_args(ctx: typer.Context) -> list[str]:
    """The global options that make a suggested command act as this one did."""
    opts = options(ctx)
    args = ["--workspace", str(opts.workspace)] if opts.workspace else []
    return args + (["--as", opts.user] if opts.user else [])


def _cancelled(ctx: typer.Context, record_id: str, transition: str, inputs: Inputs, refusal: Refusal,
               key: str) -> Exception:
    from blueprint_cli.cli.record_view import move_command
    from blueprint_cli.diagnostics import BlueprintError

    given = bool(inputs.fields or inputs.checklist or inputs.note or inputs.attachments)
    command = move_command(record_id, refusal.part or transition, inputs, refusal, _global_args(ctx))
    return BlueprintError(f"cancelled ({key}): record {record_id} is unchanged",
                          hint=("your answers so far, to go on from: " if given else "to try again: ") + command,
                          exit_code=130)


def _can_ask(refusal: object) -> bool:
    from blueprint_cli.engine import Refusal

    assert isinstance(refusal, Refusal)
    return refusal.only_missing or all(r.kind == "choose-part" for r in refusal.reasons)


class Answers:
    """What the user has supplied so far: the command line's inputs, then each
    answer as soon as it is given (so Ctrl-C or a declined item loses nothing)."""

    def __init__(self, inputs: Inputs) -> None:
        self.base = inputs
        self.fields = dict(inputs.fields)
        self.checklist = list(inputs.checklist)
        self.note = inputs.note
        self.attachments = list(inputs.attachments)
        self.part = inputs.part

    def inputs(self) -> Inputs:
        from dataclasses import replace

        return replace(self.base, fields=dict(self.fields), checklist=tuple(self.checklist), note=self.note,
                       attachments=tuple(self.attachments), part=self.part)


def ask_missing(out: Console, bp: Blueprint, refusal: Refusal, answers: Answers) -> bool:
    """Prompt for what a move still needs: typed prompts for fields (a picklist's
    values listed; a field still at its default proposes it, Enter accepts it), a yes/no for each checklist item, then the note and
    attachments. Each answer goes into `answers` as it is given. False if the
    user declines a checklist item (the move cannot happen yet)."""
    from rich.prompt import Prompt

    from blueprint_cli.language.fieldtypes import FieldValueError, parse

    t = bp.transition(refusal.transition)
    choose = next((r for r in refusal.reasons if r.kind == "choose-part"), None)
    if choose is not None:
        answers.part = ask_choice(out, "Which part do you perform?", choose.items)
        return True
    doing = next((p for p in (t.parallel if t else ()) if p.name == refusal.part), None)
    message = (doing.message if doing and doing.message else None) or (t.message if t else None)
    out.print(f"[bold magenta]{m(refusal.part or refusal.transition)}[/] needs a few things"
              + (f" — [italic]{m(message)}[/]" if message else ""))
    proposed = {r.field: r.proposed for r in refusal.reasons if r.kind == "field" and r.proposed is not None}
    for name in refusal.missing_fields():
        fd = bp.field_def(name)
        default = proposed.get(name)  # a default to confirm: Enter takes it
        while True:
            if fd is not None and fd.type == "boolean":
                yes = ask_yes_no(m(fd.display), console=out, default=None if default is None else bool(default))
                raw: str = "true" if yes else "false"
            elif fd is not None and fd.values:
                raw = ask_text(out, f"{m(fd.display)} [dim]({m(', '.join(fd.values))})[/]", default)
            else:
                raw = ask_text(out, f"{m(fd.display)} [dim]({fd.type})[/]" if fd else m(name), default)
            try:
                if fd is not None and fd.type == "picklist":
                    raw = parse(fd, raw) or raw  # as declared: `api` is API
                elif fd is not None:
                    parse(fd, raw)
                break
            except FieldValueError as exc:
                out.print(f"[red]{m(exc)}[/]")
        answers.fields[name] = raw
    missing = refusal.missing_checklist()
    if missing:
        out.print("Checklist — tick each item:")
        for item in missing:
            if not ask_yes_no(f"  ☐ {m(item)}", console=out):
                out.print(f"[yellow]{m(repr(item))} is not ticked; the transition needs every item.[/]")
                return False
            answers.checklist.append(item)
    if refusal.needs("note"):
        while not (answers.note or "").strip():
            answers.note = Prompt.ask("Note", console=out)
    if refusal.needs("attachment"):
        while True:
            path = Prompt.ask("File to attach", console=out)
            if Path(path).expanduser().is_file():
                answers.attachments.append(str(Path(path).expanduser()))
                break
            out.print(f"[red]no such file: {m(path)}[/]")
    return True


def ask_text(out: Console, label: str, proposed: object = None) -> str:
    """A typed answer; a `proposed` value (a field's default) is shown as it would
    be typed, and Enter takes it."""
    from rich.prompt import Prompt

    from blueprint_cli.cli.record_view import value_text

    if proposed is None:
        return Prompt.ask(label, console=out)
    return Prompt.ask(label, console=out, default=value_text(proposed))


def ask_choice(out: Console, question: str, choices: Sequence[str]) -> str:
    """One of `choices`, typed in any case; the choices are listed, and again after a wrong answer."""
    from rich.prompt import Prompt

    from blueprint_cli.language.fieldtypes import choice

    while True:
        raw = Prompt.ask(f"{question} [dim]({m(', '.join(choices))})[/]", console=out)
        picked = choice(choices, raw)
        if picked is not None:
            return picked
        out.print(f"[red]{m(repr(raw))} is not one of: {m(', '.join(choices))}[/]")


def ask_yes_no(question: str, *, console: Console, default: bool | None = None) -> bool:
    """y/n, also yes/no/true/false in any case (the words a boolean field accepts);
    with a `default`, it is shown and Enter takes it."""
    from rich.prompt import Confirm, InvalidResponse

    from blueprint_cli.language.fieldtypes import yes_no

    class YesNo(Confirm):
        validate_error_message = "[prompt.invalid]Please answer yes or no"

        def process_response(self, value: str) -> bool:
            answer = yes_no(value)
            if answer is None:
                raise InvalidResponse(self.validate_error_message)
            return answer

    if default is None:
        return bool(YesNo.ask(question, console=console))
    return bool(YesNo.ask(question, console=console, default=default))


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

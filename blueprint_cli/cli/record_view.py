"""How records, their history and the choices of `next` look on a terminal, and
the little helpers the record, flow and demo commands share.

Only imported inside command functions (it pulls in rich and the engine)."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence

import typer
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from blueprint_cli.cli.context import options
from blueprint_cli.cli.record_lines import (
    DEFAULT_COLUMNS as DEFAULT_COLUMNS, RECORD_COLUMNS as RECORD_COLUMNS, TIME_COLUMNS as TIME_COLUMNS,
    column_name as column_name, column_value as column_value, list_lines as list_lines,
    open_workspace as open_workspace, print_lines as print_lines, report_unreadable as report_unreadable,
    sort_records as sort_records, value_text as value_text, when as when,
)
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine import Inputs, Moved, Option, Refusal
from blueprint_cli.language.model import Blueprint
from blueprint_cli.engine.records import ActionOutcome, HistoryEntry, Record
from blueprint_cli.shown import visible
from blueprint_cli.workspace import Workspace

STATUS_MARK = {"done": "✓", "failed": "✗", "skipped": "–", "pending": "…"}
STATUS_STYLE = {"done": "green", "failed": "red", "skipped": "yellow", "pending": "yellow"}


def term(ctx: typer.Context | None) -> Console:
    """The console for command output: long lines stay whole (grep-able when piped)."""
    from blueprint_cli.cli.context import console

    out = console(ctx)
    out.soft_wrap = True
    return out


def acting(ctx: typer.Context, ws: Workspace) -> str:
    """The user a command that changes something acts as, if the workspace lets them."""
    opts = options(ctx)
    return ws.actor(opts.acting_user, given=opts.user_given)


def parse_assignments(items: Iterable[str], what: str = "--set") -> dict[str, str]:
    """`name=value` pairs as typed on the command line (the value stays text)."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise BlueprintError(f"{what} {item!r}: expected NAME=VALUE", hint=f"for example {what} amount=5000")
        out[name.strip()] = value
    return out


def cell(value: object, style: str = "") -> Text:
    """User data for a rich table cell or line: a `Text` (no markup is parsed),
    control characters made visible."""
    return Text(visible(value), style=style)


def quote(text: str) -> str:
    return shlex.quote(text)


def title(record: Record) -> str:
    name = record.fields.get("name") or record.fields.get("subject") or record.fields.get("title")
    return visible(f"{record.module} {record.id}" + (f" · {name}" if name else ""))


# ----- a record -------------------------------------------------------------------------

def record_view(record: Record, bp: Blueprint | None,
                undelivered: Sequence[tuple[HistoryEntry, ActionOutcome]] = ()) -> RenderableType:
    """The record as `record show` prints it; `undelivered`: its e-mails and webhooks
    not (yet) delivered, with the history entries they belong to."""
    head = Text(title(record), style="bold")
    info = Table.grid(padding=(0, 2))
    info.add_column(style="dim")
    info.add_column()
    if bp is not None:
        state = cell(record.state or "", style="bold cyan")
        st = bp.state(record.state or "")
        if st is not None and st.final:
            state.append(" (final)", style="dim")
        info.add_row("state", state)
        info.add_row("blueprint", cell(f"{bp.id} v{record.version}"))
        if record.state_since:
            info.add_row("since", cell(when(record.state_since)))
    else:
        info.add_row("state", Text("not governed by any blueprint", style="yellow"))
    info.add_row("owner", cell(record.owner))
    if record.tags:
        info.add_row("tags", cell(", ".join(map(visible, record.tags))))
    parts: list[RenderableType] = [head, info]

    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="dim")
    fields.add_column()
    shown = set()
    for fd in bp.fields if bp else ():
        shown.add(fd.name)
        fields.add_row(cell(fd.display), Text(value_text(record.fields.get(fd.name))))
    for name, value in record.fields.items():
        if name not in shown:
            fields.add_row(cell(name), Text(value_text(value)))
    parts += [Text("\nFields", style="bold"), fields]

    if bp is not None and record.pending:
        parts.append(Text("\nParallel transition in progress", style="bold"))
        for t in bp.transitions:
            done = {p.part: p for p in record.pending if p.transition == t.name}
            if not done:
                continue
            lines = Table.grid(padding=(0, 2))
            for p in t.parallel:
                if p.name in done:
                    d = done[p.name]
                    lines.add_row(Text("✓", style="green"), cell(p.name), cell(f"by {d.user}, {when(d.at)}", style="dim"))
                else:
                    who = " or ".join(str(o) for o in p.owners)
                    lines.add_row(Text("☐", style="yellow"), cell(p.name), cell(f"waiting for {who}", style="dim"))
            parts += [cell(f"{t.name} → {', '.join(t.targets)}"), lines]

    tasks = record.open_tasks()
    if tasks:
        parts.append(Text("\nOpen tasks", style="bold"))
        grid = Table.grid(padding=(0, 2))
        for task in tasks:
            grid.add_row(cell(f"#{task.id}"), cell(task.subject),
                         cell(f"{task.owner or ''}" + (f", due {when(task.due)}" if task.due else ""), style="dim"))
        parts.append(grid)
    if undelivered:
        parts.append(Text(f"\nNot delivered ({len(undelivered)})", style="bold yellow"))
        grid = Table.grid(padding=(0, 2))
        for entry, action in undelivered:
            grid.add_row(cell(action.action), Text(action.status, style="yellow"), cell(action.detail or ""),
                         cell(f"{entry.transition or entry.kind}, {when(entry.at)}", style="dim"))
        parts += [grid, Text(f"send again: blueprint retry {record.id}", style="dim")]
    if bp is not None and not (bp.state(record.state or "") and bp.state(record.state or "").final):  # type: ignore[union-attr]
        parts.append(Text(f"\nWhat can be done: blueprint next {record.id}", style="dim"))
    return Group(*parts)


#: what `record list --columns` and `--sort` take besides the records' fields
def entry_head(entry: HistoryEntry) -> Text:
    text = Text()
    text.append(when(entry.at), style="dim")
    text.append(visible(f"  {entry.user}  "), style="bold")
    if entry.kind == "create":
        text.append("created")
        if entry.to_state:
            text.append(" → ")
            text.append(visible(entry.to_state), style="cyan")
    elif entry.kind == "edit":
        text.append("edited")
    elif entry.kind == "task":
        text.append("completed a task: ")
        text.append(visible(entry.note or ""), style="bold")
    elif entry.kind == "enter":
        text.append("entered the blueprint → ")
        text.append(visible(entry.to_state or ""), style="cyan")
    elif entry.kind == "migrate":
        text.append("moved by a new blueprint version: ")
        text.append(visible(f"{entry.from_state} → {entry.to_state}"), style="cyan")
    elif entry.kind == "escalate":
        text.append("SLA escalation in ")
        text.append(visible(entry.from_state or ""), style="cyan")
    elif entry.kind == "skip":
        text.append(visible(entry.transition or ""), style="bold magenta")
        text.append(": due, not performed", style="yellow")
    else:
        name = entry.transition or ""
        if entry.part:
            name += f" / {entry.part}"
        text.append(visible(name), style="bold magenta")
        text.append(": ")
        if entry.kind == "part":
            text.append("part done, still in ")
            text.append(visible(entry.from_state or ""), style="cyan")
        else:
            text.append(visible(f"{entry.from_state} → "), style="cyan")
            text.append(visible(entry.to_state or ""), style="bold cyan")
    return text


def entry_details(entry: HistoryEntry) -> list[Text]:
    lines: list[Text] = []
    if entry.changes:
        lines.append(Text(" · ".join(f"{visible(k)}: {value_text(v[0])} → {value_text(v[1])}" if entry.kind != "create"
                                     else f"{visible(k)}: {value_text(v[1])}" for k, v in entry.changes.items())))
    if entry.checklist:
        lines.append(Text("  ".join(f"✓ {visible(item)}" for item in entry.checklist), style="green"))
    if entry.note and entry.kind != "task":
        lines.append(cell(f"note: {entry.note}", style="italic"))
    for path in entry.attachments:
        lines.append(cell(f"attached: {path}"))
    for a in entry.actions:
        line = cell(f"{STATUS_MARK.get(a.status, '?')} {a.action}", style=STATUS_STYLE.get(a.status, ""))
        line.append(visible(f" {a.detail}" if a.status == "done" else f" ({a.status}) {a.detail}"), style="default")
        lines.append(line)
    return lines


def history_view(record: Record, history: Sequence[HistoryEntry]) -> RenderableType:
    parts: list[RenderableType] = [Text(f"{title(record)} — {len(history)} entr{'y' if len(history) == 1 else 'ies'}",
                                        style="bold")]
    for entry in history:
        parts.append(entry_head(entry))
        for line in entry_details(entry):
            parts.append(Text("    ") + line)
    return Group(*parts)


# ----- next and move --------------------------------------------------------------------

def suggested_command(record_id: str, option: Option) -> str:
    cmd = ["blueprint", "move", record_id, option.part or option.transition]
    for r in option.requires:
        if r.kind == "field" and r.field:
            cmd.append(f"--set {r.field}=…")
        elif r.kind == "checklist":
            cmd += [f"--check {quote(i)}" for i in r.items]
        elif r.kind == "note":
            cmd.append("--note …")
        elif r.kind == "attachment":
            cmd.append("--attach FILE")
    return " ".join(c if c.startswith("--") or c == "blueprint" else quote(c) if " " in c else c for c in cmd)


def options_view(record: Record, user: str, opts: Sequence[Option], bp: Blueprint | None) -> RenderableType:
    if bp is None:
        return Text(f"{title(record)} is not governed by any blueprint: it has no transitions.")
    st = bp.state(record.state or "")
    if st is not None and st.final:
        return Text(f"{title(record)} is in {visible(record.state)}, a final state: nothing more to do.")
    allowed = [o for o in opts if o.allowed]
    timed = [o for o in opts if not o.allowed and any(r.kind == "automatic" for r in o.blocked_by)]
    blocked = [o for o in opts if not o.allowed and o not in timed]
    parts: list[RenderableType] = [Text.assemble((title(record), "bold"), " is in ", (visible(record.state or ""), "bold cyan"),
                                                 f" — what {visible(user)} can do now:" if allowed else "")]
    if not allowed:
        parts.append(Text(f"Nothing {visible(user)} can do now.", style="yellow"))
    for o in allowed:
        name = o.transition + (f" / {o.part}" if o.part else "")
        line = Text.assemble("  ▸ ", (visible(name), "bold magenta"), " → ", visible(", ".join(o.targets)))
        if o.kind != "transition":
            line.append(f"  ({o.kind})", style="dim")
        parts.append(line)
        if o.message:
            parts.append(cell(f"      {o.message}", style="italic"))
        if o.requires:
            parts.append(cell("      needs: " + "; ".join(r.message for r in o.requires), style="yellow"))
        if o.then:
            parts.append(cell("      then: " + "; ".join(o.then)))
        parts.append(cell("      " + suggested_command(record.id, o), style="dim"))
    for o in timed:
        at = f"at {when(o.runs_at)}" if o.runs_at else "once its time in the state has passed"
        parts.append(Text.assemble("  ⏱ ", (visible(o.transition), "bold"), " → ", visible(", ".join(o.targets)),
                                   (f"  runs automatically {at}", "cyan")))
        for r in o.blocked_by:
            if r.kind != "automatic":
                parts.append(cell(f"      {r.message}", style="red"))
    if blocked:
        parts.append(cell(f"Not available to {user}:", style="bold"))
        for o in blocked:
            name = o.transition + (f" / {o.part}" if o.part else "")
            parts.append(Text.assemble("  ✗ ", (visible(name), "bold"), " → ", visible(", ".join(o.targets))))
            for r in o.blocked_by:
                parts.append(cell(f"      {r.message}", style="red"))
    return Group(*parts)


def moved_view(before: Record, result: Moved) -> RenderableType:
    e = result.entry
    if result.waiting:
        head = Text.assemble(("✓ ", "green"), (visible(e.part), "bold"), f" done on {title(before)}; ",
                             (visible(e.transition or ""), "bold magenta"), " waits for: " + visible(", ".join(result.waiting)))
    else:
        name = (e.transition or "") + (f" / {e.part}" if e.part else "")
        head = Text.assemble(("✓ ", "green"), (title(before), "bold"), ": ", (visible(name), "bold magenta"), "  ",
                             (visible(e.from_state or ""), "cyan"), " → ", (visible(e.to_state or ""), "bold cyan"))
    return Group(head, *[Text("    ") + line for line in entry_details(e)])


def move_command(record_id: str, name: str, inputs: Inputs, refusal: Refusal,
                 global_args: Sequence[str] = ()) -> str:
    """`blueprint move` as a shell command line: what was given filled in
    (shell-quoted), then a placeholder for each thing still missing."""
    cmd = ["blueprint", *global_args, "move", record_id, name]
    for field, value in inputs.fields.items():
        cmd += ["--set", f"{field}={value}"]
    for item in inputs.checklist:
        cmd += ["--check", item]
    if inputs.note:
        cmd += ["--note", inputs.note]
    for path in inputs.attachments:
        cmd += ["--attach", path]
    if inputs.part and inputs.part != name:
        cmd += ["--part", inputs.part]
    if inputs.confirm_defaults:
        cmd.append("--yes")
    line = " ".join(quote(c) for c in cmd)
    missing = [f"--set {quote(f)}=VALUE" for f in refusal.missing_fields() if f not in inputs.fields]
    missing += [f"--check {quote(i)}" for i in refusal.missing_checklist()]
    missing += ["--note TEXT"] if refusal.needs("note") else []
    missing += ["--attach FILE"] if refusal.needs("attachment") else []
    return " ".join([line, *missing])


def refusal_error(record: Record, refusal: Refusal, inputs: Inputs | None = None, *,
                  global_args: Sequence[str] = (), answered: bool = False) -> BlueprintError:
    """The refusal as an error (exit 1). When only things the user can supply are
    missing, the hint is the command line to run: what was given (typed or
    answered at the prompts) kept, the rest to fill in."""
    what = refusal.transition + (f" / {refusal.part}" if refusal.part else "")
    lines = "\n".join(f"  - {r.message}" for r in refusal.reasons)
    if refusal.only_missing:
        command = move_command(record.id, refusal.part or refusal.transition, inputs or Inputs(), refusal,
                               global_args)
        hint = f"your answers are kept in this command; supply the rest and run it: {command}" if answered \
            else command
    elif any(r.kind == "choose-part" for r in refusal.reasons):
        hint = f"blueprint move {record.id} {quote(refusal.transition)} --part NAME"
    else:
        hint = f"see what you can do: blueprint next {record.id}"
    return BlueprintError(f"cannot perform {what!r} on record {record.id}:\n{lines}", hint=hint, exit_code=1)

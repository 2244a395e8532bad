"""`blueprint demo`: a guided tour in a throwaway workspace.

Every step is a real `blueprint` command, run in this process against a fresh
workspace and printed as you would type it, so the tour doubles as a script
to copy from. It needs no arguments and no terminal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from blueprint_cli.cli.context import options


def demo(
    ctx: typer.Context,
    folder: Optional[Path] = typer.Option(None, "--dir", help="Run the tour in this (new or empty) folder and keep it."),
    keep: bool = typer.Option(False, "--keep", help="Keep the throwaway workspace afterwards."),
) -> None:
    """A guided tour: publish the deal sample, create deals, step them through every kind of transition (time included)."""
    import os
    import shutil
    import tempfile

    from blueprint_cli.cli.record_view import term

    out = term(ctx)
    color = options(ctx).color
    where = folder.resolve() if folder else Path(tempfile.mkdtemp(prefix="blueprint-demo-"))
    if folder is not None and where.exists() and any(where.iterdir()):
        from blueprint_cli.diagnostics import BlueprintError

        raise BlueprintError(f"{where} is not empty", hint="give a new or empty folder, or leave out --dir")
    where.mkdir(parents=True, exist_ok=True)
    saved_cwd, saved_env = Path.cwd(), {k: os.environ.get(k) for k in ("BLUEPRINT_WORKSPACE", "BLUEPRINT_USER")}
    os.chdir(where)
    os.environ.pop("BLUEPRINT_WORKSPACE", None)
    os.environ.pop("BLUEPRINT_USER", None)
    try:
        _tour(out, where, color)
    finally:
        os.chdir(saved_cwd)
        for key, value in saved_env.items():
            if value is not None:
                os.environ[key] = value
        if folder is None and not keep:
            shutil.rmtree(where, ignore_errors=True)
    if folder is None and not keep:
        out.print(f"\n[dim]The tour's workspace ({where}) has been removed; `blueprint demo --keep` keeps it.[/]")
    else:
        out.print(f"\n[dim]The tour's workspace is in {where} — cd there and try `blueprint record list`.[/]")


def _tour(out: object, where: Path, color: bool) -> None:
    import shlex
    from datetime import date, datetime, timedelta, timezone

    from rich.console import Console
    from rich.text import Text
    from typer.exceptions import TyperException

    from blueprint_cli.cli.context import print_error
    from blueprint_cli.cli.main import command
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.store.files import NoFileLocks

    assert isinstance(out, Console)
    step = [0]

    def say(heading: str, text: str) -> None:
        step[0] += 1
        out.print(Text(f"\n{step[0]}. {heading}", style="bold"))
        out.print(Text(text, style="italic"))

    def run(*args: str, expect: int = 0) -> None:
        """Run one command as typed, its errors worded as the command words them
        (`error: cannot perform …`). Any other outcome than the expected one
        stops the tour (exit 1)."""
        out.print(Text.assemble(("$", "bold green"), " blueprint " + shlex.join(args)))
        flags = [] if color else ["--no-color"]
        try:
            code = command().main(args=[*flags, *args], prog_name="blueprint", standalone_mode=False)
        except NoFileLocks:  # not the demo's fault: no step can go on
            raise
        except BlueprintError as exc:
            out.file.flush()
            print_error(exc.message, exc.hint, file=out.file, color=color and out.is_terminal)
            code = exc.exit_code
        except TyperException as exc:
            print_error(exc.format_message(), None, file=out.file, color=color and out.is_terminal)
            code = exc.exit_code
        code = code if isinstance(code, int) else 0
        if code == 130:  # Ctrl-C inside the command (typer made it an exit code): stop the tour
            raise KeyboardInterrupt
        if code != expect:
            raise BlueprintError(f"the tour stopped at step {step[0]}: `blueprint {shlex.join(args)}` "
                                 f"exited with {code}, not {expect}",
                                 hint="this is a bug in the demo; please report it with the output above",
                                 exit_code=1)

    close_on = (date.today() + timedelta(days=30)).isoformat()
    out.print("[bold]blueprint demo[/] — a deal process as code, stepped through by a small sales team.")
    out.print(f"[dim]Every line starting with $ is a real command, run in a throwaway workspace in {where}.[/]")

    say("Create a workspace",
        "`init` makes .blueprint/ with a team file (alice: sales rep, bob: sales manager, carol: legal, "
        "dave: finance, ...) and publishes the sample blueprint blueprints/deal-follow-up.yaml "
        "(`blueprint show` summarises it).")
    run("init")

    say("Lint before you publish",
        "`lint` checks a blueprint against the schema and the semantic rules; each finding has its line and "
        "column. Here a draft misspells a state. `publish` refuses a blueprint with errors, and CI can lint "
        "every pull request (`--format github` or `sarif`).")
    sample = Path("blueprints", "deal-follow-up.yaml").read_text(encoding="utf-8")
    Path("draft.yaml").write_text(sample.replace("to: Negotiation", "to: Negotiaton", 1), encoding="utf-8")
    run("lint", "draft.yaml", expect=1)

    say("Create deals",
        "A new record enters the first published blueprint whose module and entry criteria match "
        "(here: Deals with amount > 0). A zero-value renewal is not governed.")
    run("--as", "alice", "record", "create", "Deals", "--set", "name=Acme rollout", "--set", "amount=24000")
    run("--as", "alice", "record", "create", "Deals", "--set", "name=Globex pilot", "--set", "amount=800")
    run("--as", "alice", "record", "create", "Deals", "--set", "name=Initech renewal", "--set", "amount=12000")
    run("--as", "alice", "record", "create", "Deals", "--set", "name=Hooli (logged renewal)", "--set", "amount=0")

    say("What can I do now?", "`next` lists the transitions alice may perform and what each still requires.")
    run("--as", "alice", "next", "1")

    say("Before: owners and criteria",
        "A refusal says exactly why. Globex is below the 1000 EUR the Negotiate criteria ask for, and dave "
        "is not a sales rep (nor the deal's owner).")
    run("--as", "alice", "move", "2", "Negotiate", "--set", f"close_on={close_on}", "--check", "Budget confirmed",
        "--check", "Decision maker identified", "--note", "small pilot", "--no-input", expect=1)
    run("--as", "dave", "move", "1", "Negotiate", "--no-input", expect=1)

    say("During: fields, checklist and note",
        "Negotiate requires a close date, two checklist items and a note (on a terminal, `move` would ask for "
        "them). After: it sets the probability and creates a task.")
    run("--as", "alice", "move", "1", "Negotiate", "--set", f"close_on={close_on}", "--check", "Budget confirmed",
        "--check", "Decision maker identified", "--note", "CFO confirmed budget for Q3")

    say("During: a default is confirmed, not taken unseen",
        "Request discount requires the discount, which still holds its default (0). On a terminal `move` "
        "proposes it (Enter accepts it); otherwise `--set` gives a value or `--yes` accepts the default.")
    run("--as", "alice", "move", "1", "Request discount", "--note", "3-year commitment in return", "--no-input",
        expect=1)

    say("After: an e-mail", "Requesting a discount e-mails the sales managers (written to .blueprint/outbox/).")
    run("--as", "alice", "move", "1", "Request discount", "--set", "discount=15",
        "--note", "3-year commitment in return")

    say("A conditional transition",
        "bob decides; the branches route the deal: a discount up to 20% goes on to Legal Review, more goes "
        "back to Negotiation.")
    run("--as", "bob", "move", "1", "Decide discount")

    say("A parallel transition",
        "Sign-off needs Legal and Finance, in any order, each by its own people. The deal moves only when "
        "both are done; until then `record show` lists what is pending.")
    Path("contract-acme.pdf").write_bytes(b"%PDF-1.4\n% signed contract (demo)\n")
    run("--as", "carol", "move", "1", "Sign-off", "--set", "signed=yes", "--attach", "contract-acme.pdf")
    run("record", "show", "1")
    run("--as", "dave", "move", "1", "Finance approval", "--check", "Payment terms within policy",
        "--check", "Customer credit check passed")

    say("A common transition", "Lose is available from every open stage; the manager closes Initech as lost.")
    run("--as", "bob", "move", "3", "Lose", "--set", "reason=Competitor", "--set", "competitor=Umbrella Corp",
        "--note", "price matched by the incumbent")
    run("--as", "bob", "move", "3", "Lose", "--set", "reason=Price", "--note", "again", "--no-input", expect=1)

    say("Time: SLAs and automatic transitions",
        "Time moves only when `tick` runs (from cron, say); `--now` lets the tour jump ahead. Globex has sat in "
        "Qualification, whose SLA escalates level by level. A new version of the blueprint adds an automatic "
        "transition — deals untouched for 30 days go stale — and records follow it as soon as it is published.")
    Path("blueprints", "deal-follow-up.yaml").write_text(sample + STALE, encoding="utf-8")
    run("--as", "grace", "publish", "blueprints/deal-follow-up.yaml")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    run("tick", "--now", (now + timedelta(days=4)).isoformat())
    run("tick", "--now", (now + timedelta(days=31)).isoformat())

    say("Where everything is", "Records, filtered by state or by any field.")
    run("record", "list")
    run("record", "list", "--where", 'amount >= 10000 and state = "Closed Won"')

    say("Draw it",
        "`graph` draws a blueprint as a terminal tree, Mermaid (GitHub renders it in Markdown), Graphviz DOT, "
        "SVG or PNG; `--record` marks where a record is and the path it took. A few lines of the Mermaid:")
    run("graph", "--record", "1", "-o", "deal.mmd")
    lines = Path("deal.mmd").read_text(encoding="utf-8").splitlines()
    start = lines.index("stateDiagram-v2") if "stateDiagram-v2" in lines else 0
    peek = lines[start:start + 8]
    out.print(Text("\n".join([*peek, f"… ({len(lines) - len(peek)} more lines in deal.mmd)"]), style="dim"))

    say("The audit trail",
        "Every move, edit and action outcome is in the record's history (`--json` gives it as data).")
    run("history", "1")

    out.print("\n[bold]That's the tour.[/] Start your own: [bold]blueprint init[/], edit "
              "blueprints/deal-follow-up.yaml, `blueprint lint` it, then `blueprint publish` it.")


#: The automatic transition the tour's second version adds to the deal sample.
STALE = """\
  - name: Go stale                  # automatic: performed by `blueprint tick`
    from: Qualification
    to: Closed Lost
    auto: {after: 30d}
    then:
      - set: {reason: No decision, probability: 0}
      - tag: {add: [stale]}
"""


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)

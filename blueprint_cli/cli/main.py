"""The `blueprint` application: global options, command registration, and the
one place where user errors become messages and exit codes (never tracebacks)."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from blueprint_cli import __version__
from blueprint_cli.cli.context import Options

app = typer.Typer(
    name="blueprint",
    help="Business processes as code: lint, draw, test and run CRM-style blueprints.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: Command modules; each has `register(app)`. They import heavy libraries
#: lazily, inside the commands, so start-up stays fast.
COMMAND_MODULES = [
    "blueprint_cli.cli.lint_cmd",
    "blueprint_cli.cli.show_cmd",
    "blueprint_cli.cli.workspace_cmd",
    "blueprint_cli.cli.record_cmd",
    "blueprint_cli.cli.flow_cmd",
    "blueprint_cli.cli.demo_cmd",
    "blueprint_cli.cli.graph_cmd",
    "blueprint_cli.cli.test_cmd",
    "blueprint_cli.cli.diff_cmd",
    "blueprint_cli.cli.store_cmd",
    "blueprint_cli.cli.time_cmd",
    "blueprint_cli.cli.bulk_cmd",
    "blueprint_cli.cli.record_data_cmd",
]


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"blueprint {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def main(
    ctx: typer.Context,
    workspace: Optional[Path] = typer.Option(
        None, "--workspace", "-w", envvar="BLUEPRINT_WORKSPACE",
        help="The .blueprint/ folder, or a folder holding one (default: nearest upward).",
    ),
    as_user: Optional[str] = typer.Option(
        None, "--as", envvar="BLUEPRINT_USER", help="Act as this user (default: the OS user)."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print data as JSON."),
    no_color: bool = typer.Option(False, "--no-color", help="No colours (also NO_COLOR)."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    ctx.obj = Options(
        workspace=workspace,
        user=as_user,
        json=json_output,
        color=not no_color and "NO_COLOR" not in os.environ,
    )


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def run(argv: list[str] | None = None) -> None:
    """Entry point. Typer's standalone mode turns usage errors into exit 2 with
    its own message; errors a user causes inside a command (`BlueprintError`)
    become a message and the exit code of SPEC §3.1 here — never a traceback."""
    from blueprint_cli.diagnostics import BlueprintError


    try:
        app(args=argv, prog_name="blueprint")
    except BlueprintError as exc:
        _print_error(exc.message, exc.hint)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(130)
    except OSError as exc:  # the system refused a read or write: a full disk, a permission, a broken mount
        where = f": {exc.filename}" if exc.filename else ""
        _print_error(f"{exc.strerror or exc}{where}",
                     "every record is whole (writes are atomic); fix the cause and run the command again")
        sys.exit(1)


def _print_error(message: str, hint: str | None) -> None:
    no_color = "NO_COLOR" in os.environ or "--no-color" in sys.argv or not sys.stderr.isatty()
    red, dim, reset = ("", "", "") if no_color else ("\033[31m", "\033[2m", "\033[0m")
    sys.stderr.write(f"{red}error:{reset} {message}\n")
    if hint:
        sys.stderr.write(f"{dim}hint:{reset} {hint}\n")


def entry() -> None:
    """The `blueprint` console script: `run` as a process of its own."""
    import signal

    if hasattr(signal, "SIGPIPE"):
        # `blueprint record list | head`: end quietly like other Unix tools,
        # instead of click's exit 1 (which here means "findings" or "refused").
        # Only here, never inside `run`, which tests call in their own process.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    run()

"""The `blueprint` application: global options, command registration, and the
one place where user errors become messages and exit codes (never tracebacks)."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from blueprint_cli import __version__
from blueprint_cli.cli.context import Options, options, print_error

if TYPE_CHECKING:
    from typer.core import TyperGroup, TyperOption

app = typer.Typer(
    name="blueprint",
    help="Business processes as code: lint, draw, test and run CRM-style blueprints.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: Command modules (in blueprint_cli.cli), in the order of the help, and the
#: commands each one's `register(app)` adds (tests/test_global_options.py checks
#: these against what registering adds): a command line that names a command
#: imports only its module. They import heavy libraries lazily, inside the
#: commands, so start-up stays fast.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "lint_cmd": ("lint", "schema"),
    "show_cmd": ("show",),
    "workspace_cmd": ("init", "publish"),
    "record_cmd": ("record",),
    "flow_cmd": ("next", "move", "history"),
    "demo_cmd": ("demo",),
    "graph_cmd": ("graph",),
    "test_cmd": ("test",),
    "diff_cmd": ("diff",),
    "store_cmd": ("store",),
    "time_cmd": ("tick", "retry"),
    "bulk_cmd": ("bulk",),
    "tasks_cmd": ("tasks",),
    "record_data_cmd": ("record",),  # record tag, import and export
    "zoho_cmd": ("zoho",),
    "lsp_cmd": ("lsp",),
    "report_cmd": ("report",),
    "board_cmd": ("board",),
}

WORKSPACE_HELP = "The .blueprint/ folder, or a folder holding one (default: nearest upward)."
AS_HELP = "Act as this user (default: the OS user)."
JSON_HELP = "Print data as JSON."
NO_COLOR_HELP = "No colours (also NO_COLOR)."


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"blueprint {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def main(
    ctx: typer.Context,
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", envvar="BLUEPRINT_WORKSPACE",
                                             help=WORKSPACE_HELP),
    as_user: Optional[str] = typer.Option(None, "--as", envvar="BLUEPRINT_USER", help=AS_HELP),
    json_output: bool = typer.Option(False, "--json", help=JSON_HELP),
    no_color: bool = typer.Option(False, "--no-color", help=NO_COLOR_HELP),
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


#: the command modules registered so far (each is registered once: some add to a shared group)
_REGISTERED: list[str] = []


def _register(modules: Iterable[str]) -> None:
    for module in modules:
        if module not in _REGISTERED:
            importlib.import_module(f"blueprint_cli.cli.{module}").register(app)
            _REGISTERED.append(module)


# ----- global options after the command ---------------------------------------------------
# typer declares options per function; the four global ones are declared once on
# the application callback above. So that `blueprint record show 1 --json` works
# like `blueprint --json record show 1`, every command of the built click tree
# also gets them, as options that set the one `Options` object (never a
# parameter of the command function) and are listed in its help.

def _set_global(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> None:
    if value is None or value is False or ctx.resilient_parsing:
        return
    opts = options(ctx)
    if param.name == "workspace":
        opts.workspace = Path(value)
    elif param.name == "as_user":
        opts.user = str(value)
    elif param.name == "json_output":
        opts.json = True
    elif param.name == "no_color":
        opts.color = False


def _global_options() -> list[TyperOption]:
    from typer.core import TyperOption

    panel = "Global options (also before the command)"
    return [
        TyperOption(param_decls=["--workspace", "-w", "workspace"], metavar="<path>", expose_value=False,
                    callback=_set_global, help=WORKSPACE_HELP, rich_help_panel=panel),
        TyperOption(param_decls=["--as", "as_user"], metavar="<str>", expose_value=False,
                    callback=_set_global, help=AS_HELP, rich_help_panel=panel),
        TyperOption(param_decls=["--json", "json_output"], is_flag=True, default=False, expose_value=False,
                    callback=_set_global, help=JSON_HELP, rich_help_panel=panel),
        TyperOption(param_decls=["--no-color", "no_color"], is_flag=True, default=False, expose_value=False,
                    callback=_set_global, help=NO_COLOR_HELP, rich_help_panel=panel),
    ]


def _add_global_options(group: TyperGroup) -> None:
    from typer.core import TyperGroup

    for sub in group.commands.values():
        taken = {name for p in sub.params for name in (*p.opts, *p.secondary_opts)}
        sub.params.extend(p for p in _global_options() if not taken & set(p.opts))
        if isinstance(sub, TyperGroup):
            _add_global_options(sub)


def _check_text_parameters(command: Any) -> None:
    """Every parameter that takes text (not a path) refuses text that is not
    valid UTF-8 (`usertext.text_problem`): a value from a Latin-1 terminal is a
    usage error naming the option, before the command runs. Paths keep the
    system's bytes: a file name need not be UTF-8 to be read."""
    for param in command.params:
        if type(param.type).__name__ == "StringParamType":  # typer's own copy of click's
            param.type = _text_type(type(param.type))
    for sub in getattr(command, "commands", {}).values():
        _check_text_parameters(sub)


#: the text type made from typer's string type (one, made once)
_TEXT_TYPES: dict[type, Any] = {}


def _text_type(base: Any) -> Any:
    if base not in _TEXT_TYPES:
        from blueprint_cli.usertext import text_problem

        class Text(base):  # type: ignore[misc]
            def convert(self, value: Any, param: Any, ctx: Any) -> Any:
                value = super().convert(value, param, ctx)
                problem = text_problem(value) if isinstance(value, str) else None
                if problem is not None:
                    self.fail(problem, param, ctx)
                return value

        _TEXT_TYPES[base] = Text()
    return _TEXT_TYPES[base]


#: the command trees built so far: the whole one (key None), and one per command name
_BUILT: dict[str | None, TyperGroup] = {}
#: the application's own options (see `named_command`): those that take a value, and flags
_VALUED = ("--workspace", "-w", "--as")
_FLAGS = ("--json", "--no-color")


def named_command(argv: list[str]) -> str | None:
    """The command a command line runs, when that is certain before parsing:
    the first word after the application's own options. None when the line
    asks for the application's help or version, or holds anything else (an
    unknown option, a misspelt command): those need the whole tree."""
    words = iter(argv)
    for word in words:
        if word in _VALUED:
            next(words, None)
        elif word in _FLAGS or word.partition("=")[0] in _VALUED:
            continue
        elif word.startswith("-"):
            return None
        else:
            return word if word in _places() else None
    return None


def _places() -> dict[str, int]:
    """Each command's place in the help: the place of the module that adds it."""
    places: dict[str, int] = {}
    for i, names in enumerate(COMMAND_MODULES.values()):
        for name in names:
            places.setdefault(name, i)
    return places


def command(name: str | None = None) -> TyperGroup:
    """The command tree of the application, global options added (built once).
    With a command's name, a tree holding only that command: typer builds every
    command's parser from its function's signature, which for the whole
    application costs more start-up than `blueprint lint FILE` spends linting."""
    if name not in _BUILT:
        import copy

        from typer.core import TyperGroup

        _register(m for m, names in COMMAND_MODULES.items() if name is None or name in names)
        # in the order of COMMAND_MODULES, whichever module was registered first
        places = _places()
        source = copy.copy(app)
        source.registered_commands = sorted((c for c in app.registered_commands if name in (None, c.name)),
                                            key=lambda c: places[c.name or ""])
        source.registered_groups = sorted((g for g in app.registered_groups if name in (None, g.name)),
                                          key=lambda g: places[g.name or ""])
        built = typer.main.get_command(source)
        assert isinstance(built, TyperGroup)
        _add_global_options(built)
        _check_text_parameters(built)
        _BUILT[name] = built
    return _BUILT[name]


def wants_json(argv: list[str]) -> bool:
    """`--json` anywhere among the options (before a `--`): known even when the
    command line does not parse."""
    return "--json" in (argv[:argv.index("--")] if "--" in argv else argv)


def run(argv: list[str] | None = None) -> None:
    """Entry point. Errors a user causes — usage errors (exit 2) and
    `BlueprintError` inside a command — become a message (a JSON object on
    stderr under `--json`) and the documented exit code here, never a
    traceback. Ctrl-C and Ctrl-D at a prompt cancel with exit 130."""
    from typer.exceptions import TyperException

    from blueprint_cli.diagnostics import BlueprintError

    args = list(sys.argv[1:] if argv is None else argv)
    as_json = wants_json(args)
    try:
        code = command(named_command(args)).main(args=args, prog_name="blueprint", standalone_mode=False)
    except BlueprintError as exc:
        print_error(exc.message, exc.hint, exit_code=exc.exit_code, as_json=as_json)
        sys.exit(exc.exit_code)
    except TyperException as exc:  # a usage error (typer's click exceptions derive from it)
        if type(exc).__name__ == "NoArgsIsHelpError":
            sys.exit(2)  # `blueprint` alone: the help has been printed
        if as_json:
            hint = None
            ctx = getattr(exc, "ctx", None)
            if ctx is not None:
                hint = f"see: {ctx.command_path} --help"
            print_error(exc.format_message(), hint, exit_code=exc.exit_code, as_json=True)
        else:
            from typer import rich_utils

            rich_utils.rich_format_error(exc)  # type: ignore[arg-type]
        sys.exit(exc.exit_code)
    except typer.Abort:
        # typer turns end of input at a prompt (Ctrl-D) into Abort, after a newline
        print_error("cancelled: the input ended (Ctrl-D) before every answer was given", None,
                    exit_code=130, as_json=as_json)
        sys.exit(130)
    except KeyboardInterrupt:
        _interrupted(as_json)
    except OSError as exc:  # the system refused a read or write: a full disk, a permission, a broken mount
        where = f": {exc.filename}" if exc.filename else ""
        print_error(f"{exc.strerror or exc}{where}",
                    "every record is whole (writes are atomic); fix the cause and run the command again",
                    exit_code=1, as_json=as_json)
        sys.exit(1)
    if code == 130:
        # typer turns Ctrl-C inside a command into exit 130, silently
        _interrupted(as_json)
    sys.exit(code if isinstance(code, int) else 0)


def _interrupted(as_json: bool) -> None:
    # the terminal's cursor is wherever the ^C landed (often after a prompt)
    sys.stderr.write("\n")
    print_error("interrupted (Ctrl-C)", None, exit_code=130, as_json=as_json)
    sys.exit(130)


def entry() -> None:
    """The `blueprint` console script: `run` as a process of its own."""
    import signal

    if hasattr(signal, "SIGPIPE"):
        # `blueprint record list | head`: end quietly like other Unix tools,
        # instead of click's exit 1 (which here means "findings" or "refused").
        # Only here, never inside `run`, which tests call in their own process.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    run()

"""Global options shared by every command, and helpers to print results."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console


class Options:
    # a plain class, not a dataclass: this module is imported on every start,
    # and `dataclasses` alone costs more than the rest of it
    def __init__(self, workspace: Path | None = None, user: str | None = None, json: bool = False,
                 color: bool = True) -> None:
        self.workspace = workspace
        self.user = user
        self.json = json
        self.color = color

    def __repr__(self) -> str:
        return f"Options(workspace={self.workspace!r}, user={self.user!r}, json={self.json}, color={self.color})"

    @property
    def user_given(self) -> bool:
        """The acting user was named (--as, $BLUEPRINT_USER), not taken from the OS."""
        return bool(self.user or os.environ.get("BLUEPRINT_USER"))

    @property
    def acting_user(self) -> str:
        if self.user:
            return self.user
        env = os.environ.get("BLUEPRINT_USER")
        if env:
            return env
        import getpass

        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"


def options(ctx: typer.Context) -> Options:
    root = ctx.find_root()
    if not isinstance(root.obj, Options):
        root.obj = Options()
    return root.obj


#: The width of output that goes to a file or a pipe: wide enough that no line
#: is ever wrapped (`show … > out.txt`, `graph --record … | grep`), as rich
#: would at 80 columns when it finds no terminal to measure.
UNWRAPPED = 100_000


def console(ctx: typer.Context | None = None, *, stderr: bool = False) -> Console:
    from rich.console import Console

    color = options(ctx).color if ctx is not None else True
    no_color = not color or "NO_COLOR" in os.environ
    stream = sys.stderr if stderr else sys.stdout
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream: not a terminal
        terminal = False
    # a terminal is measured (and COLUMNS, when set, is the user's own choice)
    width = None if terminal or os.environ.get("COLUMNS") else UNWRAPPED
    return Console(stderr=stderr, no_color=no_color, highlight=False, soft_wrap=False,
                   color_system=None if no_color else "auto", width=width)


def laid_out_width(out: Console) -> int | None:
    """The width to lay a table out to: the terminal's (or COLUMNS); None when
    the output is piped, for the table's own natural width."""
    return None if out.width >= UNWRAPPED else out.width


def print_error(message: str, hint: str | None, *, exit_code: int = 1, as_json: bool = False,
                file: IO[str] | None = None, color: bool | None = None, label: str = "error") -> None:
    """The one place an error reaches the user. Plain text, never rich markup (a
    message quotes user text and syntax such as `in [a, b]`); under `--json` one
    JSON object on a line of its own: `{"error": ..., "hint": ..., "exit_code": ...}`."""
    out = file if file is not None else sys.stderr
    if as_json:
        import json

        out.write(json.dumps({"error": message, "hint": hint, "exit_code": exit_code}, ensure_ascii=False) + "\n")
        return
    if color is None:
        color = "NO_COLOR" not in os.environ and "--no-color" not in sys.argv and out.isatty()
    red, dim, reset = ("\033[31m", "\033[2m", "\033[0m") if color else ("", "", "")
    from blueprint_cli.shown import visible_lines

    # our messages may span lines; a value inside one never reaches the terminal raw
    message, hint = visible_lines(message), visible_lines(hint) if hint else hint
    out.write(f"{red}{label}:{reset} {message}\n")
    if hint:
        out.write(f"{dim}hint:{reset} {hint}\n")


def print_json(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


@contextlib.contextmanager
def reader_may_leave() -> Iterator[None]:
    """Standard output read by something that may stop reading (`| head -1`):
    what is left unread is dropped, and the command goes on to its own exit
    code, instead of dying of SIGPIPE (which `set -o pipefail` in CI turns into
    a failure although everything passed). The console script restores
    SIGPIPE's default for the other commands (see `main.entry`)."""
    import signal
    import threading

    previous = None
    if hasattr(signal, "SIGPIPE") and threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader is gone: whatever is still buffered goes nowhere, so the
        # interpreter's last flush at exit cannot fail again
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
    finally:
        if previous is not None:
            signal.signal(signal.SIGPIPE, previous)

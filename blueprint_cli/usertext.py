"""Text a user gives — command-line arguments, answers at a prompt, values of
an imported file, the name of a file to attach — is checked where it enters,
by `check_text`: it must be text that can be written as UTF-8.

Two kinds of input are not. A terminal or file name in another encoding (a
Latin-1 `café` is the bytes `caf\\xe9`) reaches Python with each byte that is
not UTF-8 as a "surrogate escape" (`'\\udce9'`); JSON can spell a lone half of
a surrogate pair (`"\\ud800"`). Either would be accepted, then fail when the
record file is written. Refused where it enters, nothing is written, copied
or numbered because of it.
"""

from __future__ import annotations

import re

from blueprint_cli.diagnostics import BlueprintError

#: Any surrogate code point: on its own it is not a character, and UTF-8 cannot hold it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why `text` is not valid text (the first offending character), or None."""
    found = _SURROGATE.search(text)
    if found is None:
        return None
    point = ord(found.group())
    shown = _SURROGATE.sub(_escaped, text)
    if _is_byte(point):  # a byte that was not UTF-8, escaped by the system's decoder
        return f"'{shown}' is not valid UTF-8 text (the byte 0x{point - 0xDC00:02X} at position {found.start() + 1})"
    return f"'{shown}' is not valid text (a lone surrogate U+{point:04X} at position {found.start() + 1})"


def _is_byte(point: int) -> bool:
    return 0xDC80 <= point <= 0xDCFF


def _escaped(found: re.Match[str]) -> str:
    """A byte as `\\xff`, as the user typed it; a lone surrogate as `\\ud800`, as JSON spelt it."""
    point = ord(found.group())
    return f"\\x{point - 0xDC00:02x}" if _is_byte(point) else f"\\u{point:04x}"


def check_text(text: str, what: str, *, hint: str = "give it as UTF-8 (set the terminal to UTF-8)") -> str:
    """`text` itself; a usage error naming `what` when it is not valid text."""
    problem = text_problem(text)
    if problem is not None:
        raise BlueprintError(f"{what}: {problem}", hint=hint)
    return text

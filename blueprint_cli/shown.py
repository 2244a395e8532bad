"""User data in human-readable output: shown as data, never obeyed.

A record value, a name from a blueprint, a user name or a file name may hold
anything: a terminal escape (`ESC [2J` clears the screen, `ESC ]0;…BEL` sets
the window title), a carriage return or line feed (which would forge a row in a
listing or a finding line), a bidirectional override that reorders what is
shown, or rich markup (`[/]` makes rich fail, `[link=…]` renders a live
hyperlink). Every writer of human-readable text puts user data through
`visible` (plain lines) or `markup` (text that rich parses as markup); rich
`Text` objects take `visible` text, since they parse no markup.

`visible` writes each such character as its Python escape (`\\x1b`, `\\n`,
`\\r`, `\\t`, `\\u2028`, `\\u202e`), so what was there stays readable.
"""

from __future__ import annotations

import functools
from typing import Any

#: Besides every C0/C1 control character and DEL: the line and paragraph
#: separators and NEL (editors and terminals may break lines there), and the
#: bidirectional embeddings, overrides and isolates (they reorder what follows).
_FORMAT = [0x2028, 0x2029, 0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]


@functools.cache
def _table() -> dict[int, str]:
    named = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
    table = {c: named.get(c, f"\\x{c:02x}") for c in [*range(0x20), *range(0x7F, 0xA0)]}
    table.update({c: f"\\u{c:04x}" for c in _FORMAT})
    return table


def visible(text: object) -> str:
    """`text` with every control, line-breaking and reordering character written
    as an escape: one line, shown as it is stored."""
    s = text if isinstance(text, str) else str(text)
    if s.isprintable():  # the common case: nothing to do
        return s
    return s.translate(_table())


def brief(text: str, limit: int = 120) -> str:
    """`text` cut in the middle when longer than `limit` characters (a hand-edited
    value of thousands of characters is named, not echoed whole)."""
    if len(text) <= limit:
        return text
    keep = (limit - 25) // 2
    return f"{text[:keep]}…{text[-keep:]} ({len(text):,} characters)"


def visible_lines(text: str) -> str:
    """Like `visible`, but keeps line feeds: for a message of several lines built
    by us (user data inside it is quoted with `!r`, or passed through `visible`)."""
    return "\n".join(visible(line) for line in text.split("\n"))


def markup(text: object) -> str:
    """`visible(text)` made literal inside rich markup (`[` that could open a tag
    is escaped)."""
    from rich.markup import escape

    return escape(visible(text))


def visible_renderable(obj: Any) -> Any:
    """A rich renderable built only from our literals and a blueprint's data
    (`show`, `graph -f tree`) made safe in one pass: every plain string in it
    becomes a `Text` (so no markup is parsed) and every `Text` has its control
    characters made visible, styles kept on the same characters. Line feeds are
    kept: a multi-line description stays multi-line inside the tree."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text
    from rich.tree import Tree

    if isinstance(obj, str):
        return Text(visible_lines(obj))
    if isinstance(obj, Text):
        return _visible_text(obj)
    if isinstance(obj, Tree):
        obj.label = visible_renderable(obj.label)
        for child in obj.children:
            visible_renderable(child)
        return obj
    if isinstance(obj, Group):
        safe = [visible_renderable(r) for r in obj.renderables]
        obj._renderables, obj._render = tuple(safe), safe
        return obj
    if isinstance(obj, Table):
        if obj.title is not None:
            obj.title = visible_renderable(obj.title)
        for column in obj.columns:
            column.header = visible_renderable(column.header)
            column._cells = [visible_renderable(c) for c in column._cells]
        return obj
    return obj


def _visible_text(text: Any) -> Any:
    from rich.text import Span, Text

    plain = text.plain
    if all(c == "\n" or c.isprintable() for c in plain):
        return text
    table = _table()
    offsets = [0]
    pieces = []
    for c in plain:
        piece = c if c == "\n" else table.get(ord(c), c)
        pieces.append(piece)
        offsets.append(offsets[-1] + len(piece))
    spans = [Span(offsets[s.start], offsets[min(s.end, len(plain))], s.style) for s in text.spans]
    return Text("".join(pieces), style=text.style, justify=text.justify, no_wrap=text.no_wrap, end=text.end,
                spans=spans)


def quoted(value: object, limit: int = 60) -> str:
    """`repr(value)` for a message, cut to about `limit` characters: a 5,000-digit
    number or a pasted page is named, not echoed."""
    text = repr(value)
    if len(text) <= limit:
        return text
    size = len(value) if isinstance(value, (str, bytes, list, tuple, dict)) else len(str(value))
    return f"{text[:limit]}… ({size} characters)"

"""What the cursor is on, read from the text around it — the buffer being
typed into rarely parses, so completion cannot ask the loader. The key whose
value is being written (`from:`, an item of a `fields:` list, an operator of a
condition), the keys it sits under, and the other entries of its mapping (to
find the condition's `field:`)."""

from __future__ import annotations

import re
from typing import NamedTuple

from blueprint_cli.lsp.text import open_brackets, split_flow

_KEY = re.compile(r"""^("[^"]*"|'[^']*'|[^\s#'"{\[\]},:-][^#:]*?|-[^\s#:][^#:]*?):(?:[ \t]+(.*)|$)""")
_SUPPRESSION = re.compile(r"#\s*blueprint\s*:\s*disable(?:-file)?\s*=\s*(?:[A-Za-z0-9]+\s*,\s*)*([A-Za-z0-9]*)$")
_LINE = re.compile(r"^(\s*)((?:-[ \t]+)*)(.*)$")


class Place(NamedTuple):
    #: the key whose value (or list item) is being written; None when writing a key
    key: str | None
    #: the keys of the enclosing mappings, innermost first
    parents: tuple[str, ...]
    #: the other entries of the mapping being written in (key → value as written)
    siblings: dict[str, str]
    #: where the word being typed starts (its quote included), and the word
    start: int
    prefix: str
    #: a suppression comment's list of codes
    comment: bool = False


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _word_start(before: str, floor: int) -> int:
    """The start of the value being typed: after the last `:`/`,`/bracket/dash
    marker at or after `floor`, spaces skipped."""
    i = floor
    while i < len(before) and before[i] in " \t":
        i += 1
    return i


def _flow_pairs(text: str) -> dict[str, str]:
    pairs = {}
    for entry in split_flow(text):
        key, sep, value = entry.partition(":")
        if sep:
            pairs[_unquote(key)] = value.strip()
    return pairs


def _block(lines: list[str], line: int, col: int) -> tuple[list[str], dict[str, str]]:
    """The keys above a mapping whose entries start at column `col` on `line`,
    innermost first, and the entries of that mapping written above it."""
    parents: list[str] = []
    siblings: dict[str, str] = {}
    limit, item, first = col, False, True
    for i in range(line - 1, -1, -1):
        text = lines[i]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _LINE.match(text)
        assert m is not None
        indent, dashes, content = len(m[1]), m[2], m[3]
        ccol = indent + len(dashes)
        km = _KEY.match(content)
        if ccol == limit and first:
            if km:
                siblings.setdefault(_unquote(km[1]), (km[2] or "").split(" #")[0].strip())
            if dashes:  # our mapping is a list item that starts here
                limit, item = indent, True
            continue
        if ccol < limit or (item and not dashes and indent == limit and km is not None and not km[2]):
            if km is None:
                if ccol < limit:
                    break
                continue
            parents.append(_unquote(km[1]))
            first = False
            limit, item = (indent, True) if dashes else (ccol, False)
            if limit == 0 and not item:
                break
    return parents, siblings


def place(lines: list[str], line: int, col: int) -> Place | None:
    """What the cursor at (`line`, `col`) (0-based, code points) is writing; None in a plain comment."""
    text = lines[line] if line < len(lines) else ""
    before = text[:col]
    m = _SUPPRESSION.search(before)
    if m:
        return Place(None, (), {}, m.start(1), m[1], comment=True)
    stack = open_brackets(before)
    if stack and stack[0][1] == "#":
        return None
    lm = _LINE.match(text)
    assert lm is not None
    content_col = len(lm[1]) + len(lm[2])
    if stack:
        open_col, ch = stack[-1]
        inner = before[open_col + 1:]
        entries = split_flow(inner)
        seg_start = col - len(entries[-1])
        segment = entries[-1]
        # the key the outermost bracket is the value of, on this line
        head = before[:stack[0][0]]
        hm = _LINE.match(head)
        assert hm is not None
        head_key = _KEY.match(hm[3].rstrip() + " ") if hm[3].strip() else None
        block_parents, siblings = _block(lines, line, content_col)
        # the key the flow collection on this line is the value of encloses a mapping
        parents = ([_unquote(head_key[1])] if head_key is not None else []) + block_parents
        if ch == "{":
            pairs = _flow_pairs(inner)
            if ":" in segment:
                key, _, value = segment.partition(":")
                start = _word_start(before, seg_start + len(key) + 1)
                return Place(_unquote(key), tuple(parents), pairs, start, before[start:])
            start = _word_start(before, seg_start)
            return Place(None, tuple(parents), pairs, start, before[start:])
        # a flow sequence: the value of the key before it (in a flow mapping or on the line)
        outer = stack[-2] if len(stack) > 1 else None
        key_text = before[(outer[0] + 1) if outer else 0:open_col]
        key = split_flow(key_text)[-1].rsplit(":", 1)[0] if ":" in key_text else ""
        key = _LINE.sub(lambda x: x[3], key).strip()
        if outer is not None and outer[1] == "{":
            siblings = _flow_pairs(before[outer[0] + 1:open_col])
        else:
            parents = block_parents  # `key: [`: the key is this list's, not a mapping's above it
        start = _word_start(before, seg_start)
        return Place(_unquote(key) or None, tuple(parents), siblings, start, before[start:])
    if content_col > len(before):
        content_col = len(before)
    typed = before[content_col:]
    km = _KEY.match(typed)
    parents, siblings = _block(lines, line, content_col)
    if km is not None:
        start = _word_start(before, content_col + len(km[1]) + 1)
        return Place(_unquote(km[1]), tuple(parents), siblings, start, before[start:])
    if lm[2] and (not typed or ":" not in typed):
        # a list item: of the key above it
        item_parents, item_siblings = _block(lines, line, len(lm[1]) + 1)
        item_key = item_parents[0] if item_parents else None
        start = _word_start(before, content_col)
        return Place(item_key, tuple(item_parents[1:]), item_siblings, start, before[start:])
    return Place(None, tuple(parents), siblings, content_col, typed)

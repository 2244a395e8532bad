"""Where things are in a line of YAML text: the span of a scalar that starts
at a column (a finding's range, a name to rename), read from the text itself,
so it works on a buffer that does not parse."""

from __future__ import annotations

from collections.abc import Iterator


def lines_of(text: str) -> list[str]:
    """The text's lines as an editor counts them (line feeds; a CR before one dropped)."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def flow_marks(text: str) -> Iterator[tuple[int, str]]:
    """(column, character) of each flow indicator (`[`, `]`, `{`, `}`, `,`) in a
    line outside quoted scalars, then `#` where a comment starts (the last). A
    quote opens a scalar only where one can start (`it's` is plain text)."""
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"" and (i == 0 or text[i - 1] in " [{,:"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            yield i, ch
            return
        elif ch in "[]{},":
            yield i, ch


def open_brackets(before: str) -> list[tuple[int, str]]:
    """The flow collections still open at the end of `before`, outermost first,
    as (column, bracket); `[(-1, "#")]` when `before` ends in a comment."""
    stack: list[tuple[int, str]] = []
    for i, ch in flow_marks(before):
        if ch == "#":
            return [(-1, "#")]
        if ch in "[{":
            stack.append((i, ch))
        elif ch in "]}" and stack:
            stack.pop()
    return stack


def split_flow(text: str) -> list[str]:
    """The entries of a flow collection's text, split at commas outside quotes and brackets."""
    out, depth, last = [], 0, 0
    for i, ch in flow_marks(text):
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(text[last:i])
            last = i + 1
    out.append(text[last:])
    return out


def in_flow(line: str, col: int) -> bool:
    """Whether `col` is inside a flow collection opened on this line (`[` or `{`)."""
    stack = open_brackets(line[:col])
    return bool(stack) and stack[0][1] != "#"


def token_end(line: str, start: int) -> int:
    """The end (exclusive) of the scalar that starts at `start`: a quoted one
    up to its closing quote, a plain one up to a comment, a `: `, the end of
    the line, or (inside `[...]`/`{...}`) a comma or closing bracket."""
    if start >= len(line):
        return start
    q = line[start]
    if q in "'\"":
        i = start + 1
        while i < len(line):
            if q == '"' and line[i] == "\\":
                i += 2
                continue
            if line[i] == q:
                if q == "'" and line[i + 1:i + 2] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        return len(line)
    if q in "[{-":
        return len(line.split(" #", 1)[0].rstrip())
    stops = [" #", ": "] + ([",", "]", "}"] if in_flow(line, start) else [])
    end = len(line)
    for stop in stops:
        j = line.find(stop, start)
        if j != -1:
            end = min(end, j)
    token = line[start:end].rstrip()
    if token.endswith(":") and end == len(line):
        token = token[:-1]
    return start + max(len(token), 1 if start < len(line) else 0)


def name_span(line: str, start: int, name: str) -> tuple[int, int, int, int]:
    """(token start, token end, name start, name end) of `name` written at
    `start`: plain, or inside quotes (the name's own span excludes them)."""
    if line.startswith(name, start) and line[start:start + 1] not in ("'", '"'):
        return start, start + len(name), start, start + len(name)
    end = token_end(line, start)
    if line[start:start + 1] in ("'", '"'):
        inner_end = end - 1 if end - 1 > start and line[end - 1] == line[start] else end
        return start, end, start + 1, inner_end
    return start, end, start, end

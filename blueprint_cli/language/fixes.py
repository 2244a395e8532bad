"""Fixes: what a finding's fix changes in the file, as text edits.

A rule says *what* its fix changes in the data (`Replace` a value, `RenameKey`,
`AddKey`, `DropDuplicate`); `resolve` turns that into edits at the exact span of
the YAML node, found by composing the file again. Everything outside the span —
comments, quoting, indentation, flow or block style, key order — is kept by
construction, which a YAML round-trip (ruamel.yaml's `typ="rt"`) does not
promise: it re-emits the whole document, re-indents sequences, re-wraps long
lines and may move comments. A new value keeps the quoting of the one it
replaces (plain, 'single' or "double"), quoting only when plain text would be
read as something else.

Every fix is verified before it is offered: the edited text is read back with
the loader, and it must read as exactly the intended data. A fix that does not
(an alias, a merge key, a layout we do not handle) is not offered.

Safe and unsafe: a fix is *safe* when it cannot change what a blueprint that
already works does — the file is refused as it is (the finding is an error)
and there is one obvious repair. It is *unsafe* when it makes a choice for the
user: a did-you-mean with more than one close candidate (`Closed Wn` could be
`Closed Won` or `Closed Lost`) or whose word is not a typo of it (`greater`
is close only to `gte`, but may mean `gt`), or `final: true` on a state with an SLA (final
states never escalate). `blueprint lint --fix` applies safe fixes;
`--unsafe-fixes` applies both.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Union

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from blueprint_cli.diagnostics import Diagnostic, Edit, Fix, JsonPath
from blueprint_cli.language.loader import Document, compose, load_text, node_at, plain_reads_as, value_of


@dataclass(frozen=True)
class Replace:
    """The text value at `path` becomes `value`."""

    path: JsonPath
    value: str
    safe: bool = True

    @property
    def title(self) -> str:
        return f"write {self.value!r}"

    def expected(self, data: Any) -> Any:
        data, parent = _copied(data, self.path[:-1])
        parent[self.path[-1]] = self.value
        return data


@dataclass(frozen=True)
class RenameKey:
    """The key at `path` (its last part) becomes `new`, its value unchanged."""

    path: JsonPath
    new: str
    safe: bool = True

    @property
    def title(self) -> str:
        return f"rename {self.path[-1]!r} to {self.new!r}"

    def expected(self, data: Any) -> Any:
        data, parent = _copied(data, self.path[:-1])
        if self.new in parent:
            raise _Unfixable
        parent[self.new] = parent.pop(self.path[-1])
        return data


@dataclass(frozen=True)
class AddKey:
    """The mapping at `path` gets `key: value` (a YAML plain scalar such as
    `true`), written right after its `after` entry."""

    path: JsonPath
    key: str
    text: str
    value: Any
    after: str
    safe: bool = True

    @property
    def title(self) -> str:
        return f"add `{self.key}: {self.text}`"

    def expected(self, data: Any) -> Any:
        data, mapping = _copied(data, self.path)
        if self.key in mapping:
            raise _Unfixable
        mapping[self.key] = self.value
        return data


@dataclass(frozen=True)
class DropDuplicate:
    """Remove the second `key:` of a mapping whose two values are the same."""

    path: JsonPath
    safe: bool = True

    @property
    def title(self) -> str:
        return f"remove the repeated {self.path[-1]!r}"

    def expected(self, data: Any) -> Any:
        return data  # the loader kept the first of two equal values


Change = Union[Replace, RenameKey, AddKey, DropDuplicate]


class _Unfixable(Exception):
    pass


def _get(data: Any, path: JsonPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _copied(data: Any, path: JsonPath) -> tuple[Any, Any]:
    """`data` with the containers along `path` copied (the rest shared), and the
    copy of the one at `path`: what a change there may edit without touching `data`."""
    top = copy.copy(data)
    node = top
    for part in path:
        node[part] = copy.copy(node[part])
        node = node[part]
    return top, node


class _Text:
    """The document's text with offsets for (0-based line, column) marks."""

    def __init__(self, text: str) -> None:
        self.bom = text.startswith("\ufeff")
        self.text = text[1:] if self.bom else text  # the loader parses without it
        self.starts = [0]
        for i, ch in enumerate(self.text):
            if ch == "\n":
                self.starts.append(i + 1)

    def offset(self, line: int, col: int) -> int:
        return self.starts[line] + col if line < len(self.starts) else len(self.text)

    def line_end(self, line: int) -> int:
        """Offset just past the line feed of `line` (or the end of the text)."""
        return self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)


@lru_cache(maxsize=4)
def _parsed(text: str) -> tuple[_Text, Node | None]:
    """The text's line table and node graph, once per text (not once per fix)."""
    lines = _Text(text)
    return lines, compose(lines.text)


def _mark(text: _Text, mark: Any) -> int:
    return text.offset(mark.line, mark.column)


def _scalar_text(node: ScalarNode, value: str, context: str) -> str | None:
    """`value` written the way `node` is written (plain, single- or double-quoted)."""
    if node.style == "'":
        return "'" + value.replace("'", "''") + "'"
    if node.style == '"':
        return json.dumps(value, ensure_ascii=False)
    if node.style in ("|", ">"):
        return None
    if plain_reads_as(value, context):
        return value
    return json.dumps(value, ensure_ascii=False)


def _edit(text: _Text, start: int, end: int, content: str) -> Edit:
    def pos(offset: int) -> tuple[int, int]:
        # 1-based line and column of an offset in the file as written (with its BOM)
        lo, hi = 0, len(text.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if text.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - text.starts[lo] + 1 + (1 if text.bom and lo == 0 else 0)

    (line, col), (end_line, end_col) = pos(start), pos(end)
    return Edit(line, col, end_line, end_col, content)


def _flow(node: Node) -> bool:
    return bool(getattr(node, "flow_style", False))


def _edits(change: Change, root: Node, text: _Text) -> list[Edit]:
    if isinstance(change, Replace):
        node = node_at(root, change.path)
        if not isinstance(node, ScalarNode):
            return []
        parent = node_at(root, change.path[:-1])
        new = _scalar_text(node, change.value, "flow" if parent is not None and _flow(parent) else "block")
        if new is None:
            return []
        return [_edit(text, _mark(text, node.start_mark), _mark(text, node.end_mark), new)]
    if isinstance(change, RenameKey):
        key = node_at(root, change.path, key=True)
        parent = node_at(root, change.path[:-1])
        if not isinstance(key, ScalarNode) or parent is None:
            return []
        new = _scalar_text(key, change.new, "flow" if _flow(parent) else "block")
        if new is None:
            return []
        return [_edit(text, _mark(text, key.start_mark), _mark(text, key.end_mark), new)]
    if isinstance(change, AddKey):
        mapping = node_at(root, change.path)
        after = node_at(root, change.path + (change.after,))
        after_key = node_at(root, change.path + (change.after,), key=True)
        if not isinstance(mapping, MappingNode) or after is None or after_key is None:
            return []
        if _flow(mapping):
            at = _mark(text, after.end_mark)
            return [_edit(text, at, at, f", {change.key}: {change.text}")]
        if after.end_mark.line != after_key.start_mark.line:
            return []  # a value over several lines: not worth guessing where it ends
        at = text.line_end(after.end_mark.line)
        entry = " " * after_key.start_mark.column + f"{change.key}: {change.text}"
        newline = "\r\n" if "\r\n" in text.text else "\n"  # the file's own line ends
        if text.text[at - 1:at] == "\n":
            return [_edit(text, at, at, entry + newline)]
        return [_edit(text, at, at, newline + entry)]  # the last line, without a line feed
    if isinstance(change, DropDuplicate):
        mapping = node_at(root, change.path[:-1])
        if not isinstance(mapping, MappingNode):
            return []
        pairs = [(i, k, v) for i, (k, v) in enumerate(mapping.value)
                 if isinstance(k, ScalarNode) and str(k.value) == change.path[-1]]
        if len(pairs) != 2:
            return []
        i, key, value = pairs[1]
        if _flow(mapping):
            start = _mark(text, mapping.value[i - 1][1].end_mark)  # from the comma before it
            return [_edit(text, start, _mark(text, value.end_mark), "")]
        start, end = _mark(text, key.start_mark), _mark(text, value.end_mark)
        line_start = text.starts[key.start_mark.line]
        rest_end = text.line_end(value.end_mark.line) if value.end_mark.column else end
        head, tail = text.text[line_start:start], text.text[end:rest_end]
        if head.strip() or (tail.strip() and not tail.strip().startswith("#")):
            return []  # something else shares the line
        if tail.strip():  # keep the comment, where the key was
            return [_edit(text, start, end + tail.index("#"), "")]
        return [_edit(text, line_start, rest_end, "")]
    return []  # pragma: no cover


def apply(text: str, edits: list[Edit]) -> str:
    """`text` with non-overlapping `edits` applied (positions as in `Edit`)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(line: int, col: int) -> int:
        return starts[line - 1] + col - 1 if line - 1 < len(starts) else len(text)

    out, last = [], 0
    for e in sorted(edits, key=lambda e: (e.line, e.col)):
        start, end = offset(e.line, e.col), offset(e.end_line, e.end_col)
        if start < last:
            raise ValueError("overlapping edits")
        out += [text[last:start], e.content]
        last = end
    out.append(text[last:])
    return "".join(out)


def resolve(doc: Document, change: Change, root: Node | None = None) -> Fix | None:
    """The verified fix that makes `change` to the document's text, or None."""
    if not doc.text:
        return None
    if isinstance(change, Replace) and change.path and change.path[-1] == 0:
        # a single value written where a list is allowed (`from: Open`): the model
        # reads it as a list of one, the file holds the value itself
        try:
            if isinstance(_get(doc.data, change.path[:-1]), str):
                change = Replace(change.path[:-1], change.value, change.safe)
        except (KeyError, IndexError, TypeError):
            return None
    try:
        expected = change.expected(doc.data)
    except (_Unfixable, KeyError, IndexError, TypeError):
        return None
    text, composed = _parsed(doc.text)
    root = root if root is not None else composed
    if root is None:
        return None
    edits = _edits(change, root, text)
    if not edits:
        return None
    fixed_doc, _diags = load_text(apply(doc.text, edits), doc.file)
    if fixed_doc is None or fixed_doc.data != expected or not _same_types(fixed_doc.data, expected):
        return None
    return Fix(change.title, tuple(edits), change.safe)


def duplicate_fixes(doc: Document, diags: list[Diagnostic]) -> list[Diagnostic]:
    """The loader's findings, its repeated keys (BP105) with their fixes where both
    values are the same (see `check.check.with_duplicate_fixes`)."""
    from dataclasses import replace

    root = compose(doc.text.removeprefix("\ufeff"))
    if root is None:
        return diags
    return [replace(d, fix=duplicate_fix(doc, root, d.path)) if d.code == "BP105" else d for d in diags]


def duplicate_fix(doc: Document, root: Node, path: JsonPath) -> Fix | None:
    """The fix of a repeated key (BP105): only when both values are the same."""
    mapping = node_at(root, path[:-1])
    if not isinstance(mapping, MappingNode):
        return None
    values = [v for k, v in mapping.value if isinstance(k, ScalarNode) and str(k.value) == path[-1]]
    if len(values) != 2:
        return None
    try:
        first, second = (value_of(v) for v in values)
    except ValueError:
        return None  # the repeated value is one the loader refuses: nothing to merge
    if first != second or not _same_types(first, second):
        return None
    return resolve(doc, DropDuplicate(path), root)


def _same_types(a: Any, b: Any) -> bool:
    """Equal data can still differ in type (`1 == True`): the fix must not turn one into the other."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return all(_same_types(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return all(_same_types(x, y) for x, y in zip(a, b))
    return True

"""YAML text → plain data, with the position of every node kept.

Why not `yaml.load`: we need the line and column of every value so that each
finding points at the exact node, and we must never build objects from tags.
So we only *compose* (parse into a node graph, no construction) with the
C-backed parser, then convert the nodes to plain data ourselves:

- tags other than YAML's standard scalar/collection tags (`!!python/...`,
  `!custom`) are refused, never constructed;
- aliases are expanded under a budget, so an alias bomb ("billion laughs")
  becomes a finding in milliseconds with bounded memory;
- YAML 1.1 quirks are normalised: keys are always the text written, `on`/`no`
  stay strings (only `true`/`false` are booleans) and dates/timestamps stay
  ISO strings, so state and field names never turn into booleans or dates;
- duplicate keys are findings (YAML silently keeps the last one).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from blueprint_cli.diagnostics import Diagnostic, JsonPath, Position, Severity
from blueprint_cli.userfile import MAX_BYTES

#: More nodes than this after alias expansion is treated as an alias bomb.
MAX_NODES = 200_000
#: Deeper nesting than this is refused (blueprints nest a handful of levels).
MAX_DEPTH = 200
#: The C parser recurses natively and crashes on very deep flow nesting, so
#: such text is refused before it reaches the parser.
MAX_PRESCAN_DEPTH = 1000

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MAP_TAGS = {_STD + "map", _STD + "omap"}
_SEQ_TAGS = {_STD + "seq"}
_MERGE = _STD + "merge"
_BRACKETS = re.compile(r"[\[\]{}]")
#: Characters YAML does not allow in a file (C0 and C1 controls but tab, line
#: feed, carriage return and NEL; DEL; lone surrogates; U+FFFE and U+FFFF).
_NOT_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
#: The ASCII characters YAML allows (deleted from a text, they leave those it does not).
_ASCII_YAML = bytes([9, 10, 13, *range(32, 127)])
_DASH_RUN = re.compile(r"(?:-[ \t]+){%d,}" % MAX_PRESCAN_DEPTH)


@dataclass
class Document:
    """A parsed YAML file: plain data plus where each value and key starts."""

    file: str
    data: Any
    positions: dict[JsonPath, Position] = field(default_factory=dict)
    key_positions: dict[JsonPath, Position] = field(default_factory=dict)
    #: the text it was read from (what lint's fixes edit)
    text: str = ""

    def at(self, path: JsonPath, *, key: bool = False) -> Position:
        """Position of the node at `path`, or of its nearest existing parent.

        With `key=True`, a mapping entry points at its key rather than its value
        (where an unknown key should be reported).
        """
        path = tuple(path)
        while True:
            if key and path in self.key_positions:
                return self.key_positions[path]
            if path in self.positions:
                return self.positions[path]
            if not path:
                return Position(1, 1)
            path = path[:-1]

    if not TYPE_CHECKING:  # (for the type checker, both are plain attributes)
        def __getattr__(self, name: str) -> Any:
            """`positions` and `key_positions` of a document the fast path read
            (`_placed_later`), placed on first use from the marks it kept."""
            kept = self.__dict__.get("_marks")
            if kept is None or name not in ("positions", "key_positions"):
                raise AttributeError(name)
            self.positions, self.key_positions = _place(*kept)
            self.__dict__.pop("_marks", None)
            return self.__dict__[name]


def _placed_later(file: str, data: dict[str, Any], marks: list[Any], text: str) -> Document:
    """A document whose positions are placed when first asked for: most files
    have no finding and never need them."""
    doc = Document.__new__(Document)
    doc.file, doc.data, doc.text = file, data, text
    doc.__dict__["_marks"] = (data, marks)
    return doc


#: The most digits a number in a blueprint may have: Python reads no longer
#: integer from text (its default limit), and no blueprint needs one.
MAX_NUMBER_DIGITS = 4300


class _TooLong(ValueError):
    """A number with more than MAX_NUMBER_DIGITS digits (the converter says where)."""


class _Refused(Exception):
    def __init__(self, code: str, message: str, node: Node | None, hint: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.node, self.hint = code, message, node, hint


def _pos(node: Node) -> Position:
    mark = node.start_mark
    return Position(mark.line + 1, mark.column + 1)


def _tag(node: Node) -> str:
    # `node.tag` URI-decodes the tag character by character on every node; the
    # raw suffix is the same text for every tag we accept, and much cheaper
    ctag = node.ctag
    suffix = getattr(ctag, "suffix", None)
    if type(suffix) is str and getattr(ctag, "handle", None) is None:
        return suffix
    return str(getattr(node.tag, "value", node.tag))


def _check_expansion(root: Node) -> None:
    """Refuse alias bombs and alias cycles before converting anything.

    Aliases make the node graph a DAG (or, with a cycle, worse). Counting the
    expanded size bottom-up with one memo entry per distinct node costs time
    and memory proportional to the *written* document, so a billion-laughs
    file is refused in milliseconds instead of after expanding 200,000 nodes.
    The finding points at the smallest collection that expands past the limit.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    aliased = False

    def size(node: Node, depth: int) -> int:
        nonlocal aliased
        key = id(node)
        if key in sizes:
            aliased = True  # the same node met twice: only aliases do that
            return sizes[key]
        if key in active:
            raise _Refused("BP104", "an alias refers to the collection that contains it", node)
        if depth > MAX_DEPTH:
            raise _Refused("BP104", f"nesting deeper than {MAX_DEPTH} levels", node)
        total = 1
        if isinstance(node, (SequenceNode, MappingNode)):
            active.add(key)
            children = node.value if isinstance(node, SequenceNode) else [n for pair in node.value for n in pair]
            for child in children:
                total += size(child, depth + 1)
            active.discard(key)
        if total > MAX_NODES:
            if aliased:
                raise _Refused(
                    "BP104",
                    f"the document expands to more than {MAX_NODES:,} nodes through aliases",
                    node,
                    "this looks like an alias bomb; write the values out or use fewer aliases",
                )
            raise _Refused("BP104", f"the document has more than {MAX_NODES:,} nodes", node)
        sizes[key] = total
        return total

    size(root, 0)


class _Converter:
    def __init__(self, aliases: bool = True) -> None:
        self.aliases = aliases
        self.positions: dict[JsonPath, Position] = {}
        self.key_positions: dict[JsonPath, Position] = {}
        self.duplicates: list[tuple[JsonPath, Node, str]] = []
        self.budget = MAX_NODES
        self.stack: set[int] = set()
        #: nodes met so far, and where each alias was met (its path, None for a merge
        #: source), in document order, outside an alias's own expansion
        self.seen: set[int] = set()
        self.alias_paths: list[JsonPath | None] = []
        self.expanding = 0

    def place_aliases(self, marks: list[Position]) -> None:
        """Give each value written as an alias the alias's position, not its
        anchor's (`marks`: the alias events' positions, in document order). Only
        when they pair up one to one; otherwise the anchor's positions stay."""
        if len(marks) != len(self.alias_paths):
            return
        at = {path: mark for path, mark in zip(self.alias_paths, marks) if path is not None}
        for table in (self.positions, self.key_positions):
            for path in table:
                # the value written as an alias, and everything in it, is at the alias
                for n in range(len(path), 0, -1):
                    if path[:n] in at:
                        table[path] = at[path[:n]]
                        break

    def _alias(self, node: Node, path: JsonPath | None) -> bool:
        """Whether `node` is met again here through an alias (counted once, at its top)."""
        if not self.aliases or self.expanding:
            return False
        if id(node) in self.seen:
            self.alias_paths.append(path)
            return True
        self.seen.add(id(node))
        return False

    def convert(self, node: Node, path: JsonPath, depth: int = 0) -> Any:
        if self._alias(node, path):
            self.expanding += 1
            try:
                return self._convert(node, path, depth)
            finally:
                self.expanding -= 1
        return self._convert(node, path, depth)

    def _convert(self, node: Node, path: JsonPath, depth: int = 0) -> Any:
        self.budget -= 1
        if self.budget < 0 and not self.aliases:
            raise _Refused("BP104", f"the document has more than {MAX_NODES:,} nodes", node)
        if self.budget < 0:
            raise _Refused(
                "BP104",
                f"the document expands to more than {MAX_NODES:,} nodes through aliases",
                node,
                "this looks like an alias bomb; write the values out or use fewer aliases",
            )
        if depth > MAX_DEPTH:
            raise _Refused("BP104", f"nesting deeper than {MAX_DEPTH} levels", node)
        if id(node) in self.stack:
            raise _Refused("BP104", "an alias refers to the collection that contains it", node)
        if path not in self.positions:
            mark = node.start_mark
            self.positions[path] = Position(mark.line + 1, mark.column + 1)
        tag = _tag(node)
        try:
            if tag == _PLAIN and type(node) is ScalarNode:  # the common case: untagged, unquoted
                return _plain(node.value)
            if isinstance(node, ScalarNode):
                if tag not in _SCALAR_TAGS:
                    raise _Refused(
                        "BP103",
                        f"YAML tag {tag.replace(_STD, '!!')!r} is not allowed",
                        node,
                        "blueprints are plain data; remove the tag (tags that build objects are never run)",
                    )
                return _scalar(node.value, tag)
        except _TooLong as exc:
            raise _Refused("BP104", str(exc), node, "write a shorter number (or quote it, as text)") from None
        self.stack.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if tag not in _SEQ_TAGS:
                    raise _Refused("BP103", f"YAML tag {tag.replace(_STD, '!!')!r} is not allowed", node)
                return [self.convert(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                if tag not in _MAP_TAGS:
                    raise _Refused("BP103", f"YAML tag {tag.replace(_STD, '!!')!r} is not allowed", node)
                return self._mapping(node, path, depth)
        finally:
            self.stack.discard(id(node))
        raise _Refused("BP100", "unsupported YAML node", node)  # pragma: no cover

    def _mapping(self, node: MappingNode, path: JsonPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: list[MappingNode] = []
        for key_node, value_node in node.value:
            key_tag = _tag(key_node)
            if key_tag == _MERGE:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for src in sources:
                    if not isinstance(src, MappingNode):
                        raise _Refused("BP100", "a merge key (<<) must refer to a mapping", src)
                    self._alias(src, None)
                    merged.append(src)
                continue
            if not isinstance(key_node, ScalarNode):
                raise _Refused("BP100", "mapping keys must be plain text, not collections", key_node)
            if key_tag != _PLAIN and key_tag not in _SCALAR_TAGS:
                # keys are read as the text written, but a tag on one is refused like anywhere else
                raise _Refused("BP103", f"YAML tag {key_tag.replace(_STD, '!!')!r} is not allowed", key_node,
                               "blueprints are plain data; remove the tag (tags that build objects are never run)")
            key = str(key_node.value)
            if key in out:
                self.duplicates.append((path + (key,), key_node, key))
                continue
            sub = path + (key,)
            mark = key_node.start_mark
            self.key_positions[sub] = Position(mark.line + 1, mark.column + 1)
            out[key] = self.convert(value_node, sub, depth + 1)
        for src in merged:
            # merged keys never override keys written in the mapping itself
            self.expanding += 1
            try:
                extra = self._mapping(src, path, depth + 1)
            finally:
                self.expanding -= 1
            for key, value in extra.items():
                out.setdefault(key, value)
        return out


def _scalar(text: str, tag: str) -> Any:
    if tag == _STD + "str" or tag == _STD + "timestamp":
        return text
    if tag == _STD + "null":
        return None
    if tag == _STD + "bool":
        # YAML 1.1 also reads yes/no/on/off as booleans; only true/false are.
        low = text.lower()
        return low == "true" if low in ("true", "false") else text
    if tag == _STD + "int":
        # YAML 1.2 core only: no `1_000`, `0b101` or sexagesimal (Python's int() takes the first two)
        if not _INT.match(text):
            return text
        if len(text) > MAX_NUMBER_DIGITS and len(text.lstrip("+-")) > MAX_NUMBER_DIGITS:
            raise _TooLong(f"a number of {len(text.lstrip('+-')):,} digits: at most {MAX_NUMBER_DIGITS:,}")
        return int(text, 10) if text[1:2] not in ("o", "x") else int(text, 0)  # "012" is twelve, not octal
    if tag == _STD + "float":
        if not _FLOAT.match(text):
            return text
        low = text.lower()
        if low in (".nan",):
            return math.nan
        if low.lstrip("+-") in (".inf",):
            return -math.inf if low.startswith("-") else math.inf
        return float(text)
    return text  # pragma: no cover


def _position_of(text: str, offset: int) -> Position:
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(text.count("\n", 0, offset) + 1, offset - line_start + 1)


def _yaml_kind(value: Any) -> str:
    """A plain value's kind in YAML's words, not Python's."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return "a number" if isinstance(value, (int, float)) else "text"


def _prescan(text: str) -> Position | None:
    """Where nesting gets so deep the native parser would crash on it, if it does."""
    # nesting never goes deeper than the brackets opened: most files need no walk
    if text.count("[") + text.count("{") > MAX_PRESCAN_DEPTH:
        depth = 0
        for m in _BRACKETS.finditer(text):
            depth = depth + 1 if m[0] in "[{" else max(depth - 1, 0)
            if depth > MAX_PRESCAN_DEPTH:
                return _position_of(text, m.start())
    run = _DASH_RUN.search(text) if text.count("-") >= MAX_PRESCAN_DEPTH else None
    return _position_of(text, run.start()) if run else None


def _flow_depth(text: str) -> Position | None:
    """Like `_prescan`, without the brackets inside comments and quoted strings
    (a quote opens a string only where a value can start)."""
    depth, i, n, prev = 0, 0, len(text), ""
    while i < n:
        c = text[i]
        if c == "\n":
            prev = ""
        elif c == "#" and (i == 0 or text[i - 1] in " \t\n"):
            i = text.find("\n", i)
            if i < 0:
                break
            continue
        elif c in "'\"" and prev in ("", ":", ",", "[", "{", "-", "?"):
            j = i + 1
            while True:
                j = text.find(c, j)
                if j < 0:
                    return None  # never closed: the parser reports it
                if c == "'" and text.startswith("''", j):
                    j += 2
                    continue
                if c == '"' and (j - i - 1 - len(text[i + 1:j].rstrip("\\"))) % 2:
                    j += 1
                    continue
                break
            i, prev = j + 1, c
            continue
        elif c in "[{":
            depth += 1
            if depth > MAX_PRESCAN_DEPTH:
                return _position_of(text, i)
        elif c in "]}":
            depth = max(depth - 1, 0)
        if c not in " \t\n":
            prev = c
        i += 1
    run = _DASH_RUN.search(text)
    too_deep = run is not None and (_scanned_depth(text) or 0) > MAX_PRESCAN_DEPTH
    return _position_of(text, run.start()) if run and too_deep else None


@lru_cache(maxsize=1)
def _scanned_depth(text: str) -> int | None:
    """How deep the collections of `text` really nest, or None when it does not
    scan. A run of `- - -` is nesting only where a block sequence can start:
    inside a quoted string, a block scalar (`|`), a comment or a plain value it
    is text, and so are brackets there. The Python scanner (which does not
    recurse) tells which, token by token; it stops counting past the limit.
    It refuses tabs in plain text, which the C parser takes: they are read as
    spaces, which nest no less."""
    from ruamel.yaml import tokens

    opens = (tokens.BlockSequenceStartToken, tokens.BlockMappingStartToken, tokens.FlowSequenceStartToken,
             tokens.FlowMappingStartToken)
    closes = (tokens.BlockEndToken, tokens.FlowSequenceEndToken, tokens.FlowMappingEndToken)
    depth = deepest = 0
    try:
        for token in _pure_parser().scan(text.replace("\t", " ")):
            if isinstance(token, opens):
                depth += 1
                deepest = max(deepest, depth)
                if depth > MAX_PRESCAN_DEPTH:
                    break
            elif isinstance(token, closes):
                depth -= 1
    except (YAMLError, RecursionError):
        return None
    return deepest


def _native_safe(text: str) -> bool:
    """Whether the C parser may parse `text`: the quick count says it is shallow,
    or the scanner, having read it all, says so."""
    if _prescan(text) is None:
        return True
    depth = _scanned_depth(text)
    return depth is not None and depth <= MAX_PRESCAN_DEPTH


def _yaml_error(exc: MarkedYAMLError) -> tuple[str, Position]:
    """Message and position of a parse error.

    The parser reports where it gave up (the problem mark); when that is the end
    of the file (an unclosed quote or bracket) the useful place is where the
    unfinished construct began (the context mark), so we point there instead.
    """
    problem_mark, context_mark = exc.problem_mark, exc.context_mark
    mark = problem_mark or context_mark
    at_end = "end of stream" in str(exc.problem or "")
    if at_end and context_mark is not None:
        mark = context_mark
    message = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
    if context_mark is not None and mark is not context_mark and context_mark.line != mark.line:
        message = message.replace(str(exc.context),
                                  f"{exc.context} (started at line {context_mark.line + 1})", 1) \
            if exc.context else message
    pos = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
    return f"invalid YAML: {message}", pos


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _parse_hint(exc: MarkedYAMLError, text: str, pos: Position) -> str | None:
    """How to repair the parse errors people make most: a tab, a line indented
    wrongly, a value holding `: ` without quotes. The parser's own words say
    what it expected, not what the writer did."""
    lines = text.split("\n")
    line = lines[pos.line - 1] if 0 < pos.line <= len(lines) else ""
    if "\t" in line[: pos.col]:
        return "YAML does not allow tabs for indentation; use spaces"
    problem = str(exc.problem or "")
    if "mapping values are not allowed" in problem:
        above = next((lines[i] for i in range(pos.line - 2, -1, -1)
                      if lines[i].strip() and not lines[i].lstrip().startswith("#")), None)
        indented_more = above is not None and _indent(line) > _indent(above) and not above.rstrip().endswith(":")
        if indented_more and pos.col > _indent(line) + 1:
            return (f"line {pos.line} is indented more than the line above it, which already has its value: "
                    "indent it like the keys it belongs with")
        return 'a value holding ": " needs quotes, e.g. title: "Deal: follow-up"'
    if ("expected '-' indicator" in problem or "expected key" in problem or "expected <block end>" in problem):
        started = exc.context_mark.line + 1 if exc.context_mark is not None else None
        kind = "list" if "'-'" in problem else "mapping"
        where = f"; the {kind} it breaks starts at line {started}" if started and started != pos.line else ""
        return (f"check the indentation of line {pos.line}: the keys of one mapping start in the same column, "
                f"and so do the `-` of one list{where}")
    return None


#: Tag our resolver gives plain (unquoted, untagged) scalars; `_plain` types them.
_PLAIN = "tag:blueprint-cli,2026:plain"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# The YAML 1.2 core schema's forms, as editors (yaml-language-server) and other
# YAML 1.2 tools read them: `1_000` and `1_0.5` are text there, so here too.
# (`\Z`, not `$`, which would also accept a trailing line feed.)
_INT = re.compile(r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z")
_FLOAT = re.compile(r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z")


class _CoreResolver(VersionedResolver):
    """Resolves implicit tags without ruamel's per-scalar version lookups (a
    third of the parse time) and by the YAML 1.2 core schema only: plain
    scalars are typed by `_plain`, so `on`/`no` and dates stay text whatever
    `%YAML` directive the file carries."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                return _STD + "merge" if value == "<<" else _PLAIN
            return _STD + "str"
        return _STD + ("seq" if kind is SequenceNode else "map")


#: The first characters a plain scalar that is not text can start with (null:
#: `~`, `null`; true/false; numbers; the empty scalar is null too): most plain
#: scalars are words, and need no pattern tried at all.
_TYPED_START = frozenset("~nNtTfF0123456789+-.")


def _plain(text: str) -> Any:
    if text and text[0] not in _TYPED_START:
        return text
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text.lower() == "true"
    if _INT.match(text):
        return _scalar(text, _STD + "int")
    if _FLOAT.match(text):
        return _scalar(text, _STD + "float")
    return text


_yaml: YAML | None = None


_pure: YAML | None = None


def _pure_parser() -> YAML:
    """The Python parser: only for text whose depth the quick count misjudged."""
    global _pure
    if _pure is None:
        _pure = YAML(typ="safe", pure=True)  # ruamel's own YAML 1.2 resolver (ours is for the C parser)
    return _pure


def _parser() -> YAML:
    global _yaml
    if _yaml is None:
        _yaml = YAML(typ="safe")  # C parser when ruamel.yaml.clib is installed
        _yaml.Resolver = _CoreResolver
    return _yaml


#: NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR: line breaks to YAML 1.1 (and the
#: C parser), text to editors, grep and GitHub, which count only line feeds.
_OTHER_BREAKS = "\x85\u2028\u2029"
#: What they stand for while parsing (private-use characters), then put back.
_STAND_INS = "\ue085\ue028\ue029"
_TO_STAND_INS = str.maketrans(_OTHER_BREAKS, _STAND_INS)
_FROM_STAND_INS = str.maketrans(_STAND_INS, _OTHER_BREAKS)


def load_text(text: str, file: str) -> tuple[Document | None, list[Diagnostic]]:
    """Parse `text`; return the document, or None and the findings that stop it.

    NEL, U+2028 and U+2029 are read as text, not line breaks, so every later
    line number is the one an editor shows and a NEL in a comment stays in the
    comment: they are swapped for private-use stand-ins while parsing and
    swapped back in every key and value (unless the file holds a stand-in)."""
    if not any(c in text for c in _OTHER_BREAKS) or any(c in text for c in _STAND_INS):
        return _load_text(text, file)
    doc, diags = _load_text(text.translate(str.maketrans(_OTHER_BREAKS, _STAND_INS)), file)
    back = str.maketrans(_STAND_INS, _OTHER_BREAKS)

    def restore(value: Any) -> Any:
        if isinstance(value, str):
            return value.translate(back)
        if isinstance(value, dict):
            return {restore(k): restore(v) for k, v in value.items()}
        if isinstance(value, list):
            return [restore(v) for v in value]
        return value

    def path(p: JsonPath) -> JsonPath:
        return tuple(restore(part) for part in p)

    diags = [replace(d, message=d.message.translate(back), path=path(d.path)) for d in diags]
    if doc is not None:  # with the text as written: what fixes edit
        doc = Document(doc.file, restore(doc.data), {path(k): v for k, v in doc.positions.items()},
                       {path(k): v for k, v in doc.key_positions.items()}, text)
    return doc, diags


def _load_text(text: str, file: str) -> tuple[Document | None, list[Diagnostic]]:

    def problem(code: str, message: str, pos: Position, hint: str | None = None) -> list[Diagnostic]:
        return [Diagnostic(code, Severity.ERROR, message, file, pos.line, pos.col, (), hint)]

    # in bytes, as the file is read: 10 MiB of `é` is 5 MiB of characters
    if len(text) > MAX_BYTES or (len(text) * 4 > MAX_BYTES and len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES):
        return None, problem("BP104", f"file is larger than {MAX_BYTES // 1024 // 1024} MiB", Position(1, 1))
    written = text
    if text.startswith("\ufeff"):
        text = text[1:]
    # (an ASCII text without control characters, the usual file, is told without the pattern)
    bad = _NOT_YAML.search(text) if not text.isascii() or text.encode("ascii").translate(None, _ASCII_YAML) \
        else None
    if bad is not None:  # the parser's own error would point at 1:1 and quote its internals
        pos = _position_of(text, bad.start())
        return None, problem("BP100", f"invalid YAML: the file holds U+{ord(bad[0]):04X}, a control character YAML "
                                      "does not allow", pos, "remove it (or write it as an escape in a double-quoted "
                                                             'string, like "\\x07")')
    too_deep = _prescan(text)
    pure = False
    if too_deep is not None:
        # the quick count also counts brackets inside quoted strings and comments:
        # count again without those, and if that is shallow, parse with the
        # Python parser, whose recursion is caught (the C parser would crash)
        too_deep = _flow_depth(text)
        if too_deep is not None:
            return None, problem("BP104", f"nesting deeper than {MAX_PRESCAN_DEPTH} levels", too_deep)
        pure = not _native_safe(text)
    # no anchor, no alias: the common file is built straight from the parser's events
    fast = _from_events(text) if "&" not in text and not pure else None
    if fast is not None:
        data, marks, duplicates = fast
        return _placed_later(file, data, marks, written), [_duplicate(file, *d) for d in duplicates]
    try:
        root = (_pure_parser() if pure else _parser()).compose(text)
    except RecursionError:
        return None, problem("BP104", f"nesting deeper than {MAX_PRESCAN_DEPTH} levels", Position(1, 1))
    except MarkedYAMLError as exc:
        message, pos = _yaml_error(exc)
        return None, problem("BP100", message, pos, _parse_hint(exc, text, pos))
    except YAMLError as exc:
        return None, problem("BP100", "invalid YAML: " + " ".join(str(exc).split()), Position(1, 1))
    # `---` with nothing after it is an empty document, not a null value someone wrote
    empty_document = isinstance(root, ScalarNode) and root.value == "" and not root.style \
        and _tag(root) in (_PLAIN, _STD + "null")
    if root is None or empty_document:
        return None, problem("BP101", "the file is empty", Position(1, 1), "a blueprint needs at least `blueprint`, `module`, `field`, `states` and `transitions`")
    anchors = "&" in text  # no anchor, no alias: nothing can expand
    conv = _Converter(anchors)
    try:
        if anchors:
            _check_expansion(root)
        data = conv.convert(root, ())
        if conv.alias_paths:
            conv.place_aliases(_alias_marks(text, pure))
    except _Refused as exc:
        pos = _pos(exc.node) if exc.node is not None else Position(1, 1)
        return None, problem(exc.code, exc.message, pos, exc.hint)
    diags = [_duplicate(file, path, _pos(node), key) for path, node, key in conv.duplicates]
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({_yaml_kind(data)})"
        return None, diags + problem("BP102", f"the top level is {kind}, not a mapping", _pos(root),
                                     "a blueprint file is a mapping: `blueprint: my-id`, `module: ...`, `states: [...]`")
    doc = Document(file, data, conv.positions, conv.key_positions, written)
    return doc, diags


def _alias_marks(text: str, pure: bool) -> list[Position]:
    """Where each alias (`*name`) is written, in document order: the composed
    nodes keep only their anchor's position."""
    from ruamel.yaml.events import AliasEvent

    try:
        return [Position(e.start_mark.line + 1, e.start_mark.column + 1)
                for e in (_pure_parser() if pure else _parser()).parse(text) if isinstance(e, AliasEvent)]
    except YAMLError:  # pragma: no cover - the text was composed already
        return []


#: (line, column) from 0, as the parser counts them
_Mark = tuple[int, int]


def scalar_spans(text: str) -> list[tuple[_Mark, _Mark]] | None:
    """Where the text of each scalar (key or value) is, from its first
    character to just after its last, as (line, column) from 0: a `#` there
    is part of a value, not a comment. A block scalar (`|`, `>`) starts on
    the line after its indicator, whose own comment is a comment. None when
    the text does not parse. The C parser reports no comments; its scalars'
    marks say where comments cannot be."""
    from ruamel.yaml.events import ScalarEvent, StreamEndEvent

    shift = 1 if text.startswith("\ufeff") else 0
    text = text[shift:].translate(str.maketrans(_OTHER_BREAKS, _STAND_INS))  # as `load_text` reads it
    spans: list[tuple[_Mark, _Mark]] = []
    try:
        if _native_safe(text):
            from _ruamel_yaml import CParser  # type: ignore[import-not-found,unused-ignore]

            get = CParser(text).get_event
        else:  # deep nesting: the Python parser, whose recursion is caught
            get = iter(_pure_parser().parse(text)).__next__
        while type(ev := get()) is not StreamEndEvent:
            if type(ev) is ScalarEvent:
                start, end = ev.start_mark, ev.end_mark
                first = (start.line + 1, 0) if ev.style in ("|", ">") else (start.line, start.column)
                spans.append((_shifted(first, shift), _shifted((end.line, end.column), shift)))
    except (YAMLError, RecursionError, ImportError, StopIteration):
        return None
    return spans


def _shifted(mark: _Mark, shift: int) -> _Mark:
    """A mark in the text with its BOM (which the parser did not see) put back."""
    return (0, mark[1] + shift) if mark[0] == 0 else mark


def _duplicate(file: str, path: JsonPath, pos: Position, key: str) -> Diagnostic:
    return Diagnostic("BP105", Severity.ERROR, f"duplicate key {key!r}", file, pos.line, pos.col, path,
                      "YAML keeps only one of them; remove or rename the other")


class _Unusual(Exception):
    """The text needs the composer: see `_from_events`."""


#: the data, the start marks of its values and keys (see `_place`), the repeated keys
_Built = tuple[dict[str, Any], list[Any], list[tuple[JsonPath, Position, str]]]

# What the C parser makes of each event while `_from_events` reads a file: a
# plain tuple (kind, tag, implicit, value, start mark) instead of ruamel's event
# object, whose constructor runs three Python-level __init__ (per event, that
# cost more than the parsing itself). The parser builds its events by looking
# these names up in its module, so `_tuple_events` sets them for the time of
# one parse and puts ruamel's classes back after it, whatever happens.
_SCALAR, _SEQ, _MAP, _SEQ_END, _MAP_END, _DOC_END, _STREAM_END, _OTHER = range(8)
_TUPLE_EVENTS: dict[str, Callable[..., tuple[Any, ...]]] = {
    # (each with the parser's exact arguments: a `*rest` would cost a tuple more per event)
    "ScalarEvent": lambda anchor, tag, implicit, value, start, end, style: (_SCALAR, tag, implicit, value, start),
    "SequenceStartEvent": lambda anchor, tag, implicit, start, end, flow: (_SEQ, tag, implicit, None, start),
    "MappingStartEvent": lambda anchor, tag, implicit, start, end, flow: (_MAP, tag, implicit, None, start),
    "SequenceEndEvent": lambda start, end: (_SEQ_END,),
    "MappingEndEvent": lambda start, end: (_MAP_END,),
    "DocumentEndEvent": lambda *_: (_DOC_END,),
    "StreamEndEvent": lambda *_: (_STREAM_END,),
    "StreamStartEvent": lambda *_: (_OTHER,),
    "DocumentStartEvent": lambda *_: (_OTHER,),
    # where a value is (its position is taken before its kind is looked at)
    "AliasEvent": lambda anchor, start, end: (_OTHER, None, None, None, start),
}


@contextmanager
def _tuple_events(module: Any) -> Iterator[bool]:
    """Within it, `module`'s parser makes tuples (True), unless the module is not
    the one this was written for (False: then nothing is changed)."""
    saved = {name: getattr(module, name, None) for name in _TUPLE_EVENTS}
    if any(cls is None for cls in saved.values()):
        yield False  # pragma: no cover - another ruamel.yaml.clib
        return
    for name, make in _TUPLE_EVENTS.items():
        setattr(module, name, make)
    try:
        yield True
    finally:
        for name, cls in saved.items():
            setattr(module, name, cls)


def _from_events(text: str) -> _Built | None:
    """Data and positions straight from the C parser's events, without building
    ruamel's node graph first (which costs more than the parsing itself).

    Only for the common file: one document whose top level is a mapping, no
    anchors or aliases, no merge keys, only YAML's standard tags, within the
    size and depth limits, and no syntax error. Anything else returns None and
    goes through the composer (`_Converter`), which reports each of those cases
    with its finding — so both paths give the same result wherever this one
    answers (a property test holds them to it).
    """
    try:
        import _ruamel_yaml  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - ruamel.yaml.clib is a declared dependency
        return None
    with _tuple_events(_ruamel_yaml) as tuples:
        if not tuples:
            return None  # pragma: no cover - another ruamel.yaml.clib
        try:
            return _read_events(_ruamel_yaml.CParser(text).get_event)
        except (_Unusual, _TooLong, YAMLError):  # the composer's path says what is wrong, and where
            return None


def _read_events(get: Callable[[], tuple[Any, ...]]) -> _Built | None:
    """`_from_events`, on the parser's events as tuples; `_Unusual` for what needs the composer.

    Positions are not built here: each value's and key's start mark is kept, in
    the order `_place` walks the data (the root; then each mapping entry's key,
    its value, and what is inside the value; each sequence item, and what is
    inside it). Most files have no finding, and never ask where anything is."""
    marks: list[Any] = []
    keep = marks.append
    duplicates: list[tuple[JsonPath, Position, str]] = []
    budget = MAX_NODES
    scalar_tags, seq_tag, map_tag, typed_start = _SCALAR_TAGS, _STD + "seq", _STD + "map", _TYPED_START
    scalar_kind, map_kind, seq_end, map_end = _SCALAR, _MAP, _SEQ_END, _MAP_END

    def scalar(ev: tuple[Any, ...]) -> Any:
        """A scalar's value, but for a plain word, which the loops below take themselves."""
        _, tag, implicit, value, _ = ev
        if tag is None:
            if implicit[0]:
                if value == "<<":
                    raise _Unusual
                return _plain(value)
            return value
        if tag == "!":
            return value
        if tag not in scalar_tags:
            raise _Unusual
        return _scalar(value, tag)

    def collection(ev: tuple[Any, ...], path: JsonPath, depth: int) -> Any:
        """A mapping or a sequence, keeping the start mark of each value; scalars
        are read here, not by a call each (most values are scalars)."""
        nonlocal budget
        kind, tag = ev[0], ev[1]
        deeper = depth + 1 > MAX_DEPTH  # for its values
        if kind != map_kind:
            if kind != _SEQ or (tag is not None and tag != seq_tag):
                raise _Unusual  # an alias (or something new)
            items: list[Any] = []
            while True:
                ev = get()
                kind = ev[0]
                if kind == seq_end:
                    return items
                budget -= 1
                if budget < 0 or deeper:
                    raise _Unusual
                keep(ev[4])
                if kind != scalar_kind:
                    items.append(collection(ev, path + (len(items),), depth + 1))
                elif ev[1] is None and ev[2][0] and (word := ev[3]) and word[0] not in typed_start and word != "<<":
                    items.append(word)
                else:
                    items.append(scalar(ev))
        if tag is not None and tag != map_tag:
            raise _Unusual
        out: dict[str, Any] = {}
        while True:
            ev = get()
            kind = ev[0]
            if kind == map_end:
                return out
            if kind != scalar_kind:
                raise _Unusual
            _, tag, implicit, key, mark = ev
            if tag is None:
                if key == "<<" and implicit[0]:
                    raise _Unusual
            elif tag != "!" and tag not in scalar_tags:
                raise _Unusual
            if key in out:
                duplicates.append((path + (key,), Position(mark.line + 1, mark.column + 1), key))
                _skip(get(), get)
                continue
            keep(mark)
            ev = get()
            kind = ev[0]
            budget -= 1
            if budget < 0 or deeper:
                raise _Unusual
            keep(ev[4])
            if kind != scalar_kind:
                out[key] = collection(ev, path + (key,), depth + 1)
            elif ev[1] is None and ev[2][0] and (word := ev[3]) and word[0] not in typed_start and word != "<<":
                out[key] = word
            else:
                out[key] = scalar(ev)

    try:
        get()  # the stream's start
        if get()[0] == _STREAM_END:
            return None  # an empty file: the composer's path says so
        root = get()
        if root[0] != _MAP:
            return None
        keep(root[4])
        budget -= 1
        data = collection(root, (), 0)
        if get()[0] != _DOC_END or get()[0] != _STREAM_END:
            return None  # a second document
        return data, marks, duplicates
    finally:
        # `collection` calls itself through its closure: a cycle (the function,
        # its cells, the marks, the parser) that only the garbage collector
        # would free. Cut, everything a file's reading built goes when its
        # document does, and a run over many files triggers no collection.
        del collection, scalar


def _place(data: dict[str, Any], marks: list[Any]) -> tuple[dict[JsonPath, Position], dict[JsonPath, Position]]:
    """The positions of values and of keys, from the marks `_read_events` kept
    for `data` (read in the same order)."""
    positions: dict[JsonPath, Position] = {}
    key_positions: dict[JsonPath, Position] = {}
    # a Position made without the Python-level constructor of named tuples
    at, new, following = Position, tuple.__new__, iter(marks).__next__

    def walk(value: Any, path: JsonPath) -> None:
        if type(value) is dict:
            for key, item in value.items():
                sub = path + (key,)
                mark = following()
                key_positions[sub] = new(at, (mark.line + 1, mark.column + 1))
                mark = following()
                positions[sub] = new(at, (mark.line + 1, mark.column + 1))
                if type(item) is dict or type(item) is list:
                    walk(item, sub)
        else:
            for i, item in enumerate(value):
                sub = path + (i,)
                mark = following()
                positions[sub] = new(at, (mark.line + 1, mark.column + 1))
                if type(item) is dict or type(item) is list:
                    walk(item, sub)

    mark = following()
    positions[()] = new(at, (mark.line + 1, mark.column + 1))
    try:
        walk(data, ())
    finally:
        del walk  # (it calls itself: a cycle, as in `_read_events`)
    return positions, key_positions


def _skip(ev: tuple[Any, ...], get: Callable[[], tuple[Any, ...]]) -> None:
    """Consume the events of one value (the value of a duplicate key, never built)."""
    depth = 1 if ev[0] in (_SEQ, _MAP) else 0
    while depth:
        kind = get()[0]
        if kind in (_SEQ, _MAP):
            depth += 1
        elif kind in (_SEQ_END, _MAP_END):
            depth -= 1


def compose(text: str) -> Node | None:
    """The node graph of a text that loads (for fixes, which edit nodes' spans).
    NEL, U+2028 and U+2029 are text, as `load_text` reads them, so the nodes'
    lines are the file's; scalars hold them as their stand-ins."""
    try:
        return _parser().compose(text.translate(_TO_STAND_INS))  # type: ignore[no-any-return]
    except YAMLError:
        return None


def node_at(root: Node, path: JsonPath, *, key: bool = False) -> Node | None:
    """The node `load_text` read the value at `path` from (with `key=True`, the
    node of its key), or None when it came through a merge key (<<) or is not
    there. Of two equal keys, the first is the one the loader kept."""
    node: Node | None = root
    key_node: Node | None = None
    for part in path:
        if isinstance(node, MappingNode) and isinstance(part, str):
            found = next(((k, v) for k, v in node.value if isinstance(k, ScalarNode) and _tag(k) != _MERGE
                          and str(k.value).translate(_FROM_STAND_INS) == part), None)
            if found is None:
                return None
            key_node, node = found
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            key_node, node = None, node.value[part]
        else:
            return None
    return key_node if key else node


def value_of(node: Node) -> Any:
    """The data `load_text` reads from `node` (for comparing two values of one
    key); ValueError when the loader would refuse it (a tag, an alias bomb)."""
    try:
        return _Converter(aliases=True).convert(node, ())
    except _Refused as exc:
        raise ValueError(exc.message) from None


def plain_reads_as(value: str, context: str = "block") -> bool:
    """Whether `value` written unquoted (in a block or a flow mapping) reads back
    as that very text."""
    if not value or value != value.strip():
        return False
    line = f"k: {value}\n" if context == "block" else f"{{k: {value}}}\n"
    doc, diags = load_text(line, "")
    return doc is not None and not diags and doc.data == {"k": value} and type(doc.data["k"]) is str


def load_file(path: Path, display: str | None = None) -> tuple[Document | None, list[Diagnostic]]:
    """Read and parse a file; unreadable or non-UTF-8 files become findings."""
    from blueprint_cli.userfile import UnreadableFile, read_user_file

    name = display or str(path)
    try:
        raw = read_user_file(path, MAX_BYTES)
    except UnreadableFile as exc:
        return None, [unreadable(exc, name)]
    return load_bytes(raw, name)


def unreadable(exc: Any, name: str) -> Diagnostic:
    """The finding for a file `read_user_file` refused: BP104 when too large, else BP100."""
    return Diagnostic("BP104" if exc.too_large else "BP100", Severity.ERROR, exc.reason, name, 1, 1)


def load_bytes(raw: bytes, name: str) -> tuple[Document | None, list[Diagnostic]]:
    """Parse a file's bytes; text that is not UTF-8 is a finding."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Diagnostic("BP100", Severity.ERROR, "the file is not valid UTF-8 text", name, line, 1)]
    return load_text(text, name)

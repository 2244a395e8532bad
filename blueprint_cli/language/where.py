"""The `--where` expression language shared by `record list`, `bulk` and
`record export`: one line of text parsed into the same criteria tree as a
blueprint's `when` (`model.Condition`, `AllOf`, `AnyOf`, `NotOf`), so it is
evaluated by the same small interpreter (`criteria.evaluate`) — never by `eval`.

Grammar (keywords in any case; docs/bulk-and-data.md, section 'The `--where` language', has the table)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" expr ")" | comparison
    comparison := FIELD ("=" | "==" | "!=" | ">" | ">=" | "<" | "<=") value
                | FIELD ("~" | "contains" | "!~" | "not" "contains") value
                | FIELD ("starts_with" | "ends_with" | "matches") value
                | FIELD ["not"] "in" "[" value ("," value)* "]"
                | FIELD "between" value "and" value
                | FIELD "is" ["not"] "empty"
                | FIELD ("=" | "!=")             -- shorthand: is empty / is not empty
    value      := "text" | 'text' | WORD          -- WORD: 1000, 12.5, true, false, 2026-05-01, vip
                | ("now" | "today") [("+" | "-") DURATION]   -- a time relative to the command's clock

`and` binds tighter than `or`. A syntax error names the column it was found at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from blueprint_cli.language.model import AllOf, AnyOf, Condition, Criterion, FieldDef, NotOf

#: A one-line reminder of the language, for error hints and `--help`.
HELP = ('e.g. "amount >= 1000 and stage = Negotiation and tags contains vip"; '
        "and/or/not and parentheses, = != > >= < <=, contains (~), in [a, b], between A and B, "
        "starts_with, ends_with, matches, is [not] empty; times: created_at, updated_at, entered_at against "
        "now - 7d, today; sla = ok/breached — see docs/bulk-and-data.md, section 'The `--where` language'")

_OPS = {"=": "eq", "==": "eq", "!=": "ne", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte",
        "~": "contains", "!~": "not_contains"}
_WORD_OPS = {"contains": "contains", "starts_with": "starts_with", "ends_with": "ends_with", "matches": "matches"}
_KEYWORDS = {"and", "or", "not", "in", "is", "empty", "between", *_WORD_OPS}
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<punct>[()\[\],])
  | (?P<op>>=|<=|!=|==|!~|=|>|<|~)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<word>[^\s()\[\],=!<>~"']+)
  | (?P<bad>.)
""", re.X)
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class WhereError(ValueError):
    """A `--where` expression that cannot be read: the reason and its column (1-based)."""

    def __init__(self, message: str, column: int, text: str = "") -> None:
        super().__init__(f"column {column}: {message}")
        self.reason = message
        self.column = column
        self.text = text

    def pointer(self) -> str:
        """The expression with a caret under the column; a long one only around it."""
        text, col = self.text, self.column - 1
        if len(text) > 100:
            start = max(0, col - 50)
            head, tail = ("…" if start else ""), ("…" if start + 100 < len(text) else "")
            text, col = head + text[start:start + 100] + tail, col - start + len(head)
        return f"{text}\n{' ' * col}^"


@dataclass(frozen=True)
class _Tok:
    kind: str  # punct, op, string, word, end
    text: str
    col: int

    def keyword(self) -> str | None:
        low = self.text.lower()
        return low if self.kind == "word" and low in _KEYWORDS else None


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "bad"
        col = m.start() + 1
        if kind == "ws":
            continue
        if kind == "bad":
            quote = m.group()
            if quote in "\"'":
                raise WhereError(f"the text opened with {quote} here is never closed", col, text)
            raise WhereError(f"unexpected {quote!r}", col, text)
        out.append(_Tok(kind, m.group(), col))
    out.append(_Tok("end", "", len(text) + 1))
    return out


def parse(text: str) -> Criterion:
    """Parse an expression into a criteria tree; raises `WhereError`."""
    if not text.strip():
        raise WhereError("the expression is empty", 1, text)
    return _Parser(text).parse()


#: How deep parentheses and `not` may nest: far more than anyone writes, and
#: well inside Python's recursion limit for parsing, checking and evaluating.
MAX_DEPTH = 100


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0

    # ----- helpers ------------------------------------------------------------------

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def _next(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def _error(self, expected: str, tok: _Tok | None = None) -> WhereError:
        tok = tok or self.tok
        found = "the end of the expression" if tok.kind == "end" else repr(tok.text)
        return WhereError(f"expected {expected}, found {found}", tok.col, self.text)

    def _is(self, keyword: str) -> bool:
        return self.tok.keyword() == keyword

    # ----- grammar --------------------------------------------------------------------

    def parse(self) -> Criterion:
        node = self._or()
        if self.tok.kind != "end":
            if self.tok.text == ")":
                raise WhereError("')' without a matching '('", self.tok.col, self.text)
            error = self._error("`and`, `or` or the end")
            spaced = self._unquoted_value()
            if spaced:
                error = WhereError(f"{error.reason} (a value with spaces goes in quotes: '{spaced}')",
                                   error.column, self.text)
            raise error
        return node

    def _unquoted_value(self) -> str | None:
        """`state = Closed Won`: the words a value was meant to be, when a plain
        word follows the value of a comparison."""
        prev = self.toks[self.i - 1] if self.i else None
        if prev is None or prev.kind != "word" or prev.keyword() or self.tok.kind != "word" or self.tok.keyword():
            return None
        last = self.i
        while self.toks[last + 1].kind == "word" and not self.toks[last + 1].keyword():
            last += 1
        end = self.toks[last]
        return self.text[prev.col - 1:end.col - 1 + len(end.text)]

    def _or(self) -> Criterion:
        items = [self._and()]
        while self._is("or"):
            self._next()
            items.append(self._and())
        return items[0] if len(items) == 1 else AnyOf(tuple(items))

    def _and(self) -> Criterion:
        items = [self._not()]
        while self._is("and"):
            self._next()
            items.append(self._not())
        return items[0] if len(items) == 1 else AllOf(tuple(items))

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise WhereError(f"nested more than {MAX_DEPTH} levels deep (parentheses and `not`)",
                             self.tok.col, self.text)

    def _not(self) -> Criterion:
        if self._is("not"):
            self._deeper()
            self._next()
            negated = NotOf(self._not())
            self.depth -= 1
            return negated
        if self.tok.text == "(" and self.tok.kind == "punct":
            self._deeper()
            opened = self._next()
            node = self._or()
            self.depth -= 1
            if self.tok.text != ")":
                if self.tok.kind == "end":
                    raise WhereError("the '(' opened here is never closed", opened.col, self.text)
                raise self._error("`and`, `or` or ')'")
            self._next()
            return node
        return self._comparison()

    def _comparison(self) -> Criterion:
        tok = self.tok
        if tok.kind != "word" or tok.keyword() is not None or not _FIELD.match(tok.text):
            raise self._error("a field name (like amount, state, owner or tags)")
        name = self._next().text
        op_tok = self.tok
        if op_tok.kind == "op":
            self._next()
            op = _OPS[op_tok.text]
            if op in ("eq", "ne") and self._ends_clause():
                return Condition(name, "empty", op == "eq")  # `reason=`: reason is empty
            return Condition(name, op, self._value(f"a value after {op_tok.text!r}"))
        key = op_tok.keyword()
        if key in _WORD_OPS:
            self._next()
            value = self._value(f"a value after {key!r}")
            if key == "matches":
                self._check_regex(value, op_tok)
            return Condition(name, _WORD_OPS[key], value)
        if key == "not":
            self._next()
            if self._is("in"):
                self._next()
                return Condition(name, "not_in", self._list())
            if self._is("contains"):
                self._next()
                return Condition(name, "not_contains", self._value("a value after 'not contains'"))
            raise self._error("`in` or `contains` after 'not'")
        if key == "in":
            self._next()
            return Condition(name, "in", self._list())
        if key == "is":
            self._next()
            negated = self._is("not")
            if negated:
                self._next()
            if not self._is("empty"):
                raise self._error("`empty` (as in `is empty` or `is not empty`)")
            self._next()
            return Condition(name, "empty", not negated)
        if key == "between":
            self._next()
            low = self._value("a value after 'between'")
            if not self._is("and"):
                raise self._error("`and` (as in `between 10 and 20`)")
            self._next()
            return Condition(name, "between", [low, self._value("a value after 'and'")])
        raise self._error(f"an operator after {name!r} (=, !=, >, >=, <, <=, contains, in, between, is empty, ...)")

    def _ends_clause(self) -> bool:
        tok = self.tok
        return tok.kind == "end" or (tok.kind == "punct" and tok.text == ")") or tok.keyword() in ("and", "or")

    def _value(self, expected: str) -> Any:
        tok = self.tok
        if tok.kind == "string":
            self._next()
            return _unquote(tok.text)
        if tok.kind == "word" and tok.keyword() not in ("and", "or"):
            self._next()
            relative = _RELATIVE.match(tok.text)
            if relative is None:
                return _word_value(tok.text)
            base, sign, amount = relative.group(1).lower(), relative.group(2), relative.group(3)
            if not sign and self.tok.kind == "word" and self.tok.text in ("+", "-"):  # `now - 7d`
                sign = self._next().text
                if self.tok.kind != "word" or self.tok.keyword() is not None:
                    raise self._error(f"a duration after '{base} {sign}' (like 7d, 12h, 2w)")
                amount = self._next().text
            elif not sign and self.tok.kind == "word" and self.tok.text[:1] in ("+", "-") and len(self.tok.text) > 1:
                sign, amount = self.tok.text[0], self._next().text[1:]  # `now -7d`
            if sign and not amount:
                raise self._error(f"a duration after '{base} {sign}' (like 7d, 12h, 2w)")
            return Relative(base, sign, amount, tok.col) if sign else Relative(base, col=tok.col)
        raise self._error(expected)

    def _list(self) -> list[Any]:
        if self.tok.text != "[":
            raise self._error("a list like [a, b]")
        opened = self._next()
        items = [self._value("a value in the list")]
        while self.tok.text == ",":
            self._next()
            items.append(self._value("a value after ','"))
        if self.tok.text != "]":
            if self.tok.kind == "end":
                raise WhereError("the '[' opened here is never closed", opened.col, self.text)
            raise self._error("',' or ']'")
        self._next()
        return items

    def _check_regex(self, value: Any, at: _Tok) -> None:
        from blueprint_cli.language.regex import check

        why = check(value)
        if why is not None:
            raise WhereError(f"not a valid regular expression after 'matches': {why}", at.col, self.text)


#: `now`, `today`, and either with an offset written in one word (`now-7d`)
_RELATIVE = re.compile(r"^(now|today)(?:([+-])(.*))?$", re.I)


@dataclass(frozen=True)
class Relative:
    """A time relative to the command's clock, as written: `now`, `today`,
    `now - 7d`, `today + 1w` (calendar durations). `resolve` turns it into a time."""

    base: str
    sign: str = ""
    amount: str = ""
    col: int = 0

    def __str__(self) -> str:
        return self.base + (f" {self.sign} {self.amount}" if self.sign else "")


def resolve(criterion: Criterion, now: datetime, text: str = "") -> Criterion:
    """Every relative time in `criterion` as a time: `now ± D` an ISO time,
    `today ± D` a date, on the day `now` is in the zone in effect. Raises
    `WhereError` for a duration that is not a calendar duration."""
    from datetime import timedelta

    from blueprint_cli.language import times
    from blueprint_cli.language.durations import DurationError, parse_duration

    def one(value: Any) -> Any:
        if isinstance(value, list):
            return [one(v) for v in value]
        if not isinstance(value, Relative):
            return value
        delta = timedelta()
        if value.sign:
            try:
                duration = parse_duration(value.amount)
            except DurationError:
                raise WhereError(f"{value.amount!r} after '{value.base} {value.sign}' is not a duration; "
                                 "write days, hours or weeks, like 7d, 12h, 2w or P1DT12H", value.col, text) from None
            if duration.delta is None:
                raise WhereError(f"{value}: a business duration has no fixed length here; write days, hours or "
                                 "weeks, like 7d, 12h, 2w", value.col, text)
            delta = duration.delta if value.sign == "+" else -duration.delta
        try:
            if value.base == "today":
                zone = times.zone_in_effect()
                day = now.astimezone(zone).date() + delta  # (zone None: the machine's)
                times.bounded_year(day)
                return day.isoformat()
            moment = now + delta
            times.bounded_year(moment)
            return moment.isoformat(timespec="seconds")
        except (OverflowError, times.TimeError):
            raise WhereError(f"{value} is out of range: the year must be between {times.MIN_YEAR} and "
                             f"{times.MAX_YEAR}", value.col, text) from None

    if isinstance(criterion, (AllOf, AnyOf)):
        return replace(criterion, items=tuple(resolve(c, now, text) for c in criterion.items))
    if isinstance(criterion, NotOf):
        return replace(criterion, item=resolve(criterion.item, now, text))
    return replace(criterion, value=one(criterion.value))


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _word_value(word: str) -> Any:
    low = word.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    if _NUMBER.match(word):
        number = float(word)
        return int(number) if number.is_integer() and not re.search(r"[.eE]", word) else number
    return word


# ----- checking an expression against a workspace's fields -------------------------------------

@dataclass(frozen=True)
class Vocabulary:
    """What `--where` may name: declared fields (typed), state fields and their
    states, and the built-ins every record has."""

    fields: Mapping[str, FieldDef]
    states: frozenset[str] = frozenset()
    state_fields: frozenset[str] = frozenset()

    BUILTINS = ("state", "owner", "tags", "id", "module", "created_at", "updated_at", "entered_at", "sla",
                "sla_level")

    def names(self) -> list[str]:
        return sorted(set(self.fields) | set(self.state_fields) | set(self.BUILTINS))

    @classmethod
    def of(cls, blueprints: Iterable[Any]) -> Vocabulary:
        fields: dict[str, FieldDef] = {}
        states: set[str] = set()
        state_fields: set[str] = set()
        for bp in blueprints:
            for fd in bp.fields:
                fields.setdefault(fd.name, fd)
            states.update(bp.state_names)
            state_fields.add(bp.field)
        return cls(fields, frozenset(states), frozenset(state_fields))


def check(criterion: Criterion, vocabulary: Vocabulary) -> Criterion:
    """Refuse unknown fields and values that cannot be what a field holds (a
    number field compared with text, a state or picklist value that does not
    exist — with a did-you-mean); numbers typed as text become numbers.
    Raises `ValueError` with the reason."""
    from blueprint_cli.language.suggest import did_you_mean

    if isinstance(criterion, (AllOf, AnyOf)):
        return replace(criterion, items=tuple(check(c, vocabulary) for c in criterion.items))
    if isinstance(criterion, NotOf):
        return replace(criterion, item=check(criterion.item, vocabulary))
    c = criterion
    known = vocabulary.names()
    if c.field not in known:
        hint = did_you_mean(c.field, known)
        raise ValueError(f"unknown field {c.field!r}" + (f" ({hint})" if hint else f"; fields: {', '.join(known)}"))
    if c.op == "empty":
        return c
    fd = TIME_FIELDS.get(c.field) if c.field not in vocabulary.fields else vocabulary.fields[c.field]
    if fd is None or fd.type not in ("date", "datetime"):  # `now` is a word like any other there
        c = replace(c, value=_as_words(c.value))
    values = c.value if isinstance(c.value, list) else [c.value]
    if c.field == "sla" and c.op in ("eq", "ne", "in", "not_in"):
        for v in values:
            if str(v).casefold() not in SLA_STANDINGS:
                raise ValueError(f"sla is {', '.join(SLA_STANDINGS[:-1])} or {SLA_STANDINGS[-1]}, not {v!r} "
                                 "(sla_level is the level reached: sla_level >= 1)")
        return c
    if c.field == "sla_level":
        fd = SLA_LEVEL
    if c.field == "state" or c.field in vocabulary.state_fields:
        if c.op in ("eq", "ne", "in", "not_in"):
            _one_of(c.field, values, sorted(vocabulary.states), "state")
        return c
    if fd is None:
        return c
    if fd.type in ("number", "integer", "currency", "percent") and c.op in ("eq", "ne", "gt", "gte", "lt", "lte",
                                                                            "between", "in", "not_in"):
        typed = [_number(fd, v) for v in values]
        return replace(c, value=typed if isinstance(c.value, list) else typed[0])
    if fd.type in ("date", "datetime") and c.op in ("gt", "gte", "lt", "lte", "between", "eq", "ne"):
        for v in values:
            if not isinstance(v, Relative):
                _moment(fd, v)
    if fd.type == "boolean" and c.op in ("eq", "ne") and not isinstance(c.value, bool):
        raise ValueError(f"{fd.name} is a yes/no field: compare it with true or false, not {c.value!r}")
    if fd.type in ("picklist", "multiselect") and fd.values and c.op in ("eq", "ne", "in", "not_in", "contains",
                                                                         "not_contains"):
        _one_of(fd.name, values, list(fd.values), "value")
    return c


#: The built-in times of a record --where can compare: when it was created, last
#: changed, and entered its current state.
TIME_FIELDS = {name: FieldDef(name, "datetime") for name in ("created_at", "updated_at", "entered_at")}
#: `sla`: where a record stands against its state's SLA, now (`none`: its state has no SLA);
#: `sla_level`: the highest level whose time has passed (0 is `within`), empty while `ok`.
SLA_STANDINGS = ("ok", "breached", "none")
SLA_LEVEL = FieldDef("sla_level", "integer")


def _as_words(value: Any) -> Any:
    """Relative times as the words they were written as (for fields that hold no time)."""
    if isinstance(value, list):
        return [_as_words(v) for v in value]
    return str(value) if isinstance(value, Relative) else value


def mentions(criterion: Criterion, names: Iterable[str]) -> bool:
    """Whether the criterion compares any of the fields `names`."""
    from blueprint_cli.language.model import iter_conditions

    wanted = set(names)
    return any(c.field in wanted for c in iter_conditions(criterion))


def _number(fd: FieldDef, value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return _word_value(value.strip())
    raise ValueError(f"{fd.name} is a {fd.type} field: {value!r} is not a number")


def _moment(fd: FieldDef, value: Any) -> None:
    from blueprint_cli.language import times

    try:
        times.moment_in_effect(str(value))
    except times.YearOutOfRange as exc:
        raise ValueError(f"{fd.name} is a {fd.type} field: {value!r}: {exc}") from None
    except times.TimeError:
        raise ValueError(f"{fd.name} is a {fd.type} field: {value!r} is not a date like 2026-05-01") from None


def _one_of(name: str, values: Sequence[Any], choices: Sequence[str], what: str) -> None:
    from blueprint_cli.language.suggest import did_you_mean

    folded = {c.casefold() for c in choices}
    for v in values:
        if v is not None and str(v).casefold() not in folded:
            hint = did_you_mean(str(v), list(choices))
            raise ValueError(f"{name}: {v!r} is not a {what} of any published blueprint"
                             + (f" ({hint})" if hint else f"; {what}s: {', '.join(choices)}"))


def compile_for(text: str, blueprints: Iterable[Any], *, now: datetime) -> Criterion:
    """Parse and check an expression against published blueprints, as the CLI
    does: a `BlueprintError` (exit 2) that shows where the problem is. `now`
    (an aware datetime, the command's clock) is what `now` and `today` mean."""
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.shown import quoted

    try:
        return resolve(check(parse(text), Vocabulary.of(blueprints)), now, text)
    except WhereError as exc:
        raise BlueprintError(f"--where {quoted(text, 120)}: cannot read it at column {exc.column}: {exc.reason}\n"
                             + _indent(exc.pointer()), hint=HELP) from None
    except ValueError as exc:
        raise BlueprintError(f"--where {quoted(text, 120)}: {exc}", hint=HELP) from None


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())

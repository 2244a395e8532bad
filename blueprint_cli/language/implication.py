"""Reasoning about criteria: does one criterion imply another?

Used by the deeper lint rules (a branch shadowed by earlier ones, criteria no
record can meet, duplicate routes) and by `blueprint diff` (criteria tightened
or loosened). The answers are *sound but incomplete*: `implies(a, b)` is True
only when every record that satisfies `a` also satisfies `b` exactly as
`criteria.evaluate` decides it. False means "not proven", never "proven false",
so a lint rule built on it never reports a false positive.

How: `a ⇒ b` holds exactly when `a ∧ ¬b` has no solution. The negation is pushed
down to the leaves, the formula expanded to a disjunction of conjunctions
(bounded: past `MAX_TERMS` we give up and answer "not proven"), and each
conjunction shown impossible, either

- structurally: it holds one condition both as written and negated (works for
  every operator), or
- by values: the conditions on one field leave that field no possible value.
  Values are modelled per field type: numbers as unions of intervals over the
  extended reals plus "empty" and NaN; booleans as a subset of {empty, true,
  false}; text, picklist, user and the state as finite or co-finite sets of
  case-folded strings plus "empty" (the criteria interpreter compares text
  without case). This assumes each field holds a value of its declared type, as
  the engine guarantees (it parses every value it stores).

Conditions that cannot be modelled (text search, regular expressions, dates,
multiselect) are left out of the value reasoning, which can only turn a "proven"
into a "not proven" — never the reverse.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from blueprint_cli.language.criteria import _as_time
from blueprint_cli.language.model import AllOf, AnyOf, Blueprint, Condition, Criterion, NotOf

#: More conjunctions than this and we stop trying (answer: not proven).
MAX_TERMS = 512

NUMERIC = frozenset({"number", "integer", "currency", "percent"})
TEXTLIKE = frozenset({"text", "textarea", "email", "phone", "url", "user", "picklist"})

INF = math.inf


# ----- value sets -----------------------------------------------------------------------

#: (low, low included, high, high included) over the extended reals [-inf, inf]
Interval = tuple[float, bool, float, bool]


def _nonempty(iv: Interval) -> bool:
    lo, li, hi, hi_in = iv
    return lo < hi or (lo == hi and li and hi_in)


def _merge(ivs: Iterable[Interval]) -> tuple[Interval, ...]:
    items = sorted((iv for iv in ivs if _nonempty(iv)), key=lambda iv: (iv[0], not iv[1]))
    out: list[Interval] = []
    for iv in items:
        if out:
            lo, li, hi, hi_in = out[-1]
            # overlapping or touching with one side included: one interval
            if iv[0] < hi or (iv[0] == hi and (hi_in or iv[1])):
                if iv[2] > hi or (iv[2] == hi and iv[3] and not hi_in):
                    out[-1] = (lo, li, iv[2], iv[3])
                continue
        out.append(iv)
    return tuple(out)


@dataclass(frozen=True)
class NumSet:
    """Possible values of a numeric field."""

    intervals: tuple[Interval, ...] = ((-INF, True, INF, True),)
    empty: bool = True
    nan: bool = True

    def __and__(self, other: NumSet) -> NumSet:
        out = []
        for a in self.intervals:
            for b in other.intervals:
                lo, li = (a[0], a[1]) if (a[0] > b[0] or (a[0] == b[0] and not a[1])) else (b[0], b[1])
                hi, hi_in = (a[2], a[3]) if (a[2] < b[2] or (a[2] == b[2] and not a[3])) else (b[2], b[3])
                out.append((lo, li, hi, hi_in))
        return NumSet(_merge(out), self.empty and other.empty, self.nan and other.nan)

    def __invert__(self) -> NumSet:
        gaps: list[Interval] = []
        prev, prev_in = -INF, False  # nothing covered yet: the gap starts at -inf, included
        for lo, li, hi, hi_in in self.intervals:
            gaps.append((prev, not prev_in, lo, not li))
            prev, prev_in = hi, hi_in
        gaps.append((prev, not prev_in, INF, True))
        return NumSet(_merge(gaps), not self.empty, not self.nan)

    @property
    def is_void(self) -> bool:
        return not self.intervals and not self.empty and not self.nan


@dataclass(frozen=True)
class TextSet:
    """Possible values of a text-like field: `items` (case-folded), or every
    non-empty text except `items` when `cofinite`; `empty` for no value."""

    items: frozenset[str] = frozenset()
    cofinite: bool = True
    empty: bool = True

    def __and__(self, other: TextSet) -> TextSet:
        if self.cofinite and other.cofinite:
            return TextSet(self.items | other.items, True, self.empty and other.empty)
        if self.cofinite:
            return TextSet(other.items - self.items, False, self.empty and other.empty)
        if other.cofinite:
            return TextSet(self.items - other.items, False, self.empty and other.empty)
        return TextSet(self.items & other.items, False, self.empty and other.empty)

    def __invert__(self) -> TextSet:
        return TextSet(self.items, not self.cofinite, not self.empty)

    @property
    def is_void(self) -> bool:
        # a co-finite set of texts is never exhausted
        return not self.empty and not self.cofinite and not self.items


_BOOLS = frozenset({None, True, False})


@dataclass(frozen=True)
class BoolSet:
    """Possible values of a boolean field (None standing for empty)."""

    values: frozenset[bool | None] = _BOOLS

    def __and__(self, other: BoolSet) -> BoolSet:
        return BoolSet(self.values & other.values)

    def __invert__(self) -> BoolSet:
        return BoolSet(_BOOLS - self.values)

    @property
    def is_void(self) -> bool:
        return not self.values


ValueSet = Union[NumSet, TextSet, BoolSet]


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return abs(v) <= 2**53  # exactly representable as the float bounds we keep
    return isinstance(v, float) and not math.isnan(v)


def _is_plain_text(v: Any) -> bool:
    # text that looks like a date would be compared as a date, not as text
    return isinstance(v, str) and _as_time(v) is None


def _num_leaf(op: str, v: Any) -> NumSet | None:
    nothing = NumSet((), False, False)
    if op == "empty":
        if not isinstance(v, bool):
            return None
        return NumSet((), True, False) if v else NumSet(empty=False)
    if op in ("eq", "ne"):
        if v is None:
            s = NumSet((), True, False)
        elif _is_number(v):
            s = NumSet(((float(v), True, float(v), True),), False, False)
        else:
            return None
        return s if op == "eq" else ~s
    if op in ("gt", "gte", "lt", "lte"):
        if not _is_number(v):
            return None
        x = float(v)
        iv = {"gt": (x, False, INF, True), "gte": (x, True, INF, True),
              "lt": (-INF, True, x, False), "lte": (-INF, True, x, True)}[op]
        return NumSet(_merge([iv]), False, False)
    if op == "between":
        if not (isinstance(v, list) and len(v) == 2 and all(map(_is_number, v))):
            return None
        return NumSet(_merge([(float(v[0]), True, float(v[1]), True)]), False, False)
    if op in ("in", "not_in"):
        if not isinstance(v, list) or not all(map(_is_number, v)):
            return None
        s = NumSet(_merge((float(x), True, float(x), True) for x in v), False, False) if v else nothing
        return s if op == "in" else ~s
    return None


def _text_leaf(op: str, v: Any) -> TextSet | None:
    if op == "empty":
        if not isinstance(v, bool):
            return None
        return TextSet(frozenset(), False, True) if v else TextSet(empty=False)
    if op in ("eq", "ne"):
        if v is None:
            s = TextSet(frozenset(), False, True)
        elif _is_plain_text(v):
            s = TextSet(frozenset({v.casefold()}), False, False)
        else:
            return None
        return s if op == "eq" else ~s
    if op in ("in", "not_in"):
        if not isinstance(v, list) or not all(map(_is_plain_text, v)):
            return None
        s = TextSet(frozenset(x.casefold() for x in v), False, False)
        return s if op == "in" else ~s
    return None


def _bool_leaf(op: str, v: Any) -> BoolSet | None:
    if op == "empty":
        if not isinstance(v, bool):
            return None
        return BoolSet(frozenset({None})) if v else BoolSet(frozenset({True, False}))
    if op in ("eq", "ne"):
        if v is not None and not isinstance(v, bool):
            return None
        s = BoolSet(frozenset({v}))
        return s if op == "eq" else ~s
    if op in ("in", "not_in"):
        if not isinstance(v, list) or not all(isinstance(x, bool) for x in v):
            return None
        s = BoolSet(frozenset(v))
        return s if op == "in" else ~s
    return None


# ----- the domain: what each field holds ------------------------------------------------

@dataclass(frozen=True)
class Domain:
    """Field name → type, and the name the state goes by (`state` and the
    blueprint's state field are one value)."""

    types: Mapping[str, str] = field(default_factory=dict)
    state_field: str | None = None

    @classmethod
    def of(cls, bp: Blueprint) -> Domain:
        types = {f.name: f.type for f in bp.fields}
        # built-ins win: a record's values() puts them over declared fields
        types.update(state="picklist", owner="user", tags="multiselect")
        return cls(types, bp.field)

    def name(self, field_name: str) -> str:
        return "state" if field_name == self.state_field else field_name

    def value_set(self, c: Condition) -> ValueSet | None:
        kind = self.types.get(self.name(c.field))
        if kind in NUMERIC:
            return _num_leaf(c.op, c.value)
        if kind in TEXTLIKE:
            return _text_leaf(c.op, c.value)
        if kind == "boolean":
            return _bool_leaf(c.op, c.value)
        return None


# ----- formulas ---------------------------------------------------------------------------

def _freeze(v: Any) -> Any:
    if isinstance(v, list):
        return ("list",) + tuple(_freeze(x) for x in v)
    if isinstance(v, dict):
        return ("map",) + tuple(sorted((str(k), _freeze(x)) for k, x in v.items()))
    if isinstance(v, float) and math.isnan(v):
        return ("nan",)
    return (type(v).__name__, v)


@dataclass(frozen=True)
class _Lit:
    """A literal of a criterion in normal form: a comparison, or its negation."""

    key: tuple[Any, ...]
    cond: Condition
    positive: bool


Conjunct = tuple[_Lit, ...]


class _TooBig(Exception):
    pass


def _dnf(c: Criterion | None, negated: bool, domain: Domain) -> list[Conjunct]:
    """Disjunctive normal form of `c` (or of `not c`): a list of conjunctions."""
    if c is None:
        return [] if negated else [()]
    if isinstance(c, Condition):
        key = (domain.name(c.field), c.op, _freeze(c.value))
        return [(_Lit(key, c, not negated),)]
    if isinstance(c, NotOf):
        return _dnf(c.item, not negated, domain)
    conjunctive = isinstance(c, AllOf) != negated
    parts = [_dnf(item, negated, domain) for item in c.items]
    if not conjunctive:
        out = [t for p in parts for t in p]
        if len(out) > MAX_TERMS:
            raise _TooBig
        return out
    acc: list[Conjunct] = [()]
    for p in parts:
        acc = [a + b for a in acc for b in p]
        if len(acc) > MAX_TERMS:
            raise _TooBig
    return acc


def _impossible_conjunct(term: Conjunct, domain: Domain) -> bool:
    polarity: dict[tuple[Any, ...], bool] = {}
    sets: dict[str, ValueSet] = {}
    for lit in term:
        if polarity.get(lit.key, lit.positive) != lit.positive:
            return True  # a condition and its negation
        polarity[lit.key] = lit.positive
        s = domain.value_set(lit.cond)
        if s is None:
            continue
        if not lit.positive:
            s = ~s
        name = domain.name(lit.cond.field)
        prev = sets.get(name)
        if prev is not None:
            if type(prev) is not type(s):  # pragma: no cover - one field has one type
                continue
            s = prev & s  # type: ignore[operator]
        if s.is_void:
            return True
        sets[name] = s
    return False


def _all_impossible(terms: Sequence[Conjunct], domain: Domain) -> bool:
    return all(_impossible_conjunct(t, domain) for t in terms)


# ----- the questions ---------------------------------------------------------------------

def implies(a: Criterion | None, b: Criterion | None, domain: Domain | None = None) -> bool:
    """Proven: every record that meets `a` meets `b` (None means "always")."""
    domain = domain or Domain()
    if b is None:
        return True
    try:
        left = _dnf(a, False, domain)
        right = _dnf(b, True, domain)
        terms = []
        for x in left:
            for y in right:
                terms.append(x + y)
                if len(terms) > MAX_TERMS:
                    raise _TooBig
    except _TooBig:
        return False
    return _all_impossible(terms, domain)


def impossible(c: Criterion | None, domain: Domain | None = None) -> bool:
    """Proven: no record can ever meet `c`."""
    domain = domain or Domain()
    try:
        return _all_impossible(_dnf(c, False, domain), domain)
    except _TooBig:
        return False


def always(c: Criterion | None, domain: Domain | None = None) -> bool:
    """Proven: every record meets `c`."""
    return implies(None, c, domain)


def equivalent(a: Criterion | None, b: Criterion | None, domain: Domain | None = None) -> bool:
    return implies(a, b, domain) and implies(b, a, domain)


def any_of(items: Sequence[Criterion]) -> Criterion:
    return AnyOf(tuple(items))


def canonical(c: Criterion | None) -> Any:
    """A criterion as plain, hashable data without source positions: two
    criteria written the same way (anywhere in any file) compare equal."""
    if c is None:
        return None
    if isinstance(c, Condition):
        return ("field", c.field, c.op, _freeze(c.value))
    if isinstance(c, NotOf):
        return ("not", canonical(c.item))
    return ("all" if isinstance(c, AllOf) else "any",) + tuple(canonical(i) for i in c.items)

"""'did you mean ...?' for misspelt names, and the fix that goes with it.

Similarity (difflib's ratio) costs time in the product of the two lengths and
is asked for every unknown name against every known one, so it is bounded
twice: long names are compared by their first and last 16 characters (where
a typo differs from the intended name, in practice), and only the 10 known
names sharing the most three-letter pieces with the word are weighed (an index
built once per list of names). A file of thousands of long misspelt names is
checked in time near-linear in its size.
"""

from __future__ import annotations

import difflib
import functools
import heapq
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from blueprint_cli.diagnostics import JsonPath
    from blueprint_cli.language.fixes import Change

#: Characters of each end of a name that take part in the comparison.
EDGE = 16
#: Known names weighed with difflib for one suggestion.
SHORTLIST = 10


def _key(name: str) -> str:
    low = name.lower()
    return low if len(low) <= 2 * EDGE else low[:EDGE] + low[-EDGE:]


def _grams(key: str) -> set[str]:
    padded = f"  {key} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


@functools.lru_cache(maxsize=16)
def _index(choices: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str], dict[str, list[str]]]:
    """(lower → name, key → name, three-letter piece → keys holding it)."""
    by_lower = {c.lower(): c for c in choices}
    by_key: dict[str, str] = {}
    for low, original in by_lower.items():
        by_key.setdefault(_key(low), original)
    postings: dict[str, list[str]] = {}
    for key in by_key:
        for gram in _grams(key):
            postings.setdefault(gram, []).append(key)
    return by_lower, by_key, postings


def close_matches(word: str, choices: Iterable[str]) -> list[str]:
    """The choices close to `word`, best first (at most three); only the one
    that differs in case alone when there is one."""
    by_lower, by_key, postings = _index(tuple(choices))
    if word.lower() in by_lower:
        return [by_lower[word.lower()]]
    key = _key(word)
    shared: dict[str, int] = {}
    for gram in _grams(key):
        for candidate in postings.get(gram, ()):
            shared[candidate] = shared.get(candidate, 0) + 1
    shortlist = heapq.nlargest(SHORTLIST, shared, key=shared.__getitem__)
    return [by_key[m] for m in difflib.get_close_matches(key, shortlist, n=3, cutoff=0.6)]


def closest(word: str, choices: Iterable[str]) -> str | None:
    found = close_matches(word, choices)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    best = closest(word, choices)
    return f"did you mean {best!r}?" if best is not None and best != word else None


def edits(a: str, b: str) -> int:
    """Letters added, dropped, changed or swapped with a neighbour to turn `a`
    into `b`, case ignored (long names compared by their ends, as above)."""
    a, b = _key(a), _key(b)
    previous, current = list(range(len(b) + 1)), [0] * (len(b) + 1)
    before: list[int] = []
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        before, previous = previous, current
    return previous[len(b)]


def is_typo(word: str, meant: str) -> bool:
    """Whether `word` reads as `meant` mistyped — a letter or two off (one in a
    short name) — rather than another word for it: `Negotation` is a typo of
    `Negotiation`; `greater` is not one of `gte`, it is a meaning (`gt` too)."""
    return edits(word, meant) <= max(1, len(meant) // 5)


def respell(path: JsonPath, word: str, choices: Iterable[str], *, key: bool = False) -> Change | None:
    """The fix of a misspelt name at `path` (a value, or with `key=True` a mapping
    key): the closest choice — what `did_you_mean` suggests. Safe when it is the
    only close one and `word` is a typo of it; otherwise choosing is the user's
    call (unsafe): several candidates (`gtee`: `gte` or `gt`), or a word that
    means something the choices say more precisely (`greater`: `gt` or `gte`)."""
    from blueprint_cli.language.fixes import RenameKey, Replace

    found = close_matches(word, choices)
    if not found or found[0] == word:
        return None
    safe = len(found) == 1 and is_typo(word, found[0])
    if key:
        return RenameKey(path, found[0], safe=safe)
    return Replace(path, found[0], safe=safe)

"""'did you mean ...?' for misspelt names.

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


def closest(word: str, choices: Iterable[str]) -> str | None:
    by_lower, by_key, postings = _index(tuple(choices))
    if word.lower() in by_lower:
        return by_lower[word.lower()]
    key = _key(word)
    shared: dict[str, int] = {}
    for gram in _grams(key):
        for candidate in postings.get(gram, ()):
            shared[candidate] = shared.get(candidate, 0) + 1
    shortlist = heapq.nlargest(SHORTLIST, shared, key=shared.__getitem__)
    match = difflib.get_close_matches(key, shortlist, n=1, cutoff=0.6)
    return by_key[match[0]] if match else None


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    best = closest(word, choices)
    return f"did you mean {best!r}?" if best is not None and best != word else None

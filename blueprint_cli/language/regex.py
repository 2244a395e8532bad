"""The one engine for the regular expressions users write: `matches` in
criteria and `--where`, and a field's `pattern`.

They run on RE2 (the `google-re2` package), whose matching time grows linearly
with the text whatever the pattern: `^(a+)+$` on a long value answers at once
instead of backtracking for ever. Its syntax is Python's `re` minus what needs
backtracking — no backreferences (`\\1`, `(?P=name)`), no lookaround (`(?=`,
`(?!`, `(?<=`, `(?<!`), no possessive or atomic groups — with `\\d`, `\\w`, `\\s`
and `\\b` meaning ASCII digits, word characters and spaces (`\\p{L}`, `\\p{Nd}`
match any script), `\\z` for the very end (no `\\Z`), and repetition counts of
at most 1000. A pattern is also refused when its compiled program would
exceed a memory bound (e.g. `(a{1000}){1000}`). Lint (BP308) and `--where`
report each of these with RE2's reason.
"""

from __future__ import annotations

import functools
import re
from typing import Any

#: Memory for one compiled pattern (RE2's own default): bounds nested repetitions.
MAX_MEMORY = 8 << 20
#: RE2 refuses larger counts, except one too large to read, which it takes as
#: the literal text `{99999999999}`: refused here, so it means one thing.
MAX_REPEAT = 1000
_COUNT = re.compile(r"(?<!\\)\{([0-9]+)(?:,([0-9]*))?\}")


class RegexError(ValueError):
    """A pattern RE2 does not take; the message says why."""


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Any:
    """The compiled pattern (cached: a criterion is matched against many records)."""
    import re2  # type: ignore[import-untyped]  # no stubs; used only here

    for m in _COUNT.finditer(pattern):
        for count in m.groups():
            if count and (len(count) > 4 or int(count) > MAX_REPEAT):
                raise RegexError(f"repetition count {count} is more than {MAX_REPEAT}")
    options = re2.Options()
    options.log_errors = False  # else RE2 writes its own line to stderr
    options.max_mem = MAX_MEMORY
    try:
        return re2.compile(pattern, options=options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        raise RegexError(reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)) from None


def check(pattern: object) -> str | None:
    """Why `pattern` is not a usable regular expression, or None."""
    try:
        compile_pattern(str(pattern))
    except RegexError as exc:
        return str(exc)
    return None


def search(pattern: object, text: str) -> bool:
    """Whether `pattern` matches anywhere in `text` (a bad pattern matches nothing:
    lint and `--where` have already said why)."""
    try:
        return compile_pattern(str(pattern)).search(text) is not None
    except RegexError:
        return False

"""A regular expression does not compile.

`matches` in criteria and `pattern` on fields are Python regular expressions
(searched anywhere in the value; anchor with `^...$`).

    when: {field: email, matches: "*@example.com"}   # BP308: nothing to repeat

Escape special characters, e.g. `"@example\\.com$"`.
"""

import re
from collections.abc import Iterator

from blueprint_cli.analysis import criteria_sites
from blueprint_cli.lint.context import LintContext
from blueprint_cli.lint.rules import Finding
from blueprint_cli.model import iter_conditions

CODE = "BP308"
NAME = "bad-regex"
SEVERITY = "error"
NEEDS: tuple[str, ...] = ()


def _error(pattern: object) -> str | None:
    try:
        re.compile(str(pattern))
    except re.error as exc:
        return str(exc)
    return None


def check(ctx: LintContext) -> Iterator[Finding]:
    for fd in ctx.blueprint.fields:
        if fd.pattern is not None and (why := _error(fd.pattern)):
            yield Finding(f"pattern of field {fd.name!r} is not a valid regular expression: {why}",
                          fd.path + ("pattern",))
    for criterion, where in criteria_sites(ctx.blueprint):
        for cond in iter_conditions(criterion):
            if cond.op == "matches" and (why := _error(cond.value)):
                yield Finding(f"`matches` in {where} is not a valid regular expression: {why}",
                              cond.path + ("matches",))

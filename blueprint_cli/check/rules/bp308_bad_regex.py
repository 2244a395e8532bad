"""A regular expression does not compile.

`matches` in criteria and `pattern` on fields are regular expressions, run by
RE2 so that matching takes linear time (searched anywhere in the value; anchor
with `^...$`). The syntax is Python's without what needs backtracking: no
backreferences (`\\1`), no lookaround (`(?=`, `(?!`, `(?<=`), no atomic or
possessive groups; `\\d`, `\\w`, `\\s` are ASCII (use `\\p{Nd}`, `\\p{L}`
for any script), `\\z` ends the text, and a repetition count is at most 1000.

    when: {field: email, matches: "*@example.com"}   # BP308: no argument for repetition operator
    when: {field: code, matches: "^(a)\\1$"}         # BP308: invalid escape sequence (a backreference)

Escape special characters, e.g. `"@example\\.com$"`.
"""

from collections.abc import Iterator

from blueprint_cli.language.analysis import criteria_sites
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import iter_conditions

CODE = "BP308"
NAME = "bad-regex"
SEVERITY = "error"
NEEDS: tuple[str, ...] = ()


def _error(pattern: object) -> str | None:
    from blueprint_cli.language.regex import check

    return check(pattern)


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

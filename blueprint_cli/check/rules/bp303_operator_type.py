"""A criterion uses an operator that does not fit the field's type.

Comparisons (`gt`, `gte`, `lt`, `lte`, `between`) need numbers or dates; text
operators (`contains`, `starts_with`, `ends_with`, `matches`) need text;
picklists take `eq`, `ne`, `in`, `not_in`; multiselect fields and `tags` take
`contains`/`not_contains`; booleans take `eq`/`ne`. `empty` fits every type.

    fields: {reason: {type: picklist, values: [Price, Competitor]}}
    when: {field: reason, gt: Price}      # BP303: `gt` does not fit picklist field 'reason'
"""

from collections.abc import Iterator

from blueprint_cli.language.analysis import criteria_sites
from blueprint_cli.language.fieldtypes import OPERATORS_BY_TYPE
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import iter_conditions

CODE = "BP303"
NAME = "operator-type"
SEVERITY = "error"
NEEDS = ("fields", "field")


def check(ctx: LintContext) -> Iterator[Finding]:
    for criterion, where in criteria_sites(ctx.blueprint):
        for cond in iter_conditions(criterion):
            ftype = ctx.field_type(cond.field)
            if ftype is None:
                continue  # BP302
            allowed = OPERATORS_BY_TYPE.get(ftype, frozenset())
            if cond.op not in allowed:
                yield Finding(
                    f"operator `{cond.op}` does not fit {ftype} field {cond.field!r} in {where}",
                    cond.path + (cond.op,), key=True,
                    hint=f"{ftype} fields take: {', '.join(sorted(allowed))}",
                )

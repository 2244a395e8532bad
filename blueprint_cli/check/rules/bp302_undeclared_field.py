"""A criterion, requirement or `set` action names a field that is not declared.

Fields used in `when`, `require.fields` and `set` must be declared under
`fields` (with their type), so values can be parsed and validated. Criteria may
also use the built-in fields `state`, `owner` and `tags`.

    when: {field: ammount, gte: 1000}     # BP302: field 'ammount' is not declared — did you mean 'amount'?
"""

from collections.abc import Iterator

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.analysis import criteria_sites, requirement_sites, set_actions
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import BUILTIN_FIELDS, iter_conditions
from blueprint_cli.language.suggest import did_you_mean, respell

CODE = "BP302"
NAME = "undeclared-field"
SEVERITY = "error"
NEEDS = ("fields", "field")


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    declared = [f.name for f in bp.fields]

    def finding(name: str, path: JsonPath, where: str, choices: list[str], key: bool = False) -> Finding:
        hint = did_you_mean(name, choices)
        return Finding(f"field {name!r} in {where} is not declared" + (f" — {hint}" if hint else ""), path,
                       hint=None if hint else "declare it under `fields:` with its type", key=key,
                       fix=respell(path, name, choices, key=key))

    criteria_fields = declared + list(BUILTIN_FIELDS) + [bp.field]
    for criterion, where in criteria_sites(bp):
        for cond in iter_conditions(criterion):
            if ctx.field_type(cond.field) is None:
                yield finding(cond.field, cond.path + ("field",), where, criteria_fields)
    for req, _t, where in requirement_sites(bp):
        for j, name in enumerate(req.fields):
            if bp.field_def(name) is None and name != bp.field:  # the state field: BP306
                yield finding(name, req.path + ("fields", j), f"`require` of {where}", declared)
    for action, where in set_actions(bp):
        for name, _value in action.values:
            if bp.field_def(name) is None and name != bp.field:
                # point at the field name (the key), not at the value set
                yield finding(name, action.path + (name,), f"`set` in {where}", declared, key=True)

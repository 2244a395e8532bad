"""The findings of scenario files (SC codes): one module per code, each with
`CODE`, `NAME`, `SEVERITY` and a docstring, the user documentation that
`blueprint lint --explain SCxxx` prints and the docs site shows.

The checks themselves live in `blueprint_cli.scenarios.loader`, which reports
these codes. A scenario file is read like a blueprint, so a problem of the
file or its schema is the blueprint linter's BP1xx finding under the SC
number (BP110 becomes SC110): those rules are derived from their BP modules
here, not written twice. SC102 has a module of its own because it also covers
a blueprint given where a scenario file was expected.
"""

from __future__ import annotations

import importlib
import textwrap
from functools import lru_cache

from blueprint_cli.check.rules import Rule, catalogue as blueprint_rules, rule_of

#: Every SC rule module, in code order. A test checks this list against the folder.
SC_MODULES = (
    "sc102_not_a_scenario_file", "sc120_step_cannot_work", "sc201_duplicate_scenario",
    "sc301_unknown_state", "sc302_unknown_field", "sc303_unknown_transition", "sc304_unknown_user",
    "sc305_unknown_checklist_item", "sc306_invalid_value", "sc307_state_field", "sc308_not_timed",
    "sc310_blueprint_unusable", "sc311_team_unusable",
)

#: The blueprint rules whose findings a scenario file gets too (the loader and the schema stage).
_SHARED_PREFIX = "BP1"


def _from_blueprint_rule(rule: Rule) -> Rule:
    code = "SC" + rule.code[2:]
    summary, _, rest = rule.doc.partition("\n")
    note = textwrap.fill(f"In a scenario file: the check {rule.code} makes on a blueprint, made on the "
                         "scenario file with its own schema (`schemas/scenario.schema.json`).", width=76)
    doc = f"{summary}\n\n{note}\n{rest}"
    return Rule(code=code, name=rule.name, severity=rule.severity, doc=doc.rstrip(), check=None)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Rule]:
    """Every SC rule, by code, in code order."""
    rules = {r.code: r for r in (rule_of(importlib.import_module(f"{__name__}.{m}")) for m in SC_MODULES)}
    for code, rule in blueprint_rules().items():
        if code.startswith(_SHARED_PREFIX):
            rules.setdefault("SC" + code[2:], _from_blueprint_rule(rule))
    return dict(sorted(rules.items()))

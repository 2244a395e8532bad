"""The rule catalogue: one module per rule, each with a fixed contract.

A rule module defines `CODE`, `NAME`, `SEVERITY` and a docstring (the user
documentation printed by `blueprint lint --explain CODE`). Semantic rules also
define `check(ctx)`, yielding `Finding`s, and `NEEDS`: the sections (`SECTIONS`:
`states` is the list of states, `state-details` what each one says; the same
for transitions; `criteria` any criterion) the rule needs whole. When
a file has schema errors, lint cuts the invalid parts out (check/salvage.py) and
skips the rules that need a section that lost something. Rules of the loader
and schema stages (BP1xx) have no `check`: those stages report them directly.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Callable, Iterable

from blueprint_cli.diagnostics import JsonPath, Severity

if TYPE_CHECKING:
    from blueprint_cli.language.fixes import Change
    from blueprint_cli.check.context import LintContext

#: The documentation site; each rule has a page there (`rules/BP301/`, made by docs/hooks/rules.py).
DOCS_URL = "https://blueprint-cli.github.io/blueprint/"

#: The top-level sections a rule can need whole (`NEEDS`).
#: `criteria`: something was cut out of a criterion (see check/salvage.py).
SECTIONS = frozenset({"states", "state-details", "transitions", "transition-details", "fields", "field", "entry",
                      "criteria"})

#: Every rule module, in code order. A test checks this list against the folder.
RULE_MODULES = (
    "bp001_bad_config", "bp002_unused_suppression", "bp003_not_a_blueprint",
    "bp100_invalid_yaml", "bp101_empty_file", "bp102_not_a_mapping", "bp103_forbidden_tag",
    "bp104_too_large", "bp105_duplicate_key", "bp110_unknown_key", "bp111_wrong_type",
    "bp112_missing_key", "bp113_invalid_value", "bp114_out_of_range", "bp119_schema",
    "bp201_duplicate_state", "bp202_duplicate_transition", "bp203_unreachable_state",
    "bp204_dead_end_state", "bp205_final_state_exit", "bp206_no_final_reachable",
    "bp207_target_shape", "bp208_branch_else",
    "bp210_shadowed_branch", "bp211_duplicate_route", "bp212_no_way_to_final", "bp213_impossible_criteria",
    "bp301_unknown_state", "bp302_undeclared_field", "bp303_operator_type", "bp304_value_not_allowed",
    "bp305_unknown_owner", "bp306_state_field_changed", "bp307_value_type", "bp308_bad_regex",
    "bp309_template_field", "bp310_header_text", "bp311_webhook_url",
    "bp401_duration", "bp402_auto_needs_input", "bp403_sla_on_final_state",
)


@dataclass(frozen=True)
class Finding:
    """What a rule reports: the message and the JSON path of the node at fault."""

    message: str
    path: JsonPath
    hint: str | None = None
    #: point at the mapping key rather than its value
    key: bool = False
    #: what the fix changes, when there is one (turned into text edits by blueprint_cli.language.fixes)
    fix: Change | None = None


@dataclass(frozen=True)
class Rule:
    """A lint rule, read from its module: code, name, severity, what it checks and its documentation."""

    code: str
    name: str
    severity: Severity
    doc: str
    check: Callable[[LintContext], Iterable[Finding]] | None
    #: sections that must be whole for `check` to be right (see the module docstring)
    needs: frozenset[str] = SECTIONS

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URL}rules/{self.code}/"


def rule_of(module: ModuleType) -> Rule:
    """The rule a rule module defines (its CODE, NAME, SEVERITY and docstring, and `check` if any)."""
    return Rule(
        code=module.CODE,
        name=module.NAME,
        severity=Severity(module.SEVERITY),
        doc=(module.__doc__ or "").strip(),
        check=getattr(module, "check", None),
        needs=frozenset(getattr(module, "NEEDS", SECTIONS)),
    )


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Rule]:
    rules = (rule_of(importlib.import_module(f"{__name__}.{m}")) for m in RULE_MODULES)
    return {r.code: r for r in rules}

"""The rules reference, generated from the rule modules.

Every rule — the blueprint rules in `blueprint_cli/check/rules/` and the
scenario-file rules in `blueprint_cli/scenarios/rules/` — gets a page in
`docs/rules/` (`BP301.md`, …) made from its code, name, severity and docstring (the
text `blueprint lint --explain CODE` prints), and `docs/rules/index.md` gets
the tables of every rule between its `<!-- rules: BP -->` / `<!-- rules: SC -->`
markers (`docs/hooks/generate.py` writes them). Nothing about a rule is written
twice: a new rule module gets its page by being in the catalogue.
"""

from __future__ import annotations

import re
import textwrap

from blueprint_cli.check.rules import Rule, catalogue as blueprint_rules
from blueprint_cli.scenarios.rules import catalogue as scenario_rules


_GROUPS = {
    "BP0": "The run itself", "BP1": "Reading and the schema", "BP2": "The graph of states",
    "BP3": "References and values",
    "BP4": "Time", "SC1": "Reading and the schema", "SC2": "Scenarios", "SC3": "Names the scenarios use",
}


def rules() -> dict[str, Rule]:
    """Every rule with a page, by code: the blueprint rules, then the scenario-file rules."""
    return {**blueprint_rules(), **scenario_rules()}


def page_path(code: str) -> str:
    return f"rules/{code}.md"


def _blocks(text: str) -> list[str]:
    """The docstring's paragraphs; a block indented by four spaces is an example
    (YAML, or what lint prints)."""
    out: list[str] = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        if lines and all(line.startswith("    ") or not line.strip() for line in lines):
            example = textwrap.dedent(block).strip("\n")
            # what lint prints (`file:line:col: …`) is text; anything else is YAML
            kind = "text" if re.match(r"\S+:[0-9]+:[0-9]+: ", example) else "yaml"
            out.append(f"```{kind}\n{example}\n```")
        else:
            out.append(block.strip("\n"))
    return [b for b in out if b]


def page(rule: Rule) -> str:
    """The Markdown page of one rule."""
    summary, _, rest = rule.doc.partition("\n")
    blocks = _blocks(rest)
    prose = [b for b in blocks if not b.startswith("```")]
    examples = [b for b in blocks if b.startswith("```")]
    kind = "blueprint files" if rule.code.startswith("BP") else "scenario files"
    parts = [
        f"# {rule.code} {rule.name}",
        f"**{rule.severity.value}** in {kind} · `blueprint lint --explain {rule.code}` prints this page",
        summary.strip(),
    ]
    if prose:
        parts += ["## What it checks", *prose]
    if examples:
        parts += ["## Example", *examples]
    parts.append("[All rules](index.md)")
    return "\n\n".join(parts) + "\n"


def table(prefix: str) -> str:
    """The index tables of every rule whose code starts with `prefix`, by group."""
    out: list[str] = []
    group = None
    for code, rule in rules().items():
        if not code.startswith(prefix):
            continue
        if code[:3] != group:
            group = code[:3]
            out += ["", f"### {_GROUPS.get(group, group + 'xx')}", "",
                    "| code | name | severity | what it catches |", "|---|---|---|---|"]
        summary = rule.summary.replace("|", "\\|")
        out.append(f"| [{code}]({code}.md) | {rule.name} | {rule.severity.value} | {summary} |")
    return "\n".join(out).strip("\n") + "\n"

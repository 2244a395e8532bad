"""MkDocs hook: the rules reference, generated from the rule modules.

Every rule — the blueprint rules in `blueprint_cli/check/rules/` and the
scenario-file rules in `blueprint_cli/scenarios/rules/` — gets a page
`rules/CODE.md` made from its code, name, severity and docstring (the text
`blueprint lint --explain CODE` prints), and `rules/index.md` gets the tables
of every rule in place of its `<!-- rules: BP -->` / `<!-- rules: SC -->`
markers. Nothing about a rule is written twice: a new rule module gets its page
by being in the catalogue.
"""

from __future__ import annotations

import textwrap
from typing import Any

from mkdocs.structure.files import File, Files, InclusionLevel

from blueprint_cli.check.rules import Rule, catalogue as blueprint_rules
from blueprint_cli.scenarios.rules import catalogue as scenario_rules

INDEX = "rules/index.md"
MARKERS = {"<!-- rules: BP -->": "BP", "<!-- rules: SC -->": "SC"}

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
    """The docstring's paragraphs; a block indented by four spaces is a YAML example."""
    out: list[str] = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        if lines and all(line.startswith("    ") or not line.strip() for line in lines):
            out.append("```yaml\n" + textwrap.dedent(block).strip("\n") + "\n```")
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


def on_files(files: Files, config: Any, **_: Any) -> Files:
    for code, rule in rules().items():
        files.append(File.generated(config, page_path(code), content=page(rule),
                                    inclusion=InclusionLevel.NOT_IN_NAV))
    return files


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if page.file.src_uri != INDEX:
        return markdown
    for marker, prefix in MARKERS.items():
        if marker not in markdown:
            raise ValueError(f"{INDEX} has lost its marker {marker}: the rules tables go there")
        markdown = markdown.replace(marker, table(prefix))
    return markdown

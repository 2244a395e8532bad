"""A template names an unknown field or variable.

Action texts may use `{{record.FIELD}}` (a declared field, or `id`, `state`,
`owner`, `tags`, the state field), `{{user}}` (who performed the transition)
and `{{now}}`. Anything else would be left unreplaced in the e-mail or task.

    email: {to: record_owner, subject: "{{record.nmae}} is stuck"}   # BP309 — did you mean 'name'?

A `{{` that no `}}` closes is a template left open: it would be sent as
written, braces and all.

    email: {to: record_owner, subject: "{{record.name is stuck"}     # BP309: not closed
"""

import re
from collections.abc import Iterator
from typing import Any

from blueprint_cli.language.analysis import action_sites
from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import BUILTIN_FIELDS
from blueprint_cli.language.suggest import did_you_mean

CODE = "BP309"
NAME = "template-field"
SEVERITY = "error"
NEEDS = ("fields", "field")

TEMPLATE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
VARIABLES = ("user", "now")


def _texts(value: Any, path: JsonPath) -> Iterator[tuple[str, JsonPath]]:
    if isinstance(value, str):
        yield value, path
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(v, path + (k,))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _texts(v, path + (i,))


def _yaml_path(action: Any, path: JsonPath) -> JsonPath:
    """The YAML path of a text inside an action, from its path in the dataclass
    (`set` values and webhook headers are stored as (name, value) pairs)."""
    if len(path) >= 3 and path[0] == "values":  # set: {field: value}
        return (action.values[path[1]][0],) + path[3:]
    if len(path) >= 3 and path[0] == "headers":
        return ("headers", action.headers[path[1]][0]) + path[3:]
    return path


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    fields = [f.name for f in bp.fields] + list(BUILTIN_FIELDS) + ["id", "module", bp.field]
    for action, where in action_sites(bp):
        data = {k: v for k, v in vars(action).items() if k not in ("path", "kind")}
        for text, path in _texts(data, ()):
            if "{{" not in text:
                continue  # no template, and nothing that opens one
            start = TEMPLATE.sub(lambda m: " " * len(m[0]), text).find("{{")  # outside every template
            if start >= 0:
                shown = text[start:start + 40] + ("…" if len(text) > start + 40 else "")
                yield Finding(f"template {shown!r} in {where} is not closed: it would be sent as written",
                              action.path + _yaml_path(action, path), hint="close it with }}, as in {{record.name}}")
            for m in TEMPLATE.finditer(text):
                name = m[1]
                if name in VARIABLES:
                    continue
                if name.startswith("record."):
                    fname = name[len("record."):]
                    if fname in fields:
                        continue
                    hint = did_you_mean(fname, fields)
                    msg = f"template {m[0]!r} in {where} names an undeclared field {fname!r}"
                else:
                    hint = did_you_mean(name, [f"record.{f}" for f in fields] + list(VARIABLES))
                    msg = f"unknown template variable {m[0]!r} in {where}"
                yield Finding(msg + (f" — {hint}" if hint else ""), action.path + _yaml_path(action, path),
                              hint=None if hint else "use {{record.FIELD}}, {{user}} or {{now}}")

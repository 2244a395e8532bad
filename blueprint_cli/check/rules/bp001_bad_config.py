"""The lint configuration has a problem.

Reported in the configuration file itself (`pyproject.toml`'s
`[tool.blueprint.lint]`, `.blueprint.toml` or `blueprint.toml`), at the line
of the offending key or value: TOML that does not parse, an unknown key, a
code that names no rule, a severity that is not `error`, `warning` or `info`.
The rest of the configuration still applies.

    [tool.blueprint.lint]
    selct = ["BP2"]          # BP001: unknown key 'selct' — did you mean 'select'?
    ignore = ["BP2O3"]       # BP001: no rule matches 'BP2O3' — did you mean 'BP203'?

This finding cannot be ignored or suppressed: the configuration it is about
is what ignores things.
"""

CODE = "BP001"
NAME = "bad-config"
SEVERITY = "error"
# Reported when the configuration is read (lint/config.py), not by a `check` of its own.

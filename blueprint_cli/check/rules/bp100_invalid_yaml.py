"""The file is not valid YAML (or cannot be read as UTF-8 text).

The YAML parser stopped at the reported line and column. Common causes: a
tab used for indentation, a missing `:` after a key, an unclosed `[` or `{`,
or several documents (`---`) in one file — a blueprint file holds exactly one.

    states:
      - name: Qualification
       final: true        # BP100: indentation does not line up

Fix the YAML at the position shown; `blueprint lint` then runs the schema and
semantic checks.
"""

CODE = "BP100"
NAME = "invalid-yaml"
SEVERITY = "error"
# Reported by the loader stage, not by a `check` of its own.

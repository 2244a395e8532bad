"""Any other violation of the blueprint JSON Schema.

Reported when the data does not fit the schema in a way not covered by
BP110–BP114, for example a criterion that mixes `all` with a condition, or a
branch that has neither `when`+`to` nor `else`. The message says what the
schema expected; `blueprint schema` prints the whole schema.
"""

CODE = "BP119"
NAME = "schema"
SEVERITY = "error"
# Reported by the schema check stage, not by a `check` of its own.

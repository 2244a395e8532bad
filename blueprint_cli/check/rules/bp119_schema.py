"""Any other violation of the blueprint JSON Schema.

Reported when the data does not fit the schema in a way not covered by
BP110–BP114, for example a criterion that mixes `all` with a condition, a
condition with no operator or with two, or an `else` branch that also has
`when` or `to`. The message says what the schema expected; `blueprint schema`
prints the whole schema.

    when: {all: [{field: amount, gt: 0}], field: amount}   # BP119: `all` stands alone
    when: {field: amount, gt: 0, lt: 100}                  # BP119: one operator per condition;
                                                           #   use {all: [...]} for two
    branches:
      - {else: Negotiation, to: Legal Review}               # BP119: `else` holds only the state
"""

CODE = "BP119"
NAME = "schema"
SEVERITY = "error"
# Reported by the schema check stage, not by a `check` of its own.

"""A required key is missing.

Some keys are required: `blueprint`, `module`, `field`, `states` and
`transitions` at the top level, `name` on states and transitions, `from` on
transitions, `type` on fields, `values` on picklist and multiselect fields,
`within` and `escalate` on SLAs.

    fields:
      reason: {type: picklist}   # BP112: missing required key 'values'
"""

CODE = "BP112"
NAME = "missing-key"
SEVERITY = "error"
# Reported by the schema check stage, not by a `check` of its own.

"""A value is not one of the allowed ones or has the wrong form.

Covers enumerations (field types, webhook methods), patterns (blueprint
ids, owner entries, durations, field names) and other formats.

    fields:
      amount: {type: money}      # BP113: 'money' is not one of text, ..., currency, ...
    owners: [sales_rep]          # BP113: write role:sales_rep
    sla: {within: 3 days}        # BP113: write 3d
"""

CODE = "BP113"
NAME = "invalid-value"
SEVERITY = "error"
# Reported by the schema check stage, not by a `check` of its own.

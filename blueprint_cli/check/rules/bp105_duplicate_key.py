"""The same key appears twice in one mapping.

YAML silently keeps only one of two equal keys, so one of your edits would be
lost without a word. We report the second occurrence.

    - name: Negotiate
      to: Negotiation
      to: Closed Won        # BP105

Remove or rename one of them.
"""

CODE = "BP105"
NAME = "duplicate-key"
SEVERITY = "error"
# Reported by the loader stage, not by a `check` of its own.

"""A key the language does not know.

Unknown keys are errors: a misspelt key would otherwise be
ignored silently. The message suggests the closest known key.

    transitions:
      - name: Negotiate
        form: Qualification     # BP110: unknown key 'form' — did you mean 'from'?

Use one of the allowed keys listed in the message, or `blueprint schema` for
the whole language.
"""

CODE = "BP110"
NAME = "unknown-key"
SEVERITY = "error"
# Reported by the schema check stage, not by a `check` of its own.

"""A value has the wrong type (text where a list is expected, ...).

Each key expects a certain kind of value: text, a number, true/false, a list
or a mapping.

    states: Qualification        # BP111: states must be a list, not text
    final: "yes"                 # BP111: must be true or false

Names that look like numbers or booleans can be quoted to make them text.
"""

CODE = "BP111"
NAME = "wrong-type"
SEVERITY = "error"
# Reported by the schema check stage, not by a `check` of its own.

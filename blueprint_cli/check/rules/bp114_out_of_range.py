"""A number, list or text is too small or too large.

For example a list that must not be empty (`states: []`), a parallel
transition with fewer than two parts, a negative length, or duplicate owners
in one list.

    states: []                                 # BP114: a blueprint needs at least one state
    owners: ["role:legal", "role:legal"]       # BP114: the same owner twice
    fields:
      name: {type: text, min_length: -1}       # BP114: a length is 0 or more
"""

CODE = "BP114"
NAME = "out-of-range"
SEVERITY = "error"
# Reported by the schema check stage, not by a `check` of its own.

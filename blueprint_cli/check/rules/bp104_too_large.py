"""The document is too large, too deep, or an alias bomb.

Aliases (`*name`) are expanded when the file is read. A document that
expands to more than 200,000 nodes (the "billion laughs" attack), nests
deeper than 200 levels, refers to itself, or is larger than 10 MiB is refused
quickly and with bounded memory.

    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]   # ... and so on: 9 ** 9 values
    states: &s [*s]                              # BP104: refers to itself

Write the repeated values out, or use fewer aliases.

Only real nesting counts: `- - - -` or `[[[[` written inside a quoted
string, a block scalar (`|`, `>`), a comment or a plain value is text,
however long the run.
"""

CODE = "BP104"
NAME = "too-large"
SEVERITY = "error"
# Reported by the loader stage, not by a `check` of its own.

"""A suppression comment suppresses nothing, or is written wrong.

`# blueprint: disable=CODE` at the end of a line suppresses those findings on
that line, alone on a line it suppresses them on the next line, and
`# blueprint: disable-file=CODE` anywhere suppresses them in the whole file.
A suppression left behind after the problem was fixed would hide the next one,
so an unused one is reported — as is an unknown code or directive.

    states:
      - name: Archived        # blueprint: disable=BP203 -- kept for old records
      - name: Won             # blueprint: disable=BP203
    # BP002 on the second line: unused suppression: no BP203 finding on line 3
      - name: Lost            # blueprint: disable=BP2O3
    # BP002: unknown rule code 'BP2O3' in a suppression — did you mean 'BP203'?
      - name: Open            # blueprint: disable BP203
    # BP002: misspelt suppression: it suppresses nothing (also `# blueprint
    # disable=…` and `# blueprint: disable: …`)

Only a YAML comment is a suppression: the same words inside a value — a quoted
string, or a `|` or `>` block such as an e-mail body — are text, and suppress
nothing.

A code the run did not check in the file (not selected, or its rule could not
run because of schema errors) is not reported as unused. Remove the code (or
the comment); to keep a suppression anyway, ignore BP002 for that file.
"""

CODE = "BP002"
NAME = "unused-suppression"
SEVERITY = "warning"
# Reported when suppressions are applied (lint/suppressions.py), not by a `check` of its own.

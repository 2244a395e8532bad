"""Two scenarios in one file have the same name.

Results, `-k` and JUnit reports name scenarios by their `name`, so each
scenario in a file needs its own. The finding names the line of the first one.

    scenarios:
      - name: A deal is won
        steps: [...]
      - name: A deal is won      # SC201: a scenario named 'A deal is won' is already on line 2
        steps: [...]
"""

CODE = "SC201"
NAME = "duplicate-scenario"
SEVERITY = "error"

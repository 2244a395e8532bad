"""A step ticks a checklist item the transition does not have.

Each item in a move's `check` must be on the checklist of the transition (or
of the parallel part) it performs, compared without regard to case.

    - as: alice
      move: Negotiate
      check: [Budget confirmd]   # SC305: 'Budget confirmd' is not on the checklist of 'Negotiate' — did you mean 'Budget confirmed'?
"""

CODE = "SC305"
NAME = "unknown-checklist-item"
SEVERITY = "error"

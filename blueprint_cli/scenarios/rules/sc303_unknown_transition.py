"""A scenario names a transition or parallel part the blueprint does not have.

A step's `move` must be a transition or a part of a parallel transition
(compared without regard to case); `part` must be a part of the moved
transition; `expect: {allowed: ...}` and `expect: {waiting: ...}` list
transitions and parts that exist.

    - as: bob
      move: Decide discont       # SC303: no transition 'Decide discont' in deal-follow-up — did you mean 'Decide discount'?
"""

CODE = "SC303"
NAME = "unknown-transition"
SEVERITY = "error"

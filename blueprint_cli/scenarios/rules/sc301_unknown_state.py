"""A scenario names a state the blueprint under test does not have.

The record's starting `state` and every `expect: {state: ...}` must be a
state of the blueprint. Names are compared as written, with a "did you mean".

    record:
      state: Negociation         # SC301: unknown state 'Negociation' — did you mean 'Negotiation'?
"""

CODE = "SC301"
NAME = "unknown-state"
SEVERITY = "error"

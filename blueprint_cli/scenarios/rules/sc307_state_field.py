"""A scenario sets the state field, which only transitions change.

The blueprint's state field (its `field`, e.g. `stage`) and `state` cannot be
given in the record's `fields`, `set` or `edit`: start the record in a state
with `record: {state: ...}`, move it with a transition, and check where it is
with `expect: {state: ...}`.

    record:
      fields: {stage: Negotiation}   # SC307: 'stage' is the state field: only transitions change it
"""

CODE = "SC307"
NAME = "state-field"
SEVERITY = "error"

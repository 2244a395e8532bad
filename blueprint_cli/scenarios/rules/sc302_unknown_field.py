"""A scenario names a field the blueprint under test does not declare.

Field names in the record's `fields`, a move's `set`, an `edit` and
`expect: {fields: ...}` must be declared under the blueprint's `fields`
(`owner` may also be set and expected).

    record:
      fields: {name: Globex, amout: 12000}   # SC302: unknown field 'amout' in the record — did you mean 'amount'?
"""

CODE = "SC302"
NAME = "unknown-field"
SEVERITY = "error"

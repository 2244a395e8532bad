"""A value that does not parse as its field's type.

Values in the record's `fields`, `set`, `edit` and `expect: {fields: ...}`
are read as the field's type, as `blueprint record set` reads them, so a
typo is a finding rather than a scenario that fails for the wrong reason.

    record:
      fields: {amount: lots}     # SC306: amount: 'lots' is not a valid currency: ...
"""

CODE = "SC306"
NAME = "invalid-value"
SEVERITY = "error"

"""The blueprint language: reading YAML with positions (`loader`), the JSON
Schema (`schema`), the model it builds (`model`), field types, criteria and
their implication, durations, business calendars, the team file, the `--where`
language, and the edits a fix makes (`fixes`). Pure: no store, no clock."""

"""A step or value the schema allows but that cannot work.

A step does one thing — `move`, `edit` or `wait` — or only checks the record
with `expect`. Two actions in one step, an empty step, `set`, `check`, `note`
or `attach` outside a `move`, `refused` on a step that is not a move, a
`wait` that is not a duration, a `now` that is not an ISO 8601 time, or an
expected action of an unknown kind are findings before anything runs.

    steps:
      - as: alice
        move: Negotiate
        edit: {amount: 1200}     # SC120: a step does one thing, but this one has move and edit
"""

CODE = "SC120"
NAME = "step-cannot-work"
SEVERITY = "error"

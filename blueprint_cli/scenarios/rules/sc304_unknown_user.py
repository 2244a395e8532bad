"""A scenario names a user the team does not have.

Checked when the scenario file gives a `team` (inline, or a team file): the
record's `owner`, each step's `as` and `expect: {owner: ...}` must be users
of it. Without a team, any name is accepted.

    team:
      users:
        alice: {roles: [sales_rep]}
    scenarios:
      - name: A deal is won
        record: {owner: alcie}   # SC304: unknown user 'alcie' — did you mean 'alice'?
"""

CODE = "SC304"
NAME = "unknown-user"
SEVERITY = "error"

"""A `wait` step expects what time never does.

After a `wait`, `expect: {moved: [...]}` and `{skipped: [...]}` name
automatic transitions (with `auto: {after: ...}`), and `{escalated: [...]}`
names states with an SLA, and levels the SLA has (0 is `within`, 1 the first
of `levels`). A transition nobody performs automatically, or a state without
an SLA, could never pass the check.

    - wait: 3d
      expect:
        moved: [Negotiate]        # SC308: 'Negotiate' is not automatic (it has no `auto: {after: ...}`)
        escalated: [{state: Open, level: 2}]   # SC308: the SLA of 'Open' has levels 0 to 1, not 2
"""

CODE = "SC308"
NAME = "not-timed"
SEVERITY = "error"

"""The top level is a list or a single value, not a mapping.

A blueprint is a mapping of keys (`blueprint`, `module`, `field`, `states`,
`transitions`, ...). A file that starts with `- ...` is a list:

    - name: Qualification      # BP102: a list at the top level

Move the content under the right key instead.
"""

CODE = "BP102"
NAME = "not-a-mapping"
SEVERITY = "error"
# Reported by the loader stage, not by a `check` of its own.

"""The file holds no YAML document.

An empty file (or one with only comments) is not a blueprint. Write at least:

    blueprint: my-process
    module: Deals
    field: stage
    states: [{name: Open}, {name: Done, final: true}]
    transitions: [{name: Finish, from: Open, to: Done}]
"""

CODE = "BP101"
NAME = "empty-file"
SEVERITY = "error"
# Reported by the loader stage, not by a `check` of its own.

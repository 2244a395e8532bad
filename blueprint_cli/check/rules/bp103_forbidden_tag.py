"""A YAML tag that could build objects is used.

Blueprints are plain data. Tags such as `!!python/object:...` or `!custom`
are refused and never constructed or run. Only plain strings, numbers,
booleans, null, lists and mappings are allowed.

    name: !!python/object/apply:os.system ["rm -rf /"]   # BP103

Remove the tag.
"""

CODE = "BP103"
NAME = "forbidden-tag"
SEVERITY = "error"
# Reported by the loader stage, not by a `check` of its own.

"""A file named on the command line is not a blueprint.

A blueprint has at least one of the top-level keys `blueprint`, `states` and
`transitions`. A file with none of them (a docker-compose.yml, a CI workflow)
is not reported key by key as a broken blueprint: this one finding says so.
Files that are something else the tool knows are linted as what they are: a
scenario file with its scenario checks (SC codes, as `blueprint test --lint`),
a team file against the team schema.

`blueprint lint docker-compose.yml` says:

    docker-compose.yml:1:1: error BP003 this is not a blueprint: it has none of the top-level keys ...

In folders, and with `--blueprints-only` (as the pre-commit hook runs), files
that are not blueprints are skipped without a word.
"""

CODE = "BP003"
NAME = "not-a-blueprint"
SEVERITY = "error"
# Reported by the lint run when it tells what a file is (lint/kinds.py), not by a `check` of its own.

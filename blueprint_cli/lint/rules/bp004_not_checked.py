"""A workspace settings file was named, and it is not checked.

A workspace's `config.yaml` (recognised by its name inside `.blueprint/`, or
by keys such as `format`, `outbox`, `smtp`, `calendar`) has no schema shipped
to be checked against yet: instead of reporting each of its keys as a
blueprint error, this note says what the file is.

    $ blueprint lint .blueprint/config.yaml
    .blueprint/config.yaml:2:1: info BP004 this is a workspace settings file (config.yaml), not a blueprint: not checked

An info finding never fails the run, not even with `--strict`.
"""

CODE = "BP004"
NAME = "not-checked"
SEVERITY = "info"
# Reported by the lint run when it tells what a file is (lint/kinds.py), not by a `check` of its own.

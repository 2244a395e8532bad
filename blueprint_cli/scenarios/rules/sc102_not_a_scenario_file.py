"""The file is not a scenario file: a blueprint, a list or a single value.

A scenario file is a mapping with a `scenarios` list. Two mistakes end here:
the top level is a list or a single value (as BP102 for a blueprint), or the
file is the blueprint itself — `blueprint test deal.yaml` instead of
`blueprint test deal.scenarios.yaml`. For a blueprint the finding says where
its scenarios go: in `NAME.scenarios.yaml`, next to it.

    # deal-follow-up.scenarios.yaml
    - name: A deal is won        # SC102: the top level must be a mapping with `scenarios:`
"""

CODE = "SC102"
NAME = "not-a-scenario-file"
SEVERITY = "error"

"""The blueprint under test cannot be found, or has errors.

`deal.scenarios.yaml` tests `deal.yaml` next to it, unless it says
`blueprint: path/to/it.yaml` (relative to the scenario file). When that file
does not exist, or has lint errors, the scenarios cannot run; the
blueprint's own findings are listed too, with their BP codes.

    blueprint: ../blueprints/deal.yaml   # SC310: no blueprint file ../blueprints/deal.yaml
"""

CODE = "SC310"
NAME = "blueprint-unusable"
SEVERITY = "error"

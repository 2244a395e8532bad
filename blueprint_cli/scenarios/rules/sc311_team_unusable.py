"""The team file cannot be found or read.

`team:` is either the users inline or the path of a team file (relative to
the scenario file), in the workspace's `team.yaml` format. A path that does
not exist, or a file that is not a valid team, stops the file from running.

    team: ../team.yml           # SC311: no team file at ../team.yml
"""

CODE = "SC311"
NAME = "team-unusable"
SEVERITY = "error"

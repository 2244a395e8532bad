"""What a YAML file is: a blueprint, a scenario file, a team file, a workspace
settings file, or something else (a CI workflow, a docker-compose.yml).

`blueprint lint` lints each file as what it is. In folders (and with
`--blueprints-only`, as the pre-commit hook runs) only blueprints are linted:
a mapping is taken for a blueprint when it has a top-level `blueprint`,
`states` or `transitions` key (so a blueprint whose `blueprint:` line is
misspelt is still reported, and a docker-compose.yml is not). A file that is
not valid YAML, or not a mapping, cannot tell: it is reported, as it could be
a broken blueprint.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

Kind = Literal["blueprint", "scenarios", "team", "settings", "other"]

#: Scenario files (`blueprint test`), by name.
SCENARIO_SUFFIXES = (".scenarios.yaml", ".scenarios.yml", ".scenario.yaml", ".scenario.yml")
BLUEPRINT_KEYS = frozenset({"blueprint", "states", "transitions"})
TEAM_NAMES = ("team.yaml", "team.yml")
TEAM_KEYS = frozenset({"users", "roles", "profiles"})
SETTINGS_NAMES = ("config.yaml", "config.yml")


@functools.lru_cache(maxsize=1)
def settings_keys() -> frozenset[str]:
    """The top-level keys of a settings file: those of its schema (the one list)."""
    from blueprint_cli.language.schema import schema

    return frozenset(schema("config.schema.json")["properties"])

#: What each kind is called in messages.
DESCRIPTION = {
    "scenarios": "a scenario file (`blueprint test`)",
    "team": "a team file (users, roles and profiles)",
    "settings": "a workspace settings file (config.yaml)",
    "other": "not a blueprint",
}


def kind_of(name: str, data: Any, folder: str = "") -> Kind:
    """The kind of a parsed YAML file named `name` in `folder` (its last part)."""
    if name.endswith(SCENARIO_SUFFIXES):
        return "scenarios"
    if not isinstance(data, dict):
        # empty or broken: the name tells a workspace's settings files, else report
        # it as the blueprint it may be meant to be
        if name in TEAM_NAMES:
            return "team"
        if name in SETTINGS_NAMES and folder == ".blueprint":
            return "settings"
        return "blueprint"
    keys = set(data)
    if "scenarios" in keys:
        return "scenarios"
    if keys & BLUEPRINT_KEYS:
        return "blueprint"
    # a file named team.yaml is one whatever its keys (a misspelt `user:` is a did-you-mean, not "not a blueprint")
    if name in TEAM_NAMES or ("users" in keys and keys <= TEAM_KEYS):
        return "team"
    if (name in SETTINGS_NAMES and (folder == ".blueprint" or keys <= settings_keys())) or \
            ("format" in keys and keys <= settings_keys()):
        return "settings"
    return "other"

"""What a semantic rule gets to look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blueprint_cli.fieldtypes import BUILTIN_TYPES
from blueprint_cli.loader import Document
from blueprint_cli.model import Blueprint, FieldDef


@dataclass(frozen=True)
class TeamNames:
    """The names a team file declares, for checking owners (rule BP305)."""

    users: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    profiles: frozenset[str] = frozenset()
    source: str = ""

    @classmethod
    def from_data(cls, data: Any, source: str = "") -> TeamNames:
        users = (data or {}).get("users") or {}
        roles: set[str] = set()
        profiles: set[str] = set()
        for info in users.values():
            info = info or {}
            roles.update(str(r) for r in info.get("roles") or ())
            if info.get("profile"):
                profiles.add(str(info["profile"]))
        roles.update(str(r) for r in (data or {}).get("roles") or ())
        profiles.update(str(p) for p in (data or {}).get("profiles") or ())
        return cls(frozenset(map(str, users)), frozenset(roles), frozenset(profiles), source)


@dataclass
class LintContext:
    blueprint: Blueprint
    document: Document
    team: TeamNames | None = None
    _types: dict[str, FieldDef] = field(default_factory=dict)

    def field_type(self, name: str) -> str | None:
        """Type of a declared or built-in field; None if undeclared."""
        fd = self.blueprint.field_def(name)
        if fd is not None:
            return fd.type
        if name == self.blueprint.field:
            return "picklist"  # the state field holds one of the states
        return BUILTIN_TYPES.get(name)

    def field_values(self, name: str) -> tuple[str, ...] | None:
        """Allowed values of a picklist-like field (states for the state field)."""
        fd = self.blueprint.field_def(name)
        if fd is not None:
            return fd.values
        if name in ("state", self.blueprint.field):
            return self.blueprint.state_names
        return None

"""What a semantic rule gets to look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from blueprint_cli.language.fieldtypes import BUILTIN_TYPES
from blueprint_cli.language.loader import Document
from blueprint_cli.language.model import Blueprint, FieldDef

if TYPE_CHECKING:
    from blueprint_cli.language.team import Team


@dataclass
class LintContext:
    """What a semantic rule gets to look at: the model, the document (for positions) and the team."""

    blueprint: Blueprint
    document: Document
    #: the team file's people, for checking owners (rule BP305); None: not checked
    team: Team | None = None
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

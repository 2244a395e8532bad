"""Who: an owner entry (`record_owner`, `anyone`, `user:NAME`, `role:NAME`,
`profile:NAME`) as transitions, tasks, e-mails and assignments write it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from blueprint_cli.diagnostics import JsonPath

OWNER_KINDS = ("record_owner", "anyone", "user", "role", "profile")


@dataclass(frozen=True)
class Owner:
    """Who may perform a transition: `record_owner`, `anyone`, or a user, role or profile by name."""

    kind: Literal["record_owner", "anyone", "user", "role", "profile"]
    name: str | None = None
    path: JsonPath = ()

    @classmethod
    def parse(cls, text: str, path: JsonPath = ()) -> Owner:
        if text in ("record_owner", "anyone"):
            return cls(text, None, path)  # type: ignore[arg-type]
        kind, _, name = text.partition(":")
        if kind in ("user", "role", "profile") and name:
            return cls(kind, name, path)  # type: ignore[arg-type]
        raise ValueError(f"{text!r} is not an owner; write record_owner, anyone, user:NAME, role:NAME or profile:NAME")

    def __str__(self) -> str:
        return self.kind if self.name is None else f"{self.kind}:{self.name}"


ANYONE = (Owner("anyone"),)

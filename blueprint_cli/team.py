"""The workspace's team file (SPEC §4): users, their roles, profile and e-mail.

Owners in a blueprint (`role:sales_manager`, `profile:admin`, `user:bob`) are
resolved against it. A user who is not in the file may still act, but has no
roles and no profile, so only `anyone` and `record_owner` rules can let them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprint_cli.diagnostics import BlueprintError

TEAM_HINT = "a team file maps `users:` to {roles: [...], profile: ..., email: ...}"


@dataclass(frozen=True)
class User:
    name: str
    roles: tuple[str, ...] = ()
    profile: str | None = None
    email: str | None = None
    #: False for a name the team file does not list
    known: bool = True

    def describe(self) -> str:
        if not self.known:
            return f"{self.name} (not in the team file)"
        bits = [f"roles: {', '.join(self.roles)}" if self.roles else "no roles"]
        if self.profile:
            bits.append(f"profile: {self.profile}")
        return f"{self.name} ({'; '.join(bits)})"


@dataclass(frozen=True)
class Team:
    users: dict[str, User] = field(default_factory=dict)
    #: roles and profiles declared without (yet) having users
    extra_roles: tuple[str, ...] = ()
    extra_profiles: tuple[str, ...] = ()
    source: str = ""

    # ----- reading -----------------------------------------------------------------

    @classmethod
    def from_data(cls, data: Any, source: str = "") -> Team:
        where = source or "the team file"
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise BlueprintError(f"{where}: the top level must be a mapping with `users:`", hint=TEAM_HINT)
        raw_users = data.get("users") or {}
        if not isinstance(raw_users, dict):
            raise BlueprintError(f"{where}: `users` must be a mapping of user name to details", hint=TEAM_HINT)
        users: dict[str, User] = {}
        for name, info in raw_users.items():
            info = info or {}
            if not isinstance(info, dict):
                raise BlueprintError(f"{where}: user {name!r} must map to {{roles: [...], ...}}", hint=TEAM_HINT)
            roles = info.get("roles") or ()
            if isinstance(roles, str):
                roles = (roles,)
            profile = info.get("profile")
            email = info.get("email")
            users[str(name)] = User(str(name), tuple(str(r) for r in roles),
                                    str(profile) if profile is not None else None,
                                    str(email) if email is not None else None)
        return cls(users, tuple(str(r) for r in data.get("roles") or ()),
                   tuple(str(p) for p in data.get("profiles") or ()), source)

    @classmethod
    def load(cls, path: Path) -> Team:
        """Read a team file; a broken one is a usage error naming the file and line."""
        from blueprint_cli.loader import load_file

        if not path.exists():
            raise BlueprintError(f"no team file at {path}", hint="`blueprint init` writes one; " + TEAM_HINT)
        doc, diags = load_file(path)
        if doc is None:
            d = diags[0]
            raise BlueprintError(f"cannot read the team file {d.file}:{d.line}:{d.col}: {d.message}", hint=TEAM_HINT)
        return cls.from_data(doc.data, str(path))

    # ----- asking ------------------------------------------------------------------

    def user(self, name: str) -> User:
        """The user by name; an unknown name gives a user with no roles."""
        return self.users.get(name) or User(name, known=False)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r for u in self.users.values() for r in u.roles) | frozenset(self.extra_roles)

    @property
    def profiles(self) -> frozenset[str]:
        found = frozenset(u.profile for u in self.users.values() if u.profile)
        return found | frozenset(self.extra_profiles)

    def with_role(self, role: str) -> list[User]:
        return [u for u in self.users.values() if role in u.roles]

    def with_profile(self, profile: str) -> list[User]:
        return [u for u in self.users.values() if u.profile == profile]

    def names(self) -> Any:
        """The names lint rule BP305 checks owners against (`lint.context.TeamNames`)."""
        from blueprint_cli.lint.context import TeamNames

        return TeamNames(frozenset(self.users), self.roles, self.profiles, self.source)

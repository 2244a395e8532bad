"""The workspace's team file: users, their roles, profile and e-mail.

Owners in a blueprint (`role:sales_manager`, `profile:admin`, `user:bob`) are
resolved against it. A user who is not in the file may still act, but has no
roles and no profile, so only `anyone` and `record_owner` rules can let them in.

This is the one reader of team files: commands, the linter (rule BP305 checks
owners against a `Team`) and scenario files all go through it. Its shape is
`schemas/team.schema.json`, shipped with the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from blueprint_cli.diagnostics import BlueprintError, Diagnostic, Severity

SCHEMA_RESOURCE = "team.schema.json"
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
        """The team from data of the team file's shape (`team.schema.json`; the
        scenario schema's inline `team:` has the same shape). `roles` and
        `profiles` may be one name as text or a list; anything else raises."""
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
            profile = info.get("profile")
            email = info.get("email")
            users[str(name)] = User(str(name), _names(info.get("roles"), where, f"users.{name}.roles"),
                                    str(profile) if profile is not None else None,
                                    str(email) if email is not None else None)
        return cls(users, _names(data.get("roles"), where, "roles"), _names(data.get("profiles"), where, "profiles"),
                   source)

    @classmethod
    def load(cls, path: Path, display: str | None = None) -> Team:
        """Read and validate a team file; a missing or broken one is a usage
        error (exit 2) naming each problem with its line and column."""
        from blueprint_cli.language.schema import InvalidFile

        team, diags = cls.check(path, display)
        if team is None:
            if not path.exists():
                raise BlueprintError(f"no team file at {path}", hint="`blueprint init` writes one; " + TEAM_HINT)
            raise InvalidFile(f"the team file {display or path}", diags, TEAM_HINT)
        return team

    @classmethod
    def check(cls, path: Path, display: str | None = None) -> tuple[Team | None, list[Diagnostic]]:
        """The team (None when the file has errors) and every finding in the file:
        YAML problems and schema findings (unknown keys with a did-you-mean,
        wrong types), each at its line and column. What `blueprint lint` reports."""
        from blueprint_cli.language.schema import check_file

        doc, diags = check_file(path, SCHEMA_RESOURCE, display)
        diags = [replace(d, hint=TEAM_HINT) if d.code == "BP102" else d for d in diags]
        if doc is None or any(d.severity is Severity.ERROR for d in diags):
            return None, diags
        return cls.from_data(doc.data, display or str(path)), diags

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



def _names(value: Any, where: str, key: str) -> tuple[str, ...]:
    """Role or profile names: one as text, or a list (never the letters of a text)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list):
        raise BlueprintError(f"{where}: `{key}` must be a list of names", hint=TEAM_HINT)
    return tuple(str(v) for v in value)

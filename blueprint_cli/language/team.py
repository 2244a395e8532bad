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
from typing import TYPE_CHECKING, Any

from blueprint_cli.diagnostics import BlueprintError, Diagnostic, Severity
from blueprint_cli.language.model import Owner

if TYPE_CHECKING:
    from blueprint_cli.language.loader import Document

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


ADMIN = Owner("profile", "admin")
OWNER_OR_ADMIN = (Owner("record_owner"), ADMIN)


@dataclass(frozen=True)
class Permissions:
    """Who may change records outside transitions (`permissions:` in the team
    file); each is a list of owner entries, as a transition's `owners`."""

    #: create or import a record at a state other than its blueprint's entry state
    enter_at_state: tuple[Owner, ...] = (ADMIN,)
    #: change fields and tags outside what a transition requires (a field's `editors` replace it)
    edit_fields: tuple[Owner, ...] = OWNER_OR_ADMIN
    #: change the record's owner
    reassign: tuple[Owner, ...] = OWNER_OR_ADMIN
    #: complete a task, besides its assignee
    complete_tasks: tuple[Owner, ...] = OWNER_OR_ADMIN

    @classmethod
    def from_data(cls, data: Any, where: str) -> Permissions:
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise BlueprintError(f"{where}: `permissions` must be a mapping", hint=TEAM_HINT)
        given: dict[str, tuple[Owner, ...]] = {}
        for key in ("enter_at_state", "edit_fields", "reassign", "complete_tasks"):
            if data.get(key) is None:
                continue
            try:
                given[key] = tuple(Owner.parse(str(o)) for o in _names(data[key], where, f"permissions.{key}"))
            except ValueError as exc:
                raise BlueprintError(f"{where}: permissions.{key}: {exc}", hint=TEAM_HINT) from None
        return cls(**given)


@dataclass(frozen=True)
class Team:
    users: dict[str, User] = field(default_factory=dict)
    #: roles and profiles declared without (yet) having users
    extra_roles: tuple[str, ...] = ()
    extra_profiles: tuple[str, ...] = ()
    source: str = ""
    permissions: Permissions = Permissions()

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
                   source, Permissions.from_data(data.get("permissions"), where))

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
        team = cls.from_data(doc.data, display or str(path))
        return team, diags + team._permission_findings(doc)

    def _permission_findings(self, doc: Document) -> list[Diagnostic]:
        """`permissions:` entries naming a user, role or profile the file does not declare (BP305)."""
        from blueprint_cli.language.suggest import did_you_mean

        out: list[Diagnostic] = []
        given = (doc.data or {}).get("permissions") or {}
        known = {"user": set(self.users), "role": set(self.roles), "profile": set(self.profiles)}
        for key, entries in given.items():
            for i, text in enumerate(entries if isinstance(entries, list) else [entries]):
                kind, sep, name = str(text).partition(":")
                if not sep or kind not in known or name in known[kind]:
                    continue
                hint = did_you_mean(name, known[kind])
                at = doc.at(("permissions", key, i) if isinstance(entries, list) else ("permissions", key))
                out.append(Diagnostic("BP305", Severity.ERROR, f"unknown {kind} {name!r} in permissions.{key}"
                                      + (f" — {hint}" if hint else ""), doc.file, at.line, at.col,
                                      ("permissions", key, i),
                                      hint=None if hint else f"this file declares {kind}s: "
                                                             f"{', '.join(sorted(known[kind])) or 'none'}"))
        return out

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

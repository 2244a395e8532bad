"""Who may change a record, and how: the one place that decides it.

A transition's `owners` say who may perform it. Every other change checks the
team file's `permissions:` (`language/team.py`, with their defaults) and the
blueprint's field options:

- entering a blueprint at a state other than its entry state (`record create
  --state`, a `state` column in `record import`): `enter_at_state`;
- a field or the tags, outside what a transition requires: the field's own
  `editors`, else `edit_fields`; and never in a state the field is `locked_in`;
- the owner: `reassign`;
- a task: its assignee (the user, or any member of its role or profile), or
  `complete_tasks`.

Pure: each function returns the reasons a change is refused (empty: allowed),
worded for the user, so a command can refuse naming every reason at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from blueprint_cli.engine.records import Record, Task
from blueprint_cli.language.model import Blueprint, Owner
from blueprint_cli.language.team import Team, User

#: Fields every record has that a user changes by name besides the declared ones.
OWNER, TAGS = "owner", "tags"


def owner_matches(owner: Owner, user: User, record: Record | None) -> bool:
    """Whether `user` is who the owner entry names, for `record`."""
    if owner.kind == "anyone":
        return True
    if owner.kind == "record_owner":
        return record is not None and user.name == record.owner
    if owner.kind == "user":
        return user.name == owner.name
    if owner.kind == "role":
        return owner.name in user.roles
    return owner.kind == "profile" and user.profile == owner.name


def allowed(owners: Sequence[Owner], user: User, record: Record | None) -> bool:
    return any(owner_matches(o, user, record) for o in owners)


def _for_whom(owners: Sequence[Owner], user: User, record: Record | None) -> str:
    rules = " or ".join(str(o) for o in owners)
    extra = (f" (the record owner is {record.owner})"
             if record is not None and any(o.kind == "record_owner" for o in owners) else "")
    return f"it is for {rules}{extra}; you are {user.describe()}"


def enter_at_state(team: Team, user: User, state: str) -> list[str]:
    """Why `user` may not start a record at `state` (not its blueprint's entry state)."""
    owners = team.permissions.enter_at_state
    if allowed(owners, user, None):
        return []
    return [f"you may not start a record at {state!r} (past its blueprint's entry state): "
            + _for_whom(owners, user, None) + " (`permissions: enter_at_state` in the team file)"]


def changes(bp: Blueprint | None, team: Team, user: User, record: Record, names: Iterable[str],
            required: Iterable[str] | None = None) -> list[str]:
    """Why `user` may not change the fields `names` of `record` (`owner` and
    `tags` included). `required`: the change is made during a transition (its
    owners are checked already), which asks for these fields: its owners supply
    them in any state, and other fields as the fields' own `editors` and locks
    allow (the team-wide `edit_fields` is for changes outside transitions)."""
    during = required is not None
    needed = set(required or ())
    by_owners: dict[tuple[Owner, ...], list[str]] = {}
    locked: list[str] = []
    out: list[str] = []
    for name in dict.fromkeys(names):
        if name == OWNER:
            if not allowed(team.permissions.reassign, user, record):
                out.append(f"you may not reassign record {record.id}: "
                           + _for_whom(team.permissions.reassign, user, record)
                           + " (`permissions: reassign` in the team file)")
            continue
        if name in needed:
            continue
        fd = bp.field_def(name) if bp is not None else None
        if fd is not None and record.state in fd.locked_in:
            locked.append(fd.display)
            continue
        own = fd.editors if fd is not None else None
        if during and own is None:
            continue
        owners = own if own is not None else team.permissions.edit_fields
        if not allowed(owners, user, record):
            by_owners.setdefault(owners, []).append(fd.display if fd is not None else name)
    if locked:
        out.append(f"{', '.join(locked)} {'is' if len(locked) == 1 else 'are'} locked while the record is in "
                   f"{record.state}: only a transition that requires {'it' if len(locked) == 1 else 'them'} "
                   "changes it there")
    for owners, labels in by_owners.items():
        out.append(f"you may not change {', '.join(labels)} of record {record.id}: "
                   + _for_whom(owners, user, record))
    return out


def assignee(task: Task, user: User) -> bool:
    """Whether the task is `user`'s: assigned to them, or to a role or profile they hold."""
    who = task.owner or ""
    kind, sep, name = who.partition(":")
    if not sep:
        return who == user.name
    return owner_matches(Owner(kind, name), user, None) if kind in ("user", "role", "profile") else False  # type: ignore[arg-type]


def complete(team: Team, user: User, record: Record, task: Task) -> list[str]:
    """Why `user` may not complete `task` of `record`."""
    owners = team.permissions.complete_tasks
    if assignee(task, user) or allowed(owners, user, record):
        return []
    return [f"you may not complete task #{task.id} {task.subject!r}: it is for its assignee {task.owner}, or "
            + _for_whom(owners, user, record).removeprefix("it is for ")
            + " (`permissions: complete_tasks` in the team file)"]

"""`tag`: add and remove tags (`tag: {add: [vip], remove: [cold]}`).
History: `added vip; removed cold`, or, when the tags were already as asked,
`unchanged: already tagged vip; not tagged cold`.
Zoho CRM has no tag action: `blueprint zoho export` reports it and leaves it out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.actions.base import ActionKind, Applied
from blueprint_cli.language.building import names

if TYPE_CHECKING:
    from blueprint_cli.language.actions.base import Performing



@dataclass(frozen=True)
class TagAction(ActionKind):
    """After a transition: add and remove tags (`tag:`)."""

    KEY = "tag"

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    path: JsonPath = ()
    kind: Literal["tag"] = "tag"

    @classmethod
    def read(cls, body: Any, path: JsonPath) -> TagAction:
        return cls(names(body.get("add")), names(body.get("remove")), path)

    def describe(self) -> str:
        return "tag " + " ".join([f"+{t}" for t in self.add] + [f"-{t}" for t in self.remove])

    def diff_key(self) -> tuple[Any, ...]:
        return ("tag", self.add, self.remove)

    def perform(self, on: Performing) -> Applied:
        tags, detail = retagged(on.tags, self.add, self.remove)
        return Applied("done", detail, tags=tags)


def retagged(tags: tuple[str, ...], add: tuple[str, ...], remove: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """The tags after adding and removing (also `blueprint record tag`), and what changed."""
    added = [t for t in add if t not in tags]
    removed = [t for t in remove if t in tags]
    after = [t for t in list(tags) + added if t not in remove]
    bits = ([f"added {', '.join(added)}"] if added else []) + ([f"removed {', '.join(removed)}"] if removed else [])
    if not bits:
        bits = ([f"already tagged {', '.join(add)}"] if add else []) + \
               ([f"not tagged {', '.join(remove)}"] if remove else [])
        return tuple(after), "unchanged: " + "; ".join(bits) if bits else "unchanged"
    return tuple(after), "; ".join(bits)

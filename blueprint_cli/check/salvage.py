"""The valid parts of a blueprint that has schema (or model) errors.

So that one run reports every problem it can, not only the first: the nodes
the schema (or the model) complains about are cut out, the rest is checked
again, and the cutting repeats until what is left is valid. What is left is
built into a model, and the semantic rules that can still be trusted on it run.

Cutting follows three rules, all chosen so that no list index moves (findings
point at `states[3]` through JSON paths, which must stay right):

- a bad value under a mapping key loses the key;
- a bad item of `states` or `transitions` becomes a hole (`None`) that the
  model skips, and so does a bad criterion in an `all` or `any` list (its
  siblings are still checked: a misspelt operator in `all[0]` does not hide
  the wrong operator in `all[1]`); a bad item of any other deeper list
  (owners, branches, actions) loses the whole list's key, and the check that
  follows decides whether its owner can live without it;
- a missing required top-level key gets a placeholder (`""`, or no states).

Which sections lost something is recorded as "damaged": a rule declares the
sections it needs whole (`NEEDS` in its module) and is skipped when one of them
is damaged — reachability over a list of states with a hole in it would report
states as unreachable that are not. A hole in `states` damages `states`; a key
cut inside a state (a misspelt `finl: true`) damages `state-details` only, so
rules that need just the state names still run. Unknown keys the user chose
to ignore (`--ignore BP110`) are cut without damage. Anything cut out of a
criterion damages `criteria` too: the rules that reason about criteria
(BP210, BP211, BP213) would reason about a weaker or stronger one than written.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from blueprint_cli.language import schema
from blueprint_cli.diagnostics import Diagnostic, JsonPath
from blueprint_cli.language.loader import Document

#: Top-level keys the model needs, and what stands in for them when they are missing.
PLACEHOLDERS: dict[str, Any] = {"blueprint": "", "module": "", "field": "", "states": [], "transitions": []}
#: Lists whose items may become holes (`model.build` skips `None` items in them),
#: and the section damaged when something inside one of their items is cut.
HOLED_LISTS = {"states": "state-details", "transitions": "transition-details"}
#: Keys of a criterion whose list items may become holes (`model.build_criterion` skips them).
CRITERIA_LISTS = ("all", "any")
#: The key under which every criterion is written.
CRITERION_KEY = "when"
#: Enough rounds for the deepest cut the schema can ask for (a criterion deep
#: inside a branch cuts its list, then the branch, then the transition).
MAX_ROUNDS = 40


class Salvaged(NamedTuple):
    data: dict[str, Any]
    #: top-level sections that lost something, e.g. {"states", "transitions"}
    damaged: frozenset[str]


def salvage(data: dict[str, Any], errors: list[Diagnostic], damaged_before: frozenset[str] = frozenset(),
            harmless: frozenset[str] = frozenset()) -> Salvaged | None:
    """A copy of `data` without the parts `errors` (and the checks after each
    cut) complain about; None when nothing usable is left."""
    data = copy.deepcopy(data)
    damaged = set(damaged_before)
    placed: set[str] = set()
    for _ in range(MAX_ROUNDS):
        if not errors:
            return Salvaged(data, frozenset(damaged))
        for d in errors:
            cut(data, d.path, d.code, damaged if d.code not in harmless else set(), placed)
        # holes and placeholders are what was cut: the model skips them, so their own findings do not count
        errors = [d for d in schema.check(Document("", data))
                  if not (d.path and (d.path[0] in placed or _in_hole(data, d.path)))]
    return None


def _in_hole(data: dict[str, Any], path: JsonPath) -> bool:
    if len(path) < 2 or path[0] not in HOLED_LISTS or not isinstance(path[1], int):
        return False
    items = data.get(str(path[0]))
    if isinstance(items, list) and path[1] < len(items) and items[path[1]] is None:
        return True
    # or inside a criterion cut out of an `all`/`any` list
    node: Any = data
    for i, part in enumerate(path):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
        if node is None and _is_criteria_item(path[:i + 1]):
            return True
    return False


def _is_criteria_item(path: JsonPath) -> bool:
    """Whether `path` names an item of a criterion's `all` or `any` list."""
    return (len(path) >= 3 and isinstance(path[-1], int) and path[-2] in CRITERIA_LISTS
            and CRITERION_KEY in path[:-2])


def cut(data: dict[str, Any], path: JsonPath, code: str, damaged: set[str], placed: set[str]) -> None:
    """Remove what a finding at `path` complains about (see the module docstring)."""
    if code == "BP112" or not path:
        # a required key is missing: the object at `path` is incomplete as a whole
        if not path:
            for key, value in PLACEHOLDERS.items():
                if key not in data:
                    data[key] = copy.copy(value)
                    damaged.add(key)
                    placed.add(key)
            return
        code = "BP119"
    section = str(path[0])
    damaged.add(HOLED_LISTS[section] if section in HOLED_LISTS and len(path) > 2 else section)
    if CRITERION_KEY in path:
        damaged.add("criteria")
    _remove(data, path, placed)


def _remove(data: dict[str, Any], path: JsonPath, placed: set[str]) -> None:
    parent: Any = data
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return  # already cut with an ancestor
    last = path[-1]
    if isinstance(parent, dict):
        if len(path) == 1 and last in PLACEHOLDERS:
            parent[last] = copy.copy(PLACEHOLDERS[last])
            placed.add(str(last))
        else:
            parent.pop(last, None)
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        if (len(path) == 2 and path[0] in HOLED_LISTS) or _is_criteria_item(path):
            parent[last] = None
        else:
            # cut the key that holds the list (the nearest mapping key above)
            up = path[:-1]
            while up and isinstance(up[-1], int):
                if len(up) == 2 and up[0] in HOLED_LISTS:
                    break
                up = up[:-1]
            if up:
                _remove(data, up, placed)

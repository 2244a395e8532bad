"""The names a file uses, and where: every state, field and transition name
of a blueprint (where it is declared, where it is used), and those a scenario
file uses of the blueprint it tests. Read from the document's data and
positions (the loader's), so each occurrence is at the exact node."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal, NamedTuple

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.loader import Document
from blueprint_cli.language.model import ALL_STATES
from blueprint_cli.lsp.text import lines_of, name_span, token_end

Kind = Literal["state", "field", "transition"]
#: What each kind is called in messages.
NOUN = {"state": "state", "field": "field", "transition": "transition"}


class Occurrence(NamedTuple):
    kind: Kind
    name: str
    #: 0-based line, and code-point columns of the token (quotes included) and of the name
    line: int
    start: int
    end: int
    name_start: int
    name_end: int
    definition: bool
    path: JsonPath
    #: written as a mapping key
    key: bool

    def covers(self, line: int, col: int) -> bool:
        return line == self.line and self.start <= col <= self.end


class _Found(NamedTuple):
    kind: Kind
    name: str
    path: JsonPath
    key: bool = False
    definition: bool = False


def occurrences(doc: Document, scenario: bool = False) -> list[Occurrence]:
    """Every occurrence in a blueprint (or, with `scenario`, a scenario file)."""
    data = doc.data
    if not isinstance(data, dict):
        return []
    found = _scenario(data) if scenario else _blueprint(data)
    lines = lines_of(doc.text) if doc.text else []
    out = [] if scenario else _templates(doc, lines)
    for f in found:
        table = doc.key_positions if f.key else doc.positions
        pos = table.get(f.path)
        if pos is None or pos.line - 1 >= len(lines):
            continue
        line = lines[pos.line - 1]
        start, end, name_start, name_end = name_span(line, pos.col - 1, f.name)
        out.append(Occurrence(f.kind, f.name, pos.line - 1, start, end, name_start, name_end, f.definition,
                              f.path, f.key))
    return out


#: `{{record.FIELD}}` in an action's text (the engine's and rule BP309's template syntax)
_TEMPLATE = re.compile(r"\{\{\s*record\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def _texts(value: Any, path: JsonPath) -> Iterator[tuple[str, JsonPath]]:
    if isinstance(value, str):
        yield value, path
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(v, path + (str(k),))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _texts(v, path + (i,))


def _templates(doc: Document, lines: list[str]) -> list[Occurrence]:
    """Fields named by templates in actions' texts, written on one line."""
    data = doc.data
    sites: list[tuple[Any, JsonPath]] = []
    for i, t in enumerate(data.get("transitions") or ()):
        if isinstance(t, dict):
            sites.append((t.get("then"), ("transitions", i, "then")))
    for i, st in enumerate(data.get("states") or ()):
        if isinstance(st, dict):
            sites.append((st.get("sla"), ("states", i, "sla")))
    out = []
    for value, base in sites:
        for text, path in _texts(value, base):
            if "{{" not in text or path not in doc.positions:
                continue
            pos = doc.positions[path]
            if pos.line - 1 >= len(lines):
                continue
            line = lines[pos.line - 1]
            start = pos.col - 1
            token = line[start:token_end(line, start)]
            for m in _TEMPLATE.finditer(token):
                a, b = start + m.start(1), start + m.end(1)
                out.append(Occurrence("field", m[1], pos.line - 1, a, b, a, b, False, path, False))
    return out


def at(found: list[Occurrence], line: int, col: int) -> Occurrence | None:
    return next((o for o in found if o.covers(line, col)), None)


# ----- a blueprint ----------------------------------------------------------------------------

def _blueprint(data: dict[str, Any]) -> Iterator[_Found]:
    state_fields = {"state", str(data.get("field", "state"))}
    states = data.get("states")
    if isinstance(states, list):
        for i, s in enumerate(states):
            if isinstance(s, dict):
                if isinstance(s.get("name"), str):
                    yield _Found("state", s["name"], ("states", i, "name"), definition=True)
                sla = s.get("sla")
                if isinstance(sla, dict):
                    yield from _actions(sla.get("escalate"), ("states", i, "sla", "escalate"))
                    for j, level in enumerate(sla.get("levels") or ()):
                        if isinstance(level, dict):
                            yield from _actions(level.get("escalate"),
                                                ("states", i, "sla", "levels", j, "escalate"))
    fields = data.get("fields")
    if isinstance(fields, dict):
        for name in fields:
            yield _Found("field", str(name), ("fields", str(name)), key=True, definition=True)
    entry = data.get("entry")
    if isinstance(entry, dict):
        if isinstance(entry.get("state"), str):
            yield _Found("state", entry["state"], ("entry", "state"))
        yield from _criteria(entry.get("when"), ("entry", "when"), state_fields)
    transitions = data.get("transitions")
    if not isinstance(transitions, list):
        return
    for i, t in enumerate(transitions):
        if not isinstance(t, dict):
            continue
        p: JsonPath = ("transitions", i)
        if isinstance(t.get("name"), str):
            yield _Found("transition", t["name"], p + ("name",), definition=True)
        sources = t.get("from")
        if isinstance(sources, str) and sources != ALL_STATES:
            yield _Found("state", sources, p + ("from",))
        elif isinstance(sources, list):
            for j, s in enumerate(sources):
                if isinstance(s, str) and s != ALL_STATES:
                    yield _Found("state", s, p + ("from", j))
        if isinstance(t.get("to"), str):
            yield _Found("state", t["to"], p + ("to",))
        yield from _criteria(t.get("when"), p + ("when",), state_fields)
        yield from _requirement(t.get("require"), p + ("require",))
        yield from _actions(t.get("then"), p + ("then",))
        for j, b in enumerate(t.get("branches") or ()):
            if not isinstance(b, dict):
                continue
            for key in ("to", "else"):
                if isinstance(b.get(key), str):
                    yield _Found("state", b[key], p + ("branches", j, key))
            yield from _criteria(b.get("when"), p + ("branches", j, "when"), state_fields)
        for j, part in enumerate(t.get("parallel") or ()):
            if not isinstance(part, dict):
                continue
            pp = p + ("parallel", j)
            if isinstance(part.get("name"), str):
                # a part is moved by its name, as a transition is (`move:` in scenario files)
                yield _Found("transition", part["name"], pp + ("name",), definition=True)
            yield from _criteria(part.get("when"), pp + ("when",), state_fields)
            yield from _requirement(part.get("require"), pp + ("require",))


def _criteria(node: Any, path: JsonPath, state_fields: set[str]) -> Iterator[_Found]:
    if not isinstance(node, dict):
        return
    for key in ("all", "any"):
        if isinstance(node.get(key), list):
            for i, item in enumerate(node[key]):
                yield from _criteria(item, path + (key, i), state_fields)
    if "not" in node:
        yield from _criteria(node["not"], path + ("not",), state_fields)
    field = node.get("field")
    if not isinstance(field, str):
        return
    yield _Found("field", field, path + ("field",))
    if field in state_fields:  # `{field: stage, ne: Legal Review}` names a state
        for op, value in node.items():
            if op == "field":
                continue
            if isinstance(value, str):
                yield _Found("state", value, path + (op,))
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    if isinstance(v, str):
                        yield _Found("state", v, path + (op, i))


def _requirement(node: Any, path: JsonPath) -> Iterator[_Found]:
    if isinstance(node, dict):
        fields = node.get("fields")
        if isinstance(fields, str):
            yield _Found("field", fields, path + ("fields",))
        elif isinstance(fields, list):
            for i, f in enumerate(fields):
                if isinstance(f, str):
                    yield _Found("field", f, path + ("fields", i))


def _actions(node: Any, path: JsonPath) -> Iterator[_Found]:
    if not isinstance(node, list):
        return
    for i, action in enumerate(node):
        if isinstance(action, dict) and isinstance(action.get("set"), dict):
            for name in action["set"]:
                yield _Found("field", str(name), path + (i, "set", str(name)), key=True)


# ----- a scenario file -------------------------------------------------------------------------

def _names(node: Any, path: JsonPath, kind: Kind) -> Iterator[_Found]:
    if isinstance(node, str):
        yield _Found(kind, node, path)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, str):
                yield _Found(kind, v, path + (i,))


def _keys(node: Any, path: JsonPath) -> Iterator[_Found]:
    if isinstance(node, dict):
        for name in node:
            yield _Found("field", str(name), path + (str(name),), key=True)


def _scenario(data: dict[str, Any]) -> Iterator[_Found]:
    scenarios = data.get("scenarios")
    if not isinstance(scenarios, list):
        return
    for i, sc in enumerate(scenarios):
        if not isinstance(sc, dict):
            continue
        p: JsonPath = ("scenarios", i)
        record = sc.get("record")
        if isinstance(record, dict):
            if isinstance(record.get("state"), str):
                yield _Found("state", record["state"], p + ("record", "state"))
            yield from _keys(record.get("fields"), p + ("record", "fields"))
        for j, step in enumerate(sc.get("steps") or ()):
            if not isinstance(step, dict):
                continue
            sp = p + ("steps", j)
            for key in ("move", "part"):
                if isinstance(step.get(key), str):
                    yield _Found("transition", step[key], sp + (key,))
            for key in ("set", "edit"):
                yield from _keys(step.get(key), sp + (key,))
            expect = step.get("expect")
            if not isinstance(expect, dict):
                continue
            ep = sp + ("expect",)
            if isinstance(expect.get("state"), str):
                yield _Found("state", expect["state"], ep + ("state",))
            yield from _keys(expect.get("fields"), ep + ("fields",))
            for key in ("allowed", "waiting", "moved", "skipped"):
                yield from _names(expect.get(key), ep + (key,), "transition")
            for k, esc in enumerate(expect.get("escalated") or ()):
                if isinstance(esc, dict) and isinstance(esc.get("state"), str):
                    yield _Found("state", esc["state"], ep + ("escalated", k, "state"))

"""What `blueprint show` prints: a readable summary of one blueprint, as rich
renderables for the terminal and as plain data for `--json`."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from blueprint_cli.language.analysis import flow_order
from blueprint_cli.language import wording
from blueprint_cli.language.model import Blueprint, Criterion, Requirement, State, Transition


def _criteria_node(parent: Tree, label: str, criterion: Criterion) -> None:
    node = parent.add(Text(label, style="bold"))
    stack: list[tuple[int, Tree]] = [(-1, node)]
    for line in wording.criterion_tree(criterion):
        depth = (len(line) - len(line.lstrip(" "))) // 2
        while stack and stack[-1][0] >= depth:
            stack.pop()
        text = line.strip()
        style = "magenta" if text in ("ALL of", "ANY of", "NOT") else ""
        child = stack[-1][1].add(Text(text, style=style))
        stack.append((depth, child))


def _requirement_nodes(parent: Tree, r: Requirement, message: str | None) -> None:
    if message:
        parent.add(Text(f"message: {message}", style="italic"))
    items = wording.requirement(r)
    if items:
        req = parent.add(Text("requires", style="bold"))
        for item in items:
            req.add(item)


def _transition_tree(bp: Blueprint, t: Transition) -> Tree:
    sources = "any open state" if t.sources == ("*",) else ", ".join(t.sources)
    target = t.to if t.to else "(conditional)"
    kind = []
    if t.is_parallel:
        kind.append("parallel")
    if t.is_conditional:
        kind.append("conditional")
    if t.is_common:
        kind.append("common")
    if t.auto:
        kind.append(f"automatic after {t.auto.after}")
    label = Text.assemble((t.name, "bold cyan"), f"  {sources} → {target}",
                          (f"  [{', '.join(kind)}]" if kind else "", "yellow"))
    tree = Tree(label)
    tree.add("owners: " + (", ".join(str(o) for o in t.owners) if t.owners else "none: only its timer performs it"))
    if t.when is not None:
        _criteria_node(tree, "when", t.when)
    _requirement_nodes(tree, t.require, t.message)
    for b in t.branches:
        if b.when is None:
            tree.add(Text(f"else → {b.to}", style="green"))
        else:
            _criteria_node(tree, f"branch → {b.to} when", b.when)
    for p in t.parallel:
        part = tree.add(Text(f"part: {p.name}", style="bold"))
        part.add("owners: " + ", ".join(str(o) for o in p.owners))
        if p.when is not None:
            _criteria_node(part, "when", p.when)
        _requirement_nodes(part, p.require, p.message)
    if t.then:
        then = tree.add(Text("then", style="bold"))
        for a in t.then:
            then.add(wording.action(a))
    return tree


def render_summary(bp: Blueprint) -> Group:
    head = Text.assemble((bp.display_name, "bold"), f"  ({bp.id}: module {bp.module}, state field {bp.field})")
    parts: list[Any] = [head]
    if bp.description:
        parts.append(Text(bp.description.strip(), style="dim"))
    if bp.entry.when is not None:
        entry = Tree(Text(f"Entry: records enter at {bp.entry_state!r}", style="bold"))
        _criteria_node(entry, "when", bp.entry.when)
        parts.append(entry)
    else:
        parts.append(Text(f"Entry: every {bp.module} record enters at {bp.entry_state!r}"))
    states = Table(title="States", title_justify="left", show_lines=False)
    states.add_column("state")
    states.add_column("kind")
    states.add_column("ways out")
    states.add_column("SLA")
    for name in flow_order(bp):
        s = bp.state(name)
        if s is None:
            continue
        kind = "final" if s.final else ("entry" if name == bp.entry_state else "")
        outs = ", ".join(t.name for t in bp.transitions_from(name)) or "—"
        sla = ""
        if s.sla:
            levels = len(s.sla.levels)
            sla = f"within {s.sla.within}" + (f" (+{levels} level{'s' if levels > 1 else ''})" if levels else "")
        states.add_row(name, kind, outs, sla)
    parts.append(states)
    slas = [s for s in bp.states if s.sla]
    if slas:
        tree = Tree(Text("SLAs", style="bold"))
        for s in slas:
            node = tree.add(Text(f"{s.name}: within {s.sla.within}", style="bold"))  # type: ignore[union-attr]
            for a in s.sla.escalate:  # type: ignore[union-attr]
                node.add(wording.action(a))
            for lv in s.sla.levels:  # type: ignore[union-attr]
                level = node.add(f"after {lv.after}")
                for a in lv.escalate:
                    level.add(wording.action(a))
        parts.append(tree)
    if bp.fields:
        fields = Table(title="Fields", title_justify="left")
        fields.add_column("field")
        fields.add_column("label")
        fields.add_column("type")
        fields.add_column("options")
        for f in bp.fields:
            opts = []
            if f.values:
                opts.append("values: " + ", ".join(f.values))
            for key in ("min", "max", "min_length", "max_length", "pattern", "default"):
                val = getattr(f, key)
                if val is not None:
                    # as written in YAML: `false`, not Python's `False`
                    opts.append(f"{key}: {str(val).lower() if isinstance(val, bool) else val}")
            # the name is what criteria and `require` refer to; the label is what users see
            fields.add_row(f.name, f.label or "", f.type, "; ".join(opts))
        parts.append(fields)
    parts.append(Text("Transitions", style="bold italic"))
    parts.extend(_transition_tree(bp, t) for t in bp.transitions)
    from blueprint_cli.shown import visible_renderable

    # names and values are data: no markup, control characters shown as escapes
    return visible_renderable(Group(*parts))  # type: ignore[no-any-return]


def _criterion_data(c: Criterion | None) -> Any:
    return None if c is None else wording.criterion_tree(c)


def summary_data(bp: Blueprint) -> dict[str, Any]:
    return {
        "blueprint": bp.id,
        "title": bp.title,
        "module": bp.module,
        "field": bp.field,
        "entry": {"state": bp.entry_state, "when": _criterion_data(bp.entry.when)},
        "states": [
            {"name": st.name, "final": st.final,
             "transitions": [t.name for t in bp.transitions_from(st.name)],
             "sla": wording.sla(st.sla) if st.sla else None}
            for st in _states_in_flow_order(bp)
        ],
        "transitions": [
            {"name": t.name, "from": list(bp.sources_of(t)), "to": list(t.targets),
             "owners": [str(o) for o in t.owners], "when": _criterion_data(t.when),
             "require": wording.requirement(t.require),
             # a conditional transition's outcomes, in order: the criteria pick the target
             "branches": [{"when": _criterion_data(b.when), "to": b.to} for b in t.branches],
             "parallel": [p.name for p in t.parallel],
             "then": [wording.action(a) for a in t.then]}
            for t in bp.transitions
        ],
        "fields": [
            {"name": f.name, "label": f.label, "type": f.type,
             **({"values": list(f.values)} if f.values is not None else {})}
            for f in bp.fields
        ],
    }


def _states_in_flow_order(bp: Blueprint) -> list[State]:
    return [st for st in (bp.state(n) for n in flow_order(bp)) if st is not None]

"""The layer order of docs/dev/architecture.md, enforced from the source: every
import of every module (inside functions and under TYPE_CHECKING too) goes to
the same stage or an earlier one, no two modules import each other through
any path, every folder and root module has its stage, and the package root
holds at most six modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "blueprint_cli"
DOC = ROOT / "docs" / "dev" / "architecture.md"


def stage_rows() -> list[tuple[str, list[str]]]:
    """(stage, its folders and root modules) in order, from the doc's table."""
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- stages, in order", 1)[1].split("\n\n", 1)[0]
    rows = [line.split("|") for line in table.splitlines()
            if line.startswith("| ") and not line.startswith(("| stage", "|---"))]
    return [(row[1].strip(), [n.rstrip("/").removesuffix(".py") for n in re.findall(r"`([^`]+)`", row[2])])
            for row in rows]


def stages() -> dict[str, int]:
    """Top-level name (folder or root module, without .py) -> stage number."""
    return {name: number for number, (_, names) in enumerate(stage_rows()) for name in names}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every module of the package that `name` imports, wherever the import stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    out = set()
    for target in targets:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            out.add(target)
    return out


def stage_of(module: str, order: dict[str, int]) -> int | None:
    parts = module.split(".")
    return order.get(parts[1] if len(parts) > 1 else "__init__")


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_table_places_every_folder_and_root_module() -> None:
    order = stages()
    unplaced = sorted(m for m in modules() if stage_of(m, order) is None)
    assert not unplaced, f"add these to the stage table of docs/dev/architecture.md: {unplaced}"


def test_no_import_goes_to_a_later_stage() -> None:
    order = stages()
    names = dict(enumerate(stage for stage, _ in stage_rows()))
    wrong = [f"{a} ({names[stage_of(a, order)]}) imports {b} ({names[stage_of(b, order)]})"  # type: ignore[index]
             for a, targets in graph().items() for b in targets
             if (stage_of(b, order) or 0) > (stage_of(a, order) or 0)]
    assert not wrong, "\n".join(sorted(wrong))


def test_no_cycle_between_modules() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function() -> None:
    """The check above cannot pass by not seeing: an import inside a function
    that closes a loop is a cycle."""
    source = {"a": "import b\n", "b": "def f():\n    from c import x\n", "c": "if TYPE_CHECKING:\n    import a\n"}
    known = {name: Path(name) for name in source}
    edges = {}
    for name, text in source.items():
        tree = ast.parse(text)
        edges[name] = {alias.name if isinstance(node, ast.Import) else node.module  # type: ignore[union-attr]
                       for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                       for alias in node.names} & set(known)
    assert cycles(edges) == [["a", "b", "c"]]


def test_at_most_six_modules_at_the_package_root() -> None:
    root = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(root) <= 6, root

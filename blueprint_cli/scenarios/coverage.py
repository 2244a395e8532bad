"""Coverage: which states, transitions, branches and parallel parts of each
blueprint the scenarios exercised.

Counted when it happened, not when it was tried: a state when a record is in
it, a transition when a move completes it (a refused move counts for nothing),
a branch when a conditional transition goes through it, a part when it is done.
The total is covered items over all items, the four kinds together (as
coverage.py adds up lines and branches).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprint_cli.language.model import Blueprint
from blueprint_cli.scenarios.runner import Exercised, FileResult

KINDS = ("states", "transitions", "branches", "parts")
_SINGULAR = {"states": "state", "transitions": "transition", "branches": "branch", "parts": "part"}


@dataclass(frozen=True)
class Item:
    kind: str
    label: str
    covered: bool


@dataclass
class BlueprintCoverage:
    blueprint: Blueprint
    file: str
    items: list[Item] = field(default_factory=list)

    def count(self, kind: str | None = None) -> tuple[int, int]:
        chosen = [i for i in self.items if kind is None or i.kind == kind]
        return sum(i.covered for i in chosen), len(chosen)

    def percent(self, kind: str | None = None) -> float | None:
        covered, total = self.count(kind)
        return None if total == 0 else 100.0 * covered / total

    def missing(self) -> list[Item]:
        return [i for i in self.items if not i.covered]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"blueprint": self.blueprint.id, "file": self.file}
        for kind in KINDS:
            covered, total = self.count(kind)
            out[kind] = {"covered": covered, "total": total, "percent": _round(self.percent(kind)),
                         "missing": [i.label for i in self.items if i.kind == kind and not i.covered]}
        covered, total = self.count()
        out["total"] = {"covered": covered, "total": total, "percent": _round(self.percent())}
        return out


def _round(p: float | None) -> float | None:
    return None if p is None else round(p, 1)


def measure(bp: Blueprint, file: str, done: Exercised) -> BlueprintCoverage:
    cov = BlueprintCoverage(bp, file)
    for s in bp.states:
        cov.items.append(Item("states", s.name, s.name in done.states))
    for t in bp.transitions:
        cov.items.append(Item("transitions", t.name, t.name in done.transitions))
    for t in bp.transitions:
        for i, b in enumerate(t.branches):
            label = f"{t.name} → {b.to} ({'else' if b.is_else else f'branch {i + 1}'})"
            cov.items.append(Item("branches", label, (t.name, i) in done.branches))
    for t in bp.transitions:
        for p in t.parallel:
            cov.items.append(Item("parts", f"{t.name} / {p.name}", (t.name, p.name) in done.parts))
    return cov


def collect(results: Sequence[FileResult]) -> list[BlueprintCoverage]:
    """One coverage per blueprint file, adding up every scenario file that tests it."""
    by_file: dict[Path, tuple[Blueprint, str, Exercised]] = {}
    for fr in results:
        loaded = fr.loaded
        if loaded.blueprint is None or loaded.blueprint_path is None:
            continue
        key = Path(os.path.realpath(loaded.blueprint_path))
        if key not in by_file:
            by_file[key] = (loaded.blueprint, loaded.blueprint_display, Exercised())
        for r in fr.results:
            by_file[key][2].update(r.exercised)
    return [measure(bp, shown, done) for bp, shown, done in by_file.values()]


def total_percent(covs: Sequence[BlueprintCoverage]) -> float:
    covered = sum(c.count()[0] for c in covs)
    total = sum(c.count()[1] for c in covs)
    return 100.0 if total == 0 else 100.0 * covered / total


def _cell(cov: BlueprintCoverage, kind: str) -> str:
    covered, total = cov.count(kind)
    if total == 0:
        return "—"
    return f"{covered}/{total} {_pct(cov.percent(kind))}"


def _pct(p: float | None) -> str:
    if p is None:
        return "—"
    return f"{p:.0f}%" if p in (0.0, 100.0) or p.is_integer() else f"{p:.1f}%"


def render_table(covs: Sequence[BlueprintCoverage]) -> str:
    header = ["blueprint", *KINDS, "total"]
    rows = [[c.file, *(_cell(c, k) for k in KINDS), _pct(c.percent())] for c in covs]
    if len(covs) > 1:
        rows.append(["TOTAL", *(_sum_cell(covs, k) for k in KINDS), _pct(total_percent(covs))])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(row, widths))).rstrip()
             for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    missing = [(c, c.missing()) for c in covs if c.missing()]
    if missing:
        lines.append("")
        lines.append("Not covered:")
        for c, items in missing:
            lines.append(f"  {c.file}")
            for i in items:
                lines.append(f"    {_SINGULAR[i.kind]} {i.label}")
    return "\n".join(lines)


def _sum_cell(covs: Sequence[BlueprintCoverage], kind: str) -> str:
    covered = sum(c.count(kind)[0] for c in covs)
    total = sum(c.count(kind)[1] for c in covs)
    if total == 0:
        return "—"
    return f"{covered}/{total} {_pct(100.0 * covered / total)}"


def to_json(covs: Sequence[BlueprintCoverage]) -> dict[str, Any]:
    covered = sum(c.count()[0] for c in covs)
    total = sum(c.count()[1] for c in covs)
    return {"blueprints": [c.to_dict() for c in covs],
            "total": {"covered": covered, "total": total, "percent": round(total_percent(covs), 1)}}

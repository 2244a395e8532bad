"""Benchmark: lint on blueprints shaped to make rules quadratic (issue sizes).

    python bench/lint_hostile.py             # 3 rounds
    python bench/lint_hostile.py --rounds 5

Each shape is linted at the size that used to take over 12 s and at half of it,
side by side in each round (`blueprint lint --no-cache FILE`, a process per
run, start-up included); medians are printed with the ratio full/half: about 2
means linear, about 4 quadratic.

- chain: a chain of N states (BP212 walked the graph once per state)
- routes: N transitions on one route with different criteria (BP211 proved every pair)
- branches: one conditional transition with N branches (BP210 weighed each against all before it)
- misspelt: N unknown 2,000-character state names (the did-you-mean search)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAD = ["module: Deals", "field: stage", "fields:", "  amount: {type: number}", "states:"]


def chain(n: int) -> str:
    lines = ["blueprint: chain", *HEAD, *(f"  - name: S{i}" for i in range(n)), "  - name: End", "    final: true",
             "transitions:", *(f"  - {{name: T{i}, from: S{i}, to: S{i + 1}}}" for i in range(n - 1)),
             f"  - {{name: Fin, from: S{n - 1}, to: End}}"]
    return "\n".join(lines) + "\n"


def routes(n: int) -> str:
    lines = ["blueprint: routes", *HEAD, "  - name: A", "  - name: B", "    final: true", "transitions:",
             *(f"  - {{name: T{i}, from: A, to: B, when: {{field: amount, gt: {i}}}}}" for i in range(n))]
    return "\n".join(lines) + "\n"


def branches(n: int) -> str:
    lines = ["blueprint: branches", *HEAD, "  - name: A", "  - name: B", "    final: true", "transitions:",
             "  - name: Pick", "    from: A", "    branches:",
             *(f"      - {{when: {{field: amount, gt: {i}}}, to: B}}" for i in range(n)), "      - else: B"]
    return "\n".join(lines) + "\n"


def misspelt(n: int) -> str:
    names = ["x" * 2000 + f"{i:04d}" for i in range(n)]
    lines = ["blueprint: typos", *HEAD, *(f"  - name: {name}" for name in names), "  - name: End", "    final: true",
             "transitions:", *(f"  - {{name: T{i}, from: {name}y, to: End}}" for i, name in enumerate(names))]
    return "\n".join(lines) + "\n"


SHAPES = {"chain": (chain, 6000), "routes": (routes, 1500), "branches": (branches, 3000), "misspelt": (misspelt, 30)}


def timed(path: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "blueprint_cli", "lint", "--no-cache", str(path)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1) or "Traceback" in proc.stderr:
        raise SystemExit(f"{path.name}: exit {proc.returncode}: {proc.stderr[-400:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files: dict[str, tuple[Path, Path]] = {}
        for name, (make, n) in SHAPES.items():
            full, half = Path(tmp, f"{name}-{n}.yaml"), Path(tmp, f"{name}-{n // 2}.yaml")
            full.write_text(make(n), encoding="utf-8")
            half.write_text(make(n // 2), encoding="utf-8")
            files[name] = (full, half)
        times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in SHAPES}
        for _ in range(args.rounds):
            for name, (full, half) in files.items():
                times[name][1].append(timed(half))
                times[name][0].append(timed(full))
        print(f"{'shape':<10} {'size':>6} {'median s':>9} {'half size':>10} {'median s':>9} {'ratio':>6}")
        for name, (_, n) in SHAPES.items():
            f, h = statistics.median(times[name][0]), statistics.median(times[name][1])
            print(f"{name:<10} {n:>6} {f:>9.2f} {n // 2:>10} {h:>9.2f} {f / h:>6.2f}")


if __name__ == "__main__":
    main()

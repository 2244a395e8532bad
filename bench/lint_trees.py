"""Benchmark: `blueprint lint --no-cache FOLDER` from two (or more) trees, side by side.

    python bench/lint_trees.py FOLDER before=/tmp/copy-of-main after=$PWD
    python bench/lint_trees.py FOLDER before=/tmp/old after=$PWD before-j1=/tmp/old:1 after-j1=$PWD:1 --rounds 15

Each NAME=PATH[:JOBS] runs the `blueprint` script next to this interpreter with
`PYTHONPATH=PATH` (a checkout, or a copy of one's `blueprint_cli/`, compiled
beforehand) and `--jobs JOBS` when given. The runs alternate round by round, so
that other work on a shared machine hits every tree alike; medians are
reported: wall time, CPU time (user + system of the process and the copies it
forks) and minor page faults. On a busy machine compare CPU times: wall times
there also count the wait for a core. `generate.py` makes a folder to lint:
`python -c "import sys; sys.path.insert(0, 'bench'); from generate import generate;
from pathlib import Path; generate(Path('/tmp/b'), 1000, 100)"`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lint_many import console_script  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("trees", nargs="+", metavar="NAME=PATH[:JOBS]")
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    blueprint = console_script()
    trees = []
    for spec in args.trees:
        name, sep, rest = spec.partition("=")
        if not sep:
            sys.exit(f"{spec!r}: give NAME=PATH[:JOBS]")
        path, _, jobs = rest.partition(":")
        trees.append((name, str(Path(path).resolve()), jobs))
    rows: dict[str, list[tuple[float, float, int]]] = {name: [] for name, _, _ in trees}
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for _ in range(args.rounds):
        for name, path, jobs in trees:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            proc = subprocess.run([blueprint, "lint", "--no-cache", *(["--jobs", jobs] if jobs else []),
                                   str(args.folder)], env=dict(os.environ, PYTHONPATH=path),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if proc.returncode not in (0, 1):
                sys.exit(f"{name}: exit {proc.returncode}: {proc.stderr[-500:]}")
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            rows[name].append((wall, cpu, after.ru_minflt - before.ru_minflt))
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print(f"{'tree':<14}{'wall':>9}{'CPU':>9}{'faults':>9}   walls, round by round")
    for name, got in rows.items():
        wall, cpu, faults = (statistics.median(x[k] for x in got) for k in range(3))
        print(f"{name:<14}{wall:>8.2f}s{cpu:>8.2f}s{faults:>9.0f}   {' '.join(f'{x[0]:.2f}' for x in got)}")


if __name__ == "__main__":
    main()

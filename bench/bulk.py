"""Benchmark: `blueprint bulk` on 10,000 records, against the engine alone.

    python bench/bulk.py [--records 10000] [--runs 5]

Builds a workspace with the deal sample published and N deals in Qualification
(written straight to the store's file format), then measures the same moves —
`Negotiate` with a field, two checklist items and a note, whose `then` runs a
`set` and a `task` action — three ways:

- the **engine alone, in memory**: `engine.move` on each record already loaded,
  nothing read or written (the floor) — also with Python's cyclic garbage
  collector off, as `bulk` runs it (a stricter floor);
- **bulk** through the workspace (`bulk.run`, what the command does after
  start-up): index, batched locks, reads, the `--where` check, the engine, and
  batched durable writes — on a fresh copy of the workspace each run;
- the real **`blueprint bulk` command**, a fresh process (start-up included);
- for contrast, the **same moves one by one** (`Workspace.move` per record, each
  its own durable write), on the first 1,000 records.

Each round measures the three side by side. Prints medians, records per second
and the bulk/engine ratio, also within each round (target: within 3×).
It is not a test and asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from blueprint_cli.workspace import changes
from blueprint_cli import engine, workspace
from blueprint_cli.workspace import bulk
from blueprint_cli.engine import Inputs
from blueprint_cli.engine.records import HistoryEntry, Record
from blueprint_cli.store.files import atomic_write
from blueprint_cli.store.jsonstore import FORMAT, encode, shard, state_key
from blueprint_cli.language.where import parse

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
INPUTS = Inputs(fields={"close_on": "2026-12-01"}, checklist=("Budget confirmed", "Decision maker identified"),
                note="benchmark")
WHERE = "amount >= 1000 and owner = alice"
ARGS = ["Negotiate", "--where", WHERE, "--set", "close_on=2026-12-01", "--check", "Budget confirmed",
        "--check", "Decision maker identified", "--note", "benchmark"]


def build(folder: Path, n: int) -> workspace.Workspace:
    ws = workspace.init(folder, user="admin", at=NOW - timedelta(days=30)).workspace
    index = ws.root / "index" / "deal-follow-up" / state_key("Qualification")
    index.mkdir(parents=True, exist_ok=True)
    start = NOW - timedelta(days=20)
    for i in range(1, n + 1):
        rid = str(i)
        at = (start + timedelta(seconds=i)).isoformat(timespec="seconds")
        fields = {"name": f"Deal {i}", "amount": 1000 + (i * 37) % 90_000, "discount": 0, "probability": 10,
                  "signed": False}
        record = Record(id=rid, module="Deals", blueprint="deal-follow-up", version=1, state="Qualification",
                        owner="alice", fields=fields, created_at=at, updated_at=at, state_since=at)
        entry = HistoryEntry(at=at, user="alice", kind="create", to_state="Qualification",
                             changes={k: [None, v] for k, v in fields.items()}, version=1)
        path = ws.root / "records" / shard(rid) / f"{rid}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, encode(record, [entry]), durable=False)
        (index / rid).touch()
        # every record the tool creates has its lock file (created with it, under that lock)
        lock = ws.root / "locks" / "records" / shard(rid) / f"{rid}.lock"
        lock.parent.mkdir(parents=True, exist_ok=True)
        lock.touch()
    atomic_write(ws.root / "counters.json", f'{{"format": {FORMAT}, "next_id": {n + 1}}}\n'.encode())
    os.sync()
    return ws


def engine_alone(ws: workspace.Workspace, n: int, *, collect: bool = True) -> float:
    """The engine on records already in memory. `collect=False`: with the cyclic
    garbage collector off, as `bulk` runs (a stricter floor)."""
    bp = ws.blueprint("deal-follow-up")
    user, team = ws.user("alice"), ws.team
    records = [ws.store.get(str(i)).record for i in range(1, n + 1)]
    if not collect:
        gc.disable()
    try:
        t0 = time.perf_counter()
        for r in records:
            out = engine.move(bp, r, user, "Negotiate", INPUTS, NOW, team)
            assert not isinstance(out, engine.Refusal)
        return time.perf_counter() - t0
    finally:
        gc.enable()


def fresh_copy(template: Path, scratch: Path) -> None:
    """A fresh copy of the workspace, on disk (`cp -a` is several times faster than
    shutil.copytree for tens of thousands of small files)."""
    shutil.rmtree(scratch, ignore_errors=True)
    if shutil.which("cp") is None or subprocess.run(["cp", "-a", str(template), str(scratch)]).returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(template, scratch, symlinks=True)
    os.sync()


def bulk_run(template: Path, scratch: Path, n: int) -> float:
    fresh_copy(template, scratch)
    ws = workspace.Workspace(scratch / ".blueprint")
    t0 = time.perf_counter()
    result = bulk.run(ws, "Negotiate", parse(WHERE), INPUTS, user="alice", now=NOW, where_text=WHERE)
    elapsed = time.perf_counter() - t0
    assert len(result.done) == n and not result.refused, (len(result.done), result.refused[:1])
    return elapsed


def bulk_command(template: Path, scratch: Path, n: int) -> float:
    fresh_copy(template, scratch)
    env = {**os.environ, "BLUEPRINT_USER": "alice", "NO_COLOR": "1"}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "blueprint_cli", "--workspace", str(scratch), "--json", "bulk", *ARGS],
                          capture_output=True, env=env)
    elapsed = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stderr[-2000:]
    return elapsed


def one_by_one(template: Path, scratch: Path, k: int) -> float:
    fresh_copy(template, scratch)
    ws = workspace.Workspace(scratch / ".blueprint")
    t0 = time.perf_counter()
    for i in range(1, k + 1):
        assert not changes.move(ws, str(i), "Negotiate", INPUTS, user="alice", at=NOW).refused
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--single", type=int, default=1_000, help="records moved one by one, for contrast")
    ap.add_argument("--dir", default=None, help="where to build the workspaces (default: the system's temp folder); "
                                                "e.g. /dev/shm to take the disk out of the figures")
    args = ap.parse_args()
    n = args.records
    with tempfile.TemporaryDirectory(prefix="bp-bulk-bench-", dir=args.dir) as tmp:
        template = Path(tmp) / "template"
        scratch = Path(tmp) / "scratch"
        t0 = time.perf_counter()
        ws = build(template, n)
        print(f"built {n:,} deals in Qualification in {time.perf_counter() - t0:.1f} s")
        # side by side: each round measures the engine, then bulk, then the command,
        # so that a slow spell of the shared machine hits all three alike
        engine_times: list[float] = []
        strict_times: list[float] = []
        bulk_times: list[float] = []
        command_times: list[float] = []
        for _ in range(args.runs):
            engine_times.append(engine_alone(ws, n))
            strict_times.append(engine_alone(ws, n, collect=False))
            bulk_times.append(bulk_run(template, scratch, n))
            command_times.append(bulk_command(template, scratch, n))
        single = one_by_one(template, scratch, min(args.single, n))

    e, b, c = statistics.median(engine_times), statistics.median(bulk_times), statistics.median(command_times)
    paired = statistics.median(x / y for x, y in zip(bulk_times, engine_times))
    strict = statistics.median(x / y for x, y in zip(bulk_times, strict_times))
    g = statistics.median(strict_times)
    k = min(args.single, n)
    print()
    print(f"Negotiate on {n:,} records (medians of {args.runs} rounds)")
    print(f"{'':44}{'seconds':>10}{'records/s':>12}{'vs engine':>11}")
    print(f"{'engine alone, in memory':44}{e:>10.2f}{n / e:>12,.0f}{1:>10.2f}x")
    print(f"{'engine alone, garbage collector off':44}{g:>10.2f}{n / g:>12,.0f}{g / e:>10.2f}x")
    print(f"{'bulk (workspace: store reads + writes)':44}{b:>10.2f}{n / b:>12,.0f}{b / e:>10.2f}x")
    print(f"{'blueprint bulk (the command, a new process)':44}{c:>10.2f}{n / c:>12,.0f}{c / e:>10.2f}x")
    print(f"{f'one move at a time ({k:,} records, Workspace.move)':44}{single:>10.2f}{k / single:>12,.0f}"
          f"{(single / k) / (e / n):>10.2f}x")
    print()
    print(f"bulk / engine within each round: {', '.join(f'{x / y:.2f}x' for x, y in zip(bulk_times, engine_times))} "
          f"(median {paired:.2f}x; target: within 3x)")
    print(f"bulk / engine with the garbage collector off, as bulk runs: "
          f"{', '.join(f'{x / y:.2f}x' for x, y in zip(bulk_times, strict_times))} (median {strict:.2f}x)")
    print(f"all runs (s): engine {', '.join(f'{x:.2f}' for x in engine_times)}; "
          f"engine, no collector {', '.join(f'{x:.2f}' for x in strict_times)}; "
          f"bulk {', '.join(f'{x:.2f}' for x in bulk_times)}; command {', '.join(f'{x:.2f}' for x in command_times)}")
    print(f"machine: {os.cpu_count()} CPUs, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"workspaces in {args.dir or tempfile.gettempdir()}")


if __name__ == "__main__":
    main()

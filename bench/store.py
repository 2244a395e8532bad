"""Benchmark: does one operation on one record stay as cheap when the store grows?

    python bench/store.py [--records 100000] [--small 1000] [--moves 15]

Builds two workspaces with the deal sample published — a small one and a large
one — by writing store files directly (the format `blueprint` itself writes),
then measures, side by side in one run:

- `blueprint move` (the real command, a fresh process each time) on a random
  record of each workspace, alternating between them so that machine noise hits
  both alike; medians, and the large/small ratio (target: <= 1.5x);
- the same move inside one process (`Workspace.move`), which leaves out the
  interpreter start-up and shows the store's own cost;
- `blueprint record list --state Negotiation` on the large workspace;
- peak memory (max RSS) of each command.

Prints the figures; it is not a test and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from blueprint_cli.workspace import changes
from blueprint_cli import workspace
from blueprint_cli.engine import Inputs
from blueprint_cli.engine.records import HistoryEntry, Record
from blueprint_cli.store.files import atomic_write
from blueprint_cli.store.jsonstore import FORMAT, encode, shard, state_key

STATES = [("Qualification", 40), ("Negotiation", 20), ("Discount Approval", 10), ("Legal Review", 10),
          ("Closed Won", 10), ("Closed Lost", 10)]
CLOSE_ON = (date.today() + timedelta(days=30)).isoformat()
MOVE = ["Negotiate", "--set", f"close_on={CLOSE_ON}", "--check", "Budget confirmed",
        "--check", "Decision maker identified", "--note", "benchmark"]


def build(folder: Path, n: int, seed: int = 7) -> workspace.Workspace:
    """A workspace with `n` deals spread over the states, written straight to disk
    (in parallel: creating 100,000 small files is bound by the file system)."""
    import multiprocessing

    ws = workspace.init(folder, user="admin").workspace
    for i in range(256):
        (ws.root / "records" / f"{i:02x}").mkdir(parents=True, exist_ok=True)
    for state, _ in STATES:
        (ws.root / "index" / "deal-follow-up" / state_key(state)).mkdir(parents=True, exist_ok=True)
    jobs = max(1, os.cpu_count() or 1) * 2
    step = -(-n // jobs)
    chunks = [(str(ws.root), lo, min(n, lo + step - 1), seed) for lo in range(1, n + 1, step)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pool.map(_write_records, chunks)
    atomic_write(ws.root / "counters.json", f'{{"format": {FORMAT}, "next_id": {n + 1}}}\n'.encode())
    return ws


def _write_records(chunk: tuple[str, int, int, int]) -> None:
    root, lo, hi, seed = chunk
    index = Path(root) / "index" / "deal-follow-up"
    records = Path(root) / "records"
    for i in range(lo, hi + 1):
        record, history = deal(i, seed)
        (records / shard(record.id) / f"{record.id}.json").write_bytes(encode(record, history))
        (index / state_key(record.state or "") / record.id).touch()


def deal(i: int, seed: int = 7) -> tuple[Record, list[HistoryEntry]]:
    """Deal number `i`: a state drawn by the weights of STATES, its fields and its
    history (the same for the same `i` and `seed`, in every benchmark)."""
    rng = random.Random(seed * 1_000_003 + i)
    state = rng.choices([s for s, _ in STATES], [w for _, w in STATES])[0]
    at = (datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc) + timedelta(minutes=i)).isoformat(timespec="seconds")
    fields = {"name": f"Deal {i}", "amount": rng.randrange(1000, 200000), "discount": 0, "probability": 10,
              "signed": False}
    record = Record(id=str(i), module="Deals", blueprint="deal-follow-up", version=1, state=state,
                    owner=rng.choice(["alice", "bob"]) if state != "Qualification" else "alice",
                    fields=fields, created_at=at, updated_at=at, state_since=at)
    history = [HistoryEntry(at=at, user="alice", kind="create", to_state="Qualification",
                            changes={k: [None, v] for k, v in fields.items()}, version=1)]
    if state != "Qualification":
        history.append(HistoryEntry(at=at, user="alice", kind="move", transition="(generated)",
                                    from_state="Qualification", to_state=state, note="generated", version=1))
    return record, history


def command() -> list[str]:
    exe = shutil.which("blueprint")
    return [exe] if exe else [sys.executable, "-m", "blueprint_cli"]


def timed(args: list[str], cwd: Path) -> tuple[float, int, int]:
    """Wall seconds, exit code and peak memory (KiB) of one command."""
    env = {k: v for k, v in os.environ.items() if k not in ("BLUEPRINT_WORKSPACE", "BLUEPRINT_USER")}
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, proc.returncode, usage.ru_maxrss


def qualification_ids(ws: workspace.Workspace) -> list[str]:
    folder = ws.root / "index" / "deal-follow-up" / "Qualification"
    return [e.name for e in os.scandir(folder)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000, help="records in the large workspace")
    ap.add_argument("--small", type=int, default=1_000, help="records in the small workspace")
    ap.add_argument("--moves", type=int, default=15, help="`blueprint move` runs per workspace")
    ap.add_argument("--in-process", type=int, default=200, help="in-process moves per workspace")
    ap.add_argument("--dir", type=Path, help="where to build the workspaces (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the workspaces")
    args = ap.parse_args()

    base = args.dir or Path(tempfile.mkdtemp(prefix="blueprint-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"workspaces in {base}")
    try:
        sizes = {"small": args.small, "large": args.records}
        spaces: dict[str, workspace.Workspace] = {}
        for label, n in sizes.items():
            t0 = time.perf_counter()
            spaces[label] = build(base / label, n)
            print(f"  built {label}: {n:,} records in {time.perf_counter() - t0:.1f} s")

        rng = random.Random(11)
        pools = {label: qualification_ids(ws) for label, ws in spaces.items()}
        for pool in pools.values():
            rng.shuffle(pool)

        # 1. the real command, alternating small/large
        cli = command()
        cmd_times: dict[str, list[float]] = {k: [] for k in sizes}
        cmd_rss: dict[str, int] = {k: 0 for k in sizes}
        for label in sizes:  # one warm-up each: the first run pays for cold caches
            timed([*cli, "--as", "alice", "move", pools[label].pop(), *MOVE], spaces[label].folder)
        for _ in range(args.moves):
            for label in sizes:
                sec, _, rss = timed([*cli, "--as", "alice", "move", pools[label].pop(), *MOVE], spaces[label].folder)
                cmd_times[label].append(sec)
                cmd_rss[label] = max(cmd_rss[label], rss)

        # 2. in one process: the store's own cost
        proc_times: dict[str, list[float]] = {k: [] for k in sizes}
        inputs = Inputs(fields={"close_on": CLOSE_ON}, checklist=("Budget confirmed", "Decision maker identified"),
                        note="benchmark")
        for label, ws in spaces.items():
            changes.move(ws, pools[label].pop(), "Negotiate", inputs, user="alice")  # warm-up
        for _ in range(args.in_process):
            for label, ws in spaces.items():
                rid = pools[label].pop()
                t0 = time.perf_counter()
                result = changes.move(ws, rid, "Negotiate", inputs, user="alice")
                proc_times[label].append(time.perf_counter() - t0)
                assert not result.refused, result.outcome

        # 3. listing by state on the large workspace
        large = spaces["large"]
        in_state = len(os.listdir(large.root / "index" / "deal-follow-up" / "Negotiation"))
        list_runs = [timed([*cli, "record", "list", "--state", "Negotiation"], large.folder) for _ in range(3)]
        json_runs = [timed([*cli, "--json", "record", "list", "--state", "Negotiation"], large.folder)
                     for _ in range(3)]

        med = {k: statistics.median(v) for k, v in cmd_times.items()}
        pmed = {k: statistics.median(v) for k, v in proc_times.items()}
        print()
        print(f"{'':34}{'small':>12}{'large':>12}{'ratio':>8}")
        print(f"{'records':34}{sizes['small']:>12,}{sizes['large']:>12,}")
        print(f"{'`blueprint move`, median (ms)':34}{med['small'] * 1000:>12.1f}{med['large'] * 1000:>12.1f}"
              f"{med['large'] / med['small']:>7.2f}x")
        print(f"{'  min / max (ms)':34}{_mm(cmd_times['small']):>12}{_mm(cmd_times['large']):>12}")
        print(f"{'  peak memory (MiB)':34}{cmd_rss['small'] / 1024:>12.1f}{cmd_rss['large'] / 1024:>12.1f}")
        print(f"{'move in one process, median (ms)':34}{pmed['small'] * 1000:>12.2f}{pmed['large'] * 1000:>12.2f}"
              f"{pmed['large'] / pmed['small']:>7.2f}x")
        print()
        print(f"`blueprint record list --state Negotiation` on {sizes['large']:,} records ({in_state:,} listed):")
        print(f"  text: median {statistics.median(r[0] for r in list_runs):.2f} s, "
              f"peak memory {max(r[2] for r in list_runs) / 1024:.0f} MiB")
        print(f"  --json: median {statistics.median(r[0] for r in json_runs):.2f} s, "
              f"peak memory {max(r[2] for r in json_runs) / 1024:.0f} MiB")
        print(f"\n(`blueprint move` runs: {args.moves} per workspace after one warm-up; in-process: {args.in_process};"
              f" {os.cpu_count()} CPUs; Python {sys.version.split()[0]})")
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(base, ignore_errors=True)


def _mm(values: list[float]) -> str:
    return f"{min(values) * 1000:.0f}/{max(values) * 1000:.0f}"


if __name__ == "__main__":
    main()

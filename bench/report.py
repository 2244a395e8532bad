"""Benchmark: `blueprint report` and `blueprint board` on a large store, and
listing one state.

    python bench/report.py [--records 100000] [--rounds 3] [--postgres] [--url postgresql://...]

Builds a workspace with the deal sample published and `--records` deals, each
with a create entry and 10 moves along real transitions (Negotiate, Request
discount / Decide discount back and forth, Send to legal… ; a fifth of them are
still open), written straight to disk as `blueprint` writes them. Then, side by
side in each round (medians, and the ratios, from one run):

- `cat` of every record file (`find … | xargs cat`): reading the bytes once,
  the floor for anything that reads the history;
- `blueprint report --json` (the real command; target: within 2× the `cat`);
- `blueprint board` (target: ≤ 1 s);
- `blueprint record list --state Negotiation` (all of it; target ≤ 1 s) and
  `--limit 50 --sort -id` (the newest 50; target ≤ 0.3 s);
- the peak memory of the report here and on a workspace of half the size
  (what it keeps grows with the stays measured, not with records).

With `--postgres`, the same deals are loaded into a schema on the test server
of `.ci/start-postgres.sh` (or `--url`), and `report` (target ≤ 2 s) and
`board` are timed there too. Prints the figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from blueprint_cli.engine.records import HistoryEntry, Record

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("json_bench", HERE / "store.py")
assert _spec and _spec.loader
json_bench: Any = importlib.util.module_from_spec(_spec)
sys.modules["json_bench"] = json_bench  # its worker pool pickles functions by module name
_spec.loader.exec_module(json_bench)

#: (transition, from, to): ten moves of a deal that goes round the discount loop, then to legal and signs
PATH = [("Negotiate", "Qualification", "Negotiation")] + [
    step for _ in range(3) for step in (("Request discount", "Negotiation", "Discount Approval"),
                                        ("Decide discount", "Discount Approval", "Negotiation"))] + [
    ("Send to legal", "Negotiation", "Legal Review"), ("Sign-off", "Legal Review", "Closed Won")]
#: ten moves of a deal still open (round the loop, and back in Negotiation... then Discount Approval)
OPEN = [("Negotiate", "Qualification", "Negotiation")] + [
    step for _ in range(4) for step in (("Request discount", "Negotiation", "Discount Approval"),
                                        ("Decide discount", "Discount Approval", "Negotiation"))] + [
    ("Request discount", "Negotiation", "Discount Approval")]
NOW = "2027-06-01T09:00:00+00:00"


def deal(i: int, seed: int = 7) -> tuple[Record, list[HistoryEntry]]:
    """Deal `i` with a create entry and 10 moves, at random hours apart."""
    rng = random.Random(seed * 1_000_003 + i)
    steps = list(OPEN if rng.random() < 0.2 else PATH)
    if steps is not OPEN and steps[-1][0] == "Sign-off" and rng.random() < 0.3:
        steps[-1] = ("Lose", "Legal Review", "Closed Lost")
    at = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc) + timedelta(minutes=i * 3)
    fields = {"name": f"Deal {i}", "amount": rng.randrange(1000, 200000), "discount": 0, "probability": 10,
              "signed": False}
    stamp = at.isoformat(timespec="seconds")
    history = [HistoryEntry(at=stamp, user="alice", kind="create", to_state="Qualification",
                            changes={k: [None, v] for k, v in fields.items()}, version=1)]
    for transition, source, target in steps:
        at += timedelta(hours=rng.randrange(1, 96))
        history.append(HistoryEntry(at=at.isoformat(timespec="seconds"), user=rng.choice(["alice", "bob"]),
                                    kind="move", transition=transition, from_state=source, to_state=target,
                                    note="generated", version=1))
    last = history[-1].at
    record = Record(id=str(i), module="Deals", blueprint="deal-follow-up", version=1, state=steps[-1][2],
                    owner=rng.choice(["alice", "bob"]), fields=fields, created_at=stamp, updated_at=last,
                    state_since=last)
    return record, history


json_bench.deal = deal  # bench/store.py's builder writes these deals
json_bench.STATES = [(s, 1) for s in ("Qualification", "Negotiation", "Discount Approval", "Legal Review",
                                      "Closed Won", "Closed Lost")]


def timed(args: list[str], cwd: Path, shell: bool = False) -> tuple[float, int]:
    """Wall seconds and peak memory (KiB) of one command (output thrown away)."""
    env = {k: v for k, v in os.environ.items() if k not in ("BLUEPRINT_WORKSPACE", "BLUEPRINT_USER")}
    t0 = time.perf_counter()
    proc = subprocess.Popen(args if not shell else ["bash", "-c", args[0]], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    ap.add_argument("--url", help="a PostgreSQL server (default: the test server of .ci/start-postgres.sh)")
    ap.add_argument("--dir", type=Path, help="where to build the workspaces (kept; reused when already built)")
    args = ap.parse_args()

    base = args.dir or Path(tempfile.mkdtemp(prefix="blueprint-report-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    cli = json_bench.command()
    try:
        spaces = {}
        for label, n in (("large", args.records), ("half", args.records // 2)):
            folder = base / label
            if not (folder / ".blueprint" / "counters.json").exists():
                t0 = time.perf_counter()
                json_bench.build(folder, n)
                print(f"built {label}: {n:,} records in {time.perf_counter() - t0:.1f} s")
            spaces[label] = folder
        large = spaces["large"]
        records = large / ".blueprint" / "records"
        size = sum(f.stat().st_size for d in records.iterdir() for f in d.iterdir())
        print(f"{args.records:,} record files, {size / 2**20:.0f} MiB; {os.cpu_count()} CPUs; "
              f"Python {sys.version.split()[0]}")

        cat = [f"find {records} -name '*.json' -print0 | xargs -0 cat > /dev/null"]
        report = [*cli, "report", "--json", "--now", NOW]
        runs: dict[str, list[tuple[float, int]]] = {k: [] for k in (
            "cat", "report", "report (half)", "board", "list", "list50")}
        timed(cat, large, shell=True)  # warm the page cache once for all
        for _ in range(args.rounds):
            runs["cat"].append(timed(cat, large, shell=True))
            runs["report"].append(timed(report, large))
            runs["report (half)"].append(timed(report, spaces["half"]))
            runs["board"].append(timed([*cli, "board", "--now", NOW], large))
            runs["list"].append(timed([*cli, "record", "list", "--state", "Discount Approval"], large))
            runs["list50"].append(timed([*cli, "record", "list", "--state", "Discount Approval", "--limit", "50",
                                         "--sort", "-id"], large))
        med = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
        rss = {k: max(r[1] for r in v) / 1024 for k, v in runs.items()}
        print(f"\nmedians of {args.rounds} rounds, side by side:")
        print(f"  cat of every record file        {med['cat']:7.2f} s")
        print(f"  blueprint report --json         {med['report']:7.2f} s   {med['report'] / med['cat']:.2f}x the cat"
              f"   peak {rss['report']:.0f} MiB")
        print(f"  report on half the records      {med['report (half)']:7.2f} s"
              f"   peak {rss['report (half)']:.0f} MiB")
        print(f"  blueprint board                 {med['board']:7.2f} s   peak {rss['board']:.0f} MiB")
        in_state = len(os.listdir(large / ".blueprint" / "index" / "deal-follow-up" / "Discount Approval"))
        print(f"  record list --state Discount Ap. {med['list']:7.2f} s   ({in_state:,} records)")
        print(f"  … --limit 50 --sort -id         {med['list50']:7.2f} s")

        if args.postgres:
            bench_pg: Any = importlib.util.module_from_spec(
                spec := importlib.util.spec_from_file_location("pg_bench", HERE / "store_postgres.py"))
            assert spec and spec.loader
            spec.loader.exec_module(bench_pg)
            bench_pg.json_bench = json_bench
            url = bench_pg.server_url(args.url)
            schema = f"report_bench_{os.getpid()}"
            t0 = time.perf_counter()
            shutil.rmtree(base / "pg", ignore_errors=True)  # a kept --dir: its schema went with its run
            ws = bench_pg.build_postgres(base / "pg", f"{url}?schema={schema}", args.records)
            print(f"\nloaded {args.records:,} records into PostgreSQL in {time.perf_counter() - t0:.1f} s")
            pg_runs: dict[str, list[tuple[float, int]]] = {"report": [], "board": []}
            try:
                for _ in range(args.rounds):
                    pg_runs["report"].append(timed(report, ws.folder))
                    pg_runs["board"].append(timed([*cli, "board", "--now", NOW], ws.folder))
            finally:
                import psycopg

                with psycopg.connect(url, password=os.environ.get("BLUEPRINT_PG_PASSWORD"), autocommit=True) as c:
                    c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            for k, v in pg_runs.items():
                print(f"  PostgreSQL {k:21}{statistics.median(r[0] for r in v):7.2f} s"
                      f"   peak {max(r[1] for r in v) / 1024:.0f} MiB")
    finally:
        if args.dir is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

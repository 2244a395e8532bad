"""Benchmark: the PostgreSQL store against the JSON store on the same machine.

    python bench/store_postgres.py [--records 100000] [--clients 1,4,16] [--seconds 4]
                                   [--bulk 10000] [--url postgresql://...]

Builds two workspaces with the deal sample published and the same 100,000 deals
spread over its states — one in JSON files (as bench/store.py builds it), one in
PostgreSQL (written with COPY, not through the CLI) — then, for each store:

- moves per second with 1, 4 and 16 concurrent client processes: each process
  opens the workspace as `blueprint` does and performs `Negotiate` (fields,
  checklist, note, a `set` and a `task` action) on its own random records for
  `--seconds`, through `Workspace.move` (the code path of `blueprint move`, less
  the interpreter start-up); total moves per second and the median and 95th
  percentile latency of one move;
- `blueprint bulk Negotiate --where "amount <= X"` (the real command) on about
  `--bulk` records still in Qualification;
- `blueprint record list --state Negotiation` (the real command).

The server is the test server of `.ci/start-postgres.sh` (started if needed), or
`--url` (password from $BLUEPRINT_PG_PASSWORD). Both stores write durably: the
JSON store fsyncs each file, PostgreSQL each commit (its defaults). Prints the
figures; it is not a test and asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from blueprint_cli.workspace import changes
from blueprint_cli import workspace
from blueprint_cli.engine import Inputs
from blueprint_cli.store import StoredRecord

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("json_bench", HERE / "store.py")
assert _spec and _spec.loader
json_bench: Any = importlib.util.module_from_spec(_spec)
sys.modules["json_bench"] = json_bench  # its worker pool pickles functions by module name
_spec.loader.exec_module(json_bench)

STATES: list[tuple[str, int]] = json_bench.STATES
CLOSE_ON: str = json_bench.CLOSE_ON
INPUTS = Inputs(fields={"close_on": CLOSE_ON}, checklist=("Budget confirmed", "Decision maker identified"),
                note="benchmark")


def server_url(given: str | None) -> str:
    if given:
        return given
    out = subprocess.run(["bash", str(HERE.parent / ".ci" / "start-postgres.sh")], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"cannot start the test server: {out.stderr}")
    port = os.environ.get("BLUEPRINT_PG_PORT", "54329")
    if not os.environ.get("BLUEPRINT_PG_PASSWORD"):
        run = Path(os.environ.get("BLUEPRINT_PG_RUN", f"/tmp/blueprint-pg-{port}"))
        os.environ["BLUEPRINT_PG_PASSWORD"] = (os.environ.get("BLUEPRINT_TEST_PG_PASSWORD")
                                               or (run / "password").read_text().strip())
    return out.stdout.strip().splitlines()[-1]


def deals(n: int, seed: int = 7) -> Iterator[StoredRecord]:
    """The same deals bench/store.py writes as files (same states, fields, history)."""
    for i in range(1, n + 1):
        yield StoredRecord(*json_bench.deal(i, seed))


def build_postgres(folder: Path, url: str, n: int) -> workspace.Workspace:
    ws = workspace.init(folder, user="admin", store=url).workspace
    ws.store.load_records(deals(n), next_id=n + 1)  # type: ignore[attr-defined]
    with ws.store.connect() as conn:  # fresh statistics for the planner, as autovacuum would soon
        conn.execute(f"ANALYZE {ws.store._s}.records")
        conn.execute(f"ANALYZE {ws.store._s}.history")
    return workspace.find(folder)


def qualification_ids(ws: workspace.Workspace) -> list[str]:
    return [r.id for r in ws.store.scan(blueprint="deal-follow-up", state="Qualification")]


def _client(folder: str, ids: list[str], seconds: float, barrier: Any, results: Any) -> None:
    ws = workspace.find(Path(folder))
    ws.published()  # connect and read the blueprint before the clock starts
    ws.blueprint("deal-follow-up")
    barrier.wait()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    latencies = []
    for record_id in ids:
        start = time.perf_counter()
        if start >= deadline:
            break
        result = changes.move(ws, record_id, "Negotiate", INPUTS, user="alice")
        if result.refused:
            raise SystemExit(f"move refused on {record_id}: {result.outcome}")
        latencies.append(time.perf_counter() - start)
    results.put((len(latencies), time.perf_counter() - t0, latencies))


def concurrent_moves(ws: workspace.Workspace, pool: list[str], clients: int, seconds: float) -> dict[str, float]:
    ctx = multiprocessing.get_context("spawn")  # each client a fresh process with its own connection
    barrier = ctx.Barrier(clients + 1)
    results = ctx.Queue()
    # enough records for a client that moves 600 times a second, and at most half of those
    # left: the rest stay for the next levels and the bulk figure
    share = min(len(pool) // (2 * clients), int(600 * seconds) + 50)
    procs = []
    for c in range(clients):
        mine = [pool.pop() for _ in range(share)]
        procs.append(ctx.Process(target=_client, args=(str(ws.root), mine, seconds, barrier, results)))
    for p in procs:
        p.start()
    barrier.wait()
    got = [results.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    moves = sum(g[0] for g in got)
    elapsed = max(g[1] for g in got)
    lat = sorted(x for g in got for x in g[2])
    if not lat:
        raise SystemExit("no records left to move: use more --records or fewer --seconds")
    return {"moves": moves, "per_second": moves / elapsed, "median_ms": statistics.median(lat) * 1000,
            "p95_ms": lat[int(len(lat) * 0.95)] * 1000}


def bulk(ws: workspace.Workspace, n: int) -> tuple[int, float]:
    """`blueprint bulk Negotiate --where "amount <= X"` (the real command, one process)
    on about `n` of the records still in Qualification. Returns how many it moved
    and the seconds it took."""
    amounts = sorted(r.fields["amount"] for r in ws.store.scan(blueprint="deal-follow-up", state="Qualification"))
    if not amounts:
        raise SystemExit("no records left for the bulk figure: use more --records")
    limit = amounts[min(n, len(amounts)) - 1]
    before = len(ws.store.ids(blueprint="deal-follow-up", state="Negotiation"))
    cli = json_bench.command()
    args = [*cli, "--as", "alice", "bulk", *json_bench.MOVE, "--where", f"amount <= {limit}"]
    seconds = json_bench.timed(args, ws.folder)[0]
    moved = len(workspace.find(ws.folder).store.ids(blueprint="deal-follow-up", state="Negotiation")) - before
    return moved, seconds


def list_state(ws: workspace.Workspace) -> float:
    cli = json_bench.command()
    runs = [json_bench.timed([*cli, "record", "list", "--state", "Negotiation"], ws.folder)[0] for _ in range(3)]
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--clients", default="1,4,16", help="concurrent client processes, comma-separated")
    ap.add_argument("--seconds", type=float, default=4.0, help="how long each concurrency level runs")
    ap.add_argument("--bulk", type=int, default=10_000, help="records for the bulk figure (0: skip)")
    ap.add_argument("--url", help="a PostgreSQL server (default: the test server of .ci/start-postgres.sh)")
    ap.add_argument("--stores", default="json,postgres")
    ap.add_argument("--dir", type=Path, help="where to build the workspaces (default: a temporary folder)")
    args = ap.parse_args()

    url = server_url(args.url)
    schema = f"bench_{os.getpid()}"
    base = Path(tempfile.mkdtemp(prefix="blueprint-bench-pg-", dir=args.dir))
    levels = [int(c) for c in args.clients.split(",")]
    stores = args.stores.split(",")
    spaces: dict[str, workspace.Workspace] = {}
    figures: dict[str, dict[str, Any]] = {s: {} for s in stores}
    try:
        for store in stores:
            t0 = time.perf_counter()
            if store == "json":
                spaces[store] = json_bench.build(base / "json", args.records)
            else:
                spaces[store] = build_postgres(base / "pg", f"{url}?schema={schema}", args.records)
            print(f"built {store}: {args.records:,} records in {time.perf_counter() - t0:.1f} s", flush=True)

        for store, ws in spaces.items():
            pool = qualification_ids(ws)
            random.Random(3).shuffle(pool)
            for clients in levels:
                f = concurrent_moves(ws, pool, clients, args.seconds)
                figures[store][clients] = f
                print(f"{store:9} {clients:3} clients: {f['per_second']:7.1f} moves/s "
                      f"(median {f['median_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms, {f['moves']} moves)", flush=True)
            if args.bulk:
                moved, sec = bulk(ws, args.bulk)
                figures[store]["bulk"] = (moved, sec)
                print(f"{store:9} `blueprint bulk` on {moved:,} records: {sec:.1f} s = {moved / sec:.0f} records/s",
                      flush=True)
            figures[store]["list"] = list_state(ws)
            print(f"{store:9} `record list --state Negotiation`: {figures[store]['list']:.2f} s", flush=True)

        print()
        print(f"| {args.records:,} records | " + " | ".join(stores) + " |")
        print("|---|" + "---|" * len(stores))
        for clients in levels:
            cells = [f"{figures[s][clients]['per_second']:.0f} moves/s (p95 {figures[s][clients]['p95_ms']:.0f} ms)"
                     for s in stores]
            print(f"| {clients} client{'s' if clients > 1 else ''} | " + " | ".join(cells) + " |")
        if args.bulk:
            print("| `blueprint bulk` on ~{:,} records | ".format(args.bulk)
                  + " | ".join(f"{figures[s]['bulk'][1]:.1f} s ({figures[s]['bulk'][0]:,} moved)" for s in stores)
                  + " |")
        print("| `record list --state Negotiation` | "
              + " | ".join(f"{figures[s]['list']:.2f} s" for s in stores) + " |")
        print(f"\n({os.cpu_count()} CPUs; Python {sys.version.split()[0]}; {args.seconds:g} s per level)")
    finally:
        if "postgres" in spaces:
            store = spaces["postgres"].store
            store.close()
            import psycopg

            with psycopg.connect(url, password=os.environ.get("BLUEPRINT_PG_PASSWORD"), autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

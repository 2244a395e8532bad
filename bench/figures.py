"""Benchmark: the report's figures alone, per record (`figures.Tally.add`).

    python bench/figures.py [--records 20000] [--rounds 5] [--baseline DIR] [--profile]

Builds `--records` deals of bench/report.py's generator (a create entry and 10
moves along real transitions) in memory, as the JSON store's `histories`
yields them (`Record`, `Passage`s decoded from each record file's text), and times `Tally.add` over all of them in a process of
its own: no store, no file, no start-up; microseconds per record, wall and CPU
(the process's own), best of three passes in each process. Cases:

- `default`: the report of bench/report.py (the default calendar, each time in
  its own offset; no window);
- `berlin`: a calendar in Europe/Berlin (lunch break, holidays), every fifth
  deal of the 100,000 so that the stays cross the changes of offset of 2026,
  with a window (`--since`/`--until`), `--by owner` and `--idle 14d`.

With `--baseline DIR` (a folder holding another version's `blueprint_cli`, e.g.
`git archive main blueprint_cli | tar -x -C DIR`), each case also runs with
that code, alternated with this checkout's round by round; the medians, the
ratios after/before, and whether the two reports are the same (their `--json`
text, compared byte for byte by digest) are printed. `--profile` prints where
one pass of each case goes (cProfile), with this checkout's code.
Prints the figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NOW = "2027-06-01T09:00:00+00:00"
CASES = ("default", "berlin")


def _deals() -> Any:
    """bench/report.py's generator of deals (imported by path: bench is no package)."""
    spec = importlib.util.spec_from_file_location("report_bench", HERE / "report.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["report_bench"] = module
    spec.loader.exec_module(module)
    return module.deal


def _tally(case: str) -> tuple[Any, list[Any]]:
    """The tally of one case (nothing counted yet), and the records it counts."""
    from blueprint_cli.check import load_blueprint
    from blueprint_cli.engine.records import Record, passages_of
    from blueprint_cli.language.calendar import DEFAULT, from_config
    from blueprint_cli.report.figures import Tally, Window
    from blueprint_cli.store.recordfile import encode

    deal = _deals()
    bp = load_blueprint(HERE.parent / "sample_blueprints" / "deal-follow-up.yaml")
    n = int(os.environ["FIGURES_RECORDS"])
    now = datetime.fromisoformat(NOW)
    if case == "default":
        made = [deal(i) for i in range(1, n + 1)]
        tally = Tally(bp, now=now, calendar=DEFAULT, versions=lambda v: bp if v == 1 else None)
    else:
        from zoneinfo import ZoneInfo

        made = [deal(i * 5) for i in range(1, n + 1)]
        zone = ZoneInfo("Europe/Berlin")
        calendar = from_config({"time_zone": "Europe/Berlin", "hours": ["08:30-12:30", "13:30-17:45"],
                                "holidays": ["2026-01-06", "2026-04-03", "2026-04-06", "2026-05-01",
                                             "2026-05-14", "2026-05-25", "2026-10-03", "2026-12-25"]})
        window = Window(datetime(2026, 2, 15, tzinfo=zone), datetime(2026, 11, 1, tzinfo=zone))
        tally = Tally(bp, now=now, calendar=calendar, versions=lambda v: bp if v == 1 else None, window=window,
                      by=lambda r: r.owner, idle=timedelta(days=14), zone=zone)
    # as the JSON store reads them: decoded from the record file (strings of their own, as on disk)
    docs = (json.loads(encode(record, history)) for record, history in made)
    records = [(Record.from_dict(doc["record"]), passages_of(doc["history"])) for doc in docs]
    return tally, records


def worker(case: str, profile: bool) -> None:
    """One process: three passes over the records, each into a fresh tally;
    prints the best pass (µs per record, wall and CPU) and the report's digest."""
    import gc

    tally, records = _tally(case)
    best_wall = best_cpu = float("inf")
    digest = ""
    for _ in range(3):
        fresh = tally.fresh()
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        fresh.add(records)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
        text = json.dumps(fresh.report(by_name="owner" if fresh.by else None).to_dict(), indent=2)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    if profile:
        import cProfile
        import pstats

        fresh = tally.fresh()
        prof = cProfile.Profile()
        prof.runcall(fresh.add, records)
        pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(14)
    n = len(records)
    print(json.dumps({"wall_us": best_wall / n * 1e6, "cpu_us": best_cpu / n * 1e6, "digest": digest}))


def run(case: str, code: Path | None, records: int, profile: bool = False) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(code or HERE.parent)
    env["PYTHONPYCACHEPREFIX"] = "/tmp/blueprint-bench-pycache"
    env["FIGURES_RECORDS"] = str(records)
    args = [sys.executable, str(Path(__file__).resolve()), "--worker", case] + (["--profile"] if profile else [])
    out = subprocess.run(args, env=env, check=True, capture_output=not profile, text=True)
    if profile:
        return {}
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--baseline", type=Path, help="a folder holding another version's blueprint_cli to compare with")
    ap.add_argument("--profile", action="store_true", help="where one pass goes, by function (this checkout)")
    ap.add_argument("--worker", choices=CASES, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.profile)
        return
    if args.profile:
        for case in CASES:
            print(f"--- {case}", file=sys.stderr, flush=True)
            run(case, None, args.records, profile=True)
        return
    codes: dict[str, Path | None] = {"after": None}
    if args.baseline is not None:
        codes["before"] = args.baseline.resolve()
    for code in codes.values():
        subprocess.run([sys.executable, "-m", "compileall", "-q", str((code or HERE.parent) / "blueprint_cli")],
                       env={**os.environ, "PYTHONPYCACHEPREFIX": "/tmp/blueprint-bench-pycache"}, check=True,
                       stdout=subprocess.DEVNULL)
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for _ in range(args.rounds):
        for case in CASES:
            for label, code in codes.items():
                runs.setdefault((case, label), []).append(run(case, code, args.records))
    print(f"Tally.add over {args.records:,} records, µs per record, medians of {args.rounds} processes "
          f"(each the best of 3 passes), side by side:")
    for case in CASES:
        line = f"  {case:8}"
        for label in codes:
            r = runs[(case, label)]
            line += (f"  {label}: wall {statistics.median(x['wall_us'] for x in r):6.1f}"
                     f" / CPU {statistics.median(x['cpu_us'] for x in r):6.1f}")
        if "before" in codes:
            a, b = runs[(case, "after")], runs[(case, "before")]
            line += (f"  after/before: wall {statistics.median(x['wall_us'] for x in a) / statistics.median(x['wall_us'] for x in b):.2f},"
                     f" CPU {statistics.median(x['cpu_us'] for x in a) / statistics.median(x['cpu_us'] for x in b):.2f}")
            digests = {x["digest"] for x in a} | {x["digest"] for x in b}
            line += "  reports: " + ("identical" if len(digests) == 1 else f"DIFFERENT {sorted(digests)}")
        print(line)
    print(f"  load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()

"""Benchmark: `blueprint report` and `blueprint board` on a large store, and
listing one state.

    python bench/report.py [--records 100000] [--rounds 3] [--postgres | --postgres-only]
                           [--url postgresql://...] [--baseline DIR]

Builds a workspace with the deal sample published and `--records` deals, each
with a create entry and 10 moves along real transitions (Negotiate, Request
discount / Decide discount back and forth, Send to legal… ; a fifth of them are
still open), written straight to disk as `blueprint` writes them. Then, side by
side in each round (medians, and the ratios, from one run):

- `cat` of every record file (`find … | xargs cat`): reading the bytes once,
  the floor for anything that reads the history;
- `blueprint report --json` (the real command; target: within 2× the `cat`):
  first with no summary of the stays (`.blueprint/stays/` deleted: the store as
  a bulk write or import leaves it; this report reads every file and writes
  the summary), then again (the summary read, each record file only `stat`ed);
- `blueprint board` (target: ≤ 1 s);
- `blueprint record list --state Negotiation` (all of it; target ≤ 1 s) and
  `--limit 50 --sort -id` (the newest 50; target ≤ 0.3 s);
- the peak memory of the report here and on a workspace of half the size
  (what it keeps grows with the stays measured, not with records).

With `--postgres`, the same deals are loaded into a schema on the test server
of `.ci/start-postgres.sh` (or `--url`), and `report` (target ≤ 2 s) and
`board` are timed there too (`--postgres-only`: only there). With
`--baseline`, the deals are loaded a second time by that code, into a schema
of the layout it makes, and each version is timed on its own schema, side by
side, its `report --json` compared byte for byte with the other's.

With `--baseline DIR` (a folder holding another version's `blueprint_cli`, e.g.
`git archive main blueprint_cli | tar -x -C DIR`), every command also runs with
that code, right after this checkout's, and the ratios after/before are
printed, and whether the two versions' `report --json` are the same, byte for
byte (with no option, `--by owner --idle 14d`, and a window). Each command's
CPU time (user + system, its worker processes included) is printed next to its
wall time: on a shared machine it moves less.
Prints the figures; it asserts nothing.
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


def timed(args: list[str], cwd: Path, shell: bool = False, code: Path | None = None) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, with the processes it waited
    for) and peak memory (KiB) of one command (output thrown away), run with the
    `blueprint_cli` of `code` (default: this checkout's)."""
    env = _env(code)
    t0 = time.perf_counter()
    proc = subprocess.Popen(args if not shell else ["bash", "-c", args[0]], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def _output(args: list[str], cwd: Path, code: Path | None) -> bytes:
    """What a command prints, run with the `blueprint_cli` of `code`."""
    return subprocess.run(args, cwd=cwd, env=_env(code), check=True, capture_output=True).stdout


#: compiled modules, as an installed package has them (not in the checkouts' folders)
PYCACHE = Path(tempfile.gettempdir()) / "blueprint-bench-pycache"


def _env(code: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("BLUEPRINT_WORKSPACE", "BLUEPRINT_USER", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPATH"] = str(code or HERE.parent)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def compiled(code: Path | None) -> None:
    """Compile a version's modules once, so that start-up is timed as installed."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str((code or HERE.parent) / "blueprint_cli")],
                   env=_env(code), check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    ap.add_argument("--url", help="a PostgreSQL server (default: the test server of .ci/start-postgres.sh)")
    ap.add_argument("--dir", type=Path, help="where to build the workspaces (kept; reused when already built)")
    ap.add_argument("--baseline", type=Path, help="a folder holding another version's blueprint_cli to compare with")
    ap.add_argument("--postgres-only", action="store_true", help="only the PostgreSQL part (implies --postgres)")
    ap.add_argument("--load-postgres", nargs=3, metavar=("FOLDER", "URL", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.load_postgres:  # in a process of its own, with the code of PYTHONPATH (a --baseline's)
        folder, url, n = args.load_postgres
        pg_bench().build_postgres(Path(folder), url, int(n))
        return
    args.postgres = args.postgres or args.postgres_only

    base = args.dir or Path(tempfile.mkdtemp(prefix="blueprint-report-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    cli = [sys.executable, "-m", "blueprint_cli"]  # the code of this checkout (or --baseline's): PYTHONPATH
    try:
        if args.postgres_only:
            postgres(args, base, cli, [*cli, "report", "--json", "--now", NOW])
            return
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
        tiny = base / "tiny"  # start-up: a 1-record list of a 4-record workspace
        if not (tiny / ".blueprint" / "counters.json").exists():
            json_bench.build(tiny, 4)
        commands: dict[str, tuple[list[str], Path, bool]] = {
            "cat": (cat, large, True),
            "report (cold)": (report, large, False),
            "report": (report, large, False),
            "report (half)": (report, spaces["half"], False),
            "board": ([*cli, "board", "--now", NOW], large, False),
            "list": ([*cli, "record", "list", "--state", "Discount Approval"], large, False),
            "list50": ([*cli, "record", "list", "--state", "Discount Approval", "--limit", "50", "--sort", "-id"],
                       large, False),
            "list1": ([*cli, "record", "list", "--limit", "1"], tiny, False),
        }
        codes: dict[str, Path | None] = {"after": None}
        if args.baseline is not None:
            codes["before"] = args.baseline.resolve()
        runs: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
        timed(cat, large, shell=True)  # warm the page cache once for all
        for code in codes.values():
            compiled(code)
        for _ in range(args.rounds):
            for name, (command, where, shell) in commands.items():
                for label, code in codes.items():
                    if name == "cat" and label == "before":
                        continue
                    if name == "report (cold)" and label == "after":  # as after a bulk write: no summary yet
                        shutil.rmtree(where / ".blueprint" / "stays", ignore_errors=True)
                    runs.setdefault((name, label), []).append(timed(command, where, shell, code))
        wall = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
        cpu = {k: statistics.median(r[1] for r in v) for k, v in runs.items()}
        rss = {k: max(r[2] for r in v) / 1024 for k, v in runs.items()}
        in_state = len(os.listdir(large / ".blueprint" / "index" / "deal-follow-up" / "Discount Approval"))
        rows = {"cat": "cat of every record file", "report (cold)": "report --json, no stays summary",
                "report": "blueprint report --json",
                "report (half)": "report on half the records", "board": "blueprint board",
                "list": f"record list --state ({in_state:,})", "list50": "… --limit 50 --sort -id",
                "list1": "record list --limit 1, 4 records"}
        print(f"\nmedians of {args.rounds} rounds, side by side (wall s / CPU s, peak MiB):")
        cat_wall = wall[("cat", "after")]
        for name, title in rows.items():
            line = f"  {title:34}"
            for label in codes:
                if (name, label) not in wall:
                    continue
                w, c, m = wall[(name, label)], cpu[(name, label)], rss[(name, label)]
                line += f"  {label}: {w:6.2f} / {c:6.2f} s {m:4.0f} MiB"
                if name.startswith("report"):
                    line += f" ({w / cat_wall:.1f}x cat)"
            if (name, "before") in wall:
                line += (f"  after/before: wall {wall[(name, 'after')] / wall[(name, 'before')]:.2f},"
                         f" CPU {cpu[(name, 'after')] / cpu[(name, 'before')]:.2f}")
            print(line)
        print(f"  load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        if args.baseline is not None:
            same = {name: len({_output(report + extra, large, code) for code in codes.values()}) == 1
                    for name, extra in (("", []), (" --by owner --idle 14d", ["--by", "owner", "--idle", "14d"]),
                                        (" --since/--until", ["--since", "2026-02-01", "--until", "2026-03-15"]))}
            print("  report --json after and before: " + ", ".join(
                f"{'identical' if ok else 'DIFFERENT'}{name}" for name, ok in same.items()))

        if args.postgres:
            postgres(args, base, cli, report)
    finally:
        if args.dir is None:
            shutil.rmtree(base, ignore_errors=True)


def pg_bench() -> Any:
    bench_pg: Any = importlib.util.module_from_spec(
        spec := importlib.util.spec_from_file_location("pg_bench", HERE / "store_postgres.py"))
    assert spec and spec.loader
    spec.loader.exec_module(bench_pg)
    bench_pg.json_bench = json_bench
    return bench_pg


def postgres(args: argparse.Namespace, base: Path, cli: list[str], report: list[str]) -> None:
    """The same deals loaded into a schema of the server (with `--baseline`, a
    second schema loaded by that code, whose store it made), then `report` and
    `board` timed there, each version on its own schema, side by side."""
    bench_pg = pg_bench()
    url = bench_pg.server_url(args.url)
    codes: dict[str, Path | None] = {"after": None}
    if args.baseline is not None:
        codes["before"] = args.baseline.resolve()
    folders: dict[str, Path] = {}
    schemas = []
    try:
        for label, code in codes.items():
            schema = f"report_bench_{os.getpid()}_{label}"
            schemas.append(schema)
            folder = base / f"pg-{label}"
            shutil.rmtree(folder, ignore_errors=True)  # a kept --dir: its schema went with its run
            t0 = time.perf_counter()
            subprocess.run([sys.executable, str(HERE / "report.py"), "--load-postgres", str(folder),
                            f"{url}?schema={schema}", str(args.records)], env=_env(code), check=True)
            print(f"\nloaded {args.records:,} records into PostgreSQL in {time.perf_counter() - t0:.1f} s ({label})")
            folders[label] = folder
            compiled(code)
        outputs = {label: subprocess.run(report, cwd=folders[label], env=_env(code), capture_output=True).stdout
                   for label, code in codes.items()}
        runs: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
        for _ in range(args.rounds):
            for name, command in (("report", report), ("board", [*cli, "board", "--now", NOW])):
                for label, code in codes.items():
                    runs.setdefault((name, label), []).append(timed(command, folders[label], code=code))
    finally:
        import psycopg

        with psycopg.connect(url, password=os.environ.get("BLUEPRINT_PG_PASSWORD"), autocommit=True) as c:
            for schema in schemas:
                c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    print(f"PostgreSQL, medians of {args.rounds} rounds, side by side (wall s / client CPU s, peak MiB):")
    for name in ("report", "board"):
        line = f"  PostgreSQL {name:8}"
        for label in codes:
            v = runs[(name, label)]
            line += (f"  {label}: {statistics.median(r[0] for r in v):6.2f} / {statistics.median(r[1] for r in v):5.2f} s"
                     f" {max(r[2] for r in v) / 1024:4.0f} MiB")
        if "before" in codes:
            ratio = statistics.median(r[0] for r in runs[(name, "after")]) / \
                statistics.median(r[0] for r in runs[(name, "before")])
            line += f"  after/before: wall {ratio:.2f}"
        print(line)
    if "before" in codes:
        print(f"  report --json the same before and after: {'yes' if len(set(outputs.values())) == 1 else 'NO'}")
    print(f"  load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

"""Benchmark: what `blueprint report` spends *reading* the JSON store, per record,
in one process (no figures, no split between processes).

    python bench/report_reading.py --dir /tmp/rb/large [--rounds 3]

`--dir` is a workspace `bench/report.py --dir D` built (`D/large`). Side by
side in each round, the page cache warm:

- **full way**: every record file read and its whole history decoded, as the
  report read them before the summary of stays (`histories()`: the same
  `_passages` the report falls back on);
- **cold**: the report's pass (`digested_shares`, in one share) with no
  summary (`.blueprint/stays/` deleted, as after a bulk write): every file
  read the full way, its history digested (`report.figures.Digester`) and the
  summary written;
- **warm**: the same pass again: the summary read, each record file `stat`ed.

Prints the median CPU time per record of each (user + system of this process)
and the ratios. Asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

from blueprint_cli.report.figures import Digester
from blueprint_cli.store import CorruptFile
from blueprint_cli.store.jsonstore import JsonStore
from blueprint_cli.workspace.core import find

BLUEPRINT = "deal-follow-up"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", type=Path, required=True, help="a workspace bench/report.py built (its `large`)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    root = args.dir / ".blueprint"
    store = JsonStore(root)
    ws = find(args.dir)
    latest = ws.blueprint(BLUEPRINT)
    digest = Digester(latest, calendar=ws.calendar, versions=lambda n: ws.blueprint(BLUEPRINT, n),
                      version=next(p.latest for p in ws.published() if p.id == BLUEPRINT))

    def timed(pass_: str) -> tuple[float, int]:
        if pass_ == "cold":
            shutil.rmtree(root / "stays", ignore_errors=True)
        errors: list[CorruptFile] = []
        c0 = time.process_time()
        if pass_ == "full way":
            n = sum(1 for _ in store.histories(errors=errors))
        else:
            [share] = store.digested_shares(BLUEPRINT, digest, parts=1, least=1)
            n = sum(1 for _ in share(errors))
        return (time.process_time() - c0) / max(n, 1) * 1e6, n

    runs: dict[str, list[float]] = {}
    n = 0
    for _ in range(args.rounds):
        for pass_ in ("full way", "cold", "warm"):
            per_record, n = timed(pass_)
            runs.setdefault(pass_, []).append(per_record)
    median = {k: statistics.median(v) for k, v in runs.items()}
    print(f"{n:,} records, medians of {args.rounds} rounds, CPU per record (one process):")
    for pass_, value in median.items():
        spread = ", ".join(f"{v:.1f}" for v in runs[pass_])
        print(f"  {pass_:9} {value:6.1f} µs  ({median[pass_] / median['full way']:.2f}× the full way; rounds: {spread})")


if __name__ == "__main__":
    main()

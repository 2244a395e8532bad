"""Benchmark: a bulk whose transition sends a webhook, against a receiver that
answers, one that refuses connections, and one that never answers.

    python bench/bulk_delivery.py [--records 1000] [--runs 5]

Builds a workspace with N orders whose `Place` transition sends one webhook,
then runs the same bulk (`bulk.run`, what the command does after start-up) on a
fresh copy of the workspace three ways, side by side in each round:

- **live**: a threaded HTTP server in its own process answers 200 at once;
- **refused**: nothing listens on the port (connection refused);
- **silent**: a socket that listens and never accepts (connections are made by
  the system, and nothing ever answers).

With the defaults (`delivery_wait: 1`, `timeout: 10`, `attempts: 3`) a silent
receiver would keep each record 1 s; the pool and the circuit make it about
one wait per bulk. Prints medians, and the refused/live and silent/live ratios
(target: within 2x), also within each round. It is not a test and asserts
only that every record was moved and how its delivery ended.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from blueprint_cli.workspace import changes
from blueprint_cli.workspace.publishing import publish
from blueprint_cli import workspace
from blueprint_cli.engine import Inputs
from blueprint_cli.language.where import parse
from blueprint_cli.workspace import bulk

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
WHERE = "customer starts_with C"
BLUEPRINT = """\
blueprint: orders
module: Orders
field: stage
fields:
  customer: {type: text}
states:
  - name: New
  - name: Placed
    final: true
transitions:
  - name: Place
    from: New
    to: Placed
    then:
      - webhook: {url: "http://127.0.0.1:PORT/orders/{{record.id}}"}
"""
SERVER = textwrap.dedent("""\
    import sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 1024
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
""")


def build(folder: Path, n: int) -> None:
    ws = workspace.init(folder, sample=False).workspace
    (folder / "orders.yaml").write_text(BLUEPRINT, encoding="utf-8")
    publish(ws, folder / "orders.yaml", user="grace", at=NOW - timedelta(days=1))
    for i in range(n):
        changes.create(ws, "Orders", {"customer": f"C{i}"}, user="alice", at=NOW - timedelta(hours=1))


def fresh_copy(template: Path, scratch: Path, port: int) -> Path:
    """The template with its published blueprint's URL pointed at `port`."""
    shutil.rmtree(scratch, ignore_errors=True)
    if shutil.which("cp") is None or subprocess.run(["cp", "-a", str(template), str(scratch)]).returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(template, scratch, symlinks=True)
    for path in (scratch / ".blueprint").rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".json") and "blueprints" in path.parts:
            path.write_text(path.read_text(encoding="utf-8").replace("PORT", str(port)), encoding="utf-8")
    os.sync()
    return scratch


def run_bulk(template: Path, scratch: Path, port: int, n: int) -> tuple[float, Counter[str]]:
    ws = workspace.Workspace(fresh_copy(template, scratch, port) / ".blueprint")
    t0 = time.perf_counter()
    result = bulk.run(ws, "Place", parse(WHERE), Inputs(), user="alice", now=NOW, where_text=WHERE)
    elapsed = time.perf_counter() - t0
    assert len(result.done) == n and not result.refused, (len(result.done), result.refused[:1])
    ends = Counter("done" if not d.failed_actions else d.failed_actions[0].split(" → ")[-1].split(":")[0]
                   if "not tried" not in d.failed_actions[0] else "not tried" for d in result.done)
    return elapsed, ends


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dir", default=None, help="where to build the workspaces (default: the system's temp folder)")
    args = ap.parse_args()
    n = args.records
    live = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    silent = socket.create_server(("127.0.0.1", 0), backlog=4096)  # listens, never accepts
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        refused_port = s.getsockname()[1]
    try:
        assert live.stdout is not None
        live_port = int(live.stdout.readline())
        silent_port = silent.getsockname()[1]
        with tempfile.TemporaryDirectory(prefix="bp-bulk-delivery-", dir=args.dir) as tmp:
            template, scratch = Path(tmp) / "template", Path(tmp) / "scratch"
            t0 = time.perf_counter()
            build(template, n)
            print(f"built {n:,} orders in New in {time.perf_counter() - t0:.1f} s")
            times: dict[str, list[float]] = {"live": [], "refused": [], "silent": []}
            ends: dict[str, Counter[str]] = {}
            for _ in range(args.runs):
                # side by side: a slow spell of the shared machine hits all three alike
                for name, port in (("live", live_port), ("refused", refused_port), ("silent", silent_port)):
                    elapsed, how = run_bulk(template, scratch, port, n)
                    times[name].append(elapsed)
                    ends[name] = how
    finally:
        live.terminate()
        silent.close()

    med = {k: statistics.median(v) for k, v in times.items()}
    print()
    print(f"bulk Place on {n:,} records, one webhook each (medians of {args.runs} rounds)")
    print(f"{'receiver':38}{'seconds':>10}{'records/s':>12}{'vs live':>10}   how the deliveries ended")
    for name, label in (("live", "live (answers 200)"), ("refused", "refused (nothing listens)"),
                        ("silent", "silent (never answers)")):
        how = ", ".join(f"{k} {v}" for k, v in ends[name].most_common())
        print(f"{label:38}{med[name]:>10.2f}{n / med[name]:>12,.0f}{med[name] / med['live']:>9.2f}x   {how}")
    print()
    for name in ("refused", "silent"):
        each = ", ".join(f"{x / y:.2f}x" for x, y in zip(times[name], times["live"]))
        print(f"{name} / live within each round: {each} "
              f"(median {statistics.median(x / y for x, y in zip(times[name], times['live'])):.2f}x; target: within 2x)")
    print("all runs (s): " + "; ".join(f"{k} {', '.join(f'{x:.2f}' for x in v)}" for k, v in times.items()))
    print(f"machine: {os.cpu_count()} CPUs, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"workspaces in {args.dir or tempfile.gettempdir()}")


if __name__ == "__main__":
    main()

"""Benchmark: `blueprint lsp` as an editor drives it, on a 356-line blueprint.

    python bench/lsp.py                       # 100 edits, 100 completions, 1,000 edits for memory
    python bench/lsp.py --edits 200 --memory-edits 2000

The server runs in its own process, started as an editor starts it, and is
driven over stdio by a minimal client in this script (no library between: the
times are the server's and the pipe's). After start-up (the file opened and its
findings published):

- **diagnostics after a change**: one character typed or deleted in a state
  name (`to: Stage 0-3` → `to: Stage 0-3x` and back, so every other edit makes
  a BP301 finding with its did-you-mean and fix, and the next one clears it), as
  an incremental change the way editors send it; the time from sending the
  change to the `publishDiagnostics` for that version. The client waits for
  each before the next, with a pause of 100 ms (someone typing), so each
  change is linted alone. Target: p95 ≤ 50 ms.
- **completion**: `textDocument/completion` after `to: ` in a transition;
  time to the answer. Target: ≤ 20 ms.
- **memory**: the server's resident set after start-up and every 250 edits of
  a run of `--memory-edits` (each edit waited for, without the pause): it must
  not grow with the number of edits.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import blueprint_text  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


class Client:
    """JSON-RPC over the server's stdin and stdout; every message read is
    queued with the time it arrived."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=cwd, env=env)
        self.inbox: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        stream = self.proc.stdout
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = stream.read(length)
            self.inbox.put((time.perf_counter(), json.loads(body)))

    def send(self, payload: dict[str, Any]) -> float:
        assert self.proc.stdin is not None
        body = json.dumps(payload).encode("utf-8")
        sent = time.perf_counter()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return sent

    def notify(self, method: str, params: Any) -> float:
        return self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any) -> tuple[float, Any]:
        self.next_id += 1
        sent = self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        arrived, msg = self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)
        return arrived - sent, msg.get("result")

    def wait(self, match: Any, timeout: float = 60) -> tuple[float, dict[str, Any]]:
        end = time.perf_counter() + timeout
        while True:
            arrived, msg = self.inbox.get(timeout=max(0.0, end - time.perf_counter()))
            if match(msg):
                return arrived, msg

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--completions", type=int, default=100)
    parser.add_argument("--memory-edits", type=int, default=1000)
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between timed edits")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-lsp-"))
    text = blueprint_text(0)
    path = folder / "bench.yaml"
    path.write_text(text, "utf-8")
    uri = path.as_uri()
    lines = text.split("\n")
    target = next(i for i, line in enumerate(lines) if line.strip().startswith("to: Stage 0-3"))
    end_col = len(lines[target])
    print(f"{len(lines) - 1} lines; editing line {target + 1}: {lines[target].strip()!r}")

    started = time.perf_counter()
    client = Client([sys.executable, "-m", "blueprint_cli", "lsp"], folder)
    client.request("initialize", {"processId": os.getpid(), "rootUri": folder.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 0,
                                                            "text": text}})
    client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    print(f"start-up to the first findings: {(time.perf_counter() - started) * 1000:.0f} ms; "
          f"memory {client.rss_kib() / 1024:.1f} MiB")

    version = 0

    def edit() -> tuple[float, int]:
        """Type `x` at the end of the state name, or delete it: (seconds to the findings, how many)."""
        nonlocal version
        version += 1
        typing = version % 2 == 1
        start = {"line": target, "character": end_col}
        change = ({"range": {"start": start, "end": start}, "text": "x"} if typing else
                  {"range": {"start": start, "end": {"line": target, "character": end_col + 1}}, "text": ""})
        sent = client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                        "contentChanges": [change]})
        arrived, msg = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                   and m["params"].get("version") == version)
        return arrived - sent, len(msg["params"]["diagnostics"])

    for _ in range(10):  # warm up
        edit()
    latencies, counts = [], []
    for _ in range(args.edits):
        time.sleep(args.pause)
        took, found = edit()
        latencies.append(took * 1000)
        counts.append(found)
    if version % 2:
        edit()
    print(f"\ndiagnostics after a change ({args.edits} edits, {args.pause * 1000:.0f} ms apart; "
          f"{sum(1 for c in counts if c)} with a finding):")
    print(f"  median {statistics.median(latencies):.1f} ms, p95 {pct(latencies, 95):.1f} ms, "
          f"max {max(latencies):.1f} ms   (target: p95 <= 50 ms)")

    position = {"line": target, "character": lines[target].index("to: ") + 4}
    times = []
    for _ in range(args.completions):
        took, result = client.request("textDocument/completion",
                                      {"textDocument": {"uri": uri}, "position": position})
        times.append(took * 1000)
    items = result["items"] if isinstance(result, dict) else result
    print(f"\ncompletion after `to: ` ({args.completions} requests, {len(items)} states offered):")
    print(f"  median {statistics.median(times):.1f} ms, p95 {pct(times, 95):.1f} ms, max {max(times):.1f} ms"
          "   (target: <= 20 ms)")

    print(f"\nmemory over {args.memory_edits} edits (resident set of the server):")
    samples = [(0, client.rss_kib())]
    for i in range(1, args.memory_edits + 1):
        edit()
        if i % 250 == 0 or i == args.memory_edits:
            samples.append((i, client.rss_kib()))
    for n, kib in samples:
        print(f"  after {n:>5} edits: {kib / 1024:7.1f} MiB")
    grown = (samples[-1][1] - samples[1][1]) / 1024
    print(f"  from edit {samples[1][0]} to {samples[-1][0]}: {grown:+.1f} MiB")

    client.request("shutdown", None)
    client.notify("exit", None)
    client.proc.wait(timeout=10)


if __name__ == "__main__":
    main()

"""What finding a workspace's store costs at start-up (every command does it).

Each variant runs in a fresh interpreter, interleaved round by round, and
prints the median wall time and its ratio to a bare `import` of the module:

- `json store`:  config.yaml as `blueprint init` writes it (no `store:` key):
  `Config.store` reads the bytes and never loads the YAML parser;
- `postgres store`: the same file with a `store:` line: parsed and validated
  against the schema (what a PostgreSQL workspace pays before connecting);
- `regex` (baseline): the regex over the text that config.yaml's store was
  found with before config.py, for comparison.

    python bench/config.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from blueprint_cli.workspace.settings import initial_text

IMPORT = "from blueprint_cli.workspace.settings import Config; from pathlib import Path; import sys; root = Path(sys.argv[1])"
VARIANTS = {
    "import only": IMPORT,
    "regex (before)": IMPORT + "; import re; re.search(r'^store:[ \\t]*[\"\\']?([^\"\\'\\s#]*)', "
                               "(root / 'config.yaml').read_text(), re.M)",
    "json store": IMPORT + "; assert Config.of(root).store is None",
    "postgres store": IMPORT + "; assert Config.of(root).store",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        plain, shared = Path(tmp, "json"), Path(tmp, "pg")
        plain.mkdir()
        shared.mkdir()
        (plain / "config.yaml").write_text(initial_text(), encoding="utf-8")
        (shared / "config.yaml").write_text(initial_text("postgresql://crm@127.0.0.1:5432/crm"), encoding="utf-8")
        roots = {"import only": plain, "regex (before)": plain, "json store": plain, "postgres store": shared}
        times: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(rounds):
            for name, code in VARIANTS.items():
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", code, str(roots[name])], check=True)
                times[name].append(time.perf_counter() - start)
    base = statistics.median(times["import only"])
    print(f"{'variant':<16} {'median':>9} {'vs import':>10}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<16} {median * 1000:7.1f}ms {median / base:9.2f}x")


if __name__ == "__main__":
    main()

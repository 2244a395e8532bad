"""Instructions one file costs `blueprint lint`, counted by callgrind.

    python bench/lint_instructions.py                   # files of 100, 300 and 1,000 lines
    python bench/lint_instructions.py --lines 100 --files 20

On a shared machine wall and CPU times move with other work; the number of
instructions does not. Each size is counted twice under `valgrind
--tool=callgrind`, in one process that lints generated files (`generate.py`)
as `blueprint lint --no-cache --jobs 1` does (`lint_paths`, the start-up's
garbage-collector setting included): once with one file, once with
`--files` more; the difference divided by `--files` is the cost of a file,
start-up excluded. The code counted is the one `blueprint` runs: the
installed package, or the one `PYTHONPATH` names (`PYTHONPATH=$PWD` for a
checkout's own). Needs valgrind (apt-get install valgrind); slow: about a
minute per size.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

CHILD = """\
import gc, sys
from pathlib import Path
from blueprint_cli.cli.entry import GC_THRESHOLD
gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
from blueprint_cli.lint.run import RunOptions, lint_paths
files = sorted(Path(sys.argv[1]).glob("*.yaml"))[:int(sys.argv[2])]
lint_paths(files, None, RunOptions(jobs=1))
"""


def instructions(folder: Path, count: int) -> int:
    # -P: not the current folder first on sys.path (`-c` puts it there), so the code
    # counted is the one `blueprint` runs, whatever folder this is started from
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                          sys.executable, "-P", "-c", CHILD, str(folder), str(count)],
                         capture_output=True, text=True, check=True).stderr
    found = re.search(r"Collected : (\d+)", out)
    if found is None:
        raise SystemExit(f"no count from callgrind: {out[-500:]}")
    return int(found[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, action="append", help="file size (repeatable; default 100, 300, 1000)")
    ap.add_argument("--files", type=int, default=10, help="files counted beyond the first (default 10)")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "blueprint_cli")], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        for lines in args.lines or [100, 300, 1000]:
            folder = Path(tmp) / f"lines-{lines}"
            files = generate(folder, args.files + 1, lines)
            real = sum(1 for _ in files[0].open())
            one, more = instructions(folder, 1), instructions(folder, args.files + 1)
            print(f"files of {real:>5} lines: {(more - one) / args.files / 1e6:7.2f} million instructions a file "
                  f"(start-up and one file: {one / 1e6:.0f} million)", flush=True)


if __name__ == "__main__":
    main()

"""Benchmark: `blueprint lint` against `check-jsonschema` on the same files.

    python bench/lint_many.py                 # 1,000 files of ~350 lines, 3 rounds
    python bench/lint_many.py --files 200 --rounds 5

Both tools run side by side in one run, interleaved round by round so that
noise on a shared machine hits both alike; medians are reported. check-jsonschema
only validates against the schema (no line numbers, no semantic rules); blueprint
does that and every semantic rule, reporting each finding at its line:col.

It also times start-up: `blueprint --version` and `blueprint lint ONE_FILE`
against `python -c "import typer"` (a CLI in a pre-commit hook must start fast).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "blueprint.schema.json"


def timed(cmd: list[str], expect: int = 0) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != expect:
        raise SystemExit(f"{' '.join(cmd[:4])}... exited {proc.returncode}: {proc.stderr[-500:]}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--startup-rounds", type=int, default=20)
    args = ap.parse_args()

    # the console script next to this interpreter, not a shim (pyenv's adds a
    # bash and a pyenv process in front of every run)
    script = Path(sys.executable).parent / "blueprint"
    blueprint = str(script) if script.exists() else shutil.which("blueprint")
    if not blueprint:
        sys.exit("install the project first: pip install -e .")
    # an installed package has its bytecode compiled (pip does it); an editable
    # checkout under PYTHONDONTWRITEBYTECODE would recompile every module on
    # every start, which is not what users run
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "blueprint_cli")], check=True)
    checker = shutil.which("check-jsonschema") or sys.exit("pip install check-jsonschema")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "blueprints"
        files = generate(folder, args.files)
        lines = sum(1 for _ in files[0].open())
        print(f"{args.files} generated blueprints of {lines} lines each; {args.rounds} rounds, interleaved\n")

        ours, ours_1, theirs = [], [], []
        for r in range(args.rounds):
            ours.append(timed([blueprint, "lint", str(folder)]))
            ours_1.append(timed([blueprint, "lint", "--jobs", "1", str(folder)]))
            theirs.append(timed([checker, "--schemafile", str(SCHEMA), *map(str, files)]))
            print(f"  round {r + 1}: blueprint {ours[-1]:.2f}s, blueprint -j1 {ours_1[-1]:.2f}s, "
                  f"check-jsonschema {theirs[-1]:.2f}s", flush=True)

        mo, m1, mt = (statistics.median(x) for x in (ours, ours_1, theirs))
        per = lambda s: s / args.files * 1000  # noqa: E731
        print()
        print(f"{'tool':<34}{'median total':>14}{'per file':>12}")
        print(f"{'check-jsonschema (schema only)':<34}{mt:>13.2f}s{per(mt):>10.1f}ms")
        print(f"{'blueprint lint (all cores)':<34}{mo:>13.2f}s{per(mo):>10.1f}ms")
        print(f"{'blueprint lint --jobs 1':<34}{m1:>13.2f}s{per(m1):>10.1f}ms")
        print(f"\nspeed-up: {mt / mo:.1f}x with all cores, {mt / m1:.1f}x on one core (target: >= 5x)\n")

        one = str(files[0])
        ver, lint1, typer_ = [], [], []
        for _ in range(args.startup_rounds):
            typer_.append(timed([sys.executable, "-c", "import typer"]))
            ver.append(timed([blueprint, "--version"]))
            lint1.append(timed([blueprint, "lint", one]))
        mty, mv, ml = (statistics.median(x) * 1000 for x in (typer_, ver, lint1))
        print(f"start-up, median of {args.startup_rounds}:")
        print(f"  python -c 'import typer'   {mty:7.1f} ms")
        print(f"  blueprint --version        {mv:7.1f} ms   ({mv / mty:.2f}x import typer; target <= 1.3x)")
        print(f"  blueprint lint ONE_FILE    {ml:7.1f} ms   ({ml / mty:.2f}x import typer)")


if __name__ == "__main__":
    main()

"""Benchmark: `blueprint lint` against `check-jsonschema` on the same files.

    python bench/lint_many.py                 # 1,000 files of ~350 lines, 3 rounds
    python bench/lint_many.py --files 200 --rounds 5
    python bench/lint_many.py --lines 100     # files of about 100 lines (300, 1000, ...)

Both tools run side by side in one run, interleaved round by round so that
noise on a shared machine hits both alike; medians are reported. check-jsonschema
only validates against the schema (no line numbers, no semantic rules); blueprint
does that and every semantic rule, reporting each finding at its line:col. The
comparison runs blueprint with `--no-cache`: every file is read and checked.

It also times re-linting the same unchanged files from the result cache
(target: under 1 s for 1,000 files), and start-up: `blueprint --version` and
`blueprint lint ONE_FILE` (without and with the cache) against
`python -c "import typer"` (a CLI in a pre-commit hook must start fast).
"""

from __future__ import annotations

import argparse
import resource
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


#: CPU seconds (user + system) of every finished child process, per command run:
#: on a shared machine wall time also counts the wait for a core, CPU time does not
CPU: dict[str, list[float]] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], expect: int = 0, label: str | None = None) -> float:
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != expect:
        raise SystemExit(f"{' '.join(cmd[:4])}... exited {proc.returncode}: {proc.stderr[-500:]}")
    if label:
        CPU.setdefault(label, []).append(_children_cpu() - cpu)
    return elapsed


def cpu(label: str) -> float:
    return statistics.median(CPU[label])


#: Where start-up time goes: import time (self) summed per group, by module name prefix.
GROUPS = (
    ("typer, click, rich", ("typer", "click", "rich", "shellingham")),
    ("blueprint_cli.language.model (frozen dataclasses)", ("blueprint_cli.language.model",)),
    ("ruamel.yaml (YAML parser)", ("ruamel", "_ruamel_yaml")),
    ("jsonschema_rs (schema validator)", ("jsonschema_rs",)),
    ("rest of blueprint_cli", ("blueprint_cli",)),
)


def startup_breakdown(one: str, rounds: int) -> list[tuple[str, float]]:
    """Median milliseconds of import time per group for `blueprint lint --no-cache ONE_FILE`.
    (`-P` here and in `dataclass_cost`: `python -c` would put the current folder first on
    sys.path; the code timed is the one the `blueprint` script runs.)"""
    per_group: dict[str, list[float]] = {}
    for _ in range(rounds):
        code = ("import sys; sys.argv = ['blueprint', 'lint', '--no-cache', %r]; "
                "from blueprint_cli.cli.entry import main; main()" % one)
        err = subprocess.run([sys.executable, "-P", "-X", "importtime", "-c", code], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True).stderr
        sums = {name: 0.0 for name, _ in GROUPS}
        sums["everything else (interpreter, site, stdlib)"] = 0.0
        for line in err.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, _cum, name = line[len("import time:"):].split("|")
            module = name.strip()
            group = next((g for g, prefixes in GROUPS
                          if any(module == p or module.startswith(p + ".") for p in prefixes)),
                         "everything else (interpreter, site, stdlib)")
            sums[group] += int(self_us) / 1000
        for g, v in sums.items():
            per_group.setdefault(g, []).append(v)
    return [(g, statistics.median(v)) for g, v in per_group.items()]


def dataclass_cost(one: str, rounds: int) -> tuple[int, float]:
    """(classes, median milliseconds) spent creating dataclasses during
    `blueprint lint --no-cache ONE_FILE`: each one compiles its generated
    methods (__init__, __eq__, __hash__, ...) from source at import."""
    code = ("import dataclasses, sys, time; spent = [0.0, 0]; make = dataclasses._process_class\n"
            "def timed(*a, **k):\n"
            "    t = time.perf_counter(); r = make(*a, **k); spent[0] += time.perf_counter() - t; spent[1] += 1\n"
            "    return r\n"
            "dataclasses._process_class = timed\n"
            "sys.argv = ['blueprint', 'lint', '--no-cache', %r]\n"
            "from blueprint_cli.cli.entry import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "sys.__stderr__.write('DATACLASSES %%d %%f\\n' %% (spent[1], spent[0] * 1000))\n" % one)
    found = []
    for _ in range(rounds):
        err = subprocess.run([sys.executable, "-P", "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True).stderr
        line = next(x for x in err.splitlines() if x.startswith("DATACLASSES "))
        found.append((int(line.split()[1]), float(line.split()[2])))
    return found[0][0], statistics.median(ms for _, ms in found)


def console_script() -> str:
    """The `blueprint` console script next to this interpreter, not a shim
    (pyenv's adds a bash and a pyenv process in front of every run)."""
    script = Path(sys.executable).parent / "blueprint"
    blueprint = str(script) if script.exists() else shutil.which("blueprint")
    if not blueprint:
        sys.exit("install the project first: pip install -e .")
    return blueprint


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--lines", type=int, default=None,
                    help="generate files of about this many lines (default: 356, the generator's usual file)")
    ap.add_argument("--startup-rounds", type=int, default=20)
    args = ap.parse_args()

    blueprint = console_script()
    # an installed package has its bytecode compiled (pip does it); an editable
    # checkout under PYTHONDONTWRITEBYTECODE would recompile every module on
    # every start, which is not what users run
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "blueprint_cli")], check=True)
    checker = shutil.which("check-jsonschema") or sys.exit("pip install check-jsonschema")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "blueprints"
        files = generate(folder, args.files, args.lines)
        lines = sum(1 for _ in files[0].open())
        print(f"{args.files} generated blueprints of {lines} lines each; {args.rounds} rounds, interleaved\n")

        cache = str(Path(tmp) / "cache")
        cold = [blueprint, "lint", "--no-cache"]
        ours, ours_1, theirs, cached = [], [], [], []
        timed([blueprint, "lint", "--cache-dir", cache, str(folder)])  # fills the cache
        for r in range(args.rounds):
            ours.append(timed([*cold, str(folder)], label="ours"))
            ours_1.append(timed([*cold, "--jobs", "1", str(folder)], label="ours_1"))
            theirs.append(timed([checker, "--schemafile", str(SCHEMA), *map(str, files)], label="theirs"))
            cached.append(timed([blueprint, "lint", "--cache-dir", cache, str(folder)], label="cached"))
            print(f"  round {r + 1}: blueprint {ours[-1]:.2f}s, blueprint -j1 {ours_1[-1]:.2f}s, "
                  f"check-jsonschema {theirs[-1]:.2f}s, blueprint from the cache {cached[-1]:.2f}s", flush=True)

        mo, m1, mt, mc = (statistics.median(x) for x in (ours, ours_1, theirs, cached))
        per = lambda s: s / args.files * 1000  # noqa: E731
        print()
        print(f"{'tool':<38}{'median total':>14}{'per file':>12}{'CPU time':>12}")
        for name, label, wall in (("check-jsonschema (schema only)", "theirs", mt),
                                  ("blueprint lint --no-cache (all cores)", "ours", mo),
                                  ("blueprint lint --no-cache --jobs 1", "ours_1", m1),
                                  ("blueprint lint, unchanged (cache)", "cached", mc)):
            print(f"{name:<38}{wall:>13.2f}s{per(wall):>10.1f}ms{cpu(label):>11.2f}s")
        print(f"\nspeed-up: {mt / mo:.1f}x with all cores (target: >= 10x), {mt / m1:.1f}x on one core; "
              f"in CPU time {cpu('theirs') / cpu('ours'):.1f}x")
        print(f"re-linting {args.files} unchanged files from the cache: {mc:.2f}s wall, {cpu('cached'):.2f}s CPU "
              "(target: < 1 s)\n")

        one = str(files[0])
        ver, lint1, lint1c, typer_ = [], [], [], []
        for _ in range(args.startup_rounds):
            typer_.append(timed([sys.executable, "-c", "import typer"], label="typer"))
            ver.append(timed([blueprint, "--version"], label="version"))
            lint1.append(timed([*cold, one], label="lint1"))
            lint1c.append(timed([blueprint, "lint", "--cache-dir", cache, one], label="lint1c"))
        mty, mv, ml, mlc = (statistics.median(x) * 1000 for x in (typer_, ver, lint1, lint1c))
        print(f"start-up, median of {args.startup_rounds}:")
        print(f"  python -c 'import typer'             {mty:7.1f} ms")
        print(f"  blueprint --version                  {mv:7.1f} ms   ({mv / mty:.2f}x import typer; "
              "target <= 1.3x)")
        print(f"  blueprint lint --no-cache ONE_FILE   {ml:7.1f} ms   ({ml / mty:.2f}x import typer; target <= 2x)")
        print(f"  blueprint lint ONE_FILE (cached)     {mlc:7.1f} ms   ({mlc / mty:.2f}x import typer)")
        print(f"  in CPU time: import typer {cpu('typer') * 1000:.1f} ms, lint --no-cache ONE_FILE "
              f"{cpu('lint1') * 1000:.1f} ms ({cpu('lint1') / cpu('typer'):.2f}x), cached "
              f"{cpu('lint1c') * 1000:.1f} ms ({cpu('lint1c') / cpu('typer'):.2f}x)")
        print("\nwhere `blueprint lint --no-cache ONE_FILE` spends its imports (-X importtime, self time, median):")
        for group, ms in startup_breakdown(one, min(5, args.startup_rounds)):
            print(f"  {group:<46}{ms:7.1f} ms")
        classes, ms = dataclass_cost(one, min(5, args.startup_rounds))
        print(f"  of all that, creating {classes} dataclasses (model, findings, rules, ...): {ms:.1f} ms")


if __name__ == "__main__":
    main()

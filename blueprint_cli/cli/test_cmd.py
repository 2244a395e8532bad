"""`blueprint test`: run scenario files against their blueprints, in memory."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from blueprint_cli.cli.context import options, print_json, reader_may_leave

if TYPE_CHECKING:
    from blueprint_cli.scenarios.loader import LoadedFile


def test(
    ctx: typer.Context,
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Scenario files, and folders searched for *.scenarios.yaml; default inside a workspace: its "
                   "blueprints/ folder."),
    junit_xml: Optional[Path] = typer.Option(None, "--junit-xml", metavar="FILE", help="Also write JUnit XML for CI."),
    coverage: bool = typer.Option(False, "--coverage", help="Report the states, transitions, branches and "
                                  "parallel parts the scenarios exercised."),
    fail_under: Optional[float] = typer.Option(None, "--fail-under", min=0, max=100, metavar="PERCENT",
                                               help="Exit 1 when total coverage is below this (implies --coverage)."),
    select: Optional[str] = typer.Option(None, "-k", metavar="TEXT", help="Only scenarios whose name contains TEXT."),
    lint_only: bool = typer.Option(False, "--lint", help="Only check the scenario files; run nothing."),
    times: bool = typer.Option(False, "--times", help="Show the time each scenario's record spent in each state "
                               "(calendar and working time, on the scenario's clock)."),
) -> None:
    """Run scenario tests against their blueprints, in memory.

    Each scenario steps a fresh record through its blueprint as different users
    and checks what happens after every step. Never touches a workspace. Exit 1
    when a scenario fails or a file has errors (or coverage is below
    --fail-under), 2 on usage errors."""
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.scenarios import loader

    if not paths:
        from blueprint_cli.cli.blueprint_arg import workspace_folder

        paths = [workspace_folder(ctx, "test", "scenario file or folder")]
    files = loader.discover(paths)
    if not files:
        raise BlueprintError("no scenario files found in " + ", ".join(map(str, paths)),
                             hint="scenario files are named NAME.scenarios.yaml, next to NAME.yaml")
    opts = options(ctx)
    loaded = [loader.load(f) for f in files]
    if lint_only:
        _lint_report(loaded, opts.json)
        return
    if select and not any(select.casefold() in s.name.casefold()
                          for f in loaded if f.scenarios is not None for s in f.scenarios.scenarios):
        raise BlueprintError(f"no scenario name contains {select!r}", hint="-k matches part of a scenario's name")
    _run(loaded, opts.json, opts.color and sys.stdout.isatty(), junit_xml, coverage or fail_under is not None,
         fail_under, select, times)


def _lint_report(loaded: list[LoadedFile], as_json: bool) -> None:
    from blueprint_cli.diagnostics import Findings, Severity
    from blueprint_cli.render.reporters import REPORTER_BY_NAME
    from blueprint_cli.render.reporters.text import summary

    findings = Findings(files=len(loaded))
    for f in loaded:
        findings.extend(f.diagnostics)
    REPORTER_BY_NAME["json" if as_json else "text"](findings, sys.stdout, False)
    if not as_json:
        sys.stdout.flush()
        sys.stderr.write(summary(findings) + "\n")
    if any(d.severity is Severity.ERROR for d in findings.diagnostics):
        raise typer.Exit(1)


def _run(loaded: list[LoadedFile], as_json: bool, color: bool, junit_xml: Path | None, with_coverage: bool,
         fail_under: float | None, select: str | None, times: bool = False) -> None:
    from blueprint_cli.scenarios import coverage, junit, report
    from blueprint_cli.scenarios.runner import run_files, summary_counts

    start = time.perf_counter()
    results = run_files(loaded, select)
    seconds = time.perf_counter() - start
    covs = coverage.collect(results) if with_coverage else []
    if junit_xml is not None:
        # before anything is printed: `blueprint test --junit-xml r.xml | head -1`
        # must still leave the report for CI
        from blueprint_cli.cli.output import write_output

        write_output(junit_xml, junit.to_bytes(results))
    with reader_may_leave():
        if as_json:
            data = report.to_json(results, seconds, times)
            if with_coverage:
                data["coverage"] = coverage.to_json(covs)
            print_json(data)
        else:
            report.text(results, sys.stdout, color=color, seconds=seconds, times=times)
            if with_coverage:
                sys.stdout.write("\nCoverage\n" + coverage.render_table(covs) + "\n")
    counts = summary_counts(results)
    failed = counts["failed"] or counts["errors"]
    if fail_under is not None:
        total = coverage.total_percent(covs)
        if total < fail_under:
            sys.stderr.write(f"coverage {total:.1f}% is below --fail-under {fail_under:g}%\n")
            failed = True
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("test")(test)

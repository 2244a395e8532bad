"""`blueprint lint` and `blueprint schema`."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, TextIO

import typer

from blueprint_cli.cli.context import options

if TYPE_CHECKING:
    from blueprint_cli.diagnostics import Findings, Severity
    from blueprint_cli.lint.run import RunOptions
    from blueprint_cli.language.team import Team


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


def _codes(values: Optional[List[str]]) -> tuple[str, ...]:
    return tuple(c.strip().upper() for v in values or () for c in v.split(",") if c.strip())


def _find_team(ctx: typer.Context) -> Path | None:
    """The team file of the workspace we are in, if any (for rule BP305)."""
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.workspace.location import find_root

    try:
        team = find_root(options(ctx).workspace) / "team.yaml"
    except BlueprintError:  # linting needs no workspace
        return None
    return team if team.is_file() else None


SUPPRESS_NOTE = """
Suppress it: `# blueprint: disable={code}` at the end of the line (or alone on
the line above), `# blueprint: disable-file={code}` for the whole file, or
`ignore = ["{code}"]` / `per-file-ignores` in [tool.blueprint.lint].
"""


def lint(
    ctx: typer.Context,
    paths: Optional[List[Path]] = typer.Argument(None, help="Blueprint files and folders (searched for *.yaml/*.yml); "
                                                 "default inside a workspace: its blueprints/ folder."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Only these codes or prefixes (BP3,BP204); "
                                               "replaces the configured `select`."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Skip these codes or prefixes too."),
    extend_select: Optional[List[str]] = typer.Option(None, "--extend-select",
                                                      help="Add these codes or prefixes to `select`."),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail the run too (exit 1)."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when there are findings."),
    team: Optional[Path] = typer.Option(None, "--team", help="Team file for checking owners (BP305); "
                                        "default: the workspace's team.yaml when inside one."),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE",
                                          help="Use this configuration (pyproject.toml or .blueprint.toml) "
                                          "instead of the one found upward from each file."),
    statistics: bool = typer.Option(False, "--statistics", help="Print how many findings of each code, "
                                    "instead of the findings."),
    output_file: Optional[Path] = typer.Option(None, "--output-file", "-o", metavar="FILE",
                                               help="Write the report to FILE instead of standard output."),
    watch: bool = typer.Option(False, "--watch", help="Lint again whenever a file changes (Ctrl-C stops)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the result cache."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", metavar="DIR", envvar="BLUEPRINT_CACHE_DIR",
                                             help="Where the result cache lives (default: .blueprint_cache)."),
    force_exclude: bool = typer.Option(False, "--force-exclude", help="Apply the configured `exclude` to "
                                       "files named on the command line too (for pre-commit)."),
    blueprints_only: bool = typer.Option(False, "--blueprints-only", help="Skip named files that are not "
                                         "blueprints, as folder walks do (for pre-commit)."),
    explain: Optional[str] = typer.Option(None, "--explain", metavar="CODE", help="Explain a rule and exit."),
    list_rules: bool = typer.Option(False, "--list-rules", help="List every rule and exit."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: CPU count)."),
    fix: bool = typer.Option(False, "--fix", help="Apply the safe fixes in place (findings marked [*])."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes as a unified diff; change no file."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Fixes that make a choice count too "
                                      "(a did-you-mean with several candidates, ...)."),
) -> None:
    """Validate blueprints: the schema, then every semantic rule. Exit 1 on errors.

    Settings come from \\[tool.blueprint.lint] in pyproject.toml, or \\[lint] in
    .blueprint.toml / blueprint.toml, the nearest one upward from each file."""
    from blueprint_cli.diagnostics import BlueprintError, Severity
    from blueprint_cli.lint.cache import DEFAULT_DIR
    from blueprint_cli.lint.config import Overrides, is_known_code
    from blueprint_cli.lint.run import RunOptions, lint_paths

    if explain or list_rules:
        from blueprint_cli.check.rules import catalogue
        from blueprint_cli.scenarios.rules import catalogue as scenario_rules

        explainable = {**catalogue(), **scenario_rules()}
    if explain:
        rule = explainable.get(explain.strip().upper())
        if rule is None:
            from blueprint_cli.language.suggest import did_you_mean

            hint = did_you_mean(explain.upper(), explainable)
            raise BlueprintError(f"no rule {explain!r}", hint=hint or "`blueprint lint --list-rules` lists them")
        # (BP001 is about the configuration itself; SC findings come from `blueprint test` too)
        note = SUPPRESS_NOTE.format(code=rule.code) if rule.code.startswith("BP") and rule.code != "BP001" else ""
        sys.stdout.write(f"{rule.code} {rule.name} ({rule.severity.value})\n\n{rule.doc}\n{note}")
        return
    if list_rules:
        for rule in explainable.values():
            sys.stdout.write(f"{rule.code}  {rule.severity.value:<7}  {rule.name:<22} {rule.summary}\n")
        return
    if not paths:
        from blueprint_cli.cli.blueprint_arg import workspace_folder

        paths = [workspace_folder(ctx, "lint")]
    for code in _codes(select) + _codes(ignore) + _codes(extend_select):
        if not is_known_code(code):
            raise BlueprintError(f"--select/--ignore/--extend-select: no rule matches {code!r}",
                                 hint="`blueprint lint --list-rules` lists the codes")
    if statistics and fmt not in (Format.text, Format.json):
        raise BlueprintError(f"--statistics prints text or json, not {fmt.value}",
                             hint="use --statistics with --format text (the default) or --format json")
    if config is not None and not config.is_file():
        raise BlueprintError(f"no configuration file {config}", hint="give a pyproject.toml or .blueprint.toml")
    if output_file is not None and output_file.is_dir():
        raise BlueprintError(f"--output-file: {output_file} is a folder", hint="give a file name")
    team_file = team or _find_team(ctx)
    team_names = None
    if team_file:
        from blueprint_cli.language.team import Team

        team_names = Team.load(team_file)
    options_ = RunOptions(Overrides(_codes(select), _codes(ignore), _codes(extend_select)), config,
                          None if no_cache else (cache_dir or Path(DEFAULT_DIR)), force_exclude, blueprints_only,
                          jobs)
    color = options(ctx).color and sys.stdout.isatty() and output_file is None
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}

    if fix or diff:
        if watch:
            raise BlueprintError("--fix and --diff do not go with --watch",
                                 hint="fix once with `blueprint lint --fix`, then watch")
        _fix(paths, team_names, options_, unsafe_fixes, diff, fmt, statistics, color, output_file,
             failing, exit_zero)
        return

    def once() -> tuple[int, list[Path]]:
        run = lint_paths(paths or [], team_names, options_)
        run.findings.unsafe_fixes = unsafe_fixes
        _report(run.findings, fmt, statistics, color, output_file)
        failed = any(d.severity in failing for d in run.findings.diagnostics)
        return (1 if failed and not exit_zero else 0), run.configs

    if watch:
        from blueprint_cli.lint.watch import watch as watch_paths

        watch_paths(paths, once, clear=sys.stdout.isatty() and output_file is None)
        return
    status, _ = once()
    if status:
        raise typer.Exit(status)


def _report(findings: Findings, fmt: Format, statistics: bool, color: bool, output_file: Path | None) -> None:
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.render.reporters import REPORTER_BY_NAME, statistics as stats
    from blueprint_cli.render.reporters.text import summary

    import io

    stream: TextIO = sys.stdout if output_file is None else io.StringIO()
    if statistics:
        stats.report(findings, stream, fmt.value)
    else:
        REPORTER_BY_NAME[fmt.value](findings, stream, color)
    if output_file is not None:
        from blueprint_cli.cli.output import write_output

        assert isinstance(stream, io.StringIO)
        try:
            write_output(output_file, stream.getvalue().encode("utf-8"))
        except BlueprintError as exc:  # exit 1 here: lint's 2 means a path to check does not exist
            raise BlueprintError(exc.message, hint=exc.hint, exit_code=1) from None
    if fmt is Format.text:
        sys.stdout.flush()
        sys.stderr.write(summary(findings) + "\n")
        sys.stderr.flush()


def _fix(paths: List[Path], team: Team | None, options_: RunOptions, unsafe: bool, diff: bool, fmt: Format,
         statistics: bool, color: bool, output_file: Path | None, failing: set[Severity], exit_zero: bool) -> None:
    """`--fix` (apply, then report what is left) and `--diff` (print the patch)."""
    from blueprint_cli.lint.autofix import fix_paths
    from blueprint_cli.lint.autofix import fix_summary

    run = fix_paths(paths, team, options_, unsafe, write=not diff)
    if diff:
        sys.stdout.write("".join(f.diff() for f in run.files if f.changed))
        sys.stdout.flush()
        sys.stderr.write(fix_summary(run, written=False) + "\n")
        if run.fixed and not exit_zero:
            raise typer.Exit(1)
        return
    _report(run.findings, fmt, statistics, color, output_file)
    sys.stderr.write(fix_summary(run, written=True) + "\n")
    # a file left alone (changed meanwhile, read-only...) is a refusal, whatever --exit-zero says
    if run.left_alone or (any(d.severity in failing for d in run.findings.diagnostics) and not exit_zero):
        raise typer.Exit(1)


def schema_command() -> None:
    """Print the blueprint JSON Schema (draft-07), for editors and other tools."""
    from blueprint_cli.language.schema import schema_text

    sys.stdout.write(schema_text())


def register(app: typer.Typer) -> None:
    app.command("lint")(lint)
    app.command("schema")(schema_command)

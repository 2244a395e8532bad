"""`blueprint lint` and `blueprint schema`.

`lint` parses its command line into `LintArgs`, `build` turns them into a
`LintRun` (lint/command.py: the files, options, team, reporter and fixer,
everything checked that can be before anything runs) and `execute` runs it and
gives the exit code. `Output` is the reporter: the only code of the command
that writes to the terminal or to `--output-file`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, List, NamedTuple, Optional, TextIO

import typer

from blueprint_cli.cli.context import options

if TYPE_CHECKING:
    from blueprint_cli.diagnostics import Findings
    from blueprint_cli.lint.command import LintRun


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


def _codes(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())


SUPPRESS_NOTE = """
Suppress it: `# blueprint: disable={code}` at the end of the line (or alone on
the line above), `# blueprint: disable-file={code}` for the whole file, or
`ignore = ["{code}"]` / `per-file-ignores` in [tool.blueprint.lint].
"""


class LintArgs(NamedTuple):
    """The command line as given: values only, nothing checked or read yet."""

    paths: tuple[Path, ...] = ()
    fmt: Format = Format.text
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    strict: bool = False
    exit_zero: bool = False
    team: Path | None = None
    config: Path | None = None
    statistics: bool = False
    output_file: Path | None = None
    watch: bool = False
    no_cache: bool = False
    cache_dir: Path | None = None
    force_exclude: bool = False
    blueprints_only: bool = False
    explain: str | None = None
    list_rules: bool = False
    jobs: int | None = None
    fix: bool = False
    diff: bool = False
    unsafe_fixes: bool = False
    #: the global options: the workspace (its team file and blueprints/ folder), colour allowed
    workspace: Path | None = None
    color: bool = True


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
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Processes, this one included (default: one per CPU core it may use)."),
    fix: bool = typer.Option(False, "--fix", help="Apply the safe fixes in place (findings marked [*])."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes as a unified diff; change no file."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Fixes that make a choice count too "
                                      "(a did-you-mean with several candidates, ...)."),
) -> None:
    """Validate blueprints: the schema, then every semantic rule. Exit 1 on errors.

    Settings come from \\[tool.blueprint.lint] in pyproject.toml, or \\[lint] in
    .blueprint.toml / blueprint.toml, the nearest one upward from each file."""
    from blueprint_cli.lint.command import execute

    args = LintArgs(
        paths=tuple(paths or ()), fmt=fmt, select=tuple(select or ()), ignore=tuple(ignore or ()),
        extend_select=tuple(extend_select or ()), strict=strict, exit_zero=exit_zero, team=team, config=config,
        statistics=statistics, output_file=output_file, watch=watch, no_cache=no_cache, cache_dir=cache_dir,
        force_exclude=force_exclude, blueprints_only=blueprints_only, explain=explain, list_rules=list_rules,
        jobs=jobs, fix=fix, diff=diff, unsafe_fixes=unsafe_fixes, workspace=options(ctx).workspace,
        color=options(ctx).color)
    status = execute(build(args, lambda: _workspace_folder(ctx)))
    if status:
        raise typer.Exit(status)


def _workspace_folder(ctx: typer.Context) -> Path:
    from blueprint_cli.cli.blueprint_arg import workspace_folder

    return workspace_folder(ctx, "lint")


def build(args: LintArgs, default_folder: Callable[[], Path]) -> LintRun:
    """The run the arguments ask for; a usage error (BlueprintError) for any
    that cannot work, before a file is read. `default_folder`: what to lint
    when no path is given (the workspace's blueprints/ folder)."""
    from blueprint_cli.diagnostics import BlueprintError, Severity
    from blueprint_cli.lint.cache import DEFAULT_DIR
    from blueprint_cli.lint.command import Fixer, LintRun
    from blueprint_cli.lint.config import Overrides, is_known_code
    from blueprint_cli.lint.run import RunOptions

    output = Output(args.fmt, args.statistics, args.color and sys.stdout.isatty() and args.output_file is None,
                    args.output_file)
    if args.explain:
        return LintRun(output, info=_explain(args.explain))
    if args.list_rules:
        return LintRun(output, info=_rule_list())
    paths = args.paths or (default_folder(),)
    select, ignore, extend = _codes(args.select), _codes(args.ignore), _codes(args.extend_select)
    for code in select + ignore + extend:
        if not is_known_code(code):
            raise BlueprintError(f"--select/--ignore/--extend-select: no rule matches {code!r}",
                                 hint="`blueprint lint --list-rules` lists the codes")
    if args.statistics and args.fmt not in (Format.text, Format.json):
        raise BlueprintError(f"--statistics prints text or json, not {args.fmt.value}",
                             hint="use --statistics with --format text (the default) or --format json")
    if args.config is not None and not args.config.is_file():
        raise BlueprintError(f"no configuration file {args.config}", hint="give a pyproject.toml or .blueprint.toml")
    if args.output_file is not None and args.output_file.is_dir():
        raise BlueprintError(f"--output-file: {args.output_file} is a folder", hint="give a file name")
    team_file = args.team or _find_team(args.workspace)
    team = None
    if team_file:
        from blueprint_cli.language.team import Team

        team = Team.load(team_file)
    run_options = RunOptions(Overrides(select, ignore, extend), args.config,
                             None if args.no_cache else (args.cache_dir or Path(DEFAULT_DIR)), args.force_exclude,
                             args.blueprints_only, args.jobs)
    fixer = None
    if args.fix or args.diff:
        if args.watch:
            raise BlueprintError("--fix and --diff do not go with --watch",
                                 hint="fix once with `blueprint lint --fix`, then watch")
        fixer = Fixer(write=not args.diff, unsafe=args.unsafe_fixes)
    failing = frozenset({Severity.ERROR, Severity.WARNING} if args.strict else {Severity.ERROR})
    return LintRun(output, paths, team, run_options, failing, args.exit_zero, args.unsafe_fixes, fixer, args.watch)


def _find_team(workspace: Path | None) -> Path | None:
    """The team file of the workspace we are in, if any (for rule BP305)."""
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.workspace.location import find_root

    try:
        team = find_root(workspace) / "team.yaml"
    except BlueprintError:  # linting needs no workspace
        return None
    return team if team.is_file() else None


def _explain(code: str) -> str:
    from blueprint_cli.check.rules import catalogue
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.scenarios.rules import catalogue as scenario_rules

    explainable = {**catalogue(), **scenario_rules()}
    rule = explainable.get(code.strip().upper())
    if rule is None:
        from blueprint_cli.language.suggest import did_you_mean

        hint = did_you_mean(code.upper(), explainable)
        raise BlueprintError(f"no rule {code!r}", hint=hint or "`blueprint lint --list-rules` lists them")
    # (BP001 is about the configuration itself; SC findings come from `blueprint test` too)
    note = SUPPRESS_NOTE.format(code=rule.code) if rule.code.startswith("BP") and rule.code != "BP001" else ""
    return f"{rule.code} {rule.name} ({rule.severity.value})\n\n{rule.doc}\n{note}"


def _rule_list() -> str:
    """Every rule: the blueprint rules, then the scenario-file rules (lint checks both)."""
    from blueprint_cli.check.rules import catalogue
    from blueprint_cli.scenarios.rules import catalogue as scenario_rules

    return "".join(f"{rule.code}  {rule.severity.value:<7}  {rule.name:<22} {rule.summary}\n"
                   for rule in {**catalogue(), **scenario_rules()}.values())


class Output:
    """The reporter of a lint run: the report in its format (or `--statistics`)
    to standard output or `--output-file`, and the summary and notes to
    standard error."""

    def __init__(self, fmt: Format, statistics: bool, color: bool, output_file: Path | None) -> None:
        self.fmt, self.statistics, self.color, self.output_file = fmt, statistics, color, output_file

    def text(self, text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    def note(self, line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def clear(self) -> None:
        if sys.stdout.isatty() and self.output_file is None:
            sys.stdout.write("\033[2J\033[H")

    def findings(self, findings: Findings) -> None:
        from blueprint_cli.diagnostics import BlueprintError
        from blueprint_cli.render.reporters import REPORTER_BY_NAME, statistics as stats
        from blueprint_cli.render.reporters.text import summary

        import io

        stream: TextIO = sys.stdout if self.output_file is None else io.StringIO()
        if self.statistics:
            stats.report(findings, stream, self.fmt.value)
        else:
            REPORTER_BY_NAME[self.fmt.value](findings, stream, self.color)
        if self.output_file is not None:
            from blueprint_cli.cli.output import write_output

            assert isinstance(stream, io.StringIO)
            try:
                write_output(self.output_file, stream.getvalue().encode("utf-8"))
            except BlueprintError as exc:  # exit 1 here: lint's 2 means a path to check does not exist
                raise BlueprintError(exc.message, hint=exc.hint, exit_code=1) from None
        if self.fmt is Format.text:
            sys.stdout.flush()
            self.note(summary(findings))


def schema_command() -> None:
    """Print the blueprint JSON Schema (draft-07), for editors and other tools."""
    from blueprint_cli.language.schema import schema_text

    sys.stdout.write(schema_text())


def register(app: typer.Typer) -> None:
    app.command("lint")(lint)
    app.command("schema")(schema_command)

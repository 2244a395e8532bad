"""`blueprint lint` and `blueprint schema`."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from blueprint_cli.cli.context import options


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


def _codes(values: Optional[List[str]]) -> tuple[str, ...]:
    return tuple(c.strip().upper() for v in values or () for c in v.split(",") if c.strip())


def _find_team(ctx: typer.Context) -> Path | None:
    """The team file of the workspace we are in, if any (for rule BP305)."""
    opts = options(ctx)
    if opts.workspace is not None:
        for cand in (opts.workspace / "team.yaml", opts.workspace / ".blueprint" / "team.yaml"):
            if cand.is_file():
                return cand
        return None
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        cand = folder / ".blueprint" / "team.yaml"
        if cand.is_file():
            return cand
    return None


def lint(
    ctx: typer.Context,
    paths: Optional[List[Path]] = typer.Argument(None, help="Blueprint files and folders (searched for *.yaml/*.yml)."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Only these codes or prefixes (BP3,BP204)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Skip these codes or prefixes."),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail the run too (exit 1)."),
    team: Optional[Path] = typer.Option(None, "--team", help="Team file for checking owners (BP305); "
                                        "default: the workspace's team.yaml when inside one."),
    explain: Optional[str] = typer.Option(None, "--explain", metavar="CODE", help="Explain a rule and exit."),
    list_rules: bool = typer.Option(False, "--list-rules", help="List every rule and exit."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: CPU count)."),
) -> None:
    """Validate blueprints: the schema, then every semantic rule. Exit 1 on errors."""
    from blueprint_cli.diagnostics import BlueprintError, Severity
    from blueprint_cli.lint import Selection, lint_paths
    from blueprint_cli.lint.reporters import REPORTER_BY_NAME
    from blueprint_cli.lint.reporters.text import summary
    from blueprint_cli.lint.rules import catalogue

    if explain:
        from blueprint_cli.scenarios.rules import catalogue as scenario_rules

        explainable = {**catalogue(), **scenario_rules()}
        rule = explainable.get(explain.strip().upper())
        if rule is None:
            from blueprint_cli.suggest import did_you_mean

            hint = did_you_mean(explain.upper(), explainable)
            raise BlueprintError(f"no rule {explain!r}", hint=hint or "`blueprint lint --list-rules` lists them")
        sys.stdout.write(f"{rule.code} {rule.name} ({rule.severity.value})\n\n{rule.doc}\n")
        return
    if list_rules:
        for rule in catalogue().values():
            sys.stdout.write(f"{rule.code}  {rule.severity.value:<7}  {rule.name:<22} {rule.summary}\n")
        return
    if not paths:
        raise BlueprintError("give at least one file or folder to lint", hint="blueprint lint sample_blueprints/")
    known = catalogue()
    for code in _codes(select) + _codes(ignore):
        if not any(c.startswith(code) for c in known):
            raise BlueprintError(f"--select/--ignore: no rule matches {code!r}",
                                 hint="`blueprint lint --list-rules` lists the codes")
    team_file = team or _find_team(ctx)
    from blueprint_cli.team import Team

    team_names = Team.load(team_file) if team_file else None
    findings = lint_paths(paths, team_names, Selection(_codes(select), _codes(ignore)), jobs)
    color = options(ctx).color and sys.stdout.isatty()
    REPORTER_BY_NAME[fmt.value](findings, sys.stdout, color)
    if fmt is Format.text:
        sys.stdout.flush()
        sys.stderr.write(summary(findings) + "\n")
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    if any(d.severity in failing for d in findings.diagnostics):
        raise typer.Exit(1)


def schema_command() -> None:
    """Print the blueprint JSON Schema (draft-07), for editors and other tools."""
    from blueprint_cli.schema import schema_text

    sys.stdout.write(schema_text())


def register(app: typer.Typer) -> None:
    app.command("lint")(lint)
    app.command("schema")(schema_command)

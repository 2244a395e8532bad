"""The refusal of a command whose blueprint does not lint: its own module, so
that the checks raise it without importing the package that runs them."""

from __future__ import annotations

from blueprint_cli.diagnostics import BlueprintError, Diagnostic


class LintFailed(BlueprintError):
    """A blueprint a command needs has lint errors (exit 1)."""

    exit_code = 1

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        lines = [f"{d.file}:{d.line}:{d.col}: {d.severity.value} {d.code} {d.message}" for d in diagnostics]
        super().__init__("the blueprint has errors:\n  " + "\n  ".join(lines),
                         hint="fix them (see `blueprint lint --explain CODE`) and try again")
        self.diagnostics = diagnostics

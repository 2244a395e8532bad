"""Reporting a test run: pytest-like text, or JSON data.

Scenario names, file names and messages come from the files: in text they go
through `visible`, so a BEL, an ESC sequence or a line break in a name is shown
as its escape and cannot ring, recolour the terminal or forge a line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from blueprint_cli.scenarios.runner import FileResult, ScenarioResult, summary_counts
from blueprint_cli.language.wording import span, working
from blueprint_cli.shown import visible

_GREEN, _RED, _YELLOW, _DIM, _BOLD, _RESET = "\033[32m", "\033[31m", "\033[33m", "\033[2m", "\033[1m", "\033[0m"


class _Paint:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text


def text(results: Sequence[FileResult], stream: TextIO, *, color: bool = False, seconds: float = 0.0,
         times: bool = False) -> None:
    """`times`: under each scenario, the time its record spent in each state."""
    paint = _Paint(color)
    for fr in results:
        stream.write(paint(_BOLD, visible(fr.file)) + "\n")
        if fr.broken:
            stream.write(f"  {paint(_RED, 'ERROR')}   the file cannot run:\n")
            for d in fr.loaded.errors:
                stream.write(f"    {visible(d.file)}:{d.line}:{d.col}: {d.severity.value} {d.code} "
                             f"{visible(d.message)}\n")
                if d.hint:
                    stream.write(f"      hint: {visible(d.hint)}\n")
            continue
        if not fr.results:
            stream.write(f"  {paint(_DIM, 'no scenario selected')}\n")
        for r in fr.results:
            if r.passed:
                stream.write(f"  {paint(_GREEN, 'PASSED')}  {visible(r.name)}\n")
            else:
                stream.write(f"  {paint(_RED, 'FAILED')}  {visible(r.name)}\n")
                _failure(r, stream, paint)
            if times and r.times:
                stream.write(paint(_DIM, "          time in state: " + " · ".join(
                    f"{visible(t.state)} {span(t.seconds)} ({working(t.working_seconds)} working)"
                    for t in r.times)) + "\n")
    stream.write(summary_line(results, seconds, paint) + "\n")


def _failure(r: ScenarioResult, stream: TextIO, paint: _Paint) -> None:
    f = r.failure
    assert f is not None
    step = f.step.describe() if f.step is not None else "the starting record"
    stream.write(f"          {visible(r.file)}:{f.line}:{f.col}: {visible(step)}\n")
    for d in f.differences:
        where = f"line {d.line}: " if d.line != f.line else ""
        stream.write(f"            {paint(_RED, '>')} {where}{visible(d.message)}\n")


def summary_line(results: Sequence[FileResult], seconds: float, paint: Any = None) -> str:
    paint = paint or _Paint(False)
    counts = summary_counts(results)
    parts = []
    if counts["failed"]:
        parts.append(paint(_RED, f"{counts['failed']} failed"))
    if counts["passed"]:
        parts.append(paint(_GREEN, f"{counts['passed']} passed"))
    if counts["errors"]:
        noun = "file" if counts["errors"] == 1 else "files"
        parts.append(paint(_RED, f"{counts['errors']} {noun} with errors"))
    if not parts:
        parts.append("no scenarios ran")
    return f"== {', '.join(parts)} in {seconds:.2f}s =="


def to_json(results: Sequence[FileResult], seconds: float, times: bool = False) -> dict[str, Any]:
    files = []
    for fr in results:
        entry: dict[str, Any] = {"file": fr.file, "blueprint": fr.loaded.blueprint_display or None,
                                 "errors": [d.to_dict() for d in fr.loaded.errors], "scenarios": []}
        for r in fr.results:
            item: dict[str, Any] = {"name": r.name, "line": r.line, "passed": r.passed,
                                    "seconds": round(r.seconds, 4)}
            if times:
                item["times"] = [t.to_dict() for t in r.times]
            if r.failure is not None:
                f = r.failure
                item["failure"] = {
                    "step": f.step.index + 1 if f.step is not None else None,
                    "line": f.line, "col": f.col,
                    "differences": [{"message": d.message, "line": d.line, "col": d.col} for d in f.differences],
                }
            entry["scenarios"].append(item)
        files.append(entry)
    return {"files": files, "summary": dict(summary_counts(results)), "seconds": round(seconds, 3)}

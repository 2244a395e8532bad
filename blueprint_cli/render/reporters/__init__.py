"""Reporters turn collected findings into text for people and machines.
Chosen by name: `REPORTER_BY_NAME[format](findings, stream)`. Each reporter's
module is imported only when it is chosen (a lint run in a pre-commit hook
pays for the start-up of every module it imports)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Callable, TextIO

from blueprint_cli.diagnostics import Findings

Reporter = Callable[[Findings, TextIO, bool], None]

_MODULES = {"text": "text", "json": "json_report", "github": "github", "sarif": "sarif"}


class _Reporters(Mapping[str, Reporter]):
    def __getitem__(self, name: str) -> Reporter:
        report: Reporter = importlib.import_module(f"{__name__}.{_MODULES[name]}").report
        return report

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


REPORTER_BY_NAME: Mapping[str, Reporter] = _Reporters()

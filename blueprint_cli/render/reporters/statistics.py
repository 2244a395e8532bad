"""`--statistics`: how many findings of each code, most frequent first."""

from __future__ import annotations

import json
from collections import Counter
from typing import TextIO

from blueprint_cli.diagnostics import Findings


def report(findings: Findings, stream: TextIO, fmt: str = "text") -> None:
    from blueprint_cli.check.rules import catalogue

    rules = catalogue()
    counts = Counter(d.code for d in findings.diagnostics)
    severity = {d.code: d.severity.value for d in findings.diagnostics}
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if fmt == "json":
        data = [{"code": code, "name": rules[code].name if code in rules else "", "severity": severity[code],
                 "count": n} for code, n in rows]
        stream.write(json.dumps(data, indent=2) + "\n")
        return
    for code, n in rows:
        name = rules[code].name if code in rules else ""
        stream.write(f"{n:>5}  {code:<6} {severity[code]:<7}  {name}\n".rstrip() + "\n")

"""JUnit XML for CI (the format GitLab, Jenkins, GitHub test reporters and
Azure read): one `<testsuite>` per scenario file, one `<testcase>` per scenario;
a file that cannot run is one `<testcase>` with an `<error>` listing its
findings."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from blueprint_cli.scenarios.runner import FileResult, ScenarioResult


def _failure_text(r: ScenarioResult) -> str:
    assert r.failure is not None
    f = r.failure
    step = f.step.describe() if f.step is not None else "the starting record"
    lines = [f"{r.file}:{f.line}:{f.col}: {step}"]
    lines += [f"{r.file}:{d.line}:{d.col}: {d.message}" for d in f.differences]
    return "\n".join(lines)


def build(results: Sequence[FileResult]) -> ET.ElementTree:
    root = ET.Element("testsuites", name="blueprint test")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    seconds = 0.0
    for fr in results:
        classname = Path(fr.file).name
        for suffix in (".yaml", ".yml"):
            classname = classname.removesuffix(suffix)
        suite = ET.SubElement(root, "testsuite", name=fr.file)
        tests = failures = errors = 0
        if fr.broken:
            tests, errors = 1, 1
            case = ET.SubElement(suite, "testcase", classname=classname, name="(scenario file)", file=fr.file,
                                 time="0")
            found = fr.loaded.errors
            err = ET.SubElement(case, "error", type="ScenarioFileError",
                                message=found[0].message if found else "cannot run")
            err.text = "\n".join(f"{d.file}:{d.line}:{d.col}: {d.severity.value} {d.code} {d.message}"
                                 for d in found)
        for r in fr.results:
            tests += 1
            case = ET.SubElement(suite, "testcase", classname=classname, name=r.name, file=r.file,
                                 line=str(r.line), time=f"{r.seconds:.4f}")
            if r.failure is not None:
                failures += 1
                fail = ET.SubElement(case, "failure", type="ScenarioFailure", message=r.failure.headline)
                fail.text = _failure_text(r)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("skipped", "0")
        suite.set("time", f"{fr.seconds:.4f}")
        totals["tests"] += tests
        totals["failures"] += failures
        totals["errors"] += errors
        seconds += fr.seconds
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", f"{seconds:.4f}")
    ET.indent(root)
    return ET.ElementTree(root)


def to_bytes(results: Sequence[FileResult]) -> bytes:
    """The JUnit XML document (written by the one `-o` writer, cli.output)."""
    import io

    out = io.BytesIO()
    build(results).write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue()

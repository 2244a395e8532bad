"""JUnit XML for CI (the format GitLab, Jenkins, GitHub test reporters and
Azure read): one `<testsuite>` per scenario file, one `<testcase>` per scenario;
a file that cannot run is one `<testcase>` with an `<error>` listing its
findings.

Valid against Jenkins' JUnit schemas (tests/data/jenkins-junit.xsd): `time` in
seconds with three decimals, and no `file`/`line` on a testcase (neither schema
allows them; the failure text starts with `file:line:col`). Text comes from
scenario files, so anything XML 1.0 cannot hold (a BEL or ESC in a scenario
name) is written as its escape (`\\x07`), never as a character no parser reads.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from blueprint_cli.scenarios.runner import FileResult, ScenarioResult


#: What XML 1.0 cannot hold: C0 controls but tab, line feed and carriage return;
#: surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    """`text` with every character XML cannot hold written as its escape."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _failure_text(r: ScenarioResult) -> str:
    assert r.failure is not None
    f = r.failure
    step = f.step.describe() if f.step is not None else "the starting record"
    lines = [f"{r.file}:{f.line}:{f.col}: {step}"]
    lines += [f"{r.file}:{d.line}:{d.col}: {d.message}" for d in f.differences]
    return _xml("\n".join(lines))


def build(results: Sequence[FileResult]) -> ET.ElementTree:
    root = ET.Element("testsuites", name="blueprint test")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    seconds = 0.0
    for fr in results:
        classname = Path(fr.file).name
        for suffix in (".yaml", ".yml"):
            classname = classname.removesuffix(suffix)
        suite = ET.SubElement(root, "testsuite", name=_xml(fr.file))
        tests = failures = errors = 0
        if fr.broken:
            tests, errors = 1, 1
            case = ET.SubElement(suite, "testcase", classname=_xml(classname), name="(scenario file)",
                                 time=_seconds(0))
            found = fr.loaded.errors
            err = ET.SubElement(case, "error", type="ScenarioFileError",
                                message=_xml(found[0].message) if found else "cannot run")
            err.text = _xml("\n".join(f"{d.file}:{d.line}:{d.col}: {d.severity.value} {d.code} {d.message}"
                                 for d in found))
        for r in fr.results:
            tests += 1
            case = ET.SubElement(suite, "testcase", classname=_xml(classname), name=_xml(r.name),
                                 time=_seconds(r.seconds))
            if r.failure is not None:
                failures += 1
                fail = ET.SubElement(case, "failure", type="ScenarioFailure", message=_xml(r.failure.headline))
                fail.text = _failure_text(r)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("skipped", "0")
        suite.set("time", _seconds(fr.seconds))
        totals["tests"] += tests
        totals["failures"] += failures
        totals["errors"] += errors
        seconds += fr.seconds
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", _seconds(seconds))
    ET.indent(root)
    return ET.ElementTree(root)


def to_bytes(results: Sequence[FileResult]) -> bytes:
    """The JUnit XML document (written by the one `-o` writer, cli.output)."""
    import io

    out = io.BytesIO()
    build(results).write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue()

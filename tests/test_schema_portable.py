"""The schema and `blueprint lint` agree with editors and other validators.

Editors (yaml-language-server: JavaScript regular expressions, YAML 1.2 core),
check-jsonschema (ECMAScript regular expressions by default, Python's on
request) and `blueprint lint` (jsonschema-rs: Rust's) must read the same
schema the same way, so the patterns avoid what the dialects disagree on, and
the loader reads numbers as YAML 1.2 core does. ajv (the JavaScript
validator most editors and tools embed; ajv-cli is installed by
.ci/install-system.sh, for the tests only) reads them too, once told the one
keyword it does not know (`patternErrorMessage`, the editors' message).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import CliResult
from schema_cases import PATTERN_CASES, SAMPLE, SAMPLES, SCHEMAS, PatternCase, patterns, schema

ALL_PATTERNS = [(f"{s.name}{p}", n) for s in SCHEMAS for p, n in patterns(json.loads(s.read_text()))]


@pytest.mark.parametrize("where, node", ALL_PATTERNS, ids=[w for w, _ in ALL_PATTERNS])
def test_patterns_use_what_every_dialect_reads_alike(where: str, node: dict) -> None:
    pattern = node["pattern"]
    # `\d` matches `٣` in Rust and Python, not in JavaScript; `\s`/`\S`/`\w` differ on
    # exotic characters; a bare `$` accepts a trailing line feed in Python only
    assert not re.search(r"\\[dDsSwW]", pattern), pattern
    assert pattern.startswith("^") and pattern.endswith(r"$(?!\n)"), pattern
    # what editors show instead of the regular expression
    message = node["patternErrorMessage"]
    assert message[0].isupper() and message.endswith(".")


def test_every_pattern_with_an_editor_message_has_a_broken_case() -> None:
    """The editor and ajv tests break each of them (tests/schema_cases.py): a
    pattern added without a case fails here."""
    messages = {(path.name, pointer) for path in SCHEMAS for pointer, node in patterns(schema(path.name))
                if "patternErrorMessage" in node}
    assert messages == {(case.schema, case.pointer) for case in PATTERN_CASES}


def check_jsonschema(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["check-jsonschema", *map(str, args)], capture_output=True, text=True, timeout=120)


def test_check_jsonschema_accepts_the_schemas() -> None:
    proc = check_jsonschema("--check-metaschema", *SCHEMAS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("variant", ["default", "python"])
def test_check_jsonschema_accepts_every_sample(variant: str) -> None:
    blueprints = sorted(p for p in SAMPLES.glob("*.yaml") if not p.name.endswith(".scenarios.yaml"))
    scenarios = sorted(SAMPLES.glob("*.scenarios.yaml"))
    assert blueprints and scenarios
    for schema, files in ((SCHEMAS[0], blueprints), (SCHEMAS[1], scenarios)):
        proc = check_jsonschema("--regex-variant", variant, "--schemafile", schema, *files)
        assert proc.returncode == 0, proc.stdout + proc.stderr


# (what is changed in the sample, the finding `blueprint lint` gives)
DISAGREEMENTS = {
    "a trailing line feed": (("blueprint: deal-follow-up", 'blueprint: "deal-follow-up\\n"'), "BP113"),
    "an Arabic-Indic digit": (("within: 3d", "within: \u0663d"), "BP113"),
    "a line feed after a duration": (("within: 3d", 'within: "P\\n"'), "BP113"),
}


@pytest.mark.parametrize("case", list(DISAGREEMENTS))
def test_lint_check_jsonschema_and_ajv_refuse_alike(case: str, cli, tmp_path: Path) -> None:
    (old, new), code = DISAGREEMENTS[case]
    assert old in SAMPLE
    bad = tmp_path / "bad.yaml"
    bad.write_text(SAMPLE.replace(old, new, 1), encoding="utf-8")
    result: CliResult = cli("lint", "--select", "BP1", bad)
    assert result.exit_code == 1
    assert [line.split()[2] for line in result.stdout.splitlines() if not line.startswith(" ")] == [code]
    for variant in ("default", "python"):
        proc = check_jsonschema("--regex-variant", variant, "--schemafile", SCHEMAS[0], bad)
        assert proc.returncode == 1, (variant, proc.stdout)
    # ajv compiles patterns as JavaScript regular expressions with the `u` flag:
    # `[0-9]` is ASCII only and `$` is the end of the text, as for the others
    (found,) = ajv_errors(SCHEMAS[0], [bad])[bad]
    assert found["keyword"] == "pattern", found


def test_a_pattern_error_reads_like_the_editor_message(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SAMPLE.replace("blueprint: deal-follow-up", "blueprint: Deal_Follow_Up", 1))
    result = cli("lint", bad)
    assert result.exit_code == 1
    assert "blueprint: 'Deal_Follow_Up' is not valid (A blueprint id: lower case letters, digits and dashes, " \
           "starting with a letter (like deal-follow-up))" in result.stdout


@pytest.mark.parametrize("text, value", [
    ("1_000", "1_000"), ("1000", 1000), ("012", 12), ("0x1F", 31), ("0o17", 15), ("1_0.5", "1_0.5"),
    ("1e3", 1000.0), ("0b101", "0b101"), ("1:30", "1:30"), ("!!int 1_000", "1_000"), ("+12", 12),
])
def test_numbers_are_read_as_yaml_1_2_core_reads_them(text: str, value: object) -> None:
    from blueprint_cli.language.loader import load_text

    doc, diags = load_text(f"a: {text}\n", "f.yaml")
    assert doc is not None and not diags
    assert doc.data["a"] == value and type(doc.data["a"]) is type(value)


def test_an_underscored_number_is_text_to_lint_as_to_editors(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SAMPLE.replace("label: Amount (EUR), min: 0}", "label: Amount (EUR), min: 1_000}", 1))
    assert "min: 1_000" in bad.read_text()
    result = cli("lint", bad)
    assert result.exit_code == 1
    assert "BP111 fields.amount.min must be a number, not text" in result.stdout


def test_sample_scenarios_quote_their_clock() -> None:
    """YAML 1.1 readers (PyYAML, many editors' older modes) turn an unquoted
    timestamp into a date object; quoted, every reader sees the same text."""
    for path in SAMPLES.glob("*.scenarios.yaml"):
        lines = [line for line in path.read_text().splitlines() if line.startswith("now:")]
        assert lines and all(re.match(r'now: "[^"]+"', line) for line in lines), path


# ----- ajv ------------------------------------------------------------------------------------

#: installed by .ci/install-system.sh (ajv-cli 5 running ajv 8)
AJV = os.environ.get("AJV", "/opt/ajv/node_modules/.bin/ajv")
#: what docs/linting.md tells ajv-cli users to run: ajv's strict mode refuses a keyword it
#: does not know, and the editors' patternErrorMessage is one
AJV_OPTIONS = ("--spec=draft7", "--strict=false")
#: what docs/linting.md tells users of ajv's JavaScript API: the keyword, and strict mode kept
AJV_API = 'new Ajv({keywords: ["patternErrorMessage"], allowUnionTypes: true})'
MESSAGE_SCHEMAS = [path for path in SCHEMAS if "patternErrorMessage" in path.read_text(encoding="utf-8")]


def ajv_cli() -> Path:
    exe = AJV if Path(AJV).is_file() else shutil.which("ajv")
    assert exe, f"ajv-cli is not installed ({AJV}): run .ci/install-system.sh"
    return Path(exe)


def ajv(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ajv_cli(), *map(str, args)], capture_output=True, text=True, timeout=120)


def ajv_errors(schema_file: Path, files: list[Path]) -> dict[Path, list[dict[str, Any]]]:
    """What ajv-cli (as the docs run it) finds in each file; every one must be invalid."""
    proc = ajv("validate", *AJV_OPTIONS, "--all-errors", "--verbose", "--errors=line", "-s", schema_file,
               *(arg for path in files for arg in ("-d", path)))
    assert proc.returncode == 1 and not proc.stdout, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    return {path: json.loads(lines[lines.index(f"{path} invalid") + 1]) for path in files}


def test_the_docs_show_the_ajv_options_the_tests_use() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "linting.md").read_text(encoding="utf-8")
    assert f"ajv validate {' '.join(AJV_OPTIONS)} " in page
    assert AJV_API in page


def test_ajv_compiles_the_schemas() -> None:
    every = [arg for path in SCHEMAS for arg in ("-s", path)]
    proc = ajv("compile", *every)
    # ajv's default strict mode: an unknown keyword is an error (the next test: the only one)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [f"schema {path} is valid" for path in SCHEMAS if path not in MESSAGE_SCHEMAS]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == ['error: strict mode: unknown keyword: "patternErrorMessage"'] * len(MESSAGE_SCHEMAS)
    for path in MESSAGE_SCHEMAS:
        assert f"schema {path} is invalid\n{errors[0]}\n" in proc.stderr
    proc = ajv("compile", *AJV_OPTIONS, *every)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.splitlines() == [f"schema {path} is valid" for path in SCHEMAS]


def test_ajv_told_the_keyword_compiles_the_schemas_in_strict_mode(tmp_path: Path) -> None:
    """The JavaScript API as the docs show it: strict mode stays on for
    everything but the one keyword."""
    node = shutil.which("node")
    assert node, "node is not installed: run .ci/install-system.sh"
    script = tmp_path / "compile.js"
    script.write_text(f"""const Ajv = require("ajv");
for (const file of process.argv.slice(2)) {{
  {AJV_API}.compile(require(file));
  console.log(file);
}}
""", encoding="utf-8")
    modules = ajv_cli().resolve().parent.parent.parent  # the ajv ajv-cli runs: node_modules/ajv-cli/dist/..
    proc = subprocess.run([node, script, *map(str, SCHEMAS)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NODE_PATH": str(modules)})
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    assert proc.stdout.splitlines() == [str(path) for path in SCHEMAS]


def test_ajv_accepts_every_sample() -> None:
    blueprints = sorted(p for p in SAMPLES.glob("*.yaml") if not p.name.endswith(".scenarios.yaml"))
    scenarios = sorted(SAMPLES.glob("*.scenarios.yaml"))
    for schema_file, files in ((SCHEMAS[0], blueprints), (SCHEMAS[1], scenarios)):
        proc = ajv("validate", *AJV_OPTIONS, "-s", schema_file, *(arg for path in files for arg in ("-d", path)))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stdout.splitlines() == [f"{path} valid" for path in files]


@pytest.fixture(scope="module")
def ajv_found(tmp_path_factory: pytest.TempPathFactory) -> dict[PatternCase, list[dict[str, Any]]]:
    """ajv's errors for every broken pattern: one ajv-cli run per schema."""
    folder = tmp_path_factory.mktemp("ajv")
    files = {case: folder / f"{i}.yaml" for i, case in enumerate(PATTERN_CASES)}
    found: dict[PatternCase, list[dict[str, Any]]] = {}
    for path in SCHEMAS:
        mine = {case: file for case, file in files.items() if case.schema == path.name}
        for case, file in mine.items():
            file.write_text(case.text(), encoding="utf-8")
        if mine:
            errors = ajv_errors(path, list(mine.values()))
            found.update({case: errors[file] for case, file in mine.items()})
    return found


@pytest.mark.parametrize("case", PATTERN_CASES, ids=[case.id for case in PATTERN_CASES])
def test_ajv_refuses_each_broken_pattern(case: PatternCase, ajv_found: dict[PatternCase, list[dict[str, Any]]]) -> None:
    """The same broken values the editor test shows: ajv fails exactly that
    pattern, on that value. (ajv's own message is the regular expression:
    ajv does not read patternErrorMessage.)"""
    from blueprint_cli.language.loader import load_text

    doc, _ = load_text(f"value: {case.bad}\n", "value.yaml")
    assert doc is not None
    # a broken key is also reported as the propertyNames that holds the pattern
    (error,) = [e for e in ajv_found[case] if e["keyword"] != "propertyNames"]
    assert (error["keyword"], error["data"], error["parentSchema"].get("patternErrorMessage")) == \
        ("pattern", doc.data["value"], case.message)
    assert error["message"] == f'must match pattern "{error["params"]["pattern"]}"'


# (what is changed in the sample, whether `blueprint lint` accepts it, whether ajv-cli does)
YAML_READERS = {
    # ajv-cli reads YAML with js-yaml 3, which keeps YAML 1.1's `1_000` integers
    "an underscored number": (("label: Amount (EUR), min: 0}", "label: Amount (EUR), min: 1_000}"), False, True),
    # ... and its timestamps: an unquoted date is a date object, not the text a date field's default is
    "an unquoted date": (("label: Expected close date}", "label: Expected close date, default: 2026-01-01}"),
                         True, False),
}


@pytest.mark.parametrize("case", list(YAML_READERS))
def test_ajv_cli_reads_yaml_as_yaml_1_1_does(case: str, cli, tmp_path: Path) -> None:
    """Not the schema: ajv-cli's YAML reader. docs/linting.md says so."""
    (old, new), lint_accepts, ajv_accepts = YAML_READERS[case]
    assert old in SAMPLE
    bad = tmp_path / "bad.yaml"
    bad.write_text(SAMPLE.replace(old, new, 1), encoding="utf-8")
    assert cli("lint", bad).exit_code == (0 if lint_accepts else 1)
    assert ajv("validate", *AJV_OPTIONS, "-s", SCHEMAS[0], "-d", bad).returncode == (0 if ajv_accepts else 1)

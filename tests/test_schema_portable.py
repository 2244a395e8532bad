"""The schema and `blueprint lint` agree with editors and other validators.

Editors (yaml-language-server: JavaScript regular expressions, YAML 1.2 core),
check-jsonschema (ECMAScript regular expressions by default, Python's on
request) and `blueprint lint` (jsonschema-rs: Rust's) must read the same
schema the same way, so the patterns avoid what the dialects disagree on, and
the loader reads numbers as YAML 1.2 core does.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CliResult

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = [REPO / "schemas" / "blueprint.schema.json", REPO / "schemas" / "scenario.schema.json",
           REPO / "schemas" / "team.schema.json", REPO / "schemas" / "config.schema.json"]
SAMPLES = REPO / "sample_blueprints"
SAMPLE = (SAMPLES / "deal-follow-up.yaml").read_text()


def patterns(node: object, path: str = "") -> Iterator[tuple[str, dict]]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield path, node
        for key, value in node.items():
            yield from patterns(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from patterns(value, f"{path}/{i}")


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
def test_lint_and_check_jsonschema_refuse_alike(case: str, cli, tmp_path: Path) -> None:
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
    from blueprint_cli.loader import load_text

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

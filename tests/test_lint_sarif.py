"""`blueprint lint --format sarif` is valid SARIF 2.1.0 with rule metadata.

The OASIS schema is copied into tests/data/ (from shared/reference/) so the
test does not depend on anything outside the repository.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import jsonschema
import pytest

from blueprint_cli.check.rules import catalogue as blueprint_rules
from blueprint_cli.scenarios.rules import catalogue as scenario_rules
from conftest import run_blueprint

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
SARIF_SCHEMA = json.loads((HERE / "data" / "sarif-schema-2.1.0.json").read_text())
SAMPLE = REPO_ROOT / "sample_blueprints" / "deal-follow-up.yaml"
TEAM = HERE / "data" / "team.yaml"
CASES = HERE / "lint_cases"
TYPO_SCENARIOS = REPO_ROOT / "docs" / "examples" / "typo.scenarios.yaml"


def catalogue() -> dict:
    """Every rule lint can report: blueprint files' and scenario files'."""
    return {**blueprint_rules(), **scenario_rules()}
MIXED_STATES = """\
blueprint: g
module: Deals
field: stage
states:
  - name: Open
  - name: Won
    final: true
transitions:
  - name: Win
    from: Opne
    to: Won
"""


def validate(document: dict) -> None:
    cls = jsonschema.validators.validator_for(SARIF_SCHEMA)
    cls.check_schema(SARIF_SCHEMA)
    errors = sorted(cls(SARIF_SCHEMA).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


@pytest.fixture(scope="module")
def findings_run(cli_in_place):
    """SARIF and JSON output of one run over every negative example."""
    sarif = cli_in_place("lint", "--format", "sarif", "--team", TEAM, CASES)
    as_json = cli_in_place("lint", "--format", "json", "--team", TEAM, CASES)
    assert sarif.exit_code == as_json.exit_code == 1
    return json.loads(sarif.stdout), json.loads(as_json.stdout)


def test_run_with_findings_is_valid_sarif(findings_run) -> None:
    sarif, _ = findings_run
    validate(sarif)
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"]) == 1


def test_clean_run_is_valid_sarif(cli) -> None:
    result = cli("lint", "--format", "sarif", SAMPLE)
    assert result.exit_code == 0
    sarif = json.loads(result.stdout)
    validate(sarif)
    assert sarif["runs"][0]["results"] == []
    assert result.stderr == ""


def test_every_rule_is_described(findings_run) -> None:
    sarif, _ = findings_run
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "blueprint"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(catalogue())
    for meta in rules:
        rule = catalogue()[meta["id"]]
        assert meta["name"] == rule.name
        assert meta["shortDescription"]["text"] == rule.summary
        assert meta["fullDescription"]["text"] == rule.doc
        assert meta["help"]["text"] == rule.doc
        assert meta["helpUri"] == f"https://blueprint-cli.github.io/blueprint/rules/{rule.code}/"
        assert meta["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning",
                                                         "info": "note"}[rule.severity.value]


def test_results_match_the_findings(findings_run) -> None:
    sarif, as_json = findings_run
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(as_json["diagnostics"])
    level = {"error": "error", "warning": "warning", "info": "note"}
    for result, diag in zip(results, as_json["diagnostics"]):
        assert result["ruleId"] == diag["code"]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == level[diag["severity"]]
        assert result["message"]["text"].startswith(diag["message"])
        [location] = result["locations"]
        region = location["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (diag["line"], diag["col"])
        artifact = location["physicalLocation"]["artifactLocation"]
        # relative to the repository root (this checkout), which the run names
        assert artifact["uriBaseId"] == "SRCROOT"
        root = unquote(urlparse(run["originalUriBaseIds"]["SRCROOT"]["uri"]).path)
        assert Path(root, unquote(artifact["uri"])) == Path(diag["file"])
        assert location["logicalLocations"][0]["fullyQualifiedName"] == diag["path"]


def test_uris_are_escaped_and_relative_paths_stay_relative(cli, tmp_path: Path) -> None:
    folder = tmp_path / "my blueprints"
    folder.mkdir()
    (folder / "100% #1.yaml").write_text("- a list\n")
    result = cli("lint", "--format", "sarif", "my blueprints")  # the fixture runs in tmp_path
    sarif = json.loads(result.stdout)
    validate(sarif)
    [res] = sarif["runs"][0]["results"]
    uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20blueprints/100%25%20%231.yaml"
    assert not urlparse(uri).scheme


@pytest.fixture
def repo_with_sub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with a bad blueprint in `sub/`, and the current folder `sub`."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f.yaml").write_text("- a list\n")
    monkeypatch.chdir(tmp_path / "sub")
    return tmp_path


def test_uris_are_relative_to_the_repository_root_not_the_current_folder(repo_with_sub: Path) -> None:
    result = run_blueprint("lint", "--format", "sarif", "f.yaml")
    assert result.exit_code == 1
    sarif = json.loads(result.stdout)
    validate(sarif)
    run = sarif["runs"][0]
    assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": repo_with_sub.as_uri() + "/"}}
    [res] = run["results"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "sub/f.yaml",
                                                                          "uriBaseId": "SRCROOT"}


def test_a_real_sarif_consumer_reads_the_findings(repo_with_sub: Path) -> None:
    """sarif-tools (what `sarif summary`/`sarif ls` use) sees each finding at its
    file from the root, its line and its rule."""
    from sarif import loader

    (repo_with_sub / "sub" / "g.yaml").write_text(MIXED_STATES)
    result = run_blueprint("lint", "--format", "sarif", "--select", "BP1,BP301", ".")
    out = repo_with_sub / "out.sarif"
    out.write_text(result.stdout)
    records = loader.load_sarif_file(str(out)).get_records()
    assert sorted((r["Location"], r["Line"], r["Code"], r["Severity"]) for r in records) == [
        ("sub/f.yaml", 1, "BP102", "error"),
        ("sub/g.yaml", 10, "BP301", "error"),
    ]


def test_scenario_findings_have_their_rules_described(cli) -> None:
    """Lint checks scenario files too: each SC result has its rule, with help
    and a helpUri, where sarif-tools (and code scanning) look for it."""
    from sarif import loader

    result = cli("lint", "--format", "sarif", TYPO_SCENARIOS)
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    validate(document)
    out = Path("typo.sarif")
    out.write_text(result.stdout)
    sarif_file = loader.load_sarif_file(str(out))
    codes = sorted(r["Code"] for r in sarif_file.get_records())
    assert codes == ["SC303", "SC304"], codes
    for code in codes:
        [rule] = sarif_file.get_rules_by_id(code)
        assert rule["helpUri"] == f"https://blueprint-cli.github.io/blueprint/rules/{code}/"
        assert rule["help"]["text"] == scenario_rules()[code].doc
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    for res in document["runs"][0]["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


def test_github_annotations_name_the_file_from_the_repository_root(repo_with_sub: Path) -> None:
    result = run_blueprint("lint", "--format", "github", "f.yaml")
    assert result.stdout.startswith("::error file=sub/f.yaml,line=1,col=1,title=BP102::")


def test_files_outside_the_repository_get_absolute_uris(repo_with_sub: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "o.yaml"
    outside.write_text("- a list\n")
    sarif = json.loads(run_blueprint("lint", "--format", "sarif", outside).stdout)
    validate(sarif)
    artifact = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": outside.as_uri()}

"""The rules reference on the docs site is generated from the rule modules:
every rule — BP and SC — has a page, no page names a rule that does not exist,
and `blueprint lint --explain` knows every code the pages and the scenario
loader use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from blueprint_cli.check.rules import catalogue as blueprint_rules
from blueprint_cli.scenarios import rules as scenario_rules_module
from blueprint_cli.scenarios.rules import SC_MODULES, catalogue as scenario_rules

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"\b(?:BP|SC)\d{3}\b")
ALL_RULES = {**blueprint_rules(), **scenario_rules()}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs site as `mkdocs build --strict` (run by .ci/run) builds it."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    out = tmp_path_factory.mktemp("site")
    build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(out), strict=True))
    return out


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_every_rule_has_its_own_page_with_its_documentation(site: Path) -> None:
    for code, rule in ALL_RULES.items():
        page = site / "rules" / code / "index.html"
        assert page.is_file(), f"{code} has no page on the docs site"
        text = _text(page.read_text(encoding="utf-8"))
        assert f"{code} {rule.name}" in text
        assert rule.severity.value in text
        # the summary line, as --explain prints it (the page escapes quotes and <, >)
        words = re.findall(r"[A-Za-z]{4,}", rule.summary)
        assert all(w in text for w in words), (code, rule.summary)


def test_no_rule_page_without_a_rule(site: Path) -> None:
    pages = {p.name for p in (site / "rules").iterdir() if p.is_dir()}
    assert pages == set(ALL_RULES)


def test_the_rules_index_lists_every_rule_with_a_link(site: Path) -> None:
    index = (site / "rules" / "index.html").read_text(encoding="utf-8")
    for code in ALL_RULES:
        assert f'href="{code}/"' in index, f"the rules index does not link {code}"


def test_no_page_names_a_rule_that_does_not_exist(site: Path) -> None:
    """A code in any page of the site, or in the README, is a rule of the catalogue."""
    sources = [p for p in site.rglob("*.html")] + [ROOT / "README.md", ROOT / "CONTRIBUTING.md"]
    for page in sources:
        named = set(CODE.findall(page.read_text(encoding="utf-8")))
        assert named <= set(ALL_RULES), (page, sorted(named - set(ALL_RULES)))


def test_every_code_the_scenario_loader_reports_is_documented() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "blueprint_cli" / "scenarios").glob("*.py"))
    reported = set(re.findall(r'"(SC\d{3})"', source))
    assert reported, "the scenario loader reports SC codes"
    assert reported <= set(scenario_rules()), sorted(reported - set(scenario_rules()))
    # and every SC module's code is one the loader reports (SC1xx come from the BP1xx loader rules)
    own = {code for code, rule in scenario_rules().items() if not code.startswith("SC1") or code == "SC102"}
    assert own <= reported, sorted(own - reported)


def test_the_sc_module_list_matches_the_folder() -> None:
    folder = Path(scenario_rules_module.__file__).parent
    assert sorted(SC_MODULES) == sorted(p.stem for p in folder.glob("sc*.py"))


def test_every_loader_rule_of_blueprints_has_a_scenario_counterpart() -> None:
    assert {"SC" + c[2:] for c in blueprint_rules() if c.startswith("BP1")} <= set(scenario_rules())


@pytest.mark.parametrize("code", list(scenario_rules()))
def test_explain_knows_scenario_codes(cli, code: str) -> None:
    rule = scenario_rules()[code]
    result = cli("lint", "--explain", code.lower())
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{code} {rule.name} ({rule.severity.value})\n\n")
    assert rule.doc in result.stdout
    assert "    " in rule.doc, f"{code}'s documentation has no example"


def test_explain_suggests_a_scenario_code(cli) -> None:
    result = cli("lint", "--explain", "SC3O3")
    assert result.exit_code == 2
    assert "no rule 'SC3O3'" in result.stderr and "did you mean 'SC303'" in result.stderr

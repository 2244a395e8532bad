"""The docs read right on GitHub and on the site.

`docs/` holds what is generated from the source — the key reference of the
language, the rules tables and one page per rule — so GitHub shows it too; it
must be up to date (`python docs/hooks/generate.py` writes it). The site
highlights code without a script from the network, has a sitemap, and shows
no Markdown escapes as text (checked in headless Chromium, offline)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from blueprint_cli.check.rules import catalogue as blueprint_rules
from blueprint_cli.scenarios.rules import catalogue as scenario_rules

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "hooks" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----- generated content, in the Markdown files -----------------------------------------------------

def test_the_generated_docs_are_up_to_date() -> None:
    done = subprocess.run([sys.executable, str(DOCS / "hooks" / "generate.py"), "--check"], capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.returncode == 0, f"{done.stdout}{done.stderr}run `python docs/hooks/generate.py`"


def test_a_stale_page_is_found_and_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gen = _generator()
    copy = tmp_path / "docs"
    shutil.copytree(DOCS, copy)
    monkeypatch.setattr(gen, "DOCS", copy)
    assert gen.stale() == []
    page = copy / "rules" / "BP301.md"
    page.write_text(page.read_text().replace("unknown-state", "renamed-by-hand"))
    (copy / "rules" / "BP999.md").write_text("# a rule that is gone\n")
    language = copy / "language.md"
    language.write_text(language.read_text().replace("| `blueprint` (required) |", "| `blueprint` |"))
    assert sorted(p.name for p in gen.stale()) == ["BP301.md", "BP999.md", "language.md"]
    gen.write()
    assert gen.stale() == [] and not (copy / "rules" / "BP999.md").exists()
    assert (copy / "rules" / "BP301.md").read_text() == (DOCS / "rules" / "BP301.md").read_text()


def test_github_shows_the_key_reference_and_every_rule() -> None:
    """What GitHub renders is the Markdown as it is: the reference and the rules are there, not a marker."""
    language = (DOCS / "language.md").read_text(encoding="utf-8")
    every_key = language.split("## Every key", 1)[1].split("\n## ", 1)[0]
    assert '### <a id="field"></a>A field' in every_key
    assert "| `blueprint` (required) | text |" in every_key
    index = (DOCS / "rules" / "index.md").read_text(encoding="utf-8")
    for code, rule in {**blueprint_rules(), **scenario_rules()}.items():
        assert f"| [{code}]({code}.md) | {rule.name} |" in index, code
        assert f"# {code} {rule.name}" in (DOCS / "rules" / f"{code}.md").read_text(encoding="utf-8")
    # attr_list's `{#id}` is text on GitHub: anchors are written as HTML
    for page in DOCS.rglob("*.md"):
        assert not re.search(r"^#+ .*\{#[\w-]+\}\s*$", page.read_text(encoding="utf-8"), re.M), page


# ----- the site -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    out = tmp_path_factory.mktemp("site")
    build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(out), strict=True))
    return out


def test_the_sitemap_lists_every_page(site: Path) -> None:
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert "https://blueprint-cli.github.io/blueprint/linting/" in locs
    assert "https://blueprint-cli.github.io/blueprint/rules/BP301/" in locs
    assert len(locs) == len(list(site.rglob("index.html"))), "a page missing from the sitemap"


def test_no_page_loads_anything_from_the_network(site: Path) -> None:
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        loaded = re.findall(r"<script[^>]+src=\"((?:https?:)?//[^\"]+)\"", html)
        loaded += re.findall(r"<link[^>]+rel=\"stylesheet\"[^>]*href=\"((?:https?:)?//[^\"]+)\"", html)
        loaded += re.findall(r"<link[^>]+href=\"((?:https?:)?//[^\"]+)\"[^>]*rel=\"stylesheet\"", html)
        assert not loaded, (page, loaded)


def _rendered(page: Path) -> str:
    """The page's DOM after Chromium loaded it, with every request off the machine refused."""
    if CHROMIUM is None:
        pytest.skip("no Chromium")
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9",
                           "--proxy-bypass-list=<-loopback>", "--virtual-time-budget=3000", "--dump-dom",
                           page.as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize("name", ["linting", "testing"])
def test_tables_show_no_markdown_escapes(site: Path, name: str) -> None:
    dom = _rendered(site / name / "index.html")
    text = re.sub(r"<[^>]+>", "", dom)
    assert "\\|" not in text
    assert "<table" in dom


def test_code_is_highlighted_offline(site: Path) -> None:
    dom = _rendered(site / "language" / "index.html")
    first_yaml = dom.split('<div class="highlight">', 1)[1].split("</pre>", 1)[0]
    # keys and comments as tokens of their own, from the page itself
    assert '<span class="nt">blueprint</span>' in first_yaml
    assert '<span class="c1"># yaml-language-server' in first_yaml
    css = (site / "css" / "pygments.css").read_text(encoding="utf-8")
    assert ".highlight .nt" in css

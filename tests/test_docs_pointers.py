"""Nothing the project ships points at a file that does not exist: the
package's messages, hints and docstrings, the docs, the README and the CI
scripts name only files of the repository (or the docs pages generated from
the rule modules), and a hint that names a section of a docs page names one
that page has."""

from __future__ import annotations

import re
from pathlib import Path

from blueprint_cli.check.rules import catalogue as blueprint_rules
from blueprint_cli.scenarios.rules import catalogue as scenario_rules

ROOT = Path(__file__).resolve().parents[1]
TOP = ("blueprint_cli", "tests", "docs", "bench", "schemas", "examples", "sample_blueprints", ".ci")
#: a path into the repository, as written in text
PATH = re.compile(r"(?<![\w./-])(?:\./)?((?:%s)/[\w./-]*\w)" % "|".join(re.escape(t) for t in TOP))
#: "docs/PAGE.md, section 'Title'" or "…, sections 'A' and 'B'"
SECTION = re.compile(r"(docs/[\w/-]+\.md),? sections? ('[^']+'(?:,? (?:and )?'[^']+')*)")
#: references to documents users do not have ("\u00a7" is the section sign: this
#: file's own list must not read as such a reference)
GONE = ("SPEC \u00a7", "SPEC section", "see the README, section", "README section", "README:")


def shipped() -> list[Path]:
    files = [*ROOT.glob("*.md"), ROOT / "pyproject.toml", ROOT / "mkdocs.yml", *(ROOT / ".ci").iterdir(),
             *(ROOT / "bench").glob("*.md")]
    for top in ("blueprint_cli", "docs", "schemas", "examples", "sample_blueprints"):
        files += [p for p in (ROOT / top).rglob("*") if p.is_file() and p.suffix in {".py", ".md", ".yaml", ".yml",
                                                                                      ".json", ".sh"}]
    return sorted(p for p in files if p.is_file() and "__pycache__" not in p.parts)


def generated() -> set[str]:
    """Docs pages generated from the rule modules (docs/hooks/generate.py): one per rule."""
    return {f"docs/rules/{code}.md" for code in {**blueprint_rules(), **scenario_rules()}}


def _placeholder(path: str) -> bool:
    return any(part.isupper() for part in path.split("/"))  # docs/examples/NAME


def _id(p: Path) -> str:
    return str(p.relative_to(ROOT))


def test_every_path_it_names_exists() -> None:
    missing = {}
    for source in shipped():
        named = {m.group(1).rstrip(".") for m in PATH.finditer(source.read_text(encoding="utf-8"))}
        gone = sorted(p for p in named if not (ROOT / p).exists() and p not in generated() and not _placeholder(p))
        if gone:
            missing[_id(source)] = gone
    assert not missing, f"files named that do not exist: {missing}"


def test_no_pointer_to_a_document_users_do_not_have() -> None:
    found = {_id(source): [g for g in GONE if g in source.read_text(encoding="utf-8")] for source in shipped()}
    found = {k: v for k, v in found.items() if v}
    assert not found, f"pointers at documents outside the repository: {found}"


def _headings(page: Path) -> set[str]:
    return {m.group(1).strip() for m in re.finditer(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.MULTILINE)}


def test_hints_name_sections_their_docs_page_has() -> None:
    pointers = []
    for source in shipped():
        for m in SECTION.finditer(source.read_text(encoding="utf-8").replace("\n", " ").replace("  ", " ")):
            pointers.append((source, m.group(1), re.findall(r"'([^']+)'", m.group(2))))
    assert pointers, "the package has hints that point at docs sections"
    for source, page, sections in pointers:
        assert (ROOT / page).is_file(), f"{_id(source)}: {page} does not exist"
        missing = [s for s in sections if s not in _headings(ROOT / page)]
        assert not missing, f"{_id(source)}: {page} has no section {missing}"


def test_a_hint_pointing_at_the_docs_is_what_the_user_sees(cli, tmp_path: Path) -> None:
    """The --where hint names its page; that page is in the checkout."""
    result = cli("init", "--no-sample")
    assert result.exit_code == 0, result.output
    result = cli("record", "list", "--where", "amount >>= 1")
    assert result.exit_code == 2
    m = re.search(r"see (docs/[\w/-]+\.md), section '([^']+)'", result.stderr)
    assert m, result.stderr
    assert m.group(2) in _headings(ROOT / m.group(1))


def test_the_readme_stays_a_short_front_door() -> None:
    """The README is what it is, how to start, a few examples and links into
    docs/; everything else has its page there."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines; move the rest into a docs/ page"


def test_the_readme_opens_with_install_and_the_test_command_ci_runs() -> None:
    """The README's first two commands are the install and the test command, and CI
    runs that very test command (so it is the one that is known to pass)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    install, test = (b.strip() for b in blocks[:2])
    assert install == "pip install -e . && blueprint demo"
    assert test == ".ci/test"
    run = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert test in run
    assert not [line for line in run if line.startswith(("pytest", "python -m pytest"))]

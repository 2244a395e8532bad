"""Every console example in the README and the docs runs, and prints what the
page says it prints.

A console example is a fenced block marked `console`: lines starting with
`$ blueprint` are commands, the lines after each are its output (standard
output and standard error as a terminal shows them). Sybil finds the blocks
(its Markdown lexer, so fences, prefixes and line numbers are read the way
Markdown does); each page's examples run in order, in a fresh folder of their
own holding the repository's `sample_blueprints/`, `examples/`, `docs/` and
`schemas/`, so an example can `blueprint init` a workspace and use it in the
next block. Output is compared after normalising only what changes from run
to run: times (shown as written on the page match any time) and the folder
the page ran in (shown as `~/crm`). A line holding only `…` stands for any
lines, to shorten long output.

A `<!-- file: PATH -->` comment right before a fenced block says the block
shows that file: the block must be the file, byte for byte.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from sybil import Document, Example, Region, Sybil
from sybil.parsers.markdown import CodeBlockParser

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").rglob("*.md")])
#: what an example's folder holds, linked from the repository
SHARED = ("sample_blueprints", "examples", "docs", "schemas")
#: the folder an example ran in, as the pages show it
FOLDER = "~/crm"
ELLIPSIS = "…"

_TIME = re.compile(
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?: ?(?:[+-]\d\d:\d\d|Z))?"  # ISO 8601 and as shown
    r"|\b20\d{12}\b"                                                             # outbox file names
    r"|\bin \d+(?:\.\d+)?s\b"                                                    # "passed in 0.01s"
)


def normalise(text: str) -> str:
    text = _TIME.sub("<time>", text)
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def matches(expected: str, actual: str) -> bool:
    """`actual` is `expected`, where a line of only `…` is any number of lines."""
    want, got = expected.split("\n"), actual.split("\n")

    @functools.cache
    def match(i: int, j: int) -> bool:
        if i == len(want):
            return j == len(got)
        if want[i] == ELLIPSIS:
            return any(match(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and want[i] == got[j] and match(i + 1, j + 1)

    return match(0, 0)


def commands(block: str) -> Iterator[tuple[int, str, str]]:
    """(line within the block, command, expected output) for each `$ ` line."""
    current: tuple[int, str] | None = None
    output: list[str] = []
    for n, line in enumerate(block.splitlines()):
        if line.startswith("$ "):
            if current:
                yield current[0], current[1], "\n".join(output)
            current, output = (n, line[2:]), []
        elif current is None:
            if line.strip():
                raise ValueError(f"console block line {n + 1}: output before any `$ ` command")
        else:
            output.append(line)
    if current:
        yield current[0], current[1], "\n".join(output)


def run(command: str, folder: Path) -> str:
    argv = shlex.split(command)
    if not argv or argv[0] != "blueprint":
        raise ValueError(f"only `blueprint` commands can be run: {command!r}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLUEPRINT_")}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               NO_COLOR="1", COLUMNS="100", LINES="50", TERM="dumb", PYTHONUNBUFFERED="1",
               TZ="UTC", LANG="C.UTF-8")
    done = subprocess.run([sys.executable, "-m", "blueprint_cli", *argv[1:]], cwd=folder, env=env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=300, check=False)
    out = done.stdout.decode("utf-8", "replace")
    for shown in {str(folder.resolve()), str(folder)}:
        out = out.replace(shown, FOLDER)
    return out


def evaluate_console(example: Example) -> str | None:
    folder: Path = example.namespace["folder"]
    page = Path(example.path).relative_to(ROOT)
    for offset, command, expected in commands(example.parsed):
        actual = normalise(run(command, folder))
        wanted = normalise(expected)
        if not matches(wanted, actual):
            diff = "\n".join(difflib.unified_diff(wanted.splitlines(), actual.splitlines(),
                                                  "the page says", "the program prints", lineterm=""))
            return (f"{page}:{example.line + 1 + offset}: `$ {command}` prints something else "
                    f"(times and the folder normalised):\n{diff}")
    return None


_SHOWN_FILE = re.compile(r"^<!-- file: (?P<path>\S+) -->\n(?P<fence>`{3,})[^\n]*\n(?P<body>.*?)^(?P=fence)$",
                         re.MULTILINE | re.DOTALL)


def shown_files(document: Document) -> Iterable[Region]:
    """A Sybil parser: blocks that say which file they show."""
    for m in _SHOWN_FILE.finditer(document.text):
        yield Region(m.start(), m.end(), parsed=(m.group("path"), m.group("body")), evaluator=evaluate_shown_file)


def evaluate_shown_file(example: Example) -> str | None:
    path, body = example.parsed
    target = ROOT / path
    if not target.is_file():
        return f"the block names {path}, which does not exist"
    if target.read_text(encoding="utf-8") != body:
        return f"the block is not what {path} holds: copy the file into the page again"
    return None


SYBIL = Sybil(parsers=[CodeBlockParser(language="console", evaluator=evaluate_console), shown_files])


def _id(page: Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_the_pages_examples_print_what_the_page_says(page: Path, tmp_path: Path) -> None:
    document = SYBIL.parse(page)
    for name in SHARED:
        (tmp_path / name).symlink_to(ROOT / name)
    document.namespace["folder"] = tmp_path
    for example in document:
        example.evaluate()


def test_pages_with_console_examples_exist() -> None:
    """The examples are found at all: the README and the getting-started page have some."""
    for name in ("README.md", "docs/getting-started.md", "docs/linting.md"):
        regions = list(SYBIL.parse(ROOT / name))
        assert any(r.region.evaluator is evaluate_console for r in regions), name


_FENCE = re.compile(r"^(`{3,})(\w*)[^\n]*\n(.*?)^\1$", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_a_command_with_its_output_is_in_a_console_block(page: Path) -> None:
    """`$ blueprint …` anywhere else (a `sh` or `text` block, an indented
    block) would not be run, and could drift."""
    def outside_console(text: str) -> str:
        return _FENCE.sub(lambda m: "" if m.group(2) == "console" else outside_console(m.group(3)), text)

    outside = outside_console(page.read_text(encoding="utf-8"))
    stray = [line for line in outside.splitlines() if line.lstrip().startswith("$ blueprint")]
    assert not stray, f"{_id(page)}: put these in a ```console block, with their output: {stray}"


# ----- the comparison itself ----------------------------------------------------------------

def test_times_and_the_folder_are_all_that_is_normalised() -> None:
    assert normalise("due 2026-12-03T09:28:12+00:00 at 2026-12-01 09:28 +00:00  \n\n") == "due <time> at <time>"
    assert normalise("outbox/20261201092950-record1-1.eml") == "outbox/<time>-record1-1.eml"
    assert normalise("close_on: 2026-12-01") == "close_on: 2026-12-01"  # a date is data, not a clock
    assert normalise("amount 5000") == "amount 5000"


def test_an_ellipsis_line_stands_for_any_lines_and_nothing_else_does() -> None:
    assert matches("a\n…\nd", "a\nb\nc\nd")
    assert matches("a\n…\nd", "a\nd")
    assert matches("a\n…", "a\nb\nc")
    assert matches("…\nc", "a\nb\nc")
    assert not matches("a\n…\nd", "a\nb\nc")
    assert not matches("a\nb", "a\nb\nc")
    assert not matches("a … pending", "a x pending")

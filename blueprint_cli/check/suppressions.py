"""Inline suppressions: `# blueprint: disable=CODE,...` comments in a file.

- `# blueprint: disable=BP203` at the end of a line suppresses those findings
  on that line; alone on a line, it suppresses them on the next line;
- `# blueprint: disable-file=BP203` (anywhere) suppresses them in the whole file.

Codes are full codes (BP203, SC301), comma-separated; text after them is a
free-form reason. A suppression that suppresses nothing, names an unknown
code, or is misspelt is itself a finding (BP002), so stale ones do not pile
up — except for codes the run did not check in this file (not selected, or
their rule could not run), which may well still be needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator

from blueprint_cli.diagnostics import Diagnostic, Severity

CODE = "BP002"
DIRECTIVES = ("disable", "disable-file")
# a YAML comment starts at a `#` at the start of a line or after a space (and
# outside every scalar: see `_comments`)
_COMMENT = re.compile(r"(?:^|(?<=\s))#\s*blueprint\s*:\s*([A-Za-z_-]+)\s*=([^\n]*)")
# what reads as an attempt at one, misspelt: `# blueprint disable=…`, `# blueprint: disable BP301`,
# `# blueprint: disable: BP301`
_ATTEMPT = re.compile(r"(?:^|(?<=\s))#\s*blueprint\b[^\n]*?\bdisable\b", re.IGNORECASE)
#: what both of the above start with (as the second reads it): a text without it has no
#: suppression, and its lines need not be looked at (a schema comment names `blueprint` too)
_CANDIDATE = re.compile(r"#\s*blueprint", re.IGNORECASE)
_CODES = re.compile(r"\s*([A-Za-z][A-Za-z0-9]*[0-9])\b\s*(,)?")


class Suppression:
    # a plain class, not a dataclass: lint start-up pays for every dataclass it defines
    def __init__(self, line: int, target: int, codes: list[tuple[str, int]], used: set[str]) -> None:
        self.line = line
        #: the line it applies to (0: the whole file)
        self.target = target
        #: (code, column of the code in the file)
        self.codes = codes
        self.used = used


def parse(text: str, display: str, known: Callable[[str], bool]) -> tuple[list[Suppression], list[Diagnostic]]:
    """Every suppression comment, and the findings for misspelt ones."""
    if "#" not in text or _CANDIDATE.search(text) is None:
        return [], []
    out: list[Suppression] = []
    problems: list[Diagnostic] = []
    for number, line, m in _comments(text):
        if m.re is _ATTEMPT:
            codes_given = ",".join(_CODE_WORD.findall(line[m.end():])) or "CODE"
            directive = "disable-file" if re.match(r"\s*-?\s*file", line[m.end():], re.I) else "disable"
            problems.append(_diag(display, number, m.start() + 1, "misspelt suppression: it suppresses nothing",
                                  f"write `# blueprint: {directive}={codes_given}`"))
            continue
        directive = m[1].lower()
        col = m.start() + 1
        if directive not in DIRECTIVES:
            from blueprint_cli.language.suggest import did_you_mean

            hint = did_you_mean(directive, DIRECTIVES)
            problems.append(_diag(display, number, m.start(1) + 1,
                                  f"unknown suppression `{m[1]}`" + (f" — {hint}" if hint else ""),
                                  None if hint else "write `# blueprint: disable=CODE` or `disable-file=CODE`"))
            continue
        codes: list[tuple[str, int]] = []
        pos = m.start(2)
        while True:
            c = _CODES.match(line, pos)
            if not c:
                break
            codes.append((c[1].upper(), c.start(1) + 1))
            pos = c.end()
            if not c[2]:
                break
        if not codes:
            problems.append(_diag(display, number, col, "the suppression names no rule code",
                                  f"write `# blueprint: {directive}=BP203` (codes separated by commas)"))
            continue
        for code, ccol in codes:
            if not known(code):
                from blueprint_cli.check.rules import catalogue
                from blueprint_cli.language.suggest import did_you_mean

                hint = did_you_mean(code, catalogue())
                problems.append(_diag(display, number, ccol, f"unknown rule code {code!r} in a suppression" +
                                      (f" — {hint}" if hint else ""),
                                      None if hint else "`blueprint lint --list-rules` lists the codes"))
        codes = [(code, ccol) for code, ccol in codes if known(code)]
        comment_only = not line[: m.start()].strip()
        target = 0 if directive == "disable-file" else (number + 1 if comment_only else number)
        out.append(Suppression(number, target, codes, set()))
    return out, problems


_CODE_WORD = re.compile(r"\b([A-Za-z]{2}[0-9]{1,3})\b")


def _comments(text: str) -> Iterator[tuple[int, str, re.Match[str]]]:
    """(line number, line, match) of each suppression comment — or attempt at
    one — that is a YAML comment: a `#` inside a value (a quoted string, a
    `|` or `>` block such as an e-mail body) is text, not a comment, however
    it reads. The parser's scalar spans decide (`loader.scalar_spans`),
    asked only when the text holds a candidate."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        if "#" not in line or "blueprint" not in line.lower():
            continue
        for m in _COMMENT.finditer(line):
            found.append((number, line, m))
        for m in _ATTEMPT.finditer(line):
            if _COMMENT.match(line, m.start()) is None:
                found.append((number, line, m))
    if not found:
        return
    from blueprint_cli.language.loader import scalar_spans

    spans = scalar_spans(text) or []
    for number, line, m in sorted(found, key=lambda f: (f[0], f[2].start())):
        at = (number - 1, m.start())
        if not any(start <= at < end for start, end in spans):
            yield number, line, m


def _diag(file: str, line: int, col: int, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(CODE, Severity.WARNING, message, file, line, col, (), hint)


def apply(text: str, display: str, diagnostics: list[Diagnostic], checked: Collection[str],
          known: Callable[[str], bool], wants: Callable[[str], bool]) -> list[Diagnostic]:
    """The findings left after the file's suppressions, plus BP002 findings for
    suppressions that are misspelt, or unused although their code was
    `checked` in this file. `wants` says which codes the run reports."""
    sups, problems = parse(text, display, known)
    if not sups and not problems:
        return diagnostics
    by_line: dict[int, list[Suppression]] = {}
    for s in sups:
        by_line.setdefault(s.target, []).append(s)

    def suppressed(d: Diagnostic) -> bool:
        if d.file != display:
            return False  # a finding in another file (the blueprint a scenario file tests)
        for s in by_line.get(d.line, []) + by_line.get(0, []):
            if any(code == d.code for code, _ in s.codes):
                s.used.add(d.code)
                return True
        return False

    kept = [d for d in diagnostics if not suppressed(d)]
    for s in sups:
        for code, col in s.codes:
            if code not in s.used and code in checked and code != CODE:
                where = "in this file" if s.target == 0 else f"on line {s.target}"
                problems.append(_diag(display, s.line, col, f"unused suppression: no {code} finding {where}",
                                      "remove the code from the comment (or the comment)"))
    if wants(CODE):
        kept.extend(d for d in problems if not suppressed(d))
    return kept

"""Lint configuration, read from TOML files found upward from each linted file.

Where: `[tool.blueprint.lint]` in `pyproject.toml`, or `[lint]` in
`.blueprint.toml` or `blueprint.toml`. For each file, the nearest folder (the
file's own, then each parent) holding one of them wins; within one folder
`.blueprint.toml` wins over `blueprint.toml`, which wins over `pyproject.toml`
(a `pyproject.toml` without `[tool.blueprint]` does not count). The search
stops at the root of a repository (a folder holding `.git`). Files are not
merged. `--config FILE` uses one file for everything; the command line's
`--select` replaces the configured `select`, its `--ignore` and
`--extend-select` add to the configured ones.

Keys: `select`, `ignore`, `extend-select` (lists of codes or prefixes),
`severity` (a table `BP203 = "error"`), `per-file-ignores` (a table of glob →
codes), `exclude` (globs). Globs are relative to the configuration file's
folder; one without a `/` matches a file or folder name anywhere below it; an
absolute one (starting with `/`) matches the file's absolute path.

A bad configuration never stops a run with a traceback: each problem is a
BP001 finding at its line and column in the TOML file (tomllib gives no
positions, so keys and values are located in the text), and the rest of the
configuration applies.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, NamedTuple

from blueprint_cli.diagnostics import Diagnostic, Severity
from blueprint_cli.check.selection import Selection

#: In the order they win within one folder.
CONFIG_NAMES = (".blueprint.toml", "blueprint.toml", "pyproject.toml")
KEYS = ("select", "ignore", "extend-select", "severity", "per-file-ignores", "exclude")
SEVERITIES = ("error", "warning", "info")
CODE = "BP001"


class Overrides(NamedTuple):
    """What the command line says about rule selection."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()


class Config(NamedTuple):
    #: the configuration file (None: no file applies)
    path: Path | None = None
    #: the folder globs are relative to
    root: Path = Path(".")
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    problems: tuple[Diagnostic, ...] = ()

    def _relative(self, path: Path) -> str:
        return Path(os.path.relpath(os.path.abspath(path), self.root)).as_posix()

    def excludes(self, path: Path) -> bool:
        if not self.exclude:
            return False
        rel, absolute = self._relative(path), _absolute(path)
        return any(matches(rel, g, absolute) for g in self.exclude)

    def selection(self, path: Path, cli: Overrides = Overrides()) -> Selection:
        select = cli.select or self.select
        if select:
            select = select + self.extend_select + cli.extend_select
        ignore = self.ignore + cli.ignore
        if self.per_file_ignores:
            rel, absolute = self._relative(path), _absolute(path)
            for glob, codes in self.per_file_ignores:
                if matches(rel, glob, absolute):
                    ignore += codes
        return Selection(tuple(dict.fromkeys(select)), tuple(dict.fromkeys(ignore)), self.severity)


def _absolute(path: Path) -> tuple[str, ...]:
    """The file's absolute path, as given and with symbolic links resolved
    (`/tmp` is `/private/tmp` on macOS): an absolute glob may name either."""
    given = Path(os.path.abspath(path)).as_posix()
    real = Path(os.path.realpath(path)).as_posix()
    return (given,) if real == given else (given, real)


def matches(rel: str, glob: str, absolute: tuple[str, ...] = ()) -> bool:
    """A glob against a path relative to the configuration's folder: with a `/`
    it matches the whole path (or a folder holding it); without, any name in it.
    `.` and `..` are no names (`.*` names hidden files, not every file linted
    from a parent folder), and a file outside the folder (`../x.yaml`, with
    `--config`) is one no relative glob names. An absolute glob
    (`/srv/blueprints/legacy/*.yaml`) matches one of `absolute`, the file's absolute paths."""
    glob = glob.strip()
    if glob.startswith("/"):
        bare = glob.rstrip("/") or "/"
        return any(fnmatch(a, bare) or fnmatch(a, bare.rstrip("/") + "/*") for a in absolute)
    if glob.startswith("./"):
        glob = glob[2:]
    bare = glob.rstrip("/")
    while bare.startswith("**/**/"):  # many leading `**/` name what one does (a `*` matches `/` too)
        bare = bare[3:]
    if "/" not in bare:
        return any(fnmatch(part, bare) for part in rel.split("/") if part not in (".", ".."))
    if rel == ".." or rel.startswith("../"):
        return False
    return fnmatch(rel, bare) or fnmatch(rel, bare + "/*") or \
        (bare.startswith("**/") and matches(rel, bare[3:]))


# ----- finding ------------------------------------------------------------------------------

class Finder:
    """Finds the configuration for each file, reading each file once."""

    def __init__(self, explicit: Path | None = None, display_base: Path | None = None) -> None:
        self.explicit = load(explicit) if explicit is not None else None
        self._by_folder: dict[Path, Config] = {}
        #: the same, by the folder's name (a folder walk asks once per file: a
        #: name is quicker to make and to look up than a `Path`)
        self._by_name: dict[str, Config] = {}

    def for_file(self, path: Path) -> Config:
        if self.explicit is not None:
            return self.explicit
        folder = os.path.dirname(os.path.abspath(path))
        found = self._by_name.get(folder)
        if found is None:
            found = self._by_name[folder] = self.for_folder(Path(folder))
        return found

    def for_folder(self, folder: Path) -> Config:
        chain: list[Path] = []
        found: Config | None = None
        here = folder
        while True:
            if here in self._by_folder:
                found = self._by_folder[here]
                break
            chain.append(here)
            config = _in_folder(here)
            if config is not None:
                found = config
                break
            if here.parent == here or _is_repository_root(here):
                break  # settings above a repository are someone else's: they never silence it
            here = here.parent
        found = found or Config(root=folder)
        for f in chain:
            self._by_folder[f] = found
        return found

    @property
    def used(self) -> list[Config]:
        out: dict[Path, Config] = {}
        for config in [self.explicit, *self._by_folder.values()]:
            if config is not None and config.path is not None:
                out.setdefault(config.path, config)
        return list(out.values())


def _is_repository_root(folder: Path) -> bool:
    """The folder holds `.git` (a folder, or the file a worktree or submodule has)."""
    try:
        return os.path.lexists(folder / ".git")
    except (OSError, ValueError):
        return False


def _in_folder(folder: Path) -> Config | None:
    for name in CONFIG_NAMES:
        path = folder / name
        try:
            if not path.is_file():
                continue
        except OSError:  # e.g. a path too long to look at: no configuration there
            continue
        if name == "pyproject.toml" and not _has_blueprint_table(path):
            continue
        return load(path)
    return None


def _has_blueprint_table(path: Path) -> bool:
    """A `pyproject.toml` counts only when it has a `[tool.blueprint]` table (or
    does not parse, yet seems to: its error is then reported). The text is
    searched first, to skip most files without parsing them; parsing decides,
    since `[tool.blueprint` may be written inside a string, and `tool` may be
    something other than a table (`tool = 5`, `[[tool]]`)."""
    import tomllib

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    if "blueprint" not in text or not re.search(r"^\s*\[\s*tool\s*\.\s*blueprint\b|^\s*tool\s*\.\s*blueprint\b",
                                               text, re.M):
        return False
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):  # `load` reports either
        return True
    tool = data.get("tool")
    return isinstance(tool, dict) and "blueprint" in tool


# ----- reading and checking -------------------------------------------------------------------

def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return rel if not rel.startswith("..") else str(path)


def load(path: Path) -> Config:
    """Read one configuration file; every problem is a BP001 finding in `problems`."""
    import tomllib

    display = _display(path)
    root = Path(os.path.abspath(path)).parent
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM (some Windows editors write one) is not TOML's to see
    except OSError as exc:
        return Config(path, root, problems=(_diag(display, 1, 1, f"cannot read the configuration: {exc.strerror}"),))
    except UnicodeDecodeError:
        return Config(path, root, problems=(_diag(display, 1, 1, "the configuration is not valid UTF-8 text"),))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        if m:
            line, col = int(m[1]), int(m[2])
        else:  # "(at end of document)": after the last character
            line, col = text.count("\n") + 1, len(text.rsplit("\n", 1)[-1]) + 1
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        return Config(path, root, problems=(_diag(display, line, col, f"invalid TOML: {message}"),))
    except RecursionError:  # tomllib recurses once per level of arrays and inline tables
        line, col = _deepest_value(text)
        return Config(path, root, problems=(_diag(
            display, line, col, "invalid TOML: arrays or inline tables nested too deeply to read",
            "lint settings are lists of text and flat tables, like select = [\"BP3\"]"),))
    checker = _Checker(text, display, path.name == "pyproject.toml")
    return checker.config(data, path, root)


def _deepest_value(text: str) -> tuple[int, int]:
    """Line and column of the outermost bracket around the deepest nesting of
    `[` and `{` in `text` (brackets in strings counted too: it only points)."""
    depth = deepest = start = at = 0
    for i, ch in enumerate(text):
        if ch in "[{":
            start = i if depth == 0 else start
            depth += 1
            if depth > deepest:
                deepest, at = depth, start
        elif ch in "]}" and depth:
            depth -= 1
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def _diag(file: str, line: int, col: int, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(CODE, Severity.ERROR, message, file, line, col, (), hint)


class _Checker:
    def __init__(self, text: str, display: str, pyproject: bool) -> None:
        self.locate = Locator(text)
        self.display = display
        self.base: tuple[str, ...] = ("tool", "blueprint", "lint") if pyproject else ("lint",)
        self.problems: list[Diagnostic] = []

    @property
    def table(self) -> str:
        return "[" + ".".join(self.base) + "]"

    def problem(self, path: tuple[str, ...], message: str, value: str | None = None, hint: str | None = None) -> None:
        line, col = self.locate(self.base + path, value)
        self.problems.append(_diag(self.display, line, col, message, hint))

    def config(self, data: dict[str, Any], path: Path, root: Path) -> Config:
        from blueprint_cli.language.suggest import did_you_mean

        section: Any = data
        if self.base[0] == "tool":
            tools = data.get("tool", {})
            if not isinstance(tools, dict):  # `tool = 5`, `[[tool]]`
                self.problems.append(_diag(self.display, *self.locate(("tool",)), "`tool` must be a table",
                                           "settings go in a [tool.blueprint.lint] table"))
                return Config(path, root, problems=tuple(self.problems))
            tool = tools.get("blueprint", {})
            if not isinstance(tool, dict):
                self.problems.append(_diag(self.display, *self.locate(("tool", "blueprint")),
                                           "[tool.blueprint] must be a table"))
                return Config(path, root, problems=tuple(self.problems))
            for key in tool:
                if key != "lint":
                    hint = did_you_mean(key, ["lint"])
                    line, col = self.locate(("tool", "blueprint", key))
                    self.problems.append(_diag(self.display, line, col,
                                               f"unknown key {key!r} in [tool.blueprint]" +
                                               (f" — {hint}" if hint else ""),
                                               None if hint else "the lint settings go in [tool.blueprint.lint]"))
            section = tool.get("lint", {})
        else:
            for key in data:
                if key != "lint":
                    hint = did_you_mean(key, ["lint"])
                    line, col = self.locate((key,))
                    self.problems.append(_diag(self.display, line, col, f"unknown table or key {key!r}" +
                                               (f" — {hint}" if hint else ""),
                                               None if hint else "the lint settings go in [lint]"))
            section = data.get("lint", {})
        if not isinstance(section, dict):
            self.problems.append(_diag(self.display, *self.locate(self.base), f"{self.table} must be a table"))
            return Config(path, root, problems=tuple(self.problems))
        for key in section:
            if key not in KEYS:
                hint = did_you_mean(key, KEYS)
                self.problem((key,), f"unknown key {key!r} in {self.table}" + (f" — {hint}" if hint else ""),
                             hint=None if hint else f"the keys are {', '.join(KEYS)}")
        severity = []
        for code, value in self.table_of(section, "severity").items():
            if not self.known(("severity", code), code, key=True):
                continue
            if not isinstance(value, str) or value not in SEVERITIES:
                self.problem(("severity", code), f"`severity.{code}`: {value!r} is not one of "
                             f"{', '.join(SEVERITIES)}", value=str(value) if isinstance(value, str) else None)
                continue
            severity.append((code.upper(), value))
        per_file = []
        for glob, codes in self.table_of(section, "per-file-ignores").items():
            per_file.append((glob, self.codes(section={"x": codes}, key="x", where=("per-file-ignores", glob))))
        exclude = self.strings(section, "exclude")
        return Config(path, root, self.codes(section, "select"), self.codes(section, "ignore"),
                      self.codes(section, "extend-select"), tuple(severity), tuple(per_file), exclude,
                      tuple(self.problems))

    def table_of(self, section: dict[str, Any], key: str) -> dict[str, Any]:
        value = section.get(key, {})
        if not isinstance(value, dict):
            self.problem((key,), f"`{key}` must be a table, like {key} = {{\"BP203\" = ...}}")
            return {}
        return value

    def strings(self, section: dict[str, Any], key: str, where: tuple[str, ...] | None = None) -> tuple[str, ...]:
        value = section.get(key, [])
        where = where or (key,)
        name = ".".join(where)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(where, f"`{name}` must be a list of text, like [\"BP203\"]")
            return ()
        out = []
        for item in value:
            if not isinstance(item, str):
                self.problem(where, f"`{name}`: {item!r} is not text", hint="quote it")
                continue
            out.append(item)
        return tuple(out)

    def codes(self, section: dict[str, Any], key: str, where: tuple[str, ...] | None = None) -> tuple[str, ...]:
        return tuple(c.upper() for c in self.strings(section, key, where) if self.known(where or (key,), c))

    def known(self, where: tuple[str, ...], code: str, key: bool = False) -> bool:
        if is_known_code(code):
            return True
        from blueprint_cli.check.rules import catalogue
        from blueprint_cli.language.suggest import did_you_mean

        hint = did_you_mean(code.upper(), catalogue())
        name = ".".join(where)
        self.problem(where, f"`{name}`: no rule matches {code!r}" + (f" — {hint}" if hint else ""),
                     value=None if key else code, hint=None if hint else "`blueprint lint --list-rules` lists the codes")
        return False


def is_known_code(code: str, exact: bool = False) -> bool:
    """A code or prefix (`exact`: a whole code) that names at least one rule
    (BP…, or SC… of scenario files)."""
    from blueprint_cli.check.rules import catalogue

    code = code.strip().upper()
    if len(code) < 2 or not re.fullmatch(r"[A-Z]+[0-9]*", code):
        return False
    codes: Iterable[str] = catalogue()
    if code.startswith("SC"):
        from blueprint_cli.scenarios.rules import catalogue as scenario_rules

        codes = scenario_rules()
    return code in codes if exact else any(c.startswith(code) for c in codes)


class Locator:
    """Where a key (or a value under it) is written in TOML text: tomllib
    gives no positions, so the text is searched — the table header or key
    line for the longest prefix of the path, then the rest of the path and
    the value after it."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
    _KEY = re.compile(r"""^(\s*)((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.offsets = []
        total = 0
        for line in self.lines:
            self.offsets.append(total)
            total += len(line) + 1
        self.text = text
        # (dotted path, line index, column) of every header and key
        self.entries: list[tuple[tuple[str, ...], int, int]] = []
        table: tuple[str, ...] = ()
        for i, line in enumerate(self.lines):
            m = self._HEADER.match(line)
            if m:
                table = _split(m[1])
                self.entries.append((table, i, line.index("[") + 1))
                continue
            m = self._KEY.match(line)
            if m:
                self.entries.append((table + _split(m[2]), i, len(m[1]) + 1))

    def __call__(self, path: tuple[str, ...], value: str | None = None) -> tuple[int, int]:
        for n in range(len(path), 0, -1):
            for entry, i, col in self.entries:
                if entry == path[:n]:
                    return self._after(i, col, path[n:], value)
        return 1, 1

    def _after(self, line: int, col: int, rest: tuple[str, ...], value: str | None) -> tuple[int, int]:
        offset = self.offsets[line] + col - 1
        for needle in [*rest, *([value] if value is not None else [])]:
            found = -1
            for quoted in (f'"{needle}"', f"'{needle}'", needle):
                found = self.text.find(quoted, offset)
                if found >= 0:
                    break
            if found < 0:
                break
            offset = found
        line = self.text.count("\n", 0, offset)
        return line + 1, offset - self.offsets[line] + 1


def _split(dotted: str) -> tuple[str, ...]:
    parts = re.findall(r"""\s*("[^"]*"|'[^']*'|[^.\s]+)\s*(?:\.|$)""", dotted)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)

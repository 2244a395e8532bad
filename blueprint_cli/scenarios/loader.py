"""Finding, reading and linting scenario files.

A scenario file goes through the same stages as a blueprint: the YAML loader
(positions kept), the scenario JSON Schema, the model, then checks of every
name it uses against the blueprint under test and the team — so a misspelt
transition, state, field, checklist item or user is a finding at its
`file:line:col` with a "did you mean", before anything runs.

Codes: `SC1xx` file and schema problems (the same numbers as the blueprint
linter's BP1xx), `SC2xx` scenario structure, `SC3xx` names that do not exist.
The blueprint under test is linted too; its errors keep their BP codes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprint_cli.language import schema
from blueprint_cli.shown import quoted
from blueprint_cli.diagnostics import BlueprintError, Diagnostic, JsonPath, Severity
from blueprint_cli.engine import SETTABLE_BUILTINS
from blueprint_cli.language.fieldtypes import FieldValueError, parse
from blueprint_cli.check import SCENARIO_SUFFIXES
from blueprint_cli.language.loader import Document, load_file, load_text
from blueprint_cli.language.model import Blueprint, ParallelPart, Transition
from blueprint_cli.scenarios.model import Scenario, ScenarioFile, Step, build
from blueprint_cli.language.suggest import closest, did_you_mean
from blueprint_cli.language.team import Team

SCHEMA_RESOURCE = "scenario.schema.json"
#: What `blueprint test DIR` collects, and what `blueprint lint DIR` leaves alone.
SUFFIXES = SCENARIO_SUFFIXES

# Every code reported here is documented by a module in blueprint_cli/scenarios/rules/
# (`blueprint lint --explain SCxxx`, the docs' rules pages); a test checks both ways.


def is_scenario_file(name: str) -> bool:
    return name.endswith(SUFFIXES)


def discover(paths: Sequence[Path]) -> list[Path]:
    """Files as given; folders searched recursively for *.scenarios.yaml (and
    .yml, and the singular). A path that does not exist is a usage error."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found: list[Path] = []
            # a subfolder that cannot be listed is loaded as a file: reading it gives the finding
            for root, dirs, names in os.walk(p, onerror=lambda e: found.append(Path(e.filename))):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(Path(root, n) for n in names if is_scenario_file(n))
            files.extend(sorted(found))
        elif p.exists():
            files.append(p)
        else:
            raise BlueprintError(f"no such file or folder: {p}",
                                 hint="give scenario files, or folders holding *.scenarios.yaml files")
    return list(dict.fromkeys(files))


def default_blueprint(path: Path) -> Path:
    """`deal.scenarios.yaml` tests `deal.yaml` (or `deal.yml`) next to it."""
    name = path.name
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            for ext in (".yaml", ".yml"):
                if (path.parent / (stem + ext)).exists():
                    return path.parent / (stem + ext)
            return path.parent / (stem + ".yaml")
    stem = name.rsplit(".", 1)[0]
    return path.parent / (stem + ".blueprint.yaml")


@dataclass
class LoadedFile:
    """A scenario file, read and checked, with everything needed to run it."""

    path: Path
    display: str
    document: Document | None = None
    scenarios: ScenarioFile | None = None
    blueprint: Blueprint | None = None
    blueprint_path: Path | None = None
    blueprint_display: str = ""
    team: Team = field(default_factory=Team)
    #: False when no team was given: user names are then not checked
    has_team: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def runnable(self) -> bool:
        return not self.errors and self.scenarios is not None and self.blueprint is not None

    def position(self, path: JsonPath, key: bool = False) -> tuple[int, int]:
        if self.document is None:
            return 1, 1
        pos = self.document.at(path, key=key)
        return pos.line, pos.col


def _sc(d: Diagnostic) -> Diagnostic:
    """Loader and schema findings carry BP1xx codes; in a scenario file they are SC1xx."""
    code = "SC" + d.code[2:] if d.code.startswith("BP") else d.code
    hint = _NOT_A_MAPPING_HINT if code == "SC102" else d.hint
    return Diagnostic(code, d.severity, d.message, d.file, d.line, d.col, d.path, hint)


#: BP102's hint describes a blueprint; a scenario file that is not a mapping needs this one.
_NOT_A_MAPPING_HINT = ("a scenario file is a mapping: `scenarios:` with a list of scenarios "
                       "(and `blueprint:`, `team:`, `now:` when needed)")


def load(path: Path, display: str | None = None, text: str | None = None) -> LoadedFile:
    """Read, validate and check one scenario file (never raises for bad content).
    With `text`, that is the file's content (an editor's unsaved buffer); the
    blueprint and team it names are still read from beside `path`."""
    shown = display or str(path)
    out = LoadedFile(path, shown)
    doc, diags = load_file(path, shown) if text is None else load_text(text, shown)
    out.diagnostics.extend(_sc(d) for d in diags)
    if doc is None:
        return out
    out.document = doc
    if "scenarios" not in doc.data and {"states", "transitions"} <= set(doc.data):
        # a blueprint given by mistake: one finding that says so, not one per key
        sibling = path.parent / (path.name.rsplit(".", 1)[0] + ".scenarios.yaml")
        hint = (f"run `blueprint test {sibling}`" if sibling.exists() else
                f"its scenarios go in {sibling.name}, next to it")
        _add(out, "SC102", "this is a blueprint, not a scenario file", (), hint=hint)
        return out
    found = schema.check(doc, SCHEMA_RESOURCE)
    if found:
        out.diagnostics.extend(_sc(d) for d in found)
        return out
    built, problems = build(doc.data)
    for p in problems:
        _add(out, "SC120", str(p), p.path)
    out.scenarios = built
    _read_team(out, built)
    _read_blueprint(out, built)
    if out.blueprint is not None:
        Checker(out, out.blueprint).run()
    return out


def _add(out: LoadedFile, code: str, message: str, path: JsonPath, *, key: bool = False,
         hint: str | None = None, severity: Severity = Severity.ERROR) -> None:
    line, col = out.position(path, key)
    out.diagnostics.append(Diagnostic(code, severity, message, out.display, line, col, path, hint))


def _relative(base_display: str, target: str) -> str:
    joined = os.path.join(os.path.dirname(base_display), target)
    return os.path.normpath(joined)


def _read_team(out: LoadedFile, built: ScenarioFile) -> None:
    if built.team is None:
        return
    from blueprint_cli.language.schema import InvalidFile

    out.has_team = True
    try:
        if isinstance(built.team, str):
            shown = _relative(out.display, built.team)
            out.team = Team.load(out.path.parent / built.team, shown)
        else:
            out.team = Team.from_data(built.team, out.display)
    except InvalidFile as exc:
        # the team file's own findings, at their lines, then what that means here
        out.diagnostics.extend(exc.diagnostics)
        out.has_team = False
        _add(out, "SC311", f"the team file {shown} has errors, so users cannot be checked", ("team",),
             hint=f"see `blueprint lint {shown}`")
    except BlueprintError as exc:
        out.has_team = False
        _add(out, "SC311", exc.message, ("team",), hint=exc.hint)


def _read_blueprint(out: LoadedFile, built: ScenarioFile) -> None:
    from blueprint_cli.check import lint_file

    if built.blueprint is not None:
        bp_path = out.path.parent / built.blueprint
        bp_display = _relative(out.display, built.blueprint)
    else:
        bp_path = default_blueprint(out.path)
        bp_display = _relative(out.display, bp_path.name)
    out.blueprint_path, out.blueprint_display = bp_path, bp_display
    where: JsonPath = ("blueprint",) if built.blueprint is not None else ()
    if not bp_path.is_file():
        hint = ("write `blueprint: FILE` (relative to this file)" if built.blueprint is None
                else "the path is relative to the scenario file")
        _add(out, "SC310", f"no blueprint file {bp_display}" + ("" if built.blueprint else
                                                               " (the default for this scenario file)"),
             where, hint=hint)
        return
    bp, diags = lint_file(bp_path, out.team if out.has_team else None, display=bp_display)
    errors = [d for d in diags if d.severity is Severity.ERROR]
    if errors or bp is None:
        out.diagnostics.extend(errors or diags)
        _add(out, "SC310", f"the blueprint {bp_display} has errors, so its scenarios cannot run", where,
             hint=f"see `blueprint lint {bp_display}`")
        return
    out.blueprint = bp


# ----- checking names against the blueprint and the team ---------------------------------

class Checker:
    def __init__(self, out: LoadedFile, bp: Blueprint) -> None:
        self.out = out
        self.bp = bp
        self.transition_names = [t.name for t in bp.transitions]
        self.part_names = {p.name: t for t in bp.transitions for p in t.parallel}

    def add(self, code: str, message: str, path: JsonPath, *, key: bool = False, hint: str | None = None) -> None:
        _add(self.out, code, message, path, key=key, hint=hint)

    def run(self) -> None:
        assert self.out.scenarios is not None
        seen: dict[str, int] = {}
        for scenario in self.out.scenarios.scenarios:
            if scenario.name in seen:
                line = self.out.position(("scenarios", seen[scenario.name], "name"))[0]
                self.add("SC201", f"a scenario named {scenario.name!r} is already on line {line}",
                         scenario.path + ("name",), hint="give each scenario its own name")
            else:
                seen[scenario.name] = scenario.path[-1]  # type: ignore[assignment]
            self.scenario(scenario)

    # ----- pieces ---------------------------------------------------------------------------

    def user(self, name: str | None, path: JsonPath) -> None:
        if name is None or not self.out.has_team or name in self.out.team.users:
            return
        hint = did_you_mean(name, self.out.team.users)
        self.add("SC304", f"unknown user {name!r}" + (f" — {hint}" if hint else ""), path,
                 hint=None if hint else f"users: {', '.join(self.out.team.users) or 'none'}")

    def state(self, name: str | None, path: JsonPath) -> None:
        if name is None or self.bp.state(name) is not None:
            return
        hint = did_you_mean(name, self.bp.state_names)
        self.add("SC301", f"unknown state {name!r}" + (f" — {hint}" if hint else ""), path,
                 hint=None if hint else f"states: {', '.join(self.bp.state_names)}")

    def fields(self, pairs: Sequence[tuple[str, Any]], path: JsonPath, what: str, *,
               allow_owner: bool = False) -> None:
        declared = [f.name for f in self.bp.fields]
        for name, value in pairs:
            if name in (self.bp.field, "state"):
                self.add("SC307", f"{name!r} is the state field: only transitions change it", path + (name,),
                         key=True, hint="start the record with `state:`, or check it with `expect: {state: ...}`"
                         if what != "set" else "move the record with a transition instead")
                continue
            fd = self.bp.field_def(name) or (SETTABLE_BUILTINS.get(name) if allow_owner else None)
            if fd is None:
                hint = did_you_mean(name, declared)
                self.add("SC302", f"unknown field {name!r} in {what}" + (f" — {hint}" if hint else ""),
                         path + (name,), key=True,
                         hint=None if hint else f"fields of {self.bp.id}: {', '.join(declared) or 'none'}")
                continue
            if value is None:
                continue
            try:
                parse(fd, value)
            except FieldValueError as exc:
                self.add("SC306", f"{name}: {quoted(value)} is not a valid {fd.type}: {exc}", path + (name,))

    def transition(self, name: str, path: JsonPath) -> tuple[Transition | None, ParallelPart | None]:
        match = closest(name, self.transition_names)
        if match is not None and match.casefold() == name.casefold():
            return self.bp.transition(match), None
        pmatch = closest(name, list(self.part_names))
        if pmatch is not None and pmatch.casefold() == name.casefold():
            t = self.part_names[pmatch]
            return t, next(p for p in t.parallel if p.name == pmatch)
        hint = did_you_mean(name, self.transition_names + list(self.part_names))
        self.add("SC303", f"no transition {name!r} in {self.bp.id}" + (f" — {hint}" if hint else ""), path,
                 hint=None if hint else f"transitions: {', '.join(self.transition_names)}")
        return None, None

    def names(self, names: Sequence[str], path: JsonPath, choices: Sequence[str], what: str) -> None:
        folded = {c.casefold() for c in choices}
        for i, name in enumerate(names):
            if name.casefold() not in folded:
                hint = did_you_mean(name, choices)
                self.add("SC303", f"no {what} {name!r}" + (f" — {hint}" if hint else ""), path + (i,),
                         hint=None if hint else f"{what}s: {', '.join(choices) or 'none'}")

    # ----- a scenario -----------------------------------------------------------------------

    def scenario(self, s: Scenario) -> None:
        rec = s.record
        self.user(rec.owner, rec.path + ("owner",))
        self.state(rec.state, rec.path + ("state",))
        self.fields(rec.fields, rec.path + ("fields",), "the record")
        for step in s.steps:
            self.step(step)

    def step(self, step: Step) -> None:
        path = step.path
        self.user(step.user, path + ("as",))
        t: Transition | None = None
        part: ParallelPart | None = None
        if step.kind == "move" and step.transition is not None:
            t, part = self.transition(step.transition, path + ("move",))
            if t is not None and step.part is not None:
                if not t.parallel:
                    self.add("SC303", f"{t.name!r} is not a parallel transition; it has no parts", path + ("part",))
                else:
                    found = [p for p in t.parallel if p.name.casefold() == step.part.casefold()]
                    if found:
                        part = found[0]
                    else:
                        self.names([step.part], path + ("part",), [p.name for p in t.parallel], "part")
            self.fields(step.set, path + ("set",), "set", allow_owner=True)
            if t is not None:
                self.checklist(step, t, part)
        if step.kind == "edit":
            self.fields(step.edit, path + ("edit",), "edit", allow_owner=True)
        self.expectation(step, t)

    def checklist(self, step: Step, t: Transition, part: ParallelPart | None) -> None:
        items = list(t.require.checklist)
        for p in t.parallel:
            if part is None or p is part:
                items.extend(p.require.checklist)
        folded = {i.casefold() for i in items}
        for i, given in enumerate(step.checklist):
            if given.casefold() in folded:
                continue
            what = f"{t.name} / {part.name}" if part else t.name
            if not items:
                self.add("SC305", f"{what!r} has no checklist; remove {given!r}", self._list_path(step, "check", i))
                continue
            hint = did_you_mean(given, items)
            self.add("SC305", f"{given!r} is not on the checklist of {what!r}" + (f" — {hint}" if hint else ""),
                     self._list_path(step, "check", i), hint=None if hint else "items: " + "; ".join(items))

    def _list_path(self, step: Step, key: str, i: int) -> JsonPath:
        doc = self.out.document
        data = doc.data if doc is not None else None
        value = schema.value_at(data, step.path + (key,))
        return step.path + (key, i) if isinstance(value, list) else step.path + (key,)

    def expectation(self, step: Step, t: Transition | None) -> None:
        e = step.expect
        self.state(e.state, e.path + ("state",))
        self.user(e.owner, e.path + ("owner",))
        self.fields(e.fields, e.path + ("fields",), "expect", allow_owner=True)
        if e.waiting is not None:
            parts = [p.name for p in t.parallel] if t is not None and t.parallel else list(self.part_names)
            self.names(e.waiting, e.path + ("waiting",), parts, "part")
        if e.allowed is not None:
            self.names(e.allowed, e.path + ("allowed",), self.transition_names + list(self.part_names),
                       "transition")
        for key, names in (("moved", e.moved), ("skipped", e.skipped)):
            for i, name in enumerate(names or ()):
                self.automatic(name, e.path + (key, i))
        for want in e.escalated or ():
            self.escalation(want.state, want.level, want.path)

    def automatic(self, name: str, path: JsonPath) -> None:
        """`moved`/`skipped` name an automatic transition."""
        t = next((t for t in self.bp.transitions if t.name.casefold() == name.casefold()), None)
        autos = [t.name for t in self.bp.transitions if t.auto is not None]
        if t is None:
            hint = did_you_mean(name, autos or self.transition_names)
            self.add("SC303", f"no transition {name!r} in {self.bp.id}" + (f" — {hint}" if hint else ""), path,
                     hint=None if hint else f"automatic transitions: {', '.join(autos) or 'none'}")
        elif t.auto is None:
            self.add("SC308", f"{t.name!r} is not automatic (it has no `auto: {{after: ...}}`): time never "
                     "performs it", path, hint=f"automatic transitions: {', '.join(autos) or 'none'}")

    def escalation(self, state: str, level: int | None, path: JsonPath) -> None:
        """`escalated` names a state with an SLA, and a level it has."""
        st = next((s for s in self.bp.states if s.name.casefold() == state.casefold()), None)
        with_sla = [s.name for s in self.bp.states if s.sla is not None]
        if st is None:
            self.state(state, path + ("state",) if level is not None else path)
        elif st.sla is None:
            self.add("SC308", f"state {st.name!r} has no SLA, so it never escalates", path,
                     hint=f"states with an SLA: {', '.join(with_sla) or 'none'}")
        elif level is not None and level > len(st.sla.levels):
            self.add("SC308", f"the SLA of {st.name!r} has levels 0 to {len(st.sla.levels)}, not {level}",
                     path + ("level",), hint="level 0 is `within`, 1 the first of `levels`")



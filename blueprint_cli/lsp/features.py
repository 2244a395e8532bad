"""The answers to an editor's questions, in the protocol's types. Positions
are 0-based lines and code-point columns (the server converts them to the
client's units). Everything a user reads about a blueprint's parts is worded by
`language.wording`, as `show`, `diff` and `next` word it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from blueprint_cli.diagnostics import Diagnostic, Severity
from blueprint_cli.language import wording
from blueprint_cli.language.fieldtypes import BUILTIN_TYPES, OPERATORS_BY_TYPE
from blueprint_cli.language.model import (
    BUILTIN_FIELDS, OPERATORS, Blueprint, Condition, Criterion, Transition,
)
from blueprint_cli.lsp.analysis import Analysis, uri_of
from blueprint_cli.lsp.context import Place, place
from blueprint_cli.lsp.symbols import NOUN, Occurrence, at, occurrences
from blueprint_cli.lsp.text import lines_of, token_end

if TYPE_CHECKING:
    from blueprint_cli.check.rules import Rule

SOURCE = "blueprint"
_SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error, Severity.WARNING: lsp.DiagnosticSeverity.Warning,
             Severity.INFO: lsp.DiagnosticSeverity.Information}


def _range(line: int, start: int, end: int) -> lsp.Range:
    return lsp.Range(lsp.Position(line, start), lsp.Position(line, end))


def rules() -> dict[str, Rule]:
    """Every rule an editor may show: the blueprint's and the scenario files'."""
    from blueprint_cli.check.rules import catalogue
    from blueprint_cli.scenarios.rules import catalogue as scenario_rules

    return {**catalogue(), **scenario_rules()}


# ----- diagnostics ------------------------------------------------------------------------------

def diagnostics(analysis: Analysis) -> list[lsp.Diagnostic]:
    """The file's findings, at `blueprint lint`'s line:col, each over the token it points at."""
    lines = lines_of(analysis.text)
    known = rules()
    out = []
    for d in sorted(analysis.diagnostics, key=Diagnostic.sort_key):
        line = max(d.line - 1, 0)
        text = lines[line] if line < len(lines) else ""
        start = min(max(d.col - 1, 0), len(text))
        end = token_end(text, start)
        rule = known.get(d.code)
        out.append(lsp.Diagnostic(
            range=_range(line, start, end),
            message=d.message + (f" (hint: {d.hint})" if d.hint else ""),
            severity=_SEVERITY[d.severity],
            code=d.code,
            code_description=lsp.CodeDescription(href=rule.help_uri) if rule is not None else None,
            source=SOURCE,
        ))
    return out


# ----- completion ------------------------------------------------------------------------------

_PLAIN_UNSAFE = re.compile(r"""^[-?:,\[\]{}#&*!|>'"%@`\s]|[:#]\s|\s#|[,\[\]{}]|:$|\s$""")
_RESERVED = {"true", "false", "null", "~", "yes", "no", "on", "off", "y", "n"}


def _written(name: str, quote: str) -> str:
    """`name` as a YAML scalar: in the quote the user opened, else plain when that reads back as the text."""
    if quote == "'":
        return "'" + name.replace("'", "''") + "'"
    if quote == '"' or _PLAIN_UNSAFE.search(name) or name.lower() in _RESERVED or \
            re.fullmatch(r"[-+]?(\d[\d_]*)?\.?\d*([eE][-+]?\d+)?", name):
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return name


def _field_type(bp: Blueprint, name: str) -> str | None:
    fd = bp.field_def(name)
    if fd is not None:
        return fd.type
    if name == bp.field:
        return "picklist"
    return BUILTIN_TYPES.get(name)


def _field_values(bp: Blueprint, name: str) -> list[str]:
    fd = bp.field_def(name)
    if fd is not None:
        if fd.values:
            return list(fd.values)
        return ["true", "false"] if fd.type == "boolean" else []
    if name in ("state", bp.field):
        return list(bp.state_names)
    return []


def _owners(bp: Blueprint, analysis: Analysis) -> list[str]:
    names = ["record_owner", "anyone"]
    team = analysis.team
    if team is not None:
        names += [f"role:{r}" for r in sorted(team.roles)]
        names += [f"user:{u}" for u in sorted(team.users)]
        names += [f"profile:{p}" for p in sorted(team.profiles)]
    else:  # no team file: the owners the blueprint already names
        seen = {str(o) for t in bp.transitions for o in (*t.owners, *(o for p in t.parallel for o in p.owners))}
        names += sorted(seen - set(names))
    return names


_STATE_KEYS = {"from", "to", "else", "state"}
_TRANSITION_KEYS = {"move", "part", "allowed", "waiting", "moved", "skipped"}
#: keys whose `to:` names people, not a state
_SENDING = {"email", "assign", "task"}


def _choices(p: Place, analysis: Analysis, bp: Blueprint) -> tuple[list[str], lsp.CompletionItemKind, str]:
    """(names, their kind, what they are) fitting the place."""
    key, parents, siblings = p.key, p.parents, p.siblings
    parent = parents[0] if parents else ""
    scenario = analysis.kind == "scenarios"
    enum = lsp.CompletionItemKind.EnumMember
    if key is None:
        if "field" in siblings:
            ftype = _field_type(bp, _unquoted(siblings["field"]))
            ops = sorted(OPERATORS_BY_TYPE.get(ftype, OPERATORS) if ftype else OPERATORS)
            return ops, lsp.CompletionItemKind.Operator, "operator"
        if parent in ("set", "edit") or (parent == "fields" and scenario):
            return [f.name for f in bp.fields], lsp.CompletionItemKind.Field, "field"
        return [], enum, ""
    if key in ("to", "owner") and parent in _SENDING or key in ("owners",):
        return _owners(bp, analysis), lsp.CompletionItemKind.Value, "owner"
    if key == "owner" and scenario or key == "as":
        team = analysis.team
        return (sorted(team.users) if team is not None else []), lsp.CompletionItemKind.Value, "user"
    if scenario and key in _TRANSITION_KEYS:
        names = [t.name for t in bp.transitions] + [part.name for t in bp.transitions for part in t.parallel]
        return list(dict.fromkeys(names)), lsp.CompletionItemKind.Function, "transition"
    if key in _STATE_KEYS:
        return list(bp.state_names), enum, "state"
    if key == "field":
        names = [f.name for f in bp.fields] + [n for n in (bp.field, *BUILTIN_FIELDS) if bp.field_def(n) is None]
        return list(dict.fromkeys(names)), lsp.CompletionItemKind.Field, "field"
    if key == "fields" and parent == "require":
        return [f.name for f in bp.fields], lsp.CompletionItemKind.Field, "field"
    if key in OPERATORS and "field" in siblings:
        return _field_values(bp, _unquoted(siblings["field"])), enum, "value"
    return [], enum, ""


def _unquoted(text: str) -> str:
    text = text.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


def completion(analysis: Analysis | None, text: str, line: int, col: int) -> list[lsp.CompletionItem]:
    """Names that fit where the cursor is, from the last model that could be
    built (`analysis`), the text being typed read as it is."""
    lines = lines_of(text)
    p = place(lines, line, col)
    if p is None:
        return []
    typed_range = _range(line, p.start, col)
    if p.comment:
        scenario = analysis is not None and analysis.kind == "scenarios"
        return [lsp.CompletionItem(label=r.code, kind=lsp.CompletionItemKind.Constant, detail=r.summary,
                                   text_edit=lsp.TextEdit(typed_range, r.code))
                for r in rules().values() if r.code.startswith("SC" if scenario else "BP")]
    if analysis is None or analysis.blueprint is None:
        return []
    names, kind, what = _choices(p, analysis, analysis.blueprint)
    quote = p.prefix[:1] if p.prefix[:1] in ("'", '"') else ""
    current = lines[line] if line < len(lines) else ""
    lead = " " if p.start > 0 and current[p.start - 1:p.start] == ":" else ""
    items = []
    for i, name in enumerate(names):
        if what == "operator":
            new = f"{name}: "
        else:
            new = _written(name, quote)
            if not quote and p.key in ("owners",) and ":" in name:
                new = f'"{name}"'
        items.append(lsp.CompletionItem(label=name, kind=kind, detail=what, sort_text=f"{i:04d}",
                                        filter_text=p.prefix + name if quote else name,
                                        text_edit=lsp.TextEdit(typed_range, lead + new)))
    return items


# ----- what a name is ----------------------------------------------------------------------------

def _where_used(path: tuple[object, ...], bp: Blueprint) -> str:
    if path[:1] == ("transitions",) and len(path) > 2 and isinstance(path[1], int):
        t = _transition_at(bp, path[1])
        name = t.name if t is not None else f"transition {path[1] + 1}"
        role = {"when": "criteria", "require": "requires", "then": "sets" if "set" in path[3:5] else "actions",
                "branches": "branch", "parallel": "part"}.get(str(path[2]), str(path[2]))
        return f"{name} ({role})"
    if path[:1] == ("entry",):
        return "entry criteria"
    if path[:1] == ("states",) and isinstance(path[1], int) and path[1] < len(bp.states):
        return f"{bp.states[path[1]].name} (SLA)"
    return ".".join(str(p) for p in path)


def _transition_at(bp: Blueprint, index: int) -> Transition | None:
    return next((t for t in bp.transitions if t.path == ("transitions", index)), None)


def _criteria_text(c: Criterion | None) -> list[str]:
    if c is None:
        return []
    if isinstance(c, Condition):
        return [f"**when:** {wording.criterion(c)}"]
    # the one tree of `show`, as a nested Markdown list
    lines = wording.criterion_tree(c)
    return ["**when:**\n\n" + "\n".join(f"{line[:len(line) - len(line.lstrip())]}- {line.lstrip()}" for line in lines)]


def _hover_state(bp: Blueprint, name: str) -> str:
    s = bp.state(name)
    out = [f"**state** `{name}`" + (" (final)" if s is not None and s.final else "")]
    if s is None:
        return out[0] + "\n\nnot a state of this blueprint"
    if name == bp.entry_state:
        out.append("records start here")
    if s.description:
        out.append(s.description)
    if s.sla is not None:
        out.append(f"**SLA:** {wording.sla(s.sla)}")
    into = [f"{t.name} (from {', '.join(bp.sources_of(t)) or '—'})" for t in bp.transitions if name in t.targets]
    out_of = [f"{t.name} → {' | '.join(t.targets) or '—'}" for t in bp.transitions_from(name)]
    out.append("**in:** " + ("; ".join(into) if into else "none"))
    out.append("**out:** " + ("; ".join(out_of) if out_of else "none"))
    return "\n\n".join(out)


def _hover_field(bp: Blueprint, name: str, uses: Iterable[Occurrence]) -> str:
    fd = bp.field_def(name)
    if fd is None:
        ftype = _field_type(bp, name)
        head = f"**field** `{name}`: " + (f"{ftype}, built in" if ftype else "not declared")
        out = [head]
    else:
        out = [f"**field** `{name}`: {fd.type}" + (f" — {fd.label}" if fd.label else "")]
        if fd.values:
            out.append("**values:** " + ", ".join(fd.values))
        limits = [f"{k} {v}" for k, v in (("min", fd.min), ("max", fd.max), ("min length", fd.min_length),
                                          ("max length", fd.max_length), ("pattern", fd.pattern),
                                          ("default", fd.default)) if v is not None]
        if limits:
            out.append(", ".join(limits))
        if fd.description:
            out.append(fd.description)
    used = list(dict.fromkeys(_where_used(o.path, bp) for o in sorted(uses, key=lambda o: (o.line, o.start))
                              if not o.definition))
    out.append("**used in:** " + ("; ".join(used) if used else "nothing yet"))
    return "\n\n".join(out)


def _hover_transition(bp: Blueprint, name: str) -> str:
    for t in bp.transitions:
        part = next((p for p in t.parallel if p.name == name), None)
        if t.name != name and part is None:
            continue
        if part is not None:
            out = [f"**part** `{part.name}` of the parallel transition `{t.name}`",
                   "**owners:** " + ", ".join(str(o) for o in part.owners)]
            out += _criteria_text(part.when)
            out += [f"**requires:** {r}" for r in wording.requirement(part.require)]
            return "\n\n".join(out)
        out = [f"**transition** `{t.name}`: {', '.join(t.sources)} → {' | '.join(t.targets) or '—'}"]
        if t.description:
            out.append(t.description)
        out.append("**owners:** " + ", ".join(str(o) for o in t.owners))
        if t.auto is not None:
            out.append(f"**automatic:** after {t.auto.after}")
        out += _criteria_text(t.when)
        out += [f"**requires:** {r}" for r in wording.requirement(t.require)]
        for b in t.branches:
            out.append(f"**branch** → {b.to}: " + ("otherwise" if b.when is None else wording.criterion(b.when)))
        for p in t.parallel:
            bits = [", ".join(str(o) for o in p.owners)] + wording.requirement(p.require)
            if p.when is not None:
                bits.append("when " + wording.criterion(p.when))
            out.append(f"**part** {p.name}: " + "; ".join(bits))
        if t.then:
            out.append("**then:**\n\n" + "\n".join(f"- {wording.action(a)}" for a in t.then))
        return "\n\n".join(out)
    return f"**transition** `{name}`\n\nnot a transition of this blueprint"


_CODE_IN_COMMENT = re.compile(r"#\s*blueprint\s*:\s*disable(?:-file)?\s*=")


def _rule_at(line_text: str, col: int) -> tuple[Rule, int, int] | None:
    m = _CODE_IN_COMMENT.search(line_text)
    if m is None or col < m.end():
        return None
    for cm in re.finditer(r"[A-Za-z]+[0-9]+", line_text[m.end():]):
        start, end = m.end() + cm.start(), m.end() + cm.end()
        if start <= col <= end:
            rule = rules().get(cm[0].upper())
            return (rule, start, end) if rule is not None else None
    return None


def explain(rule: Rule) -> str:
    """A rule's page, as `blueprint lint --explain` prints it."""
    return f"**{rule.code}** {rule.name} ({rule.severity.value})\n\n{rule.doc}\n\n[{rule.help_uri}]({rule.help_uri})"


def hover(analysis: Analysis, line: int, col: int) -> lsp.Hover | None:
    lines = lines_of(analysis.text)
    text = lines[line] if line < len(lines) else ""
    found = _rule_at(text, col)
    if found is not None:
        rule, start, end = found
        return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, explain(rule)), _range(line, start, end))
    occ = at(analysis.symbols, line, col)
    bp = analysis.blueprint
    if occ is None or bp is None:
        return None
    if occ.kind == "state":
        body = _hover_state(bp, occ.name)
    elif occ.kind == "field":
        uses = analysis.symbols if analysis.kind == "blueprint" else _blueprint_symbols(analysis)
        body = _hover_field(bp, occ.name, (o for o in uses if o.kind == "field" and o.name == occ.name))
    else:
        body = _hover_transition(bp, occ.name)
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, body), _range(line, occ.start, occ.end))


# ----- definitions, references, renames -----------------------------------------------------------

class Texts:
    """The text of a file: the editor's buffer when it is open, else the file on disk."""

    def __init__(self, open_texts: dict[str, str]) -> None:
        self.open = open_texts

    def get(self, path: Path) -> str | None:
        uri = uri_of(path)
        if uri in self.open:
            return self.open[uri]
        try:
            return path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None


def _blueprint_symbols(analysis: Analysis, texts: Texts | None = None) -> list[Occurrence]:
    if analysis.kind == "blueprint":
        return analysis.symbols
    if analysis.blueprint_path is None:
        return []
    text = (texts or Texts({})).get(analysis.blueprint_path)
    return _symbols_of(text, analysis.blueprint_path, scenario=False) if text is not None else []


def _symbols_of(text: str, path: Path, scenario: bool) -> list[Occurrence]:
    from blueprint_cli.language.loader import load_text

    doc, _ = load_text(text, str(path))
    if doc is None:
        return []
    if not doc.text:
        doc.text = text
    return occurrences(doc, scenario=scenario)


def _scenario_files(blueprint_path: Path) -> list[Path]:
    """The scenario files beside a blueprint that test it (by name, or by their `blueprint:`)."""
    from blueprint_cli.scenarios.loader import SUFFIXES, default_blueprint

    out = []
    try:
        candidates = sorted(p for p in blueprint_path.parent.iterdir() if p.name.endswith(SUFFIXES))
    except OSError:
        return []
    target = blueprint_path.resolve()
    for p in candidates:
        named = None
        try:
            m = re.search(r"^blueprint:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(#.*)?$", p.read_text("utf-8"), re.M)
            named = m[1] if m else None
        except (OSError, UnicodeDecodeError):
            continue
        tested = (p.parent / named) if named else default_blueprint(p)
        if tested.resolve() == target:
            out.append(p)
    return out


def _all_occurrences(analysis: Analysis, texts: Texts) -> dict[Path, list[Occurrence]]:
    """Every file that names the blueprint's states, fields and transitions: the
    blueprint and the scenario files that test it (open buffers as typed)."""
    out: dict[Path, list[Occurrence]] = {}
    bp_path = analysis.path if analysis.kind == "blueprint" else analysis.blueprint_path
    if bp_path is None:
        return {analysis.path: analysis.symbols}
    out[bp_path] = _blueprint_symbols(analysis, texts)
    for sc in _scenario_files(bp_path):
        if sc == analysis.path:
            out[sc] = analysis.symbols
            continue
        text = texts.get(sc)
        if text is not None:
            out[sc] = _symbols_of(text, sc, scenario=True)
    if analysis.kind == "scenarios":
        out[analysis.path] = analysis.symbols
    return out


def _location(path: Path, o: Occurrence) -> lsp.Location:
    return lsp.Location(uri_of(path), _range(o.line, o.name_start, o.name_end))


def definition(analysis: Analysis, line: int, col: int, texts: Texts) -> list[lsp.Location]:
    occ = at(analysis.symbols, line, col)
    if occ is None:
        return []
    bp_path = analysis.path if analysis.kind == "blueprint" else analysis.blueprint_path
    if bp_path is None:
        return []
    return [_location(bp_path, o) for o in _blueprint_symbols(analysis, texts)
            if o.definition and o.kind == occ.kind and o.name == occ.name]


def references(analysis: Analysis, line: int, col: int, texts: Texts,
               include_declaration: bool = True) -> list[lsp.Location]:
    occ = at(analysis.symbols, line, col)
    if occ is None:
        return []
    return [_location(path, o) for path, found in _all_occurrences(analysis, texts).items() for o in found
            if o.kind == occ.kind and o.name == occ.name and (include_declaration or not o.definition)]


class RenameRefused(Exception):
    """A rename that would break the file; the message says why."""


def prepare_rename(analysis: Analysis, line: int, col: int) -> lsp.Range | None:
    occ = at(analysis.symbols, line, col)
    if occ is None or occ.kind == "transition" and analysis.kind == "scenarios" and analysis.blueprint is None:
        return None
    if occ.kind == "transition":
        return None  # only states and fields are renamed
    return _range(occ.line, occ.name_start, occ.name_end)


def rename(analysis: Analysis, line: int, col: int, new_name: str, texts: Texts) -> lsp.WorkspaceEdit | None:
    occ = at(analysis.symbols, line, col)
    if occ is None or occ.kind == "transition":
        return None
    new_name = new_name.strip()
    noun = NOUN[occ.kind]
    if not new_name or "\n" in new_name:
        raise RenameRefused(f"a {noun} needs a name on one line")
    bp = analysis.blueprint
    if bp is not None:
        taken = bp.state_names if occ.kind == "state" else tuple(f.name for f in bp.fields) + BUILTIN_FIELDS
        if new_name != occ.name and new_name in taken:
            raise RenameRefused(f"there is already a {noun} named {new_name!r}")
        if occ.kind == "field" and bp.field_def(occ.name) is None:
            raise RenameRefused(f"{occ.name!r} is not a declared field; only declared fields are renamed")
    changes: dict[str, list[lsp.TextEdit]] = {}
    for path, found in _all_occurrences(analysis, texts).items():
        text = texts.get(path) if path != analysis.path else analysis.text
        if text is None:
            continue
        lines = lines_of(text)
        edits = []
        for o in found:
            if o.kind != occ.kind or o.name != occ.name:
                continue
            token = lines[o.line][o.start:o.end]
            quote = token[:1] if token[:1] in ("'", '"') else ""
            edits.append(lsp.TextEdit(_range(o.line, o.start, o.end), _written(new_name, quote)))
        if edits:
            changes[uri_of(path)] = edits
    return lsp.WorkspaceEdit(changes=changes)


# ----- code actions ------------------------------------------------------------------------------

_SUPPRESSION = re.compile(r"#\s*blueprint\s*:\s*disable\s*=\s*[A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*")


def suppress_edit(line_text: str, line: int, code: str) -> lsp.TextEdit:
    """`# blueprint: disable=CODE` at the end of the line, or CODE added to the one there."""
    m = _SUPPRESSION.search(line_text)
    if m is not None:
        return lsp.TextEdit(_range(line, m.end(), m.end()), f",{code}")
    end = len(line_text.rstrip())
    return lsp.TextEdit(_range(line, end, len(line_text)), f"  # blueprint: disable={code}")


def code_actions(analysis: Analysis, first: int, last: int) -> list[lsp.CodeAction]:
    """For each finding on lines `first`..`last` (0-based): its fix, as
    `blueprint lint --fix` (safe) or `--unsafe-fixes` would apply it, and
    suppressing it on its line."""
    lines = lines_of(analysis.text)
    published = {id(d): p for d, p in zip(sorted(analysis.diagnostics, key=Diagnostic.sort_key),
                                         diagnostics(analysis))}
    out: list[lsp.CodeAction] = []
    suppressed: set[tuple[int, str]] = set()
    for d in sorted(analysis.diagnostics, key=Diagnostic.sort_key):
        line = d.line - 1
        if not first <= line <= last:
            continue
        shown = published.get(id(d))
        if d.fix is not None:
            edits = [lsp.TextEdit(lsp.Range(lsp.Position(e.line - 1, e.col - 1), lsp.Position(e.end_line - 1,
                                                                                             e.end_col - 1)),
                                  e.content) for e in d.fix.edits]
            title = f"Fix {d.code}: {d.fix.title}" + ("" if d.fix.safe else " (unsafe: makes a choice)")
            out.append(lsp.CodeAction(title=title, kind=lsp.CodeActionKind.QuickFix,
                                      diagnostics=[shown] if shown else None, is_preferred=d.fix.safe,
                                      edit=lsp.WorkspaceEdit(changes={analysis.uri: edits})))
        if (line, d.code) in suppressed or line >= len(lines):
            continue
        suppressed.add((line, d.code))
        out.append(lsp.CodeAction(
            title=f"Suppress {d.code} on this line", kind=lsp.CodeActionKind.QuickFix,
            diagnostics=[shown] if shown else None,
            edit=lsp.WorkspaceEdit(changes={analysis.uri: [suppress_edit(lines[line], line, d.code)]})))
    return out

"""The loader: positions, YAML 1.1 quirks, and safety against hostile input
(object-building tags, alias bombs, deep nesting). Property tests: no text and
no data ever makes the loader or the lint pipeline raise — only findings."""

from __future__ import annotations

import json
import re
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueprint_cli.check import lint_text
from blueprint_cli.check.rules import catalogue
from blueprint_cli.language.loader import MAX_NODES, load_file, load_text

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE = REPO_ROOT / "sample_blueprints" / "deal-follow-up.yaml"


def codes(diags: list) -> list[str]:
    return [d.code for d in diags]


def data_of(text: str) -> Any:
    doc, diags = load_text(text, "f.yaml")
    assert doc is not None and not diags, diags
    return doc.data


# ----- tags are refused, never run ------------------------------------------------------------

@pytest.mark.parametrize("tagged", [
    '!!python/object/apply:os.system ["touch {marker}"]',
    "!!python/object/apply:subprocess.check_call [[touch, {marker}]]",
    "!!python/object/new:subprocess.Popen [[touch, {marker}]]",
    "!!python/object/apply:builtins.open [{marker}, w]",
    "!!python/name:os.system",
    "!!python/module:os",
    '!<tag:yaml.org,2002:python/object/apply:os.system> ["touch {marker}"]',
    "!custom {marker}",
])
def test_object_building_tags_are_refused_and_not_run(tmp_path: Path, tagged: str) -> None:
    marker = tmp_path / "pwned"
    text = f"blueprint: x\nmodule: {tagged.format(marker=marker)}\n"
    doc, diags = load_text(text, "f.yaml")
    assert doc is None
    assert [(d.code, d.line, d.col) for d in diags] == [("BP103", 2, 9)]
    assert "is not allowed" in diags[0].message
    # and through the whole pipeline, as a file, by the CLI's own code path
    path = tmp_path / "bp.yaml"
    path.write_text(text)
    bp, diags = lint_text(text, str(path))
    assert bp is None and codes(diags) == ["BP103"]
    assert not marker.exists()


def test_tag_in_a_key_or_nested_deep_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"states:\n  - name: A\n    description: {{x: [1, !!python/object/apply:os.system [touch {marker}]]}}\n"
    assert codes(load_text(text, "f")[1]) == ["BP103"]
    assert codes(load_text("? !!python/name:os.system\n: 1\n", "f")[1]) == ["BP103"]
    assert not marker.exists()


def test_standard_tags_are_plain_data() -> None:
    assert data_of("a: !!str 3\nb: !!int '7'\nc: !!float 1\nd: !!bool true\ne: !!null ''\n") == \
        {"a": "3", "b": 7, "c": 1.0, "d": True, "e": None}


# ----- alias bombs and deep nesting -------------------------------------------------------------

def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [9, 30])
def test_alias_bomb_is_refused_quickly_with_bounded_memory(levels: int) -> None:
    text = billion_laughs(levels)
    tracemalloc.start()
    try:
        started = time.perf_counter()
        doc, diags = load_text(text, "bomb.yaml")
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert doc is None
    assert codes(diags) == ["BP104"]
    assert "through aliases" in diags[0].message
    # generous safety bounds, not a benchmark: the real figures are milliseconds and kilobytes
    assert elapsed < 5.0
    assert peak < 50 * 1024 * 1024


def test_aliases_within_the_budget_are_expanded() -> None:
    data = data_of("base: &b {type: text, label: Name}\nfields:\n  a: *b\n  c: {<<: *b, label: Other}\n")
    assert data["fields"] == {"a": {"type": "text", "label": "Name"}, "c": {"label": "Other", "type": "text"}}


def test_a_large_document_without_aliases_is_not_called_a_bomb(monkeypatch: pytest.MonkeyPatch) -> None:
    from blueprint_cli.language import loader

    monkeypatch.setattr(loader, "MAX_NODES", 1000)  # the real limit (200,000) takes seconds to reach
    text = "items:\n" + "".join(f"  - {i}\n" for i in range(1010))
    doc, diags = load_text(text, "big.yaml")
    assert codes(diags) == ["BP104"]
    assert "aliases" not in diags[0].message
    assert data_of("items:\n" + "".join(f"  - {i}\n" for i in range(990)))["items"][-1] == 989


def test_the_node_limit_is_far_above_a_real_blueprint() -> None:
    assert MAX_NODES >= 100 * len(_paths(SAMPLE_DATA))


@pytest.mark.parametrize("text", [
    "a: &a [*a]\n",
    "a: &a {b: *a}\n",
    "a: &a {<<: *a}\n",
    "a: &a {<<: [*a]}\n",
    "a: &a [{b: [*a]}]\n",
], ids=["seq", "map", "merge", "merge-list", "nested"])
def test_alias_cycles_are_findings(text: str) -> None:
    doc, diags = load_text(text, "cycle.yaml")
    assert doc is None
    assert codes(diags) == ["BP104"]
    assert "refers to the collection that contains it" in diags[0].message


@pytest.mark.parametrize("text, where", [
    ("a: " + "[" * 5000 + "]" * 5000 + "\n", (1, 1004)),
    ("a: " + "{b: " * 5000 + "1" + "}" * 5000 + "\n", None),
    ("a: " + "[" * 5000 + "\n", (1, 1004)),  # also invalid YAML: the depth is checked first
    ("- " * 5000 + "x\n", (1, 1)),
    ("".join(" " * i + "k:\n" for i in range(3000)), None),
    ("".join(" " * i + "-\n" for i in range(3000)), None),
], ids=["flow-seq", "flow-map", "unclosed", "block-seq-one-line", "block-map", "block-seq"])
def test_deep_nesting_is_refused_without_crashing(text: str, where: tuple[int, int] | None) -> None:
    started = time.perf_counter()
    doc, diags = load_text(text, "deep.yaml")
    assert doc is None
    assert codes(diags) == ["BP104"]
    assert "nesting deeper than" in diags[0].message
    if where:
        assert (diags[0].line, diags[0].col) == where
    assert time.perf_counter() - started < 5.0


def test_file_larger_than_the_limit_is_refused() -> None:
    doc, diags = load_text("a: " + "x" * (10 * 1024 * 1024 + 1), "big.yaml")
    assert doc is None and codes(diags) == ["BP104"]


# ----- YAML 1.1 quirks: names stay the text written ---------------------------------------------

@pytest.mark.parametrize("word", ["on", "off", "On", "OFF", "yes", "no", "Yes", "No", "y", "n", "Y", "N"])
def test_yaml11_booleans_stay_text_as_values_and_keys(word: str) -> None:
    assert data_of(f"name: {word}\n{word}: x\nlist: [{word}]\n") == {"name": word, word: "x", "list": [word]}


@pytest.mark.parametrize("text", ["2026-01-01", "2026-01-01T10:30:00Z", "2026-01-01 10:30:00", "2026-1-1"])
def test_dates_and_timestamps_stay_text(text: str) -> None:
    assert data_of(f"name: {text}\n{text}: x\n") == {"name": text, text: "x"}


def test_only_true_and_false_are_booleans() -> None:
    assert data_of("a: true\nb: false\nc: True\nd: FALSE\n") == {"a": True, "b": False, "c": True, "d": False}


@pytest.mark.parametrize("text, value", [
    ("012", 12),  # YAML 1.2: decimal, not octal
    ("0o12", 10),
    ("0x1F", 31),
    ("-3", -3),
    ("2.5", 2.5),
    ("1e3", 1000.0),
    ("~", None),
    ("null", None),
    ("", None),
    ("1:30", "1:30"),  # YAML 1.1 would make this sexagesimal 90
    ("'on'", "on"),
    ('"12"', "12"),
])
def test_scalars_follow_the_yaml_12_core_schema(text: str, value: Any) -> None:
    assert data_of(f"v: {text}\n")["v"] == value


def test_keys_are_always_the_text_written() -> None:
    assert data_of("1: a\ntrue: b\nnull: c\n2026-01-01: d\n") == {"1": "a", "true": "b", "null": "c", "2026-01-01": "d"}


def test_quirky_state_names_lint_clean() -> None:
    text = """\
blueprint: switches
module: Switches
field: on
states:
  - name: Off
  - name: On
  - name: No
  - name: 2026-01-01
    final: true
transitions:
  - {name: Yes, from: Off, to: On}
  - {name: No, from: On, to: No}
  - {name: on, from: No, to: 2026-01-01}
"""
    bp, diags = lint_text(text, "f.yaml")
    assert diags == []
    assert bp is not None
    assert bp.field == "on"
    assert bp.state_names == ("Off", "On", "No", "2026-01-01")
    assert [t.name for t in bp.transitions] == ["Yes", "No", "on"]


# ----- positions, duplicates, other findings ----------------------------------------------------

def test_positions_of_values_and_keys_are_one_based() -> None:
    text = "blueprint: x\nstates:\n  - name: A\n    final: true\n  - {name: B}\n"
    doc, _ = load_text(text, "f")
    assert doc is not None
    pos = lambda p, key=False: (doc.at(p, key=key).line, doc.at(p, key=key).col)  # noqa: E731
    assert pos(("blueprint",)) == (1, 12)
    assert pos(("blueprint",), key=True) == (1, 1)
    assert pos(("states", 0, "final")) == (4, 12)
    assert pos(("states", 0, "final"), key=True) == (4, 5)
    assert pos(("states", 1, "name")) == (5, 12)
    assert pos(("states", 1)) == (5, 5)
    assert pos(("states", 5, "name")) == (3, 3)  # missing: the nearest existing parent
    assert pos(()) == (1, 1)


def test_duplicate_keys_are_findings_and_the_first_value_is_kept() -> None:
    doc, diags = load_text("a: 1\nb: 2\na: 3\n", "f")
    assert doc is not None and doc.data == {"a": 1, "b": 2}
    assert [(d.code, d.line, d.col, d.message) for d in diags] == [("BP105", 3, 1, "duplicate key 'a'")]


def test_collection_keys_are_refused() -> None:
    assert codes(load_text("? [a, b]\n: 1\n", "f")[1]) == ["BP100"]
    assert codes(load_text("{[a]: 1}\n", "f")[1]) == ["BP100"]


def test_merge_of_a_scalar_is_refused() -> None:
    assert codes(load_text("a: &a 1\nb: {<<: *a}\n", "f")[1]) == ["BP100"]


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffa: 1\n".encode())
    doc, diags = load_file(path)
    assert doc is not None and doc.data == {"a": 1} and not diags


def test_invalid_utf8_is_a_finding_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    doc, diags = load_file(path)
    assert doc is None
    assert [(d.code, d.line, d.col) for d in diags] == [("BP100", 2, 1)]


def test_unreadable_file_is_a_finding(tmp_path: Path) -> None:
    doc, diags = load_file(tmp_path)  # a folder cannot be read as a file
    assert doc is None and codes(diags) == ["BP100"]


def test_tab_indentation_says_so() -> None:
    doc, diags = load_text("a:\n\t- b\n", "f")
    assert codes(diags) == ["BP100"]
    assert diags[0].hint and "tab" in diags[0].hint


def test_unclosed_quote_points_where_it_opens() -> None:
    _, diags = load_text('a: 1\nb: "open\nc: 2\n\n', "f")
    assert [(d.code, d.line, d.col) for d in diags] == [("BP100", 2, 4)]


# ----- property tests: never a traceback, only findings -----------------------------------------

RULE_CODES = set(catalogue())


def check_diagnostics(text: str, diags: list) -> None:
    # the parser also breaks lines at \r, NEL and the Unicode line/paragraph separators
    lines = re.split(r"\r\n|[\n\r\x85\u2028\u2029]", text)
    for d in diags:
        assert d.code in RULE_CODES
        assert d.line >= 1 and d.col >= 1
        assert d.line <= len(lines) + 1, (d, len(lines))
        assert d.message


yaml_ish = st.text(
    alphabet=st.sampled_from(list("abcAB01 :-[]{},#&*!?|>'\"\n\t.%@`~\\") + ["\u00e9", "\ufeff", "\u2028", "\x00"]),
    max_size=200,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), yaml_ish))
def test_any_text_gives_findings_not_exceptions(text: str) -> None:
    doc, diags = load_text(text, "fuzz.yaml")
    assert doc is not None or diags
    check_diagnostics(text, diags)
    _, diags = lint_text(text, "fuzz.yaml")
    check_diagnostics(text, diags)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
keys = st.sampled_from(["blueprint", "module", "field", "fields", "states", "transitions", "entry", "title",
                        "priority", "name", "from", "to", "when", "then", "require", "branches", "parallel",
                        "final", "sla", "type", "values", "all", "any", "not", "gt", "in", "between", "else"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys | st.text(max_size=8), json_values, max_size=8))
def test_any_mapping_gives_findings_not_exceptions(data: dict) -> None:
    # JSON is YAML too (flow style); indented, every value sits on its own line
    for text in (json.dumps(data), json.dumps(data, indent=2)):
        _, diags = lint_text(text, "fuzz.yaml")
        check_diagnostics(text, diags)


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, path + (i,))
    return out


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (_replace(v, rest, new) if k == head else v) for k, v in value.items()}
    return [(_replace(v, rest, new) if i == head else v) for i, v in enumerate(value)]


SAMPLE_DATA = load_text(SAMPLE.read_text(), str(SAMPLE))[0].data  # type: ignore[union-attr]
SAMPLE_PATHS = _paths(SAMPLE_DATA)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLE_PATHS), json_values | st.sampled_from(
    ["Negotiation", "Closed Won", "*", "amount", "reason", "stage", "3d", "0d", "role:legal", "{{record.name}}", 0,
     -1, True, [], {}, ["Negotiation", "*"]]))
def test_a_mutated_sample_gives_findings_not_exceptions(path: tuple, value: Any) -> None:
    """Every part of a realistic blueprint replaced by something else: the schema,
    the model and every rule must cope (the deepest input space we have)."""
    data = _replace(SAMPLE_DATA, path, value)
    text = json.dumps(data, indent=2)
    _, diags = lint_text(text, "mutant.yaml")
    check_diagnostics(text, diags)


# ----- a hint for the parse errors people make ---------------------------------------------------

@pytest.mark.parametrize("text, where, hint", [
    # a key indented under one that already has its value
    ("blueprint: x\nmodule: Deals\n  field: stage\n", "3:8", "line 3 is indented more than the line above it"),
    # a key of a list item out of line with the item's first key
    ("blueprint: x\nstates:\n  - name: A\n   final: true\n", "4:4",
     "check the indentation of line 4: the keys of one mapping start in the same column, and so do the `-` of "
     "one list; the list it breaks starts at line 3"),
    ("blueprint: x\nfields:\n    a: 1\n  b: 2\n", "4:3", "check the indentation of line 4"),
    ("blueprint: x\nstates:\n- name: A\n  - name: B\n", "4:3", "check the indentation of line 4"),
    # a value holding ": "
    ("title: Deal: follow-up\n", "1:12", 'a value holding ": " needs quotes'),
])
def test_a_parse_error_comes_with_a_hint(cli, tmp_path: Path, text: str, where: str, hint: str) -> None:
    path = tmp_path / "bp.yaml"
    path.write_text(text)
    result = cli("lint", path)
    assert result.exit_code == 1
    first, second = result.stdout.splitlines()[:2]
    assert f"bp.yaml:{where}: error BP100 invalid YAML" in first, result.stdout
    assert second.startswith("    hint: ") and hint in second, result.stdout

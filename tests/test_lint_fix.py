"""`blueprint lint --fix`, `--diff` and `--unsafe-fixes` as a user sees them.

Every fix is tried on a file full of comments, odd quoting and both YAML
styles; after `--fix` the finding is gone when linting again, and the file is
byte for byte what it was except for the edit (each test states the whole
expected file as the original with one replacement).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import jsonschema
import pytest

from blueprint_cli.store.files import ChangedMeanwhile, replace_unchanged

HERE = Path(__file__).resolve().parent
SARIF_SCHEMA = json.loads((HERE / "data" / "sarif-schema-2.1.0.json").read_text())

# A clean blueprint with comments everywhere; each test plants one mistake in it.
CLEAN = """\
# yaml-language-server: $schema=../schemas/blueprint.schema.json
# Deals, with comments that must survive every fix.
blueprint: fix-me          # the id
module: Deals
field: stage

fields:
  amount:      {type: currency, min: 0}    # money
  probability: {type: percent}
  reason:      {type: picklist, values: [Price, Competitor, "No budget"]}

states:
  - name: Qualification    # where deals start
  - name: 'Negotiation'    # quoted on purpose
  - name: "Won #1"
    final: true
  - name: Lost
    final: true

transitions:
  # the happy path
  - name: Negotiate
    from: Qualification
    to: Negotiation        # after the first call
    when: {field: amount, gte: 1000}
    then:
      - set: {probability: 40}
  - name: Win
    from: [Negotiation]
    to: "Won #1"
  - name: Lose             # from anywhere
    from: "*"
    to: Lost
    when: {field: reason, ne: Price}
"""


def plant(tmp_path: Path, old: str, new: str, text: str = CLEAN, name: str = "deal.yaml") -> Path:
    assert text.count(old) == 1, old
    path = tmp_path / name
    path.write_bytes(text.replace(old, new).encode())
    return path


def codes(result) -> list[str]:
    return [line.split()[2] for line in result.stdout.splitlines() if not line.startswith(" ")]


def assert_fixed(cli, path: Path, expected: str, *args: str) -> None:
    result = cli("lint", "--fix", *args, path)
    assert path.read_text() == expected
    again = cli("lint", path)
    assert again.exit_code == 0, again.stdout
    assert result.exit_code == 0, result.output
    assert "Fixed" in result.stderr


# ----- the fixes, one by one ----------------------------------------------------------------------

@pytest.mark.parametrize("old, new", [
    ("    to: Negotiation        # after the first call", "    to: Negotation        # after the first call"),
    ("    from: [Negotiation]", "    from: [Negotiaton]"),                       # in a flow list
    ("    from: [Negotiation]", "    from: Negotiaton"),                         # one value for a list
    ('    to: "Won #1"', '    to: "Won 1"'),                                     # double quotes kept
    ('    to: "Won #1"', "    to: 'Won 1'"),                                     # single quotes kept
])
def test_unknown_state_is_respelt_keeping_quotes_and_comments(cli, tmp_path: Path, old: str, new: str) -> None:
    path = plant(tmp_path, old, new)
    before = cli("lint", path)
    assert "BP301" in codes(before) and "[*] unknown state" in before.stdout
    fixed = CLEAN.replace(old, new.replace("Negotation", "Negotiation").replace("Negotiaton", "Negotiation")
                          .replace("Won 1", "Won #1"))
    assert_fixed(cli, path, fixed)


def test_a_plain_value_that_needs_quotes_gets_them(cli, tmp_path: Path) -> None:
    path = plant(tmp_path, '    to: "Won #1"', "    to: Won 1   # plain")
    # written plain, `Won #1` would end at the comment sign
    assert_fixed(cli, path, CLEAN.replace('    to: "Won #1"', '    to: "Won #1"   # plain'))


def test_unknown_key_is_renamed(cli, tmp_path: Path) -> None:
    old = "    when: {field: amount, gte: 1000}\n"
    path = plant(tmp_path, old, old + "    mesage: Confirm the budget   # shown to the user\n")
    assert codes(cli("lint", path)) == ["BP110"]
    assert_fixed(cli, path, CLEAN.replace(old, old + "    message: Confirm the budget   # shown to the user\n"))


def test_unknown_operator_is_renamed_in_a_flow_mapping(cli, tmp_path: Path) -> None:
    path = plant(tmp_path, "{field: amount, gte: 1000}", "{field: amount, betwen: [1000, 5000]}")
    assert_fixed(cli, path, CLEAN.replace("{field: amount, gte: 1000}", "{field: amount, between: [1000, 5000]}"))


def test_undeclared_fields_are_respelt_in_criteria_and_set(cli, tmp_path: Path) -> None:
    text = CLEAN.replace("{field: amount, gte: 1000}", "{field: ammount, gte: 1000}")
    path = plant(tmp_path, "{probability: 40}", "{probabilty: 40}", text)
    assert sorted(codes(cli("lint", path))) == ["BP302", "BP302"]
    assert_fixed(cli, path, CLEAN)


def test_picklist_value_is_respelt(cli, tmp_path: Path) -> None:
    path = plant(tmp_path, "ne: Price}", "ne: Prise}")
    assert codes(cli("lint", path)) == ["BP304"]
    assert_fixed(cli, path, CLEAN)


def test_a_reached_dead_end_is_marked_final(cli, tmp_path: Path) -> None:
    old = "  - name: Lost\n    final: true\n"
    path = plant(tmp_path, old, old + "  - name: On Hold         # parked deals\n")
    text = path.read_text().replace("    from: \"*\"", "    from: [Qualification, Negotiation]")
    text = text.replace("  - name: Win\n", "  - name: Park\n    from: Negotiation\n    to: On Hold\n  - name: Win\n")
    path.write_text(text)
    assert codes(cli("lint", path)) == ["BP204"]
    assert_fixed(cli, path, text.replace("  - name: On Hold         # parked deals\n",
                                         "  - name: On Hold         # parked deals\n    final: true\n"))


def test_a_dead_end_in_flow_style_gets_final_inside_the_braces(cli, tmp_path: Path) -> None:
    text = CLEAN.replace('    from: "*"', "    from: [Qualification, Negotiation]")
    text = text.replace("  - name: Lost\n    final: true\n", "  - {name: Lost}   # no way out\n")
    path = tmp_path / "deal.yaml"
    path.write_text(text)
    assert codes(cli("lint", path)) == ["BP204"]
    assert_fixed(cli, path, text.replace("{name: Lost}", "{name: Lost, final: true}"))


def test_final_on_a_state_with_an_sla_is_unsafe(cli, tmp_path: Path) -> None:
    text = CLEAN.replace('    from: "*"', "    from: [Qualification, Negotiation]")
    text = text.replace("  - name: Lost\n    final: true\n", "  - name: Lost\n    sla: {within: 2d, escalate: [{tag: {add: [late]}}]}\n")
    path = tmp_path / "deal.yaml"
    path.write_text(text)
    result = cli("lint", "--fix", path)
    assert result.exit_code == 1 and path.read_text() == text  # a final state never escalates: not safe
    assert "1 more with --unsafe-fixes" in result.stderr
    assert_fixed(cli, path, text.replace("  - name: Lost\n", "  - name: Lost\n    final: true\n"), "--unsafe-fixes")


def test_an_unreachable_dead_end_gets_no_fix(cli, tmp_path: Path) -> None:
    old = "  - name: Lost\n    final: true\n"
    text = CLEAN.replace('    from: "*"', "    from: [Qualification, Negotiation]")
    path = plant(tmp_path, old, old + "  - name: Limbo\n", text)
    result = cli("lint", "--fix", path)
    assert sorted(codes(result)) == ["BP203", "BP204"] and "[*]" not in result.stdout
    assert "No fixes to apply." in result.stderr


def test_a_duplicate_key_with_the_same_value_is_merged(cli, tmp_path: Path) -> None:
    old = "    to: Negotiation        # after the first call\n"
    path = plant(tmp_path, old, old + "    to: Negotiation   # written twice\n")
    assert codes(cli("lint", path)) == ["BP105"]
    # the repeated entry goes, its comment stays where it was
    assert_fixed(cli, path, CLEAN.replace(old, old + "    # written twice\n"))


def test_a_duplicate_key_with_another_value_is_left_to_the_user(cli, tmp_path: Path) -> None:
    old = "    to: Negotiation        # after the first call\n"
    path = plant(tmp_path, old, old + "    to: Lost\n")
    result = cli("lint", "--fix", "--unsafe-fixes", path)
    assert result.exit_code == 1 and "BP105" in result.stdout and "[*]" not in result.stdout
    assert path.read_text() == CLEAN.replace(old, old + "    to: Lost\n")


def test_a_repeated_value_the_loader_refuses_gets_no_fix(cli, tmp_path: Path) -> None:
    path = plant(tmp_path, "{field: amount, gte: 1000}", "{field: amount, gte: 1000, gte: !custom 1000}")
    result = cli("lint", "--fix", path)
    assert result.exit_code == 1 and "BP105" in result.stdout and "Traceback" not in result.output
    assert "!custom" in path.read_text()


def test_a_duplicate_in_a_flow_mapping(cli, tmp_path: Path) -> None:
    path = plant(tmp_path, "{field: amount, gte: 1000}", "{field: amount, gte: 1000, gte: 1000}")
    assert_fixed(cli, path, CLEAN)


def test_settings_files_are_reported_but_not_fixed(cli, tmp_path: Path) -> None:
    """team.yaml is checked from disk, not from the text being fixed: no fix is
    offered there (rather than one that could not be checked)."""
    team = tmp_path / "team.yaml"
    team.write_text("users:\n  alice: {roles: [rep], emial: a@example.com}   # typo\n")
    before = team.read_text()
    result = cli("lint", "--fix", team)
    assert result.exit_code == 1 and "BP110" in result.stdout and "[*]" not in result.stdout
    assert team.read_text() == before


# ----- safe and unsafe ----------------------------------------------------------------------------

def test_an_ambiguous_suggestion_is_an_unsafe_fix(cli, tmp_path: Path) -> None:
    """`gtee` could be `gte` or `gt`: they mean different things, so choosing is unsafe."""
    path = plant(tmp_path, "{field: amount, gte: 1000}", "{field: amount, gtee: 1000}")
    planted = path.read_text()
    listed = cli("lint", path)
    assert "[*]" not in listed.stdout and "1 more with --unsafe-fixes." in listed.stderr
    assert "[*] unknown key 'gtee'" in cli("lint", "--unsafe-fixes", path).stdout
    result = cli("lint", "--fix", path)
    assert result.exit_code == 1 and path.read_text() == planted
    assert_fixed(cli, path, CLEAN, "--unsafe-fixes")


@pytest.mark.parametrize("word", ["greater", "Greater"])
def test_a_word_for_an_operator_is_not_a_typo_so_its_fix_is_unsafe(cli, tmp_path: Path, word: str) -> None:
    """`greater` is the one close operator to `gte`, but the writer may have
    meant `gt`: a fix that chooses between meanings is applied only with --unsafe-fixes."""
    path = plant(tmp_path, "{field: amount, gte: 1000}", "{field: amount, %s: 1000}" % word)
    planted = path.read_text()
    listed = cli("lint", path)
    assert f"unknown key '{word}'" in listed.stdout and "did you mean 'gte'?" in listed.stdout
    assert "[*]" not in listed.stdout and "1 more with --unsafe-fixes." in listed.stderr
    result = cli("lint", "--fix", path)
    assert result.exit_code == 1 and path.read_text() == planted
    assert_fixed(cli, path, CLEAN, "--unsafe-fixes")


def test_a_typo_of_one_name_is_still_a_safe_fix(cli, tmp_path: Path) -> None:
    path = plant(tmp_path, "{field: amount, gte: 1000}", "{fiedl: amount, gte: 1000}")
    assert "[*] unknown key 'fiedl'" in cli("lint", path).stdout
    assert_fixed(cli, path, CLEAN)


def test_several_fixes_at_once_and_one_that_another_makes_possible(cli, tmp_path: Path) -> None:
    """The misspelt key hides the misspelt field behind it (its criterion is cut
    out); once the key is fixed, the field is found and fixed in the next round."""
    text = CLEAN.replace("{field: amount, gte: 1000}", "{field: ammount, betwen: [1, 2]}")
    path = plant(tmp_path, "    to: Negotiation        #", "    to: Negotation        #", text)
    result = cli("lint", "--fix", path)
    assert result.exit_code == 0, result.output
    assert "Fixed 3 findings in 1 file." in result.stderr
    assert path.read_text() == CLEAN.replace("{field: amount, gte: 1000}", "{field: amount, between: [1, 2]}")


# ----- --diff ---------------------------------------------------------------------------------------

def test_diff_prints_a_patch_and_changes_nothing(cli, tmp_path: Path) -> None:
    path = plant(tmp_path, "    to: Negotiation        #", "    to: Negotation        #")
    planted = path.read_text()
    result = cli("lint", "--diff", "deal.yaml")  # the fixture runs in tmp_path
    assert result.exit_code == 1
    assert path.read_text() == planted
    assert result.stdout.startswith("--- deal.yaml\n+++ deal.yaml\n@@ ")
    assert "-    to: Negotation        # after the first call\n" \
           "+    to: Negotiation        # after the first call\n" in result.stdout
    assert "Would fix 1 finding in 1 file." in result.stderr
    # a real consumer: patch(1) applies it and gives what --fix writes
    subprocess.run(["patch", "-p0", "-s"], input=result.stdout, text=True, cwd=tmp_path, check=True)
    assert path.read_text() == CLEAN


def test_diff_of_a_file_without_a_final_line_feed(cli, tmp_path: Path) -> None:
    path = plant(tmp_path, "    when: {field: reason, ne: Price}\n", "    when: {field: reason, ne: Prise}",)
    result = cli("lint", "--diff", "deal.yaml")
    assert result.stdout.endswith("+    when: {field: reason, ne: Price}\n\\ No newline at end of file\n")
    subprocess.run(["patch", "-p0", "-s"], input=result.stdout, text=True, cwd=tmp_path, check=True)
    assert path.read_text() == CLEAN.removesuffix("\n")


def test_diff_with_nothing_to_fix_exits_0(cli, tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(CLEAN)
    result = cli("lint", "--diff", path)
    assert result.exit_code == 0 and result.stdout == ""
    assert "No fixes would be applied." in result.stderr


def test_fix_and_watch_do_not_go_together(cli, tmp_path: Path) -> None:
    path = plant(tmp_path, "ne: Price}", "ne: Prise}")
    result = cli("lint", "--fix", "--watch", path)
    assert result.exit_code == 2 and "--fix and --diff do not go with --watch" in result.stderr
    assert "Prise" in path.read_text()


# ----- writing ------------------------------------------------------------------------------------

def test_line_endings_a_byte_order_mark_and_permissions_are_kept(cli, tmp_path: Path) -> None:
    text = "\ufeff" + CLEAN.replace('    from: "*"', "    from: [Qualification, Negotiation]").replace("\n", "\r\n")
    path = tmp_path / "deal.yaml"
    path.write_bytes(text.replace("ne: Price}", "ne: Prise}").replace(
        "  - name: Lost\r\n    final: true\r\n", "  - name: Lost\r\n").encode())
    os.chmod(path, 0o600)
    result = cli("lint", "--fix", "--unsafe-fixes", path)
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == text.encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_link_stays_a_link(cli, tmp_path: Path) -> None:
    real = plant(tmp_path, "ne: Price}", "ne: Prise}", name="real.yaml")
    link = tmp_path / "link.yaml"
    link.symlink_to(real.name)
    result = cli("lint", "--fix", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and real.read_text() == CLEAN


def test_a_file_that_changes_while_being_fixed_is_left_alone(cli, tmp_path: Path, monkeypatch) -> None:
    from blueprint_cli.lint import autofix

    path = plant(tmp_path, "ne: Price}", "ne: Prise}")
    edited = path.read_text() + "# saved by an editor meanwhile\n"
    real_fix_text = autofix.fix_text

    def editor_saves_meanwhile(*args, **kwargs):
        out = real_fix_text(*args, **kwargs)
        path.write_text(edited)
        return out

    monkeypatch.setattr(autofix, "fix_text", editor_saves_meanwhile)
    result = cli("lint", "--fix", path)
    assert result.exit_code == 1
    assert path.read_text() == edited
    assert f"{path}: changed while being fixed; left as it was, run again" in result.stderr
    assert not list(tmp_path.glob(".*.tmp"))


def test_replace_unchanged_refuses_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"new: content\n")
    with pytest.raises(ChangedMeanwhile):
        replace_unchanged(path, b"old: content\n", b"fixed: content\n")
    assert path.read_bytes() == b"new: content\n"
    assert not list(tmp_path.glob(".*.tmp"))


# ----- what machines read -------------------------------------------------------------------------

def test_json_carries_the_fix(cli, tmp_path: Path) -> None:
    path = plant(tmp_path, "    to: Negotiation        #", "    to: Negotation        #")
    data = json.loads(cli("lint", "--format", "json", path).stdout)
    [d] = data["diagnostics"]
    assert d["fix"] == {"title": "write 'Negotiation'", "safe": True,
                        "edits": [{"line": 24, "col": 9, "end_line": 24, "end_col": 19, "content": "Negotiation"}]}


def test_a_finding_from_the_result_cache_keeps_its_fix(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("BLUEPRINT_CACHE_DIR", raising=False)
    path = plant(tmp_path, "    to: Negotiation        #", "    to: Negotation        #")
    first = cli("lint", "--format", "json", "deal.yaml")  # the fixture runs in tmp_path: the cache is there
    assert list((tmp_path / ".blueprint_cache").glob("lint-*/*"))
    second = cli("lint", "--format", "json", "deal.yaml")
    assert json.loads(second.stdout) == json.loads(first.stdout)
    assert json.loads(second.stdout)["diagnostics"][0]["fix"]["safe"] is True
    assert "[*] unknown state" in cli("lint", "deal.yaml").stdout
    assert_fixed(cli, path, CLEAN)


def test_sarif_fixes_are_valid_and_make_the_same_change(cli, tmp_path: Path) -> None:
    text = CLEAN.replace("ne: Price}", "ne: Prise}").replace("{field: amount, gte: 1000}",
                                                            "{field: amount, gtee: 1000}")
    path = plant(tmp_path, "    to: Negotiation        #", "    to: Negotation        #", text)
    sarif = json.loads(cli("lint", "--format", "sarif", "deal.yaml").stdout)
    cls = jsonschema.validators.validator_for(SARIF_SCHEMA)
    errors = list(cls(SARIF_SCHEMA).iter_errors(sarif))
    assert not errors, errors[0].message
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"]: r["fixes"][0]["properties"]["safe"] for r in results} == \
        {"BP301": True, "BP304": True, "BP110": False}
    # apply the replacements as a SARIF consumer would: by line and column
    lines = path.read_text().splitlines(keepends=True)
    replacements = [rep for r in results for f in r["fixes"] for change in f["artifactChanges"]
                    for rep in change["replacements"]]
    for rep in sorted(replacements, key=lambda r: (r["deletedRegion"]["startLine"],
                                                   r["deletedRegion"]["startColumn"]), reverse=True):
        region = rep["deletedRegion"]
        assert region["startLine"] == region["endLine"]
        line = lines[region["startLine"] - 1]
        lines[region["startLine"] - 1] = (line[:region["startColumn"] - 1] + rep["insertedContent"]["text"]
                                          + line[region["endColumn"] - 1:])
    assert "".join(lines) == CLEAN
    location = results[0]["fixes"][0]["artifactChanges"][0]["artifactLocation"]
    assert location == {"uri": "deal.yaml", "uriBaseId": "SRCROOT"}

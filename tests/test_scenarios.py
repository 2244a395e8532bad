"""`blueprint test`: scenario files run in memory, as a user and CI see them —
output, exit codes, findings at file:line:col, JUnit XML and JSON."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from workspace_helpers import NOW, cli, deal_workspace

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_blueprints"

MINI = """\
blueprint: mini
module: Deals
field: stage
fields:
  name: {type: text}
  amount: {type: currency, min: 0}
  close_on: {type: date}
  reason: {type: picklist, values: [Price, Timing]}
entry:
  when: {field: amount, gt: 0}
states:
  - name: Open
  - name: Review
  - name: Won
    final: true
  - name: Lost
    final: true
transitions:
  - name: Review
    from: Open
    to: Review
    owners: ["role:rep", record_owner]
    when: {field: amount, gte: 100}
    require: {fields: [close_on], checklist: [Budget confirmed], note: true}
    then:
      - task: {subject: "Call {{record.name}}", due: 2d, owner: record_owner}
      - tag: {add: [reviewed]}
  - name: Sign
    from: Review
    to: Won
    parallel:
      - {name: Legal, owners: ["role:legal"]}
      - {name: Finance, owners: ["role:finance"]}
    then:
      - email: {to: record_owner, subject: "Won: {{record.name}}"}
  - name: Lose
    from: "*"
    to: Lost
    owners: ["role:boss"]
    require: {fields: [reason]}
"""

TEAM = """\
team:
  users:
    ann: {roles: [rep], email: ann@example.com}
    lea: {roles: [legal]}
    fin: {roles: [finance]}
    bo: {roles: [boss]}
"""

GOOD = TEAM + """\
scenarios:
  - name: A deal is reviewed and signed
    record: {owner: ann, fields: {name: Acme, amount: 500}}
    steps:
      - as: ann
        move: Review
        set: {close_on: 2026-02-01}
        check: [Budget confirmed]
        note: ok
        expect:
          state: Review
          tags: [reviewed]
          tasks: [{subject: Call Acme, owner: ann, due: 2026-01-07}]
      - as: lea
        move: Legal
        expect: {state: Review, waiting: [Finance]}
      - as: fin
        move: Sign
        expect: {state: Won, actions: [{email: "Won: Acme", status: pending}]}
  - name: Only the boss loses deals
    record: {owner: ann, fields: {name: Beta, amount: 50}}
    steps:
      - as: ann
        move: Lose
        set: {reason: Price}
        expect: {refused: not an owner}
      - as: bo
        move: Lose
        set: {reason: Price}
        expect: {state: Lost, fields: {reason: Price}}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    write(tmp_path, "mini.yaml", MINI)
    return tmp_path


def run(folder: Path, *args: str) -> object:
    return cli(*args, cwd=folder)


# ----- the samples --------------------------------------------------------------------------

def test_every_sample_ships_passing_scenarios() -> None:
    r = cli("test", str(SAMPLES))
    assert r.code == 0, r
    for name in ("deal-follow-up", "lead-qualification", "purchase-approval", "support-ticket"):
        assert f"{SAMPLES / name}.scenarios.yaml" in r.out
    assert "FAILED" not in r.out and " passed in " in r.out


def test_the_sample_scenarios_cover_every_transition_state_branch_and_part() -> None:
    r = cli("--json", "test", "--coverage", "--fail-under", "100", str(SAMPLES))
    assert r.code == 0, r
    blueprints = r.json()["coverage"]["blueprints"]  # type: ignore[index]
    assert sorted(b["blueprint"] for b in blueprints) == ["deal-follow-up", "lead-qualification",
                                                          "purchase-approval", "support-ticket"]
    for b in blueprints:
        assert b["transitions"]["missing"] == [] and b["transitions"]["percent"] == 100.0
        assert b["total"]["percent"] == 100.0


# ----- passing and failing -------------------------------------------------------------------

def test_passing_scenarios_exit_0_with_one_line_each(project: Path) -> None:
    write(project, "mini.scenarios.yaml", GOOD)
    r = run(project, "test", "mini.scenarios.yaml")
    assert r.code == 0, r
    assert "  PASSED  A deal is reviewed and signed\n  PASSED  Only the boss loses deals\n" in r.out
    assert "== 2 passed in " in r.out


def test_a_failure_shows_the_step_its_line_and_every_difference(project: Path) -> None:
    text = GOOD.replace("expect: {state: Won, actions", "expect: {state: Lost, tags: [won], actions")
    write(project, "mini.scenarios.yaml", text)
    r = run(project, "test", "mini.scenarios.yaml")
    assert r.code == 1
    lines = r.out.splitlines()
    i = lines.index("  FAILED  A deal is reviewed and signed")
    assert lines[i + 1].strip() == "mini.scenarios.yaml:23:9: step 3 (fin: Sign)"
    assert lines[i + 2].strip() == "> line 25: expected state 'Lost', got 'Won'"
    assert lines[i + 3].strip() == "> line 25: expected tags ['won'], got ['reviewed']"
    assert "  PASSED  Only the boss loses deals" in r.out  # the next scenario still runs
    assert "== 1 failed, 1 passed in " in r.out


def test_an_unexpected_refusal_says_why(project: Path) -> None:
    write(project, "mini.scenarios.yaml", GOOD.replace("      - as: lea\n", "      - as: fin\n", 1))
    r = run(project, "test", "mini.scenarios.yaml")
    assert r.code == 1
    assert "step 2 (fin: Legal)" in r.out
    assert "'Legal' was refused: you are not an owner of 'Sign' / 'Legal': it is for role:legal" in r.out


def test_a_move_that_should_be_refused_but_happens(project: Path) -> None:
    write(project, "mini.scenarios.yaml", GOOD.replace("      - as: ann\n        move: Lose",
                                                       "      - as: bo\n        move: Lose"))
    r = run(project, "test", "mini.scenarios.yaml")
    assert r.code == 1
    assert ("expected 'Lose' to be refused (a reason containing 'not an owner'), but it moved the record to "
            "'Lost'") in r.out


def test_refusal_text_must_match_a_reason(project: Path) -> None:
    write(project, "mini.scenarios.yaml", GOOD.replace("refused: not an owner", "refused: [NOT AN OWNER, missing]"))
    r = run(project, "test", "mini.scenarios.yaml")
    assert r.code == 1  # case is ignored, but 'missing' is in no reason
    assert "'Lose' was refused, but no reason contains 'missing'; reasons: you are not an owner" in r.out


def test_fields_tasks_and_actions_are_compared(project: Path) -> None:
    text = TEAM + """\
scenarios:
  - name: Wrong expectations
    record: {owner: ann, fields: {name: Acme, amount: 500}}
    steps:
      - as: ann
        move: Review
        set: {close_on: 2026-02-01}
        check: [budget confirmed]
        note: ok
        expect:
          fields: {close_on: 2026-02-02, amount: 500.0, reason: null}
          tasks: [Call Acme, Call Beta]
          actions: [{webhook: true}]
"""
    write(project, "mini.scenarios.yaml", text)
    r = run(project, "test", "mini.scenarios.yaml")
    assert r.code == 1
    assert "field close_on: expected '2026-02-02', got '2026-02-01'" in r.out
    assert "field amount" not in r.out and "field reason" not in r.out  # 500 == 500.0; null: empty
    assert "expected a new task 'Call Beta'; new tasks: 'Call Acme' for ann due 2026-01-07" in r.out
    assert "expected action webhook; actions: task done" in r.out


def test_wait_moves_the_clock_and_edit_makes_a_record_enter(project: Path) -> None:
    text = TEAM + """\
now: 2026-03-02T10:00:00+01:00
scenarios:
  - name: Time and entry
    record: {owner: ann, fields: {name: Zero, amount: 0}}
    steps:
      - expect: {entered: false, allowed: []}
      - as: ann
        edit: {amount: 300}
        expect: {entered: true, state: Open, allowed: [Review]}
      - wait: 1w
      - as: ann
        move: Review
        set: {close_on: 2026-04-01}
        check: [Budget confirmed]
        note: ok
        expect: {tasks: [{subject: Call Zero, due: "2026-03-11T10:00:00+01:00"}], owner: ann}
"""
    write(project, "mini.scenarios.yaml", text)
    r = run(project, "test", "mini.scenarios.yaml")
    assert r.code == 0, r


def test_a_record_that_never_entered_cannot_move(project: Path) -> None:
    text = TEAM + """\
scenarios:
  - name: Not in
    record: {owner: ann, fields: {amount: 0}}
    steps:
      - {as: ann, move: Review}
"""
    write(project, "mini.scenarios.yaml", text)
    r = run(project, "test", "mini.scenarios.yaml")
    assert r.code == 1
    assert ("the record never entered mini (entry criteria not met: amount > 0 — actual: 0), so 'Review' "
            "cannot run") in r.out


def test_k_selects_scenarios_by_name(project: Path) -> None:
    write(project, "mini.scenarios.yaml", GOOD)
    r = run(project, "test", "-k", "BOSS", "mini.scenarios.yaml")
    assert r.code == 0 and "Only the boss" in r.out and "reviewed and signed" not in r.out
    assert "== 1 passed in " in r.out
    r = run(project, "test", "-k", "nobody", "mini.scenarios.yaml")
    assert r.code == 2 and "no scenario name contains 'nobody'" in r.err


def test_a_blueprint_given_by_mistake_is_one_finding(project: Path) -> None:
    write(project, "mini.scenarios.yaml", GOOD)
    r = run(project, "test", "mini.yaml")
    assert r.code == 1
    assert findings(r.out) == ["mini.yaml:1:1: error SC102 this is a blueprint, not a scenario file"]
    assert "hint: run `blueprint test mini.scenarios.yaml`" in r.out


# ----- finding files and blueprints ---------------------------------------------------------------

def test_folders_are_searched_for_scenario_files_and_each_finds_its_blueprint(project: Path) -> None:
    write(project, "mini.scenarios.yaml", GOOD)
    write(project, "sub/other.yml", MINI.replace("blueprint: mini", "blueprint: other"))
    write(project, "sub/other.scenario.yml", GOOD)
    write(project, "sub/explicit.scenarios.yaml", "blueprint: ../mini.yaml\n" + GOOD)
    write(project, "sub/notes.yaml", "not: scenarios\n")
    r = run(project, "test", ".")
    assert r.code == 0, r
    assert r.out.count("PASSED") == 6 and "notes.yaml" not in r.out


def test_a_team_file_can_be_shared(project: Path) -> None:
    write(project, "team.yaml", TEAM.replace("team:\n", "").replace("\n  ", "\n").lstrip())
    write(project, "mini.scenarios.yaml", "team: team.yaml\n" + GOOD.split(TEAM, 1)[1])
    r = run(project, "test", "mini.scenarios.yaml")
    assert r.code == 0, r


def test_without_a_team_users_have_no_roles(project: Path) -> None:
    write(project, "mini.scenarios.yaml", GOOD.split(TEAM, 1)[1])
    r = run(project, "test", "mini.scenarios.yaml")
    assert r.code == 1  # names are not checked, but only record owners and `anyone` let them in
    assert "you are lea (not in the team file)" in r.out


def test_scenarios_never_touch_a_workspace(tmp_path: Path) -> None:
    deal_workspace(tmp_path)
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / ".blueprint").rglob("*")}
    r = cli("test", str(SAMPLES / "deal-follow-up.scenarios.yaml"), cwd=tmp_path)
    assert r.code == 0, r
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / ".blueprint").rglob("*")}
    assert after == before
    assert sorted(os.listdir(tmp_path)) == [".blueprint", "blueprints"]


# ----- findings in scenario files -------------------------------------------------------------------

def findings(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if ": error " in line]


@pytest.mark.parametrize(("old", "new", "finding"), [
    ("        expect: {state: Won, actions", "        expct: {state: Won, actions",
     "mini.scenarios.yaml:25:9: error SC110 unknown key 'expct' in scenarios[0].steps[2] — did you mean 'expect'?"),
    ("move: Legal\n", "move: Legl\n",
     "mini.scenarios.yaml:21:15: error SC303 no transition 'Legl' in mini — did you mean 'Legal'?"),
    ("state: Review\n", "state: Reviw\n",
     "mini.scenarios.yaml:17:18: error SC301 unknown state 'Reviw' — did you mean 'Review'?"),
    ("      - as: lea\n", "      - as: leah\n",
     "mini.scenarios.yaml:20:13: error SC304 unknown user 'leah' — did you mean 'lea'?"),
    ("set: {close_on: 2026-02-01}", "set: {clos_on: 2026-02-01}",
     "mini.scenarios.yaml:13:15: error SC302 unknown field 'clos_on' in set — did you mean 'close_on'?"),
    ("set: {close_on: 2026-02-01}", "set: {close_on: soon}",
     "mini.scenarios.yaml:13:25: error SC306 close_on: 'soon' is not a valid date: expected a date as YYYY-MM-DD, "
     "like 2026-12-01"),
    ("check: [Budget confirmed]", "check: [Budget confirmd]",
     "mini.scenarios.yaml:14:17: error SC305 'Budget confirmd' is not on the checklist of 'Review' — did you "
     "mean 'Budget confirmed'?"),
    ("waiting: [Finance]", "waiting: [Finanse]",
     "mini.scenarios.yaml:22:43: error SC303 no part 'Finanse' — did you mean 'Finance'?"),
    ("    record: {owner: ann, fields: {name: Beta", "    record: {owner: ann, state: Negotiation, "
                                                      "fields: {name: Beta",
     "mini.scenarios.yaml:27:33: error SC301 unknown state 'Negotiation'"),
    ("        set: {reason: Price}\n        expect: {state", "        set: {stage: Won}\n        expect: {state",
     "mini.scenarios.yaml:35:15: error SC307 'stage' is the state field: only transitions change it"),
    ("      - as: lea\n        move: Legal\n", "      - as: lea\n        move: Legal\n        wait: 2d\n",
     "mini.scenarios.yaml:22:15: error SC120 a step does one thing, but this one has move and wait; split it into "
     "2 steps"),
    ("  - name: Only the boss loses deals", "  - name: A deal is reviewed and signed",
     "mini.scenarios.yaml:26:11: error SC201 a scenario named 'A deal is reviewed and signed' is already on line 8"),
])
def test_mistakes_are_findings_at_their_position(project: Path, old: str, new: str, finding: str) -> None:
    assert old in GOOD
    write(project, "mini.scenarios.yaml", GOOD.replace(old, new, 1))
    r = run(project, "test", "mini.scenarios.yaml")
    assert r.code == 1, r
    assert "ERROR   the file cannot run:" in r.out and "PASSED" not in r.out
    assert finding in findings(r.out)
    lint = run(project, "test", "--lint", "mini.scenarios.yaml")
    assert lint.code == 1 and finding in findings(lint.out)


def test_lint_only_on_good_files_is_clean_and_runs_nothing(project: Path) -> None:
    write(project, "mini.scenarios.yaml", GOOD)
    r = run(project, "test", "--lint", "mini.scenarios.yaml")
    assert r.code == 0 and r.out == "" and "All clean: 1 file checked." in r.err


def test_invalid_yaml_is_a_finding_with_its_line(project: Path) -> None:
    write(project, "mini.scenarios.yaml", "scenarios:\n  - name: x\n    steps: [\n")
    r = run(project, "test", "mini.scenarios.yaml")
    assert r.code == 1
    assert findings(r.out)[0].startswith("mini.scenarios.yaml:4:1: error SC100 invalid YAML")


def test_a_missing_or_broken_blueprint_stops_the_file(project: Path) -> None:
    write(project, "lost.scenarios.yaml", GOOD)
    r = run(project, "test", "lost.scenarios.yaml")
    assert r.code == 1
    assert "lost.scenarios.yaml:1:1: error SC310 no blueprint file lost.yaml (the default for this scenario file)" \
        in findings(r.out)
    write(project, "broken.yaml", MINI.replace("to: Lost", "to: Lots"))
    write(project, "broken.scenarios.yaml", GOOD)
    r = run(project, "test", "broken.scenarios.yaml")
    assert r.code == 1
    assert ("broken.yaml:38:9: error BP301 unknown state 'Lots' in `to` of 'Lose' — did you mean 'Lost'?"
            in findings(r.out))
    assert "broken.scenarios.yaml:1:1: error SC310 the blueprint broken.yaml has errors, so its scenarios cannot " \
           "run" in findings(r.out)


def test_a_missing_team_file_is_a_finding(project: Path) -> None:
    write(project, "mini.scenarios.yaml", "team: people.yaml\n" + GOOD.split(TEAM, 1)[1])
    r = run(project, "test", "mini.scenarios.yaml")
    assert r.code == 1
    assert any(f.startswith("mini.scenarios.yaml:1:7: error SC311 no team file at") for f in findings(r.out))


# ----- usage errors ------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "message"), [
    ([], "give at least one scenario file or folder"),
    (["nowhere/"], "no such file or folder: nowhere"),
    (["."], "no scenario files found in ."),
    (["--fail-under", "120", "."], "120"),
    (["--bogus", "."], "No such option"),
])
def test_usage_errors_exit_2(project: Path, args: list[str], message: str) -> None:
    r = run(project, "test", *args)
    assert r.code == 2, r
    assert message in r.err and "Traceback" not in r.err


# ----- reports for CI ------------------------------------------------------------------------------

def test_junit_xml_for_ci(project: Path) -> None:
    write(project, "mini.scenarios.yaml", GOOD.replace("expect: {state: Lost, fields", "expect: {state: Won, fields"))
    write(project, "bad.scenarios.yaml", "blueprint: mini.yaml\nscenarios: [{name: x, steps: [{mve: X}]}]\n")
    (project / "out").mkdir()
    r = run(project, "test", "--junit-xml", "out/report.xml", ".")
    assert r.code == 1
    root = ET.parse(project / "out" / "report.xml").getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"bad.scenarios.yaml", "mini.scenarios.yaml"}
    error = suites["bad.scenarios.yaml"].find("testcase/error")
    assert error is not None and "SC110 unknown key 'mve'" in (error.text or "")
    cases = {c.get("name"): c for c in suites["mini.scenarios.yaml"].findall("testcase")}
    assert cases["A deal is reviewed and signed"].find("failure") is None
    failure = cases["Only the boss loses deals"].find("failure")
    assert failure is not None and failure.get("message") == "expected state 'Won', got 'Lost'"
    assert "mini.scenarios.yaml:33:9: step 2 (bo: Lose)" in (failure.text or "")


JUNIT_XSD = Path(__file__).resolve().parent / "data" / "jenkins-junit.xsd"


def test_junit_xml_is_valid_against_the_jenkins_schema_whatever_the_names(project: Path) -> None:
    """A scenario named with a BEL or an ESC (possible in a double-quoted YAML
    string) must not make a file that XML parsers refuse."""
    import lxml.etree
    import xmlschema

    named = GOOD.replace("- name: A deal is reviewed and signed", '- name: "Bell\\a and \\e[31mred"')
    named = named.replace("expect: {state: Lost, fields", "expect: {state: Won, fields")
    write(project, "mini.scenarios.yaml", named)
    write(project, "bad.scenarios.yaml", "blueprint: mini.yaml\nscenarios: [{name: x, steps: [{mve: X}]}]\n")
    r = run(project, "test", "--junit-xml", "report.xml", ".")
    assert r.code == 1
    raw = (project / "report.xml").read_bytes()
    tree = lxml.etree.fromstring(raw)  # a strict parser: refuses characters XML cannot hold
    xmlschema.XMLSchema(str(JUNIT_XSD)).validate(str(project / "report.xml"))
    names = [c.get("name") for c in tree.iter("testcase")]
    assert "Bell\\x07 and \\x1b[31mred" in names
    times = [e.get("time") for e in tree.iter() if e.get("time") is not None]
    assert len(times) == 1 + 2 + 3  # testsuites, each testsuite, each testcase
    assert all(re.fullmatch(r"[0-9]+\.[0-9]{3}", t) for t in times), times
    assert not any(c.get("file") or c.get("line") for c in tree.iter("testcase"))


@pytest.mark.parametrize("json_output", [False, True])
def test_junit_xml_is_written_when_the_reader_of_the_output_goes_away(tmp_path: Path, json_output: bool) -> None:
    """`blueprint test --junit-xml r.xml … | head -1`: the reader leaves before
    the report is printed. The JUnit file is still written, and the exit code
    is the scenarios' (0: they passed), not a death by SIGPIPE."""
    import subprocess
    import sys
    import xmlschema

    report = tmp_path / "r.xml"
    args = [sys.executable, "-m", "blueprint_cli", *(["--json"] if json_output else []), "test",
            "--junit-xml", str(report), str(SAMPLES / "deal-follow-up.scenarios.yaml")]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # nobody reads: the first write meets a closed pipe
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert err == ""
    xmlschema.XMLSchema(str(JUNIT_XSD)).validate(str(report))
    assert ET.parse(report).getroot().get("failures") == "0"


def test_the_text_report_shows_control_characters_as_escapes(project: Path) -> None:
    named = GOOD.replace("- name: A deal is reviewed and signed", '- name: "Bell\\a and \\e[31mred\\nPASSED  forged"')
    write(project, "mini.scenarios.yaml", named)
    r = run(project, "test", ".")
    assert r.code == 0, r
    assert "  PASSED  Bell\\x07 and \\x1b[31mred\\nPASSED  forged\n" in r.out
    assert not any(ch in r.out for ch in "\a\x1b")
    assert r.out.count("PASSED") == 3  # two scenarios, and the text of the name: no forged line


def test_junit_xml_that_cannot_be_written_is_a_usage_error(project: Path) -> None:
    write(project, "mini.scenarios.yaml", GOOD)
    r = run(project, "test", "--junit-xml", "no/such/dir/r.xml", ".")
    assert r.code == 2 and "cannot write no/such/dir/r.xml" in r.err


def test_json_output(project: Path) -> None:
    write(project, "mini.scenarios.yaml", GOOD.replace("expect: {state: Lost, fields", "expect: {state: Won, fields"))
    r = run(project, "--json", "test", "mini.scenarios.yaml")
    assert r.code == 1
    data = json.loads(r.out)
    assert data["summary"] == {"passed": 1, "failed": 1, "errors": 0}
    (f,) = data["files"]
    assert f["file"] == "mini.scenarios.yaml" and f["blueprint"] == "mini.yaml" and f["errors"] == []
    failed = [s for s in f["scenarios"] if not s["passed"]]
    assert failed[0]["failure"]["step"] == 2
    assert failed[0]["failure"]["differences"] == [{"message": "expected state 'Won', got 'Lost'", "line": 36,
                                                   "col": 25}]


def test_the_scenario_schema_is_shipped_and_linked(project: Path) -> None:
    link = REPO / "schemas" / "scenario.schema.json"
    assert link.is_symlink() and link.resolve() == (REPO / "blueprint_cli" / "schemas" / "scenario.schema.json")
    schema = json.loads(link.read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    import jsonschema

    jsonschema.Draft7Validator.check_schema(schema)
    from blueprint_cli.language.loader import load_file

    for path in SAMPLES.glob("*.scenarios.yaml"):
        doc, _ = load_file(path)
        assert doc is not None and not list(jsonschema.Draft7Validator(schema).iter_errors(doc.data)), path
        assert path.read_text().startswith("# yaml-language-server: $schema=../schemas/scenario.schema.json")


def test_now_default_is_fixed(project: Path) -> None:
    write(project, "mini.scenarios.yaml", TEAM + """\
scenarios:
  - name: Clock
    record: {owner: ann, fields: {name: Acme, amount: 500}}
    steps:
      - as: ann
        move: Review
        set: {close_on: 2026-02-01}
        check: [Budget confirmed]
        note: ok
        expect: {tasks: [{subject: Call Acme, due: "2026-01-07T09:00:00+00:00"}]}
""")
    assert run(project, "test", "mini.scenarios.yaml").code == 0
    assert NOW.year == 2026  # the workspace helpers' clock is independent of the scenarios'

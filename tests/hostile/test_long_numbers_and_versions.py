"""Hostile input: a number longer than Python reads from text (4,300 digits) in
any YAML file the loader reads is a BP104 finding at its position, never a
ValueError; a published version edited by hand so that it is no longer a
blueprint is reported when read, naming its file (exit 1), as a broken record
file is — never an AttributeError in whatever command reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workspace_helpers import cli, deal_workspace, run

SAMPLE = Path(__file__).resolve().parents[2] / "sample_blueprints" / "deal-follow-up.yaml"
LONG = "9" * 5001


@pytest.mark.parametrize("old, new", [("gte: 1000}", f"gte: {LONG}}}"), ("min: 0}", f"min: -{LONG}}}"),
                                      ("gte: 1000}", f"gte: !!int {LONG}}}"),
                                      ("gte: 1000}", f"gte: 1000, x: &a {LONG}}}")])
def test_a_number_of_5001_digits_in_a_blueprint_is_a_finding(tmp_path: Path, old: str, new: str) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "b.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    for command in (("lint", "--no-cache"), ("show",), ("graph", "-f", "dot")):
        result = cli(*command, "b.yaml", cwd=tmp_path)
        assert result.code == 1 and "Traceback" not in result.err, (command, result)
        assert "BP104 a number of 5,001 digits: at most 4,300" in result.out + result.err, (command, result)


@pytest.mark.parametrize("name, text", [("team.yaml", f"users:\n  alice: {{roles: [{LONG}]}}\n"),
                                        ("s.scenarios.yaml", f"blueprint: x\nscenarios: [{{n: {LONG}}}]\n")])
def test_a_number_of_5001_digits_in_any_yaml_file_is_a_finding(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = cli("lint", "--no-cache", name, cwd=tmp_path)
    assert result.code == 1 and "a number of 5,001 digits" in result.out, result


@pytest.mark.parametrize("edit", [lambda d: d.update(transitions="Negotiate"), lambda d: d.update(states=[5]),
                                  lambda d: d["states"][0].update(sla={"within": "soon", "escalate": []}),
                                  lambda d: d.update(fields=[])])
@pytest.mark.parametrize("command", [("record", "list"), ("record", "show", "1"), ("move", "1", "Negotiate"),
                                     ("tick",), ("next", "1"), ("history", "1"),
                                     ("record", "create", "Deals", "--set", "name=Globex", "--set", "amount=5000"),
                                     ("bulk", "Negotiate", "--where", "amount > 0"),
                                     ("graph", "--record", "1", "-f", "tree")])
def test_a_published_version_edited_by_hand_is_named_as_corrupt(tmp_path: Path, edit: object,
                                                                 command: tuple[str, ...]) -> None:
    deal_workspace(tmp_path)
    assert run(tmp_path, "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000").code == 0
    version = tmp_path / ".blueprint" / "blueprints" / "deal-follow-up" / "v1.json"
    doc = json.loads(version.read_text(encoding="utf-8"))
    edit(doc["data"])  # type: ignore[operator]
    version.write_text(json.dumps(doc), encoding="utf-8")
    result = run(tmp_path, *command, "--no-input") if command[0] == "move" else run(tmp_path, *command)
    assert result.code == 1 and "Traceback" not in result.err, result
    assert ".blueprint/blueprints/deal-follow-up/v1.json: not a valid blueprint: " in result.err, result

"""`blueprint zoho import` and `blueprint zoho map init`, through the real CLI,
on the hand-made fixtures of tests/data/zoho/ (each says, in `_shape`, which
Zoho page's shape it follows and which keys are assumed)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from blueprint_cli.language.loader import load_text
from workspace_helpers import cli

DATA = Path(__file__).parent / "data" / "zoho"
BUNDLE = DATA / "deals-bundle.json"
MAP = DATA / "deals-map.yaml"
SEPARATE = sorted((DATA / "separate").glob("*.json"))


def yaml_of(path: Path) -> Any:
    doc, diags = load_text(path.read_text(encoding="utf-8"), str(path))
    assert doc is not None and not diags, diags
    return doc.data


def transition(data: Any, name: str) -> Any:
    return next(t for t in data["transitions"] if t["name"] == name)


def test_a_bundle_becomes_a_blueprint_that_lints_clean(tmp_path: Path) -> None:
    out = tmp_path / "deals.yaml"
    r = cli("zoho", "import", str(BUNDLE), "-o", str(out))
    assert r.code == 0, r
    assert "Imported 'Deal desk' from Zoho CRM: 5 states, 5 transitions" in r.out
    lint = cli("lint", "--no-cache", str(out))
    assert lint.code == 0 and "All clean" in lint.err, lint
    data = yaml_of(out)
    # states, the start state, final states; the state field named after its api_name
    assert [s["name"] for s in data["states"]] == ["Qualification", "Negotiation", "Proposal", "Closed Won",
                                                   "Closed Lost"]
    assert data["entry"] == {"when": {"field": "amount", "gt": 0}, "state": "Qualification"}
    assert data["field"] == "stage" and data["module"] == "Deals"
    assert [s.get("final", False) for s in data["states"]] == [False, False, False, True, True]
    # fields referenced anywhere are declared with the type Zoho gave
    assert data["fields"]["amount"] == {"type": "currency", "label": "Amount"}
    assert data["fields"]["signed"] == {"type": "boolean"}
    assert data["fields"]["deal_name"]["type"] == "text"  # met only in merge fields and criteria
    # escalation: what runs `on` the deadline is the SLA's, what runs `after` it a level, in business time
    sla = data["states"][0]["sla"]
    assert sla["within"] == "3d" and sla["levels"][0]["after"] == "5 business_days"
    assert sla["escalate"] == [{"email": {"to": "role:4150868000000026007",
                                          "subject": "{{record.deal_name}} is stuck in Qualification"}}]
    assert data["states"][2]["sla"] == {"within": "16 business_hours",
                                        "escalate": [{"assign": {"to": "role:4150868000000026007"}}]}
    # a standalone transition: owners, criteria, during, after
    qualify = transition(data, "Qualify")
    assert qualify["owners"] == ["role:4150868000000026005", "record_owner"]
    assert qualify["when"] == {"all": [{"field": "amount", "gte": 1000}, {"field": "deal_name",
                                                                           "not_contains": "TEST"}]}
    assert qualify["require"] == {"fields": ["closing_date"], "checklist": ["Budget confirmed",
                                                                            "Decision maker identified"],
                                  "note": True}
    assert qualify["message"] == "Confirm budget and decision maker first."
    assert qualify["then"] == [{"set": {"probability": 40}},
                               {"task": {"subject": "Send proposal for {{record.deal_name}}", "due": "2d",
                                         "owner": "record_owner"}}]
    # ${EMPTY} is our `empty`; an e-mail to two recipients is two e-mails; a webhook
    proposal = transition(data, "Send proposal")
    assert proposal["when"] == {"any": [{"field": "discount", "empty": True}, {"field": "discount", "lte": 20}]}
    assert [a["email"]["to"] for a in proposal["then"][:2]] == ["record_owner", "deals@example.com"]
    assert proposal["then"][2] == {"webhook": {"url": "https://erp.example.com/hooks/proposal", "method": "POST",
                                               "headers": {"X-Source": "zoho"},
                                               "body": {"deal": "{{record.deal_name}}"}}}
    assert proposal["require"] == {"attachment": True}
    # parallel: the parent with its child transitions as parts
    sign = transition(data, "Sign-off")
    assert [p["name"] for p in sign["parallel"]] == ["Legal approval", "Finance approval"]
    assert sign["parallel"][0] == {"name": "Legal approval", "owners": ["profile:4150868000000026011"],
                                   "message": "Attach the signed copy.", "require": {"attachment": True}}
    assert sign["parallel"][1]["when"] == {"field": "signed", "eq": True}
    # a common transition: one connection from each state it leaves; automatic
    assert transition(data, "Lose")["from"] == ["Qualification", "Negotiation", "Proposal"]
    assert transition(data, "Lose")["then"] == [{"assign": {"to": "role:4150868000000026007"}}]
    assert transition(data, "Nudge")["auto"] == {"after": "5 business_days"}
    assert transition(data, "Nudge")["then"][0]["email"]["to"] == "{{record.contact_email}}"


def test_what_has_no_equivalent_is_listed_and_written_as_a_comment(tmp_path: Path) -> None:
    out = tmp_path / "deals.yaml"
    r = cli("zoho", "import", str(BUNDLE), "-o", str(out))
    assert r.code == 0, r
    text = out.read_text(encoding="utf-8")
    expected = [
        ("$.blueprints[0].layout", "layout 'Standard'"),
        ("$.states[0].state_escalation.trigger_details[0]", "actions before the deadline: no equivalent"),
        ("$.states[0].state_escalation.trigger_details[2].actions[1]", "Deluge custom function 'notify_erp'"),
        ("$.transitions[0].owners[2]", "owner type 'group'"),
        ("$.transitions[0].during_inputs[2]", "optional field 'description'"),
        ("$.transitions[0].during_inputs[5]", "widget 'Credit check'"),
        ("$.transitions[0].actions[2]", "Deluge custom function 'sync_forecast'"),
        # an action as Zoho's transitions give it: named by id, defined in Zoho's automation settings
        ("$.transitions[0].actions[3]", "tasks action 'reminder': defined in Zoho's automation settings"),
        ("$.transitions[1].during_inputs[1]", "optional notes"),
        ("$.transitions[5].actions[1]", "Kiosk 'Win-back survey'"),
    ]
    for path, what in expected:
        line = f"{BUNDLE}: {path}: {what}"
        assert line in r.out, line
        assert f"#   {line}" in text, line
    # without a map, ids stay ids and are listed
    assert "Zoho ids kept as ids, 6" in r.out and "  users 4150868000000225013" in r.out
    assert "#   roles 4150868000000026005" in text


def test_separate_responses_import_like_a_bundle(tmp_path: Path) -> None:
    out = tmp_path / "leads.yaml"
    r = cli("zoho", "import", *map(str, SEPARATE), "-o", str(out))
    assert r.code == 0, r
    assert cli("lint", "--no-cache", str(out)).code == 0
    data = yaml_of(out)
    assert data["blueprint"] == "lead-nurturing" and data["field"] == "lead_status"
    assert transition(data, "Discard")["from"] == ["New", "Contacted"]
    assert transition(data, "Qualify")["when"] == {"all": [{"field": "rating", "in": ["Hot", "Warm"]},
                                                           {"field": "annual_revenue", "between": [10000, 500000]}]}
    assert transition(data, "Qualify")["then"] == [{"assign": {"to": "{{record.account_manager}}"}}]
    assert data["fields"]["account_manager"] == {"type": "user"}
    assert data["states"][0]["sla"]["escalate"][0]["email"]["subject"] == "Lead waiting: {{record.last_name}}"


def test_with_a_map_ids_become_names(tmp_path: Path) -> None:
    out = tmp_path / "deals.yaml"
    r = cli("zoho", "import", str(BUNDLE), "--map", str(MAP), "-o", str(out))
    assert r.code == 0, r
    assert "kept as ids" not in r.out
    data = yaml_of(out)
    assert transition(data, "Qualify")["owners"] == ["role:sales_rep", "record_owner"]
    assert transition(data, "Send proposal")["owners"] == ["user:alice", "user:bob"]
    assert transition(data, "Qualify")["require"]["fields"] == ["close_on"]
    assert transition(data, "Lose")["require"]["fields"] == ["reason"]
    assert data["states"][0]["sla"]["escalate"][0]["email"]["subject"] == "{{record.name}} is stuck in Qualification"
    assert cli("lint", "--no-cache", str(out)).code == 0


def test_map_init_writes_a_skeleton_that_import_reads(tmp_path: Path) -> None:
    skeleton = tmp_path / "map.yaml"
    r = cli("zoho", "map", "init", str(BUNDLE), "-o", str(skeleton))
    assert r.code == 0, r
    assert "6 user, role and profile ids to name, 10 fields" in r.out
    text = skeleton.read_text(encoding="utf-8")
    # the blueprint's own picklist field too: export names it by the map
    assert '"4150868000000002565": {name: stage, api_name: Stage, type: picklist}' in text
    assert '"4150868000000225013": null' in text
    assert '"4150868000000002561": {name: closing_date, api_name: Closing_Date, type: date}' in text
    # a skeleton as written imports (ids not named yet stay ids); named, they become names
    assert cli("zoho", "import", str(BUNDLE), "--map", str(skeleton), "-o", str(tmp_path / "a.yaml")).code == 0
    skeleton.write_text(text.replace('"4150868000000225013": null', '"4150868000000225013": alice'),
                        encoding="utf-8")
    r = cli("zoho", "import", str(BUNDLE), "--map", str(skeleton), "-o", str(tmp_path / "b.yaml"))
    assert r.code == 0 and "users 4150868000000225013" not in r.out, r
    assert "user:alice" in (tmp_path / "b.yaml").read_text(encoding="utf-8")
    # an existing map is never overwritten without --force
    again = cli("zoho", "map", "init", str(BUNDLE), "-o", str(skeleton))
    assert again.code == 1 and "exists" in again.err
    assert "alice" in skeleton.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "code", "message"), [
    ("not-zoho.json", 1, "not Zoho blueprint JSON: expected an object with `blueprints`, `states` or `transitions`"),
    ("truncated.json", 1, "not valid JSON (line 13, column 16)"),
    ("unknown-comparator.json", 1, "bad/unknown-comparator.json: $.transitions[1].criteria.group[1].comparator: "
                                   "unknown comparator 'like'"),
    ("record-blueprint.json", 1, "this is one record's blueprint"),
    ("no-such-file.json", 2, "no such file"),
])
def test_bad_input_is_refused_with_where_and_nothing_is_written(tmp_path: Path, name: str, code: int,
                                                                message: str) -> None:
    out = tmp_path / "out.yaml"
    r = cli("zoho", "import", str(DATA / "bad" / name), "-o", str(out))
    assert r.code == code, r
    assert message in r.err
    assert "Traceback" not in r.err and not out.exists()


def test_a_connection_to_a_state_that_is_not_a_state_is_named_with_its_path(tmp_path: Path) -> None:
    data = json.loads(BUNDLE.read_text(encoding="utf-8"))
    data["blueprints"][0]["connections"][1]["target"]["state"]["api_name"] = "Nowhere"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    r = cli("zoho", "import", str(broken), "-o", str(tmp_path / "out.yaml"))
    assert r.code == 1 and f"{broken}: $.blueprints[0].connections[1].target.state: state 'Nowhere' is not one of" \
        in r.err, r
    assert not (tmp_path / "out.yaml").exists()


def test_a_transition_without_connections_is_refused_with_what_to_give(tmp_path: Path) -> None:
    data = json.loads(BUNDLE.read_text(encoding="utf-8"))
    data["blueprints"][0]["connections"] = [c for c in data["blueprints"][0]["connections"]
                                            if c["transition"]["name"] != "Nudge"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    r = cli("zoho", "import", str(broken), "-o", str(tmp_path / "out.yaml"))
    assert r.code == 1 and f"{broken}: $.transitions[6]: transition 'Nudge' is in no connection" in r.err, r
    assert "GET /crm/v8/settings/blueprints/{id}" in r.err and not (tmp_path / "out.yaml").exists()


def test_connections_as_create_blueprint_takes_them_are_read_too(tmp_path: Path) -> None:
    data = json.loads(BUNDLE.read_text(encoding="utf-8"))
    data["blueprints"][0]["connections"] = [
        {"api_name": c["api_name"], "from_state": c["source"]["state"], "to_state": c["target"]["state"],
         "transitions": c["transition"]} for c in data["blueprints"][0]["connections"]]
    (tmp_path / "create.json").write_text(json.dumps(data), encoding="utf-8")
    assert cli("zoho", "import", str(tmp_path / "create.json"), "-o", str(tmp_path / "a.yaml")).code == 0
    assert cli("zoho", "import", str(BUNDLE), "-o", str(tmp_path / "b.yaml")).code == 0
    d = cli("diff", "--no-impact", "--exit-code", str(tmp_path / "b.yaml"), str(tmp_path / "a.yaml"))
    assert d.code == 0, d


def test_a_broken_map_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "map.yaml"
    bad.write_text("users:\n  '1': [alice]\n", encoding="utf-8")
    r = cli("zoho", "import", str(BUNDLE), "--map", str(bad), "-o", str(tmp_path / "out.yaml"))
    assert r.code == 2 and "$.users.1: expected a name" in r.err, r
    assert not (tmp_path / "out.yaml").exists()


def test_without_output_the_yaml_goes_to_stdout_and_the_report_to_stderr(tmp_path: Path) -> None:
    shutil.copy(BUNDLE, tmp_path / "b.json")
    r = cli("zoho", "import", "b.json", cwd=tmp_path)
    assert r.code == 0, r
    assert r.out.startswith("# Imported from Zoho CRM") and "blueprint: deal-desk" in r.out
    assert "Imported 'Deal desk'" in r.err and "Imported 'Deal desk'" not in r.out


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["transitions"][1]["criteria"]["group"][1].update(type="field"),
     "$.transitions[1].criteria.group[1].type: a condition of type 'field' (compared with another field): "
     "no equivalent"),
    (lambda d: d["states"][0]["state_escalation"]["trigger_details"][1].update(execute_type="during"),
     "$.states[0].state_escalation.trigger_details[1].execute_type: unknown execute_type 'during'; expected "
     "before, on or after"),
    (lambda d: d["transitions"][0]["during_inputs"][3].update(items=[]),
     "$.transitions[0].during_inputs[3].items: a checklist lists its items"),
])
def test_what_the_documented_shapes_do_not_allow_is_refused_with_its_path(tmp_path: Path, change: Any,
                                                                           message: str) -> None:
    data = json.loads(BUNDLE.read_text(encoding="utf-8"))
    change(data)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    r = cli("zoho", "import", str(broken), "-o", str(tmp_path / "out.yaml"))
    assert r.code == 1 and f"{broken}: {message}" in r.err, r
    assert "Traceback" not in r.err and not (tmp_path / "out.yaml").exists()


def from_start_node(form: str) -> dict[str, Any]:
    """The bundle with its start state given as Zoho's editor draws it: a connection out of the
    Start node (no source state) to Qualification, instead of the `start_state` flag."""
    data = json.loads(BUNDLE.read_text(encoding="utf-8"))
    del data["states"][0]["start_state"]
    bp = data["blueprints"][0]
    first = {"api_name": "Start_Qualification", "target": {"state": {"api_name": "Qualification"}}}
    if form == "source null":
        first["source"] = None
    elif form == "state null":
        first["source"] = {"state": None}
    elif form == "create form":
        first = {"api_name": "Start_Qualification", "from_state": None, "to_state": {"api_name": "Qualification"}}
    bp["connections"].insert(0, first)
    return data


@pytest.mark.parametrize("form", ["source null", "source missing", "state null", "create form"])
def test_a_connection_out_of_zohos_start_node_gives_the_start_state(tmp_path: Path, form: str) -> None:
    (tmp_path / "start.json").write_text(json.dumps(from_start_node(form)), encoding="utf-8")
    r = cli("zoho", "import", str(tmp_path / "start.json"), "-o", str(tmp_path / "a.yaml"))
    assert r.code == 0, r
    assert yaml_of(tmp_path / "a.yaml")["entry"]["state"] == "Qualification"
    # the same blueprint as with the flag, and through export and import again
    assert cli("zoho", "import", str(BUNDLE), "-o", str(tmp_path / "b.yaml")).code == 0
    d = cli("diff", "--no-impact", "--exit-code", str(tmp_path / "b.yaml"), str(tmp_path / "a.yaml"))
    assert d.code == 0, d
    assert cli("zoho", "export", str(tmp_path / "a.yaml"), "-o", str(tmp_path / "a.json")).code == 0
    assert cli("zoho", "import", str(tmp_path / "a.json"), "-o", str(tmp_path / "c.yaml")).code == 0
    d = cli("diff", "--no-impact", "--exit-code", str(tmp_path / "a.yaml"), str(tmp_path / "c.yaml"))
    assert d.code == 0, d


def test_a_transition_out_of_the_start_node_is_listed_not_imported(tmp_path: Path) -> None:
    data = from_start_node("source null")
    data["blueprints"][0]["connections"][0]["transition"] = {"api_name": "Create", "name": "Create"}
    data["transitions"].append({"id": "4150868000000999001", "name": "Create", "trigger_type": "manual",
                                "transition_type": "standalone_transition"})
    (tmp_path / "start.json").write_text(json.dumps(data), encoding="utf-8")
    r = cli("zoho", "import", str(tmp_path / "start.json"), "-o", str(tmp_path / "a.yaml"))
    assert r.code == 0, r
    assert "$.blueprints[0].connections[0].transition: transition 'Create' out of Zoho's Start node: a record " \
           "enters at 'Qualification'" in r.out
    data_out = yaml_of(tmp_path / "a.yaml")
    assert data_out["entry"]["state"] == "Qualification"
    assert "Create" not in [t["name"] for t in data_out["transitions"]]


def test_a_start_node_leading_elsewhere_than_the_start_state_is_refused(tmp_path: Path) -> None:
    data = from_start_node("source null")
    data["states"][0]["start_state"] = True
    data["blueprints"][0]["connections"][0]["target"]["state"]["api_name"] = "Proposal"
    (tmp_path / "start.json").write_text(json.dumps(data), encoding="utf-8")
    r = cli("zoho", "import", str(tmp_path / "start.json"), "-o", str(tmp_path / "a.yaml"))
    assert r.code == 1 and "$.blueprints[0].connections[0]: Zoho's Start node leads to 'Proposal', but the start " \
        "state is 'Qualification'" in r.err, r
    assert not (tmp_path / "a.yaml").exists()


def test_the_docs_show_the_head_of_the_yaml_the_worked_example_writes(tmp_path: Path) -> None:
    """docs/zoho.md shows how the imported YAML starts; its console examples run in
    tests/test_docs_examples.py, and this checks the YAML block they cannot."""
    root = Path(__file__).resolve().parent.parent
    page = (root / "docs" / "zoho.md").read_text(encoding="utf-8")
    shown = page.split("The YAML starts with what was left out:\n\n```yaml\n", 1)[1].split("```", 1)[0]
    out = tmp_path / "leads.yaml"
    r = cli("zoho", "import", "docs/examples/zoho/leads.json", "--map", "docs/examples/zoho/leads-map.yaml",
            "-o", str(out), cwd=root)
    assert r.code == 0, r
    assert out.read_text(encoding="utf-8").startswith(shown)


def test_the_json_report_of_an_import_names_the_layout(tmp_path: Path) -> None:
    r = cli("--json", "zoho", "import", str(BUNDLE), "-o", str(tmp_path / "deals.yaml"))
    assert r.code == 0, r
    assert json.loads(r.out)["layout"] == {"id": "4150868000000091055", "name": "Standard"}


def test_import_with_a_map_lists_the_fields_it_lacks(tmp_path: Path) -> None:
    leads = Path(__file__).resolve().parent.parent / "docs" / "examples" / "zoho" / "leads.json"
    zmap = tmp_path / "map.yaml"
    zmap.write_text("roles: {'4150868000000026005': sales_rep}\nfields:\n  Phone: {name: phone_number}\n",
                    encoding="utf-8")
    r = cli("zoho", "import", str(leads), "--map", str(zmap), "-o", str(tmp_path / "leads.yaml"))
    assert r.code == 0, r
    assert "Fields the map lacks, 6: named after their api_name here" in r.out
    assert "  Last_Name (first at " in r.out and "  Phone (" not in r.out
    assert "fields: [phone_number]" in (tmp_path / "leads.yaml").read_text(encoding="utf-8")
    assert "  Lead_Status (first at " in r.out  # the state field too

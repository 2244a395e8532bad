"""`blueprint zoho export`, and the round trip import(export(x)) = x proven with
`blueprint diff`, through the real CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from workspace_helpers import cli

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "zoho"
SAMPLES = sorted(p for p in (ROOT / "sample_blueprints").glob("*.yaml") if not p.name.endswith(".scenarios.yaml"))
DOC_EXAMPLES = [ROOT / "docs" / "examples" / "one-page.yaml", ROOT / "docs" / "examples" / "deal-follow-up-v2.yaml"]


def exported(path: Path, tmp_path: Path, *extra: str) -> dict[str, Any]:
    out = tmp_path / "export.json"
    r = cli("zoho", "export", str(path), "-o", str(out), *extra)
    assert r.code == 0, r
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def bodies(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [item for r in data["requests"] for item in r["body"].get(key, [])]


@pytest.mark.parametrize("path", SAMPLES + DOC_EXAMPLES, ids=lambda p: p.name)
def test_import_of_export_is_the_blueprint_again(path: Path, tmp_path: Path) -> None:
    exported(path, tmp_path)
    back = tmp_path / "back.yaml"
    r = cli("zoho", "import", str(tmp_path / "export.json"), "-o", str(back))
    assert r.code == 0, r
    diff = cli("diff", "--no-impact", "--exit-code", str(path), str(back))
    assert diff.code == 0 and "No semantic differences." in diff.out, diff


def test_a_zoho_blueprint_survives_export_and_import_with_its_map(tmp_path: Path) -> None:
    first = tmp_path / "deals.yaml"
    mapped = ("--map", str(DATA / "deals-map.yaml"))
    assert cli("zoho", "import", str(DATA / "deals-bundle.json"), *mapped, "-o", str(first)).code == 0
    data = exported(first, tmp_path, *mapped)
    # with the map, Zoho's ids are back where Zoho wants them
    qualify = bodies(data, "transitions")[0]
    assert qualify["owners"] == [{"type": "role", "resources": [{"id": "4150868000000026005"}]},
                                 {"type": "record_owner", "resources": None}]
    assert qualify["during_inputs"][1] == {"sequence": 2, "type": "field", "optional": False,
                                           "field": {"api_name": "Closing_Date", "id": "4150868000000002561"}}
    assert bodies(data, "blueprints")[0]["field"] == {"api_name": "Stage", "id": "4150868000000002565"}
    back = tmp_path / "back.yaml"
    assert cli("zoho", "import", str(tmp_path / "export.json"), *mapped, "-o", str(back)).code == 0
    diff = cli("diff", "--no-impact", "--exit-code", str(first), str(back))
    assert diff.code == 0, diff


def test_the_bodies_are_what_the_create_endpoints_take_in_order(tmp_path: Path) -> None:
    data = exported(ROOT / "sample_blueprints" / "deal-follow-up.yaml", tmp_path)
    assert data["format"] == "blueprint-zoho-export/1"
    assert [(r["method"], r["path"], list(r["body"])) for r in data["requests"]] == [
        ("POST", "/crm/v8/settings/blueprints", ["blueprints"]),
        ("POST", "/crm/v8/settings/blueprints/{blueprint_id}/states", ["states"]),
        ("POST", "/crm/v8/settings/blueprints/transitions", ["transitions"]),  # standalone and parallel
        ("POST", "/crm/v8/settings/blueprints/transitions", ["transitions"]),  # the child transitions
        ("PUT", "/crm/v8/settings/blueprints/{blueprint_id}", ["blueprints"]),  # the connections
    ]
    # Create Blueprint: module, picklist field, entry_criteria with a `type: value` condition
    bp = bodies(data, "blueprints")[0]
    assert bp["name"] == "Deal follow-up" and bp["module"] == {"api_name": "Deals"} and bp["continuous"] is False
    assert bp["entry_criteria"] == {"comparator": "greater_than", "field": {"api_name": "amount"}, "type": "value",
                                    "value": 0}
    # Create Blueprint States: the picklist value each state stands for, its module, its escalation
    states = bodies(data, "states")
    assert states[0]["pick_list_value"] == {"actual_value": "Qualification"} and states[0]["api_name"] == \
        "Qualification"
    assert states[0]["module"] == {"api_name": "Deals"} and states[0]["process_id"] == "{blueprint_id}"
    assert states[0]["start_state"] is True and states[4]["end_state"] is True
    escalation = states[0]["state_escalation"]
    assert (escalation["period"], escalation["value"]) == ("days", 3)
    assert [(t["execute_type"], t["period"], t["value"]) for t in escalation["trigger_details"]] == [
        ("on", "days", 0), ("after", "days", 7), ("after", "days", 14)]
    # Create Blueprint Transitions: types, criteria, during_inputs, actions
    ts = {t["name"]: t for t in bodies(data, "transitions")}
    negotiate = ts["Negotiate"]
    assert (negotiate["trigger_type"], negotiate["transition_type"]) == ("manual", "standalone_transition")
    assert negotiate["api_name"] == "Negotiate" and negotiate["module"] == {"api_name": "Deals"}
    assert "current_states" not in negotiate and "next_state" not in negotiate
    assert negotiate["criteria"]["group_operator"] == "AND"
    assert [(d["sequence"], d["type"], d["optional"]) for d in negotiate["during_inputs"]] == [
        (1, "info", True), (2, "field", False), (3, "checklist", False), (4, "notes", False)]
    assert negotiate["during_inputs"][0]["message"] == "Confirm budget and decision maker first."
    assert negotiate["during_inputs"][2]["items"] == [{"item": "Budget confirmed"},
                                                      {"item": "Decision maker identified"}]
    assert [a["type"] for a in negotiate["actions"]] == ["field_updates", "tasks"]
    assert negotiate["actions"][1]["details"] == {
        "subject": "Send proposal for ${Deals.name}", "due_date": {"period": "days", "value": 2},
        "owner": {"type": "record_owner", "resources": None}}
    assert ts["Lose"]["common_source"] is True
    assert ts["Sign-off"]["transition_type"] == "parallel_transition"
    assert ts["Legal approval"]["transition_type"] == "child_transition"
    assert ts["Legal approval"]["parent_transition"] == {"name": "Sign-off"}
    assert [o["next_state"] for o in ts["Decide discount"]["outcomes"]] == [{"api_name": "Legal_Review"},
                                                                           {"api_name": "Negotiation"}]
    assert ts["Decide discount"]["outcomes"][1]["criteria"] is None
    # the connections wire each transition from each state it leaves to its target, by api_name
    connections = bodies(data, "blueprints")[1]["connections"]
    assert {"api_name": "Qualification_Negotiate_Negotiation", "from_state": {"api_name": "Qualification"},
            "to_state": {"api_name": "Negotiation"},
            "transitions": {"api_name": "Negotiate", "name": "Negotiate"}} in connections
    lose = [(c["from_state"]["api_name"], c["to_state"]["api_name"]) for c in connections
            if c["transitions"]["name"] == "Lose"]
    assert lose == [(s["api_name"], "Closed_Lost") for s in states if not s.get("end_state")]
    support = exported(ROOT / "sample_blueprints" / "support-ticket.yaml", tmp_path)
    hook = bodies(support, "transitions")[2]["actions"][1]  # the tag before it is not sent
    assert hook["type"] == "webhooks" and hook["details"]["url"] == "https://events.pagerduty.example.com/v2/enqueue"
    assert "secret_env" not in json.dumps(hook)
    assert bodies(support, "transitions")[5]["automatic"] == {"period": "business_days", "value": 5}


def test_what_zoho_lacks_is_reported_with_its_path_and_kept_in_the_file(tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    r = cli("zoho", "export", str(ROOT / "sample_blueprints" / "support-ticket.yaml"), "-o", str(out))
    assert r.code == 0, r
    for line in ("$.entry.when: Zoho criteria have no 'not' group",
                 "$.transitions[2].when: Zoho criteria have no 'matches' comparator",
                 "$.transitions[2].then[1]: Zoho CRM has no tag action",
                 "$.transitions[2].then[2].webhook.secret_env: Zoho webhooks have no signing secret"):
        assert line in r.out, line
    kept = {k["at"]: k for k in json.loads(out.read_text(encoding="utf-8"))["kept"]}
    assert kept["$.transitions[2].then[1]"]["value"] == {"tag": {"add": ["incident"]}}
    assert kept["$.transitions[2].then[1]"]["sent"] is False
    assert "$.transitions[4].owners" not in kept  # `anyone` is a Zoho transition without owners


def test_states_and_transitions_go_fifty_per_request(tmp_path: Path) -> None:
    states = "\n".join(f"  - name: S{i}" for i in range(120)) + "\n  - {name: End, final: true}\n"
    moves = "\n".join(f"  - {{name: T{i}, from: S{i}, to: {'S' + str(i + 1) if i < 119 else 'End'}}}"
                      for i in range(120))
    path = tmp_path / "long.yaml"
    path.write_text(f"blueprint: long\nmodule: Deals\nfield: stage\nstates:\n{states}transitions:\n{moves}\n",
                    encoding="utf-8")
    data = exported(path, tmp_path)
    sizes = [(r["path"].rsplit("/", 1)[1], len(next(iter(r["body"].values())))) for r in data["requests"]]
    assert sizes == [("blueprints", 1), ("states", 50), ("states", 50), ("states", 21), ("transitions", 50),
                     ("transitions", 50), ("transitions", 20), ("{blueprint_id}", 1)]
    assert len(data["requests"][-1]["body"]["blueprints"][0]["connections"]) == 120


def test_a_name_the_map_lacks_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    zmap = tmp_path / "map.yaml"
    zmap.write_text("roles:\n  '111': sales_rep\n", encoding="utf-8")
    out = tmp_path / "export.json"
    r = cli("zoho", "export", str(ROOT / "docs" / "examples" / "one-page.yaml"), "--map", str(zmap), "-o", str(out))
    assert r.code == 1, r
    assert "the map has no Zoho id for" in r.err
    assert "role 'sales_manager' at $.states[0].sla.escalate[0].email.to" in r.err
    assert "field 'amount' at $.entry.when.field" in r.err
    assert not out.exists()


def test_a_blueprint_with_errors_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    r = cli("zoho", "export", str(ROOT / "docs" / "examples" / "broken.yaml"), "-o", str(out))
    assert r.code == 1 and "the blueprint has errors" in r.err, r
    assert not out.exists()


# ----- `not` over one condition: Zoho's negated comparator

NEGATIONS = [
    ({"field": "stage", "eq": "Won"}, "not_equal", {"field": "stage", "ne": "Won"}),
    ({"field": "stage", "ne": "Won"}, "equal", {"field": "stage", "eq": "Won"}),
    ({"field": "stage", "in": ["Won", "Lost"]}, "not_in", {"field": "stage", "not_in": ["Won", "Lost"]}),
    ({"field": "stage", "not_in": ["Won"]}, "in", {"field": "stage", "in": ["Won"]}),
    ({"field": "tags", "contains": "vip"}, "not_contains", {"field": "tags", "not_contains": "vip"}),
    ({"field": "tags", "not_contains": "vip"}, "contains", {"field": "tags", "contains": "vip"}),
    ({"field": "email", "empty": True}, "not_equal", {"field": "email", "empty": False}),
    ({"field": "email", "empty": False}, "equal", {"field": "email", "empty": True}),
]
RECORDS = [{}, {"stage": "Won", "tags": ["vip"], "email": "a@b.c"}, {"stage": "won"}, {"stage": "Lost", "tags": []},
           {"stage": "Open", "tags": ["other"], "email": ""}, {"stage": None, "tags": "a vip deal"}]


@pytest.mark.parametrize(("inner", "comparator", "back"), NEGATIONS)
def test_not_over_one_condition_is_sent_as_the_negated_comparator_and_comes_back(
        inner: dict[str, Any], comparator: str, back: dict[str, Any]) -> None:
    from blueprint_cli.language.criteria import evaluate
    from blueprint_cli.language.model import build_criterion
    from blueprint_cli.zoho import criteria
    from blueprint_cli.zoho.names import Names

    original = build_criterion({"not": inner}, ("when",))
    names = Names(None)
    sent: list[Any] = []
    zoho = criteria.to_zoho(original, names, sent)
    assert zoho["comparator"] == comparator and [c for _, c in sent] == [comparator]
    again = criteria.from_zoho(zoho, names, ("criteria",))
    assert again == back
    # the round trip holds for the same records
    rebuilt = build_criterion(again, ("when",))
    assert [evaluate(rebuilt, r) for r in RECORDS] == [evaluate(original, r) for r in RECORDS]


@pytest.mark.parametrize("inner", [{"field": "email", "starts_with": "x"}, {"field": "email", "ends_with": "x"},
                                   {"field": "amount", "gt": 1}, {"field": "amount", "between": [1, 2]},
                                   {"field": "email", "matches": "^x"},
                                   {"all": [{"field": "amount", "gt": 1}, {"field": "stage", "eq": "Won"}]}])
def test_not_without_a_negated_comparator_is_still_reported(inner: dict[str, Any]) -> None:
    from blueprint_cli.language.actions import NotInZoho
    from blueprint_cli.language.model import build_criterion
    from blueprint_cli.zoho import criteria
    from blueprint_cli.zoho.names import Names

    with pytest.raises(NotInZoho, match="Zoho criteria have no 'not' group"):
        criteria.to_zoho(build_criterion({"any": [{"field": "stage", "eq": "Won"}, {"not": inner}]}, ("when",)),
                         Names(None))


def test_a_not_with_a_negated_comparator_is_sent_and_the_round_trip_gives_it_back(tmp_path: Path) -> None:
    source = ROOT / "sample_blueprints" / "purchase-approval.yaml"
    data = exported(source, tmp_path)
    blueprint = data["requests"][0]["body"]["blueprints"][0]
    assert blueprint["entry_criteria"] == {"comparator": "not_contains", "field": {"api_name": "categories"},
                                           "type": "value", "value": "Travel"}
    kept = {k["at"]: k for k in data["kept"]}
    assert kept["$.entry.when"]["sent"] is True
    assert kept["$.entry.when"]["value"] == {"not": {"field": "categories", "contains": "Travel"}}
    r = cli("zoho", "export", str(source))
    assert "$.entry.when:" not in r.err  # sent, so not among what is not sent
    back = tmp_path / "back.yaml"
    assert cli("zoho", "import", str(tmp_path / "export.json"), "-o", str(back)).code == 0
    d = cli("diff", str(source), str(back))
    assert d.code == 0 and "No semantic differences." in d.out, d
    # what Zoho itself would give back (no `kept`): the negated operator
    data["kept"] = [k for k in data["kept"] if k["at"] != "$.entry.when"]
    (tmp_path / "zoho.json").write_text(json.dumps(data), encoding="utf-8")
    pulled = cli("zoho", "import", str(tmp_path / "zoho.json"))
    assert "when: {field: categories, not_contains: Travel}" in pulled.out, pulled


def test_without_a_layout_the_export_says_so_and_how_to_give_one(tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    r = cli("zoho", "export", str(ROOT / "docs" / "examples" / "one-page.yaml"), "-o", str(out))
    assert r.code == 0, r
    assert "No layout: Zoho's \"Create Blueprint\" asks for the layout the blueprint is built on, and push " \
           "refuses without one; give --layout LAYOUT_ID, or name it in the map: layouts: {Deals: {id: " \
           "LAYOUT_ID}}" in r.out
    assert "layout" not in bodies(json.loads(out.read_text(encoding="utf-8")), "blueprints")[0]
    report = cli("--json", "zoho", "export", str(ROOT / "docs" / "examples" / "one-page.yaml"), "-o", str(out))
    assert json.loads(report.out)["layout"] is None, report


def test_the_layout_goes_into_the_create_body_from_the_option(tmp_path: Path) -> None:
    data = exported(ROOT / "sample_blueprints" / "deal-follow-up.yaml", tmp_path, "--layout", "4150868000000091099")
    assert bodies(data, "blueprints")[0]["layout"] == {"id": "4150868000000091099"}
    # only the blueprint's creation names it
    assert all("layout" not in item for key in ("states", "transitions") for item in bodies(data, key))


def test_map_init_writes_the_layout_zoho_gave(tmp_path: Path) -> None:
    zmap = tmp_path / "map.yaml"
    assert cli("zoho", "map", "init", str(DATA / "deals-bundle.json"), "-o", str(zmap)).code == 0
    assert 'layouts:\n  Deals: {id: "4150868000000091055", name: Standard}\n' in zmap.read_text(encoding="utf-8")
    # a blueprint that names none: its module, to fill in
    data = json.loads((DATA / "deals-bundle.json").read_text(encoding="utf-8"))
    del data["blueprints"][0]["layout"]
    (tmp_path / "no-layout.json").write_text(json.dumps(data), encoding="utf-8")
    r = cli("zoho", "map", "init", str(tmp_path / "no-layout.json"))
    assert r.code == 0 and r.out.endswith("layouts:\n  Deals: null\n"), r


def test_the_layout_in_the_map_is_sent_and_the_round_trip_keeps_the_blueprint(tmp_path: Path) -> None:
    zmap = DATA / "deals-map.yaml"
    first = tmp_path / "deals.yaml"
    r = cli("zoho", "import", str(DATA / "deals-bundle.json"), "--map", str(zmap), "-o", str(first))
    assert r.code == 0 and "layout 'Standard' (4150868000000091055): the map names it under layouts: Deals" in r.out
    out = tmp_path / "export.json"
    r = cli("zoho", "export", str(first), "--map", str(zmap), "-o", str(out))
    assert r.code == 0 and "No layout" not in r.out, r
    data = json.loads(out.read_text(encoding="utf-8"))
    assert bodies(data, "blueprints")[0]["layout"] == {"id": "4150868000000091055"}
    back = tmp_path / "back.yaml"
    assert cli("zoho", "import", str(out), "--map", str(zmap), "-o", str(back)).code == 0
    assert cli("diff", "--no-impact", "--exit-code", str(first), str(back)).code == 0
    # --layout wins over the map
    data = exported(first, tmp_path, "--map", str(zmap), "--layout", "4150868000000091099")
    assert bodies(data, "blueprints")[0]["layout"] == {"id": "4150868000000091099"}


@pytest.mark.parametrize(("args", "map_text", "message"), [
    (("--layout", "Standard"), None, "--layout 'Standard' is not a Zoho layout id (digits)"),
    ((), "layouts:\n  Deals: Standard\n", "$.layouts.Deals: expected the layout's Zoho id (digits)"),
    ((), "layouts:\n  Deals: {name: Standard}\n", "$.layouts.Deals: expected the layout's Zoho id (digits)"),
])
def test_a_layout_that_is_not_an_id_is_a_usage_error(tmp_path: Path, args: tuple[str, ...], map_text: str | None,
                                                     message: str) -> None:
    extra = list(args)
    if map_text is not None:
        (tmp_path / "map.yaml").write_text(map_text, encoding="utf-8")
        extra += ["--map", str(tmp_path / "map.yaml")]
    out = tmp_path / "export.json"
    r = cli("zoho", "export", str(ROOT / "docs" / "examples" / "one-page.yaml"), "-o", str(out), *extra)
    assert r.code == 2 and message in r.err, r
    assert not out.exists()


def zoho_fields(value: Any, module: str) -> set[tuple[str, str | None]]:
    """Every field a Zoho body names, as (api_name, id): `field` objects (the id None when not given), and
    merge fields `${Module.Api_Name}` in text (the id "merge": they name a field by api_name only)."""
    found: set[tuple[str, str | None]] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "field" and isinstance(item, dict) and "api_name" in item:
                found.add((item["api_name"], item.get("id")))
            found |= zoho_fields(item, module)
    elif isinstance(value, list):
        for item in value:
            found |= zoho_fields(item, module)
    elif isinstance(value, str):
        found |= {(api, "merge") for api in re.findall(r"\$\{%s\.([A-Za-z0-9_]+)\}" % module, value)}
    return found


@pytest.mark.parametrize(("zoho_json", "module", "not_imported"), [
    (ROOT / "docs" / "examples" / "zoho" / "leads.json", "Leads", set()),
    (DATA / "deals-bundle.json", "Deals", {"Description"}),  # an optional during field: listed, not imported
])
def test_export_of_import_names_the_fields_as_zoho_did(zoho_json: Path, module: str, not_imported: set[str],
                                                        tmp_path: Path) -> None:
    """With the map `map init` writes (owners named, fields as written), export(import(z)) names each field
    by the api_name and id Zoho's JSON gave it — also the fields Zoho named by api_name only."""
    zmap = tmp_path / "map.yaml"
    assert cli("zoho", "map", "init", str(zoho_json), "-o", str(zmap)).code == 0
    zmap.write_text(re.sub(r'"(\d+)": null', r'"\1": n\1', zmap.read_text(encoding="utf-8")), encoding="utf-8")
    back = tmp_path / "back.yaml"
    r = cli("zoho", "import", str(zoho_json), "--map", str(zmap), "-o", str(back))
    assert r.code == 0 and "Fields the map lacks" not in r.out, r
    data = exported(back, tmp_path, "--map", str(zmap))
    r = cli("zoho", "export", str(back), "--map", str(zmap))
    assert "Fields the map gives no Zoho api_name" not in r.err, r
    given = zoho_fields(json.loads(zoho_json.read_text(encoding="utf-8")), module)
    sent = zoho_fields(data["requests"], module)
    assert {api for api, _ in sent} == {api for api, _ in given} - not_imported
    ids = {api: zid for api, zid in given if zid not in (None, "merge")}
    objects = {(api, zid) for api, zid in sent if zid != "merge"}
    assert ids and objects == {(api, ids.get(api)) for api, _ in objects}  # the id Zoho gave, none it did not
    assert {(api, zid) for api, zid in given if zid == "merge"} <= sent
    if module == "Leads":  # named by api_name only in the JSON: so in the export
        assert ("Last_Name", "merge") in sent and ("Phone", None) in objects


def test_a_field_the_map_lacks_is_listed_with_its_yaml_paths_never_sent_under_a_guessed_name(tmp_path: Path) -> None:
    page = ROOT / "docs" / "examples" / "one-page.yaml"
    data = exported(page, tmp_path)  # no map: no field has a Zoho name
    r = cli("zoho", "export", str(page))
    assert r.code == 0, r
    assert "Fields the map gives no Zoho api_name for, 4:" in r.err
    assert "  'amount' at $.entry.when.field, $.transitions[0].when.all[0].field\n" in r.err
    assert "  'stage' at $.field\n" in r.err and "hint: add each to the map under fields" in r.err
    assert bodies(data, "blueprints")[0]["field"] == {"api_name": "stage"}  # the YAML's name, listed above
    # with a map naming some: those go by Zoho's names (and id), the others are listed
    zmap = tmp_path / "map.yaml"
    zmap.write_text("roles: {'6': sales_rep, '7': sales_manager}\nprofiles: {'8': admin}\nfields:\n"
                    "  '4150868000000002565': {name: stage, api_name: Stage}\n  Amount: {name: amount}\n",
                    encoding="utf-8")
    data = exported(page, tmp_path, "--map", str(zmap))
    blueprint = bodies(data, "blueprints")[0]
    assert blueprint["field"] == {"api_name": "Stage", "id": "4150868000000002565"}
    assert blueprint["entry_criteria"]["field"] == {"api_name": "Amount"}
    r = cli("--json", "zoho", "export", str(page), "--map", str(zmap), "-o", str(tmp_path / "again.json"))
    assert r.code == 0, r
    assert {g["field"] for g in json.loads(r.out)["fields_not_mapped"]} == {"name", "reason"}


@pytest.mark.parametrize(("fields", "message"), [
    ("  Last_Name: {name: last_name, api_name: Surname}\n",
     "$.fields.Last_Name: a field without its Zoho id is keyed by its api_name, found api_name 'Surname'"),
    ("  '1': {name: surname, api_name: Last_Name}\n  Last_Name: {name: last_name}\n",
     "$.fields: api_name 'Last_Name' is given to two entries"),
])
def test_a_map_gives_each_field_one_zoho_name(fields: str, message: str, tmp_path: Path) -> None:
    zmap = tmp_path / "map.yaml"
    zmap.write_text("fields:\n" + fields, encoding="utf-8")
    r = cli("zoho", "export", str(ROOT / "docs" / "examples" / "one-page.yaml"), "--map", str(zmap))
    assert r.code == 2 and message in r.err, r

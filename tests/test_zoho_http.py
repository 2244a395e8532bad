"""`blueprint zoho pull` and `push` against a Zoho stand-in: a real HTTP server
on 127.0.0.1 started here, answering in the shapes of Zoho's v8 pages ('Get a
Specific Blueprint' with its connections and its states and transitions by id,
'Get Blueprint States' and 'Get Blueprint Transitions' by `ids`, 'Get
Blueprints' in pages, 'Create Blueprint', 'Create Blueprint States', 'Create
Blueprint Transitions', 'Update Blueprint' for the connections, 'Update
Blueprint States', 'Update Blueprint Transitions', 'Activate Blueprint' with
`move_records`: each answers `{KEY: [{code, details: {id}, message,
status}]}`), with a 429 and with error bodies `{code, details: {api_name,
json_path}, message, status}`; every request it gets is checked."""

from __future__ import annotations

import copy
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from workspace_helpers import cli

DATA = Path(__file__).parent / "data" / "zoho"
ROOT = Path(__file__).resolve().parent.parent
TOKEN = "1000.test-token-never-shown.abcdef"
BP_ID = "4150868000001087101"
API = "/crm/v8/settings/blueprints"
LAYOUT = "4150868000000091055"
#: the layout a created blueprint is built on, which push needs
ON_LAYOUT = ("--layout", LAYOUT)
DEALS_MAP = DATA / "deals-map.yaml"


def mapped(yaml_path: Path, tmp_path: Path) -> tuple[str, str]:
    """`--map MAP` naming every user, role, profile and field `yaml_path` uses, as a team would write it:
    made-up ids for the owners, fields by a Zoho-style api_name (`close_on` → `Close_On`), no id. The names
    come from what export refuses, or lists as gaps, with an empty map."""
    empty = tmp_path / "empty-map.yaml"
    empty.write_text("users: {}\n", encoding="utf-8")
    r = cli("--json", "zoho", "export", str(yaml_path), "--map", str(empty), "-o", str(tmp_path / "x.json"))
    kinds: dict[str, dict[str, str]] = {"users": {}, "roles": {}, "profiles": {}, "fields": {}}
    named = re.findall(r"^  (user|role|profile|field) '([^']+)' at ", json.loads(r.err)["error"], re.M) if r.code else \
        [("field", gap["field"]) for gap in json.loads(r.out)["fields_not_mapped"]]
    for kind, name in dict.fromkeys(named):
        if kind == "field":
            kinds["fields"]["_".join(w.capitalize() for w in name.split("_"))] = name
        else:
            kinds[kind + "s"][str(900000 + len(kinds[kind + "s"]))] = name
    path = tmp_path / f"{yaml_path.stem}-map.yaml"
    path.write_text("".join(f"{kind}:\n" + "".join(f"  '{k}': {v}\n" for k, v in ids.items()) if ids else
                            f"{kind}: {{}}\n" for kind, ids in kinds.items()), encoding="utf-8")
    return "--map", str(path)


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeZoho:
    routes: dict[tuple[str, str], Callable[[Seen], tuple[int, Any, dict[str, str]]]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def route(self, method: str, path: str, answer: Callable[[Seen], tuple[int, Any, dict[str, str]]]) -> None:
        self.routes[(method, path)] = answer


@pytest.fixture
def zoho(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeZoho]:
    fake = FakeZoho()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            seen = Seen(self.command, parts.path, dict(urllib.parse.parse_qsl(parts.query)),
                        {k.lower(): v for k, v in self.headers.items()}, json.loads(raw) if raw else None)
            fake.seen.append(seen)
            answer = fake.routes.get((self.command, parts.path))
            status, body, headers = answer(seen) if answer else (404, {"code": "INVALID_URL_PATTERN",
                                                                       "message": "no such url", "status": "error",
                                                                       "details": {}}, {})
            payload = json.dumps(body).encode()
            self.send_response(status)
            for k, v in {"Content-Type": "application/json", **headers}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ZOHO_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("ZOHO_API_DOMAIN", fake.url)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def bundle() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "deals-bundle.json").read_text(encoding="utf-8"))
    return data


def serve_blueprint(zoho: FakeZoho, zid: str = BP_ID, name: str = "Deal desk", throttle: bool = False,
                    retry_after: str = "0") -> None:
    data = bundle()
    bp = copy.deepcopy(data["blueprints"][0])
    bp["id"], bp["name"] = zid, name
    bp["states"] = [{"id": s["id"]} for s in data["states"]]
    bp["transitions"] = [{"id": t["id"]} for t in data["transitions"]]
    hits = {"n": 0}

    def one(seen: Seen) -> tuple[int, Any, dict[str, str]]:
        hits["n"] += 1
        if throttle and hits["n"] == 1:
            return 429, {"code": "TOO_MANY_REQUESTS", "message": "slow down", "status": "error", "details": {}}, \
                {"Retry-After": retry_after}
        return 200, {"blueprints": [bp]}, {}

    def states(seen: Seen) -> tuple[int, Any, dict[str, str]]:
        ids = seen.query["ids"].split(",")
        return 200, {"states": [s for s in data["states"] if s["id"] in ids]}, {}

    def transitions(seen: Seen) -> tuple[int, Any, dict[str, str]]:
        ids = seen.query["ids"].split(",")
        return 200, {"transitions": [t for t in data["transitions"] if t["id"] in ids]}, {}

    zoho.route("GET", f"{API}/{zid}", one)
    zoho.route("GET", f"{API}/{zid}/states", states)
    zoho.route("GET", f"{API}/transitions", transitions)


def test_pull_fetches_the_blueprint_its_states_and_its_transitions_by_id(zoho: FakeZoho, tmp_path: Path) -> None:
    serve_blueprint(zoho, throttle=True)
    out = tmp_path / "deals.yaml"
    r = cli("zoho", "pull", BP_ID, "--map", str(DATA / "deals-map.yaml"), "-o", str(out))
    assert r.code == 0, r
    assert [(s.method, s.path, s.query) for s in zoho.seen] == [
        ("GET", f"{API}/{BP_ID}", {}),  # 429: retried after Retry-After
        ("GET", f"{API}/{BP_ID}", {}),
        ("GET", f"{API}/{BP_ID}/states", {"ids": ",".join(s["id"] for s in bundle()["states"])}),
        ("GET", f"{API}/transitions", {"ids": ",".join(t["id"] for t in bundle()["transitions"])}),
    ]
    assert all(s.headers["authorization"] == f"Zoho-oauthtoken {TOKEN}" for s in zoho.seen)
    # the same YAML as importing the files
    files = tmp_path / "files.yaml"
    assert cli("zoho", "import", str(DATA / "deals-bundle.json"), "--map", str(DATA / "deals-map.yaml"),
               "-o", str(files)).code == 0
    assert cli("diff", "--no-impact", "--exit-code", str(files), str(out)).code == 0
    assert f"zoho:{BP_ID}: $.transitions[0].during_inputs[5]: widget 'Credit check'" in r.out
    assert TOKEN not in r.out + r.err + out.read_text(encoding="utf-8")


def test_a_retry_after_that_is_no_number_of_seconds_is_backed_off(zoho: FakeZoho, tmp_path: Path) -> None:
    """`Retry-After: nan` was slept as it was: time.sleep(nan), a ValueError traceback."""
    serve_blueprint(zoho, throttle=True, retry_after="nan")
    r = cli("zoho", "pull", BP_ID, "--map", str(DATA / "deals-map.yaml"), "-o", str(tmp_path / "deals.yaml"))
    assert r.code == 0 and "Traceback" not in r.err, r
    assert [s.path for s in zoho.seen[:2]] == [f"{API}/{BP_ID}"] * 2  # tried again


def test_pull_all_writes_every_blueprint_of_the_module(zoho: FakeZoho, tmp_path: Path) -> None:
    serve_blueprint(zoho)
    serve_blueprint(zoho, "4150868000001099001", "Renewals")

    def listing(seen: Seen) -> tuple[int, Any, dict[str, str]]:
        assert seen.query["module"] == "Deals" and seen.query["per_page"] == "200"
        page = int(seen.query["page"])
        item = {"id": BP_ID, "name": "Deal desk"} if page == 1 else {"id": "4150868000001099001", "name": "Renewals"}
        return 200, {"blueprints": [item], "info": {"per_page": 200, "count": 1, "page": page,
                                                    "more_records": page == 1}}, {}

    zoho.route("GET", API, listing)
    folder = tmp_path / "pulled"
    r = cli("zoho", "pull", "--all", "--module", "Deals", "-o", str(folder))
    assert r.code == 0, r
    assert sorted(p.name for p in folder.iterdir()) == ["deal-desk.yaml", "renewals.yaml"]
    assert "Pulled 2 blueprints of Deals" in r.out
    assert [s.query.get("page") for s in zoho.seen if s.path == API] == ["1", "2"]
    assert cli("lint", "--no-cache", str(folder)).code == 0
    # with a map that lacks a field, each file says which
    partial = tmp_path / "partial-map.yaml"
    partial.write_text("\n".join(line for line in DEALS_MAP.read_text(encoding="utf-8").splitlines()
                                 if "Loss_Reason" not in line) + "\n", encoding="utf-8")
    r = cli("zoho", "pull", "--all", "--module", "Deals", "--map", str(partial), "-o", str(tmp_path / "again"))
    assert r.code == 0 and r.out.count("ids kept as ids, fields the map lacks: Loss_Reason\n") == 2, r


def test_a_page_token_in_the_answer_asks_the_next_page_by_token(zoho: FakeZoho, tmp_path: Path) -> None:
    serve_blueprint(zoho)
    serve_blueprint(zoho, "4150868000001099001", "Renewals")

    def listing(seen: Seen) -> tuple[int, Any, dict[str, str]]:
        if "page_token" in seen.query:
            assert seen.query["page_token"] == "next-1" and "page" not in seen.query
            return 200, {"blueprints": [{"id": "4150868000001099001", "name": "Renewals"}],
                         "info": {"per_page": 200, "count": 1, "more_records": False}}, {}
        return 200, {"blueprints": [{"id": BP_ID, "name": "Deal desk"}],
                     "info": {"per_page": 200, "count": 1, "page": 1, "more_records": True,
                              "next_page_token": "next-1"}}, {}

    zoho.route("GET", API, listing)
    r = cli("zoho", "pull", "--all", "--module", "Deals", "-o", str(tmp_path / "pulled"))
    assert r.code == 0 and "Pulled 2 blueprints of Deals" in r.out, r


def created(kind: str, first_id: int, fail: str | None = None) -> Callable[[Seen], tuple[int, Any, dict[str, str]]]:
    counter = {"n": first_id}

    def answer(seen: Seen) -> tuple[int, Any, dict[str, str]]:
        out = []
        for item in seen.body[kind]:
            if fail is not None and item.get("name") == fail:
                out.append({"code": "INVALID_DATA", "details": {"api_name": "trigger_type",
                                                                "json_path": f"$.{kind}[0].trigger_type"},
                            "message": "invalid data", "status": "error"})
                continue
            counter["n"] += 1
            out.append({"code": "SUCCESS", "details": {"id": str(counter["n"])}, "message": f"{kind} created",
                        "status": "success"})
        return (207 if fail else 201), {kind: out}, {}

    return answer


def connected(zid: str) -> Callable[[Seen], tuple[int, Any, dict[str, str]]]:
    """'Update Blueprint' with the connections: the body checked, the blueprint's id answered."""
    def answer(seen: Seen) -> tuple[int, Any, dict[str, str]]:
        (item,) = seen.body["blueprints"]
        assert list(item) == ["connections"]
        assert all(set(c) == {"api_name", "from_state", "to_state", "transitions"} for c in item["connections"])
        return 200, {"blueprints": [{"code": "SUCCESS", "details": {"id": zid}, "message": "blueprint updated",
                                     "status": "success"}]}, {}

    return answer


def serve_creation(zoho: FakeZoho, fail: str | None = None) -> None:
    zoho.route("POST", API, created("blueprints", 9000))
    zoho.route("POST", f"{API}/9001/states", created("states", 9100))
    zoho.route("POST", f"{API}/transitions", created("transitions", 9200, fail))
    zoho.route("PUT", f"{API}/9001", connected("9001"))
    zoho.route("POST", f"{API}/9001/actions/activate", lambda seen: (200, {"blueprints": [
        {"code": "SUCCESS", "details": {"id": "9001"}, "message": "blueprint activated", "status": "success"}]}, {}))


def test_push_creates_a_draft_filling_in_the_ids_zoho_gives(zoho: FakeZoho, tmp_path: Path) -> None:
    serve_creation(zoho)
    source = ROOT / "sample_blueprints" / "deal-follow-up.yaml"
    r = cli("zoho", "push", str(source), *ON_LAYOUT, *mapped(source, tmp_path))
    assert r.code == 0, r
    assert "as blueprint 9001: 6 states, 8 transitions in 5 requests" in r.out and "A draft" in r.out
    assert [(s.method, s.path) for s in zoho.seen] == [
        ("POST", API), ("POST", f"{API}/9001/states"), ("POST", f"{API}/transitions"), ("POST", f"{API}/transitions"),
        ("PUT", f"{API}/9001")]
    assert all(s.headers["authorization"] == f"Zoho-oauthtoken {TOKEN}" and
               s.headers["content-type"] == "application/json" for s in zoho.seen)
    states = zoho.seen[1].body["states"]
    assert [s["process_id"] for s in states] == ["9001"] * 6
    assert zoho.seen[2].body["transitions"][0]["process_id"] == "9001"
    # the connections name states and transitions by the api_names their bodies gave
    names = {s["api_name"] for s in states} | {t["api_name"] for t in zoho.seen[2].body["transitions"]}
    connections = zoho.seen[4].body["blueprints"][0]["connections"]
    assert {c["from_state"]["api_name"] for c in connections} | {c["to_state"]["api_name"] for c in connections} \
        | {c["transitions"]["api_name"] for c in connections} <= names
    children = zoho.seen[3].body["transitions"]
    sign_off_id = str(9200 + 1 + [t["name"] for t in zoho.seen[2].body["transitions"]].index("Sign-off"))
    assert [c["parent_transition"] for c in children] == [{"id": sign_off_id}] * 2
    assert "activate" not in " ".join(s.path for s in zoho.seen)
    assert TOKEN not in r.out + r.err


def test_push_activates_only_when_asked_with_move_records(zoho: FakeZoho, tmp_path: Path) -> None:
    serve_creation(zoho)
    page = ROOT / "docs" / "examples" / "one-page.yaml"
    r = cli("zoho", "push", str(page), "--activate", "--move-records", *ON_LAYOUT, *mapped(page, tmp_path))
    assert r.code == 0, r
    last = zoho.seen[-1]
    assert (last.method, last.path, last.body) == ("POST", f"{API}/9001/actions/activate", {"move_records": True})
    assert "Activated; records in an older version move to this one" in r.out


def test_states_and_transitions_go_fifty_to_a_request(zoho: FakeZoho, tmp_path: Path) -> None:
    serve_creation(zoho)
    states = "\n".join(f"  - name: S{i}" for i in range(60)) + "\n  - {name: End, final: true}\n"
    moves = "\n".join(f"  - {{name: T{i}, from: S{i}, to: {'S' + str(i + 1) if i < 59 else 'End'}}}"
                      for i in range(60))
    path = tmp_path / "long.yaml"
    path.write_text(f"blueprint: long\nmodule: Deals\nfield: stage\nstates:\n{states}transitions:\n{moves}\n",
                    encoding="utf-8")
    r = cli("zoho", "push", str(path), *ON_LAYOUT, *mapped(path, tmp_path))
    assert r.code == 0, r
    assert [len(next(iter(s.body.values()))) for s in zoho.seen] == [1, 50, 11, 50, 10, 1]
    # the last transition's connection names the state of the second batch of states
    last = zoho.seen[5].body["blueprints"][0]["connections"][-1]
    assert (last["from_state"], last["to_state"]) == ({"api_name": "S59"}, {"api_name": "End"})


def test_a_zoho_error_body_is_reported_with_the_field_and_the_yaml_path(zoho: FakeZoho, tmp_path: Path) -> None:
    serve_creation(zoho, fail="Send to legal")
    source = ROOT / "sample_blueprints" / "deal-follow-up.yaml"
    r = cli("zoho", "push", str(source), *ON_LAYOUT, *mapped(source, tmp_path))
    assert r.code == 1, r
    assert ("Zoho refused transition 'Send to legal' ($.transitions[2] in the YAML): INVALID_DATA: invalid data "
            "(field trigger_type, at $.transitions[0].trigger_type)") in r.err
    assert "draft blueprint 9001 was created in Zoho and is incomplete" in r.err
    assert "Traceback" not in r.err and TOKEN not in r.err


def test_an_expired_token_is_reported_with_what_to_do(zoho: FakeZoho) -> None:
    zoho.route("GET", f"{API}/{BP_ID}", lambda seen: (401, {"code": "INVALID_TOKEN", "details": {},
                                                            "message": "invalid oauth token", "status": "error"}, {}))
    r = cli("zoho", "pull", BP_ID)
    assert r.code == 1 and "Zoho answered 401: INVALID_TOKEN: invalid oauth token" in r.err, r
    assert "ZOHO_ACCESS_TOKEN is invalid or expired" in r.err and TOKEN not in r.err


def test_dry_run_prints_the_requests_and_sends_nothing(zoho: FakeZoho, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZOHO_ACCESS_TOKEN")
    r = cli("zoho", "push", str(ROOT / "docs" / "examples" / "one-page.yaml"), "--dry-run", "--activate")
    assert r.code == 0, r
    assert f"POST {zoho.url}{API}\n" in r.out and f"POST {zoho.url}{API}/{{blueprint_id}}/states" in r.out
    assert f"{API}/{{blueprint_id}}/actions/activate" in r.out
    assert zoho.seen == []


def test_without_a_token_nothing_is_sent(zoho: FakeZoho, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ZOHO_ACCESS_TOKEN")
    for args in (("pull", BP_ID, "-o", str(tmp_path / "x.yaml")),
                 ("push", str(ROOT / "docs" / "examples" / "one-page.yaml"), *ON_LAYOUT,
                  *mapped(ROOT / "docs" / "examples" / "one-page.yaml", tmp_path))):
        r = cli("zoho", *args)
        assert r.code == 2 and "set ZOHO_ACCESS_TOKEN" in r.err, r
    assert zoho.seen == [] and not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize(("args", "message"), [
    (("pull",), "give a blueprint ID, or --all --module MODULE"),
    (("pull", "--all", "--module", "Deals"), "--all needs --module MODULE and -o FOLDER"),
    (("pull", "12", "--api-domain", "http://crm.example.com"), "the token would travel unencrypted"),
    (("push", str(ROOT / "docs" / "examples" / "one-page.yaml"), "--move-records"), "--move-records only means"),
    (("push", str(ROOT / "docs" / "examples" / "one-page.yaml"), "--id", BP_ID, *ON_LAYOUT),
     "--layout only means something when creating a blueprint"),
])
def test_usage_errors_send_nothing(zoho: FakeZoho, args: tuple[str, ...], message: str) -> None:
    r = cli("zoho", *args)
    assert r.code == 2 and message in r.err, r
    assert zoho.seen == []


def updated(kind: str) -> Callable[[Seen], tuple[int, Any, dict[str, str]]]:
    def answer(seen: Seen) -> tuple[int, Any, dict[str, str]]:
        return 200, {kind: [{"code": "SUCCESS", "details": {"id": item["id"]}, "message": f"{kind} updated",
                             "status": "success"} for item in seen.body[kind]]}, {}

    return answer


def edited_deal_desk(tmp_path: Path) -> Path:
    """The bundle's blueprint as imported, with a state and two transitions added and 'Nudge' gone."""
    r = cli("zoho", "import", str(DATA / "deals-bundle.json"), "--map", str(DEALS_MAP))
    assert r.code == 0, r
    text = r.out[:r.out.index("  - name: Nudge")]
    text = text.replace("  - {name: Negotiation}\n", "  - {name: Negotiation}\n  - {name: On hold}\n")
    text += ("  - {name: Pause, from: Negotiation, to: On hold}\n"
             "  - {name: Resume, from: On hold, to: Negotiation}\n")
    path = tmp_path / "deal-desk.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def serve_update(zoho: FakeZoho) -> None:
    serve_blueprint(zoho)
    zoho.route("PUT", f"{API}/{BP_ID}/states", updated("states"))
    zoho.route("POST", f"{API}/{BP_ID}/states", created("states", 9100))
    zoho.route("PUT", f"{API}/transitions", updated("transitions"))
    zoho.route("POST", f"{API}/transitions", created("transitions", 9200))
    zoho.route("PUT", f"{API}/{BP_ID}", connected(BP_ID))


def test_push_id_updates_the_blueprint_put_for_what_zoho_has_post_for_the_new(zoho: FakeZoho,
                                                                             tmp_path: Path) -> None:
    serve_update(zoho)
    path = edited_deal_desk(tmp_path)
    r = cli("zoho", "push", str(path), "--id", BP_ID, "--map", str(DEALS_MAP))
    assert r.code == 0, r
    sent = [s for s in zoho.seen if s.method != "GET"]
    assert [(s.method, s.path) for s in sent] == [
        ("PUT", f"{API}/{BP_ID}/states"), ("POST", f"{API}/{BP_ID}/states"),
        ("PUT", f"{API}/transitions"), ("POST", f"{API}/transitions"), ("PUT", f"{API}/transitions"),
        ("PUT", f"{API}/{BP_ID}")]
    ids = {s.get("name") or s["pick_list_value"]["actual_value"]: s["id"] for s in bundle()["states"]}
    put_states = sent[0].body["states"]
    assert [(s["pick_list_value"]["actual_value"], s["id"]) for s in put_states] == [
        (n, ids[n]) for n in ("Qualification", "Negotiation", "Proposal", "Closed Won", "Closed Lost")]
    assert all(s["process_id"] == BP_ID for s in put_states)
    assert sent[1].body == {"states": [{"api_name": "On_hold", "process_id": BP_ID, "module": {"api_name": "Deals"},
                                        "pick_list_value": {"actual_value": "On hold"}}]}
    tids = {t["name"]: t["id"] for t in bundle()["transitions"]}
    assert [(t["name"], t["id"]) for t in sent[2].body["transitions"]] == [
        (n, tids[n]) for n in ("Qualify", "Send proposal", "Sign-off", "Lose")]
    assert [t["name"] for t in sent[3].body["transitions"]] == ["Pause", "Resume"]
    assert "id" not in sent[3].body["transitions"][0]
    children = sent[4].body["transitions"]
    assert [(c["name"], c["id"], c["parent_transition"]) for c in children] == [
        ("Legal approval", tids["Legal approval"], {"id": tids["Sign-off"]}),
        ("Finance approval", tids["Finance approval"], {"id": tids["Sign-off"]})]
    connections = sent[5].body["blueprints"][0]["connections"]
    assert {"api_name": "Negotiation_Pause_On_hold", "from_state": {"api_name": "Negotiation"},
            "to_state": {"api_name": "On_hold"}, "transitions": {"api_name": "Pause", "name": "Pause"}} in connections
    assert not any(c["transitions"]["name"] == "Nudge" for c in connections)
    # a state Zoho has is named by Zoho's api_name, which the YAML does not know
    assert [s["api_name"] for s in put_states][-1] == "Lost_deal"
    assert {"api_name": "Lost_deal"} in [c["to_state"] for c in connections]
    assert {"api_name": "Closed_Lost"} not in [c["to_state"] for c in connections]
    assert not any(s.method == "POST" and s.path == API for s in zoho.seen)  # no new blueprint
    assert f"Updated Zoho CRM blueprint {BP_ID}" in r.out
    assert "11 states and transitions changed, 3 created, the connections replaced, in 6 requests" in r.out
    assert f"transition 'Nudge' ({tids['Nudge']})" in r.out and "left as they are" in r.out
    assert TOKEN not in r.out + r.err


def test_push_id_dry_run_reads_the_blueprint_and_prints_the_updates(zoho: FakeZoho, tmp_path: Path) -> None:
    serve_update(zoho)
    r = cli("--json", "zoho", "push", str(edited_deal_desk(tmp_path)), "--id", BP_ID, "--dry-run",
            "--map", str(DEALS_MAP))
    assert r.code == 0, r
    assert {s.method for s in zoho.seen} == {"GET"}
    out = json.loads(r.out)
    assert [(q["method"], q["url"]) for q in out["requests"]] == [
        ("PUT", f"{zoho.url}{API}/{BP_ID}/states"), ("POST", f"{zoho.url}{API}/{BP_ID}/states"),
        ("PUT", f"{zoho.url}{API}/transitions"), ("POST", f"{zoho.url}{API}/transitions"),
        ("PUT", f"{zoho.url}{API}/transitions"), ("PUT", f"{zoho.url}{API}/{BP_ID}")]
    # a new transition: its connection names the new state by api_name, no id needed
    assert out["requests"][3]["body"]["transitions"][0]["api_name"] == "Pause"
    assert {"api_name": "On_hold"} in [c["to_state"] for c in out["requests"][5]["body"]["blueprints"][0]["connections"]]
    assert out["left_in_zoho"] == [{"kind": "transition", "name": "Nudge", "id": bundle()["transitions"][-1]["id"]}]


def test_push_id_refused_names_what_was_updated(zoho: FakeZoho, tmp_path: Path) -> None:
    serve_update(zoho)
    zoho.route("POST", f"{API}/transitions", created("transitions", 9200, fail="Pause"))
    r = cli("zoho", "push", str(edited_deal_desk(tmp_path)), "--id", BP_ID, "--map", str(DEALS_MAP))
    assert r.code == 1, r
    assert "POST /crm/v8/settings/blueprints/transitions: Zoho refused transition 'Pause'" in r.err
    assert f"blueprint {BP_ID} was partly updated (4 requests sent" in r.err
    assert "Traceback" not in r.err


@pytest.mark.parametrize("bad", ["abc", "12 3"])
def test_push_id_must_be_digits(zoho: FakeZoho, bad: str) -> None:
    r = cli("zoho", "push", str(ROOT / "docs" / "examples" / "one-page.yaml"), "--id", bad)
    assert r.code == 2 and "is not a Zoho blueprint id" in r.err, r
    assert zoho.seen == []


def test_an_error_with_what_zoho_expected_says_so(zoho: FakeZoho, tmp_path: Path) -> None:
    """An error body as zoho/crm-oas v8.0/blueprint.json (API_Exception) gives its details."""
    serve_creation(zoho)
    zoho.route("POST", f"{API}/9001/states", lambda seen: (400, {
        "code": "INVALID_DATA", "message": "invalid data", "status": "error",
        "details": {"api_name": "value", "parent_api_name": "state_escalation", "expected_data_type": "integer",
                    "json_path": "$.states[0].state_escalation.value"}}, {}))
    page = ROOT / "docs" / "examples" / "one-page.yaml"
    r = cli("zoho", "push", str(page), *ON_LAYOUT, *mapped(page, tmp_path))
    assert r.code == 1, r
    assert ("Zoho answered 400: INVALID_DATA: invalid data (field value, in state_escalation, expected integer, "
            "at $.states[0].state_escalation.value)") in r.err
    assert "draft blueprint 9001 was created in Zoho" in r.err and "Traceback" not in r.err


def test_push_sends_the_layout_with_the_blueprint_from_the_map(zoho: FakeZoho, tmp_path: Path) -> None:
    serve_creation(zoho)
    zmap = DATA / "deals-map.yaml"  # its layouts: Deals: LAYOUT
    deals = tmp_path / "deals.yaml"
    assert cli("zoho", "import", str(DATA / "deals-bundle.json"), "--map", str(zmap), "-o", str(deals)).code == 0
    r = cli("zoho", "push", str(deals), "--map", str(zmap))
    assert r.code == 0, r
    (created_bp,) = zoho.seen[0].body["blueprints"]
    assert zoho.seen[0].path == API and created_bp["layout"] == {"id": LAYOUT}
    assert created_bp["module"] == {"api_name": "Deals"}


def test_push_without_a_layout_sends_nothing_and_says_how_to_give_one(zoho: FakeZoho, tmp_path: Path) -> None:
    serve_creation(zoho)
    page = ROOT / "docs" / "examples" / "one-page.yaml"
    r = cli("zoho", "push", str(page), *mapped(page, tmp_path))
    assert r.code == 2, r
    assert "one-page.yaml: no layout to create the blueprint on: Zoho's \"Create Blueprint\" asks for one; " \
           "nothing was sent" in r.err
    assert "give --layout LAYOUT_ID, or name it in the map: layouts: {Deals: {id: LAYOUT_ID}}" in r.err
    assert zoho.seen == [] and "Traceback" not in r.err


def test_dry_run_shows_the_layout_or_that_there_is_none(zoho: FakeZoho, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZOHO_ACCESS_TOKEN")
    page = str(ROOT / "docs" / "examples" / "one-page.yaml")
    r = cli("zoho", "push", page, "--dry-run", *ON_LAYOUT)
    assert r.code == 0 and f'"layout": {{\n        "id": "{LAYOUT}"\n      }}' in r.out, r
    assert "No layout" not in r.err
    r = cli("zoho", "push", page, "--dry-run")
    assert r.code == 0 and '"layout"' not in r.out, r
    assert "No layout: Zoho's \"Create Blueprint\" asks for the layout" in r.err and "push refuses without one" \
        in r.err
    assert zoho.seen == []


def test_push_refuses_a_field_the_map_lacks_and_sends_nothing(zoho: FakeZoho, tmp_path: Path) -> None:
    serve_creation(zoho)
    page = ROOT / "docs" / "examples" / "one-page.yaml"
    flag, full = mapped(page, tmp_path)
    text = Path(full).read_text(encoding="utf-8")
    assert "  'Reason': reason\n" in text
    partial = tmp_path / "partial.yaml"
    partial.write_text(text.replace("  'Reason': reason\n", ""), encoding="utf-8")
    for args in ((), ("--id", BP_ID)):
        r = cli("zoho", "push", str(page), "--map", str(partial), *(args or ON_LAYOUT))
        assert r.code == 2, r
        assert "one-page.yaml: the map gives no Zoho api_name for 1 field; nothing was sent:\n" \
               "  'reason' at $.transitions[2].require.fields[0]" in r.err
        assert "hint: add each to the map under fields, keyed by its Zoho id or, without one, by its api_name" in r.err
    assert zoho.seen == []
    r = cli("zoho", "push", str(page), flag, full, *ON_LAYOUT)  # named, it goes by Zoho's name
    assert r.code == 0, r
    inputs = [i for s in zoho.seen if s.path == f"{API}/transitions" for t in s.body["transitions"]
              for i in t.get("during_inputs", []) if i["type"] == "field"]
    assert {"api_name": "Reason"} in [i["field"] for i in inputs]

"""`pull` and `push`: a blueprint's definition from Zoho CRM, and one sent to it.

pull: `GET /settings/blueprints/{id}` ("Get a Specific Blueprint": the
blueprint with its connections, and its states and transitions in full or as
ids), the states it does not give in full (`GET …/{id}/states`, by `ids` when
it names them; "Get Blueprint States") and its transitions (by id, 50 to a
request; "Get Blueprint Transitions"), gathered as one bundle for the
importer; with `--all`, every blueprint of a module first (in pages).

push: the export's requests in order, each id Zoho gives filled into the
requests after it (`{blueprint_id}`, parent transitions named by name); the
blueprint stays a draft unless `activate` (then `POST …/{id}/actions/activate`
with `{"move_records": …}`, "Activate Blueprint"). An item Zoho refuses is
reported with the YAML path it came from; what was created before stays in
Zoho, as a draft, and is named.

push --id: an existing blueprint updated. Its states and transitions are
fetched as `pull` does and matched by name (a state by its picklist value, a
child transition by its name and its parent's); the export's requests become,
batch by batch, `PUT` of the matched items with their ids (`PUT …/{id}/states`,
`PUT …/transitions`, "Update Blueprint States/Transitions") and `POST` of the
new ones, as on creation, then the `PUT` of the blueprint's connections. The
blueprint's own request is not sent (its name, description and entry criteria
are left as they are in Zoho), and nothing is deleted: the states and
transitions Zoho has and the YAML lacks are named, to delete in Zoho by hand.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.zoho.client import IDS_PER_GET, Client, ZohoApiError, describe_error
from blueprint_cli.zoho.exporter import API, BLUEPRINT_ID, Exported
from blueprint_cli.zoho.names import json_path


def pull(client: Client, blueprint_id: str) -> dict[str, Any]:
    """One blueprint's definition: `{"blueprints": [...], "states": [...], "transitions": [...]}`."""
    if not blueprint_id.isdigit():
        from blueprint_cli.diagnostics import BlueprintError

        raise BlueprintError(f"{blueprint_id!r} is not a Zoho blueprint id (digits)",
                             hint="list them with: blueprint zoho pull --all --module MODULE")
    answer = client.call("GET", f"{API}/{blueprint_id}")
    blueprints = answer.get("blueprints") if isinstance(answer, dict) else None
    if not isinstance(blueprints, list) or len(blueprints) != 1 or not isinstance(blueprints[0], dict):
        raise ZohoApiError(f"GET {API}/{blueprint_id}: Zoho's answer holds no blueprint")
    bp = blueprints[0]
    states, state_ids = _given(bp.get("states"))
    if state_ids:
        for i in range(0, len(state_ids), IDS_PER_GET):
            got = client.call("GET", f"{API}/{blueprint_id}/states", {"ids": ",".join(state_ids[i:i + IDS_PER_GET])})
            states.extend(_listed(got, "states"))
    elif not states:
        states = _listed(client.call("GET", f"{API}/{blueprint_id}/states"), "states")
    transitions, ids = _given(bp.get("transitions"))
    for i in range(0, len(ids), IDS_PER_GET):
        got = client.call("GET", f"{API}/transitions", {"ids": ",".join(ids[i:i + IDS_PER_GET])})
        transitions.extend(_listed(got, "transitions"))
    return {"blueprints": [bp], "states": states, "transitions": transitions}


def _given(found: Any) -> tuple[list[Any], list[str]]:
    """A blueprint's states or transitions: those given in full, and the ids of those given by id only."""
    refs: list[Any] = found if isinstance(found, list) else []
    full = [x for x in refs if isinstance(x, dict) and set(x) - {"id"}]
    ids = [str(x["id"]) for x in refs if isinstance(x, dict) and x.get("id") is not None and not set(x) - {"id"}]
    return full, ids


def _listed(answer: Any, key: str) -> list[Any]:
    items = answer.get(key) if isinstance(answer, dict) else None
    return items if isinstance(items, list) else []


def activation(blueprint_id: str, move_records: bool) -> tuple[str, dict[str, Any]]:
    """The request that activates a blueprint ("Activate Blueprint": `move_records` is its input)."""
    return f"{API}/{blueprint_id}/actions/activate", {"move_records": move_records}


def state_name(state: Any) -> str | None:
    """A state's name as Zoho gives it, or the picklist value a state body stands for."""
    if not isinstance(state, dict):
        return None
    if state.get("name") is not None:
        return str(state["name"])
    value = state.get("pick_list_value")
    return str(value["actual_value"]) if isinstance(value, dict) and value.get("actual_value") is not None else None


def list_ids(client: Client, module: str) -> list[tuple[str, str]]:
    """(id, name) of every blueprint of a module."""
    out = []
    for bp in client.pages(API, "blueprints", {"module": module}):
        if isinstance(bp, dict) and bp.get("id") is not None:
            out.append((str(bp["id"]), str(bp.get("name") or bp["id"])))
    return out


@dataclass
class Pushed:
    blueprint_id: str | None = None
    requests: int = 0
    activated: bool = False
    ids: dict[str, str] = field(default_factory=dict)
    #: push --id: the blueprint was there before; how many requests were sent to it
    updating: bool = False


class PushFailed(ZohoApiError):
    def __init__(self, message: str, pushed: Pushed) -> None:
        if pushed.updating:
            made = (f"; blueprint {pushed.blueprint_id} was partly updated ({pushed.requests} requests sent, "
                    "Zoho applied what it did not refuse): push again once the cause is fixed" if pushed.requests
                    else f"; blueprint {pushed.blueprint_id} was not changed")
        else:
            made = (f"; draft blueprint {pushed.blueprint_id} was created in Zoho and is incomplete: delete it "
                    "in Zoho (Setup > Process Management > Blueprint) before pushing again"
                    if pushed.blueprint_id else "; nothing was created in Zoho")
        super().__init__(message + made)
        self.pushed = pushed


@dataclass
class Update:
    """push --id: the requests that bring blueprint `blueprint_id` in line with the YAML."""

    blueprint_id: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    origins: list[list[JsonPath]] = field(default_factory=list)
    #: name → Zoho id of what Zoho has already
    states: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    #: what Zoho has and the YAML lacks: ("state" | "transition", name, id), left in Zoho
    left: list[tuple[str, str, str]] = field(default_factory=list)


def plan_update(client: Client, exported: Exported, blueprint_id: str) -> Update:
    """The PUT and POST requests that update blueprint `blueprint_id` (fetched first, as `pull` does)."""
    current = pull(client, blueprint_id)
    plan = Update(blueprint_id)
    plan.states = {name: str(s["id"]) for s in current["states"]
                   if (name := state_name(s)) is not None and s.get("id") is not None}
    #: the api_name Zoho has for a state or transition, by its id: the connections must name that one
    api = {str(x["id"]): str(x["api_name"]) for x in current["states"] + current["transitions"]
           if isinstance(x, dict) and x.get("id") is not None and isinstance(x.get("api_name"), str)}
    renamed: dict[tuple[str, str], str] = {}
    known = [t for t in current["transitions"] if isinstance(t, dict) and t.get("id") is not None]
    by_id = {str(t["id"]): str(t.get("name")) for t in known}
    transitions: dict[tuple[str | None, str], str] = {}
    for t in known:
        parent = t.get("parent_transition")
        parent_name = by_id.get(str(parent.get("id"))) if isinstance(parent, dict) else None
        transitions[(parent_name, str(t.get("name")))] = str(t["id"])
        if t.get("transition_type") == "parallel_transition":
            plan.parents[str(t.get("name"))] = str(t["id"])
    matched_states: set[str] = set()
    matched_transitions: set[tuple[str | None, str]] = set()
    for request, origins in zip(exported.requests, exported.origins):
        (key, items), = request["body"].items()
        path = request["path"].replace(BLUEPRINT_ID, blueprint_id)
        if key == "blueprints":
            if request["method"] == "PUT":  # the connections: they replace Zoho's
                plan.requests.append({**request, "path": path, "body": _renamed(request["body"], renamed)})
                plan.origins.append(origins)
            continue
        put: list[tuple[dict[str, Any], JsonPath]] = []
        post: list[tuple[dict[str, Any], JsonPath]] = []
        for item, origin in zip(items, origins):
            if key == "states":
                name = state_name(item) or ""
                zid = plan.states.get(name)
                matched_states.add(name)
            else:
                parent = item.get("parent_transition")
                at = (parent.get("name") if isinstance(parent, dict) else None, item["name"])
                zid = transitions.get(at)
                matched_transitions.add(at)
            if zid and zid in api and item.get("api_name") not in (None, api[zid]):
                renamed[(key, item["api_name"])] = api[zid]
                item = {**item, "api_name": api[zid]}
            (put if zid else post).append(({"id": zid, **item} if zid else item, origin))
        for method, group in (("PUT", put), ("POST", post)):
            if group:
                plan.requests.append({"method": method, "path": path, "body": {key: [b for b, _ in group]}})
                plan.origins.append([o for _, o in group])
    plan.left = [("state", name, zid) for name, zid in plan.states.items() if name not in matched_states]
    plan.left += [("transition", name if parent is None else f"{parent} > {name}", zid)
                  for (parent, name), zid in transitions.items() if (parent, name) not in matched_transitions]
    return plan


def _renamed(body: dict[str, Any], renamed: dict[tuple[str, str], str]) -> dict[str, Any]:
    """The connections' body naming the states and transitions Zoho has by Zoho's api_names."""
    out = copy.deepcopy(body)
    for connection in out["blueprints"][0].get("connections", []):
        for key, kind in (("from_state", "states"), ("to_state", "states"), ("transitions", "transitions")):
            ref = connection.get(key)
            if isinstance(ref, dict) and (kind, ref.get("api_name")) in renamed:
                ref["api_name"] = renamed[(kind, ref["api_name"])]
    return out


def filled_requests(plan: Update) -> list[dict[str, Any]]:
    """The update's requests with the ids Zoho has already in place of names (for --dry-run)."""
    return [{**r, "body": _filled(copy.deepcopy(r["body"]), plan.blueprint_id, plan.parents)} for r in plan.requests]


def push(client: Client, exported: Exported, *, activate: bool = False, move_records: bool = False,
         update: Update | None = None) -> Pushed:
    pushed = Pushed()
    parents: dict[str, str] = {}
    requests, all_origins = exported.requests, exported.origins
    if update is not None:
        pushed.blueprint_id, pushed.updating = update.blueprint_id, True
        parents = dict(update.parents)
        requests, all_origins = update.requests, update.origins
    try:
        for request, origins in zip(requests, all_origins):
            body = _filled(copy.deepcopy(request["body"]), pushed.blueprint_id, parents)
            path = request["path"].replace(BLUEPRINT_ID, pushed.blueprint_id or BLUEPRINT_ID)
            (key, items), = body.items()
            answer = client.call(request["method"], path, body=body)
            pushed.requests += 1
            results = answer.get(key) if isinstance(answer, dict) else None
            if not isinstance(results, list) or len(results) != len(items):
                raise PushFailed(f"{request['method']} {path}: Zoho's answer does not list the {len(items)} {key} sent", pushed)
            for item, result, origin in zip(items, results, origins):
                zid = _created(result, key, item, origin, f"{request['method']} {path}", pushed)
                if key == "blueprints":
                    pushed.blueprint_id = pushed.blueprint_id or zid
                elif item.get("transition_type") == "parallel_transition":
                    parents[item["name"]] = zid
                pushed.ids[json_path(origin) if origin else "$"] = zid
        if activate and pushed.blueprint_id:
            path, body = activation(pushed.blueprint_id, move_records)
            client.call("POST", path, body=body)
            pushed.requests += 1
            pushed.activated = True
    except PushFailed:
        raise
    except ZohoApiError as exc:
        raise PushFailed(exc.message, pushed) from None
    return pushed


def _created(result: Any, key: str, item: dict[str, Any], origin: JsonPath, request: str, pushed: Pushed) -> str:
    if isinstance(result, dict) and result.get("status") == "success":
        details = result.get("details")
        if isinstance(details, dict) and details.get("id") is not None:
            return str(details["id"])
        if item.get("id") is not None:  # an update: the id was Zoho's already
            return str(item["id"])
    what = f"{key[:-1]} {item.get('name')!r}" if item.get("name") else key[:-1]
    raise PushFailed(f"{request}: Zoho refused {what} ({json_path(origin)} in the YAML): "
                     f"{describe_error(result)}", pushed)


def _filled(body: Any, blueprint_id: str | None, parents: dict[str, str]) -> Any:
    """A request body with the ids Zoho gave so far in place of names."""
    if isinstance(body, list):
        return [_filled(v, blueprint_id, parents) for v in body]
    if not isinstance(body, dict):
        return blueprint_id if body == BLUEPRINT_ID and blueprint_id else body
    out = {}
    for key, value in body.items():
        if key == "parent_transition" and isinstance(value, dict) and value.get("name") in parents:
            out[key] = {"id": parents[value["name"]]}
        else:
            out[key] = _filled(value, blueprint_id, parents)
    return out

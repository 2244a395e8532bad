"""`pull` and `push`: a blueprint's definition from Zoho CRM, and one sent to it.

pull: `GET /settings/blueprints/{id}`, its states (in pages) and its
transitions (by id, 50 to a request), gathered as one bundle for the importer;
with `--all`, every blueprint of a module first (in pages).

push: the export's requests in order, each id Zoho gives filled into the
requests after it (`{blueprint_id}`, states and parent transitions named by
name); the blueprint stays a draft unless `activate` (then
`POST …/{id}/actions/activate` with `move_records`). An item Zoho refuses is
reported with the YAML path it came from; what was created before stays in
Zoho, as a draft, and is named.
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
    states = client.pages(f"{API}/{blueprint_id}/states", "states")
    found = bp.get("transitions")
    refs: list[Any] = found if isinstance(found, list) else []
    ids = [str(t["id"]) for t in refs if isinstance(t, dict) and t.get("id") is not None and "name" not in t]
    transitions = [t for t in refs if isinstance(t, dict) and "name" in t]
    for i in range(0, len(ids), IDS_PER_GET):
        got = client.call("GET", f"{API}/transitions", {"ids": ",".join(ids[i:i + IDS_PER_GET])})
        more = got.get("transitions") if isinstance(got, dict) else None
        transitions.extend(more if isinstance(more, list) else [])
    return {"blueprints": [bp], "states": states, "transitions": transitions}


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


class PushFailed(ZohoApiError):
    def __init__(self, message: str, pushed: Pushed) -> None:
        made = (f"; draft blueprint {pushed.blueprint_id} was created in Zoho and is incomplete: delete it "
                "in Zoho (Setup > Process Management > Blueprint) before pushing again"
                if pushed.blueprint_id else "; nothing was created in Zoho")
        super().__init__(message + made)
        self.pushed = pushed


def push(client: Client, exported: Exported, *, activate: bool = False, move_records: bool = False) -> Pushed:
    pushed = Pushed()
    states: dict[str, str] = {}
    parents: dict[str, str] = {}
    try:
        for request, origins in zip(exported.requests, exported.origins):
            body = _filled(copy.deepcopy(request["body"]), pushed.blueprint_id, states, parents)
            path = request["path"].replace(BLUEPRINT_ID, pushed.blueprint_id or BLUEPRINT_ID)
            (key, items), = body.items()
            answer = client.call(request["method"], path, body=body)
            pushed.requests += 1
            results = answer.get(key) if isinstance(answer, dict) else None
            if not isinstance(results, list) or len(results) != len(items):
                raise PushFailed(f"POST {path}: Zoho's answer does not list the {len(items)} {key} sent", pushed)
            for item, result, origin in zip(items, results, origins):
                zid = _created(result, key, item, origin, path, pushed)
                if key == "blueprints":
                    pushed.blueprint_id = zid
                elif key == "states":
                    states[item["name"]] = zid
                elif item.get("transition_type") == "parallel_transition":
                    parents[item["name"]] = zid
                pushed.ids[json_path(origin) if origin else "$"] = zid
        if activate and pushed.blueprint_id:
            client.call("POST", f"{API}/{pushed.blueprint_id}/actions/activate",
                        body={"blueprints": [{"move_records": move_records}]})
            pushed.requests += 1
            pushed.activated = True
    except PushFailed:
        raise
    except ZohoApiError as exc:
        raise PushFailed(exc.message, pushed) from None
    return pushed


def _created(result: Any, key: str, item: dict[str, Any], origin: JsonPath, path: str, pushed: Pushed) -> str:
    if isinstance(result, dict) and result.get("status") == "success" and isinstance(result.get("details"), dict) \
            and result["details"].get("id") is not None:
        return str(result["details"]["id"])
    what = f"{key[:-1]} {item.get('name')!r}" if item.get("name") else key[:-1]
    raise PushFailed(f"POST {path}: Zoho refused {what} ({json_path(origin)} in the YAML): "
                     f"{describe_error(result)}", pushed)


def _filled(body: Any, blueprint_id: str | None, states: dict[str, str], parents: dict[str, str]) -> Any:
    """A request body with the ids Zoho gave so far in place of names."""
    if isinstance(body, list):
        return [_filled(v, blueprint_id, states, parents) for v in body]
    if not isinstance(body, dict):
        return blueprint_id if body == BLUEPRINT_ID and blueprint_id else body
    out = {}
    for key, value in body.items():
        if key in ("current_states", "next_state") and value is not None:
            refs = value if isinstance(value, list) else [value]
            done = [{"id": states[r["name"]]} if r.get("name") in states else r for r in refs]
            out[key] = done if isinstance(value, list) else done[0]
        elif key == "parent_transition" and isinstance(value, dict) and value.get("name") in parents:
            out[key] = {"id": parents[value["name"]]}
        else:
            out[key] = _filled(value, blueprint_id, states, parents)
    return out

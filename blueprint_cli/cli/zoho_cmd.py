"""`blueprint zoho import|export|map init|pull|push`: Zoho CRM blueprints in and out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from blueprint_cli.cli.context import options, print_json

if TYPE_CHECKING:
    from blueprint_cli.zoho.exporter import Exported
    from blueprint_cli.zoho.importer import Imported
    from blueprint_cli.zoho.names import ZohoMap

zoho_app = typer.Typer(
    help="Zoho CRM: bring a blueprint from Zoho's JSON into YAML, and send one back (files or HTTPS).",
    no_args_is_help=True,
)
map_app = typer.Typer(help="The map of Zoho ids (users, roles, profiles, fields) to the names the YAML uses.",
                      no_args_is_help=True)

MAP_HELP = ("Zoho ids ↔ names (users, roles, profiles; fields with Zoho's api_name and id) and the layout of "
            "each module; write one with `blueprint zoho map init`.")
LAYOUT_HELP = ("The Zoho id of the layout the blueprint is built on (\"Create Blueprint\" asks for it); "
               "default: the map's layouts entry for the module.")
#: what to do when no layout is known: one wording for export, push --dry-run and push
NO_LAYOUT_HINT = ("give --layout LAYOUT_ID, or name it in the map: layouts: {{{module}: {{id: LAYOUT_ID}}}} "
                  "(`blueprint zoho map init` writes it from a blueprint pulled from Zoho; Zoho lists a module's "
                  "layouts with GET /crm/v8/settings/layouts?module={module})")


def _map(path: Path | None) -> ZohoMap | None:
    from blueprint_cli.zoho.names import ZohoMap

    return ZohoMap.read(path) if path is not None else None


def import_(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., metavar="FILE.json...",
                                       help="The GET responses of one blueprint (the blueprint, its states, its "
                                            "transitions), separate or in one bundle; or an export file."),
    map_file: Optional[Path] = typer.Option(None, "--map", metavar="MAP.yaml", help=MAP_HELP),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="OUT.yaml",
                                          help="Write the YAML here (default: standard output)."),
) -> None:
    """Turn a Zoho CRM blueprint (v8 JSON) into blueprint YAML.

    Every piece with no equivalent (widgets, Deluge functions, Kiosk, layouts…)
    is listed, with its file and JSON path, and written as a comment at the top
    of the YAML. Without --map, ids stay ids and are listed. Exit 0; 1 when the
    JSON is not what Zoho sends (nothing written) or the YAML has lint errors."""
    from blueprint_cli.zoho import importer, source

    zmap = _map(map_file)
    _emit(ctx, importer.convert(source.read(files), zmap), output)


def _lint(text: str, name: str) -> list[dict[str, Any]]:
    from blueprint_cli.check import lint_text

    _bp, diags = lint_text(text, name)
    return [d.to_dict() for d in diags]


def _emit(ctx: typer.Context, imported: Imported, output: Path | None) -> None:
    """An imported blueprint: its YAML to `output` (or standard output), what it
    left out and its lint findings reported; exit 1 when the YAML has lint errors."""
    text = imported.text()
    findings = _lint(text, str(output) if output else "<stdout>")
    if output is not None:
        from blueprint_cli.cli.output import write_output

        write_output(output, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    _report_import(ctx, imported, output, findings, to_stderr=output is None)
    if any(d["severity"] == "error" for d in findings):
        raise typer.Exit(1)


def _report_import(ctx: typer.Context, imported: Imported, output: Path | None, findings: list[dict[str, Any]],
                   to_stderr: bool) -> None:
    opts = options(ctx)
    data = imported.data
    unmapped = [{"kind": u.kind, "id": u.id, "where": u.where} for u in imported.unmapped]
    if opts.json:
        import json

        layout = imported.names.layout if imported.names is not None else None
        report = {"output": str(output) if output else None, "blueprint": data["blueprint"],
                  "layout": {"id": layout.id, "name": layout.name} if layout is not None else None,
                  "states": len(data["states"]), "transitions": len(data["transitions"]),
                  "not_imported": [n.to_dict() for n in imported.notes], "unmapped": unmapped,
                  "fields_not_in_map": [{"api_name": u.id, "where": u.where} for u in imported.unmapped_fields],
                  "findings": findings}
        (sys.stderr if to_stderr else sys.stdout).write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        return
    out = sys.stderr if to_stderr else sys.stdout
    where = f" → {output}" if output else ""
    out.write(f"Imported {data.get('title', data['blueprint'])!r} from Zoho CRM: {len(data['states'])} states, "
              f"{len(data['transitions'])} transitions{where}\n")
    if imported.notes:
        out.write(f"Not imported (no equivalent), {len(imported.notes)}; listed at the top of the YAML too:\n")
        for n in imported.notes:
            out.write(f"  {n.where}: {n.what}\n")
    distinct = list(dict.fromkeys((u.kind, u.id) for u in imported.unmapped))
    if distinct:
        out.write(f"Zoho ids kept as ids, {len(distinct)}: name them in a map (blueprint zoho map init "
                  "FILES -o MAP.yaml) and import with --map MAP.yaml:\n")
        for kind, zid in distinct:
            out.write(f"  {kind} {zid}\n")
    if imported.unmapped_fields:
        out.write(f"Fields the map lacks, {len(imported.unmapped_fields)}: named after their api_name here; add "
                  "them to the map (under fields, by Zoho id or api_name) so that export names them back:\n")
        for u in imported.unmapped_fields:
            out.write(f"  {u.id} (first at {u.where})\n")
    for d in findings:
        out.write(f"{d['file']}:{d['line']}:{d['col']}: {d['severity']} {d['code']} {d['message']} ({d['path']})\n")


def map_init(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., metavar="FILE.json...", help="The Zoho JSON of a blueprint (as for "
                                       "import)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="MAP.yaml",
                                          help="Write the map here (default: standard output)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing map file."),
) -> None:
    """Write a map skeleton: every user, role, profile and field id the JSON names."""
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.zoho import importer, source
    from blueprint_cli.zoho.names import skeleton

    if output is not None and output.exists() and not force:
        raise BlueprintError(f"{output} exists; it may hold names you wrote", hint="give --force to replace it, "
                             "or another file name", exit_code=1)
    imported = importer.convert(source.read(files))
    assert imported.names is not None
    text = skeleton(imported.names)
    if output is None:
        sys.stdout.write(text)
        return
    from blueprint_cli.cli.output import write_output

    write_output(output, text.encode("utf-8"))
    count = len({(u.kind, u.id) for u in imported.unmapped})
    if options(ctx).json:
        print_json({"output": str(output), "owners": count, "fields": len(imported.names.field_ids)})
    else:
        sys.stdout.write(f"Wrote {output}: {count} user, role and profile ids to name, "
                         f"{len(imported.names.field_ids)} fields\n")


def export(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE.yaml", help="The blueprint to export (it must lint without errors)."),
    map_file: Optional[Path] = typer.Option(None, "--map", metavar="MAP.yaml", help=MAP_HELP),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="OUT.json",
                                          help="Write the requests here (default: standard output)."),
    layout: Optional[str] = typer.Option(None, "--layout", metavar="LAYOUT_ID", help=LAYOUT_HELP),
) -> None:
    """Turn a blueprint into the JSON bodies of Zoho CRM's v8 create endpoints.

    The requests come in the order they must be sent (the blueprint, its
    states, its transitions; at most 50 per request); `push` sends them. What
    Zoho lacks (tags, `not` criteria without a negated comparator, regular
    expressions…) is reported and kept in the file; a `not` over one `eq`,
    `in`, `contains` or `empty` goes as the negated comparator (`not_equal`…).
    `blueprint zoho import OUT.json` gives the blueprint back. Without a
    layout (--layout or the map) the blueprint is sent without one, and this is
    reported. Each field goes by the api_name (and id) the map gives it; a
    field the map lacks is written under its YAML name and listed with its
    YAML paths (push refuses it). Exit 0; 1 when the blueprint has errors or
    the map lacks a user, role or profile (nothing written)."""
    import json

    exported = _export(file, map_file, layout)
    text = json.dumps(exported.to_json(), indent=2, ensure_ascii=False) + "\n"
    if output is not None:
        from blueprint_cli.cli.output import write_output

        write_output(output, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    _report_export(ctx, exported, output, mapped=map_file is not None, to_stderr=output is None)


def _export(file: Path, map_file: Path | None, layout: str | None) -> Exported:
    from blueprint_cli.check import load_blueprint
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.language.loader import load_file
    from blueprint_cli.zoho import exporter
    from blueprint_cli.zoho.names import layout_id

    if layout is not None and not layout_id(layout):
        raise BlueprintError(f"--layout {layout!r} is not a Zoho layout id (digits)",
                             hint="Zoho lists a module's layouts with GET /crm/v8/settings/layouts?module=MODULE")
    zmap = _map(map_file)
    bp = load_blueprint(file)
    doc, _diags = load_file(file)
    assert doc is not None  # it linted
    return exporter.export(bp, doc.data, zmap, layout)


NO_FIELD_HINT = ("add each to the map under fields, keyed by its Zoho id or, without one, by its api_name: "
                 "fields: {{\"4150868000000002565\": {{name: close_on, api_name: Closing_Date}}, "
                 "Last_Name: {{name: last_name}}}} (`blueprint zoho map init` writes them from a blueprint pulled "
                 "from Zoho; Zoho lists a module's fields with GET /crm/v8/settings/fields?module={module})")


def _gaps(exported: Exported) -> list[str]:
    """The fields Zoho would not know, one line each: the field and its YAML paths."""
    from blueprint_cli.zoho.names import json_path

    paths: dict[str, list[str]] = {}
    for m in exported.gaps:
        paths.setdefault(m.name, []).append(json_path(m.path))
    return [f"{name!r} at {', '.join(at)}" for name, at in paths.items()]


def _refuse_gaps(file: Path, exported: Exported) -> None:
    """Push sends no field under a name the map does not give: refused, nothing sent."""
    from blueprint_cli.diagnostics import BlueprintError

    if exported.gaps:
        lines = _gaps(exported)
        raise BlueprintError(f"{file}: the map gives no Zoho api_name for {len(lines)} field"
                             f"{'s' if len(lines) != 1 else ''}; nothing was sent:\n  " + "\n  ".join(lines),
                             hint=NO_FIELD_HINT.format(module=exported.blueprint.module))


def _no_layout(exported: Exported) -> str:
    """What export and `push --dry-run` say when no layout is known (push refuses)."""
    return (f"No layout: Zoho's \"Create Blueprint\" asks for the layout the blueprint is built on, and push "
            f"refuses without one; {NO_LAYOUT_HINT.format(module=exported.blueprint.module)}.")


def _report_export(ctx: typer.Context, exported: Exported, output: Path | None, *, mapped: bool,
                   to_stderr: bool, report_layout: bool = True) -> None:
    import json

    from blueprint_cli.zoho.names import json_path

    out = sys.stderr if to_stderr else sys.stdout
    bp = exported.blueprint
    plain = [{"at": json_path(p), "template": t} for p, t in exported.plain]
    if options(ctx).json:
        layout = exported.layout
        out.write(json.dumps({"output": str(output) if output else None, "blueprint": bp.id,
                              "layout": {"id": layout.id, "name": layout.name} if layout else None,
                              "requests": len(exported.requests),
                              "not_sent": [{k: v for k, v in piece.items() if k != "path"}
                                           for piece in exported.not_sent],
                              "sent_as_written": plain, "mapped": mapped,
                              "fields_not_mapped": [{"field": m.name, "at": json_path(m.path)} for m in exported.gaps]},
                             indent=2, ensure_ascii=False) + "\n")
        return
    where = f" → {output}" if output else ""
    out.write(f"Exported {bp.display_name!r} for Zoho CRM: 1 blueprint, {len(bp.states)} states, "
              f"{len(bp.transitions) + sum(len(t.parallel) for t in bp.transitions)} transitions in "
              f"{len(exported.requests)} requests{where}\n")
    if exported.not_sent:
        out.write(f"Not sent to Zoho (it has no equivalent), {len(exported.not_sent)}; kept in the export file, "
                  "so importing it gives them back:\n")
        for piece in exported.not_sent:
            out.write(f"  {piece['at']}: {piece['reason']}\n")
    if plain:
        out.write("Sent as written (Zoho has no merge field for them):\n")
        for p in plain:
            out.write(f"  {p['at']}: {p['template']}\n")
    if not mapped:
        out.write("No map: names stand where Zoho wants ids (users, roles, profiles, fields); give --map MAP.yaml "
                  "before pushing.\n")
    if exported.gaps:
        out.write(f"Fields the map gives no Zoho api_name for, {len(_gaps(exported))}: written under their YAML name, "
                  "which Zoho does not know; push refuses them:\n")
        for line in _gaps(exported):
            out.write(f"  {line}\n")
        out.write(f"hint: {NO_FIELD_HINT.format(module=exported.blueprint.module)}\n")
    if exported.layout is None and report_layout:
        out.write(_no_layout(exported) + "\n")


DOMAIN_HELP = ("Zoho's API domain: com, eu, in, com.au, jp, ca, com.cn, sa, a host, or https://HOST "
               "(also ZOHO_API_DOMAIN).")


def _client(domain: str) -> Any:
    import os

    from blueprint_cli.zoho.client import Client, api_base, token_from

    base = api_base(domain)
    return Client(base, token_from(dict(os.environ)))


def pull(
    ctx: typer.Context,
    blueprint_id: Optional[str] = typer.Argument(None, metavar="[ID]", help="The Zoho id of the blueprint."),
    all_: bool = typer.Option(False, "--all", help="Every blueprint of --module, into the folder -o names."),
    module: Optional[str] = typer.Option(None, "--module", metavar="MODULE", help="With --all: the module (Deals)."),
    map_file: Optional[Path] = typer.Option(None, "--map", metavar="MAP.yaml", help=MAP_HELP),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="OUT.yaml|FOLDER",
                                          help="Where to write (one blueprint: default standard output; --all: "
                                               "a folder, made if missing)."),
    api_domain: str = typer.Option("com", "--api-domain", envvar="ZOHO_API_DOMAIN", help=DOMAIN_HELP),
) -> None:
    """Fetch a blueprint from Zoho CRM over HTTPS and write it as YAML (as `import` does).

    The OAuth access token is read from ZOHO_ACCESS_TOKEN, never from a file or
    an argument. Exit 0; 1 when Zoho refuses or the YAML has lint errors; 2 on
    usage errors."""
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.zoho import importer, remote, source

    if all_ == (blueprint_id is not None):
        raise BlueprintError("give a blueprint ID, or --all --module MODULE", hint="e.g. blueprint zoho pull --all "
                             "--module Deals -o blueprints/")
    if all_ and (module is None or output is None):
        raise BlueprintError("--all needs --module MODULE and -o FOLDER")
    zmap = _map(map_file)
    client = _client(api_domain)
    if blueprint_id is not None:
        data = remote.pull(client, blueprint_id)
        _emit(ctx, importer.convert(source.collect([(f"zoho:{blueprint_id}", data)]), zmap), output)
        return
    assert module is not None and output is not None
    if output.exists() and not output.is_dir():
        raise BlueprintError(f"{output} is a file; --all writes one file per blueprint into a folder")
    pulled = []  # every blueprint fetched and converted before anything is written
    for zid, _name in remote.list_ids(client, module):
        imported = importer.convert(source.collect([(f"zoho:{zid}", remote.pull(client, zid))]), zmap)
        pulled.append((zid, imported))
    output.mkdir(parents=True, exist_ok=True)
    from blueprint_cli.cli.output import write_output

    taken: set[str] = set()
    report: list[dict[str, Any]] = []
    errors = False
    for zid, imported in pulled:
        stem = imported.data["blueprint"]
        n = 2
        while stem in taken:
            stem, n = f"{imported.data['blueprint']}-{n}", n + 1
        taken.add(stem)
        target = output / f"{stem}.yaml"
        text = imported.text()
        findings = _lint(text, str(target))
        errors = errors or any(d["severity"] == "error" for d in findings)
        write_output(target, text.encode("utf-8"))
        report.append({"id": zid, "output": str(target), "not_imported": [x.to_dict() for x in imported.notes],
                       "unmapped": len({(u.kind, u.id) for u in imported.unmapped}),
                       "fields_not_in_map": [u.id for u in imported.unmapped_fields], "findings": findings})
    if options(ctx).json:
        print_json({"module": module, "blueprints": report})
    else:
        sys.stdout.write(f"Pulled {len(report)} blueprint{'s' if len(report) != 1 else ''} of {module} into "
                         f"{output}\n")
        for r in report:
            sys.stdout.write(f"  {r['id']} → {r['output']}: {len(r['not_imported'])} not imported (listed at the "
                             f"top of the file), {r['unmapped']} ids kept as ids"
                             + (f", fields the map lacks: {', '.join(r['fields_not_in_map'])}"
                                if r["fields_not_in_map"] else "") + "\n")
            for d in r["findings"]:
                sys.stdout.write(f"    {d['severity']} {d['code']} {d['message']} ({d['path']})\n")
    if errors:
        raise typer.Exit(1)


def push(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE.yaml", help="The blueprint to send (it must lint without errors)."),
    map_file: Optional[Path] = typer.Option(None, "--map", metavar="MAP.yaml", help=MAP_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the requests; send nothing (no token needed)."),
    activate: bool = typer.Option(False, "--activate", help="Activate the blueprint once created (else it stays "
                                  "a draft)."),
    move_records: bool = typer.Option(False, "--move-records", help="With --activate: records already in an older "
                                      "version move to this one (else they keep their last state and leave it)."),
    api_domain: str = typer.Option("com", "--api-domain", envvar="ZOHO_API_DOMAIN", help=DOMAIN_HELP),
    update_id: Optional[str] = typer.Option(None, "--id", metavar="BLUEPRINT_ID",
                                            help="Update this existing Zoho blueprint instead of creating one: its "
                                                 "states and transitions are matched by name, changed with PUT, "
                                                 "new ones created; nothing is deleted."),
    layout: Optional[str] = typer.Option(None, "--layout", metavar="LAYOUT_ID", help=LAYOUT_HELP),
) -> None:
    """Create the blueprint in Zoho CRM over HTTPS, as a draft; or update one (--id).

    Sends the requests `export` writes, in order, filling in the ids Zoho
    gives. With --id, fetches that blueprint first and sends PUT for the states
    and transitions it has (matched by name) and POST for the new ones; the
    ones the YAML lacks are named, not deleted. Never activates without
    --activate. Creating needs the layout the blueprint is built on (--layout,
    or the map's layouts); creating or updating, a Zoho api_name in the map
    for each field the YAML uses. Without them nothing is sent. The OAuth access token
    is read from ZOHO_ACCESS_TOKEN only (--dry-run with --id needs it too, to
    read the blueprint). Exit 0; 1 when Zoho refuses (what was already created
    or updated is named); 2 on usage errors (nothing sent)."""
    import json

    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.zoho import remote
    from blueprint_cli.zoho.client import api_base
    from blueprint_cli.zoho.exporter import BLUEPRINT_ID

    if move_records and not activate:
        raise BlueprintError("--move-records only means something with --activate")
    if layout is not None and update_id is not None:
        raise BlueprintError("--layout only means something when creating a blueprint: with --id, the blueprint "
                             "stays on the layout it has in Zoho")
    if update_id is not None and not update_id.isdigit():
        raise BlueprintError(f"--id {update_id!r} is not a Zoho blueprint id (digits)",
                             hint="list them with: blueprint zoho pull --all --module MODULE -o FOLDER")
    base = api_base(api_domain)
    exported = _export(file, map_file, layout)
    if exported.layout is None and update_id is None and not dry_run:
        raise BlueprintError(f"{file}: no layout to create the blueprint on: Zoho's \"Create Blueprint\" asks for "
                             "one; nothing was sent", hint=NO_LAYOUT_HINT.format(module=exported.blueprint.module))
    if not dry_run:
        _refuse_gaps(file, exported)
    opts = options(ctx)
    if update_id is not None:
        _push_update(ctx, exported, update_id, api_domain, base, dry_run=dry_run, activate=activate,
                     move_records=move_records, mapped=map_file is not None)
        return
    if dry_run:
        if opts.json:
            print_json({"requests": [{**r, "url": base + r["path"]} for r in exported.requests],
                        "activate": {"move_records": move_records} if activate else None})
        else:
            for r in exported.requests:
                sys.stdout.write(f"{r['method']} {base}{r['path']}\n{json.dumps(r['body'], indent=2, ensure_ascii=False)}\n")
            if activate:
                path, body = remote.activation(BLUEPRINT_ID, move_records)
                sys.stdout.write(f"POST {base}{path}\n{json.dumps(body, indent=2)}\n")
        _report_export(ctx, exported, None, mapped=map_file is not None, to_stderr=True)
        return
    client = _client(api_domain)
    pushed = remote.push(client, exported, activate=activate, move_records=move_records)
    bp = exported.blueprint
    if opts.json:
        print_json({"blueprint": bp.id, "id": pushed.blueprint_id, "requests": pushed.requests,
                    "activated": pushed.activated, "move_records": move_records if activate else None,
                    "ids": pushed.ids, "not_sent": [{k: v for k, v in piece.items() if k != "path"}
                                                    for piece in exported.not_sent]})
        return
    transitions = len(bp.transitions) + sum(len(t.parallel) for t in bp.transitions)
    sys.stdout.write(f"Pushed {bp.display_name!r} to Zoho CRM as blueprint {pushed.blueprint_id}: "
                     f"{len(bp.states)} states, {transitions} transitions in {pushed.requests} requests\n")
    if pushed.activated:
        sys.stdout.write("Activated; records in an older version " + ("move to this one\n" if move_records else
                         "keep their last state and leave it\n"))
    else:
        sys.stdout.write("A draft: activate it in Zoho, or push with --activate\n")
    if exported.not_sent:
        sys.stdout.write(f"Not sent (Zoho has no equivalent), {len(exported.not_sent)}:\n")
        for piece in exported.not_sent:
            sys.stdout.write(f"  {piece['at']}: {piece['reason']}\n")


def _push_update(ctx: typer.Context, exported: Exported, blueprint_id: str, api_domain: str, base: str, *,
                 dry_run: bool, activate: bool, move_records: bool, mapped: bool) -> None:
    """push --id: the PUT and POST requests that update an existing blueprint; printed with --dry-run."""
    import json

    from blueprint_cli.zoho import remote

    client = _client(api_domain)
    plan = remote.plan_update(client, exported, blueprint_id)
    opts = options(ctx)
    left = [{"kind": kind, "name": name, "id": zid} for kind, name, zid in plan.left]
    if dry_run:
        requests = remote.filled_requests(plan)
        if opts.json:
            print_json({"id": blueprint_id, "requests": [{**r, "url": base + r["path"]} for r in requests],
                        "activate": {"move_records": move_records} if activate else None, "left_in_zoho": left})
        else:
            for r in requests:
                sys.stdout.write(f"{r['method']} {base}{r['path']}\n"
                                 f"{json.dumps(r['body'], indent=2, ensure_ascii=False)}\n")
            if activate:
                path, body = remote.activation(blueprint_id, move_records)
                sys.stdout.write(f"POST {base}{path}\n{json.dumps(body, indent=2)}\n")
            _report_left(sys.stderr, plan.left)
        _report_export(ctx, exported, None, mapped=mapped, to_stderr=True, report_layout=False)
        return
    pushed = remote.push(client, exported, activate=activate, move_records=move_records, update=plan)
    if opts.json:
        print_json({"blueprint": exported.blueprint.id, "id": blueprint_id, "updated": True,
                    "requests": pushed.requests, "activated": pushed.activated,
                    "move_records": move_records if activate else None, "ids": pushed.ids, "left_in_zoho": left,
                    "not_sent": [{k: v for k, v in piece.items() if k != "path"} for piece in exported.not_sent]})
        return
    items = [(r["method"], item) for r in plan.requests for key, listed in r["body"].items() if key != "blueprints"
             for item in listed]  # the blueprint's own update carries the connections
    put = sum(1 for method, _ in items if method == "PUT")
    wired = ", the connections replaced" if any("blueprints" in r["body"] for r in plan.requests) else ""
    sys.stdout.write(f"Updated Zoho CRM blueprint {blueprint_id} from {exported.blueprint.display_name!r}: "
                     f"{put} states and transitions changed, {len(items) - put} created{wired}, "
                     f"in {pushed.requests} requests\n")
    sys.stdout.write("Its name, description and entry criteria are left as they are in Zoho\n")
    if pushed.activated:
        sys.stdout.write("Activated; records in an older version " + ("move to this one\n" if move_records else
                         "keep their last state and leave it\n"))
    _report_left(sys.stdout, plan.left)
    if exported.not_sent:
        sys.stdout.write(f"Not sent (Zoho has no equivalent), {len(exported.not_sent)}:\n")
        for piece in exported.not_sent:
            sys.stdout.write(f"  {piece['at']}: {piece['reason']}\n")


def _report_left(out: Any, left: list[tuple[str, str, str]]) -> None:
    if left:
        out.write(f"In Zoho and not in the YAML, left as they are (delete them in Zoho if they should go), "
                  f"{len(left)}:\n")
        for kind, name, zid in left:
            out.write(f"  {kind} {name!r} ({zid})\n")


def map_group() -> None:
    """The map of Zoho ids (users, roles, profiles, fields) to the names the YAML uses."""


def register(app: typer.Typer) -> None:
    zoho_app.command("import")(import_)
    zoho_app.command("export")(export)
    zoho_app.command("pull")(pull)
    zoho_app.command("push")(push)
    map_app.callback()(map_group)
    map_app.command("init")(map_init)
    zoho_app.add_typer(map_app, name="map")
    app.add_typer(zoho_app, name="zoho")

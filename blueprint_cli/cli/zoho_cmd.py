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

MAP_HELP = "Zoho ids ↔ names (users, roles, profiles, fields); write one with `blueprint zoho map init`."


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
    imported = importer.convert(source.read(files), zmap)
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


def _lint(text: str, name: str) -> list[dict[str, Any]]:
    from blueprint_cli.check import lint_text

    _bp, diags = lint_text(text, name)
    return [d.to_dict() for d in diags]


def _report_import(ctx: typer.Context, imported: Imported, output: Path | None, findings: list[dict[str, Any]],
                   to_stderr: bool) -> None:
    opts = options(ctx)
    data = imported.data
    unmapped = [{"kind": u.kind, "id": u.id, "where": u.where} for u in imported.unmapped]
    if opts.json:
        import json

        report = {"output": str(output) if output else None, "blueprint": data["blueprint"],
                  "states": len(data["states"]), "transitions": len(data["transitions"]),
                  "not_imported": [n.to_dict() for n in imported.notes], "unmapped": unmapped, "findings": findings}
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
) -> None:
    """Turn a blueprint into the JSON bodies of Zoho CRM's v8 create endpoints.

    The requests come in the order they must be sent (the blueprint, its
    states, its transitions; at most 50 per request); `push` sends them. What
    Zoho lacks (tags, `not` criteria, regular expressions…) is reported and
    kept in the file, so `blueprint zoho import OUT.json` gives the blueprint
    back. Exit 0; 1 when the blueprint has errors or the map lacks an id
    (nothing written)."""
    import json

    exported = _export(file, map_file)
    text = json.dumps(exported.to_json(), indent=2, ensure_ascii=False) + "\n"
    if output is not None:
        from blueprint_cli.cli.output import write_output

        write_output(output, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    _report_export(ctx, exported, output, mapped=map_file is not None, to_stderr=output is None)


def _export(file: Path, map_file: Path | None) -> Exported:
    from blueprint_cli.check import load_blueprint
    from blueprint_cli.language.loader import load_file
    from blueprint_cli.zoho import exporter

    zmap = _map(map_file)
    bp = load_blueprint(file)
    doc, _diags = load_file(file)
    assert doc is not None  # it linted
    return exporter.export(bp, doc.data, zmap)


def _report_export(ctx: typer.Context, exported: Exported, output: Path | None, *, mapped: bool,
                   to_stderr: bool) -> None:
    import json

    from blueprint_cli.zoho.names import json_path

    out = sys.stderr if to_stderr else sys.stdout
    bp = exported.blueprint
    plain = [{"at": json_path(p), "template": t} for p, t in exported.plain]
    if options(ctx).json:
        out.write(json.dumps({"output": str(output) if output else None, "blueprint": bp.id,
                              "requests": len(exported.requests),
                              "not_sent": [{k: v for k, v in piece.items() if k != "path"}
                                           for piece in exported.not_sent],
                              "sent_as_written": plain, "mapped": mapped}, indent=2, ensure_ascii=False) + "\n")
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


def map_group() -> None:
    """The map of Zoho ids (users, roles, profiles, fields) to the names the YAML uses."""


def register(app: typer.Typer) -> None:
    zoho_app.command("import")(import_)
    zoho_app.command("export")(export)
    map_app.callback()(map_group)
    map_app.command("init")(map_init)
    zoho_app.add_typer(map_app, name="map")
    app.add_typer(zoho_app, name="zoho")

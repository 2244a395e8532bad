"""`blueprint graph FILE|ID`: draw a blueprint — terminal tree, Mermaid, DOT, or
SVG/PNG through Graphviz — optionally with a record on the map."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from blueprint_cli.cli.context import console, options, print_json

if TYPE_CHECKING:
    from blueprint_cli.render.graph.model import Graph, RecordTrail

FORMATS = ("tree", "mermaid", "dot", "svg", "png")
#: the format an output file's extension asks for
SUFFIXES = {
    ".txt": "tree", ".mmd": "mermaid", ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot",
    ".svg": "svg", ".png": "png",
}
TEXT_FORMATS = ("tree", "mermaid", "dot")
TREE_FILE_WIDTH = 100


def _usage(message: str, hint: str | None = None) -> BaseException:
    from blueprint_cli.diagnostics import BlueprintError

    return BlueprintError(message, hint=hint)


def choose_format(fmt: str | None, output: Path | None) -> str:
    """`--format` when given, else the output file's extension, else tree."""
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise _usage(f"unknown format {fmt!r}", hint="choose one of " + ", ".join(FORMATS))
        implied = SUFFIXES.get(output.suffix.lower()) if output is not None else None
        # a .txt file holds any text format; otherwise the name must not say another format
        text_in_txt = implied == "tree" and fmt in TEXT_FORMATS
        if output is not None and implied is not None and implied != fmt and not text_in_txt:
            wanted = [s for s, f in SUFFIXES.items() if f == fmt]
            raise _usage(f"--format {fmt} does not fit {output.name!r}, whose name says {implied}",
                         hint=f"name the file {output.with_suffix(wanted[0]).name}, or leave out --format")
        return fmt
    if output is None:
        return "tree"
    suffix = output.suffix.lower()
    if suffix not in SUFFIXES:
        raise _usage(f"cannot tell the format from {output.name!r}",
                     hint="give --format (" + ", ".join(FORMATS) + ") or an output ending in "
                          + ", ".join(SUFFIXES))
    return SUFFIXES[suffix]


def graph(
    ctx: typer.Context,
    given: Optional[str] = typer.Argument(
        None, metavar="[FILE|ID]",
        help="A blueprint file, or the id of a published blueprint (default with --record: the one it follows).",
    ),
    fmt: Optional[str] = typer.Option(
        None, "--format", "-f", metavar="tree|mermaid|dot|svg|png",
        help="Output format (default: from the --output extension, else tree). svg and png need Graphviz.",
    ),
    record: Optional[str] = typer.Option(
        None, "--record", "-r", metavar="ID",
        help="Mark this record's state, the path it took and the parallel parts it waits for.",
    ),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", metavar="FILE",
        help="Write to FILE (.txt .mmd .mermaid .dot .gv .svg .png) instead of standard output.",
    ),
) -> None:
    """Draw a blueprint: a terminal tree, Mermaid (GitHub renders it), Graphviz DOT, or SVG/PNG."""
    from blueprint_cli.cli import blueprint_arg
    from blueprint_cli.render.graph.model import extract

    chosen = choose_format(fmt, output)
    if chosen in ("svg", "png") and output is None and _stdout_is_terminal():
        raise _usage(f"{chosen.upper()} is an image; it will not be written to a terminal",
                     hint=f"give --output FILE.{chosen}, or redirect standard output to a file")
    if given is None and record is None:
        raise _usage("give a blueprint (a file or a published id), or --record ID",
                     hint="for example: blueprint graph deal-follow-up, or blueprint graph --record 1")
    followed = _followed(ctx, record) if record is not None else None
    if given is None:
        assert followed is not None
        bp = blueprint_arg.load(ctx, followed[0], followed[1])
    else:
        # a record on a published blueprint is drawn on the version it follows
        same = followed is not None and followed[0] == given and not Path(given).exists()
        bp = blueprint_arg.load(ctx, given, followed[1] if same and followed else None)
    trail = _record_trail(ctx, record, bp.id) if record is not None else None
    if trail is not None and trail.state is not None and bp.state(trail.state) is None:
        # e.g. a draft that renamed the state: draw the path we can, and say why no state is marked
        sys.stderr.write(f"warning: record {trail.id} is in {trail.state!r}, which {given} does not have\n")
    diagram = extract(bp, trail)
    if options(ctx).json and output is None:
        print_json(diagram.to_data())
        return
    data = _render(ctx, diagram, chosen, to_file=output is not None)
    if data is None:
        return
    if output is None:
        _stdout(data, binary=chosen == "png")
        return
    from blueprint_cli.cli.output import write_output

    write_output(output, data)
    sys.stderr.write(f"wrote {output} ({chosen})\n")


def _render(ctx: typer.Context, diagram: Graph, chosen: str, *, to_file: bool) -> bytes | None:
    if chosen == "tree":
        if not to_file:
            from blueprint_cli.render.graph.render_tree import render_tree

            console(ctx).print(render_tree(diagram))
            return None
        from blueprint_cli.render.graph.render_tree import tree_text

        return tree_text(diagram, TREE_FILE_WIDTH).encode("utf-8")
    if chosen == "mermaid":
        from blueprint_cli.render.graph.render_mermaid import render_mermaid

        return render_mermaid(diagram).encode("utf-8")
    from blueprint_cli.render.graph.render_dot import render_dot

    source = render_dot(diagram)
    if chosen == "dot":
        return source.encode("utf-8")
    from blueprint_cli.render.graph.runner import run_dot

    return run_dot(source, chosen)


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _stdout(data: bytes, *, binary: bool) -> None:
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        sys.stdout.flush()
        buffer.write(data)
        buffer.flush()
    elif binary:
        raise _usage("standard output takes no binary data here", hint="give --output FILE.png")
    else:
        sys.stdout.write(data.decode("utf-8"))


def _followed(ctx: typer.Context, record_id: str) -> tuple[str, int | None]:
    """The blueprint id and version the record follows."""
    from blueprint_cli.cli.blueprint_arg import workspace
    from blueprint_cli.diagnostics import BlueprintError

    _, record, _ = workspace(ctx).get(record_id)
    if not record.blueprint:
        raise BlueprintError(f"record {record.id} follows no blueprint: there is nothing to draw it on",
                             hint=f"`blueprint record show {record.id}` shows it; `record set` can make it enter one")
    return record.blueprint, record.version


def _record_trail(ctx: typer.Context, record_id: str, blueprint_id: str) -> RecordTrail:
    """The record and its history, from the workspace's store."""
    from blueprint_cli import workspace
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.render.graph.model import PartDone, RecordTrail, Step

    ws = workspace.find(options(ctx).workspace)
    record, history = ws.history(record_id)
    if record.blueprint != blueprint_id:
        follows = f"blueprint {record.blueprint!r}" if record.blueprint else "no blueprint"
        raise BlueprintError(f"record {record.id} follows {follows}, not {blueprint_id!r}",
                             hint="draw the blueprint the record follows" if record.blueprint else None)
    steps = tuple(Step(h.kind, h.from_state, h.to_state, h.transition, h.part) for h in history)
    done = tuple(PartDone(p.transition, p.part, p.user, p.at) for p in record.pending)
    return RecordTrail(record.id, record.state, steps, done)


def register(app: typer.Typer) -> None:
    app.command("graph")(graph)

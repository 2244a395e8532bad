"""`blueprint graph FILE`: draw a blueprint — terminal tree, Mermaid, DOT, or
SVG/PNG through Graphviz — optionally with a record on the map."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from blueprint_cli.cli.context import console, options, print_json

if TYPE_CHECKING:
    from blueprint_cli.graph.model import Graph, RecordTrail

FORMATS = ("tree", "mermaid", "dot", "svg", "png")
#: the format an output file's extension asks for
SUFFIXES = {
    ".txt": "tree", ".mmd": "mermaid", ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot",
    ".svg": "svg", ".png": "png",
}
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
    file: Path = typer.Argument(..., help="A blueprint file."),
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
    from blueprint_cli.graph.model import extract
    from blueprint_cli.lint import load_blueprint

    chosen = choose_format(fmt, output)
    if chosen in ("svg", "png") and output is None and _stdout_is_terminal():
        raise _usage(f"{chosen.upper()} is an image; it will not be written to a terminal",
                     hint=f"give --output FILE.{chosen}, or redirect standard output to a file")
    bp = load_blueprint(file)
    trail = _record_trail(ctx, record, bp.id) if record is not None else None
    if trail is not None and trail.state is not None and bp.state(trail.state) is None:
        # e.g. a draft that renamed the state: draw the path we can, and say why no state is marked
        sys.stderr.write(f"warning: record {trail.id} is in {trail.state!r}, which {file} does not have\n")
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
            from blueprint_cli.graph.render_tree import render_tree

            console(ctx).print(render_tree(diagram))
            return None
        from blueprint_cli.graph.render_tree import tree_text

        return tree_text(diagram, TREE_FILE_WIDTH).encode("utf-8")
    if chosen == "mermaid":
        from blueprint_cli.graph.render_mermaid import render_mermaid

        return render_mermaid(diagram).encode("utf-8")
    from blueprint_cli.graph.render_dot import render_dot

    source = render_dot(diagram)
    if chosen == "dot":
        return source.encode("utf-8")
    from blueprint_cli.graph.runner import run_dot

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


def _record_trail(ctx: typer.Context, record_id: str, blueprint_id: str) -> RecordTrail:
    """The record and its history, from the workspace's store."""
    from blueprint_cli import workspace
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.graph.model import PartDone, RecordTrail, Step

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

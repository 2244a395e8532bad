"""`blueprint graph` as a user runs it: formats, output files, exit codes, and a
record of a real workspace on the map."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from blueprint_cli.cli import graph_cmd

ROOT = Path(__file__).resolve().parents[1]
DEAL = ROOT / "sample_blueprints" / "deal-follow-up.yaml"
#: the `cli` fixture (conftest.py): runs `blueprint`, returns exit_code, stdout, stderr, output
Cli = Callable[..., Any]


def test_default_is_the_tree(cli: Cli) -> None:
    r = cli("graph", DEAL)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Deal follow-up  deal-follow-up · module Deals")
    assert "├── Qualification  [entry]" in r.stdout and "└── From any open state" in r.stdout


@pytest.mark.parametrize("fmt, start", [
    ("mermaid", "---\ntitle: \"Deal follow-up\""),
    ("dot", "digraph blueprint {"),
    ("tree", "Deal follow-up"),
])
def test_text_formats_go_to_stdout(cli: Cli, fmt: str, start: str) -> None:
    r = cli("graph", DEAL, "--format", fmt)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(start)
    assert r.stderr == ""


@pytest.mark.parametrize("name, fmt, start", [
    ("deal.mmd", "mermaid", b"---\n"),
    ("deal.mermaid", "mermaid", b"---\n"),
    ("deal.dot", "dot", b"digraph blueprint {"),
    ("deal.gv", "dot", b"digraph blueprint {"),
    ("deal.txt", "tree", "Deal follow-up  deal-follow-up".encode()),
    ("deal.svg", "svg", b"<?xml"),
    ("DEAL.PNG", "png", b"\x89PNG\r\n\x1a\n"),
])
def test_the_output_extension_picks_the_format(cli: Cli, tmp_path: Path, name: str, fmt: str, start: bytes) -> None:
    out = tmp_path / name
    r = cli("graph", DEAL, "-o", out)
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(start)
    assert f"wrote {out} ({fmt})" in r.stderr
    assert r.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temporary file left behind


def test_tree_file_is_plain_text_at_a_fixed_width(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "deal.txt"
    assert cli("graph", DEAL, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "\x1b[" not in text and max(len(line) for line in text.splitlines()) <= 100
    assert text == (ROOT / "tests" / "golden" / "graph" / "deal-follow-up.txt").read_text(encoding="utf-8")


def test_format_wins_over_the_extension(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "deal.txt"
    assert cli("graph", DEAL, "--format", "mermaid", "-o", out).exit_code == 0
    assert "stateDiagram-v2" in out.read_text(encoding="utf-8")


def test_an_existing_output_file_is_replaced_whole(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "deal.dot"
    out.write_text("OLD-CONTENT " * 100_000, encoding="utf-8")
    assert cli("graph", DEAL, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("digraph") and "OLD-CONTENT" not in text


def test_svg_goes_to_a_pipe(cli: Cli) -> None:
    r = cli("graph", DEAL, "--format", "svg")
    assert r.exit_code == 0, r.output
    assert "<svg" in r.stdout and "Deal follow-up" in html.unescape(r.stdout)


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_images_are_not_written_to_a_terminal(cli: Cli, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    monkeypatch.setattr(graph_cmd, "_stdout_is_terminal", lambda: True)
    r = cli("graph", DEAL, "--format", fmt)
    assert r.exit_code == 2
    assert f"{fmt.upper()} is an image" in r.stderr and f"--output FILE.{fmt}" in r.stderr


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_without_graphviz_svg_and_png_say_how_to_install_it(cli: Cli, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path, fmt: str) -> None:
    monkeypatch.setenv("BLUEPRINT_DOT", str(tmp_path / "no-such-dot"))
    out = tmp_path / f"deal.{fmt}"
    out.write_bytes(b"untouched")
    r = cli("graph", DEAL, "-o", out)
    assert r.exit_code == 2
    assert "needs Graphviz's `dot` program" in r.stderr
    assert "apt-get install graphviz" in r.stderr and "brew install graphviz" in r.stderr
    assert "Traceback" not in r.output
    assert out.read_bytes() == b"untouched"
    # the text formats need no Graphviz
    assert cli("graph", DEAL, "--format", "dot").exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["--format", "bmp"], "unknown format 'bmp'"),
    (["-o", "deal.pdf"], "cannot tell the format from 'deal.pdf'"),
    (["-o", "no/such/folder/deal.svg"], "no such folder"),
    # the file's name says another format: PNG bytes never go into x.svg
    (["-o", "x.svg", "-f", "png"], "--format png does not fit 'x.svg', whose name says svg"),
    (["-o", "x.png", "-f", "svg"], "name the file x.svg, or leave out --format"),
    (["-o", "x.mmd", "-f", "dot"], "--format dot does not fit 'x.mmd', whose name says mermaid"),
])
def test_usage_errors_exit_2(cli: Cli, tmp_path: Path, args: list[str], message: str) -> None:
    r = cli("graph", DEAL, *args)
    assert r.exit_code == 2 and message in r.stderr, r.output
    assert not (tmp_path / "x.svg").exists() and not (tmp_path / "x.png").exists()


def test_missing_file_exits_2_and_a_broken_blueprint_exits_1(cli: Cli, tmp_path: Path) -> None:
    assert cli("graph", tmp_path / "nope.yaml").exit_code == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text("blueprint: x\nmodule: M\nfield: f\nstates: [{name: A}]\ntransitions:\n"
                      "  - {name: Go, from: A, to: Nowhere}\n", encoding="utf-8")
    r = cli("graph", broken)
    assert r.exit_code == 1 and "Nowhere" in r.stderr


def test_json_prints_the_neutral_graph(cli: Cli) -> None:
    r = cli("--json", "graph", DEAL)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["title"] == "Deal follow-up"
    assert {n["kind"] for n in data["nodes"]} >= {"start", "state", "choice", "fork", "join", "group", "end"}


# ----- a record on the map ---------------------------------------------------------------

@pytest.fixture()
def deal_in_legal(cli: Cli, tmp_path: Path) -> Path:
    """A workspace whose deal 1 went Qualification → Negotiation → Legal Review,
    where Legal has signed off and Finance has not."""
    def ok(*args: str | Path) -> None:
        r = cli(*args)
        assert r.exit_code == 0, r.output

    contract = tmp_path / "contract.pdf"
    contract.write_bytes(b"%PDF-1.4 draft")
    ok("init", tmp_path)
    ok("--as", "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
       "--set", "close_on=2026-12-01")
    ok("--as", "alice", "move", "1", "Negotiate", "--check", "Budget confirmed",
       "--check", "Decision maker identified", "--note", "budget ok")
    ok("--as", "alice", "move", "1", "Send to legal", "--attach", contract)
    ok("--as", "carol", "move", "1", "Sign-off", "--set", "signed=true", "--attach", contract)
    return tmp_path


def test_record_marks_state_path_and_pending_parts(cli: Cli, deal_in_legal: Path) -> None:
    bp = deal_in_legal / "blueprints" / "deal-follow-up.yaml"
    r = cli("graph", bp, "--record", "1", "--format", "mermaid")
    assert r.exit_code == 0, r.output
    mmd = r.stdout
    assert "s_legal_review : record 1 is here" in mmd
    assert "class s_legal_review current" in mmd
    assert "class s_qualification,s_negotiation visited" in mmd
    assert "s_qualification --> s_negotiation : (1) Negotiate<br/>" in mmd
    assert "s_negotiation --> s_legal_review : (2) Send to legal<br/>" in mmd
    assert "f_sign_off --> j_sign_off : Legal approval (done by carol)<br/>" in mmd
    assert "f_sign_off --> j_sign_off : Finance approval (pending)<br/>" in mmd
    assert "waiting for#58; Sign-off / Finance approval" in mmd

    tree = cli("graph", bp, "--record", "1").stdout
    assert "Record 1: in Legal Review" in tree
    assert "path: Qualification → Negotiation → Legal Review" in tree
    assert "waiting for: Sign-off / Finance approval" in tree
    assert "▶ Legal Review  ◀ record 1 is here" in tree

    dot = cli("graph", bp, "--record", "1", "--format", "dot").stdout
    assert 'fillcolor="#ffd666"' in dot and 'style="dashed", penwidth="2"' in dot


def test_record_from_another_folder_with_workspace_option(cli: Cli, deal_in_legal: Path,
                                                          tmp_path_factory: pytest.TempPathFactory,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    r = cli("--workspace", deal_in_legal, "graph", DEAL, "--record", "1", "-f", "dot")
    assert r.exit_code == 0, r.output
    assert "record 1 is here" in r.stdout
    assert cli("graph", DEAL, "--record", "1").exit_code == 2  # no workspace here


def test_unknown_record_or_other_blueprint_exits_2(cli: Cli, deal_in_legal: Path) -> None:
    r = cli("graph", DEAL, "--record", "99")
    assert r.exit_code == 2 and "no record 99" in r.stderr
    r = cli("graph", DEAL, "--record", "../1")
    assert r.exit_code == 2 and "is not a record id" in r.stderr
    r = cli("graph", ROOT / "sample_blueprints" / "support-ticket.yaml", "--record", "1")
    assert r.exit_code == 2 and "record 1 follows blueprint 'deal-follow-up', not 'support-ticket'" in r.stderr


def test_a_published_blueprint_by_its_id(cli: Cli, deal_in_legal: Path) -> None:
    r = cli("graph", "deal-follow-up", "-f", "mermaid")
    assert r.exit_code == 0, r.output
    assert r.stdout == cli("graph", DEAL, "-f", "mermaid").stdout
    shown = cli("show", "deal-follow-up")
    assert shown.exit_code == 0 and shown.stdout == cli("show", DEAL).stdout
    r = cli("graph", "deal-folow-up")
    assert r.exit_code == 2
    assert "deal-folow-up: no such file, and no blueprint 'deal-folow-up' is published in" in r.stderr
    assert "did you mean 'deal-follow-up'?" in r.stderr


def test_record_without_a_file_draws_the_blueprint_it_follows(cli: Cli, deal_in_legal: Path) -> None:
    r = cli("graph", "--record", "1", "-f", "mermaid")
    assert r.exit_code == 0, r.output
    assert "s_legal_review : record 1 is here" in r.stdout
    assert r.stdout == cli("graph", DEAL, "--record", "1", "-f", "mermaid").stdout
    r = cli("graph")
    assert r.exit_code == 2 and "give a blueprint (a file or a published id), or --record ID" in r.stderr


def test_a_published_id_outside_a_workspace_is_a_missing_file(cli: Cli) -> None:
    r = cli("show", "deal-follow-up")
    assert r.exit_code == 2 and "no such file: deal-follow-up" in r.stderr
    assert "the id of a published blueprint inside a workspace" in r.stderr


def test_a_draft_without_the_records_state_warns(cli: Cli, deal_in_legal: Path) -> None:
    draft = deal_in_legal / "draft.yaml"
    text = (deal_in_legal / "blueprints" / "deal-follow-up.yaml").read_text(encoding="utf-8")
    draft.write_text(text.replace("Legal Review", "Contract Review"), encoding="utf-8")
    r = cli("graph", draft, "--record", "1", "-f", "mermaid")
    assert r.exit_code == 0, r.output
    assert "warning: record 1 is in 'Legal Review', which" in r.stderr
    assert "class s_qualification,s_negotiation visited" in r.stdout and " current" not in r.stdout

"""`blueprint init`, finding the workspace, and `blueprint publish` with versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprint_cli.workspace import changes
from blueprint_cli import workspace
from workspace_helpers import PING, cli, ping_workspace

# every test runs against the JSON store and the PostgreSQL store (tests/pg_fixtures.py)
pytestmark = pytest.mark.usefixtures("store_kind")


@pytest.mark.json_store_only  # looks at the JSON store's files
def test_init_creates_team_store_and_published_sample(tmp_path: Path) -> None:
    r = cli("init", str(tmp_path))
    assert r.code == 0, r
    ws = tmp_path / ".blueprint"
    for name in ("team.yaml", "config.yaml", "workspace.json", "counters.json", "blueprints/index.json",
                 "blueprints/deal-follow-up/v1.yaml"):
        assert (ws / name).is_file(), name
    assert "alice:" in (ws / "team.yaml").read_text()
    assert (tmp_path / "blueprints" / "deal-follow-up.yaml").is_file()
    assert "published as deal-follow-up v1" in r.out
    again = cli("init", str(tmp_path))
    assert again.code == 1 and "already a workspace" in again.err


def test_init_without_sample(tmp_path: Path) -> None:
    assert cli("init", str(tmp_path), "--no-sample").code == 0
    assert not (tmp_path / "blueprints").exists()
    r = cli("--as", "alice", "record", "create", "Deals", cwd=tmp_path)
    assert r.code == 2 and "no published blueprint governs module 'Deals'" in r.err and "blueprint publish" in r.err


def test_workspace_is_found_upward_from_a_subfolder(tmp_path: Path) -> None:
    cli("init", str(tmp_path))
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    r = cli("--as", "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=10", cwd=deep)
    assert r.code == 0, r
    assert cli("record", "list", cwd=deep).out.count("Acme") == 1


@pytest.mark.parametrize("which", ["folder", "dotfolder"])
def test_workspace_option_takes_either_folder(tmp_path: Path, which: str) -> None:
    cli("init", str(tmp_path / "proj"))
    target = tmp_path / "proj" if which == "folder" else tmp_path / "proj" / ".blueprint"
    r = cli("--workspace", str(target), "--as", "alice", "record", "create", "Deals", "--set", "amount=5", cwd=tmp_path)
    assert r.code == 0, r


def test_workspace_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from blueprint_cli import workspace

    cli("init", str(tmp_path / "proj"))
    monkeypatch.setenv("BLUEPRINT_WORKSPACE", str(tmp_path / "proj"))
    assert workspace.find(cwd=tmp_path).root == (tmp_path / "proj" / ".blueprint").resolve()


def test_no_workspace_is_a_usage_error_with_a_hint(tmp_path: Path) -> None:
    r = cli("record", "list", cwd=tmp_path)
    assert r.code == 2 and "no blueprint workspace" in r.err and "blueprint init" in r.err
    r = cli("--workspace", str(tmp_path / "nope"), "record", "list")
    assert r.code == 2 and "no such folder" in r.err
    r = cli("--workspace", str(tmp_path), "record", "list")
    assert r.code == 2 and "is not a blueprint workspace" in r.err


# ----- publish ------------------------------------------------------------------------------

def test_lint_errors_block_publishing(tmp_path: Path) -> None:
    ping_workspace(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text(PING.replace("to: Right", "to: Rihgt"), encoding="utf-8")
    r = cli("--as", "grace", "publish", str(bad), cwd=tmp_path)
    assert r.code == 1 and "bad.yaml:" in r.err and "BP301" in r.err
    from blueprint_cli import workspace

    assert [p.latest for p in workspace.find(tmp_path).published()] == [1]


def test_publishing_again_makes_a_new_version_records_follow(tmp_path: Path) -> None:
    ping_workspace(tmp_path, records=1)
    src = tmp_path / "ping.yaml"
    assert "unchanged: still version 1" in cli("--as", "grace", "publish", str(src), cwd=tmp_path).out
    src.write_text(PING.replace("title: Ping-pong", "title: Ping pong v2"), encoding="utf-8")
    r = cli("--as", "grace", "--json", "publish", str(src), cwd=tmp_path)
    assert r.code == 0 and r.json()["version"] == 2
    assert cli("--json", "record", "show", "1", cwd=tmp_path).json()["version"] == 2  # type: ignore[index]
    from blueprint_cli import workspace

    assert workspace.find(tmp_path).store.blueprint_text("ping", 1) == PING  # old versions are kept


def test_publish_suggests_the_rename_diff_found(tmp_path: Path) -> None:
    """`diff` finds 'Discount Approval' renamed to 'Pricing Approval' (the same
    transitions around it) and suggests that --move; publish suggests the same,
    not the entry state."""
    repo = Path(__file__).resolve().parent.parent
    v2 = repo / "docs" / "examples" / "deal-follow-up-v2.yaml"
    assert cli("init", str(tmp_path)).code == 0
    assert cli("--as", "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=24000",
               cwd=tmp_path).code == 0
    assert cli("--as", "alice", "move", "1", "Negotiate", "--set", "close_on=2026-12-31", "--check",
               "Budget confirmed", "--check", "Decision maker identified", "--note", "ok", cwd=tmp_path).code == 0
    assert cli("--as", "alice", "move", "1", "Request discount", "--set", "discount=15", "--note", "3y",
               cwd=tmp_path).code == 0
    move = '--move "Discount Approval=Pricing Approval"'
    diff = cli("diff", "blueprints/deal-follow-up.yaml", str(v2), cwd=tmp_path)
    assert diff.code == 0 and move in diff.out, diff
    r = cli("--as", "grace", "publish", str(v2), cwd=tmp_path)
    assert r.code == 1, r
    assert "Discount Approval: 1 record (1)" in r.err
    assert f"hint: they look renamed (as `blueprint diff` shows): {move}" in r.err, r.err
    assert "Qualification" not in r.err.split("hint:", 1)[1]


def test_publish_reads_the_file_once_and_stores_what_it_linted(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ws = ping_workspace(tmp_path)
    src = tmp_path / "ping.yaml"
    linted = PING.replace("title: Ping-pong", "title: Ping pong v2")
    src.write_text(linted, encoding="utf-8")
    from blueprint_cli import userfile
    from blueprint_cli.workspace.publishing import publish

    reads: list[Path] = []
    read = userfile.read_user_file

    def read_then_swap(path: Path | str, limit: int = userfile.MAX_BYTES) -> bytes:
        raw = read(path, limit)
        if Path(path) == src:
            reads.append(src)
            # an editor saves another version (with a lint error) right after the file was read
            src.write_text(PING.replace("title: Ping-pong", "title: Swapped").replace("to: Right", "to: Rihgt"),
                           encoding="utf-8")
        return raw

    monkeypatch.setattr(userfile, "read_user_file", read_then_swap)
    assert publish(ws, src, user="grace").version == 2
    assert reads == [src]
    assert ws.store.blueprint_text("ping", 2) == linted
    assert ws.store.blueprint_data("ping", 2)["title"] == "Ping pong v2"


def test_deleting_a_state_with_records_is_refused_unless_told_where(tmp_path: Path) -> None:
    ws = ping_workspace(tmp_path, records=3)
    from blueprint_cli.engine import Inputs

    changes.move(ws, "2", "Flip", Inputs(), user="alice")
    changes.move(ws, "3", "Flip", Inputs(), user="alice")
    src = tmp_path / "ping.yaml"
    v2 = PING.replace("  - name: Right\n", "  - name: Middle\n").replace("to: Right", "to: Middle") \
             .replace("from: Right", "from: Middle")
    src.write_text(v2, encoding="utf-8")
    r = cli("--as", "grace", "publish", str(src), cwd=tmp_path)
    assert r.code == 1, r
    assert "Right: 2 records (2, 3)" in r.err and '--move "Right=' in r.err
    assert cli("--as", "grace", "publish", str(src), "--move", "Rigth=Middle", cwd=tmp_path).code == 2
    assert cli("--as", "grace", "publish", str(src), "--move", "Right=Nowhere", cwd=tmp_path).code == 2
    r = cli("--as", "grace", "publish", str(src), "--move", "Right=Middle", cwd=tmp_path)
    assert r.code == 0 and "moved 2 records from Right to Middle" in r.out
    shown = cli("--json", "record", "list", "--state", "Middle", cwd=tmp_path).json()
    assert [(x["id"], x["version"]) for x in shown] == [("2", 2), ("3", 2)]  # type: ignore[index]
    last = cli("--json", "history", "2", cwd=tmp_path).json()[-1]  # type: ignore[index]
    assert (last["kind"], last["from"], last["to"]) == ("migrate", "Right", "Middle")
    assert cli("--as", "alice", "move", "2", "Flop", cwd=tmp_path).code == 0


def test_entry_goes_to_first_matching_blueprint_by_priority(tmp_path: Path) -> None:
    ping_workspace(tmp_path)
    big = tmp_path / "big.yaml"
    big.write_text(PING.replace("blueprint: ping", "blueprint: big-ping")
                   .replace("fields:\n", "priority: 1\nentry:\n  when: {field: note, eq: big}\nfields:\n"),
                   encoding="utf-8")
    assert cli("--as", "grace", "publish", str(big), cwd=tmp_path).code == 0
    big_one = cli("--as", "alice", "--json", "record", "create", "Pings", "--set", "note=big", cwd=tmp_path).json()
    small = cli("--as", "alice", "--json", "record", "create", "Pings", "--set", "note=small", cwd=tmp_path).json()
    assert big_one["blueprint"] == "big-ping" and small["blueprint"] == "ping"  # type: ignore[index]
    forced = cli("--as", "alice", "--json", "record", "create", "Pings", "--set", "note=big", "--blueprint", "ping", cwd=tmp_path)
    assert forced.json()["blueprint"] == "ping"  # type: ignore[index]


def test_init_keeps_an_existing_blueprint_and_still_makes_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "blueprints").mkdir()
    mine = tmp_path / "blueprints" / "deal-follow-up.yaml"
    mine.write_text("blueprint: mine\n", encoding="utf-8")
    r = cli("init", str(tmp_path))
    assert r.code == 0 and "was not published" in r.out and "BP112" in r.out
    assert mine.read_text(encoding="utf-8") == "blueprint: mine\n"
    assert (tmp_path / ".blueprint" / "workspace.json").is_file()


def test_a_record_that_enters_later_gets_the_field_defaults(tmp_path: Path) -> None:
    ws = workspace.init(tmp_path, sample=False).workspace
    gated = tmp_path / "gated.yaml"
    gated.write_text(PING.replace("fields:\n  note: {type: text}\n",
                                  "entry:\n  when: {field: note, eq: go}\nfields:\n  note: {type: text}\n"
                                  "  level: {type: integer, default: 3}\n  channel: {type: text, default: web}\n"),
                     encoding="utf-8")
    assert cli("--as", "grace", "publish", str(gated), cwd=tmp_path).code == 0
    created = cli("--as", "alice", "--json", "record", "create", "Pings", "--set", "note=go", cwd=tmp_path).json()
    assert created["fields"] == {"note": "go", "level": 3, "channel": "web"}  # type: ignore[index]
    later = cli("--as", "alice", "--json", "record", "create", "Pings", "--set", "note=wait", "--set", "channel=phone",
                cwd=tmp_path)
    assert later.json()["blueprint"] is None  # type: ignore[index]
    entered = cli("--as", "alice", "--json", "record", "set", "2", "note=go", cwd=tmp_path)
    assert entered.code == 0, entered
    record = ws.get("2")[1]
    # the same defaults as a record created in the blueprint; what the user set is kept
    assert (record.blueprint, record.state) == ("ping", "Left")
    assert dict(record.fields) == {"note": "go", "level": 3, "channel": "phone"}
    enter = ws.history("2")[1][-1]
    assert enter.kind == "enter" and enter.changes == {"level": [None, 3]}


@pytest.mark.parametrize("command", [("tick", "--now", "2026-06-01T00:00:00+00:00"),
                                     ("bulk", "Flip", "--where", "id != 0")])
def test_a_broken_delivery_setting_refuses_tick_and_bulk_before_anything_is_written(tmp_path: Path,
                                                                                    command: tuple[str, ...]) -> None:
    ws = ping_workspace(tmp_path, records=2)
    source = tmp_path / "ping.yaml"
    source.write_text(source.read_text(encoding="utf-8")
                      .replace("  - name: Left\n", "  - name: Left\n    sla: {within: 1h, escalate: "
                                                   "[{tag: {add: [late]}}, {email: {to: ann@example.com, subject: late}}]}\n")
                      .replace('      - set: {note: "flipped by {{user}}"}\n',
                               '      - set: {note: "flipped by {{user}}"}\n      - email: {to: ann@example.com, subject: hi}\n'),
                      encoding="utf-8")
    assert cli("--as", "grace", "publish", str(source), cwd=tmp_path).code == 0
    with open(ws.root / "config.yaml", "a", encoding="utf-8") as f:
        f.write("smtp: {host: 127.0.0.1, port: 2525, password: hunter2}\n")
    before = [(r.state, r.tags, len(ws.history(r.id)[1])) for r in ws.records()]
    r = cli("--as", "alice", *command, cwd=tmp_path)
    assert r.code == 2 and "smtp.password" in r.err, r
    assert [(x.state, x.tags, len(ws.history(x.id)[1])) for x in ws.records()] == before


def test_the_generated_team_file_says_what_a_profile_does(tmp_path: Path) -> None:
    """A profile is a name owners can use, not a super-user: grace (profile admin)
    may not negotiate a deal whose owners are sales reps and the record owner."""
    assert cli("init", str(tmp_path)).code == 0
    team = (tmp_path / ".blueprint" / "team.yaml").read_text(encoding="utf-8")
    assert "see and do everything" not in team
    assert "It grants nothing by itself" in team and "grace: {roles: [director], profile: admin" in team
    assert cli("--as", "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
               cwd=tmp_path).code == 0
    r = cli("--as", "grace", "move", "1", "Negotiate", "--set", "close_on=2026-12-01", "--check", "Budget confirmed",
            "--check", "Decision maker identified", "--note", "as admin", cwd=tmp_path)
    assert r.code == 1
    assert "you are not an owner of 'Negotiate'" in r.err and "you are grace (roles: director; profile: admin)" in r.err


def test_init_inside_a_workspace_is_refused_unless_nested(tmp_path: Path) -> None:
    assert cli("init", str(tmp_path)).code == 0
    sub = tmp_path / "team-a"
    sub.mkdir()
    r = cli("init", cwd=sub)
    assert r.code == 1
    assert f"{sub} is inside the workspace {tmp_path / '.blueprint'}" in r.err and "--nested" in r.err
    assert list(sub.iterdir()) == []  # nothing was made
    r = cli("init", "--nested", cwd=sub)
    assert r.code == 0, r
    assert (sub / ".blueprint" / "workspace.json").is_file()
    # from below the nested one, commands find it (that is what the refusal warns of)
    listed = cli("--json", "record", "list", cwd=sub).json()
    assert listed == []


SAMPLES = Path(__file__).resolve().parents[1] / "sample_blueprints"


def test_lint_test_and_publish_without_a_path_take_the_workspace_blueprints(tmp_path: Path) -> None:
    import shutil

    assert cli("init", str(tmp_path)).code == 0
    sub = tmp_path / "notes"
    sub.mkdir()  # from any sub-folder, like every workspace command
    r = cli("lint", cwd=sub)
    assert r.code == 0 and "All clean: 1 file checked." in r.err, r
    shutil.copy(SAMPLES / "deal-follow-up.scenarios.yaml", tmp_path / "blueprints")
    r = cli("test", cwd=sub)
    assert r.code == 0, r
    assert "deal-follow-up.scenarios.yaml" in r.out
    shutil.copy(SAMPLES / "support-ticket.yaml", tmp_path / "blueprints")
    r = cli("--as", "grace", "publish", cwd=sub)
    assert r.code == 0, r
    assert r.out.splitlines() == ["deal-follow-up is unchanged: still version 1",
                                  "✓ Published support-ticket version 1"]
    # a broken blueprint there: lint shows where, publish publishes nothing
    (tmp_path / "blueprints" / "broken.yaml").write_text(
        "blueprint: broken\nmodule: M\nfield: f\nstates: [{name: A, final: true}]\ntransitions:\n"
        "  - {name: Go, from: A, to: Nowhere}\n", encoding="utf-8")
    r = cli("lint", cwd=sub)
    assert r.code == 1 and "blueprints/broken.yaml:6:" in r.out, r
    r = cli("--as", "grace", "publish", cwd=sub)
    assert r.code == 1 and "Nowhere" in r.err
    published = cli("--json", "record", "list", cwd=sub)
    assert published.code == 0
    r = cli("--as", "grace", "publish", "--priority", "3", cwd=sub)
    assert r.code == 2 and "--move and --priority apply to one blueprint: give its FILE" in r.err


def test_lint_without_a_path_outside_a_workspace_says_what_to_give(tmp_path: Path) -> None:
    r = cli("lint", cwd=tmp_path)
    assert r.code == 2 and "give at least one file or folder to lint" in r.err
    assert "inside a workspace it takes its blueprints/ folder" in r.err
    assert cli("init", str(tmp_path), "--no-sample").code == 0
    r = cli("--as", "grace", "publish", cwd=tmp_path)
    assert r.code == 2 and "has no blueprints/ folder next to it" in r.err


@pytest.mark.json_store_only  # a copy between JSON workspaces; tests/test_postgres.py copies from PostgreSQL
def test_store_copy_into_a_new_folder_makes_the_workspace_there(tmp_path: Path) -> None:
    """`store copy --to NEWDIR` (docs/postgres.md): a folder that is not a workspace yet
    becomes one, with the source's team file, and holds every record and its history."""
    folder = tmp_path / "crm"
    assert cli("init", str(folder)).code == 0
    team = folder / ".blueprint" / "team.yaml"
    team.write_text(team.read_text(encoding="utf-8") + "  zoe: {roles: [sales_rep]}\n", encoding="utf-8")
    for name in ("Acme", "Bolt"):
        r = cli("--as", "alice", "record", "create", "Deals", "--set", f"name={name}", "--set", "amount=5000",
                cwd=folder)
        assert r.code == 0, r.err
    new = tmp_path / "moved"
    r = cli("store", "copy", "--to", str(new), cwd=folder)
    assert r.code == 0, r.err
    assert f"Created the workspace {(new / '.blueprint').resolve()}" in r.out and "they match" in r.out
    assert (new / ".blueprint" / "team.yaml").read_text(encoding="utf-8") == team.read_text(encoding="utf-8")
    assert not (new / "blueprints").exists()  # no sample published over the copy
    shown = cli("--json", "record", "list", cwd=new).json()
    assert isinstance(shown, list) and [r["fields"]["name"] for r in shown] == ["Acme", "Bolt"]
    history = cli("--json", "history", "1", cwd=new).json()
    assert isinstance(history, list) and len(history) == 1
    assert cli("--json", "store", "info", cwd=folder).json()["records"] == 2  # the source is left as it was


@pytest.mark.json_store_only  # breaks a record file
def test_a_refused_store_copy_leaves_the_new_folder_without_a_workspace(tmp_path: Path) -> None:
    folder = tmp_path / "crm"
    assert cli("init", str(folder)).code == 0
    assert cli("--as", "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
               cwd=folder).code == 0
    workspace.find(folder).store.record_path("1").write_text("{", encoding="utf-8")
    r = cli("store", "copy", "--to", str(tmp_path / "moved"), cwd=folder)
    assert r.code == 1 and "cannot be read" in r.err, r.err
    assert not (tmp_path / "moved" / ".blueprint").exists()

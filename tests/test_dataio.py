"""`record import` (typed validation, a per-row report, all or nothing),
`record export` (CSV/JSON) and `record tag`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from workspace_helpers import cli, run

# every test runs against the JSON store and the PostgreSQL store (tests/pg_fixtures.py)
pytestmark = pytest.mark.usefixtures("store_kind")


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    assert cli("init", str(tmp_path)).code == 0
    return tmp_path


def records(ws: Path) -> list[dict[str, object]]:
    return run(ws, "--json", "record", "list").json()  # type: ignore[return-value]


GOOD_CSV = """\
module,name,amount,close_on,signed,tags,owner
Deals,Alpha Co,"5,000",2026-12-01,yes,"vip, eu",bob
deals,Beta Ltd,1200,,,,
Deals,Zero Renewal,0,,,,
"""


def test_csv_rows_become_typed_records(ws: Path) -> None:
    (ws / "deals.csv").write_text(GOOD_CSV, encoding="utf-8")
    r = run(ws, "record", "import", "deals.csv")
    assert r.code == 0, r
    assert "imported 3 records (ids 1–3)" in r.out and "2 in deal-follow-up · Qualification" in r.out
    assert "1 in not governed" in r.out  # amount 0: outside the entry criteria, as with record create
    alpha, beta, zero = records(ws)
    assert alpha["fields"] == {"name": "Alpha Co", "amount": 5000, "close_on": "2026-12-01", "signed": True,
                               "discount": 0, "probability": 10}
    assert (alpha["owner"], alpha["tags"], alpha["state"]) == ("bob", ["vip", "eu"], "Qualification")
    assert (beta["owner"], beta["module"]) == ("alice", "Deals") and zero["blueprint"] is None
    entry = run(ws, "--json", "history", "1").json()[0]  # type: ignore[index]
    assert entry["kind"] == "create" and entry["note"] == "imported from deals.csv, row 1"
    assert entry["changes"]["tags"] == [[], ["vip", "eu"]]


BAD_CSV = """\
module,name,amount,close_on,owner,stage,amonut
Deals,Alpha Co,5000,2026-12-01,bob,,
Deals,Be,lots,31/12/2026,alcie,,
Deals,Gamma Inc,7000,,,Closed Won,
Dealz,Delta,1,,,,
Deals,Epsilon,100,,,,3
"""


def next_id(ws: Path) -> object:
    """The store's id counter: the JSON store's counters.json, or PostgreSQL's sequence."""
    counters = ws / ".blueprint" / "counters.json"
    if counters.exists():
        return counters.read_bytes()
    from blueprint_cli import workspace

    return workspace.find(ws).store.next_id()


def test_any_bad_row_imports_nothing_and_every_problem_is_listed(ws: Path) -> None:
    (ws / "bad.csv").write_text(BAD_CSV, encoding="utf-8")
    counter = next_id(ws)
    r = run(ws, "record", "import", "bad.csv")
    assert r.code == 1 and r.out == ""
    assert "bad.csv: 4 of 5 rows have problems; nothing was imported:" in r.err
    for line in [
        "row 2 (line 3): amount: 'lots' is not a valid currency: expected a number",
        "row 2 (line 3): close_on: '31/12/2026' is not a valid date: expected a date as YYYY-MM-DD",
        "row 2 (line 3): owner: unknown user 'alcie' (did you mean 'alice'?)",
        "row 2 (line 3): name: 'Be' is not a valid text: must be at least 3 characters long",
        "row 3 (line 4): stage: the state field: a new record starts in its blueprint's entry state",
        "row 4 (line 5): module: no published blueprint governs module 'Dealz' (did you mean 'Deals'?)",
        "row 5 (line 6): amonut: not a field of Deals (did you mean 'amount'?)",
    ]:
        assert line in r.err, line
    assert records(ws) == [] and next_id(ws) == counter
    data = run(ws, "--json", "record", "import", "bad.csv").json()
    assert data["imported"] == 0 and {e["row"] for e in data["errors"]} == {2, 3, 4, 5}  # type: ignore[index]


def test_json_in_both_shapes_and_a_dry_run(ws: Path) -> None:
    rows = [{"module": "Deals", "name": "Flat One", "amount": 2500, "tags": ["x"]},
            {"module": "Deals", "owner": "carol", "fields": {"name": "Nested", "amount": "3,000"}}]
    (ws / "in.json").write_text(json.dumps(rows), encoding="utf-8")
    r = run(ws, "record", "import", "in.json", "--dry-run")
    assert r.code == 0 and "would import 2 records" in r.out and records(ws) == []
    assert run(ws, "record", "import", "in.json").code == 0
    one, two = records(ws)
    assert (one["fields"]["amount"], one["tags"]) == (2500, ["x"])  # type: ignore[index]
    assert (two["owner"], two["fields"]["amount"]) == ("carol", 3000)  # type: ignore[index]


def test_export_then_import_round_trips_the_data(ws: Path) -> None:
    (ws / "deals.csv").write_text(GOOD_CSV, encoding="utf-8")
    run(ws, "record", "import", "deals.csv")
    run(ws, "record", "tag", "2", "hot")
    r = run(ws, "record", "export", "--blueprint", "deal-follow-up", "-o", "out.csv")
    assert r.code == 0 and "wrote 2 records to out.csv" in r.err
    rows = list(csv.DictReader(io.StringIO((ws / "out.csv").read_text())))
    assert list(rows[0])[:9] == ["id", "module", "blueprint", "version", "state", "owner", "tags", "created_at",
                                  "updated_at"]
    # every declared field in declared order, also those no record has a value for yet (reason, competitor)
    assert list(rows[0])[9:] == ["name", "amount", "discount", "probability", "close_on", "signed", "reason",
                                  "competitor"]
    assert (rows[0]["amount"], rows[0]["signed"], rows[0]["tags"], rows[1]["tags"]) == ("5000", "true", "vip, eu", "hot")
    other = ws / "other"
    assert cli("init", "--no-sample", "--nested", str(other)).code == 0
    assert cli("--as", "grace", "publish", str(ws / "blueprints" / "deal-follow-up.yaml"), cwd=other).code == 0
    r = cli("--as", "alice", "record", "import", str(ws / "out.csv"), cwd=other)
    assert r.code == 0 and "imported 2 records" in r.out
    assert "columns blueprint, created_at, id, updated_at, version were ignored" in r.err
    first = cli("--json", "record", "list", cwd=other).json()[0]  # type: ignore[index]
    assert (first["fields"]["amount"], first["owner"], first["tags"]) == (5000, "bob", ["vip", "eu"])

    exported = json.loads(run(ws, "record", "export", "--format", "json", "--where", "tags contains hot").out)
    assert [e["id"] for e in exported] == ["2"] and exported[0]["fields"]["name"] == "Beta Ltd"


@pytest.mark.parametrize(("name", "text", "message"), [
    ("missing.csv", None, "no such file: missing.csv"),
    ("deals.txt", "a,b\n", "cannot tell the format from its name"),
    ("broken.json", '[{"module": "Deals",}]', "broken.json: line 1, column 21: not valid JSON"),
    ("obj.json", '{"module": "Deals"}', "expected a JSON list of records"),
    ("dupes.csv", "name,name\nx,y\n", "column 'name' appears twice"),
])
def test_a_file_that_cannot_be_read_is_a_usage_error(ws: Path, name: str, text: str | None, message: str) -> None:
    if text is not None:
        (ws / name).write_text(text, encoding="utf-8")
    r = run(ws, "record", "import", name)
    assert r.code == 2 and message in r.err and "Traceback" not in r.err


def test_module_and_blueprint_options(ws: Path) -> None:
    (ws / "plain.csv").write_text("name,amount\nAcme Inc,500\nSmall,0\n", encoding="utf-8")
    r = run(ws, "record", "import", "plain.csv")
    assert r.code == 1 and "row 1 (line 2): module: no module: add a `module` column, or pass --module" in r.err
    r = run(ws, "record", "import", "plain.csv", "--blueprint", "deal-follow-up")
    assert r.code == 1 and "row 2 (line 3): does not enter deal-follow-up: entry criteria not met: amount > 0" in r.err
    (ws / "plain.csv").write_text("name,amount\nAcme Inc,500\n", encoding="utf-8")
    assert run(ws, "record", "import", "plain.csv", "--module", "deals").code == 0


def test_tags_added_and_removed_in_the_history(ws: Path) -> None:
    run(ws, "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000")
    r = run(ws, "record", "tag", "1", "vip", "eu")
    assert r.code == 0 and "tags vip, eu" in r.out
    r = run(ws, "record", "tag", "1", "hot", "--remove", "eu", "--remove", "never-there")
    assert r.code == 0 and "tags vip, hot" in r.out
    assert "nothing changed" in run(ws, "record", "tag", "1", "vip").out
    entry = run(ws, "--json", "history", "1").json()[-1]  # type: ignore[index]
    assert (entry["kind"], entry["changes"]) == ("edit", {"tags": [["vip", "eu"], ["vip", "hot"]]})
    assert [r["id"] for r in run(ws, "--json", "record", "list", "--where", "tags contains hot").json()] == ["1"]  # type: ignore[union-attr]
    assert run(ws, "record", "tag", "1", "two words").code == 2
    assert run(ws, "record", "tag", "9", "x").code == 2
    assert run(ws, "record", "tag", "1").code == 2


# ----- all or nothing, whatever the instant of a crash (JSON store; PostgreSQL imports in one transaction) --

def _deals_csv(n: int) -> str:
    return "module,name,amount\n" + "".join(f"Deals,Deal {i},{1000 + i}\n" for i in range(n))


@pytest.mark.json_store_only
def test_an_import_interrupted_after_its_commit_point_is_finished_by_the_next_command(
        ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from blueprint_cli import workspace
    from blueprint_cli.workspace import dataio
    from workspace_helpers import NOW

    (ws / "deals.csv").write_text(_deals_csv(30), encoding="utf-8")
    real_replace = os.replace
    renamed: list[str] = []

    def crash_after_ten(src: object, dst: object) -> None:
        if str(dst).endswith(".json") and "records" in str(dst):
            if len(renamed) == 10:
                raise KeyboardInterrupt  # the process dies here: 10 of 30 files in place
            renamed.append(str(dst))
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", crash_after_ten)
    with pytest.raises(KeyboardInterrupt):
        dataio.import_records(workspace.find(ws), ws / "deals.csv", user="alice", now=NOW)
    monkeypatch.setattr(os, "replace", real_replace)
    assert len(renamed) == 10 and list((ws / ".blueprint" / "locks" / "imports").glob("*.json"))
    # the next command finishes the import: all 30, each once, and the journal is gone
    listed = records(ws)
    assert sorted(r["fields"]["name"] for r in listed) == sorted(f"Deal {i}" for i in range(30))  # type: ignore[index]
    assert not list((ws / ".blueprint" / "locks" / "imports").glob("*.json"))
    assert not list((ws / ".blueprint" / "records").rglob(".*.tmp"))


@pytest.mark.json_store_only
def test_an_import_killed_at_any_instant_imports_all_rows_or_none(ws: Path) -> None:
    import os
    import random
    import signal
    import subprocess
    import sys
    import time

    n = 300
    (ws / "deals.csv").write_text(_deals_csv(n), encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1", "BLUEPRINT_USER": "alice"}
    command = [sys.executable, "-m", "blueprint_cli", "--workspace", str(ws), "record", "import", "deals.csv"]
    t0 = time.monotonic()
    assert subprocess.run(command, cwd=ws, env=env, capture_output=True).returncode == 0
    took = time.monotonic() - t0
    rng = random.Random(3)
    counts = [len(records(ws))]
    journal_seen = 0
    for i in range(8):
        proc = subprocess.Popen(command, cwd=ws, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i % 2 == 0:  # at a random instant
            time.sleep(rng.uniform(0, took))
        else:  # the moment its journal is written: while its files are being renamed into place
            imports = ws / ".blueprint" / "locks" / "imports"
            while proc.poll() is None and not (imports.exists() and any(p.suffix == ".json" for p in imports.iterdir())):
                pass
            journal_seen += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        counts.append(len(records(ws)))  # the next command finishes an import past its commit point
    assert all(b - a in (0, n) for a, b in zip(counts, counts[1:])), counts
    assert journal_seen >= 2
    names = [r["fields"]["name"] for r in records(ws)]  # type: ignore[index]
    assert len(names) == counts[-1] and all(names.count(f"Deal {i}") == counts[-1] // n for i in range(0, n, 37))


def test_import_from_a_device_or_a_folder_says_what_it_is(ws: Path) -> None:
    """/dev/null is no missing file: the message says what it is; a folder is named as one."""
    r = run(ws, "record", "import", "/dev/null")
    assert r.code == 2 and "/dev/null: cannot tell the format from its name" in r.err
    assert "no such file" not in r.err
    r = run(ws, "record", "import", "/dev/null", "--format", "csv")
    assert r.code == 2 and "/dev/null: not a regular file: a character device" in r.err
    r = run(ws, "record", "import", str(ws))
    assert r.code == 2 and f"{ws} is a folder" in r.err

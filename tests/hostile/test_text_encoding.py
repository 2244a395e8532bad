"""Hostile input: text that is not valid UTF-8. A Latin-1 terminal's `caf\\xff`
reaches Python as `'caf\\udcff'` (a surrogate escape); JSON can spell a lone
`"\\ud800"`. Either is refused where it enters (an argument, an imported value,
the name of a file to attach or import) with a message naming it — a usage
error, before anything is written: no file copied, no record id used."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from blueprint_cli.workspace import changes
from blueprint_cli.diagnostics import BlueprintError
from workspace_helpers import deal_workspace, run

NEGOTIATE = ("--set", "close_on=2026-12-31", "--check", "Budget confirmed", "--check", "Decision maker identified",
             "--note", "ok", "--no-input")


def records(folder: Path) -> list[str]:
    return sorted(p.stem for p in (folder / ".blueprint" / "records").rglob("*.json"))


def test_every_way_text_enters_on_the_command_line_refuses_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    deal_workspace(tmp_path)
    assert run(tmp_path, "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000").code == 0
    before = (tmp_path / ".blueprint" / "records").rglob("*.json").__next__().read_bytes()
    for args in [("record", "create", "Deals", "--set", "name=caf\udcff", "--set", "amount=5000"),
                 ("record", "set", "1", "name=caf\udcff"),
                 ("record", "tag", "1", "t\udcff"),
                 ("move", "1", "Negotiate", *NEGOTIATE[:-3], "--note", "caf\udcff", "--no-input"),
                 ("move", "1", "Nego\udce9", "--no-input"),
                 ("--as", "al\udcff", "record", "tag", "1", "vip")]:
        result = run(tmp_path, "--json", *args)  # the error on one line
        assert result.code == 2, (args, result)
        error = json.loads(result.err)["error"]
        assert "is not valid UTF-8 text (the byte 0x" in error and "\\x" in error, (args, error)
    assert records(tmp_path) == ["1"]
    assert next((tmp_path / ".blueprint" / "records").rglob("*.json")).read_bytes() == before
    # no id was used up by the refused create
    assert run(tmp_path, "record", "create", "Deals", "--set", "name=Globex", "--set", "amount=5000").code == 0
    assert records(tmp_path) == ["1", "2"]


def test_an_attachment_named_with_bytes_that_are_not_utf8_is_not_copied(tmp_path: Path) -> None:
    deal_workspace(tmp_path)
    assert run(tmp_path, "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000").code == 0
    name = os.fsdecode(b"contract-\xff.pdf")
    (tmp_path / name).write_bytes(b"%PDF")
    result = run(tmp_path, "move", "1", "Negotiate", "--attach", name, *NEGOTIATE)
    assert result.code == 2, result
    assert "the name of the file to attach: 'contract-\\xff.pdf' is not valid UTF-8 text" in result.err, result
    assert not (tmp_path / ".blueprint" / "attachments").exists() or \
        not any((tmp_path / ".blueprint" / "attachments").rglob("*"))
    assert "Negotiate" not in run(tmp_path, "history", "1").out


def test_a_lone_surrogate_in_imported_json_is_refused_and_nothing_is_imported(tmp_path: Path) -> None:
    deal_workspace(tmp_path)
    rows = [{"module": "Deals", "name": "Acme", "amount": 5000},
            {"module": "Deals", "name": "Glo\ud800bex", "amount": 5000}]
    (tmp_path / "deals.json").write_text(json.dumps(rows), encoding="ascii")  # "\ud800" spelt as JSON does
    result = run(tmp_path, "record", "import", "deals.json")
    assert result.code == 2, result
    assert "deals.json: record 2, name: 'Glo\\ud800bex' is not valid text (a lone surrogate U+D800" in result.err
    assert records(tmp_path) == []
    named = os.fsdecode(b"deals-\xe9.json")
    (tmp_path / named).write_text(json.dumps(rows[:1]), encoding="utf-8")
    result = run(tmp_path, "record", "import", named)
    assert result.code == 2 and "the name of the file to import: 'deals-\\xe9.json'" in result.err, result
    assert run(tmp_path, "record", "create", "Deals", "--set", "name=Initech", "--set", "amount=5000").code == 0
    assert records(tmp_path) == ["1"]


def test_a_record_the_store_cannot_write_uses_up_no_id(tmp_path: Path) -> None:
    """Past the command line (the Python API), the one writer of record files
    refuses the text, and the id taken for the record is given back."""
    ws = deal_workspace(tmp_path)
    for _ in range(2):
        try:
            changes.create(ws, "Deals", {"name": "caf\udcff", "amount": "5000"}, user="alice")
        except BlueprintError as exc:
            assert "record 1 is not written: " in exc.message and "the byte 0xFF" in exc.message
        else:
            raise AssertionError("written")
    assert changes.create(ws, "Deals", {"name": "Acme", "amount": "5000"}, user="alice").record.id == "1"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
       bad=st.one_of(st.integers(0x80, 0xFF).map(lambda b: chr(0xDC00 + b)), st.sampled_from(["\ud800", "\udfff"])),
       after=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8))
def test_any_note_holding_a_surrogate_is_a_usage_error_and_any_other_is_not(tmp_path: Path, before: str,
                                                                             bad: str, after: str) -> None:
    if not (tmp_path / ".blueprint").exists():
        deal_workspace(tmp_path)
        assert run(tmp_path, "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000").code == 0
    refused = run(tmp_path, "--json", "bulk", "Negotiate", "--where", "amount > 0", "--note", before + bad + after,
                  "--dry-run")
    assert refused.code == 2 and "'--note': '" in json.loads(refused.err)["error"], refused
    fine = run(tmp_path, "bulk", "Negotiate", "--where", "amount > 0", "--note", before + after, "--dry-run")
    assert "not valid" not in fine.err and "Traceback" not in fine.err, fine

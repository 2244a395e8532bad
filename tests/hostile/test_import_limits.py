"""Hostile input: a large import. `record import` keeps no file open per row —
the ids are fresh from the counter, so no record lock is needed — so a file
of more rows than the process may open files imports under the default
`ulimit -n`; and a try that fails gives back the ids it took, so the next
one starts where it would have."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from blueprint_cli.store import jsonstore
from workspace_helpers import deal_workspace, run

ROOT = Path(__file__).resolve().parents[2]


def deals_csv(path: Path, rows: int) -> Path:
    path.write_text("module,name,amount\n" + "".join(f"Deals,Deal {i},{1000 + i}\n" for i in range(rows)),
                    encoding="utf-8")
    return path


def test_an_import_of_more_rows_than_open_files_allowed_imports_them_all(tmp_path: Path) -> None:
    deal_workspace(tmp_path)
    deals_csv(tmp_path / "deals.csv", 600)
    limit = ("import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_NOFILE, (200, 200)); "
             "sys.argv = ['blueprint', '--as', 'alice', 'record', 'import', 'deals.csv']; "
             "runpy.run_module('blueprint_cli', run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", limit], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert "imported 600 records (ids 1–600)" in done.stdout, done.stdout
    assert len(list((tmp_path / ".blueprint" / "records").rglob("*.json"))) == 600


def test_a_failed_import_uses_up_no_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deal_workspace(tmp_path)
    deals_csv(tmp_path / "deals.csv", 5)
    real = jsonstore.write_temporary
    calls: list[Path] = []

    def failing(target: Path, data: bytes) -> Path:
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(target, data)

    monkeypatch.setattr(jsonstore, "write_temporary", failing)
    for _ in range(2):
        calls.clear()
        failed = run(tmp_path, "record", "import", "deals.csv")
        assert failed.code == 1 and "No space left on device" in failed.err, failed
    monkeypatch.setattr(jsonstore, "write_temporary", real)
    assert not list((tmp_path / ".blueprint" / "records").rglob("*.json"))
    done = run(tmp_path, "record", "import", "deals.csv")
    assert done.code == 0 and "(ids 1–5)" in done.out, done

"""The report as charts: PNG and SVG files, and the HTML page read back by a
real browser (headless Chromium's --dump-dom): every figure on the page is the
report's."""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from test_report import NOW, sales
from workspace_helpers import run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


class Tables(HTMLParser):
    """Each table's rows (by the table's id) as lists of (text, data-value)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, str | None]]]] = {}
        self.summary: dict[str, str] = {}
        self.external: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "link", "img", "iframe") or (tag == "image" and a.get("href", "").startswith("http")):
            self.external.append(tag)
        if tag == "table":
            self._table = a.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell, self._value = [], a.get("data-value")
        elif tag == "p" and a.get("id") == "summary":
            self.summary = {k: v or "" for k, v in a.items()}

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append(("".join(self._cell).strip(), self._value))
            self._cell = None
        elif tag == "table":
            self._table = None


def dump_dom(page: Path, tmp_path: Path) -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: the HTML report must be read back by a browser")
    profile = tmp_path / "chromium-profile"
    proc = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_the_html_page_shows_the_reports_figures_in_a_browser(tmp_path: Path) -> None:
    sales(tmp_path, misfit=True)
    data = run(tmp_path, "report", "--now", NOW, "--idle", "1d", "--json").json()
    page = tmp_path / "report.html"
    result = run(tmp_path, "report", "--now", NOW, "--idle", "1d", "--format", "html", "-o", str(page))
    assert result.code == 0, result
    dom = dump_dom(page, tmp_path)
    parsed = Tables()
    parsed.feed(dom)
    assert parsed.external == []  # one self-contained file: nothing to fetch
    assert parsed.summary["data-records"] == str(data["records"]) == "4"
    states = {row[0][0].replace(" (final)", ""): row[1:] for row in parsed.tables["states"][1:]}
    assert list(states) == [s["state"] for s in data["states"]]
    for s in data["states"]:
        cells = states[s["state"]]
        assert [float(v) if v else None for _, v in cells] == [
            s["now"], s["entries"], s["left"], s["time_in_state"]["median_seconds"], s["time_in_state"]["p90_seconds"],
            s["time_in_state"]["max_seconds"], s["business_time_in_state"]["median_seconds"],
            s["business_time_in_state"]["p90_seconds"]]
    assert [c[0] for c in states["Lead"]] == ["1", "4", "3", "1d", "2d 18h", "2d 18h", "4h", "8h"]
    funnel = [(row[0][0].replace(" (final)", ""), row[1][1], row[3][0]) for row in parsed.tables["funnel"][1:]]
    assert funnel == [(f["state"], str(f["reached"]), "–" if f["conversion"] is None else
                       f"{f['conversion'] * 100:.0f}%") for f in data["funnel"]["steps"]]
    stuck = [[c[0] for c in row] for row in parsed.tables["stuck"][1:]]
    assert stuck == [["4", "Umbrella", "bob", "Lead", "2d", "2d", "sla, idle"],
                     ["3", "Initech", "alice", "Call", "1d 23h", "1d 23h", "idle"]]
    weeks = [[c[0] for c in row] for row in parsed.tables["throughput"][1:]]
    assert weeks == [["2026-05-04", "5", "2"], ["2026-05-11", "1", "0"]]
    assert "record 5 at 2026-05-11T12:00:00+00:00: transition 'Teleport' is not in version 1" in dom
    # the charts are in the page, as SVG whose text is text
    assert dom.count("<svg") == 2 and "Funnel: of 4 records that entered" in dom


def test_png_and_svg(tmp_path: Path) -> None:
    sales(tmp_path)
    for fmt, magic in (("png", b"\x89PNG\r\n"), ("svg", b"<?xml")):
        out = tmp_path / f"r.{fmt}"
        result = run(tmp_path, "report", "--now", NOW, "--format", fmt, "-o", str(out))
        assert result.code == 0, result
        assert out.read_bytes().startswith(magic)
    svg = (tmp_path / "r.svg").read_text(encoding="utf-8")
    assert "Time in state, calendar" in svg and "1d · p90 2d 18h · 3 stays" in svg


def test_without_matplotlib_a_chart_is_refused_with_what_to_install(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    sales(tmp_path)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    result = run(tmp_path, "report", "--format", "png", "-o", str(tmp_path / "r.png"))
    assert result.code == 2
    assert "matplotlib, which is not installed" in result.err and "crm-blueprint[report]" in result.err
    assert not (tmp_path / "r.png").exists()
    assert run(tmp_path, "report", "--format", "csv").code == 0

"""Reports print: a real browser (Debian's chromium) prints each report to PDF on A4 and
Letter, and every piece of text the page holds is in the PDF, on the page, with no script
error. CI (``.ci/run``) installs chromium and sets WOMSIM_REQUIRE_BROWSER=1, so there a
missing browser fails instead of skipping."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

import womsim as wom
from womsim.analysis.lostrev import counterfactual
from womsim.reporting.report import report

_REQUIRED = os.environ.get("WOMSIM_REQUIRE_BROWSER") == "1"
_TOOLS = {"chromium": shutil.which("chromium"), "pdftotext": shutil.which("pdftotext")}
_MISSING = [k for k, v in _TOOLS.items() if v is None]

if _MISSING and not _REQUIRED:
    pytest.skip(f"print tests need {', '.join(_MISSING)} (apt-get install chromium "
                "poppler-utils; CI installs them)", allow_module_level=True)

#: PDF page sizes in points
PAPER = {"A4": (595.0, 842.0), "Letter": (612.0, 792.0)}
_CELLS = ("td", "th", "p", "li", "dd", "dt", "figcaption", "caption", "h1", "h2")


def test_browser_is_there():
    """In CI the print tests must run: a missing browser is a failure there."""
    assert not _MISSING, f"WOMSIM_REQUIRE_BROWSER=1 but {_MISSING} not installed"


class _Text(HTMLParser):
    """The text of every cell, paragraph and heading of a page (styles skipped)."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []
        self._cur: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self._skip += 1
        if tag in _CELLS:
            self._cur = []

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1
        if tag in _CELLS and self._cur is not None:
            text = "".join(self._cur).strip()
            if text:
                self.pieces.append(text)
            self._cur = None

    def handle_data(self, data):
        if self._cur is not None and not self._skip:
            self._cur.append(data)


def print_pdf(page: Path, paper: str, out: Path) -> str:
    """Print ``page`` on ``paper`` with headless chromium; return its console log."""
    html = page.read_text()
    sized = out.with_suffix(".html")
    sized.write_text(html.replace("</style>", f"@page{{size:{paper}}}</style>", 1))
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run(
            [_TOOLS["chromium"], "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
             "--no-pdf-header-footer", "--enable-logging=stderr", "--v=0",
             f"--print-to-pdf={out}", sized.as_uri()],
            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert out.exists() and out.stat().st_size > 0, r.stderr[-2000:]
    return r.stderr


def check_printed(page: Path, paper: str, out: Path) -> int:
    """Assert the printed page is whole; return its number of pages."""
    log = print_pdf(page, paper, out)
    console = [ln for ln in log.splitlines() if ":CONSOLE" in ln]
    assert not console, f"script errors or console output: {console}"
    bbox = subprocess.run([_TOOLS["pdftotext"], "-bbox", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.S)
    assert pages
    want = PAPER[paper]
    for no, (w, h, body) in enumerate(pages, start=1):
        w, h = float(w), float(h)
        assert abs(w - want[0]) < 2 and abs(h - want[1]) < 2, (paper, w, h)
        for m in re.finditer(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" '
                             r'yMax="([-\d.]+)">(.*?)</word>', body):
            x0, y0, x1, y1 = map(float, m.groups()[:4])
            assert x0 >= 0 and y0 >= 0 and x1 <= w + 0.5 and y1 <= h + 0.5, (
                f"page {no}: '{m.group(5)}' runs off the {paper} page")
    # a browser clips what does not fit: text cut at the edge is missing from the PDF
    raw = subprocess.run([_TOOLS["pdftotext"], "-raw", str(out), "-"], capture_output=True,
                         text=True, check=True).stdout
    flat = re.sub(r"\s+", "", raw)
    parser = _Text()
    parser.feed(page.read_text())
    missing = [t for t in parser.pieces if re.sub(r"\s+", "", t) not in flat]
    assert not missing, f"{len(missing)} of {len(parser.pieces)} texts cut off: {missing[:5]}"
    return len(pages)


@pytest.fixture(scope="module")
def results(tiny_calibration):
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
                                                    "simulation.horizon_years": 0.5})
    iv = wom.Intervention("complaint programme", start="3 months", cost_per_year=5_000,
                          changes={"complaints.resolved": 0.8})
    cmp = wom.compare({"today": sc, "no problems": counterfactual(sc),
                       "programme": sc.with_interventions(iv)}, runs=3, seed=1,
                      executor="serial")
    sens = wom.sensitivity(sc, params=["word_of_mouth.negative_mean",
                                       "complaints.intention_to_action"], runs=3, seed=1,
                           executor="serial")
    return {"lost revenue": wom.lost_revenue(sc, runs=3, seed=1, executor="serial"),
            "comparison": cmp, "sensitivity": sens,
            "sweep": wom.sweep(sc, {"service.problem_rate": [0.05, 0.15],
                                    "complaints.resolved": [0.4, 0.8]}, runs=3, seed=1,
                               executor="serial"),
            "ensemble": cmp.ensembles["today"], "damage": wom.market_damage(sc),
            # the smallest calibration the API allows, shared with test_result_protocol.py
            # (conftest.py runs the two modules on one pytest worker)
            "calibration": tiny_calibration}


@pytest.mark.slow
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_every_report_prints_whole(results, paper, tmp_path):
    # A4 is the narrower page: every report; Letter (wider, shorter): the two longest
    names = list(results) if paper == "A4" else ["lost revenue", "comparison"]
    for name in names:
        res = results[name]
        extra = {"sensitivity": results["sensitivity"]} if name == "comparison" else {}
        out = report(res, tmp_path / name.replace(" ", "_"), formats=["html"], **extra)
        pages = check_printed(out["html"], paper, tmp_path / f"{name}-{paper}.pdf")
        assert pages >= 2, name


@pytest.mark.slow
def test_print_check_catches_cut_text_and_scripts(tmp_path):
    """The checks above can fail: a table wider than the page, and a script error."""
    wide = "<tr>" + "".join(f"<td>column{j}wide{'x' * 30}</td>" for j in range(12)) + "</tr>"
    page = tmp_path / "wide.html"
    page.write_text("<html><head><style>td{white-space:nowrap}</style></head><body>"
                    f"<table>{wide}</table></body></html>")
    with pytest.raises(AssertionError, match="cut off"):
        check_printed(page, "A4", tmp_path / "wide.pdf")
    page.write_text("<html><head><style></style></head><body><p>hi</p>"
                    "<script>undefinedFunction()</script></body></html>")
    with pytest.raises(AssertionError, match="script errors"):
        check_printed(page, "A4", tmp_path / "script.pdf")

"""What womsim writes is safe: hostile strings in every field stay text in HTML reports,
notebook HTML, workbooks and slides (never markup, never a formula)."""

from __future__ import annotations

import re

import openpyxl
import pytest
from pptx import Presentation

import womsim as wom
from womsim.analysis.lostrev import counterfactual
from womsim.reporting.report import report

SCRIPT = '<script>console.error("pwned")</script>'
IMG = '"><img src=x onerror=alert(1)>'
FORMULAS = ('=HYPERLINK("http://evil","click")', "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1+1)", "\tTAB=1+1", "\rCR=1+1")
#: markup that must never appear raw in an HTML page womsim writes
RAW = ("<script", "<img src=x", "<b>bold")


@pytest.fixture(scope="module")
def hostile():
    """Every user string of a scenario and its intervention set to something hostile."""
    sc = wom.Scenario.preset("telecom").replace(**{
        "market.people": 2000, "simulation.horizon_years": 0.5,
        "name": SCRIPT + FORMULAS[0], "description": IMG + FORMULAS[1],
        "economics.currency": "<b>bold</b>" + IMG})
    iv = wom.Intervention(FORMULAS[3] + SCRIPT, start="1 month", cost_per_year=20_000,
                          changes={"complaints.resolved": 0.8})
    named = {FORMULAS[2] + "today": sc, FORMULAS[4] + IMG: counterfactual(sc),
             FORMULAS[5] + "<b>bold</b>": sc.with_interventions(iv)}
    cmp = wom.compare(named, runs=3, seed=1, executor="serial")
    lr = wom.lost_revenue(sc, runs=3, seed=1, executor="serial")
    sw = wom.sweep(sc, {"service.problem_rate": [0.05, 0.15]}, runs=3, seed=1,
                   executor="serial")
    sens = wom.sensitivity(sc, params=["word_of_mouth.negative_mean"], runs=3, seed=1,
                           executor="serial")
    return {"scenario": sc, "comparison": cmp, "lost revenue": lr, "sweep": sw,
            "sensitivity": sens, "ensemble": cmp.ensembles[FORMULAS[2] + "today"],
            "damage": wom.market_damage(sc)}


def _no_raw_markup(text: str, where: str) -> None:
    for bad in RAW:
        assert bad not in text, f"{where}: raw {bad!r} in the HTML"


def test_notebook_html_escapes_every_user_string(hostile):
    for name, obj in hostile.items():
        h = obj._repr_html_()
        _no_raw_markup(h, name)
        assert "&lt;" in h or name == "damage", name  # the hostile text is shown, escaped


def test_html_report_escapes_every_user_string(hostile, tmp_path):
    for name, obj in hostile.items():
        if name == "scenario":
            continue
        out = report(obj, tmp_path / re.sub(r"\W", "_", name), formats=["html"],
                     question=SCRIPT + "why?", scenario=hostile["scenario"]
                     if name == "sensitivity" else None)
        h = out["html"].read_text()
        _no_raw_markup(h, name)
        assert "&lt;script&gt;" in h, name
        # our own markup is still there: the page is escaped, not flattened
        assert "<section" in h and "<table class='wom'>" in h, name


def _all_cells(path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def test_workbook_cells_are_never_formulas(hostile, tmp_path):
    out = report(hostile["comparison"], tmp_path / "cmp", formats=["xlsx"],
                 question=FORMULAS[0])
    seen = set()
    for cell in _all_cells(out["xlsx"]):
        assert cell.data_type != "f", f"{cell.coordinate}: {cell.value!r} is a formula"
        if isinstance(cell.value, str):
            for f in FORMULAS:
                if cell.value.startswith(f):
                    seen.add(f)
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    # the hostile names reached the workbook (as text), so the test tested something
    assert {FORMULAS[0], FORMULAS[2], FORMULAS[4], FORMULAS[5]} <= seen
    # and the check can fail: openpyxl itself would store such text as a formula
    wb = openpyxl.Workbook()
    wb.active["A1"] = FORMULAS[0]
    assert wb.active["A1"].data_type == "f"


def test_slides_show_hostile_text_as_text(hostile, tmp_path):
    out = report(hostile["comparison"], tmp_path / "cmp", formats=["pptx"])
    text = "\n".join(sh.text_frame.text for s in Presentation(out["pptx"]).slides
                     for sh in s.shapes if sh.has_text_frame)
    assert SCRIPT in text or FORMULAS[2] + "today" in text


@pytest.mark.parametrize("name", [SCRIPT, IMG, *FORMULAS, "ok<b>bold</b>", "a=1+1\n"])
def test_hostile_segment_names_are_refused(name):
    """A segment's name is user text: markup and formulas never get in as a name."""
    with pytest.raises(wom.core.errors.ScenarioError, match="segment name"):
        wom.Scenario(segments=[{"name": name, "share": 0.5}, {"name": "b", "share": 0.5}])


@pytest.mark.slow
def test_the_by_segment_part_of_a_report_is_safe(tmp_path):
    """The split by segment carries the scenario's name and currency (in its column
    labels): hostile, they stay text in the page, the workbook and the slides."""
    sc = wom.Scenario(market={"people": 2000}, simulation={"horizon_years": 0.25},
                      name=SCRIPT + FORMULAS[0],
                      economics={"currency": FORMULAS[3] + "<b>bold</b>" + IMG},
                      segments=[{"name": "consumer", "share": 0.8},
                                {"name": "Business-1 x", "share": 0.2}])
    lr = wom.lost_revenue(sc, runs=3, seed=1, executor="serial")
    out = report(lr, tmp_path / "seg")
    h = out["html"].read_text()
    _no_raw_markup(h, "by segment")
    section = h[h.index("6. By segment"):h.index("7. Summary")]
    assert "&lt;b&gt;bold&lt;/b&gt;" in section and "Business-1 x" in section
    wb = openpyxl.load_workbook(out["xlsx"])
    ws = wb["by segment"]
    labels = [c.value for c in ws[1]]
    assert any(FORMULAS[3] in str(v) for v in labels)  # the currency reached the labels
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate}: {cell.value!r}"
    text = "\n".join(sh.text_frame.text for s in Presentation(out["pptx"]).slides
                     for sh in s.shapes if sh.has_text_frame)
    assert "By segment" in text


def test_a_result_table_shown_in_a_notebook_escapes_its_labels():
    """Tables such as by_segment() or by_cause() put the currency (user text) in their
    column labels: a notebook shows it as text."""
    import pandas as pd

    from womsim.views.formatting import formatted

    t = formatted(pd.DataFrame({f"value ({SCRIPT})": [1.0], "name": [IMG]}, index=[SCRIPT]),
                  {f"value ({SCRIPT})": "money"}, "<b>bold</b>")
    h = t._repr_html_()
    _no_raw_markup(h, "formatted table")
    assert "&lt;script&gt;" in h and "&lt;b&gt;bold" in h

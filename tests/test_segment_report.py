"""Reports of a segmented market show a "By segment" section, sheet and slide whose numbers
are the result's own ``by_segment()`` (issue 18.1); an IncidentCost reports and re-runs
(issue 18.3). One small two-segment market, 2,000 people, half a year, 3 paired runs: the
checks are identities, not statistics."""

from __future__ import annotations

import openpyxl
import pytest
from pptx import Presentation

import womsim as wom
from womsim.app.store import load, rerun
from womsim.core.archive import identical
from womsim.reporting.report import SHEETS, report

SEGMENTS = [{"name": "consumer", "share": 0.8},
            {"name": "business", "share": 0.2, "revenue_per_year": 2400.0,
             "problem_rate": 0.08, "observed_annual_churn": 0.2}]
OUTAGE = wom.Incident("outage", raises="problems", multiplier=3, start="6 weeks",
                      duration="3 weeks")


def _market(segments=SEGMENTS):
    return wom.Scenario(market={"people": 2000, "network": "random", "mean_degree": 8.0},
                        simulation={"horizon_years": 0.5}, segments=segments)


@pytest.fixture(scope="module")
def cost():
    return wom.incident_cost(_market(), OUTAGE, runs=3, seed=3, executor="serial")


def _sheet(path, name):
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    return list(rows[0]), [list(r) for r in rows[1:]]


def _slide_titles(path):
    return [s.shapes.title.text for s in Presentation(path).slides if s.shapes.title]


@pytest.mark.slow
def test_an_incident_reports_with_its_split_and_its_damage_over_time(cost, tmp_path):
    out = report(cost, tmp_path / "outage")
    wb = openpyxl.load_workbook(out["xlsx"])
    assert wb.sheetnames == [s for s in SHEETS if s not in ("roi", "tornado")]
    # the workbook's split is by_segment(), and its rows sum to the total
    head, rows = _sheet(out["xlsx"], "by segment")
    t = cost.by_segment().raw()
    assert [r[0] for r in rows] == list(t.index)
    value = head.index("value lost (present value at the start, lifetimes included) (USD)")
    for r in rows:
        assert r[value] == pytest.approx(t.loc[r[0]].iloc[0], rel=1e-12)
    assert sum(r[value] for r in rows[:-1]) == pytest.approx(rows[-1][value], rel=1e-9)
    assert rows[-1][value] == pytest.approx(cost.summary().loc["value_lost", "mean"])
    # the damage over time, step by step, and its chart
    head, rows = _sheet(out["xlsx"], "summary")
    d = cost.damage()
    cum = head.index("cumulative (USD)")
    assert len(rows) == len(d) and rows[-1][cum] == pytest.approx(d["cumulative"].iloc[-1])
    h = out["html"].read_text()
    assert "6. By segment" in h and "7. Summary" in h and "over time" in h
    assert "market level (not split by segment)" in h
    titles = _slide_titles(out["pptx"])
    assert "By segment" in titles and "What 'outage' cost, over time" in titles


@pytest.mark.slow
def test_a_market_of_one_segment_reports_nothing_extra(tmp_path):
    sc = _market(segments=[]).replace(**{"simulation.horizon_years": 0.25})
    out = report(wom.incident_cost(sc, OUTAGE, runs=3, seed=1, executor="serial"),
                 tmp_path / "one")
    assert "by segment" not in openpyxl.load_workbook(out["xlsx"]).sheetnames
    h = out["html"].read_text()
    assert "By segment" not in h and "6. Summary" in h
    assert "By segment" not in _slide_titles(out["pptx"])


@pytest.mark.slow
def test_an_ensemble_and_a_comparison_report_their_split(cost, tmp_path):
    out = report(cost.with_, tmp_path / "ens", formats=["xlsx"])
    head, rows = _sheet(out["xlsx"], "by segment")
    col = head.index("customers at the end (people)")
    assert sum(r[col] for r in rows[:-1]) == rows[-1][col] == pytest.approx(
        cost.with_.runs["customers_end"].mean())
    out = report(cost.comparison, tmp_path / "cmp", formats=["xlsx", "pptx"])
    head, rows = _sheet(out["xlsx"], "by segment")
    assert head[:2] == ["scenario", "segment"]
    gain = head.index("net gain (present value at the start, lifetimes included) (USD)")
    assert rows[-1][gain] == pytest.approx(-cost.summary().loc["value_lost", "mean"])
    assert "By segment" in _slide_titles(out["pptx"])


def test_a_saved_incident_cost_reruns_to_the_same_numbers(cost, tmp_path):
    path = cost.save(tmp_path / "outage.zip")
    back = load(path)
    assert identical(back, cost)
    again = rerun(path, executor="serial", verify=True)
    assert isinstance(again, wom.IncidentCost) and identical(again, cost)
    assert again.damage().equals(cost.damage())
    assert again.by_segment().equals(cost.by_segment())
    # a difference is named, not hidden
    other = wom.IncidentCost(cost.comparison, "outage", share=0.2, level=cost.level)
    assert not identical(other, cost)


def test_a_saved_lost_revenue_reruns_to_the_same_numbers(tmp_path):
    sc = _market(segments=[]).replace(**{"simulation.horizon_years": 0.25})
    lr = wom.lost_revenue(sc, runs=2, seed=1, executor="serial")
    again = rerun(lr.save(tmp_path / "lr.zip"), executor="serial", verify=True)
    assert isinstance(again, wom.LostRevenue) and identical(again, lr)

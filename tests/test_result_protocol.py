"""The result protocol, checked on every result type (like scikit-learn's estimator checks).

Each registered result kind (womsim.core.archive.kinds()) is built on a tiny market and must
offer the same core: summary() a non-empty DataFrame, plot(ax=) drawing on the axes it is
given, _repr_html_ a table, save -> load exactly (same summary), to_csv / to_excel files
that read back to the summary's numbers.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import womsim as wom
from womsim.core.archive import kind_of, kinds
from womsim.core.protocol import Result

TINY = {"market.people": 500, "simulation.horizon_years": 0.25}


@pytest.fixture(scope="module")
def tiny():
    return wom.Scenario.preset("telecom").replace(**TINY)


def _build(kind: str, sc, request):
    run = {"runs": 2, "seed": 1, "executor": "serial"}
    if kind == "Ensemble":
        return wom.simulate(sc, **run)
    if kind == "Comparison":
        return wom.compare({"today": sc, "better": sc.what_if(**{"complaints.resolved": 0.9})},
                           **run)
    if kind == "LostRevenue":
        return wom.lost_revenue(sc, **run)
    if kind == "SweepResult":
        return wom.sweep(sc, {"service.problem_rate": [0.05, 0.15]}, **run)
    if kind == "Sensitivity":
        return wom.sensitivity(sc, params=["word_of_mouth.negative_mean"], **run)
    if kind == "BreakEven":
        return wom.break_even(sc, {"complaints.resolved": 0.9}, **run)
    if kind == "IncidentCost":
        return wom.incident_cost(sc, wom.Incident("fault", raises="problems", multiplier=3,
                                                  start="2 weeks", duration="1 week"), **run)
    if kind == "MarketDamage":
        return wom.market_damage(sc)
    if kind == "Calibration":
        return request.getfixturevalue("tiny_calibration")  # shared (tests/conftest.py)
    raise AssertionError(f"no recipe for the result kind {kind!r}: add one here")


KINDS = ["Ensemble", "Comparison", "LostRevenue", "SweepResult", "Sensitivity", "BreakEven",
         "MarketDamage", "Calibration", "IncidentCost"]


def test_every_registered_kind_is_checked():
    # a new result type must join the contract (and this list)
    assert sorted(kinds()) == sorted(KINDS)


@pytest.fixture(scope="module", params=KINDS)
def result(request, tiny):
    return _build(request.param, tiny, request)


def test_kind_is_the_one_way_to_ask_which_result(result):
    assert kind_of(result) == type(result).kind
    assert kinds()[type(result).kind] is type(result)
    assert isinstance(result, Result)


def test_summary_is_a_non_empty_table(result):
    s = result.summary()
    assert isinstance(s, pd.DataFrame)
    assert s.shape[0] > 0 and s.shape[1] > 0
    num = s.select_dtypes("number")
    assert num.shape[1] > 0 and np.isfinite(num.to_numpy(dtype=float)).any()


def test_plot_draws_on_the_axes_given(result):
    fig, ax = plt.subplots()
    try:
        got = result.plot(ax=ax)
        assert got is ax
        assert ax.has_data() or ax.patches or ax.lines or ax.collections
    finally:
        plt.close(fig)


def test_html_is_a_table(result):
    html = result._repr_html_()
    assert isinstance(html, str) and "<table" in html


def test_save_load_round_trips_exactly(result, tmp_path):
    p = result.save(tmp_path / "r.zip")
    back = wom.load(p)
    assert type(back) is type(result)
    assert type(result).load(p).summary().equals(result.summary())
    pd.testing.assert_frame_equal(pd.DataFrame(back.summary()), pd.DataFrame(result.summary()))
    with pytest.raises(FileExistsError, match="overwrite=True"):
        result.save(p)


def test_save_refuses_a_file_of_another_kind(result, tmp_path):
    other = wom.tarp_worked_example() if kind_of(result) != "MarketDamage" else None
    if other is None:
        pytest.skip("MarketDamage is the other kind here")
    p = other.save(tmp_path / "other.zip")
    with pytest.raises(wom.WomsimError, match="not a"):
        type(result).load(p)


def _numbers(df: pd.DataFrame) -> np.ndarray:
    return df.select_dtypes("number").to_numpy(dtype=float)


def test_to_csv_and_to_excel_write_readable_tables(result, tmp_path):
    s = pd.DataFrame(result.summary())
    # an ensemble's CSV is its per-step records; every other result's is its summary
    table = result.records if kind_of(result) == "Ensemble" else s
    p = result.to_csv(tmp_path / "s.csv")
    back = pd.read_csv(p)
    assert len(back) == len(table)
    np.testing.assert_array_equal(_numbers(back)[:, -_numbers(table).shape[1]:],
                                  _numbers(table))
    x = result.to_excel(tmp_path / "s.xlsx")
    sheets = pd.read_excel(x, sheet_name=None)
    assert next(iter(sheets)) == "summary" and len(sheets["summary"]) == len(s)
    got = _numbers(sheets["summary"])[:, -_numbers(s).shape[1]:]
    want = _numbers(s)
    # Excel leaves NaN cells empty (read back as NaN); every number is kept
    np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)
    with pytest.raises(FileExistsError):
        result.to_excel(x)
    with pytest.raises(FileExistsError):
        result.to_csv(p)

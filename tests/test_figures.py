"""Tests for womsim.figures: the registry of research figures."""

from __future__ import annotations

import dataclasses
import doctest
import math
from pathlib import Path

import pandas as pd
import pytest

from womsim.core import figures
from womsim.core.errors import UnknownKeyError, WomsimError
from womsim.core.figures import FIGURES, Figure

# Every row of the reference table (shared FIGURES.md), copied here on purpose: the package
# and its tests never read the shared notes.
TABLE_KEYS = [
    "negative_tells",
    "negative_tells_tail",
    "positive_tells",
    "acquisition_cost_ratio",
    "service_price_premium",
    "very_dissatisfied_loyalty_drop",
    "us_cost_of_poor_service",
    "avoid_after_poor_service",
    "annual_churn_telecom_finance",
    "complaint_rate",
    "repurchase_by_outcome",
    "recovery_paradox",
    "retention_profit_lever",
    "problem_incidence",
    "act_on_wom",
]
REPURCHASE = {
    "repurchase_small_silent": 0.37,
    "repurchase_small_unresolved": 0.46,
    "repurchase_small_resolved": 0.70,
    "repurchase_small_resolved_quickly": 0.95,
    "repurchase_large_silent": 0.09,
    "repurchase_large_unresolved": 0.19,
    "repurchase_large_resolved": 0.54,
    "repurchase_large_resolved_quickly": 0.82,
}
PUBLISHED = ["negative_deters_prospects_ratio", "positive_to_negative_wom_ratio",
             "recovery_unresolved_loyalty_gap"]
QUALITATIVE = ["revenue_assortativity"]
REVIEWS = ["review_star_revenue", "review_negativity"]  # womsim.core.figures_reviews
DOCS = Path(__file__).resolve().parents[1] / "docs" / "figures.md"


def test_every_reference_row_and_model_figure_is_present():
    expected = set(TABLE_KEYS) | set(REPURCHASE) | set(PUBLISHED) | set(REVIEWS) \
        | set(QUALITATIVE)
    assert set(figures.keys()) == expected
    assert figures.keys()[: 3] == TABLE_KEYS[:3]  # reference-table order is kept


@pytest.mark.parametrize(
    ("key", "value", "low", "high", "status"),
    [
        ("negative_tells", 9, 8, 10, "verified"),
        ("negative_tells_tail", 0.13, 0.13, 0.20, "unverified"),
        ("positive_tells", 3.5, 3, 5, "secondary"),
        ("acquisition_cost_ratio", 5, 2, 20, "secondary"),
        ("act_on_wom", 0.25, None, None, "unverified"),
        ("annual_churn_telecom_finance", 0.25, 0.10, 0.32, "secondary"),
        ("problem_incidence", 0.5, 0.32, 0.74, "secondary"),
        ("negative_deters_prospects_ratio", 4, 4, None, "secondary"),
        ("positive_to_negative_wom_ratio", 3, None, None, "secondary"),
        ("recovery_unresolved_loyalty_gap", 0.12, None, None, "verified"),
        ("recovery_paradox", None, None, None, "verified"),
        ("repurchase_by_outcome", None, 0.09, 0.95, "verified"),
        ("revenue_assortativity", None, None, None, "secondary"),
    ],
)
def test_figure_values(key, value, low, high, status):
    f = figures.get(key)
    assert (f.value, f.low, f.high, f.status) == (value, low, high, status)


def test_repurchase_cells_are_numbers_the_engine_can_use():
    for key, value in REPURCHASE.items():
        f = figures.get(key)
        assert f.value == value
        assert f.status == "verified"
        assert f.unit == "share"
        assert "TARP" in f.source
        assert "intention" in f.caveat
    # The umbrella entry spans its cells.
    umbrella = figures.get("repurchase_by_outcome")
    assert umbrella.low == min(REPURCHASE.values())
    assert umbrella.high == max(REPURCHASE.values())
    # Better outcomes keep more customers; small losses keep more than large ones.
    for size in ("small", "large"):
        row = [REPURCHASE[f"repurchase_{size}_{o}"]
               for o in ("silent", "unresolved", "resolved", "resolved_quickly")]
        assert row == sorted(row)
    for outcome in ("silent", "unresolved", "resolved", "resolved_quickly"):
        assert REPURCHASE[f"repurchase_small_{outcome}"] > REPURCHASE[f"repurchase_large_{outcome}"]


def test_complaint_rate_is_a_share_with_its_reasoning():
    f = figures.get("complaint_rate")
    assert f.unit == "share"
    assert f.value == pytest.approx(1 / 7)  # 1 complainer per 6 silent
    assert f.low <= f.value <= f.high < 1
    assert f.low == pytest.approx(0.02, abs=0.001)  # 1 per 49 silent
    assert f.high == 0.69
    assert "6 silent" in f.caveat and "49" in f.caveat


def test_numeric_model_defaults_are_numbers():
    for key in ("negative_tells", "negative_tells_tail", "positive_tells",
                "acquisition_cost_ratio", "complaint_rate", "act_on_wom",
                "annual_churn_telecom_finance", "problem_incidence", *REPURCHASE, *PUBLISHED):
        assert isinstance(figures.get(key).value, float), key


def test_every_figure_is_documented():
    for f in FIGURES.values():
        for field in ("name", "unit", "quoted", "research", "source", "population", "caveat"):
            assert getattr(f, field).strip(), (f.key, field)
        assert f.status in figures.STATUSES
        assert f.year is None or 1970 <= f.year <= 2030
        if f.value is not None:
            assert math.isfinite(f.value)
        if f.value is not None and f.low is not None:
            assert f.low <= f.value
        if f.value is not None and f.high is not None:
            assert f.value <= f.high


def test_get_unknown_key_lists_close_matches():
    with pytest.raises(UnknownKeyError, match="Did you mean 'negative_tells'") as info:
        figures.get("negativ_tells")
    assert isinstance(info.value, KeyError)  # dict-style handlers keep working
    assert "Known:" in str(info.value)
    with pytest.raises(UnknownKeyError):
        figures.get(42)  # type: ignore[arg-type]


def test_figures_mapping_is_read_only():
    with pytest.raises(TypeError):
        FIGURES["negative_tells"] = FIGURES["positive_tells"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        FIGURES["negative_tells"].value = 99  # type: ignore[misc]


def test_table_shape_order_and_types():
    t = figures.table()
    assert isinstance(t, pd.DataFrame)
    assert t.index.name == "key"
    assert t.index.tolist() == figures.keys()
    assert t.columns.tolist()[:6] == ["name", "value", "low", "high", "unit", "status"]
    assert set(t.columns) == {f.name for f in dataclasses.fields(Figure)} - {"key"}
    assert t["value"].dtype == "float64"
    assert str(t["year"].dtype) == "Int64"
    assert t.loc["act_on_wom", "value"] == 0.25
    assert pd.isna(t.loc["recovery_paradox", "value"])


@pytest.mark.parametrize("status", ["verified", "secondary", "unverified"])
def test_table_filters_by_status(status):
    t = figures.table(status=status)
    assert len(t) > 0
    assert (t["status"] == status).all()
    assert set(t.index) == {k for k, f in FIGURES.items() if f.status == status}


def test_table_rejects_unknown_status():
    with pytest.raises(UnknownKeyError, match="verified"):
        figures.table(status="verifed")


def test_figure_validation():
    good = dict(key="x", name="n", value=0.5, low=0.4, high=0.6, unit="share", quoted="q",
                research="r", source="s", year=2000, population="p", status="verified",
                caveat="c")
    Figure(**good)
    bad_cases = [
        dict(status="true"),
        dict(low=0.7),
        dict(high=0.45),
        dict(low=0.9, high=0.1, value=None),
        dict(value=float("nan")),
        dict(value="9"),
        dict(year=1999.5),
        dict(key="not a key"),
    ]
    for change in bad_cases:
        with pytest.raises(WomsimError, match="figure"):
            Figure(**{**good, **change})


def test_figure_to_dict_round_trip_and_repr():
    f = figures.get("negative_tells")
    assert Figure(**f.to_dict()) == f
    text = repr(f)
    assert "negative_tells" in text and "verified" in text and "9 people" in text
    html = figures.get("repurchase_by_outcome")._repr_html_()
    assert html.startswith("<table>") and "&lt; $5" in html  # escaped


def test_tail_caveat_agrees_with_the_negative_binomial_limit():
    from womsim.model.telling import _peak

    _, peak = _peak(9.0, 20)
    assert peak == pytest.approx(0.138, abs=0.0005)
    assert "13.8%" in figures.get("negative_tells_tail").caveat


def test_docs_page_lists_every_figure():
    text = DOCS.read_text(encoding="utf-8")
    for key in figures.keys():
        assert f"`{key}`" in text, key


def test_package_does_not_read_shared_notes():
    root = Path(figures.__file__).resolve().parents[1]
    sources = sorted(root.rglob("*.py"))
    assert len(sources) > 40
    for path in sources:
        assert "/work/shared" not in path.read_text(encoding="utf-8"), path


def test_module_stays_small():
    assert Path(figures.__file__).stat().st_size < 40_000


def test_docstring_examples_run():
    result = doctest.testmod(figures, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 5
    assert result.failed == 0

"""The by-segment tables add up to their total exactly, to the last bit (issue 18 point 1).

Float sums depend on their order, so "adds up" is checked the way a reader checks it:
``table.drop("total").sum()`` (a Series' sum and a DataFrame's, which numpy orders
differently from eight rows on) equals the ``total`` row with ``==``, column by column,
for two, three and nine segments and two seeds each; the total value stays the headline
(``LostRevenue.total()``) exactly. Before, 39 of 54 such columns missed by 1e-13 to 1e-10.
These are identities, not statistics: a small market (800 people, 0.3 years, 2 runs) has
the same rounding as a large one.
"""

from __future__ import annotations

import warnings

import pytest

import womsim as wom
from womsim.analysis.bysegment import TOTAL, ensemble_by_segment


def _market(k: int) -> wom.Scenario:
    shares = [round(1.0 / k, 6)] * (k - 1)
    shares.append(round(1 - sum(shares), 6))
    segments = [{"name": f"s{i}", "share": share,
                 **({"problem_rate": 0.05 + 0.02 * i, "revenue_per_year": 300.0 * (i + 1)}
                    if i else {})} for i, share in enumerate(shares)]
    return wom.Scenario(market={"people": 800}, simulation={"horizon_years": 0.3},
                        segments=segments)


def _exact(table) -> None:
    raw = table.raw()
    above = raw.drop(TOTAL).fillna(0.0)
    frame = above.sum()
    for col in raw.columns:
        if "CI low" in col or "CI high" in col:  # intervals do not add up
            continue
        total = raw.loc[TOTAL, col]
        assert above[col].sum() == total and frame[col] == total, col


@pytest.mark.parametrize("k", [2, 3, 9])
@pytest.mark.parametrize("seed", [1, 2])
def test_by_segment_tables_add_up_to_their_total_exactly(k, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lost = wom.lost_revenue(_market(k), runs=2, seed=seed, executor="serial")
    t = lost.by_segment()
    _exact(t)
    assert t.raw().loc[TOTAL].iloc[0] == lost.total()["value_lost"]
    _exact(ensemble_by_segment(lost.today))

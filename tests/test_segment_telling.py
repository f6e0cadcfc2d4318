"""Each teller tells with its own segment's telling distributions (issue 18 point 1).

First-hand tellers, retellers (our stories and stories about a rival) and the rival's own
customers all draw how many they tell from the distribution of the segment they belong
to. In a well-mixed market every telling reaches somebody (no friends to run out of), so
a teller who tells at all tells exactly its draw ``K``: the listeners per teller of a wave
have the mean ``E[K | K > 0] = mean / (1 - P(K = 0))`` of its segment's distribution.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import womsim as wom
from womsim.engine.book import MarketBook
from womsim.engine.rivals import _RETELL, _STREAM
from womsim.engine.rng import Streams
from womsim.engine.schedule import schedule, step_params, value_hazard
from womsim.engine.state import State
from womsim.engine.steady import rival_deter_rates
from womsim.engine.step import CUSTOMER, step
from womsim.engine.wordofmouth import _WordOfMouth


def _market() -> wom.Scenario:
    # segment a tells more bad (15, tight: sd 4.8) and more good (10) stories than the
    # market (9 and 3.5); b tells as the market does. Under the market's distributions,
    # a's bad-story tellers would tell 11.1 on average (those who tell at all), not 15.
    return wom.Scenario(
        market={"people": 3000, "network": "well_mixed", "customer_share": 0.3},
        service={"problem_rate": 0.3, "delight_rate": 0.3},
        word_of_mouth={"retell_prob": 0.3, "max_hops": 2, "customer_defect_prob": 0.0},
        simulation={"horizon_years": 0.5},
        segments=[{"name": "a", "share": 0.5, "negative_mean": 15.0, "positive_mean": 10.0},
                  {"name": "b", "share": 0.5}],
        rivals=[{"name": "x", "customer_share": 0.3, "problem_rate": 0.3,
                 "delight_rate": 0.3}])


def _kind(stream: int) -> tuple[str, int]:
    """(who tells, sign) of a wave's stream id (engine.step, wordofmouth and rivals)."""
    if stream >= _RETELL:
        return "rival retold", (stream - _RETELL) // 16 % 2
    if stream >= _STREAM:
        return "rival", (stream - _STREAM) % 2
    if stream >= 2:
        return "our retold", stream // 16
    return "ours", stream


@pytest.fixture(scope="module")
def waves():
    """Listeners per teller, by (who, sign, segment), over one run of the engine."""
    sc = _market()
    n = sc.market.people
    streams = Streams(3)
    params, _ = schedule(sc)
    state = State.initial(sc, n, streams, None)
    tell = _WordOfMouth(None, n, streams)
    tell.log = []
    book = MarketBook(sc, state, len(params), None, value_hazard, step_params)
    for t, p in enumerate(params):
        e = step(state, int((state.status == CUSTOMER).sum()), p, t, streams, tell)
        book.rivals_step(p, t, streams, tell, e)
    out: dict[tuple[str, int, int], list[np.ndarray]] = {}
    for _, stream, src, _, _ in tell.log:
        who, sign = _kind(int(stream))
        tellers, told = np.unique(src, return_counts=True)
        for s in (0, 1):
            out.setdefault((who, sign, s), []).append(told[state.segment[tellers] == s])
    return {k: np.concatenate(v) for k, v in out.items()}, params[0].segments


@pytest.mark.parametrize("who", ["ours", "our retold", "rival", "rival retold"])
def test_every_teller_tells_with_its_own_segments_distribution(waves, who):
    """Per segment and sign, the listeners per teller are within 4 SE of its own
    segment's ``E[K | K > 0]`` (each group holds some 100-2,000 tellers over half a year;
    the market's distribution would put segment a's bad-story tellers 7+ SE off)."""
    told, sg = waves
    for sign, dists in ((0, sg.negative), (1, sg.positive)):
        for s, dist in enumerate(dists):
            k = told[(who, sign, s)]
            assert k.size > 50, (who, sign, s, k.size)
            expect = dist.mean() / (1 - float(dist.pmf(0)))
            se = k.std(ddof=1) / math.sqrt(k.size)
            assert abs(k.mean() - expect) < 4 * se, (who, sign, s, k.mean(), expect, se)


def test_the_steady_start_prices_a_rivals_stories_at_its_customers_segments_telling():
    """At the start, a rival's customers in segment a tell a's 15 bad stories, not the
    market's 9: the rate that deters people from the rival is the segments' weighted sum."""
    sc = _market()
    n = 4000
    seg = np.repeat(np.array([0, 1], dtype=np.int8), n // 2)
    status = np.zeros(n, np.int8)
    status[:300] = 3  # 300 of the rival's customers in a
    status[n // 2: n // 2 + 100] = 3  # and 100 in b
    firm = np.zeros(n, np.int8)
    market = rival_deter_rates(sc, status, firm, 3)[0]
    by_seg = rival_deter_rates(sc, status, firm, 3, seg)[0]
    neg = sc.word_of_mouth.negative_mean
    assert by_seg == pytest.approx(market * (300 * 15.0 + 100 * neg) / (400 * neg), rel=1e-12)

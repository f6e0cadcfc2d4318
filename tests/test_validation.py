"""The validation gallery (docs/validation.md): what the model does against published
findings, with tolerances from the run counts. These tests report the model; they are not
tuned to the findings. Where the model disagrees, the test pins the disagreement, so a change
that alters it fails here and the page is updated with it."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import womsim as wom
from womsim.engine.rng import hash_uniform, run_seeds
from womsim.engine.step import CUSTOMER, run
from womsim.results import headline_metrics
from womsim.runner.simulate import build_network

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "validation.md"


def _se(x: np.ndarray) -> float:
    return float(np.std(x, ddof=1) / math.sqrt(len(x)))


# ------------------------------------------------------------- Goldenberg et al. 2007
def _value_lost(sc, net, runs, seed):
    """Per run: value lost to today's service (paired with its no-problem counterfactual)
    and the negative tellings today."""
    lr = wom.lost_revenue(sc, network=net, runs=runs, seed=seed, executor="serial")
    ens = lr.comparison.ensembles
    lost = ens["counterfactual"].runs["value"] - ens["today"].runs["value"]
    return lost.to_numpy(), ens["today"].runs["neg_tellings"].to_numpy()


@pytest.mark.slow
def test_goldenberg_weak_ties_carry_damage_on_a_clustered_graph():
    """Goldenberg, Libai, Moldovan & Muller (2007): on a clustered (small-world) market,
    weak ties carry much of the damage of bad news, since strong-tie neighbourhoods saturate.
    The same market with a weak-tie share of 0 and of 0.3 (the same seeds): the value lost to
    today's service, and the value lost per negative telling (which strips out that weak ties
    also let more stories be told). In womsim weak ties raise the damage because more of the
    stories are told (a teller tells at most their friends over strong ties); per story told
    the damage falls (a likely reason, not tested here: customers are won through their
    friends, so a friend of a customer is more often a customer than a random person is),
    so the saturation Goldenberg describes is not what moves womsim's answer. The test pins
    both."""
    people, runs = 10_000, 6
    sc = wom.Scenario.preset("telecom").replace(**{
        "market.people": people, "market.network": "small_world", "simulation.horizon_years": 1.0})
    net = build_network(sc, 3)
    out = {}
    for share in (0.0, 0.3):
        s = sc.today(**{"word_of_mouth.weak_tie_share": share})
        out[share] = _value_lost(s, net, runs, seed=11)
    lost0, tell0 = out[0.0]
    lost3, tell3 = out[0.3]
    gap = lost3 - lost0
    per0, per3 = lost0 / tell0, lost3 / tell3
    print(f"value lost: weak 0 {lost0.mean():,.0f}, weak 0.3 {lost3.mean():,.0f} "
          f"(+{gap.mean() / lost0.mean():.1%} +- {_se(gap) / lost0.mean():.1%}); per telling "
          f"{per0.mean():.1f} vs {per3.mean():.1f}")
    assert gap.mean() > 3 * _se(gap)
    d_per = per3 - per0
    assert d_per.mean() < -3 * _se(d_per)


def _extra_bad(share: float, seed: int):
    def pick(status, degree):
        cust = np.flatnonzero(status == CUSTOMER)
        return cust[hash_uniform(seed ^ 0x600D, cust) < share]
    return pick


@pytest.mark.slow
def test_goldenberg_a_small_dissatisfied_share_cuts_value():
    """Goldenberg et al.: negative word of mouth cuts the firm's NPV even when only ~2% of
    customers start dissatisfied. A market with no other problems; 2% of its customers get
    one bad experience at the start (paired with the same market without): the relative drop
    in value, and how much of it word of mouth carries (the drop again with word of mouth
    acting on nobody)."""
    people, runs = 20_000, 10
    sc = wom.Scenario.preset("telecom").replace(**{
        "market.people": people, "market.network": "small_world"}).what_if(
        **{"service.problem_rate": 0.0})
    quiet = sc.replace(**{"word_of_mouth.prospect_deter_prob": 0.0,
                          "word_of_mouth.customer_defect_prob": 0.0})
    net = build_network(sc, 5)
    years = sc.simulation.horizon_years
    drop, own = [], []
    for s in run_seeds(4, runs):
        for scen, into in ((sc, drop), (quiet, own)):
            v0 = headline_metrics(run(scen, net, s), years)["value"]
            v1 = headline_metrics(run(scen, net, s, extra_problems=_extra_bad(0.02, s)),
                                  years)["value"]
            into.append((v0 - v1) / v0)
    drop, own = np.array(drop), np.array(own)
    wom_part = drop - own
    print(f"2% dissatisfied: value -{drop.mean():.2%} +- {_se(drop):.2%}; own experience "
          f"-{own.mean():.2%}; word of mouth -{wom_part.mean():.2%} +- {_se(wom_part):.2%}")
    assert drop.mean() > 3 * _se(drop)
    assert wom_part.mean() > 3 * _se(wom_part)


# ----------------------------------------------------------------- East et al. 2007-2008
@pytest.mark.slow
def test_east_negative_word_of_mouth_per_story_moves_prospects_four_times_customers():
    """East, Hammond & Lomax (2008): negative word of mouth moves prospects far more (>4x)
    than customers. Per story heard, in one step of a well-mixed market (hearings split by
    the market share): the share of prospects deterred against the share of customers who
    leave. This is the model's input (prospect_deter_prob / customer_defect_prob = 4),
    divided by the share of customers with an alternative; the check is that the engine
    realises it."""
    people, runs = 50_000, 60
    sc = wom.Scenario.preset("telecom").replace(**{
        "market.people": people, "market.network": "well_mixed",
        "simulation.horizon_years": 7 / 365}).pinned()
    det = left = h_out = h_cust = 0.0
    for s in run_seeds(1, runs):
        r = run(sc, None, s)
        c0 = r["initial"][1]
        det += r["newly_deterred"][0]
        left += r["defect_wom"][0]
        h_out += r["neg_hearings"][0] * (people - c0) / people
        h_cust += r["neg_hearings"][0] * c0 / people
    w = sc.word_of_mouth
    expected = w.prospect_deter_prob / (w.customer_defect_prob
                                        * (1 - sc.market.no_alternative_share))
    ratio = (det / h_out) / (left / h_cust)
    rel_se = math.sqrt(1 / det + 1 / left)  # Poisson counts
    print(f"per story: prospects {det / h_out:.3f}, customers {left / h_cust:.4f}, ratio "
          f"{ratio:.2f} (input {expected:.2f}, +- {ratio * rel_se:.2f})")
    assert abs(ratio - expected) < 4 * ratio * rel_se


@pytest.mark.slow
def test_east_in_value_the_damage_runs_through_customers_not_prospects():
    """What the per-story ratio means in money: today's value lost split by cause. A deterred
    prospect only waits out the memory (half a year) and would rarely have bought in it
    (marketing hazard 0.12 a year), while a customer who leaves is gone: in the telecom
    preset the value lost through customers who leave on word of mouth is several times that
    of deterred prospects - the opposite of East's finding in money terms. The test pins
    that disagreement (docs/validation.md)."""
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 20_000})
    lr = wom.lost_revenue(sc, runs=8, seed=1, executor="serial")
    cmp = lr.comparison
    today, cf = cmp.ensembles["today"].records, cmp.ensembles["counterfactual"].records
    margin = sc.economics.margin
    by_run = lambda rec, col: rec.groupby("run")[col].sum().to_numpy()  # noqa: E731
    wom_customers = margin * (by_run(today, "value_lost_wom") - by_run(cf, "value_lost_wom"))
    won = ("value_won_marketing", "value_won_winback")
    prospects = margin * sum(by_run(cf, c) - by_run(today, c) for c in won)
    ratio = wom_customers / prospects
    print(f"value lost through customers leaving on word of mouth {wom_customers.mean():,.0f}, "
          f"through deterred prospects {prospects.mean():,.0f}: {ratio.mean():.1f}x "
          f"+- {_se(ratio):.1f}")
    assert prospects.mean() > 3 * _se(prospects)  # deterrence does cost something
    assert ratio.mean() - 3 * _se(ratio) > 1.0


# ---------------------------------------------------------------------------- the page
def test_every_check_the_page_names_exists():
    """Each test the gallery cites is a test that exists (file and function)."""
    text = PAGE.read_text(encoding="utf-8")
    cited = re.findall(r"`(tests/test_\w+\.py)::(test_\w+)`", text)
    assert len(cited) >= 6
    for path, name in cited:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert f"def {name}(" in source, (path, name)

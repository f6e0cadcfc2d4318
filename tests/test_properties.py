"""Property tests (hypothesis) over random valid scenarios and small graphs.

What must hold for every valid input, not only on average:

* conservation every step (``run(..., check=True)`` recounts people and revenue each step),
  and the per-step records add up (contacts = delighted + satisfied + problems, ...);
* counts and money are finite and non-negative (profit and equity may be negative);
* more problems never help: on paired runs (same seed, same network) the first step's
  problems and experience defections can only grow with ``service.problem_rate``; where word
  of mouth cannot move anybody and nobody comes back, the customers of the worse service are
  a subset of the better one's at every step, so its revenue is never higher; with word of
  mouth on, the mean paired difference in revenue is not positive beyond its noise;
* zero-rate limits: no problems -> no problem-driven events; no marketing, win-back or
  referral -> no acquisitions; no contacts -> no contacts.

Every test is derandomized (hypothesis derives its examples from the test itself), so CI
sees the same examples every time.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from womsim import Network, Scenario
from womsim.engine.step import RECORDS, run
from womsim.runner.simulate import build_network

SETTINGS = {"deadline": None, "derandomize": True, "database": None,
            "suppress_health_check": [HealthCheck.too_slow]}

# records that may be negative: profit after costs, and the equity left at the end
SIGNED = {"profit", "discounted_profit", "customer_equity", "equity_alt", "equity_noalt"}
COUNTS = ("prospects", "customers", "former", "deterred", "contacts", "delighted", "satisfied",
          "problems", "silent", "complaints", "resolved_quickly", "resolved", "unresolved",
          "defect_silent", "defect_unresolved", "defect_resolved", "defect_resolved_quickly",
          "defect_experience", "defect_wom", "defect_baseline", "defections", "acq_marketing",
          "acq_referral", "acq_winback", "acquisitions", "newly_deterred", "neg_tellers",
          "pos_tellers", "neg_tellings_strong", "neg_tellings_weak", "pos_tellings_strong",
          "pos_tellings_weak", "neg_hearings", "pos_hearings", "retellers",
          "neg_tellings_silent")


def _share(lo: float = 0.0, hi: float = 1.0) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


PEOPLE = st.integers(200, 2000)


@st.composite
def scenarios(draw, people=PEOPLE, **fixed) -> Scenario:
    """A random valid scenario: small market, a few steps to half a year.

    ``fixed``: ``part__name=value`` (or a strategy) replaces a drawn value.
    """
    customer = draw(_share(0.0, 0.9))
    problem = draw(_share(0.0, 0.6))
    neg = draw(st.one_of(st.just((9.0, 0.13)), st.tuples(_share(0.5, 15.0), st.none())))
    step_days = draw(st.sampled_from([1.0, 3.5, 7.0, 14.0]))
    data = {
        "market": {
            "people": draw(people),
            "network": draw(st.sampled_from(["scale_free", "random", "well_mixed"])),
            "mean_degree": draw(_share(2.0, 12.0)),
            "customer_share": customer,
            "former_share": draw(_share(0.0, 1.0 - customer)),
            "no_alternative_share": draw(_share()),
            "observed_annual_churn": None,
            "baseline_churn": draw(_share(0.0, 1.0)),
            "extra_churn": draw(_share(0.0, 0.5)),
            "marketing_rate": draw(_share(0.0, 2.0)),
            "winback_rate": draw(_share(0.0, 2.0)),
        },
        "service": {
            "contact_rate": draw(_share(0.0, 12.0)),
            "problem_rate": problem,
            "delight_rate": draw(_share(0.0, 1.0 - problem)),
        },
        "complaints": {
            "complain_rate": draw(_share()),
            "resolved": draw(_share()),
            "quick_share": draw(_share()),
            "large_loss_share": draw(_share()),
            "intention_to_action": draw(_share()),
        },
        "word_of_mouth": {
            "negative_mean": neg[0],
            "negative_tail_share": neg[1],
            "positive_mean": draw(_share(0.0, 6.0)),
            "weak_tie_share": draw(_share()),
            "retell_prob": draw(st.sampled_from([0.0, 0.0, 0.3])),
            "max_hops": draw(st.integers(1, 3)),
            "prospect_deter_prob": draw(_share()),
            "customer_defect_prob": draw(_share(0.0, 0.3)),
            "referral_prob": draw(_share(0.0, 0.3)),
            "deter_memory_years": draw(_share(0.0, 1.0)),
        },
        "economics": {
            "revenue_per_year": draw(_share(0.0, 5000.0)),
            "revenue_sigma": draw(_share(0.0, 1.5)),
        },
        "simulation": {
            "step_days": step_days,
            "horizon_years": draw(st.integers(2, 26)) * 7.0 / 365.0,
        },
    }
    for dotted, value in fixed.items():  # part__name=value or a strategy to draw it from
        part, name = dotted.split("__")
        data[part][name] = draw(value) if isinstance(value, st.SearchStrategy) else value
    return Scenario(**data)


def _network(sc: Scenario, seed: int):
    return build_network(sc, seed)


def _check_records(sc: Scenario, rec: dict) -> None:
    n = sc.market.people
    steps = sc.simulation.steps
    for name in RECORDS:
        assert rec[name].shape == (steps,), name
        assert np.isfinite(rec[name]).all(), f"{name} is not finite: {rec[name]}"
        if name not in SIGNED:
            assert (rec[name] >= 0).all(), f"{name} < 0: {rec[name]}"
    for name in COUNTS:
        assert (rec[name] == np.round(rec[name])).all(), f"{name} is not a count"
    # conservation, every step
    assert (rec["prospects"] + rec["customers"] + rec["former"] == n).all()
    assert rec["initial"].sum() == n
    # the records add up
    eq = np.testing.assert_array_equal
    eq(rec["contacts"], rec["delighted"] + rec["satisfied"] + rec["problems"])
    eq(rec["problems"], rec["silent"] + rec["complaints"])
    eq(rec["complaints"], rec["resolved_quickly"] + rec["resolved"] + rec["unresolved"])
    eq(rec["defect_experience"], rec["defect_silent"] + rec["defect_unresolved"]
       + rec["defect_resolved"] + rec["defect_resolved_quickly"])
    eq(rec["defections"], rec["defect_experience"] + rec["defect_wom"]
       + rec["defect_baseline"])
    eq(rec["acquisitions"], rec["acq_marketing"] + rec["acq_referral"] + rec["acq_winback"])
    assert (rec["contacts"] <= np.r_[rec["initial"][1], rec["customers"][:-1]]).all()
    # customers flow: last step's customers + acquisitions - defections
    before = np.r_[rec["initial"][1], rec["customers"][:-1]]
    eq(rec["customers"], before + rec["acquisitions"] - rec["defections"])
    # money adds up
    np.testing.assert_allclose(rec["margin"], rec["revenue"] * sc.economics.margin,
                               rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(
        rec["profit"], rec["margin"] - rec["acquisition_spend"] - rec["service_cost"]
        - rec["intervention_cost"], rtol=1e-9, atol=1e-6)


# ------------------------------------------------------------------------- conservation
@settings(max_examples=40, **SETTINGS)
@given(sc=scenarios(), seed=st.integers(0, 2**32))
def test_conservation_and_signs(sc, seed):
    rec = run(sc, _network(sc, seed), seed, check=True)
    _check_records(sc, rec)


@st.composite
def small_graphs(draw) -> Network:
    """Any small graph: isolated people, several components, stars, duplicate edges."""
    n = draw(st.integers(10, 60))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                          max_size=4 * n))
    u = [a for a, _ in pairs]
    v = [b for _, b in pairs]
    return Network.from_edges(np.array(u, dtype=np.int64), np.array(v, dtype=np.int64), n=n)


@settings(max_examples=40, **SETTINGS)
@given(net=small_graphs(), sc=scenarios(people=st.just(10)), seed=st.integers(0, 2**32))
def test_conservation_on_small_graphs(net, sc, seed):
    sc = sc.replace(**{"market.people": net.n})
    rec = run(sc, net, seed, check=True)
    _check_records(sc, rec)


# --------------------------------------------------------------------------- monotone
# problems that matter: customers get in touch and act on a bad experience
EVENTFUL = {"service__contact_rate": _share(1.0, 12.0),
            "complaints__intention_to_action": _share(0.3, 1.0),
            "market__no_alternative_share": _share(0.0, 0.5)}


@settings(max_examples=30, **SETTINGS)
@given(sc=scenarios(**EVENTFUL), p=st.tuples(_share(0.0, 0.6), _share(0.0, 0.6)),
       seed=st.integers(0, 2**32))
def test_first_step_counts_are_monotone_in_problem_rate(sc, p, seed):
    """Same seed, same network, same people at the start: a higher problem rate turns
    some satisfied contacts into problems and changes nothing else in the first step, so
    every problem-driven count can only grow (deterministic, not on average)."""
    lo, hi = sorted(p)
    d = min(sc.service.delight_rate, 1.0 - hi)
    sc = sc.replace(**{"service.delight_rate": d})
    net = _network(sc, seed)
    a = run(sc.replace(**{"service.problem_rate": lo}), net, seed)
    b = run(sc.replace(**{"service.problem_rate": hi}), net, seed)
    for name in ("contacts", "delighted"):
        assert a[name][0] == b[name][0], name
    # baseline churn draws are the same; fewer are left to churn once more left over service
    assert a["defect_baseline"][0] >= b["defect_baseline"][0]
    for name in ("problems", "silent", "complaints", "resolved_quickly", "resolved",
                 "unresolved", "defect_silent", "defect_unresolved", "defect_resolved",
                 "defect_resolved_quickly", "defect_experience", "neg_tellers"):
        assert a[name][0] <= b[name][0], name
    # the satisfied are those who got neither: they can only shrink
    assert a["satisfied"][0] >= b["satisfied"][0]


@settings(max_examples=30, **SETTINGS)
@given(sc=scenarios(market__winback_rate=0.0, word_of_mouth__prospect_deter_prob=0.0,
                    word_of_mouth__customer_defect_prob=0.0, word_of_mouth__referral_prob=0.0,
                    **EVENTFUL),
       p=st.tuples(_share(0.0, 0.6), _share(0.0, 0.6)), seed=st.integers(0, 2**32))
def test_more_problems_never_raise_revenue_pathwise(sc, p, seed):
    """Where word of mouth moves nobody and the former never return, a customer of the worse
    service is, at every step, also a customer of the better one (same luck, one more way
    to leave): customers and revenue can only be lower, run by run."""
    lo, hi = sorted(p)
    sc = sc.replace(**{"service.delight_rate": min(sc.service.delight_rate, 1.0 - hi)})
    net = _network(sc, seed)
    a = run(sc.replace(**{"service.problem_rate": lo}), net, seed)
    b = run(sc.replace(**{"service.problem_rate": hi}), net, seed)
    assert (b["customers"] <= a["customers"]).all()
    assert (b["revenue"] <= a["revenue"] * (1 + 1e-12) + 1e-9).all()
    assert (b["defect_experience"].sum() >= a["defect_experience"].sum())
    np.testing.assert_array_equal(a["acq_marketing"], b["acq_marketing"])


@settings(max_examples=8, **SETTINGS)
@given(sc=scenarios(people=st.integers(500, 1500), word_of_mouth__referral_prob=0.0,
                    **EVENTFUL),
       lo=_share(0.0, 0.3), gap=_share(0.1, 0.3), seed=st.integers(0, 2**32))
def test_more_problems_never_raise_mean_revenue(sc, lo, gap, seed):
    """With word of mouth on (deterring prospects, moving customers), a worse service still
    does not earn more on average. Positive word of mouth is off (referral_prob = 0): with it
    on, a recovered complainer's referrals can outweigh the problem (the recovery paradox),
    so "never" would not be a property of the model.

    The mean of the paired differences over runs must not be above zero by more than four
    standard errors of those differences (exactly zero when problems change nothing)."""
    hi = lo + gap
    sc = sc.replace(**{"service.delight_rate": min(sc.service.delight_rate, 1.0 - hi)})
    net = _network(sc, seed)
    runs = 6
    diff = []
    for r in range(runs):
        a = run(sc.replace(**{"service.problem_rate": lo}), net, seed + r)
        b = run(sc.replace(**{"service.problem_rate": hi}), net, seed + r)
        diff.append(b["revenue"].sum() - a["revenue"].sum())
    diff = np.array(diff)
    se = diff.std(ddof=1) / np.sqrt(runs)
    scale = sc.economics.revenue_per_year * sc.market.people
    assert diff.mean() <= 4 * se + 1e-9 * scale, (diff, se)


# --------------------------------------------------------------------- zero-rate limits
@settings(max_examples=20, **SETTINGS)
@given(sc=scenarios(service__problem_rate=0.0), seed=st.integers(0, 2**32))
def test_no_problems_no_problem_events(sc, seed):
    rec = run(sc, _network(sc, seed), seed, check=True)
    for name in ("problems", "silent", "complaints", "resolved_quickly", "resolved",
                 "unresolved", "defect_experience", "neg_tellers", "neg_tellings_strong",
                 "neg_tellings_weak", "neg_tellings_silent", "neg_hearings", "newly_deterred",
                 "defect_wom", "value_lost_experience", "value_lost_wom", "problem_share"):
        assert (rec[name] == 0).all(), name


@settings(max_examples=20, **SETTINGS)
@given(sc=scenarios(market__marketing_rate=0.0, market__winback_rate=0.0,
                    word_of_mouth__referral_prob=0.0), seed=st.integers(0, 2**32))
def test_no_marketing_winback_or_referral_no_acquisitions(sc, seed):
    rec = run(sc, _network(sc, seed), seed, check=True)
    for name in ("acquisitions", "acq_marketing", "acq_referral", "acq_winback",
                 "acquisition_spend", "value_won_marketing", "value_won_referral",
                 "value_won_winback"):
        assert (rec[name] == 0).all(), name
    customers = np.r_[rec["initial"][1], rec["customers"]]
    assert (np.diff(customers) <= 0).all()  # nobody joins
    assert (np.diff(rec["prospects"]) == 0).all()


@settings(max_examples=20, **SETTINGS)
@given(sc=scenarios(service__contact_rate=0.0), seed=st.integers(0, 2**32))
def test_no_contacts_no_contacts(sc, seed):
    rec = run(sc, _network(sc, seed), seed, check=True)
    for name in ("contacts", "delighted", "satisfied", "problems", "complaints",
                 "defect_experience", "neg_tellers", "pos_tellers", "neg_hearings",
                 "pos_hearings", "acq_referral", "defect_wom"):
        assert (rec[name] == 0).all(), name


@pytest.mark.parametrize("kind", ["scale_free", "random", "well_mixed"])
def test_same_seed_same_numbers(kind):
    """A property the others rest on: a run is a function of (scenario, network, seed)."""
    sc = Scenario().replace(**{"market.people": 500, "market.network": kind,
                               "simulation.horizon_years": 0.2})
    net = _network(sc, 3)
    a, b = run(sc, net, 11), run(sc, net, 11)
    for name in RECORDS:
        np.testing.assert_array_equal(a[name], b[name])

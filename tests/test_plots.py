"""Plots: ax in, axes out, one style, no plt.show(); the word-of-mouth picture is the engine's."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch

import womsim as wom
from womsim import plots
from womsim.engine import run
from womsim.errors import WomsimError


@pytest.fixture(autouse=True)
def _no_show(monkeypatch):
    def show(*_a, **_k):
        raise AssertionError("plots must never call plt.show()")

    monkeypatch.setattr(plt, "show", show)
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sw(sc):
    return wom.sweep(sc, {"service.problem_rate": [0.05, 0.15]}, runs=2, seed=1,
                     executor="serial")


@pytest.fixture(scope="module")
def tor(sc):
    return wom.sensitivity(sc, params=["word_of_mouth.negative_mean",
                                       "complaints.intention_to_action"], runs=2, seed=1,
                           executor="serial")


def _styled(ax) -> bool:
    return not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()


# --------------------------------------------------------------------------- style
def test_style_is_local_not_global(lr, sw, tor):
    before = dict(matplotlib.rcParams)
    plots.plot_timeseries(lr.comparison, "revenue")
    plots.plot_waterfall(lr.by_cause())
    plots.plot_tornado(tor)
    plots.plot_sweep(sw)
    plots.plot_damage(wom.market_damage(lr.today.scenario))
    after = dict(matplotlib.rcParams)
    assert {k: v for k, v in after.items() if before.get(k) != v} == {}


def test_money_and_percent_axes():
    ax = plt.figure().add_subplot()
    plots.money_axis(ax)
    plots.percent_axis(ax, "x", decimals=0)
    assert ax.yaxis.get_major_formatter()(2_500_000) == "2.5m"
    assert ax.yaxis.get_major_formatter()(350_000) == "350.0k"
    assert ax.xaxis.get_major_formatter()(0.4) == "40%"


def test_series_colors_are_stable():
    c = plots.series_colors(["today", "a", "b"])
    assert c["today"] == plots.SERIES[0] and len(set(c.values())) == 3


# --------------------------------------------------------------------------- time series
def test_timeseries_one_line_and_band_per_scenario(lr):
    _, ax = plt.subplots()
    out = plots.plot_timeseries(lr.comparison, "revenue", ax=ax)
    assert out is ax
    assert [ln.get_label() for ln in ax.get_lines()] == ["today", "counterfactual"]
    assert len(ax.collections) == 2  # one band each
    assert ax.get_ylabel() == "revenue (USD per week)"
    assert ax.yaxis.get_major_formatter()(1_500_000) == "1.5m"
    assert _styled(ax)
    # a single ensemble, a dict and a LostRevenue all work
    assert plots.plot_timeseries(lr.today, "customers").get_ylabel() == "customers"
    assert len(plots.plot_timeseries(lr, "customers").get_lines()) == 2
    ax = plots.plot_timeseries({"x": lr.today}, "problem_share")
    assert ax.yaxis.get_major_formatter()(0.15).startswith("15")
    assert ax.yaxis.get_major_formatter()(0.15).endswith("%")


def test_overview_customers_and_revenue(lr):
    axes = plots.plot_overview(lr.comparison)
    assert [a.get_title(loc="left") for a in axes] == ["Customers over time",
                                                        "Revenue over time"]
    _, ax2 = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="3 metrics need 3 axes"):
        plots.plot_overview(lr.comparison, metrics=("customers", "revenue", "profit"),
                            axes=ax2)


# --------------------------------------------------------------------------- waterfall
def test_waterfall_colours_and_total(lr):
    bc = lr.by_cause()
    ax = plots.plot_waterfall(bc, title="by cause", currency="USD")
    shown = [c for c in bc.index if c != "total" and bc.loc[c, "mean"] != 0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == [*shown, "total"]
    bars = ax.patches
    assert len(bars) == len(shown) + 1
    for cause, bar in zip(shown, bars, strict=False):
        want = plots.PALETTE["gain"] if bc.loc[cause, "mean"] >= 0 else plots.PALETTE["loss"]
        assert to_hex(bar.get_facecolor()) == want
    assert to_hex(bars[-1].get_facecolor()) == plots.PALETTE["ink"]
    assert bars[-1].get_height() == pytest.approx(bc.loc["total", "mean"])
    # the bars end where the total is: the causes add up
    last = bars[len(shown) - 1]
    assert last.get_y() + last.get_height() == pytest.approx(bc.loc["total", "mean"])
    assert ax.get_ylabel() == "value, present value (USD)" and _styled(ax)


def test_lostrev_waterfall_signature_kept(lr):
    from womsim.lostrev import plot_waterfall

    ax = plot_waterfall(lr.by_cause(), ax=None, title="t")
    assert ax.get_xticklabels()[-1].get_text() == "total"


# --------------------------------------------------------------------------- tornado, sweep
def test_tornado_widest_on_top(tor):
    ax = plots.plot_tornado(tor, currency="USD")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    t = tor.table()
    assert labels[-1].startswith(t.index[0])  # widest swing drawn at the top
    assert any("*" in lab for lab in labels)  # illustrative intention_to_action flagged
    assert ax.get_xlabel() == "value lost (USD)"
    with pytest.raises(ValueError, match="base"):
        plots.plot_tornado(t)
    assert plots.plot_tornado(t, base=tor.base, metric="x").get_xlabel() == "x"


def test_sweep_curve(sw):
    ax = plots.plot_sweep(sw, "profit")
    line = ax.get_lines()[0]
    assert list(line.get_xdata()) == [0.05, 0.15]
    assert ax.get_xlabel() == "service.problem_rate" and ax.get_ylabel() == "profit (USD)"
    assert ax.xaxis.get_major_formatter()(0.1).endswith("%")
    assert len(ax.collections) == 1 and _styled(ax)


# --------------------------------------------------------------------------- desk, damage
def test_load_curve():
    desk = wom.ServiceDesk(agents=2)
    ax = plots.plot_load_curve(desk, loads=[0, 20_000, 40_000], days=1, mark=25_000)
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert labels[:4] == ["problem share", "service level", "utilisation", "abandoned"]
    curve = desk.load_curve(loads=[0, 20_000, 40_000], days=1)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), curve["problem"])
    assert ax.yaxis.get_major_formatter()(0.5) == "50%"
    assert ax.get_ylim() == (0, 1.05)


def test_damage_bars():
    dmg = wom.market_damage(wom.Scenario.preset("telecom"))
    ax = plots.plot_damage(dmg)
    widths = [p.get_width() for p in ax.patches]
    assert widths[0] == pytest.approx(dmg.lost_directly)
    assert widths[-1] == pytest.approx(-dmg.referrals)
    assert "revenue at risk" in ax.get_title(loc="left")


# --------------------------------------------------------------------------- word of mouth
_COUNTS = ("neg_tellings_strong", "neg_tellings_weak", "pos_tellings_strong",
           "pos_tellings_weak", "defect_experience", "defect_wom", "newly_deterred",
           "acq_referral", "neg_hearings", "pos_hearings", "customers")


@pytest.mark.parametrize("case", ["demo", "telecom", "retelling"])
def test_trace_is_the_engine(case):
    """The picture's tellings are the engine's: same counts, step by step, as run()."""
    net = wom.Network.scale_free(300, m=3, seed=4)
    if case == "demo":
        sc = plots.demo_scenario(300)
    elif case == "telecom":
        sc = wom.Scenario.preset("telecom").replace(**{"market.people": 300,
                                                       "service.contact_rate": 20.0})
    else:
        sc = plots.demo_scenario(300).replace(**{"word_of_mouth.retell_prob": 0.3,
                                                 "word_of_mouth.max_hops": 3})
    steps = 4
    tr = plots.word_of_mouth_trace(net, sc, seed=11, steps=steps)
    rec = run(tr.scenario, net, 11)
    for col in _COUNTS:
        assert tr.counts[col].tolist() == rec[col][:steps].astype(int).tolist(), col
    t = tr.tellings
    first = t[t["hop"] == 1]
    for step in range(steps):
        s = first[first["step"] == step]
        neg, pos = s[s["sign"] == "negative"], s[s["sign"] == "positive"]
        assert (neg["tie"] == "strong").sum() == tr.counts.loc[step, "neg_tellings_strong"]
        assert (pos["tie"] == "weak").sum() <= tr.counts.loc[step, "pos_tellings_weak"]
        assert len(t[(t["step"] == step) & (t["sign"] == "negative")]) == \
            tr.counts.loc[step, "neg_hearings"]
    # strong tellings go along edges, weak ones to somebody else
    strong = t[t["tie"] == "strong"]
    assert net.has_edge(strong["teller"].to_numpy(), strong["listener"].to_numpy()).all()
    assert (t["teller"] != t["listener"]).all()
    assert set(first["group"]) <= {"silent", "unresolved", "delighted", "resolved",
                                   "resolved_quickly"}
    neg_groups = set(first.loc[first["sign"] == "negative", "group"])
    assert neg_groups <= {"silent", "unresolved"}
    if case == "retelling":
        assert (t["hop"] > 1).any() and set(t.loc[t["hop"] > 1, "group"]) == {"retold"}


def test_logged_tellings_are_the_engines():
    from womsim.engine import _telling, _WordOfMouth
    from womsim.rng import Streams

    net = wom.Network.small_world(200, k=4, seed=3)
    tellers = np.array([1, 5, 17, 40, 99, 150], dtype=np.int64)
    tel = _telling(9.0, 20, 0.13, None)
    ref = _WordOfMouth(net, net.n, Streams(5)).tell(tellers, tel, 0.2, 3, 0)[0]
    logged = _WordOfMouth(net, net.n, Streams(5))
    logged.log = []
    dst = logged.tell(tellers, tel, 0.2, 3, 0)[0]
    (step, stream, src, listeners, weak), = logged.log
    np.testing.assert_array_equal(dst, ref)  # logging does not change the draws
    np.testing.assert_array_equal(listeners, ref)
    assert (step, stream) == (3, 0) and src.size == ref.size
    assert set(src) <= set(tellers) and weak.dtype == bool
    strong = ~weak
    assert net.has_edge(src[strong], listeners[strong]).all()


def test_word_of_mouth_picture():
    net = wom.Network.small_world(150, k=6, seed=2)
    tr = plots.word_of_mouth_trace(net, seed=2)
    ax = plots.plot_word_of_mouth(net, seed=2)
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    red = [a for a in arrows if to_hex(a.get_edgecolor()) == plots.PALETTE["negative"]]
    green = [a for a in arrows if to_hex(a.get_edgecolor()) == plots.PALETTE["positive"]]
    n_neg = int((tr.tellings["sign"] == "negative").sum())
    n_pos = int((tr.tellings["sign"] == "positive").sum())
    assert n_neg > 0 and n_pos > 0
    assert (len(red), len(green)) == (n_neg, n_pos)
    labels = ax.get_legend().get_texts()
    text = [t.get_text() for t in labels]
    for want in ("negative telling", "positive telling", "unhappy customer telling",
                 "happy customer telling"):
        assert want in text
    if tr.people["deterred"].any():
        assert "prospect deterred" in text
    assert "unhappy customers told" in "".join(t.get_text() for t in ax.texts)
    assert not ax.axison


def test_word_of_mouth_inputs(monkeypatch):
    G = nx.karate_club_graph()
    ax = plots.plot_word_of_mouth(G, seed=1, steps=2)
    assert ax.get_title(loc="left").startswith("Word of mouth over 60 days on 34 people")
    tr = plots.word_of_mouth_trace(None, seed=1)
    assert len(tr.people) == 150
    with pytest.raises(WomsimError, match="small graphs"):
        plots.plot_word_of_mouth(wom.Network.random(2_500, mean_degree=4, seed=1))
    with pytest.raises(WomsimError, match="steps"):
        plots.word_of_mouth_trace(steps=0)
    with pytest.raises(TypeError, match="Network"):
        plots.word_of_mouth_trace(network="net")
    # a scenario of another size is resized to the network
    tr = plots.word_of_mouth_trace(G, wom.Scenario.preset("telecom"), seed=1)
    assert tr.scenario.market.people == 34
    assert isinstance(tr.people, pd.DataFrame) and tr.people.index.name == "person"

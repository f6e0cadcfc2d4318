"""Plots: ax in, axes out, one style, no plt.show(); the word-of-mouth picture is the engine's."""

from __future__ import annotations

import itertools

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
from womsim.core.errors import WomsimError
from womsim.engine.step import run


@pytest.fixture(autouse=True)
def _no_show(monkeypatch):
    def show(*_a, **_k):
        raise AssertionError("plots must never call plt.show()")

    monkeypatch.setattr(plt, "show", show)
    yield
    plt.close("all")


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
    assert ax.yaxis.get_major_formatter()(350_000) == "350k"
    assert ax.yaxis.get_major_formatter()(25_000) == "25,000"
    assert ax.xaxis.get_major_formatter()(0.4) == "40%"
    # ticks close together keep the decimals that tell them apart
    f = plots.MoneyFormatter()
    f.set_locs([2.80e6, 2.85e6, 2.90e6, 2.95e6])
    assert [f(x) for x in f.ticks] == ["2.80m", "2.85m", "2.90m", "2.95m"]
    f.set_locs([160_000, 180_000, 200_000])
    assert [f(x) for x in f.ticks] == ["160k", "180k", "200k"]
    f.set_locs([-20_000, 0, 20_000, 40_000])
    assert [f(x) for x in f.ticks] == ["-20,000", "0", "20,000", "40,000"]


def test_series_colors_are_stable():
    c = plots.series_colors(["today", "a", "b"])
    assert c["today"] == plots.SERIES[0] and len(set(c.values())) == 3


def test_parameter_labels_in_words():
    assert plots.label("desk.agents") == "agents at the service desk"
    assert plots.label("market.winback_rate") == "winback rate (market)"
    assert plots.label("plain") == "plain"


def test_a_callers_title_replaces_the_house_title(lr):
    """Notebook 01 sets its own title on a house-styled panel: one title, no overprint."""
    _, axes = plt.subplots(1, 3, figsize=(15, 4), layout="constrained")
    lr.today.plot("defections", ax=axes[0])
    axes[0].set_title("customers lost per step (7 days)")
    plots.plot_waterfall(lr.by_cause(), ax=axes[1], title="house")
    axes[1].set(title="set through ax.set")
    plots.plot_tornado(lr.by_cause().assign(low=1.0, high=2.0, at_low=1.0, at_high=2.0,
                                            swing=1.0, status="verified"), base=1.5,
                       ax=axes[2])
    axes[2].set_title("right-hand title", loc="right")
    for ax, want in zip(axes, ["customers lost per step (7 days)", "set through ax.set",
                               "right-hand title"], strict=True):
        shown = [ax.get_title(loc=loc) for loc in ("left", "center", "right")]
        assert shown == [want, "", ""]
    _assert_no_overlap(axes[0].figure)


# --------------------------------------------------------------------------- legibility
def _texts(ax):
    """The texts a reader must be able to read: titles, subtitle and notes, axis labels."""
    titles = [t for t in (ax._left_title, ax.title, ax._right_title) if t.get_text()]
    return titles, [t for t in ax.texts if t.get_text() and t.get_visible()], [
        t for t in (ax.xaxis.label, ax.yaxis.label) if t.get_text()]


def _ticks(axis):
    """The tick labels drawn: visible, with text, at a tick inside the view."""
    lo, hi = sorted(axis.get_view_interval())
    span = hi - lo
    return [tk.label1 for tk in axis.get_major_ticks()
            if tk.label1.get_visible() and tk.label1.get_text()
            and lo - 1e-9 * span <= tk.get_loc() <= hi + 1e-9 * span]


def _rotated_outline(t, r):
    """A rotated text's own rectangle (its axis-aligned extent is much larger)."""
    from matplotlib.path import Path

    ext = t.get_window_extent(r)
    w, h, _ = r.get_text_width_height_descent(t.get_text(), t.get_fontproperties(), False)
    th = np.radians(t.get_rotation() % 180)
    u, v = np.array([np.cos(th), np.sin(th)]), np.array([-np.sin(th), np.cos(th)])
    p0 = np.array([ext.x0 + h * np.sin(th), ext.y0]) if th <= np.pi / 2 else \
        np.array([ext.x1, ext.y0 + h * abs(np.cos(th))])
    return Path([p0, p0 + w * u, p0 + w * u + h * v, p0 + h * v, p0], closed=True)


def _assert_no_overlap(fig):
    """Render to PNG, then compare text extents: no title, subtitle, note, axis label or
    tick label overlaps another, tick labels along an axis do not touch or repeat."""
    import io

    fig.savefig(io.BytesIO(), format="png", dpi=80)
    r = fig.canvas.get_renderer()
    boxes = []
    for k, ax in enumerate(fig.axes):
        titles, notes, labels = _texts(ax)
        for t in [*titles, *notes, *labels]:
            boxes.append((k, "text", t))
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            ticks = _ticks(axis)
            texts = [t.get_text() for t in ticks]
            assert len(set(texts)) == len(texts), f"repeated {name} tick labels: {texts}"
            rot = [abs(t.get_rotation()) % 180 for t in ticks]
            if ticks and any(rot):
                # rotated labels lie on parallel lines: those lines must be a text height apart
                pos = sorted(t.get_window_extent(r).x1 for t in ticks)
                height = max(t.get_fontsize() for t in ticks) * fig.dpi / 72
                gap = min((b - a for a, b in itertools.pairwise(pos)), default=1e9)
                assert gap * np.sin(np.radians(rot[0])) >= height, f"{name} ticks {texts}"
            else:
                ext = sorted((t.get_window_extent(r) for t in ticks),
                             key=lambda b: b.x0 if name == "x" else b.y0)
                for a, b in itertools.pairwise(ext):
                    assert not a.overlaps(b), f"{name} tick labels overlap: {texts}"
            for t in ticks:
                boxes.append((k, f"tick{name}{'r' if any(rot) else ''}", t))
    for i, (ka, kind_a, a) in enumerate(boxes):
        for kb, kind_b, b in boxes[i + 1:]:
            if kind_a.startswith("tick") and kind_a == kind_b and ka == kb:
                continue  # checked above, along the axis
            if kind_a.endswith("r") and kind_b.endswith("r"):
                continue
            if kind_a.endswith("r") or kind_b.endswith("r"):
                rot, box = (a, b) if kind_a.endswith("r") else (b, a)
                hit = _rotated_outline(rot, r).intersects_bbox(box.get_window_extent(r))
            else:
                hit = a.get_window_extent(r).overlaps(b.get_window_extent(r))
            assert not hit, f"'{a.get_text()}' overlaps '{b.get_text()}'"
        if kind_a == "text":
            e = a.get_window_extent(r)
            w, h = fig.canvas.get_width_height()
            assert e.x0 >= -1 and e.x1 <= w + 1 and e.y1 <= h + 1, (
                f"'{a.get_text()}' runs off the figure")


def test_every_plot_reads_without_overlap(lr, sw, tor):
    figures = {
        "timeseries": plots.plot_timeseries(lr.comparison, "revenue").figure,
        "overview": plots.plot_overview(lr.comparison)[0].figure,
        "waterfall": lr.plot().figure,
        "comparison waterfall": lr.comparison.plot().figure,
        "tornado": tor.plot().figure,
        "sweep": plots.plot_sweep(sw, "profit").figure,
        "damage": plots.plot_damage(wom.market_damage(lr.today.scenario)).figure,
        "load curve": plots.plot_load_curve(wom.ServiceDesk(agents=2),
                                            loads=[0, 20_000, 40_000], days=1,
                                            mark=25_000).figure,
        "word of mouth": plots.plot_word_of_mouth(seed=1).figure,
    }
    for name, fig in figures.items():
        try:
            _assert_no_overlap(fig)
        except AssertionError as err:
            raise AssertionError(f"{name}: {err}") from None


def test_overlap_check_catches_overprinted_titles():
    """The check above can fail: two titles in one place, or ticks that repeat."""
    fig, ax = plt.subplots()
    ax.set_title("a long title on the left", loc="left")
    ax.set_title("a centred title too")
    with pytest.raises(AssertionError, match="overlaps"):
        _assert_no_overlap(fig)
    fig, ax = plt.subplots()
    ax.plot([2.80e6, 2.95e6], [0, 1])
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x/1e6:.1f}m"))
    with pytest.raises(AssertionError, match="repeated"):
        _assert_no_overlap(fig)


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
    # value lost: a positive number is a loss, drawn red (LostRevenue.plot does this)
    ax = lr.plot()
    for cause, bar in zip(shown, ax.patches, strict=False):
        want = plots.PALETTE["loss"] if bc.loc[cause, "mean"] > 0 else plots.PALETTE["gain"]
        assert to_hex(bar.get_facecolor()) == want
    assert ax.get_ylabel() == "value lost, present value (USD)"
    with pytest.raises(ValueError, match="positive"):
        plots.plot_waterfall(bc, positive="up")
    assert to_hex(bars[-1].get_facecolor()) == plots.PALETTE["ink"]
    assert bars[-1].get_height() == pytest.approx(bc.loc["total", "mean"])
    # the bars end where the total is: the causes add up
    last = bars[len(shown) - 1]
    assert last.get_y() + last.get_height() == pytest.approx(bc.loc["total", "mean"])
    assert _styled(ax)


def test_lostrev_waterfall_signature_kept(lr):
    from womsim.analysis.lostrev import plot_waterfall

    ax = plot_waterfall(lr.by_cause(), ax=None, title="t")
    assert ax.get_xticklabels()[-1].get_text() == "total"


# --------------------------------------------------------------------------- tornado, sweep
def test_tornado_widest_on_top(tor):
    ax = plots.plot_tornado(tor, currency="USD")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    t = tor.table()
    assert labels[-1].startswith(plots.label(t.index[0]))  # widest swing drawn at the top
    assert not any("." in lab.split("[")[0] for lab in labels)  # words, not dotted names
    flagged = [tk for tk in ax.get_yticklabels() if "*" in tk.get_text()]
    assert flagged  # illustrative intention_to_action flagged, in the amber the docs state
    assert all(to_hex(tk.get_color()) == plots.PALETTE["flag"] for tk in flagged)
    plain = [tk for tk in ax.get_yticklabels() if "*" not in tk.get_text()]
    assert all(to_hex(tk.get_color()) != plots.PALETTE["flag"] for tk in plain)
    assert tor.plot().get_xlabel() == "value lost (USD)"  # the result knows its currency
    assert ax.get_xlabel() == "value lost (USD)"
    with pytest.raises(ValueError, match="base"):
        plots.plot_tornado(t)
    assert plots.plot_tornado(t, base=tor.base, metric="x").get_xlabel() == "x"


def test_sweep_curve(sw):
    ax = plots.plot_sweep(sw, "profit")
    line = ax.get_lines()[0]
    assert list(line.get_xdata()) == [0.05, 0.15]
    assert ax.get_xlabel() == "share of contacts with a problem"
    assert ax.get_ylabel() == "profit (USD)"
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
    from womsim.engine.rng import Streams
    from womsim.engine.step import _telling, _WordOfMouth

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

"""The word-of-mouth trace: the engine's own first steps, recording who told whom.

:func:`word_of_mouth_trace` runs :func:`womsim.engine.step.step` exactly as
:func:`womsim.engine.step.run` does (the same named random streams), with the word of mouth
logging every telling, so a run with the same scenario, network and seed has exactly these
tellings. The picture of it is drawn by :mod:`womsim.views.wordofmouth`, which only draws the
trace it is given; :func:`plot_word_of_mouth` (also :func:`womsim.plots.plot_word_of_mouth`)
does both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.core.errors import WomsimError
from womsim.engine.rng import Streams
from womsim.engine.step import CUSTOMER, State, _WordOfMouth, schedule, step
from womsim.model.scenario import Scenario
from womsim.network.graph import Network
from womsim.views.wordofmouth import check_picture_size, draw_word_of_mouth

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["WordOfMouthTrace", "demo_scenario", "plot_word_of_mouth", "word_of_mouth_trace"]


@dataclass
class WordOfMouthTrace:
    """Who told whom over a few steps, and what it did to the listeners.

    Attributes
    ----------
    tellings : DataFrame
        One row per telling: ``step``, ``teller``, ``listener``, ``sign`` ("negative" or
        "positive"), ``tie`` ("strong": a friend on the graph; "weak": a random person),
        ``group`` (the teller's experience: silent, unresolved, delighted, resolved,
        resolved_quickly; "retold" for second-hand stories) and ``hop`` (1 = first-hand).
    people : DataFrame
        One row per person: ``status_start`` and ``status_end`` (prospect, customer,
        former) and what happened to them: ``told_negative``, ``told_positive``,
        ``heard_negative``, ``heard_positive``, ``deterred``, ``left_wom``,
        ``left_experience``, ``left_baseline``, ``referred`` (booleans).
    counts : DataFrame
        Per step, the engine's records for the same events (``neg_tellings_strong``,
        ``neg_tellings_weak``, ``pos_tellings_strong``, ``pos_tellings_weak``,
        ``defect_experience``, ``defect_wom``, ``newly_deterred``, ``acq_referral``,
        ``neg_hearings``, ``pos_hearings``, ``customers``): equal to
        :func:`womsim.engine.step.run`'s with the same seed.
    scenario : Scenario
        The scenario the steps ran with.
    """

    tellings: pd.DataFrame
    people: pd.DataFrame
    counts: pd.DataFrame
    scenario: Any
    #: The network the steps ran on (what :func:`womsim.plots.plot_word_of_mouth` draws).
    network: Any = None

    def plot(self, ax: Axes | None = None, seed: int = 0) -> Axes:
        """Draw the trace on its network (:func:`womsim.views.wordofmouth.draw_word_of_mouth`;
        ``seed`` seeds the layout). Returns the axes."""
        return draw_word_of_mouth(self, ax=ax, seed=seed)


def demo_scenario(people: int = 150) -> Scenario:
    """An illustrative scenario for explaining word of mouth on a small graph.

    Monthly steps and frequent contacts, so that one step on 150 people shows a handful of
    unhappy and happy customers telling others (a weekly step of a real preset on 150 people
    shows almost nothing). Every other number is womsim's default.

    Examples
    --------
    >>> sc = demo_scenario()
    >>> sc.market.people, sc.simulation.step_days
    (150, 30.0)
    """
    return Scenario(
        name="word of mouth, explained (illustrative)",
        description="monthly steps and frequent contacts to show the mechanism on a small "
                    "graph; not a client scenario",
        market={"people": people, "customer_share": 0.4, "observed_annual_churn": None,
                "baseline_churn": 0.1},
        service={"contact_rate": 6.0, "problem_rate": 0.2, "delight_rate": 0.25},
        simulation={"step_days": 30.0, "horizon_years": 1.0})


def _as_network(network: Any, seed: int):
    if network is None:
        return Network.small_world(150, k=6, p=0.1, seed=seed)
    if isinstance(network, Network):
        return network
    import networkx as nx  # only for a graph given as networkx (slow to import)

    if isinstance(network, nx.Graph):
        return Network.from_networkx(network)
    raise TypeError(f"network must be a womsim Network or a networkx graph, got "
                    f"{type(network).__name__}")


def word_of_mouth_trace(network: Any = None, scenario: Any = None, seed: int = 0,
                        steps: int = 1) -> WordOfMouthTrace:
    """Run the engine's first ``steps`` steps and record who told whom.

    The steps are the engine's own (:func:`womsim.engine.step.step`, as
    :func:`womsim.engine.step.run` calls it) with the same named random streams, so a run with the
    same scenario, network and ``seed`` has exactly these tellings (the trace's ``counts``
    equal that run's records; ``tests/test_plots.py`` checks it); the engine's word of mouth
    records who told whom while the trace runs.

    Parameters
    ----------
    network : Network or networkx graph, optional
        Default: a small world of 150 people (seeded with ``seed``).
    scenario : Scenario, optional
        Default: :func:`demo_scenario`. Its ``market.people`` is set to the network's size.
    seed : int
        The run's seed (as :func:`womsim.engine.step.run` takes it).
    steps : int
        Steps to trace (each of ``scenario.simulation.step_days``).

    Examples
    --------
    >>> tr = word_of_mouth_trace(seed=1)
    >>> sorted(tr.tellings["sign"].unique())
    ['negative', 'positive']
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise WomsimError(f"steps = {steps!r}: must be a whole number >= 1")
    net = _as_network(network, seed)
    n = net.n
    sc = demo_scenario(n) if scenario is None else scenario
    if sc.market.people != n:
        sc = sc.replace(**{"market.people": n})
    if sc.simulation.steps < steps:
        sc = sc.replace(**{"simulation.horizon_years": steps * sc.simulation.dt})
    streams = Streams(int(seed))
    params, _ = schedule(sc)
    state = State.initial(sc, n, streams, net)
    status = state.status
    wom = _WordOfMouth(net, n, streams)
    wom.log = []
    status_start = status.copy()
    flags = {k: np.zeros(n, dtype=bool) for k in (
        "told_negative", "told_positive", "heard_negative", "heard_positive", "deterred",
        "left_wom", "left_experience", "left_baseline", "referred")}
    tellings: list[pd.DataFrame] = []
    counts = []
    groups_of = np.empty(n, dtype=object)
    for t in range(steps):
        deterred_before = state.deterred_until.copy()
        e = step(state, int(np.count_nonzero(status == CUSTOMER)), params[t], t, streams, wom)
        for ids, g in ((e.silent, "silent"), (e.unresolved, "unresolved"),
                       (e.slow, "resolved"), (e.quick, "resolved_quickly"),
                       (e.delighted, "delighted")):
            groups_of[ids] = g
        for t_, stream, src, dst, weak in wom.log:
            # streams: 0/1 first-hand negative/positive; sign * 16 + hop when retold
            sign, hop = (stream, 1) if stream in (0, 1) else divmod(stream, 16)
            tellings.append(pd.DataFrame({
                "step": t_, "teller": src, "listener": dst,
                "sign": ("negative", "positive")[sign],
                "tie": np.where(weak, "weak", "strong"),
                "group": groups_of[src] if hop == 1 else "retold", "hop": hop}))
        wom.log.clear()
        flags["heard_negative"][e.neg] = True
        flags["heard_positive"][e.pos] = True
        flags["deterred"][state.deterred_until > deterred_before] = True
        flags["told_negative"][np.concatenate([e.silent, e.unresolved])] = True
        flags["told_positive"][np.concatenate([e.delighted, e.slow, e.quick])] = True
        flags["left_experience"][e.exp_left] = True
        flags["left_baseline"][e.base_left] = True
        flags["left_wom"][e.wom_left] = True
        flags["referred"][e.won_ref] = True
        tl = e.tellings
        counts.append({"step": t, "neg_tellings_strong": tl["neg_strong"],
                       "neg_tellings_weak": tl["neg_weak"],
                       "pos_tellings_strong": tl["pos_strong"],
                       "pos_tellings_weak": tl["pos_weak"],
                       "defect_experience": e.exp_left.size, "defect_wom": e.wom_left.size,
                       "newly_deterred": e.newly_deterred.size,
                       "acq_referral": e.won_ref.size, "neg_hearings": e.neg.size,
                       "pos_hearings": e.pos.size,
                       "customers": int(np.count_nonzero(status == CUSTOMER))})

    labels = np.array(["prospect", "customer", "former"])
    people = pd.DataFrame({"status_start": labels[status_start], "status_end": labels[status],
                           **flags})
    people.index.name = "person"
    tell = pd.concat(tellings, ignore_index=True) if tellings else pd.DataFrame(
        columns=["step", "teller", "listener", "sign", "tie", "group", "hop"])
    return WordOfMouthTrace(tell, people, pd.DataFrame(counts).set_index("step"), sc, net)


def plot_word_of_mouth(network: Any = None, scenario: Any = None, seed: int = 0,
                       steps: int = 1, ax: Axes | None = None) -> Axes:
    """Who told whom on a small network: the word-of-mouth mechanism, for a client.

    Draws the social graph (grey), the people (prospects open circles, customers dark,
    former customers light grey), the tellings of the first ``steps`` steps as arrows
    (negative red, positive green; dashed: to a random person, a weak tie or an online
    review), the tellers (filled red or green) and what the stories did: prospects deterred
    (red X), customers who left on what they heard (red triangle), prospects won by
    referral (green star), tellers who left after their own experience (black ring).

    The tellings are the engine's (see :func:`word_of_mouth_trace`); the layout is
    networkx's spring layout, for graphs of up to 2,000 people. Returns the axes.

    Parameters
    ----------
    network : Network or networkx graph, optional
        Default: a small world of 150 people.
    scenario : Scenario, optional
        Default: :func:`demo_scenario` (illustrative: monthly steps, frequent contacts).
        A real preset with weekly steps shows only a few tellings per step on 150 people;
        raise ``steps`` to see more.
    seed : int
        The run's seed (also seeds the layout and the default network).
    steps : int
        Steps shown together.

    Examples
    --------
    >>> import womsim as wom
    >>> ax = plot_word_of_mouth(wom.Network.small_world(150, k=6, seed=2), seed=2)
    >>> ax.get_title(loc="left").startswith("Word of mouth")
    True
    """
    net = _as_network(network, seed)
    check_picture_size(net.n)
    return draw_word_of_mouth(word_of_mouth_trace(net, scenario, seed, steps), ax=ax, seed=seed)

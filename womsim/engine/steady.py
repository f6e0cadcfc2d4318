"""A steady-state start: who is deterred when the simulation begins.

A market that has run for years holds prospects who heard a bad story within the last
``deter_memory_years`` and do not buy yet. A simulation that starts with nobody deterred
instead sells to all of them in its first months, and its customer base rises until the
deterred share has built up (about one memory): a transient no client observed. With
``simulation.start = "steady"`` each non-customer starts deterred with the probability the
mean-field model gives for a market at rest, and with the remaining time such a person would
have left.

Mean field (listeners a random sample of the market, retelling left out): bad stories reach
each person at rate ``H = C x k / N`` per year, with ``C`` customers each telling ``k`` bad
stories a year (:func:`womsim.model.meanfield.rates`); each deters with probability ``d``,
so deterring stories arrive at rate ``lam = H d``. A person is deterred now if one arrived
within the memory ``M``: probability ``1 - exp(-lam M)``; given that, the time since it
arrived is exponential with rate ``lam`` cut at ``M``, and the person waits out the rest.

In a segmented market each segment ``j`` tells at its own rate ``k_j`` (its view's service
and telling, at the market's load) from its own customers ``C_j``, and a person of segment
``s`` hears ``H_s = sum_j C_j k_j [(1 - w) F_js / N_s + w / N]``: the share ``w`` of stories
on weak ties goes to anybody, the rest along friendships, ``F_js`` the share of segment
``j``'s friendship ends that reach segment ``s`` (``N_s / N`` without a mixing setting or
on a well-mixed market, where every story goes to anybody: ``H_s = sum_j C_j k_j / N``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from womsim.engine.rng import Streams
from womsim.engine.segments import segment_views
from womsim.model.meanfield import rates
from womsim.model.reach import told_shares

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario
    from womsim.network.graph import Network

__all__ = ["deter_rate", "rival_deter_rates", "segment_deter_rates", "steady_deterred",
           "steady_deterred_rival"]


def deter_rate(scenario: Scenario) -> float:
    """Mean-field rate (per person-year) of stories that deter a non-customer.

    Examples
    --------
    >>> from womsim.model.scenario import Scenario
    >>> round(deter_rate(Scenario.preset("retail_bank")), 4) > 0
    True
    """
    m = scenario.market
    r = rates(scenario)
    heard = m.customer_share * r.negative_tellings_per_year  # per person-year
    return heard * scenario.word_of_mouth.prospect_deter_prob


def _ends_between(network: Network, segment: np.ndarray, k: int) -> np.ndarray:
    """(k, k): ``[j, s]`` = friendship ends of segment ``j``'s people reaching segment ``s``."""
    src = np.repeat(segment.astype(np.int64), np.diff(network.indptr))
    pair = src * k + segment[network.indices]
    return np.bincount(pair, minlength=k * k).reshape(k, k).astype(float)


def segment_deter_rates(scenario: Scenario, status: np.ndarray, customer: int,
                        segment: np.ndarray, network: Network | None = None) -> np.ndarray:
    """Mean-field rate (per person-year) of stories that deter a non-customer, per segment
    (see the module notes), from the customers each segment holds in ``status``.

    Examples
    --------
    >>> from womsim.model.scenario import Scenario
    >>> sc = Scenario(segments=[{"name": "a", "share": 0.5},
    ...                         {"name": "b", "share": 0.5, "problem_rate": 0.3}])
    >>> seg = np.repeat(np.array([0, 1], dtype=np.int8), 500)
    >>> lam = segment_deter_rates(sc, np.ones(1000, np.int8), 1, seg)
    >>> bool(lam[0] == lam[1] > 0)   # well mixed enough: everybody hears everybody
    True
    """
    views = segment_views(scenario)
    k = len(views)
    n = status.size
    people = np.bincount(segment, minlength=k).astype(float)
    held = np.bincount(segment[status == customer], minlength=k).astype(float)
    # each segment's service at the market's load (a desk serves every segment)
    load = float(held @ np.array([v.service.contact_rate for v in views]))
    told = np.array([rates(v, load / v.service.contact_rate).negative_tellings_per_year
                     if v.service.contact_rate > 0 else 0.0 for v in views])
    stories = held * told  # bad stories told by each segment's customers a year
    mixed = network is None or scenario.market.segment_assortativity is None
    if mixed:
        heard = np.full(k, stories.sum() / n)
    else:
        assert network is not None
        ends = _ends_between(network, segment, k)
        reach = ends / np.maximum(ends.sum(axis=1, keepdims=True), 1.0)  # F[j, s]
        w = scenario.word_of_mouth.weak_tie_share
        heard = (1 - w) * (stories @ reach) / np.maximum(people, 1.0) + w * stories.sum() / n
    return heard * scenario.word_of_mouth.prospect_deter_prob


def steady_deterred(scenario: Scenario, status: np.ndarray, customer: int, streams: Streams,
                    segment: np.ndarray | None = None, network: Network | None = None
                    ) -> np.ndarray:
    """``deterred_until`` (int32 step per person) of a market at rest.

    Customers start free; each other person is deterred with probability
    ``1 - exp(-lam M)`` and blocked for the rest of the memory (see the module notes), in
    the engine's convention: blocked at every step whose middle falls before the memory
    runs out. Draws are keyed per person (mechanism ``"steady_start"``), so the rest of a
    run's luck is the same as with a cold start. In a segmented market (``segment``: the
    labels; ``network``: the graph, for the mixing) ``lam`` is the person's segment's
    (:func:`segment_deter_rates`).

    Examples
    --------
    >>> import numpy as np
    >>> from womsim.model.scenario import Scenario
    >>> sc = Scenario.preset("retail_bank")
    >>> until = steady_deterred(sc, np.zeros(50_000, np.int8), 1, Streams(3))
    >>> lam, mem = deter_rate(sc), sc.word_of_mouth.deter_memory_years
    >>> bool(abs((until > 0).mean() - (1 - np.exp(-lam * mem))) < 0.01)
    True
    """
    n = status.size
    out = np.zeros(n, dtype=np.int32)
    memory = scenario.word_of_mouth.deter_memory_years
    dt = scenario.simulation.dt
    ids = np.flatnonzero(status != customer)
    if segment is not None and scenario.segments:
        lam_s = segment_deter_rates(scenario, status, customer, segment, network)
        if memory <= 0 or not (lam_s > 0).any():
            return out
        q_s = -np.expm1(-lam_s * memory)
        q = q_s[segment[ids]]
        hit = ids[streams.uniform("steady_start", 0, ids) < q]
        u = streams.uniform("steady_start", 0, hit, extra=1)
        lam_h, q_h = lam_s[segment[hit]], q_s[segment[hit]]
        age = -np.log1p(-u * q_h) / lam_h  # exponential(lam) cut at the memory
        out[hit] = np.ceil((memory - age) / dt - 0.5).astype(np.int32)
        return out
    lam = deter_rate(scenario)
    if lam <= 0 or memory <= 0:
        return out
    q = -math.expm1(-lam * memory)
    hit = ids[streams.uniform("steady_start", 0, ids) < q]
    u = streams.uniform("steady_start", 0, hit, extra=1)
    age = -np.log1p(-u * q) / lam  # exponential(lam) cut at the memory
    rest = memory - age
    out[hit] = np.ceil(rest / dt - 0.5).astype(np.int32)
    return out


def rival_deter_rates(scenario: Scenario, status: np.ndarray, firm: np.ndarray,
                      rival: int, segment: np.ndarray | None = None) -> np.ndarray:
    """Mean-field rate (per person-year) of stories about each rival that deter a person
    from it: its customers (as drawn) each tell ``k`` bad stories a year under its own
    service, with the telling of their segment in a segmented market (``segment``: the
    labels; the market's otherwise), as :mod:`womsim.engine.rivals` has them tell.

    Examples
    --------
    >>> from womsim.model.scenario import Scenario
    >>> sc = Scenario(rivals=[{"name": "x", "customer_share": 0.2}])
    >>> status = np.repeat(np.array([0, 3], dtype=np.int8), [800, 200])
    >>> bool(rival_deter_rates(sc, status, np.zeros(1000, np.int8), 3)[0] > 0)
    True
    """
    w = scenario.word_of_mouth
    service = np.array([r.contact_rate * r.problem_rate
                        * ((1 - r.complain_rate) + r.complain_rate * (1 - r.resolved))
                        for r in scenario.rivals])
    mine = status == rival
    if segment is None or not scenario.segments:
        told_neg, _ = told_shares(scenario)
        held = np.bincount(firm[mine], minlength=len(scenario.rivals)).astype(float)
        k = service * w.negative_mean * told_neg
        return held * k / status.size * w.prospect_deter_prob
    # (rivals, segments): each rival's customers in each segment, telling as it does
    views = segment_views(scenario)
    n_seg, n_riv = len(views), len(scenario.rivals)
    held2 = np.bincount(firm[mine].astype(np.int64) * n_seg + segment[mine],
                        minlength=n_riv * n_seg).reshape(n_riv, n_seg).astype(float)
    told = np.array([v.word_of_mouth.negative_mean * told_shares(v)[0] for v in views])
    return service * (held2 @ told) / status.size * w.prospect_deter_prob


def steady_deterred_rival(scenario: Scenario, status: np.ndarray, firm: np.ndarray,
                          rival: int, streams: Streams, segment: np.ndarray | None = None
                          ) -> np.ndarray:
    """``deterred_rival`` (int32, rivals x people) of a market at rest: each person who is no
    rival's customer is deterred from rival ``j`` as :func:`steady_deterred` deters from us,
    at :func:`rival_deter_rates`, blocked while the entry exceeds the step (the rivals'
    convention); keyed per person (mechanism ``"steady_start_rival"``, one stream a rival).
    In a segmented market (``segment``) its customers tell as their segments do.
    """
    k, n = len(scenario.rivals), status.size
    out = np.zeros((k, n), dtype=np.int32)
    memory = scenario.word_of_mouth.deter_memory_years
    if memory <= 0:
        return out
    dt = scenario.simulation.dt
    ids = np.flatnonzero(status != rival)
    for j, lam in enumerate(rival_deter_rates(scenario, status, firm, rival, segment)):
        if lam <= 0:
            continue
        q = -math.expm1(-lam * memory)
        hit = ids[streams.uniform("steady_start_rival", 0, ids, extra=2 * j) < q]
        u = streams.uniform("steady_start_rival", 0, hit, extra=2 * j + 1)
        age = -np.log1p(-u * q) / lam  # exponential(lam) cut at the memory
        out[j, hit] = np.ceil((memory - age) / dt - 0.5).astype(np.int32)
    return out

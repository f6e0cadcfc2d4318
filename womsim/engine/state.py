"""The market's state: one array per person attribute, indexed by person id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from womsim.core.errors import NetworkError
from womsim.engine.reviews import ReviewState
from womsim.engine.rivals import RIVAL
from womsim.engine.segments import place_segments, segment_members, segment_views
from womsim.engine.steady import steady_deterred, steady_deterred_rival
from womsim.network.assortment import cluster

if TYPE_CHECKING:
    from womsim.engine.rng import Streams
    from womsim.model.scenario import Scenario
    from womsim.network.graph import Network

__all__ = ["CUSTOMER", "FORMER", "PROSPECT", "State"]

PROSPECT, CUSTOMER, FORMER = 0, 1, 2  # and RIVAL (3): a rival's customer (engine.rivals)

_EMPTY = np.empty(0, dtype=np.int64)
_NO_LABELS = np.empty(0, dtype=np.int8)


@njit(cache=True)
def _assign(u, segment, share, former, rival_share, status, firm):
    # who is what from the start's uniform: our customer below the (segment's) share,
    # former below share + former, then each rival's band, else a prospect; the sums in
    # the order of State.initial's array formula
    labelled = segment.size > 0
    k = rival_share.size
    for i in range(u.size):
        s = share[segment[i]] if labelled else share[0]
        x = u[i]
        lo = s + former
        if x < s:
            st = CUSTOMER
        elif x < lo:
            st = FORMER
        else:
            st = PROSPECT
        for j in range(k):
            hi = lo + rival_share[j]
            if x >= lo and x < hi:
                st = RIVAL
                firm[i] = j
            lo = hi
        status[i] = st


@njit(cache=True)
def _exponent(z, segment, sig):
    # z -> sig z - sig^2 / 2 with each person's segment's sigma, in place
    for i in range(z.size):
        g = sig[segment[i]]
        z[i] = g * z[i] - g * g / 2


@njit(cache=True)
def _times(x, segment, mean, out):
    for i in range(x.size):
        out[i] = np.float32(mean[segment[i]] * x[i])


@dataclass
class State:
    """Structure of arrays: one array per person attribute, indexed by person id."""

    status: np.ndarray          # int8: PROSPECT, CUSTOMER or FORMER
    revenue: np.ndarray         # float32: what the person pays per year while a customer
    deterred_until: np.ndarray  # int32: first step at which the person may buy again
    has_alt: np.ndarray         # bool: has a real alternative provider
    changed_at: np.ndarray      # int32: step of the last change of status (-1: never)
    # won in the last step: on average they joined half-way, so the next step exposes them
    # to contacts and churn for one and a half steps
    joined: np.ndarray = field(default_factory=lambda: _EMPTY)
    segment: np.ndarray | None = None         # int8 segment label (segmented scenarios)
    members: tuple[np.ndarray, ...] = ()      # each segment's ids (engine.segments)
    firm: np.ndarray | None = None            # int8: whose customer a RIVAL person is
    deterred_rival: np.ndarray | None = None  # int32 (rivals, people): deterred from each
    seg_customers: np.ndarray | None = None   # our customers per segment (kept by run)
    rival_joined: np.ndarray = field(default_factory=lambda: _EMPTY)  # as joined, rivals'
    rival_draws: tuple = ()  # the rivals' contacts and churn, drawn with ours
    # the online rating (None: no review channel), and who gets an extra bad experience at
    # the first step (womsim.analysis.influence)
    reviews: ReviewState | None = None
    forced: np.ndarray = field(default_factory=lambda: _EMPTY)

    @classmethod
    def initial(cls, scenario: Scenario, n: int, streams: Streams,
                network: Network | None = None) -> State:
        """Draw who is a customer, what each pays and who has an alternative (and, in a
        segmented market, who is in which segment; with rivals, whose customer).

        With ``market.customer_clustering`` above 0 the customers drawn are then moved
        together on ``network`` (:func:`womsim.network.assortment.cluster`).
        """
        m, e = scenario.market, scenario.economics
        rng = streams.generator("init")
        u = rng.random(n)
        segment = place_segments(scenario, n, streams, network) if scenario.segments \
            else None
        share = m.customer_share
        seg_share = np.array([m.customer_share], dtype=float)
        if segment is not None:
            seg_share = np.array([s.customer_share if s.customer_share is not None
                                  else m.customer_share for s in scenario.segments],
                                 dtype=float)
        firm = deterred_rival = None
        if m.customer_clustering == 0 and (segment is not None or scenario.rivals):
            # one compiled pass for status and firm (the masks below, a dozen passes over
            # the market, cost more than its draws); the same comparisons, the same people
            status = np.empty(n, dtype=np.int8)
            firm = np.zeros(n, dtype=np.int8) if scenario.rivals else None
            _assign(u, _NO_LABELS if segment is None else segment, seg_share,
                    float(m.former_share),
                    np.array([r.customer_share for r in scenario.rivals], dtype=float),
                    status, status if firm is None else firm)
        else:
            if segment is not None:
                share = seg_share[segment]
            # np.where(u < share, CUSTOMER, np.where(u < share + former, FORMER, PROSPECT))
            # in int8 arithmetic (former_share >= 0: a customer's u is below both bounds),
            # without its int64 temporaries or a masked write: 0.2 s less at 10M people
            status = (u < share + m.former_share).view(np.int8) * np.int8(FORMER)
            status -= (u < share).view(np.int8) * np.int8(FORMER - CUSTOMER)
        if scenario.rivals and firm is None:
            # each rival's customers get their own code (RIVAL + j) before the clustering
            # swaps, which move a person's whole code: the rivals keep their customers
            # (assigned after it, a customer swapped onto a rival's band was overwritten)
            lo = share + m.former_share
            for j, r in enumerate(scenario.rivals):
                status[(u >= lo) & (u < lo + r.customer_share)] = RIVAL + j
                lo = lo + r.customer_share
        if m.customer_clustering > 0:
            if network is None:
                raise NetworkError(
                    f"market.customer_clustering = {m.customer_clustering:g} needs a social "
                    "graph; a well-mixed market (network=None) has none: set it to 0")
            cluster(network.indptr, network.indices, status, CUSTOMER,
                    m.customer_clustering, streams.key("customer_clustering", 0),
                    groups=segment)
        if scenario.rivals:
            if firm is None:
                coded = status >= RIVAL
                firm = np.where(coded, status - RIVAL, 0).astype(np.int8)
                status[coded] = RIVAL
            # at rest, people already avoid a rival they heard badly of (engine.steady)
            deterred_rival = steady_deterred_rival(scenario, status, firm, RIVAL, streams,
                                                   segment) \
                if scenario.simulation.start == "steady" else \
                np.zeros((len(scenario.rivals), n), dtype=np.int32)
        sigma = e.revenue_sigma
        if segment is None:
            # mean-preserving lognormal: E[revenue] = revenue_per_year
            if sigma > 0:
                revenue = rng.lognormal(-sigma * sigma / 2, sigma, n)
                revenue *= e.revenue_per_year  # in place: the same products, no temporary
            else:
                revenue = np.full(n, e.revenue_per_year)
        else:
            views = segment_views(scenario)
            mean = np.array([v.economics.revenue_per_year for v in views])
            sig = np.array([v.economics.revenue_sigma for v in views])
            # mean * exp(sig z - sig^2 / 2) by segment: the exponent and the product in
            # compiled passes, numpy's exp between them (the numbers of the array formula)
            x = rng.standard_normal(n)
            _exponent(x, segment, sig)
            np.exp(x, out=x)
            revenue = np.empty(n, dtype=np.float32)
            _times(x, segment, mean, revenue)
        has_alt = rng.random(n) >= m.no_alternative_share
        # a market at rest already holds deterred prospects (womsim.engine.steady)
        deterred = steady_deterred(scenario, status, CUSTOMER, streams, segment, network) \
            if scenario.simulation.start == "steady" else np.zeros(n, dtype=np.int32)
        return cls(status, revenue.astype(np.float32), deterred, has_alt,
                   np.full(n, -1, dtype=np.int32), segment=segment, firm=firm,
                   deterred_rival=deterred_rival,
                   members=segment_members(segment, len(scenario.segments))
                   if segment is not None else ())

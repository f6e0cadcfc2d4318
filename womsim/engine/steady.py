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
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from womsim.engine.rng import Streams
from womsim.model.meanfield import rates

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["deter_rate", "steady_deterred"]


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


def steady_deterred(scenario: Scenario, status: np.ndarray, customer: int, streams: Streams
                    ) -> np.ndarray:
    """``deterred_until`` (int32 step per person) of a market at rest.

    Customers start free; each other person is deterred with probability
    ``1 - exp(-lam M)`` and blocked for the rest of the memory (see the module notes), in
    the engine's convention: blocked at every step whose middle falls before the memory
    runs out. Draws are keyed per person (mechanism ``"steady_start"``), so the rest of a
    run's luck is the same as with a cold start.

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
    lam = deter_rate(scenario)
    memory = scenario.word_of_mouth.deter_memory_years
    if lam <= 0 or memory <= 0:
        return out
    dt = scenario.simulation.dt
    ids = np.flatnonzero(status != customer)
    q = -math.expm1(-lam * memory)
    hit = ids[streams.uniform("steady_start", 0, ids) < q]
    u = streams.uniform("steady_start", 0, hit, extra=1)
    age = -np.log1p(-u * q) / lam  # exponential(lam) cut at the memory
    rest = memory - age
    out[hit] = np.ceil(rest / dt - 0.5).astype(np.int32)
    return out

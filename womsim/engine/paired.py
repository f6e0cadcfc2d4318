"""Paired scenarios in one pass: scenarios that share a market and a seed share their draws.

A comparison, a sweep's grid, a tornado's swings and lost revenue's counterfactual run
several scenarios with the same seed on the same market (common random numbers). Much of a
run's random work does not depend on the scenario at all: who is a candidate for a service
contact, for baseline churn or for acquisition in each step (geometric-gap draws over the
whole market, then thinned), and the 64-bit keys of every (mechanism, step). Run one by
one, each scenario draws them again. :func:`run_paired` runs the scenarios of one seed
over one :class:`~womsim.engine.rng.PairedStreams`, which makes each of those draws once
and hands the same (read-only) arrays to every scenario; everything that depends on a
scenario's own state (who is a customer, who tells whom) stays in that scenario's own
step, unchanged. The numbers are those of separate runs, bit for bit: a shared draw is a
function of (seed, mechanism, step, rate tier) alone, which is what the memo is keyed by.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from womsim.core.errors import ScenarioError
from womsim.engine.rng import PairedStreams
from womsim.engine.wholerun import run_fast

if TYPE_CHECKING:
    from womsim.network.graph import Network

__all__ = ["run_paired"]


def run_paired(scenarios: Sequence, network: Network | None, seed: int,
               valuation_hazards: Sequence[float | None] | None = None,
               networks: Sequence[Network | None] | None = None,
               budget_mb: float | None = None) -> list[dict[str, np.ndarray]]:
    """Run every scenario with ``seed``, drawing the draws they share once.

    Parameters
    ----------
    scenarios : sequence of Scenario
        Scenarios of one market size and one step schedule (as a paired comparison has).
    network : Network or None
        The social graph of every scenario (None: well mixed); see ``networks``.
    seed : int
        The run's seed, shared by every scenario.
    valuation_hazards : sequence of float or None, optional
        Per scenario, the churn hazard its events are priced at (see
        :func:`womsim.engine.step.run`); default: each its own.
    networks : sequence of Network or None, optional
        One graph per scenario instead of ``network`` (the shared draws do not depend on
        the graph, only on the market's size).
    budget_mb : float, optional
        Memory the shared draws may hold (default
        :data:`womsim.engine.rng.PAIRED_BUDGET_MB`); past it the rest are drawn per
        scenario, with the same numbers.

    Returns
    -------
    list of dict
        ``run(scenarios[i], ..., seed)`` for each i, in order: the same numbers as separate
        runs.

    Examples
    --------
    >>> import numpy as np
    >>> from womsim import Scenario, Network
    >>> from womsim.engine.step import run
    >>> sc = Scenario().replace(**{"market.people": 2000, "simulation.horizon_years": 0.5})
    >>> better = sc.what_if(**{"service.problem_rate": 0.05})
    >>> net = Network.random(2000, mean_degree=8, seed=1)
    >>> a, b = run_paired([sc, better], net, seed=3)
    >>> bool(np.array_equal(b["profit"], run(better, net, 3)["profit"]))
    True
    """
    scenarios = list(scenarios)
    if not scenarios:
        return []
    people = {s.market.people for s in scenarios}
    steps = {s.simulation.steps for s in scenarios}
    if len(people) > 1 or len(steps) > 1:
        raise ScenarioError(
            "run_paired needs scenarios of one market size and one step schedule; got "
            f"market.people in {sorted(people)} and steps in {sorted(steps)}")
    hazards = list(valuation_hazards) if valuation_hazards is not None \
        else [None] * len(scenarios)
    nets = list(networks) if networks is not None else [network] * len(scenarios)
    if len(hazards) != len(scenarios) or len(nets) != len(scenarios):
        raise ValueError("valuation_hazards and networks need one entry per scenario")
    streams = PairedStreams(seed, budget_mb=budget_mb)
    return [run_fast(sc, net, seed, valuation_hazard=h, streams=streams)
            for sc, net, h in zip(scenarios, nets, hazards, strict=True)]

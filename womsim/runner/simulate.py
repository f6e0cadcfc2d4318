"""``simulate``: run a scenario many times and get an ensemble with intervals."""

from __future__ import annotations

import threading
import warnings
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from womsim.core.errors import NetworkError, ScenarioError, WomsimError
from womsim.engine.initahead import draw_behind
from womsim.engine.rng import run_seeds
from womsim.engine.wholerun import packs_ahead, run_fast
from womsim.model.scenario import Scenario
from womsim.network.graph import Network
from womsim.results import Ensemble
from womsim.runner import aot
from womsim.runner.drift import check_drift
from womsim.runner.executors import map_tasks

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from concurrent.futures import Executor

    from distributed import Client

__all__ = ["PER_SCENARIO", "build_network", "check_network", "check_runs_seed",
           "check_scenario", "fingerprint_behind", "network_key", "networks_for", "simulate"]

#: the network fingerprint of a grid whose scenarios ran on networks of their own
PER_SCENARIO = "per scenario"


def check_scenario(scenario: Any, what: str = "scenario") -> None:
    """Raise ScenarioError unless ``scenario`` is a :class:`~womsim.Scenario`."""
    if not isinstance(scenario, Scenario):
        hint = (f"; for a preset write Scenario.preset({scenario!r})"
                if isinstance(scenario, str) else "")
        raise ScenarioError(f"{what} must be a womsim Scenario, got "
                            f"{type(scenario).__name__} {scenario!r:.60}{hint}")


def check_network(network: Any, people: int) -> None:
    """Raise NetworkError unless ``network`` is None or a Network of ``people`` nodes."""
    if network is None:
        return
    if not isinstance(network, Network):
        raise NetworkError(
            f"network must be a womsim Network or None, got {type(network).__name__} "
            f"{network!r:.60} (build one with Network.scale_free(...), "
            "Network.from_networkx(G) or Network.from_edgelist(path))")
    if network.n != people:
        raise NetworkError(f"the network has {network.n:,} people but market.people is "
                           f"{people:,}; pass a network of the market's size or set "
                           "market.people")


class FewRunsWarning(UserWarning):
    """Fewer than 3 runs: the result has no usable interval."""


def check_runs_seed(runs: int, seed: int | None) -> int:
    """Validate ``runs`` and ``seed``; return the seed to use (drawn and recorded if None)."""
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 1:
        raise WomsimError(f"runs = {runs!r}: must be a whole number >= 1")
    if runs < 3:
        warnings.warn(FewRunsWarning(
            f"runs = {runs}: no usable interval (one run has none, two give one far too wide "
            "to read); use 3 runs or more, and 20 or more for numbers shown to a client"),
            stacklevel=3)
    if seed is None:
        # recorded in the results, so even an unseeded ensemble can be reproduced
        return cast(int, np.random.SeedSequence().entropy) % (2**63)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise WomsimError(f"seed = {seed!r}: must be a whole number >= 0 (or None)")
    return int(seed)


def build_network(scenario: Scenario, seed: int) -> Network | None:
    """The social graph a scenario describes (None for a well-mixed market).

    Examples
    --------
    >>> from womsim import Scenario
    >>> net = build_network(Scenario().replace(**{"market.people": 1000}), seed=1)
    >>> net.n
    1000
    """
    aot.install()  # the graph builder's kernels compiled at install, as the runs' are
    m = scenario.market
    # "NETWORK" mixed in: the graph's numbers stay apart from every run's
    ss = int(np.random.SeedSequence([seed, 0x4E4554574F524B]).generate_state(1, np.uint64)[0]
             >> np.uint64(1))
    n, k = m.people, m.mean_degree
    if m.network == "well_mixed":
        return None
    if m.network == "scale_free":
        return Network.scale_free(n, m=max(1, min(round(k / 2), n - 1)), seed=ss)
    if m.network == "small_world":
        even = max(2, 2 * round(k / 2))
        return Network.small_world(n, k=min(even, n - 1 - (n - 1) % 2), p=0.1, seed=ss)
    if m.network == "random":
        return Network.random(n, mean_degree=k, seed=ss)
    blocks = max(2, n // 5000)
    sizes = [n // blocks + (1 if i < n % blocks else 0) for i in range(blocks)]
    return Network.communities(sizes, mean_degree_in=0.8 * k, mean_degree_out=0.2 * k, seed=ss)


def network_key(scenario: Scenario) -> tuple:
    """The market settings a built network depends on: scenarios with equal keys share one."""
    m = scenario.market
    return (m.network, float(m.mean_degree), int(m.people))


def networks_for(scenarios: Iterable[Scenario], network: Network | None, seed: int,
                 names: Iterable[str] | None = None) -> tuple[list, list[int]]:
    """The networks a grid of scenarios runs on, and which one each scenario uses.

    With ``network`` given, every scenario uses it (and must agree on the market's size);
    scenarios that differ in ``market.network`` or ``market.mean_degree`` are refused then,
    since the given network would silently override their settings. Without it, one
    network is built (from ``seed``) per distinct ``(network, mean_degree, people)``.

    Examples
    --------
    >>> from womsim import Scenario
    >>> a = Scenario().replace(**{"market.people": 500})
    >>> nets, which = networks_for([a, a.replace(**{"market.mean_degree": 4.0}), a], None, 1)
    >>> len(nets), which
    (2, [0, 1, 0])
    """
    scenarios = list(scenarios)
    names = list(names) if names is not None else [f"scenario {i}" for i in
                                                  range(len(scenarios))]
    if network is not None:
        first = scenarios[0].market
        for sc, name in zip(scenarios, names, strict=True):
            check_network(network, sc.market.people)
            m = sc.market
            if (m.network, m.mean_degree) != (first.network, first.mean_degree):
                raise ScenarioError(
                    f"{name} has market.network = {m.network!r}, market.mean_degree = "
                    f"{m.mean_degree:g}, but {names[0]} has {first.network!r}, "
                    f"{first.mean_degree:g}: a network= given is used for every scenario, so "
                    "these settings would be ignored. Omit network= to build one network "
                    "per setting, or give the scenarios the same settings")
        return [network], [0] * len(scenarios)
    built: dict[tuple, int] = {}
    nets: list = []
    which = []
    for sc in scenarios:
        key = network_key(sc)
        if key not in built:
            built[key] = len(nets)
            nets.append(build_network(sc, seed))
        which.append(built[key])
    return nets, which


def fingerprint(network: Network | None) -> str:
    """A network's fingerprint, ``"well_mixed"`` for none."""
    return network.fingerprint() if network is not None else "well_mixed"


def fingerprint_behind(network: Network | None) -> Callable[[], str]:
    """Start hashing ``network`` (:meth:`Network.fingerprint`) in a thread beside the runs;
    returns a function that waits for it and gives the fingerprint.

    The hash reads the whole graph (0.1 s at 1M people, 1 s at 10M); hashlib reads each
    chunk without the GIL, so on a second core it costs the caller no wait. The
    fingerprint is the same as computed in line.

    Examples
    --------
    >>> net = Network.random(1000, mean_degree=4, seed=1)
    >>> done = fingerprint_behind(net)
    >>> done() == Network.random(1000, mean_degree=4, seed=1).fingerprint()
    True
    """
    if network is None:
        return lambda: "well_mixed"
    worker = threading.Thread(target=network.fingerprint, name="womsim-fingerprint",
                              daemon=True)
    worker.start()

    def done() -> str:
        worker.join()
        return network.fingerprint()  # cached by the thread; raises here if it failed

    return done


def prepare_desks(scenarios: Iterable[Scenario]) -> None:
    """Simulate each service desk's load curve once, here, so that worker processes receive
    it with the scenario instead of each re-simulating it."""
    for sc in scenarios:
        if sc.desk is not None:
            sc.desk.prepare()


def _one_run(seed: int, scenario, network) -> dict:
    # the step's records; a plain scenario's in one compiled call (engine.wholerun)
    return run_fast(scenario, network, seed)


def simulate(scenario: Scenario, network: Network | None = None, runs: int = 1,
             seed: int | None = None, executor: str | Executor | Client | None = None,
             progress: bool | None = None) -> Ensemble:
    """Run ``scenario`` ``runs`` times and return an :class:`~womsim.results.Ensemble`.

    Parameters
    ----------
    scenario : Scenario
    network : Network, optional
        The social graph; built from ``scenario.market`` (with ``seed``) when omitted, and
        then shared by all runs.
    runs : int
        Number of runs (each with its own seed derived from ``seed``).
    seed : int, optional
        Ensemble seed. Run ``i`` of two calls with the same seed gets the same random numbers
        (common random numbers). None draws one and records it in ``ensemble.seed``.
    executor : None, "serial", "processes", "threads", dask.distributed.Client or Executor
        Who runs the runs; the numbers are the same whichever does.
    progress : bool, optional
        Show a progress bar (default: only for long jobs).

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 5000})
    >>> res = wom.simulate(sc, runs=4, seed=7, executor="serial")
    >>> res.n_runs
    4
    """
    check_scenario(scenario)
    seed = check_runs_seed(runs, seed)
    check_network(network, scenario.market.people)
    seeds = run_seeds(seed, runs)
    work = float(scenario.market.people) * scenario.simulation.steps * runs
    if network is None:
        # one run in this process (executor None gives one task "serial")
        if runs == 1 and executor in (None, "serial") \
                and scenario.market.network != "well_mixed":
            # the run's market on a second thread while the graph is built (it reads
            # neither the graph nor its stream): half a second of 8 at 10M people
            draw_behind(scenario, seeds[0], packs=packs_ahead)
        network = build_network(scenario, seed)
    prepare_desks([scenario])
    fingerprint_done = fingerprint_behind(network)
    recs = map_tasks(_one_run, seeds, {"scenario": scenario, "network": network},
                     executor=executor, work=work, progress=progress,
                     desc=f"simulating {scenario.name}")
    fp = fingerprint_done()
    ens = Ensemble(scenario, recs, seeds, seed, fp)
    check_drift(ens)  # a today that drifts with no cause warns
    return ens

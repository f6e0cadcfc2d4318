"""Influence by reach: what one bad experience costs, by how well connected the customer is.

"A bad experience of a well-connected customer costs X times a typical one" is a decision a
client can act on (whose complaints to handle first), so it is measured with the paired
engine, not a formula. Per run, the scenario is simulated as it is and, with the same seed,
once per degree bin with one extra bad experience given at the first step to a share of the
customers in that bin (customers ranked by their number of ties and cut into bins of equal
size; a contact they have in that step ends in a problem instead). The value of one bad
experience in a bin is the paired difference in value divided by the number of extra bad
experiences. A typical customer is the average over the bins (the bins are equally large,
so that is a customer drawn at random).

What one bad experience brings is all of it: the customer's own chance of leaving (the same
in every bin), the stories they tell, and everything those set off (retelling, reviews). The
degree only acts through the telling: a teller tells at most their friends, so a customer
with few ties reaches fewer people (the rest of their stories travel by the explicit
channels, weak ties and reviews, which do not depend on the degree).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from womsim.core.archive import ArchiveReader, ArchiveWriter
from womsim.core.errors import WomsimError
from womsim.core.protocol import ResultBase
from womsim.engine.rng import hash_uniform, run_seeds
from womsim.engine.step import CUSTOMER, run
from womsim.results import headline_metrics, scenario_from
from womsim.runner.executors import map_tasks
from womsim.runner.simulate import build_network, check_network, check_runs_seed, check_scenario
from womsim.views.influence import influence_html, plot_influence

# scipy only inside the functions that use it: `import womsim` would pay ~0.4 s CPU for it
# (a third of the import) although most sessions never call them (tests/test_import_cost.py)

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from distributed import Client
    from matplotlib.axes import Axes

    from womsim.model.scenario import Scenario
    from womsim.network.graph import Network

__all__ = ["Influence", "influence"]


class _BinShock:
    """The extra bad experiences of one run in one degree bin (called by the engine with the
    initial state): ``share`` of the bin's customers, at least one, chosen by keyed hash."""

    def __init__(self, seed: int, bins: int, which: int, share: float) -> None:
        self.seed, self.bins, self.which, self.share = seed, bins, which, share

    def groups(self, status: np.ndarray, degree: np.ndarray) -> list[np.ndarray]:
        cust = np.flatnonzero(status == CUSTOMER)
        # ties in the degree broken at random (keyed), so the bins are exactly equal
        tie = hash_uniform(self.seed ^ 0x1F1, cust)
        order = np.lexsort((tie, degree[cust]))
        return np.array_split(cust[order], self.bins)

    def __call__(self, status: np.ndarray, degree: np.ndarray) -> np.ndarray:
        group = self.groups(status, degree)[self.which]
        k = min(group.size, max(1, round(self.share * group.size)))
        pick = np.argsort(hash_uniform(self.seed ^ 0x2E2, group), kind="stable")[:k]
        return np.sort(group[pick])


def _task(task, network):
    seed, scenario, shock = task
    rec = run(scenario, network, seed, extra_problems=shock)
    out = headline_metrics(rec, scenario.simulation.horizon_years)["value"]
    ids = rec.get("extra_problem_ids", np.empty(0, dtype=np.int64))
    return out, ids


class Influence(ResultBase):
    """The value of one bad experience by the customer's degree; see :func:`influence`.

    Attributes
    ----------
    values : numpy.ndarray
        Per run (rows) and degree bin (columns): the value lost per extra bad experience.
    """

    kind = "Influence"

    def __init__(self, scenario, values: np.ndarray, bins: list[dict], runs: int, seed: int,
                 level: float = 0.95) -> None:
        self.scenario = scenario
        self.values = values
        self.bins = bins
        self.runs = runs
        self.seed = seed
        self.level = level

    @property
    def currency(self) -> str:
        """The currency of every money figure."""
        return self.scenario.economics.currency

    def _to_archive(self, w: ArchiveWriter) -> dict:
        values = pd.DataFrame(self.values, columns=[f"bin_{j + 1}" for j in
                                                    range(self.values.shape[1])])
        return {"scenario": self.scenario.to_dict(),
                "values": w.table(values, "influence/values.csv"),
                "bins": w.frame(pd.DataFrame(self.bins), "influence/bins.csv"),
                "runs": int(self.runs), "seed": int(self.seed),  # exact: JSON integers
                "numbers": w.numbers({"level": self.level}, "influence/numbers.csv")}

    @classmethod
    def _from_archive(cls, meta: dict, r: ArchiveReader) -> Influence:
        values = r.table(meta["values"]).to_numpy(dtype=float)
        bins = r.frame(meta["bins"])
        nums = r.numbers(meta["numbers"])
        if values.shape[1] != len(bins):
            raise r.error("meta.json: the influence values do not match their bins")
        rows = [{"bin": str(b["bin"]), "degree_low": int(b["degree_low"]),
                 "degree_high": int(b["degree_high"]), "mean_degree": float(b["mean_degree"]),
                 "experiences": float(b["experiences"])} for _, b in bins.iterrows()]
        return cls(scenario_from(meta["scenario"], r), values, rows, int(meta["runs"]),
                   int(meta["seed"]), nums["level"])

    def summary(self) -> pd.DataFrame:
        """One row per degree bin and one for a typical customer.

        Columns: ``degree_low``/``degree_high`` (fewest and most ties among the customers
        given a bad experience),
        ``mean_degree``, ``experiences`` (extra bad experiences given per run),
        ``value_lost`` (per bad experience; a present value at the start, as every value in
        womsim) with ``ci_low``/``ci_high`` (paired interval of the mean over runs), and
        ``ratio`` to a typical customer with ``ratio_low``/``ratio_high`` (delta method).
        """
        from scipy import stats

        v = self.values
        n = v.shape[0]
        typical = v.mean(axis=1)
        tq = float(stats.t.ppf(0.5 + self.level / 2, n - 1)) if n > 1 else math.nan
        t_mean = float(typical.mean())
        rows = []
        cols = [v[:, j] for j in range(v.shape[1])] + [typical]
        for j, x in enumerate(cols):
            info = self.bins[j] if j < len(self.bins) else {
                "bin": "typical (all customers)",
                "degree_low": min(b["degree_low"] for b in self.bins),
                "degree_high": max(b["degree_high"] for b in self.bins),
                "mean_degree": float(np.mean([b["mean_degree"] for b in self.bins])),
                "experiences": float(np.sum([b["experiences"] for b in self.bins]))}
            m = float(x.mean())
            se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
            ratio = m / t_mean if t_mean else math.nan
            if n > 1 and t_mean:
                c = np.cov(x, typical, ddof=1)
                var = (c[0, 0] / t_mean**2 - 2 * m * c[0, 1] / t_mean**3
                       + m**2 * c[1, 1] / t_mean**4) / n
                r_se = math.sqrt(max(var, 0.0))
            else:
                r_se = math.nan
            rows.append({**info, "value_lost": m, "ci_low": m - tq * se, "ci_high": m + tq * se,
                         "ratio": ratio, "ratio_low": ratio - tq * r_se,
                         "ratio_high": ratio + tq * r_se})
        return pd.DataFrame(rows).set_index("bin")

    def plot(self, ax: Axes | None = None) -> Axes:
        """Bars: value lost per bad experience by degree bin, with intervals; the dashed line
        is a typical customer. Returns the axes."""
        return plot_influence(self, ax=ax)

    def __repr__(self) -> str:
        s = self.summary()
        top = s.iloc[-2]
        return (f"Influence: one bad experience of a customer in the top degree bin "
                f"({top['degree_low']:g}-{top['degree_high']:g} ties) costs "
                f"{top['ratio']:.2f}x a typical one ({self.currency} {top['value_lost']:,.0f} "
                f"vs {s.iloc[-1]['value_lost']:,.0f}; {self.runs} paired runs)")

    def _repr_html_(self) -> str:
        return influence_html(self)


def influence(scenario: Scenario, network: Network | None = None, runs: int = 20,
              seed: int | None = None, bins: int = 5, share: float = 0.1,
              executor: str | Executor | Client | None = None,
              progress: bool | None = None) -> Influence:
    """The value of one bad experience by the customer's number of ties (paired runs).

    Parameters
    ----------
    scenario : Scenario
        Today.
    network : Network, optional
        The social graph; built from ``scenario.market`` when omitted. A well-mixed market
        (no graph) has no degree and is refused.
    runs : int
        Paired runs; each simulates the scenario once as it is and once per bin.
    seed : int, optional
        As in :func:`womsim.simulate`.
    bins : int
        Degree bins of equal size (quantiles of the customers' degree), 2 to 20.
    share : float
        Share of each bin's customers given one extra bad experience per run (at least
        one). The paired difference carries the noise of everything the extra stories set
        off, so a larger share narrows the interval of the value per experience; keep it
        small enough that the extra stories do not crowd each other (the value is read as
        a marginal one).
    executor, progress
        As in :func:`womsim.simulate`.

    Returns
    -------
    Influence
        ``summary()`` (degree bin, mean degree, value lost per bad experience with interval,
        ratio to a typical customer), ``plot(ax=)``, and an HTML view in notebooks.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 3000,
    ...                                                 "simulation.horizon_years": 0.5})
    >>> inf = wom.influence(sc, runs=3, seed=1, bins=2, executor="serial")
    >>> inf.summary().index.tolist()
    ['1 (fewest ties)', '2 (most ties)', 'typical (all customers)']
    """
    check_scenario(scenario)
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not 2 <= bins <= 20:
        raise WomsimError(f"bins = {bins!r}: must be a whole number from 2 to 20")
    if (isinstance(share, bool) or not isinstance(share, (int, float))
            or not math.isfinite(share) or not 0 < share <= 1):
        raise WomsimError(f"share = {share!r}: must be a number in (0, 1]")
    seed = check_runs_seed(runs, seed)
    if network is None:
        network = build_network(scenario, seed)
    check_network(network, scenario.market.people)
    if network is None:
        raise WomsimError(
            "influence by reach needs a social graph: market.network = 'well_mixed' gives "
            "nobody ties, so every customer's reach is the same; pass network= or choose "
            "another market.network")
    sc = scenario.pinned() if scenario.state == "today" else scenario
    seeds = run_seeds(seed, runs)
    tasks = [(s, sc, None if j == 0 else _BinShock(s, bins, j - 1, share))
             for s in seeds for j in range(bins + 1)]
    work = float(sc.market.people) * sc.simulation.steps * len(tasks)
    out = map_tasks(_task, tasks, {"network": network}, executor=executor, work=work,
                    progress=progress, desc="influence")
    degree = np.diff(network.indptr)
    values = np.empty((runs, bins))
    given: list[list[np.ndarray]] = [[] for _ in range(bins)]
    for r in range(runs):
        base = out[r * (bins + 1)][0]
        for j in range(bins):
            v, ids = out[r * (bins + 1) + j + 1]
            if ids.size == 0:
                raise WomsimError(f"degree bin {j + 1} has no customers to give a bad "
                                  "experience to: use fewer bins or a larger market")
            values[r, j] = (base - v) / ids.size
            given[j].append(ids)
    info = []
    for j in range(bins):
        ids = np.concatenate(given[j])
        d = degree[ids]
        name = f"{j + 1}" + (" (fewest ties)" if j == 0 else " (most ties)" if j == bins - 1
                             else "")
        info.append({"bin": name, "degree_low": int(d.min()), "degree_high": int(d.max()),
                     "mean_degree": float(d.mean()), "experiences": ids.size / runs})
    return Influence(scenario, values, info, runs, seed)

"""How many of the stories a teller means to tell reach someone, in the mean field.

A teller tells at most their friends (each once) and sends the weak-tie share of their
stories to random people; what goes beyond their friends is not told (see
``docs/model.md``). On a sparse graph that is a large share: with the default telling
(mean 9, 13% above 20) on a scale-free graph of mean degree 10 about half of the negative
stories find no friend left. The mean-field rates that calibrate the baseline churn
(:mod:`womsim.model.meanfield`) count only the stories told, from the degree distribution
of the graph the scenario's market describes (``market.network``, ``market.mean_degree``):

* ``scale_free``: Barabási-Albert with ``m = round(mean_degree / 2)``,
  ``P(d) = 2 m (m + 1) / (d (d + 1) (d + 2))`` for ``d >= m``;
* ``random`` and ``communities``: Poisson with the mean degree;
* ``small_world``: everybody at the (even) mean degree;
* ``well_mixed``: everybody reachable, nothing is lost.

A network given to :func:`womsim.simulate` instead has its own degrees; the calibration
stays the mean-field approximation for the market's stated kind.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from womsim.model.telling import Telling

# scipy only inside the functions that use it: `import womsim` would pay ~0.4 s CPU for it
# (a third of the import) although most sessions never call them (tests/test_import_cost.py)

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["degree_distribution", "told_share", "told_shares"]


def degree_distribution(kind: str, mean_degree: float, people: int,
                        top: int) -> np.ndarray:
    """``P(degree = d)`` for ``d = 0..top`` (the last entry holds ``P(degree >= top)``).

    Examples
    --------
    >>> p = degree_distribution("scale_free", 10.0, 100_000, 60)
    >>> round(float(p.sum()), 12), float(p[:5].sum())
    (1.0, 0.0)
    """
    from scipy import stats

    d = np.arange(top + 1, dtype=np.float64)
    if kind == "scale_free":
        m = max(1, min(round(mean_degree / 2), people - 1))
        p = np.where(d >= m, 2.0 * m * (m + 1) / np.maximum(d * (d + 1) * (d + 2), 1), 0.0)
        # P(D >= top) = m (m + 1) / (top (top + 1)) in closed form
        p[top] = m * (m + 1) / (top * (top + 1)) if top >= m else 1.0 - p[:top].sum()
    elif kind == "small_world":
        k = min(max(2, 2 * round(mean_degree / 2)), people - 1 - (people - 1) % 2)
        p = np.zeros(top + 1)
        p[min(k, top)] = 1.0
    else:  # random, communities: Poisson
        p = stats.poisson.pmf(d, mean_degree)
        p[top] = stats.poisson.sf(top - 1, mean_degree)
    return p / p.sum()


def _thinned(pk: np.ndarray, q: float) -> np.ndarray:
    """``P(S = j)`` for ``S ~ Binomial(K, q)``, ``K ~ pk``: each of K stories kept with ``q``.

    Horner's scheme over ``K`` (keep-or-drop one story, then add ``P(K = k)`` at 0) costs
    ``O(kmax^2)`` multiply-adds without the ``kmax^2`` binomial pmfs a table of scipy
    ``binom.pmf`` evaluates: 0.1 s instead of 8 s of CPU for the 7,293-entry table of a mean
    of 20 with the 13% tail, the same values to 1e-16 (``tests/test_reach_thinning.py``).

    Examples
    --------
    >>> _thinned(np.array([0.0, 0.0, 1.0]), 0.5).tolist()   # 2 stories, each kept half the time
    [0.25, 0.5, 0.25]
    """
    acc = np.zeros(pk.size)
    acc[0] = pk[-1]
    for n, k in enumerate(range(pk.size - 2, -1, -1), start=1):
        acc[1:n + 1] = acc[1:n + 1] * (1.0 - q) + acc[:n] * q
        acc[0] = acc[0] * (1.0 - q) + pk[k]
    return acc


def told_share(telling: Telling, weak_share: float, degree_pmf: np.ndarray) -> float:
    """Share of the stories drawn from ``telling`` that are told, for tellers whose degree
    follows ``degree_pmf`` (a weak-tie share of them to random people, the rest to at most
    all friends).

    Examples
    --------
    >>> t = Telling.poisson(3.0)
    >>> told_share(t, 0.0, np.array([0.0, 0.0, 0.0, 0.0, 1.0])) < 1.0  # 4 friends, some tell 5+
    True
    >>> told_share(t, 1.0, np.array([1.0]))     # every story over weak ties
    1.0
    """
    pk = np.asarray(telling.table, dtype=np.float64)
    pk = pk / pk.sum()
    kmax = pk.size - 1
    mean = float(np.dot(np.arange(pk.size), pk))
    if mean <= 0:
        return 1.0
    # strong stories of a teller with k stories: Binomial(k, 1 - weak_share)
    strong = _thinned(pk, 1.0 - weak_share)
    sf = 1.0 - np.cumsum(strong)                         # P(strong > j), j = 0..kmax
    # E[min(strong, d)] = sum_{j < d} P(strong > j); degrees beyond kmax tell all
    top = degree_pmf.size - 1
    reach = np.concatenate([[0.0], np.cumsum(np.clip(sf, 0.0, None))])
    told_strong = float(np.dot(degree_pmf, reach[np.minimum(np.arange(top + 1), kmax + 1)]))
    return min(1.0, (told_strong + weak_share * mean) / mean)


@lru_cache(maxsize=256)
def _shares(kind: str, mean_degree: float, people: int, weak_share: float,
            neg: tuple, pos: tuple) -> tuple[float, float]:
    out = []
    for mean, tail_k, tail_share, dispersion in (neg, pos):
        if mean <= 0:
            out.append(1.0)
            continue
        telling = (Telling.from_figures(mean=mean, tail=(tail_k, tail_share))
                   if tail_share is not None else
                   Telling.from_figures(mean=mean, dispersion=dispersion))
        top = max(telling.table.size, 2)
        out.append(told_share(telling, weak_share,
                              degree_distribution(kind, mean_degree, people, top)))
    return out[0], out[1]


def told_shares(scenario: Scenario) -> tuple[float, float]:
    """Shares of negative and positive stories told in ``scenario``'s market (1 when it is
    well mixed).

    Examples
    --------
    >>> from womsim import Scenario
    >>> neg, pos = told_shares(Scenario())
    >>> 0.4 < neg < 0.7 and 0.9 < pos <= 1.0
    True
    """
    m, w = scenario.market, scenario.word_of_mouth
    if m.network == "well_mixed":
        return 1.0, 1.0
    return _shares(m.network, float(m.mean_degree), int(m.people), float(w.weak_tie_share),
                   (w.negative_mean, w.negative_tail_k, w.negative_tail_share, None),
                   (w.positive_mean, None, None, w.positive_dispersion))

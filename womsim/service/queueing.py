"""Closed-form queueing results used to check and size the service desk.

Erlang C (M/M/n: Poisson arrivals, exponential handling, ``n`` agents, nobody hangs up)
and Erlang A (M/M/n+M: the same with exponentially distributed patience).

All rates share one time unit of your choice (per minute, per hour...); waiting times
come back in that unit. Every function accepts numpy arrays for the rates and
broadcasts them; ``servers`` is a scalar integer.

Numerical notes
---------------
* Erlang C is computed from the Erlang B recursion
  ``B(k) = a B(k-1) / (k + a B(k-1))``, whose terms stay in [0, 1]: no factorials, no
  overflow, exact to rounding for thousands of servers.
* Erlang A is computed by solving its birth-death chain (state = people in the system;
  births at ``arrival_rate``, deaths at ``min(k, n) * service_rate + max(k - n, 0) *
  abandon_rate``) in log space. The chain is truncated where the death rate exceeds
  twice the arrival rate plus 200 further states, so the neglected tail is below
  ``2**-200`` of the mass: exact to rounding, and simpler to audit than the
  Palm / Garnett-Mandelbaum-Reiman closed forms with incomplete gamma functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from womsim.core.errors import ScenarioError

# scipy only inside the functions that use it: `import womsim` would pay ~0.4 s CPU for it
# (a third of the import) although most sessions never call them (tests/test_import_cost.py)

__all__ = [
    "ErlangA",
    "agents_for_service_level",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_mean_wait",
    "erlang_c_service_level",
]


def _check_servers(servers: int) -> int:
    if isinstance(servers, bool) or int(servers) != servers or servers < 1:
        raise ScenarioError(f"servers = {servers!r}: must be an integer >= 1")
    return int(servers)


def _check_rate(name: str, value, positive: bool = False) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr) | (arr <= 0 if positive else arr < 0)
    if np.any(bad):
        allowed = "> 0" if positive else ">= 0"
        raise ScenarioError(f"{name} = {value!r}: must be finite and {allowed}")
    return arr


def erlang_b(offered_load: float | np.ndarray, servers: int) -> float | np.ndarray:
    """Blocking probability of M/M/n/n (Erlang B) for offered load ``a`` in Erlangs.

    Parameters
    ----------
    offered_load : float or array_like
        ``arrival_rate / service_rate`` (Erlangs), >= 0.
    servers : int
        Number of servers ``n`` >= 1.

    Returns
    -------
    float or ndarray
        P(all servers busy) seen by an arrival when there is no waiting room.

    Examples
    --------
    >>> round(float(erlang_b(5.0, 8)), 4)
    0.07
    """
    n = _check_servers(servers)
    a = _check_rate("offered_load", offered_load)
    b = np.ones_like(a)
    for k in range(1, n + 1):
        ab = a * b
        b = ab / (k + ab)
    return b if b.ndim else float(b)


def erlang_c(arrival_rate: float | np.ndarray, service_rate: float | np.ndarray,
             servers: int) -> float | np.ndarray:
    """Probability that an arrival has to wait in M/M/n (Erlang C).

    Parameters
    ----------
    arrival_rate : float or array_like
        Contacts per time unit (>= 0).
    service_rate : float or array_like
        Contacts one agent handles per time unit (1 / mean handle time, > 0).
    servers : int
        Number of agents.

    Returns
    -------
    float or ndarray
        P(wait > 0). Equal to 1 when the load is at or above capacity
        (``arrival_rate >= servers * service_rate``), where the queue never settles.

    Examples
    --------
    Eight agents, 6-minute calls, 1 call a minute (utilisation 0.75):

    >>> round(float(erlang_c(1.0, 1 / 6, 8)), 4)
    0.357
    """
    n = _check_servers(servers)
    lam = _check_rate("arrival_rate", arrival_rate)
    mu = _check_rate("service_rate", service_rate, positive=True)
    a = lam / mu
    rho = a / n
    b = np.asarray(erlang_b(a, n), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = b / (1.0 - rho * (1.0 - b))
    c = np.where(rho >= 1.0, 1.0, np.clip(c, 0.0, 1.0))
    return c if c.ndim else float(c)


def erlang_c_mean_wait(arrival_rate: float | np.ndarray, service_rate: float | np.ndarray,
                       servers: int) -> float | np.ndarray:
    """Mean wait in queue over all arrivals (including those served at once) in M/M/n.

    ``W = C / (n mu - lambda)`` in the time unit of the rates; ``inf`` at or above
    capacity.

    Examples
    --------
    >>> round(float(erlang_c_mean_wait(1.0, 1 / 6, 8)) * 60, 1)  # seconds
    64.3
    """
    n = _check_servers(servers)
    lam = _check_rate("arrival_rate", arrival_rate)
    mu = _check_rate("service_rate", service_rate, positive=True)
    c = np.asarray(erlang_c(lam, mu, n))
    spare = n * mu - lam
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(spare > 0, c / np.where(spare > 0, spare, 1.0), np.inf)
    return w if w.ndim else float(w)


def erlang_c_service_level(arrival_rate: float | np.ndarray, service_rate: float | np.ndarray,
                           servers: int, t: float | np.ndarray) -> float | np.ndarray:
    """Share of arrivals answered within ``t`` in M/M/n: ``1 - C exp(-(n mu - lambda) t)``.

    ``t`` is in the time unit of the rates. 0 at or above capacity.

    Examples
    --------
    Share answered within 20 seconds (rates per minute, so t = 20/60):

    >>> round(float(erlang_c_service_level(1.0, 1 / 6, 8, 20 / 60)), 3)
    0.681
    """
    n = _check_servers(servers)
    lam = _check_rate("arrival_rate", arrival_rate)
    mu = _check_rate("service_rate", service_rate, positive=True)
    t = _check_rate("t", t)
    c = np.asarray(erlang_c(lam, mu, n))
    spare = n * mu - lam
    sl = np.where(spare > 0, 1.0 - c * np.exp(-np.maximum(spare, 0.0) * t), 0.0)
    return sl if sl.ndim else float(sl)


def agents_for_service_level(arrival_rate: float, service_rate: float, t: float,
                             target: float = 0.8) -> int:
    """Fewest agents for which the Erlang C service level within ``t`` reaches ``target``.

    The classic staffing rule ("80% answered within 20 seconds"); ignores abandonment,
    so it errs on the safe side.

    Examples
    --------
    >>> agents_for_service_level(1.0, 1 / 6, 20 / 60, target=0.8)
    9
    """
    lam = float(_check_rate("arrival_rate", arrival_rate))
    mu = float(_check_rate("service_rate", service_rate, positive=True))
    if not 0.0 < target < 1.0:
        raise ScenarioError(f"target = {target!r}: must be strictly between 0 and 1")
    n = max(1, int(np.floor(lam / mu)) + 1)
    while erlang_c_service_level(lam, mu, n, t) < target:
        n += 1
    return n


_MAX_STATES = 5_000_000


def _birth_death_logp(lam: float, mu: float, n: int, theta: float) -> np.ndarray:
    """Normalised log stationary probabilities of the M/M/n+M chain, states 0..K."""
    from scipy.special import logsumexp

    # Up to m_zero waiting people the chain drifts upwards; past it every state carries
    # less mass than the one before, so we extend block by block until the mass has
    # fallen 60 nats (e^-60) below the peak and stays falling.
    m_zero = max(0, int(np.ceil((lam - n * mu) / theta)))
    end = n + m_zero + 1
    if end > _MAX_STATES:
        raise ScenarioError(
            f"abandon_rate = {theta!r} is too small for arrival_rate = {lam!r} above capacity "
            f"({n} x {mu!r}): the queue would hold about {m_zero} people; "
            "use erlang_c or a shorter patience"
        )
    chunks = []
    k = np.arange(1, end, dtype=float)
    deaths = np.minimum(k, n) * mu + np.maximum(k - n, 0.0) * theta
    chunks.append(np.log(lam) - np.log(deaths))
    while True:
        cum = np.cumsum(np.concatenate(chunks))
        peak = max(0.0, float(cum.max())) if cum.size else 0.0
        last = float(cum[-1]) if cum.size else 0.0
        if last < peak - 60.0:
            break
        if end > _MAX_STATES:
            raise ScenarioError(
                f"the Erlang A chain needs more than {_MAX_STATES} states "
                f"(arrival_rate = {lam!r}, servers = {n}, abandon_rate = {theta!r})"
            )
        block = max(4096, end)
        k = np.arange(end, end + block, dtype=float)
        deaths = np.minimum(k, n) * mu + np.maximum(k - n, 0.0) * theta
        chunks.append(np.log(lam) - np.log(deaths))
        end += block
    logp = np.concatenate(([0.0], cum))
    return logp - logsumexp(logp)


@dataclass(frozen=True)
class ErlangA:
    """Steady state of M/M/n+M (Erlang A); times in the unit of the rates.

    Attributes
    ----------
    p_wait : P(an arrival finds all agents busy) (PASTA).
    p_abandon : share of arrivals who hang up before being answered.
    mean_queue : mean number waiting.
    mean_wait : mean time in queue over all arrivals (answered or not), Little's law.
    occupancy : mean share of agents busy.

    Examples
    --------
    >>> r = erlang_a(1.0, 1 / 6, 8, 1 / 3)
    >>> r.p_abandon < r.p_wait < 1
    True
    """

    p_wait: float
    p_abandon: float
    mean_queue: float
    mean_wait: float
    occupancy: float


def erlang_a(arrival_rate: float, service_rate: float, servers: int,
             abandon_rate: float) -> ErlangA:
    """Erlang A (M/M/n+M) by solving its birth-death chain in log space.

    Parameters
    ----------
    arrival_rate, service_rate : float
        As in :func:`erlang_c`.
    servers : int
        Number of agents.
    abandon_rate : float
        1 / mean patience (same time unit). 0 means nobody abandons: Erlang C, which
        needs ``arrival_rate < servers * service_rate``.

    Returns
    -------
    ErlangA

    Examples
    --------
    Eight agents, 6-minute calls, mean patience 3 minutes, at 100% offered load:

    >>> r = erlang_a(8 / 6, 1 / 6, 8, 1 / 3)
    >>> round(r.p_abandon, 3), round(r.p_wait, 3)
    (0.163, 0.472)
    """
    n = _check_servers(servers)
    lam = float(_check_rate("arrival_rate", arrival_rate))
    mu = float(_check_rate("service_rate", service_rate, positive=True))
    theta = float(_check_rate("abandon_rate", abandon_rate))
    if lam == 0.0:
        return ErlangA(0.0, 0.0, 0.0, 0.0, 0.0)
    if theta == 0.0:
        if lam >= n * mu:
            inf = float("inf")
            return ErlangA(1.0, 0.0, inf, inf, 1.0)
        c = float(erlang_c(lam, mu, n))
        wq = float(erlang_c_mean_wait(lam, mu, n))
        return ErlangA(c, 0.0, lam * wq, wq, lam / (n * mu))
    logp = _birth_death_logp(lam, mu, n, theta)
    p = np.exp(logp)
    states = np.arange(p.size)
    queue = np.maximum(states - n, 0)
    busy = np.minimum(states, n)
    mean_queue = float(p @ queue)
    return ErlangA(
        p_wait=float(p[n:].sum()),
        p_abandon=theta * mean_queue / lam,
        mean_queue=mean_queue,
        mean_wait=mean_queue / lam,
        occupancy=float(p @ busy) / n,
    )

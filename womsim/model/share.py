"""Market share against rivals in closed form (mean field): the Hays & Hill comparative statics.

Hays & Hill ("The market share impact of service failures", POM 8(3), 1999) tie a firm's
service success rate, complaint rate and recovery rate to its customers' defections and so
to an equilibrium market share. The same flows as the engine, as rates per year per person
in a well-mixed market, with no effect of word of mouth on listeners (deterrence, referral
and customer defection off: then the flows are linear) give the market as a linear system
``dx/dt = Q x`` over (our customers, our former customers, prospects, each rival's
customers), separately for people with and without an alternative provider. Its
equilibrium is the null vector of ``Q`` (exact, one linear solve) and its path from any
start is ``expm(Q t) x0``.

What follows from it (and what the tests check against the engine):

* our share rises with our success rate (fewer problems, fewer service defections);
* with no recovery (``complaints.resolved = 0``) and unresolved complainers as loyal as
  silent ones, a higher complaint rate changes nothing;
* the equilibrium is unique and reached from above and from below.

Examples
--------
>>> from womsim import Scenario
>>> sc = Scenario(rivals=[{"name": "challenger", "customer_share": 0.3}],
...               word_of_mouth={"prospect_deter_prob": 0.0, "referral_prob": 0.0,
...                              "customer_defect_prob": 0.0})
>>> 0 < equilibrium_share(sc) < 1
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.core.errors import ScenarioError

# scipy only inside the functions that use it: `import womsim` would pay ~0.4 s CPU for it
# (a third of the import) although most sessions never call them (tests/test_import_cost.py)

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["MarketFlows", "equilibrium", "equilibrium_share", "flows", "share_path"]


class MarketFlows:
    """The yearly flow rates of a market with rivals (mean field, linear).

    Attributes
    ----------
    leave : ndarray
        Hazard per year that a customer of each firm (ours first) leaves, by cause
        combined (service experience for those with an alternative, baseline churn).
    service_leave : ndarray
        The service part of ``leave`` (own experience only).
    """

    def __init__(self, sc) -> None:
        if not sc.rivals:
            raise ScenarioError("market share needs a rival: add [[rivals]] to the scenario")
        if sc.segments:
            # one rate per firm: a segmented market's rates differ by segment
            raise ScenarioError(
                "the closed-form market share is for a market of one segment, but this "
                "scenario has segments (" + ", ".join(s.name for s in sc.segments)
                + "): simulate it, or take the segments out (segments=[])")
        w = sc.word_of_mouth
        active = {n: getattr(w, n) for n in ("prospect_deter_prob", "referral_prob",
                                             "customer_defect_prob") if getattr(w, n) > 0}
        self.linear = not active
        self.ignored = active
        base = sc.at(-1.0)
        leave = base.complaints.leave()
        g = np.array([leave["silent"], leave["unresolved"], leave["resolved"],
                      leave["resolved_quickly"]])

        def service(contact, problem, complain, resolved, quick) -> float:
            shares = problem * np.array([1 - complain, complain * (1 - resolved),
                                         complain * resolved * (1 - quick),
                                         complain * resolved * quick])
            return float(contact * shares @ g)

        s, c, m = base.service, base.complaints, base.market
        ours = service(s.contact_rate, s.problem_rate, c.complain_rate, c.resolved,
                       c.quick_share)
        rv = base.rivals
        self.names = ("us", *(r.name for r in rv))
        self.service_leave = np.array([ours] + [service(r.contact_rate, r.problem_rate,
                                                        r.complain_rate, r.resolved,
                                                        r.quick_share) for r in rv])
        self.baseline = np.array([base.baseline_churn() + m.extra_churn]
                                 + [r.baseline_churn for r in rv])
        self.leave = self.service_leave + self.baseline
        self.marketing = np.array([m.marketing_rate] + [r.marketing_rate for r in rv])
        self.winback = m.winback_rate
        self.takes = np.array([r.takes_leavers for r in rv])
        self.loses = np.array([r.loses_to_us for r in rv])
        self.no_alt = m.no_alternative_share

    def generator(self, alternative: bool) -> np.ndarray:
        """The rate matrix Q over (ours, former, prospects, rival 1, ...) for one class."""
        k = len(self.names) - 1
        q = np.zeros((3 + k, 3 + k))
        lo = self.leave if alternative else self.baseline
        takes = self.takes if alternative else np.zeros(k)
        loses = self.loses if alternative else np.zeros(k)
        # ours -> rival j, or out of the market (former)
        q[3:, 0] += takes * lo[0]
        q[1, 0] += (1 - takes.sum()) * lo[0]
        q[0, 0] -= lo[0]
        # former -> ours (win-back)
        q[0, 1] += self.winback
        q[1, 1] -= self.winback
        # prospects -> each firm (competing marketing hazards)
        q[0, 2] += self.marketing[0]
        q[3:, 2] += self.marketing[1:]
        q[2, 2] -= self.marketing.sum()
        # rival j -> ours, or back to prospects
        for j in range(k):
            q[0, 3 + j] += loses[j] * lo[1 + j]
            q[2, 3 + j] += (1 - loses[j]) * lo[1 + j]
            q[3 + j, 3 + j] -= lo[1 + j]
        return q


def flows(sc: Scenario) -> MarketFlows:
    """The market's flow rates (see :class:`MarketFlows`)."""
    return MarketFlows(sc)


def _start(sc) -> np.ndarray:
    m = sc.market
    rv = [r.customer_share for r in sc.rivals]
    prospects = 1 - m.customer_share - m.former_share - sum(rv)
    return np.array([m.customer_share, m.former_share, prospects, *rv])


def _check(f: MarketFlows) -> None:
    if not f.linear:
        raise ScenarioError(
            "the closed-form market share leaves out what word of mouth does to listeners, "
            "but this scenario sets " + ", ".join(f"word_of_mouth.{k} = {v:g}"
                                                  for k, v in f.ignored.items())
            + ": set them to 0 for the closed form, or simulate")


def equilibrium(sc: Scenario) -> pd.Series:
    """Equilibrium shares of the market's people: our customers, former, prospects, each
    rival's customers (mean field; unique when every state can be left and reached).

    Examples
    --------
    >>> from womsim import Scenario
    >>> sc = Scenario(rivals=[{"name": "r"}], word_of_mouth={"prospect_deter_prob": 0.0,
    ...               "referral_prob": 0.0, "customer_defect_prob": 0.0})
    >>> round(float(equilibrium(sc).sum()), 12)
    1.0
    """
    from scipy.linalg import null_space

    f = flows(sc)
    _check(f)
    out = np.zeros(3 + len(f.names) - 1)
    for alt, weight in ((True, 1 - f.no_alt), (False, f.no_alt)):
        if weight <= 0:
            continue
        ns = null_space(f.generator(alt))
        if ns.shape[1] != 1:
            raise ScenarioError(
                "the market has no single equilibrium: some state can never be left or "
                "reached (e.g. no marketing, no win-back and no switching)")
        v = np.abs(ns[:, 0])
        out += weight * v / v.sum()
    index = ["customers", "former", "prospects"] + [f"rival.{n}" for n in f.names[1:]]
    return pd.Series(out, index=index, name="equilibrium share of people")


def equilibrium_share(sc: Scenario) -> float:
    """Our equilibrium share of all firms' customers (Hays & Hill's market share).

    Examples
    --------
    >>> from womsim import Scenario
    >>> quiet = {"prospect_deter_prob": 0.0, "referral_prob": 0.0, "customer_defect_prob": 0.0}
    >>> good = Scenario(service={"problem_rate": 0.05}, rivals=[{"name": "r"}],
    ...                 word_of_mouth=quiet)
    >>> bad = good.replace(**{"service.problem_rate": 0.2})
    >>> equilibrium_share(good) > equilibrium_share(bad)
    True
    """
    e = equilibrium(sc)
    firms = e["customers"] + e.iloc[3:].sum()
    return float(e["customers"] / firms)


def share_path(sc: Scenario, years: Any = None) -> pd.DataFrame:
    """Our share of all firms' customers over time from the scenario's start (mean field):
    ``expm(Q t) x0`` per class; ``years`` defaults to the end of each step."""
    from scipy.linalg import expm

    f = flows(sc)
    _check(f)
    if years is None:
        sim = sc.simulation
        years = (np.arange(sim.steps) + 1) * sim.dt
    years = np.asarray(years, dtype=float)
    x0 = _start(sc)
    rows = []
    for t in years:
        x = np.zeros_like(x0)
        for alt, weight in ((True, 1 - f.no_alt), (False, f.no_alt)):
            if weight > 0:
                x += weight * expm(f.generator(alt) * t) @ x0
        rows.append(x)
    a = np.array(rows)
    df = pd.DataFrame(a, index=pd.Index(years, name="time"),
                      columns=["customers", "former", "prospects"]
                      + [f"rival.{n}" for n in f.names[1:]])
    df["market_share"] = df["customers"] / (df["customers"] + df.iloc[:, 3:3 + len(
        f.names) - 1].sum(axis=1))
    return df

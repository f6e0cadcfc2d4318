"""The solved rates that come from several targets at once, drawn per reference run.

:func:`~womsim.analysis.calibrate_targets.nuisance_draws` draws the rates one target sets
by plain assignment. Three more are solved from a target *and* other rates: the customer
share from ``customers`` (and the market's people), the complaint or problem rate from
``complaints_per_year`` (with the customers, the contact rate and the other of the two
rates) and the delighted share from ``recommend_share`` (less the complaints resolved:
problem x complaint x resolved rates). Each is recomputed per run, by the same formula as
the exact solve, wherever its target carries a standard error (drawn like the others:
a normal of the value and error, truncated to the target's range) or one of its inputs was
drawn; a rate pushed outside its range by a draw is held at its edge. The desk's targets
(``service_level``, ``abandonment``) are not drawn: each solve is a root search on
averaged desk runs (:func:`womsim.analysis.calibrate_service.solve_desk`), and one per
reference run would cost as much as the inference again.

Targets without an error whose inputs are not drawn draw nothing and take no random
numbers.
"""

from __future__ import annotations

import numpy as np

from womsim.analysis.calibrate_targets import TARGETS, _truncated_normal, nuisance_draws
from womsim.model.scenario import Scenario

__all__ = ["DERIVED", "solved_rate_candidates"]

#: targets solved from several inputs, drawn here when they carry an error
DERIVED = ("customers", "complaints_per_year", "recommend_share")


def _draw(t: dict[str, tuple[float, float]], name: str, lo: float, hi: float, n: int,
          rng: np.random.Generator) -> np.ndarray | None:
    if name not in t or t[name][1] <= 0:
        return None
    value, se = t[name]
    return _truncated_normal(value, se, lo, hi, n, rng)


def solved_rate_candidates(t: dict[str, tuple[float, float]], solved: dict[str, str], n: int,
                           rng: np.random.Generator, scenario: Scenario | None = None
                           ) -> dict[str, np.ndarray]:
    """``n`` draws of every solved rate the targets' errors move: those of
    :func:`~womsim.analysis.calibrate_targets.nuisance_draws` first (the same random
    numbers), then, with ``scenario`` (today at the estimates), the rates of
    :data:`DERIVED` (see the module).

    Examples
    --------
    >>> sc = Scenario.preset("retail_bank")
    >>> d = solved_rate_candidates({"customers": (20_000, 2_000)},
    ...                            {"market.customer_share": "customers"}, 2000,
    ...                            np.random.default_rng(1), sc)
    >>> share = d["market.customer_share"] * sc.market.people
    >>> round(float(share.mean()), -3), round(float(share.std()), -3)
    (20000.0, 2000.0)
    """
    out = nuisance_draws(t, solved, n, rng)
    if scenario is None:
        return out
    m, s, c = scenario.market, scenario.service, scenario.complaints

    def rate(param: str, now: float) -> np.ndarray:
        return out.get(param, np.full(n, now))

    customers = _draw(t, "customers", TARGETS["customers"][0],
                      m.people * (1 - m.former_share), n, rng)
    if customers is not None and solved.get("market.customer_share") == "customers":
        out["market.customer_share"] = customers / m.people
    cpy = _draw(t, "complaints_per_year", 1e-9, TARGETS["complaints_per_year"][1], n, rng)
    source = [p for p in ("complaints.complain_rate", "service.problem_rate")
              if solved.get(p) == "complaints_per_year"]
    inputs = ("market.customer_share", "service.contact_rate", "service.problem_rate",
              "complaints.complain_rate")
    if source and (cpy is not None or any(p in out for p in inputs)):
        value = cpy if cpy is not None else np.full(n, t["complaints_per_year"][0])
        contacts = rate("market.customer_share", m.customer_share) * m.people * \
            rate("service.contact_rate", s.contact_rate)
        per_contact = value / np.maximum(contacts, 1e-12)
        if source[0] == "complaints.complain_rate":
            p = rate("service.problem_rate", s.problem_rate)
            out[source[0]] = np.clip(per_contact / np.maximum(p, 1e-12), 1e-9, 1 - 1e-9)
        else:
            cr = rate("complaints.complain_rate", c.complain_rate)
            out[source[0]] = np.clip(per_contact / np.maximum(cr, 1e-12), 1e-9,
                                     1 - s.delight_rate)
    rec = _draw(t, "recommend_share", 1e-9, 1 - 1e-9, n, rng)
    if solved.get("service.delight_rate") == "recommend_share" and (
            rec is not None or any(p in out for p in ("service.problem_rate",
                                                      "complaints.complain_rate",
                                                      "complaints.resolved"))):
        value = rec if rec is not None else np.full(n, t["recommend_share"][0])
        p = rate("service.problem_rate", s.problem_rate)
        resolved = p * rate("complaints.complain_rate", c.complain_rate) * \
            rate("complaints.resolved", c.resolved)
        out["service.delight_rate"] = np.clip(value - resolved, 0.0, 1 - p)
    return out

"""One calibration simulation reduced to the observables the client's data gives, and the
Newton step on the marketing rate that meets a growth target."""

from __future__ import annotations

import math

import numpy as np

from womsim.analysis.calibrate_targets import TARGETS
from womsim.analysis.clientdata import synthetic_client
from womsim.core.errors import CalibrationError
from womsim.engine.step import run
from womsim.runner.simulate import build_network

__all__: list[str] = []


def _stats(rec: dict[str, np.ndarray], horizon: float) -> dict[str, float]:
    """The observables of one simulated run (as the client's data gives them)."""
    c0 = float(rec["initial"][1])
    c1 = float(rec["customers"][-1])
    mean_c = float(np.mean(np.concatenate([[c0], rec["customers"]])))
    s = {k: float(rec[k].sum()) for k in (
        "contacts", "problems", "complaints", "silent", "unresolved", "resolved",
        "resolved_quickly", "defect_silent", "defect_unresolved", "defect_resolved",
        "defect_resolved_quickly", "defections", "acq_referral", "acquisitions",
        "acq_marketing", "delighted")}

    def share(a, b):
        return a / b if b > 0 else math.nan

    return {
        "annual_churn": -math.expm1(-s["defections"] / mean_c / horizon) if mean_c else 0.0,
        "customer_growth": (c1 / c0) ** (1 / horizon) - 1 if c0 > 0 else math.nan,
        "customers": c0,
        "contacts_per_year": share(s["contacts"], mean_c * horizon),
        "problem_share": share(s["problems"], s["contacts"]),
        "complaint_share": share(s["complaints"], s["problems"]),
        "complaints_per_year": s["complaints"] / horizon,
        "resolved_share": share(s["resolved"] + s["resolved_quickly"], s["complaints"]),
        "quick_share": share(s["resolved_quickly"], s["resolved"] + s["resolved_quickly"]),
        "recommend_share": share(s["delighted"] + s["resolved"] + s["resolved_quickly"],
                                 s["contacts"]),
        "referral_share": share(s["acq_referral"], s["acquisitions"]),
        "_c0": c0, "_c1": c1, "_acq_marketing": s["acq_marketing"],
        "_acquisitions": s["acquisitions"], "_churn_hazard": s["defections"] / mean_c / horizon
        if mean_c else 0.0,
    }


def _sim_task(task: tuple[int, dict[str, float]], scenario, network, mode: str = ""
              ) -> dict[str, float]:
    """One simulation reduced to observables. ``mode``: ``""`` the engine's counts on
    ``network``; ``"fresh"`` the same on a network of the run's own (the client's network
    is not known: the reference runs spread over networks as clients do); ``"data"`` on a
    network of its own, traced into a customer table and contact log and read by
    :class:`womsim.analysis.clientdata.ClientData`, the client's own estimator (one
    definition of each observable, the ``leave_*`` shares above all)."""
    seed, draw = task
    # each draw is another description of today: the baseline churn is solved under it
    sc = scenario.today(**draw) if draw else scenario
    try:
        net = build_network(sc, seed) if mode else network
        if mode == "data":
            obs = synthetic_client(sc, seed=seed, network=net).observables()["value"]
            return {k: float(v) for k, v in obs.items() if k in TARGETS}
        rec = run(sc, net, seed)
    except CalibrationError:  # this draw cannot meet the churn: it is not in the posterior
        return {"_failed": 1.0}
    return _stats(rec, sc.simulation.horizon_years)


def _newton_marketing(st: dict[str, float], m0: float, growth: float, horizon: float
                      ) -> float:
    """The marketing rate that would have met the growth target in this run (one Newton
    step: marketing acquisitions are proportional to the rate; those won stay, on average,
    for the part of the horizon left at today's churn)."""
    want = st["_c0"] * ((1 + growth) ** horizon - 1)
    got = st["_c1"] - st["_c0"]
    h = st["_churn_hazard"]
    keep = -math.expm1(-h * horizon / 2) / (h * horizon / 2) if h > 0 else 1.0
    slope = st["_acq_marketing"] / m0 * keep if m0 > 0 else 0.0
    if slope <= 0:
        return m0
    return max(0.0, m0 + (want - got) / slope)


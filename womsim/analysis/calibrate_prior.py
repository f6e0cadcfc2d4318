"""The prior's part that can meet a churn target: the mean-field churn floor, which
parameter sets leave room for a baseline churn, and that set's bounding box.

A churn target is met by solving the baseline churn; a parameter set whose service alone
causes more churn than the target has no baseline churn that meets it, and is ruled out
before any simulation.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from womsim.analysis.calibrate_targets import MARKETING, WEAK
from womsim.core.errors import CalibrationError
from womsim.model.meanfield import annual_churn, annual_churn_columns, rates
from womsim.model.scenario import Scenario

__all__ = ["lenient_corner"]


def _with(sc, names: list[str], row) -> Any:
    """``sc`` with parameters ``names`` set to ``row`` (numbers, or arrays of values for
    :func:`_feasible`): unvalidated copies (the values are inside their prior ranges, hence
    valid) for the mean-field churn only."""
    parts: dict[str, dict[str, Any]] = {}
    for name, v in zip(names, row, strict=True):
        part, field = name.split(".", 1)
        parts.setdefault(part, {})[field] = v if isinstance(v, np.ndarray) else float(v)
    return sc.model_copy(update={part: getattr(sc, part).model_copy(update=fs)
                                 for part, fs in parts.items()})


def lenient_corner(sc: Scenario, names: list[str], bounds: np.ndarray
                   ) -> tuple[np.ndarray, float]:
    """The corner of the prior box where today's service alone causes the least churn, and
    that churn: the floor below which no parameter set of the prior meets a churn target.

    Each inferred parameter moves the service-driven churn one way only (more intention to
    act, more large losses, more defection on a bad story, more stories told over weak ties
    can only add leavers), so the least churn is at a corner of the box.

    Examples
    --------
    >>> from womsim.model.scenario import Scenario
    >>> sc = Scenario.preset("retail_bank")
    >>> x, floor = lenient_corner(sc, ["complaints.intention_to_action"], np.array([[0.25, 0.75]]))
    >>> x.tolist(), floor < annual_churn(sc, 0.0)
    ([0.25], True)
    """
    if not names:
        return np.empty(0), annual_churn(sc, 0.0)
    corners = np.array(list(itertools.product(*bounds.tolist())))
    churn = np.array([annual_churn(_with(sc, names, c), 0.0) for c in corners])
    i = int(np.argmin(churn))
    return corners[i], float(churn[i])


def _check_churn_floor(sc, names: list[str], bounds: np.ndarray) -> np.ndarray | None:
    """Refuse a churn target that no parameter set of the prior can meet; return the
    lenient corner (None without a churn target)."""
    target = sc.market.observed_annual_churn
    if target is None:
        return None
    corner, floor = lenient_corner(sc, names, bounds)
    if floor > target + 1e-12:
        r = rates(_with(sc, names, corner))
        why = (f"own experience {r.experience_leave_per_year:.1%}/yr, word of mouth "
               f"{r.wom_leave_per_year:.1%}/yr")
        at = ", ".join(f"{n.split('.')[-1]} = {v:.3g}" for n, v in zip(names, corner,
                                                                        strict=True))
        raise CalibrationError(
            f"target 'annual_churn' = {target:.1%} is below the churn today's service alone "
            f"causes under every parameter set of the prior (at least {floor:.1%}, at its "
            f"most lenient corner{': ' + at if at else ''}; {why}), so no baseline churn "
            "can meet it; check the churn, or lower problem_share or the leave_* targets")
    return corner


#: inferred parameters the mean-field churn reads by plain arithmetic only: a whole column
#: of their values goes through :func:`womsim.model.meanfield.annual_churn_columns` at once (the
#: others, e.g. the weak-tie share, go through a cached lookup and are taken one value at a
#: time)
_ARITHMETIC = frozenset({
    "complaints.intention_to_action", "complaints.large_loss_share",
    "word_of_mouth.customer_defect_prob", "word_of_mouth.prospect_deter_prob",
    "word_of_mouth.referral_prob", "word_of_mouth.deter_memory_years",
    "economics.acquisition_cost_ratio", MARKETING})


def _feasible(sc, names: list[str], theta: np.ndarray) -> np.ndarray:
    """Which parameter sets leave room for a baseline churn under the churn target."""
    target = sc.market.observed_annual_churn
    if target is None:
        return np.ones(len(theta), dtype=bool)
    return churn_floor(sc, names, theta) <= target + 1e-12


def churn_floor(sc: Scenario, names: list[str], theta: np.ndarray) -> np.ndarray:
    """The annual churn each parameter set makes with no baseline churn (experience alone):
    a churn target below it cannot be met (the floor of :func:`_feasible`).

    Examples
    --------
    >>> sc = Scenario.preset("retail_bank")
    >>> f = churn_floor(sc, ["complaints.intention_to_action"], np.array([[0.2], [0.8]]))
    >>> bool(0 < f[0] < f[1] < 1)
    True
    """
    theta = np.array(theta, dtype=float).reshape(-1, len(names))
    if WEAK in names:
        # the told share of a weak-tie share costs ~20 ms (womsim.model.reach, cached per
        # value): on a 0.001 grid the cache holds every value of the prior, and the churn
        # moves by under 0.01% of itself; a draw that slips through fails its run's
        # baseline solve and is left out there
        j = names.index(WEAK)
        theta[:, j] = np.round(theta[:, j], 3)
    vec = [k for k, n in enumerate(names) if n in _ARITHMETIC]
    rest = [k for k in range(len(names)) if k not in vec]
    out = np.zeros(len(theta), dtype=float)
    if len(theta) == 0:
        return out
    # one mean-field pass per distinct value of the looked-up parameters, on arrays of
    # the arithmetic ones (the unvalidated copy holds arrays: every value is in its prior)
    keys, group = np.unique(theta[:, rest], axis=0, return_inverse=True)
    group = group.reshape(-1)
    for g in range(len(keys)):
        rows = np.flatnonzero(group == g)
        cols = [theta[rows, k] if k in vec else float(theta[rows[0], k])
                for k in range(len(names))]
        churn = annual_churn_columns(_with(sc, names, cols), 0.0)
        out[rows] = np.broadcast_to(churn, rows.shape)
    return out


def _feasible_box(sc, names: list[str], bounds: np.ndarray, corner: np.ndarray
                  ) -> np.ndarray:
    """The bounding box of the prior's parameter sets that can meet the churn target.

    The service-driven churn rises away from the lenient corner in every parameter
    (:func:`lenient_corner`), so a feasible set reaches along each axis no farther than
    the corner moved along that axis alone: bisected here, on the mean field.
    """
    out = np.array(bounds, dtype=float)
    for j in range(len(names)):
        far = bounds[j, 1] if corner[j] == bounds[j, 0] else bounds[j, 0]

        def ok(v: float, j: int = j) -> bool:
            x = corner.copy()
            x[j] = v
            return bool(_feasible(sc, names, x[None])[0])

        a, b = float(corner[j]), float(far)
        if not ok(b):
            for _ in range(40):
                mid = (a + b) / 2
                a, b = (mid, b) if ok(mid) else (a, mid)
        edge = a if not ok(b) else b
        # at least 1% of the range wide: the emulator works in positions within it
        least = 0.01 * (bounds[j, 1] - bounds[j, 0])
        if abs(edge - corner[j]) < least:
            edge = corner[j] + math.copysign(least, far - corner[j])
        out[j] = sorted((float(corner[j]), float(edge)))
    return out


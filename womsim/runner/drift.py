"""A today that drifts with no cause: the customer base moves with nothing to move it.

A scenario that describes today (``state == "today"``) and holds no intervention should
keep today's customer base on its path: steady, or growing at the growth ``calibrate``
solved the marketing rate for. One whose base moves more than :data:`DRIFT_LIMIT` over the
horizon, beyond what its runs' noise explains, has a marketing rate (or a start) that does
not describe today, and every difference computed against it carries that drift.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

import numpy as np

from womsim.results import Ensemble, interval

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["DRIFT_LIMIT", "DriftWarning", "check_drift", "expected_growth"]

#: largest relative change of the customer base over the horizon taken as "at rest"
DRIFT_LIMIT = 0.03


class DriftWarning(UserWarning):
    """Today's customer base drifts away from its path with no cause."""


def expected_growth(scenario: Scenario) -> float:
    """The yearly growth today's marketing rate was solved for (0 when none was).

    Examples
    --------
    >>> from womsim.model.scenario import Scenario
    >>> expected_growth(Scenario())
    0.0
    """
    for rec in scenario.solved:
        if rec.parameter == "market.marketing_rate" and "customer_growth" in rec.observables:
            return float(rec.observables["customer_growth"])
    return 0.0


def check_drift(ens: Ensemble, level: float = 0.95, stacklevel: int = 3,
                scenario: Scenario | None = None, where: str = "") -> float | None:
    """Warn (:class:`DriftWarning`) when a today with no intervention drifts.

    Returns the mean relative drift over the horizon against the expected path, or None
    when the check does not apply (a what-if, interventions, a calendar with incidents or
    marketing pulses, fewer than two runs).
    ``simulate`` checks its ensemble, ``compare`` (and so ``lost_revenue``) the runs of its
    reference, ``sweep`` each point that is today (its grid values today's own);
    ``stacklevel`` points the warning at the user's call. ``scenario`` judges the runs as
    runs of that scenario (a sweep point that changes nothing is today's), and ``where``
    starts the message (e.g. the sweep point).

    Examples
    --------
    >>> import warnings, womsim as wom
    >>> sc = wom.Scenario.preset("retail_bank").today(**{"market.people": 2000})
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     ens = wom.simulate(sc, runs=6, seed=1, executor="serial")
    >>> any(issubclass(x.category, DriftWarning) for x in w)   # its marketing grows it
    True
    """
    sc = ens.scenario if scenario is None else scenario
    # a dated incident or a marketing pulse moves the base on purpose: a cause
    dated = bool(sc.calendar.incidents or sc.calendar.pulses)
    if sc.state != "today" or sc.interventions or dated or ens.n_runs < 2:
        return None
    runs = ens.runs
    start = runs["customers_start"].to_numpy(float)
    if not (start > 0).all():
        return None
    horizon = sc.simulation.horizon_years
    path = (1 + expected_growth(sc)) ** horizon
    rel = runs["customers_end"].to_numpy(float) / (start * path) - 1
    mean, _, lo, hi = interval(rel, level)
    if math.isfinite(mean) and abs(mean) > DRIFT_LIMIT and not (lo <= 0 <= hi):
        fix = ("calibrate it (womsim.calibrate solves the marketing rate for today's "
               "growth, 0 by default)")
        if sc.simulation.start == "cold":
            fix += " and start it at rest (simulation.start = 'steady')"
        lead = f"{where}: " if where else ""
        warnings.warn(
            f"{lead}scenario '{sc.name}' describes today with no intervention, but its customer "
            f"base moves {mean:+.1%} over the {horizon:g}-year horizon against its path "
            f"(95% CI {lo:+.1%} to {hi:+.1%}; growth expected {expected_growth(sc):+.1%}/yr)"
            f": it drifts by more than {DRIFT_LIMIT:.0%} with no cause; {fix}",
            DriftWarning, stacklevel=stacklevel)
    return float(mean) if np.isfinite(mean) else None

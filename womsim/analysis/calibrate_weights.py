"""The importance weights of :func:`womsim.calibrate`'s candidates, and the check that
enough of them carry the posterior.

The approximate posterior is a weighted set of prior candidates
(:func:`womsim.analysis.inference.emulator_weights`). Its effective sample size
``ESS = 1 / sum(w^2)`` says how many equally weighted candidates it amounts to. A central
90% interval has its ends at the 5% and 95% weighted quantiles, so each tail holds
``0.05 x ESS`` effective candidates: below :data:`MIN_ESS` = 20 a tail holds less than one,
and the interval's ends are single candidates, not a distribution (the recalibration
cannot widen a point mass either). Ordinary calibrations sit far above it (90 to 1,400
effective candidates of about 8,000 on clients 200 to 223 of the coverage benchmark).

Below it a :class:`~womsim.core.errors.CalibrationWarning` names the ESS, the candidates
and the observables outside the reference runs' range, and two remedies act, only then:

1. An observable undefined in some reference runs (a share of zero contacts:
   ``leave_resolved_quickly`` when a run has no complaint resolved quickly) removes those
   runs from the emulator's fit; with few runs left the residual covariance of the
   observables has fewer degrees of freedom than observables, it is singular, and the
   likelihood is infinitely sharp along its null directions. The observable undefined in
   most runs is left out of the likelihood (one at a time, while the ESS stays short).
2. If the ESS is still short, the log-likelihood is tempered (``exp(beta x log L)``, the
   largest ``beta`` that gives :data:`MIN_ESS`), and the recalibration's reference runs go
   through the same rule, so that its ranks correct the procedure actually applied.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from womsim.analysis.inference import (
    effective_sample_size,
    emulator_loglik,
    normalised,
    tempered,
)
from womsim.core.errors import CalibrationWarning

__all__ = ["MIN_ESS", "Weights", "posterior_weights"]

#: fewest effective candidates a 90% interval can rest on (one in each 5% tail)
MIN_ESS = 20.0


@dataclass
class Weights:
    """The candidates' weights and what the check did.

    ``w`` the normalised weights; ``use`` the observables in the likelihood (those given,
    less any left out); ``ess_raw`` the effective sample size before any remedy, ``ess``
    after; ``dropped`` the observables left out; ``beta`` the tempering (1 = none);
    ``outside`` observable -> (client's value, reference runs' min, max) for values
    outside the runs' range; ``min_ess`` the rule the recalibration's runs follow (None
    when the check did not fire)."""

    w: np.ndarray
    use: list[str]
    ess_raw: float
    ess: float
    candidates: int
    dropped: list[str] = field(default_factory=list)
    beta: float = 1.0
    outside: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    min_ess: float | None = None

    @property
    def fired(self) -> bool:
        """Whether the check fired (the ESS before any remedy below :data:`MIN_ESS`)."""
        return self.min_ess is not None

    def note(self) -> str:
        """One sentence on what was done (empty when the check did not fire)."""
        if not self.fired:
            return ""
        parts = [f"effective sample size {self.ess_raw:.1f} of {self.candidates:,} "
                 f"candidates (below {MIN_ESS:g})"]
        if self.dropped:
            parts.append("left out of the likelihood, undefined in some reference runs: "
                         + ", ".join(self.dropped))
        if self.beta < 1:
            parts.append(f"likelihood tempered (beta = {self.beta:.3g})")
        parts.append(f"now {self.ess:.1f}")
        return "; ".join(parts)


def posterior_weights(theta: np.ndarray, stats: np.ndarray, use: list[str],
                      observed: np.ndarray, se: np.ndarray, bounds: np.ndarray,
                      cand: np.ndarray, stacklevel: int = 3) -> Weights:
    """The candidates' posterior weights with the effective-sample-size check (see the
    module); ``stats`` has one column per name of ``use``.

    Examples
    --------
    A reference table from which the emulator cannot tell the candidates apart leaves
    the weights spread, and the check silent:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> theta = rng.uniform(0, 1, (40, 1))
    >>> s = rng.normal(0, 1, (40, 1))
    >>> wt = posterior_weights(theta, s, ["x"], np.array([0.0]), np.zeros(1),
    ...                        np.array([[0.0, 1.0]]), np.linspace(0, 1, 200)[:, None])
    >>> wt.fired, wt.ess > 150
    (False, True)
    """
    stats = np.asarray(stats, float)
    observed, se = np.asarray(observed, float), np.asarray(se, float)
    logw = emulator_loglik(theta, stats, observed, bounds, cand, se)
    w = normalised(logw)
    ess = effective_sample_size(w)
    out = Weights(w, list(use), ess, ess, len(cand))
    if ess >= MIN_ESS:
        return out
    lo, hi = np.nanmin(stats, axis=0), np.nanmax(stats, axis=0)
    out.outside = {n: (float(observed[k]), float(lo[k]), float(hi[k]))
                   for k, n in enumerate(use) if not lo[k] <= observed[k] <= hi[k]}
    out.min_ess = MIN_ESS
    keep = np.ones(len(use), dtype=bool)
    while ess < MIN_ESS:
        missing = np.where(keep, (~np.isfinite(stats)).sum(axis=0), 0)
        if keep.sum() <= 1 or missing.max() == 0:
            break
        k = int(np.argmax(missing))
        keep[k] = False
        out.dropped.append(use[k])
        logw = emulator_loglik(theta, stats[:, keep], observed[keep], bounds, cand, se[keep])
        ess = effective_sample_size(normalised(logw))
    out.use = [n for n, k in zip(use, keep, strict=True) if k]
    out.w, out.beta = tempered(logw, MIN_ESS)
    out.ess = effective_sample_size(out.w)
    where = "; ".join(f"{n} = {v:.4g} outside the runs' {a:.4g} to {b:.4g}"
                      for n, (v, a, b) in out.outside.items())
    warnings.warn(
        f"calibrate: the approximate posterior rests on {out.ess_raw:.1f} effective "
        f"candidates of {out.candidates:,} (fewer than {MIN_ESS:g} cannot make a 90% "
        "interval). " + (f"Targets outside the reference runs' range: {where}. " if where
                         else "No target lies outside the reference runs' range. ")
        + f"Done: {out.note()}. Raise sims (more reference runs) and check the targets "
        "the runs cannot reach.", CalibrationWarning, stacklevel=stacklevel)
    return out

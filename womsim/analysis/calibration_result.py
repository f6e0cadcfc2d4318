"""The result of :func:`womsim.analysis.calibrate.calibrate`: :class:`Calibration` (the
calibrated today, its posterior draws, targets vs simulated, a diagnostic per parameter,
save/load), and the helpers the analyses use to carry its posterior into their runs."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.core.archive import ArchiveReader, ArchiveWriter, jsonable, provenance
from womsim.core.errors import WomsimError, unknown_key
from womsim.core.protocol import ResultBase
from womsim.results import scenario_from
from womsim.views.display import calibration_html

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Calibration", "posterior_draws", "split_calibration"]

_TABLES = ("posterior", "prior", "check", "reference")


class Calibration(ResultBase):
    """A calibrated today: the scenario, the posterior draws and how well targets are met.

    Attributes
    ----------
    scenario : Scenario
        Today, calibrated: exact solves plus the posterior mean of the inferred parameters.
    posterior : pandas.DataFrame
        One row per posterior draw: the inferred parameters and the marketing rate that
        keeps today's growth under that draw.
    prior : pandas.DataFrame
        ``low``/``high`` of each inferred parameter's (uniform) prior.
    targets : dict
        name -> (value, standard error) as given.
    solved : dict
        parameter -> the target it was solved from.
    check : pandas.DataFrame
        Target vs simulated (calibrated scenario at the inference population) with intervals.
    reference : pandas.DataFrame
        The reference table: prior draws and their simulated observables.
    people : int
        Market size the simulations ran at.
    solved_draws : pandas.DataFrame
        Per posterior draw (same rows), the exactly solved rates whose targets carry a
        standard error, drawn given that draw and the client's observables
        (:mod:`womsim.analysis.calibrate_solved`); no column when no target has an error.
        The analyses run draw r with these rates; the calibrated scenario keeps the
        estimates.
    """

    kind = "Calibration"

    def __init__(self, scenario, posterior, prior, targets, solved, check, reference,
                 people, seed, meta=None, solved_draws=None) -> None:
        self.scenario = scenario
        self.posterior = posterior
        self.prior = prior
        self.targets = dict(targets)
        self.solved = dict(solved)
        self.check = check
        self.reference = reference
        self.people = int(people)
        self.seed = seed
        self.meta = {**provenance(), **dict(meta or {})}
        self.solved_draws = (pd.DataFrame(index=posterior.index) if solved_draws is None
                             else solved_draws.set_axis(posterior.index))

    def diagnostic(self, level: float = 0.90) -> pd.DataFrame:
        """Per parameter: prior and posterior, their widths and what the data did.

        ``width_ratio`` = posterior sd / prior sd; below 0.5 the data pins the parameter,
        above 0.85 it stays about as uncertain as its prior. ``effective_candidates`` is
        the approximate posterior's effective sample size (``1 / sum(w^2)`` of its
        candidates' weights, one figure for every parameter; ``cal.meta["ess"]``): when
        the check of :mod:`womsim.analysis.calibrate_weights` fired, every verdict says
        so (``cal.meta["weights_check"]``: what was done).
        """
        rows = {}
        lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
        for p in self.posterior.columns:
            v = self.posterior[p].to_numpy()
            if p in self.prior.index:
                a, b = self.prior.loc[p, "low"], self.prior.loc[p, "high"]
                prior_sd = (b - a) / math.sqrt(12)
            else:
                a = b = prior_sd = math.nan
            ratio = float(v.std(ddof=1) / prior_sd) if prior_sd and prior_sd > 0 else math.nan
            short = p.split(".")[-1]
            if ratio < 0.5:
                verdict = f"the data pins {short}"
            elif ratio < 0.85:
                verdict = f"the data narrows {short}"
            else:
                verdict = f"{short} stays as uncertain as its prior: measure it"
            if "weights_check" in self.meta:
                verdict += (f" (fragile: the posterior rested on {self.meta['ess_raw']:.1f} "
                            "effective candidates; see meta['weights_check'])")
            rows[p] = {"prior_low": a, "prior_high": b, "posterior_mean": float(v.mean()),
                       "ci_low": float(np.quantile(v, lo_q)),
                       "ci_high": float(np.quantile(v, hi_q)),
                       "width_ratio": ratio,
                       "effective_candidates": float(self.meta.get("ess", math.nan)),
                       "verdict": verdict}
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "parameter"
        return df

    def interval(self, param: str, level: float = 0.90) -> tuple[float, float]:
        """The central ``level`` posterior interval of one parameter."""
        if param not in self.posterior.columns:
            raise unknown_key("posterior parameter", param, self.posterior.columns)
        v = self.posterior[param].to_numpy()
        return float(np.quantile(v, (1 - level) / 2)), float(np.quantile(v, (1 + level) / 2))

    def summary(self) -> pd.DataFrame:
        """Target vs simulated (the calibrated scenario's own observables)."""
        return self.check

    def plot(self, ax: Axes | None = None) -> Axes:
        """Prior range and 90% posterior interval of each inferred parameter (scaled to the
        prior range). Returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * len(self.prior)))
        d = self.diagnostic()
        names = [p for p in d.index if p in self.prior.index]
        for i, p in enumerate(names):
            a, b = d.loc[p, "prior_low"], d.loc[p, "prior_high"]
            lo, hi = (d.loc[p, "ci_low"] - a) / (b - a), (d.loc[p, "ci_high"] - a) / (b - a)
            mid = (d.loc[p, "posterior_mean"] - a) / (b - a)
            ax.plot([0, 1], [i, i], color="0.8", lw=6, solid_capstyle="butt")
            ax.plot([lo, hi], [i, i], color="C0", lw=3)
            ax.plot([mid], [i], "o", color="C0")
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels([p.split(".")[-1] for p in names])
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel("position within the prior range (grey); 90% posterior interval (blue)")
        ax.set_title("what the client's data says about the unobserved parameters")
        return ax

    def _to_archive(self, w: ArchiveWriter) -> dict[str, Any]:
        # text columns and the index (parameter names) go to JSON beside each table
        tables = {name: w.frame(getattr(self, name), f"calibration/{name}.csv")
                  for name in _TABLES}
        if len(self.solved_draws.columns):
            tables["solved_draws"] = w.frame(self.solved_draws,
                                             "calibration/solved_draws.csv")
        return {"scenario": self.scenario.to_dict(),
                "targets": jsonable({k: list(v) for k, v in self.targets.items()}),
                "solved": jsonable(self.solved), "people": self.people,
                "seed": jsonable(self.seed), "meta": jsonable(self.meta, "meta"),
                "tables": tables}

    @classmethod
    def _from_archive(cls, meta: dict[str, Any], r: ArchiveReader) -> Calibration:
        try:
            scenario = scenario_from(meta["scenario"], r)
            frames = {name: r.frame(meta["tables"][name]) for name in _TABLES}
            targets = {k: (float(v[0]), float(v[1])) for k, v in meta["targets"].items()}
            cal = cls(scenario, frames["posterior"], frames["prior"], targets,
                      meta["solved"], frames["check"], frames["reference"],
                      meta["people"], meta["seed"],
                      solved_draws=r.frame(meta["tables"]["solved_draws"])
                      if "solved_draws" in meta["tables"] else None)
        except (KeyError, TypeError, ValueError, IndexError) as err:
            raise r.error(f"not a readable calibration ({err!r})") from None
        cal.meta = dict(meta.get("meta") or {})
        return cal

    def __repr__(self) -> str:
        return (f"Calibration('{self.scenario.name}': {len(self.targets)} targets, "
                f"{len(self.solved)} parameters solved, {len(self.prior)} inferred, "
                f"{len(self.posterior)} posterior draws)")

    def _repr_html_(self) -> str:
        return calibration_html(self)


def posterior_draws(cal: Calibration, runs: int) -> list[dict[str, float]]:
    """One posterior draw per run (cycling through the draws if runs exceed them), with
    its solved rates where a target carried an error (``cal.solved_draws``)."""
    post = cal.posterior
    extra = getattr(cal, "solved_draws", None)
    if extra is not None and len(extra.columns):
        post = pd.concat([post, extra.set_axis(post.index)], axis=1)
    idx = np.arange(runs) % len(post)
    return [{k: float(v) for k, v in post.iloc[i].items()} for i in idx]


def split_calibration(scenarios: Any) -> tuple[Any, Calibration | None]:
    """``scenarios`` with a leading Calibration replaced by its scenario, and that
    Calibration (or None). Used by :func:`womsim.compare`."""
    if isinstance(scenarios, Calibration):
        raise WomsimError("compare needs at least two scenarios; pass e.g. "
                          "{'today': cal, 'improved': cal.scenario.replace(...)}")
    if isinstance(scenarios, Mapping):
        items = list(scenarios.items())
    elif isinstance(scenarios, (list, tuple)):
        items = [(None, s) for s in scenarios]
    else:
        return scenarios, None
    for i, (name, s) in enumerate(items):
        if isinstance(s, Calibration) and i > 0:
            raise WomsimError(f"scenario {name or i!r} is a Calibration: a calibration "
                              "describes today, so pass it first")
    if not items or not isinstance(items[0][1], Calibration):
        return scenarios, None
    cal = items[0][1]
    if isinstance(scenarios, Mapping):
        out = dict(scenarios)
        out[items[0][0]] = cal.scenario
        return out, cal
    return [cal.scenario, *scenarios[1:]], cal


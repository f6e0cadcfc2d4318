"""Showing a :class:`~womsim.analysis.calibrate.Calibration` in a notebook.

Saving and loading go through the archive registry (:mod:`womsim.core.archive`; see
``Calibration._to_archive``); :func:`womsim.load` reads a saved calibration back.
"""

from __future__ import annotations

__all__ = ["calibration_html"]


def calibration_html(cal) -> str:
    """Notebook view: targets vs simulated, and what the data says per parameter."""
    from womsim.views.display import _esc, _table, fmt_value

    rows = [[_esc(n), fmt_value(r["target"]), fmt_value(r["simulated"]),
             f"{fmt_value(r['ci_low'])} to {fmt_value(r['ci_high'])}", _esc(r["meaning"])]
            for n, r in cal.check.iterrows()]
    top = _table(rows, ["target", "value", "simulated", "95% interval", "meaning"],
                 caption=f"Calibration of '{cal.scenario.name}': targets vs the calibrated "
                         f"scenario ({cal.people:,} people simulated)", wrap_cols=(4,))
    d = cal.diagnostic()
    rows = [[_esc(p), fmt_value(r["prior_low"]), fmt_value(r["prior_high"]),
             fmt_value(r["posterior_mean"]),
             f"{fmt_value(r['ci_low'])} to {fmt_value(r['ci_high'])}",
             fmt_value(r["width_ratio"]), _esc(r["verdict"])] for p, r in d.iterrows()]
    mid = _table(rows, ["parameter", "prior low", "prior high", "posterior mean",
                        "90% interval", "width / prior", "what the data says"],
                 caption="Inferred parameters", wrap_cols=(6,), css=False)
    rows = [[_esc(p), _esc(src)] for p, src in cal.solved.items()]
    low = _table(rows, ["parameter", "solved from"], caption="Solved exactly", css=False)
    return top + mid + low

"""Headline metrics: the per-run numbers every result reports, with unit and meaning.

Defined here, in the lowest layer, so that the views label a metric without importing the
results that compute it (:func:`womsim.results.headline_metrics` computes them per run).

Examples
--------
>>> HEADLINES["value"][0]
'money'
"""

from __future__ import annotations

__all__ = ["HEADLINES"]

#: Headline metrics per run: name -> (unit, meaning).
HEADLINES: dict[str, tuple[str, str]] = {
    "customers_start": ("people", "customers at the start"),
    "customers_end": ("people", "customers at the end of the horizon"),
    "customers_change": ("people", "customers gained (+) or lost (-) over the horizon"),
    "value": ("money", "the headline: present value at the start = profit_pv + "
                       "customer_equity (see docs/model.md, 'Valuation')"),
    "profit_pv": ("money", "profit within the horizon, discounted to the start"),
    "customer_equity": ("money", "value after the horizon of the customers held at its end "
                                 "(their margin less the costs that follow them, over their "
                                 "remaining lifetime), discounted to the start; 0 with "
                                 "value_horizon='horizon'"),
    "revenue": ("money", "revenue within the horizon (cash, not discounted)"),
    "margin": ("money", "contribution margin within the horizon (cash, not discounted)"),
    "acquisition_spend": ("money", "spent on winning customers within the horizon (marketing "
                                   "and win-back; cash)"),
    "service_cost": ("money", "cost of serving customers, handling contacts and the desk's "
                              "payroll within the horizon (cash)"),
    "intervention_cost": ("money", "cost of the interventions within the horizon (cash)"),
    "profit": ("money", "margin - acquisition spend - service cost - interventions, within "
                        "the horizon (cash, not discounted)"),
    "annual_churn": ("share/yr", "share of customers lost per year (1 - exp(-defections / "
                                 "customer-years))"),
    "defections": ("people", "customers lost, all causes"),
    "defect_experience": ("people", "customers lost through their own bad experience"),
    "defect_wom": ("people", "customers lost through negative word of mouth"),
    "defect_baseline": ("people", "customers lost for reasons unrelated to service"),
    "acquisitions": ("people", "customers won, all causes"),
    "acq_marketing": ("people", "customers won through marketing"),
    "acq_referral": ("people", "customers won through positive word of mouth"),
    "acq_winback": ("people", "former customers won back"),
    "newly_deterred": ("people", "times a prospect was deterred by negative word of mouth"),
    "problems": ("contacts", "contacts that ended with a problem"),
    "silent": ("people", "customers with a problem who did not complain"),
    "complaints": ("contacts", "complaints"),
    "unresolved": ("contacts", "complaints not resolved"),
    "neg_tellings": ("tellings", "negative tellings (people told)"),
    "pos_tellings": ("tellings", "positive tellings (people told)"),
}

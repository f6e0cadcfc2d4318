"""Runs a tornado need not simulate again: the same run, or the same run priced otherwise.

A tornado (:func:`womsim.sensitivity`) swings each uncertain parameter to both ends of its
range and runs today and its counterfactual at each end, with the same seed on the same
network. Some of those runs are, number for number, runs it already has:

* A parameter that only prices what happens (the acquisition cost) leaves who does what
  unchanged: the run at the other value is the base run with its acquisition spend, and so
  its profit, booked at the other price (:func:`reprice_acquisition`; the engine's own
  accounting, the same floating-point operations in the same order).
* A parameter that acts only on people who heard a bad story, or who were put off by one
  (:data:`BAD_STORY_ONLY`), cannot act in a run in which no one ever heard one and no one
  was put off: in the counterfactual without problems, it is the base's run
  (:func:`no_bad_stories` is that run's own evidence).

Either holds only where the swung scenario is the base's in every other setting, solved
hidden rates included (:func:`differs_only_in`); ``tests/test_tornado.py`` checks both
against runs made afresh, record for record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from womsim.engine.step import schedule

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["BAD_STORY_ONLY", "PRICE_ONLY", "differs_only_in", "no_bad_stories",
           "reprice_acquisition"]

#: Parameters whose only effect in a run is the price of an acquisition.
PRICE_ONLY = frozenset({"economics.acquisition_cost_ratio"})

#: Parameters that act only on a prospect or customer who hears a bad story, or on a
#: prospect put off by one (and, through the solved hidden rates, on today: which
#: :func:`differs_only_in` compares).
BAD_STORY_ONLY = frozenset({"word_of_mouth.prospect_deter_prob",
                            "word_of_mouth.deter_memory_years"})

# what a run records of bad stories and of people put off: all zero = none, ever
_BAD_STORY_RECORDS = ("neg_tellers", "neg_hearings", "neg_tellings_strong",
                      "neg_tellings_weak", "neg_tellings_silent", "neg_untold",
                      "deterred", "newly_deterred", "defect_wom", "review_negative")


def differs_only_in(scenario: Scenario, base: Scenario, name: str) -> bool:
    """Whether ``scenario`` is ``base`` with only ``name`` set otherwise.

    Every other setting is compared, the hidden rates as solved (a description of today
    and the what-if holding its solved rates run alike), interventions included. A scenario
    with segments or rivals is never reused (their books keep accounts of their own).

    Examples
    --------
    >>> from womsim import Scenario
    >>> sc = Scenario.preset("telecom")
    >>> name = "economics.acquisition_cost_ratio"
    >>> differs_only_in(sc.today(**{name: 20.0}), sc.today(), name)
    True
    >>> differs_only_in(sc.today(**{"word_of_mouth.negative_mean": 9.5}), sc.today(),
    ...                 "word_of_mouth.negative_mean")   # today's churn is re-solved
    False
    """
    if scenario.segments or scenario.rivals or base.segments or base.rivals:
        return False
    # both as what-ifs holding their solved hidden rates: what the engine runs on
    back = scenario.pinned().replace(**{name: base.get(name)})
    return back.to_dict() == base.pinned().to_dict()


def no_bad_stories(rec: dict[str, np.ndarray]) -> bool:
    """Whether a run's records show no bad story told or heard and no one put off, ever.

    Examples
    --------
    >>> import numpy as np
    >>> no_bad_stories({"neg_hearings": np.zeros(3), "deterred": np.array([0, 2, 0])})
    False
    """
    return all(not np.any(rec[k]) for k in _BAD_STORY_RECORDS if k in rec)


def reprice_acquisition(rec: dict[str, np.ndarray], scenario: Scenario
                        ) -> dict[str, np.ndarray]:
    """``rec`` (a run of a scenario that differs from ``scenario`` only in the acquisition
    cost) with its acquisitions paid at ``scenario``'s price: the records of a run of
    ``scenario`` itself.

    The engine books each step's acquisition spend as the customers won by marketing and
    win-back times that step's acquisition cost, and the profit as the margin less that
    spend, the service cost and the intervention cost; this repeats it with the same
    operations in the same order, so the numbers are those of a fresh run bit for bit.

    Examples
    --------
    >>> import numpy as np
    >>> from womsim import Scenario
    >>> from womsim.engine.step import run
    >>> sc = Scenario().replace(**{"market.people": 2000, "simulation.horizon_years": 0.5})
    >>> dear = sc.replace(**{"economics.acquisition_cost_ratio": 12.0})
    >>> again = reprice_acquisition(run(sc, None, 3), dear)
    >>> bool(np.array_equal(again["profit"], run(dear, None, 3)["profit"]))
    True
    """
    params, _ = schedule(scenario)
    out = dict(rec)
    cost = np.array([p.acquisition_cost for p in params])
    acq = (rec["acq_marketing"] + rec["acq_winback"]) * cost
    profit = rec["margin"] - acq - rec["service_cost"] - rec["intervention_cost"]
    out["acquisition_spend"] = acq
    out["profit"] = profit
    out["discounted_profit"] = profit * rec["discount"]
    return out

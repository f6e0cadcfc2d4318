"""The parts of a scenario: market, service, complaints, word of mouth, economics, simulation.

Each parameter carries its unit, a one-line meaning and what it rests on:

* ``figure``: a research figure in :mod:`womsim.figures` (its source and status are shown
  in :meth:`Scenario.assumptions`);
* ``client``: a number the client knows about its own business;
* ``illustrative``: a modelling choice no figure supports — label it so in front of a client;
* ``setting``: how the simulation runs, not a fact about the world.

Rates are per year; probabilities are per event.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from womsim.core.errors import CalibrationError
from womsim.core.validation import no_coercion, plain_number, wants_number
from womsim.model.telling import Telling

__all__ = [
    "Complaints",
    "Economics",
    "Market",
    "Part",
    "Service",
    "Simulation",
    "WordOfMouth",
    "no_coercion",
    "param",
    "plain_number",
    "wants_number",
]

BASIS = ("figure", "client", "illustrative", "setting", "derived")


def param(default: Any, *, unit: str, doc: str, basis: str, figure: str | None = None,
          ge: float | None = None, le: float | None = None, gt: float | None = None,
          lt: float | None = None) -> Any:
    """A pydantic ``Field`` that also records unit, meaning and basis for ``assumptions()``."""
    if basis not in BASIS:  # a typo here would silently mislabel a client-facing table
        raise ValueError(f"basis must be one of {BASIS}, not {basis!r}")
    extra: dict[str, Any] = {"unit": unit, "basis": basis, "figure": figure}
    return Field(default, description=doc, ge=ge, le=le, gt=gt, lt=lt, json_schema_extra=extra)


class Part(BaseModel):
    """Base of every scenario part: frozen, no unknown keys, no NaN or infinity."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              validate_default=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_coercion(cls, v: Any, info: Any) -> Any:
        return no_coercion(cls, v, info)


class Market(Part):
    """Who is in the market, how they are connected, how they come and go."""

    people: int = param(100_000, ge=10, le=200_000_000, unit="people", basis="client",
                        doc="people in the market (customers, prospects and former customers)")
    customer_share: float = param(0.30, ge=0, le=1, unit="share", basis="client",
                                  doc="share of the market who are customers at the start")
    former_share: float = param(0.0, ge=0, le=1, unit="share", basis="client",
                                doc="share of the market who are former customers at the start")
    no_alternative_share: float = param(
        0.10, ge=0, le=1, unit="share", basis="illustrative",
        doc="share of people with no real alternative provider (cannot leave over service)")
    network: Literal["scale_free", "small_world", "random", "communities", "well_mixed"] = param(
        "scale_free", unit="kind", basis="setting",
        doc="social graph built when none is given; well_mixed sends every telling to a "
            "random person (the analytic model's assumption)")
    mean_degree: float = param(10.0, ge=1, le=1000, unit="ties", basis="illustrative",
                               doc="mean number of strong ties (friends, family, colleagues)")
    customer_clustering: float = param(
        0.0, ge=0, lt=1, unit="share", basis="illustrative",
        doc="how much more customers' friends are customers than the market share at the "
            "start: the share of customers among customers' friends is customer_share + "
            "this x (1 - customer_share); 0 = who is a customer does not depend on the "
            "graph (no figure for a market's value was found)")
    observed_annual_churn: float | None = param(
        0.20, ge=0, lt=1, unit="share/yr", basis="client",
        doc="the client's observed annual churn; the baseline churn is solved to match it")
    baseline_churn: float | None = param(
        None, ge=0, le=10, unit="1/yr", basis="derived",
        doc="hazard of leaving for reasons unrelated to service; None = solved from "
            "observed_annual_churn")
    extra_churn: float = param(
        0.0, ge=0, le=10, unit="1/yr", basis="client",
        doc="extra churn hazard on top of the baseline (e.g. pricing that favours new "
            "customers over existing ones)")
    marketing_rate: float = param(0.05, ge=0, le=52, unit="1/yr", basis="client",
                                  doc="hazard that a prospect buys through marketing")
    winback_rate: float = param(0.02, ge=0, le=52, unit="1/yr", basis="client",
                                doc="hazard that a former customer comes back")
    segment_assortativity: float | None = param(
        None, ge=0, le=1, unit="coefficient", basis="illustrative",
        figure="revenue_assortativity",
        doc="how much friends share a segment (Newman's assortativity of the segments over "
            "the ties: 0 = ties ignore segments, 1 = none crosses); None = placed at random")

    @model_validator(mode="before")
    @classmethod
    def _observed_default(cls, data: Any) -> Any:
        # a baseline given directly makes the default observed churn one nothing reads:
        # it defaults to none then (an explicit observed churn next to it is refused)
        if isinstance(data, dict) and data.get("baseline_churn") is not None \
                and "observed_annual_churn" not in data:
            data = {**data, "observed_annual_churn": None}
        return data

    @model_validator(mode="after")
    def _shares(self) -> Market:
        if self.customer_clustering > 0 and self.network == "well_mixed":
            raise ValueError(
                f"market.customer_clustering = {self.customer_clustering:g} needs a social "
                "graph, but market.network = 'well_mixed' has none (everybody is everybody's "
                "potential listener); set market.customer_clustering to 0 or choose a network")
        if self.customer_share + self.former_share > 1 + 1e-12:
            raise ValueError(
                f"market.customer_share ({self.customer_share}) + market.former_share "
                f"({self.former_share}) = {self.customer_share + self.former_share:.4g} "
                "exceeds 1 (they are shares of the same people)")
        return self


class Service(Part):
    """How service contacts end, when no service desk is modelled."""

    contact_rate: float = param(2.0, ge=0, le=365, unit="contacts/customer/yr", basis="client",
                                doc="service contacts per customer per year")
    problem_rate: float = param(
        0.10, ge=0, le=1, unit="share of contacts", basis="client",
        doc="share of contacts that end with a problem (fixed mix; a desk replaces it)")
    delight_rate: float = param(
        0.20, ge=0, le=1, unit="share of contacts", basis="illustrative",
        doc="share of contacts that delight (fixed mix; a desk replaces it)")

    @model_validator(mode="after")
    def _mix(self) -> Service:
        if self.problem_rate + self.delight_rate > 1 + 1e-12:
            raise ValueError(
                f"service.problem_rate ({self.problem_rate}) + service.delight_rate "
                f"({self.delight_rate}) exceeds 1: the satisfied share would be negative")
        return self


def _tarp_stay(small: float, large: float, large_share: float) -> float:
    return (1 - large_share) * small + large_share * large


class Complaints(Part):
    """Who complains, how complaints end, and who stays afterwards (TARP)."""

    complain_rate: float = param(
        0.143, ge=0, le=1, unit="share of problems", basis="figure", figure="complaint_rate",
        doc="share of customers with a problem who complain to the company")
    resolved: float = param(0.60, ge=0, le=1, unit="share of complaints", basis="client",
                            doc="share of complaints resolved to the customer's satisfaction")
    quick_share: float = param(0.50, ge=0, le=1, unit="share of resolved", basis="client",
                               doc="share of resolved complaints resolved quickly")
    large_loss_share: float = param(
        0.25, ge=0, le=1, unit="share of problems", basis="illustrative",
        doc="share of problems that are large-loss (TARP's > $100 row) rather than small")
    intention_to_action: float = param(
        0.50, ge=0, le=1, unit="share", basis="illustrative",
        doc="share of stated intention not to buy again that becomes a real defection "
            "(TARP's table is stated intention, which overstates behaviour)")
    stay_silent: float | None = param(
        None, ge=0, le=1, unit="probability", basis="figure", figure="repurchase_by_outcome",
        doc="would buy again after a problem not complained about; None = TARP mix")
    stay_unresolved: float | None = param(
        None, ge=0, le=1, unit="probability", basis="figure", figure="repurchase_by_outcome",
        doc="would buy again after an unresolved complaint; None = TARP mix")
    stay_resolved: float | None = param(
        None, ge=0, le=1, unit="probability", basis="figure", figure="repurchase_by_outcome",
        doc="would buy again after a complaint resolved slowly; None = TARP mix")
    stay_resolved_quickly: float | None = param(
        None, ge=0, le=1, unit="probability", basis="figure", figure="repurchase_by_outcome",
        doc="would buy again after a complaint resolved quickly; None = TARP mix")

    def stay(self) -> dict[str, float]:
        """Stated probability of buying again per outcome group (TARP, mixed by loss size).

        Examples
        --------
        >>> round(Complaints().stay()["silent"], 4)   # 0.75 x 0.37 + 0.25 x 0.09
        0.3
        """
        ls = self.large_loss_share
        tarp = {
            "silent": _tarp_stay(0.37, 0.09, ls),
            "unresolved": _tarp_stay(0.46, 0.19, ls),
            "resolved": _tarp_stay(0.70, 0.54, ls),
            "resolved_quickly": _tarp_stay(0.95, 0.82, ls),
        }
        given = {"silent": self.stay_silent, "unresolved": self.stay_unresolved,
                 "resolved": self.stay_resolved, "resolved_quickly": self.stay_resolved_quickly}
        return {g: (tarp[g] if v is None else v) for g, v in given.items()}

    def leave(self) -> dict[str, float]:
        """Probability of really leaving after each outcome: (1 - stay) x intention_to_action."""
        return {g: (1 - s) * self.intention_to_action for g, s in self.stay().items()}


class WordOfMouth(Part):
    """How many people customers tell, whom, and what it does to them."""

    negative_mean: float = param(9.0, gt=0, le=1000, unit="people", basis="figure",
                                 figure="negative_tells",
                                 doc="mean number of people an unhappy customer tells")
    negative_tail_k: int = param(20, ge=1, le=10_000, unit="people", basis="figure",
                                 figure="negative_tells_tail",
                                 doc="the tail threshold: share telling more than this many")
    negative_tail_share: float | None = param(
        0.13, gt=0, lt=1, unit="share", basis="figure", figure="negative_tells_tail",
        doc="share of unhappy customers telling more than negative_tail_k; None = Poisson")
    positive_mean: float = param(3.5, ge=0, le=1000, unit="people", basis="figure",
                                 figure="positive_tells",
                                 doc="mean number of people a delighted or recovered customer "
                                     "tells")
    positive_dispersion: float | None = param(
        None, gt=0, le=1e6, unit="NB size r", basis="illustrative",
        doc="negative-binomial dispersion of positive telling; None = Poisson")
    weak_tie_share: float = param(
        0.10, ge=0, le=1, unit="share of tellings", basis="illustrative",
        doc="share of tellings that go over weak ties: to random people of the market, "
            "drawn afresh each step (Goldenberg et al. 2007); the rest go to friends, at "
            "most all of them, and stories beyond a teller's friends are not told")
    retell_prob: float = param(
        0.0, ge=0, le=1, unit="probability", basis="illustrative",
        doc="probability a listener passes the story on (no figure exists: off by default)")
    max_hops: int = param(2, ge=1, le=10, unit="hops", basis="illustrative",
                          doc="how far a story travels when retelling is on (1 = first-hand)")
    prospect_deter_prob: float = param(
        0.25, ge=0, le=1, unit="probability", basis="figure", figure="act_on_wom",
        doc="probability that a prospect hearing a bad story is deterred")
    customer_defect_prob: float = param(
        0.0625, ge=0, le=1, unit="probability", basis="figure",
        figure="negative_deters_prospects_ratio",
        doc="probability that a customer hearing a bad story leaves (act_on_wom / 4: "
            "negative word of mouth moves customers >4x less than prospects)")
    referral_prob: float = param(
        0.05, ge=0, le=1, unit="probability", basis="illustrative",
        doc="probability that a prospect hearing a good story buys")
    deter_memory_years: float = param(
        0.5, ge=0, le=50, unit="years", basis="illustrative",
        doc="how long a deterred prospect will not buy")
    repeat_factor: float = param(
        1.0, ge=0, le=1, unit="factor", basis="illustrative",
        doc="how much the j-th story heard in a step acts compared with the first: its "
            "chance to act is the listener's probability x this^(j-1); 1 = every story "
            "as likely to act as the first (independent hearings, as in Goldenberg et "
            "al. 2007 and the analytic model), 0 = only the first counts (no figure)")


    @model_validator(mode="after")
    def _telling_exists(self) -> WordOfMouth:
        # fail here, naming both parameters, rather than mid-run in the engine
        if self.negative_tail_share is not None:
            _check_negative_telling(self.negative_mean, self.negative_tail_k,
                                    self.negative_tail_share)
        return self


@lru_cache(maxsize=256)
def _check_negative_telling(mean: float, k: int, share: float) -> None:
    try:
        Telling.from_figures(mean=mean, tail=(k, share))
    except CalibrationError as err:
        raise ValueError(
            f"word_of_mouth.negative_mean = {mean:g} with negative_tail_share = {share:g} "
            f"(share telling more than {k}): {err}") from None


class Economics(Part):
    """Money: revenue, margin, service and acquisition costs, discounting."""

    currency: str = param("USD", unit="", basis="client", doc="currency of all money figures")
    revenue_per_year: float = param(600.0, ge=0, le=1e9, unit="money/customer/yr",
                                    basis="client", doc="mean revenue per customer per year")
    revenue_sigma: float = param(
        0.5, ge=0, le=3, unit="log-sd", basis="illustrative",
        doc="lognormal spread of revenue across customers (0 = everybody pays the mean)")
    margin: float = param(0.30, ge=0, le=1, unit="share", basis="client",
                          doc="contribution margin on revenue")
    retention_cost_per_year: float = param(
        30.0, ge=0, le=1e9, unit="money/customer/yr", basis="client",
        doc="cost of serving and keeping one customer for a year")
    acquisition_cost_ratio: float = param(
        5.0, ge=0, le=1000, unit="x retention cost", basis="figure",
        figure="acquisition_cost_ratio",
        doc="cost of winning a customer through marketing, as a multiple of the yearly "
            "retention cost (contested figure)")
    cost_per_contact: float = param(5.0, ge=0, le=1e7, unit="money/contact", basis="client",
                                    doc="cost of handling one service contact")
    fixed_service_cost_per_year: float = param(
        0.0, ge=0, le=1e12, unit="money/yr", basis="client",
        doc="yearly service cost that does not depend on customers or contacts (e.g. the "
            "payroll of a desk that is not simulated); added to a desk's payroll")
    discount_rate: float = param(0.08, ge=0, le=1, unit="1/yr", basis="client",
                                 doc="yearly discount rate for present values")
    value_horizon: Literal["lifetime", "horizon"] = param(
        "lifetime", unit="", basis="setting",
        doc="lifetime: customers left at the end carry their remaining value (margin less "
            "retention cost over their expected lifetime at today's churn, discounted); "
            "horizon: count only cash within the simulated years")

    @property
    def discount_hazard(self) -> float:
        """Continuous discount rate, ln(1 + discount_rate)."""
        import math

        return math.log1p(self.discount_rate)

    @property
    def acquisition_cost(self) -> float:
        """Cost of one marketing acquisition or win-back."""
        return self.acquisition_cost_ratio * self.retention_cost_per_year


class Simulation(Part):
    """Step size and horizon."""

    step_days: float = param(7.0, ge=0.25, le=365, unit="days", basis="setting",
                             doc="length of one step")
    horizon_years: float = param(2.0, gt=0, le=50, unit="years", basis="setting",
                                 doc="simulated time")
    start: Literal["cold", "steady"] = param(
        "cold", unit="kind", basis="setting",
        doc="who is deterred at the start: 'cold' nobody (a transient over the first "
            "deter_memory_years), 'steady' drawn at the market's mean-field steady state")

    @model_validator(mode="after")
    def _at_least_one_step(self) -> Simulation:
        step = self.step_days / 365.0  # the step asked for (dt is fitted to the horizon)
        if self.horizon_years < step * (1 - 1e-9):
            raise ValueError(
                f"simulation.horizon_years = {self.horizon_years:g} is shorter than one step "
                f"(simulation.step_days = {self.step_days:g} days = {step:.4g} years): "
                "lengthen the horizon or shorten the step")
        return self

    @property
    def dt(self) -> float:
        """Step length in years: ``step_days`` stretched or shrunk a little so that whole
        steps cover the horizon exactly (7 days over 2 years: 104 steps of 7.02 days), so
        every step size simulates the same span of time."""
        return self.horizon_years / self.steps

    @property
    def steps(self) -> int:
        """Number of steps (the horizon in steps of ``step_days``, rounded)."""
        return max(1, round(self.horizon_years * 365.0 / self.step_days))

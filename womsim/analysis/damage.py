"""The analytic market-damage model: TARP's arithmetic in closed form, every line shown.

One period, one hop, mean field. Customers have service contacts; some end with a problem;
some of those complain and the complaints end resolved quickly, resolved slowly or not at
all. Each outcome group leaves with its own probability (TARP's repurchase table, mixed by
loss size and scaled from stated intention to action). Unhappy customers tell others, happy
ones tell others too; a telling lands on a person drawn at random from the whole market
(well mixed). A prospect who hears bad stories may be deterred, a customer may leave, a
prospect who hears good stories may buy. What the firm loses is priced as
:func:`womsim.lost_revenue` prices it: each customer lost (or sale forgone) at the present
value of the revenue that customer would have brought over their remaining lifetime
(:func:`womsim.model.valuation.event_worth`, at today's churn hazard). Only the referrals that the
problems cost are netted off: those a service without problems would have won, less those
won today (resolved complainers tell good stories too).

Wherever the simulation's expected value can be written down, the arithmetic is the
engine's (:mod:`womsim.engine.step`) to the letter: the same order within a step, the same
per-step contact probability, the same telling distributions, and the exact expectation
``1 - (1 - d/N)^T`` of being deterred by ``h ~ Binomial(T, 1/N)`` stories rather than its
linearisation ``d T / N``. Run the engine for one step on a well-mixed market without
retelling and its mean agrees with :func:`market_damage` for ``period="1 step"`` within its
confidence interval (``tests/test_damage.py``). Over longer periods the model stays one
hop and one period: no second-hand stories, no customers who come back within the period,
no shrinking of the customer base while problems happen. The equations are in
``docs/model.md``.

Examples
--------
>>> import womsim as wom
>>> dmg = market_damage(wom.Scenario.preset("telecom"))
>>> dmg.total > 0
True
>>> round(tarp_worked_example().customers_lost)
16
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import numpy as np

from womsim.analysis.damage_result import Line, MarketDamage
from womsim.core.errors import WomsimError
from womsim.engine.step import _telling as _engine_telling
from womsim.engine.step import value_hazard
from womsim.model.interventions import parse_years
from womsim.model.meanfield import rates
from womsim.model.scenario import Scenario
from womsim.model.valuation import event_worth

__all__ = ["MarketDamage", "market_damage", "tarp_worked_example"]

_STEPS = re.compile(r"^\s*([0-9]*\.?[0-9]+)?\s*steps?\s*$", re.IGNORECASE)


# --------------------------------------------------------------------------- helpers
def _period_years(period: float | int | str, dt: float) -> float:
    """Read a period: years, ``"6 months"``, ``"1 year"``, or ``"1 step"`` (one engine step)."""
    if isinstance(period, str):
        m = _STEPS.match(period)
        if m:
            years = float(m.group(1) or 1.0) * dt
            if years <= 0:
                raise WomsimError(f"period = {period!r}: must be longer than zero")
            return years
    try:
        years = parse_years(period, "period")
    except ValueError as err:
        raise WomsimError(f"{err}; for simulation steps write e.g. '1 step'") from None
    if years <= 0:
        raise WomsimError(f"period = {period!r}: must be longer than zero")
    return years


@lru_cache(maxsize=64)
def _telling_means(neg_mean: float, tail_k: int, tail_share: float | None,
                   pos_mean: float, pos_dispersion: float | None) -> tuple[float, float]:
    """Means of the engine's own telling tables (not the nominal parameters): the table a
    calibration produces is what the simulation draws from."""
    neg = _engine_telling(neg_mean, tail_k, tail_share, None)
    pos = _engine_telling(pos_mean, None, None, pos_dispersion)
    return neg.mean(), pos.mean()


_BASELINE: dict[Any, float] = {}


def _baseline_churn(scenario) -> float:
    """Today's baseline churn hazard, as the engine uses it (interventions stripped)."""
    m = scenario.market
    if m.baseline_churn is not None:
        return m.baseline_churn
    if m.observed_annual_churn is None:
        return 0.0
    # solving it takes half a millisecond: cache by everything the calibration reads
    try:
        key = (m, scenario.service, scenario.complaints, scenario.word_of_mouth,
               scenario.simulation, scenario.desk)
        hash(key)
    except TypeError:
        key = None
    if key is not None and key in _BASELINE:
        return _BASELINE[key]
    base = scenario.at(-1.0) if scenario.interventions else scenario
    value = base.baseline_churn()
    if key is not None:
        if len(_BASELINE) > 256:
            _BASELINE.clear()
        _BASELINE[key] = value
    return value


def _lifetime(scenario, baseline: float, T: float) -> tuple[float, float]:
    """Today's churn hazard and the mean present value (years) of 1 a year of revenue from a
    customer lost in one of the period's steps: lost_revenue's price of an event."""
    base = scenario.at(-1.0) if scenario.interventions else scenario
    hazard = value_hazard(base, baseline)
    sim = base.simulation
    if T > sim.horizon_years + 1e-12:
        # the period reaches past the horizon: value events over the period instead
        base = base.replace(**{"simulation.horizon_years": T})
        sim = base.simulation
    steps = max(1, min(sim.steps, round(T / sim.dt)))
    return hazard, float(np.mean(event_worth(base, hazard)[:steps]))


def _in_force(scenario, at: float | str | None):
    """The scenario whose parameters the arithmetic reads."""
    if at is None:
        if not scenario.interventions:
            return scenario
        # every intervention at full effect, as with_interventions() validates it
        t = max(iv.start + iv.ramp for iv in scenario.interventions) + 1e-9
        return scenario.at(t)
    try:
        t = parse_years(at, "at")
    except ValueError as err:
        raise WomsimError(str(err)) from None
    return scenario.at(t)


# --------------------------------------------------------------------------- the model
def _acted_share(tellings: float, people: float, prob: float, repeat: float) -> float:
    """Chance a person acts on the stories of ``tellings`` spread over ``people``.

    ``h ~ Binomial(T, 1/N)`` stories, the j-th acting with ``prob x repeat^(j-1)``: with
    ``repeat = 1`` exactly ``1 - (1 - prob / N)^T``; otherwise summed over ``h`` with the
    Poisson limit ``h ~ Poisson(T / N)`` (``N`` is large).

    Examples
    --------
    >>> round(_acted_share(1000.0, 1000, 0.5, 1.0), 6) == round(1 - (1 - 0.5 / 1000) ** 1000, 6)
    True
    >>> _acted_share(1000.0, 1000, 0.5, 0.5) < _acted_share(1000.0, 1000, 0.5, 1.0)
    True
    """
    if repeat == 1.0:
        return -math.expm1(tellings * math.log1p(-prob / people))
    lam = tellings / people
    h = np.arange(int(lam + 12 * math.sqrt(lam) + 30))
    pmf = np.exp(h * math.log(lam) - lam - np.array([math.lgamma(k + 1) for k in h])) \
        if lam > 0 else (h == 0).astype(float)
    miss = np.concatenate([[1.0], np.cumprod(1 - prob * repeat ** h[:-1])])
    return float(1 - (pmf * miss).sum())


def _share_eq(repeat: float, prob: str, tellings: str) -> tuple[str, tuple[str, ...]]:
    """The equation of an acted-on share and its operands (see :func:`_acted_share`)."""
    if repeat == 1.0:
        return "1 − (1 − {}/{})^{}", (prob, "people", tellings)
    return ("1 − E[Π_(j<h) (1 − {} × {}^j)], h ~ Poisson({}/{})",
            (prob, "repeat_factor", tellings, "people"))


def market_damage(scenario: Scenario, period: float | str = "1 year",
                  customers: float | None = None, *, at: float | str | None = None) -> MarketDamage:
    """TARP's market-damage arithmetic over a scenario, in closed form, every line shown.

    One period, one hop, mean field: contacts, problems, silent customers and complaints by
    outcome, customers lost through their own experience, negative and positive tellings,
    who hears them (prospects, former customers, customers; a telling lands on a random
    person), prospects deterred, customers lost through word of mouth, referrals won,
    baseline churn, and the revenue and margin at risk. Mirrors the engine's expected
    value exactly where it can be written down; see ``docs/model.md`` for the equations.

    Parameters
    ----------
    scenario : Scenario
        Its market, service (or desk), complaints, word of mouth and economics are read.
        With interventions, the parameters in force once all have taken full effect are
        used (see ``at``); the baseline churn is today's, as in the simulation.
    period : float or str
        Years, or text: ``"1 year"``, ``"6 months"``, ``"90 days"``, ``"1 step"`` /
        ``"4 steps"`` (simulation steps of ``simulation.step_days``).
    customers : float, optional
        Customers at the start; default ``market.people x market.customer_share``. The
        prospects are the rest of the market less the former customers.
    at : float or str, optional
        Read the parameters in force at this time (years or text, e.g. ``"0 years"`` for
        today before any intervention).

    Returns
    -------
    MarketDamage
        ``.total`` is the revenue at risk; ``.table()`` shows every line with its equation.

    Raises
    ------
    womsim.core.errors.WomsimError
        An unreadable or non-positive period, or customers out of range; a scenario with
        segments or rivals (the arithmetic is for one market).
    womsim.core.errors.CalibrationError
        The baseline churn cannot be solved from the observed churn.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom")
    >>> dmg = market_damage(sc)
    >>> f"{dmg.problems:,.0f} problems, {dmg.silent:,.0f} silent"
    '11,250 problems, 5,625 silent'
    >>> market_damage(sc.replace(**{"service.problem_rate": 0.0})).lost_directly
    0.0
    >>> market_damage(sc, period="-1 year")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    womsim.core.errors.WomsimError: period: cannot read '-1 year' as a time...
    """
    if not isinstance(scenario, Scenario):
        raise WomsimError(f"market_damage needs a Scenario, got {type(scenario).__name__}")
    if scenario.segments or scenario.rivals:
        # the one-market arithmetic would silently leave them out
        what = ", ".join(p for p in ("segments", "rivals") if getattr(scenario, p))
        raise WomsimError(
            f"market_damage is the arithmetic of one market with no rival, but scenario "
            f"'{scenario.name}' has {what}: simulate it, or apply market_damage to each "
            "segment's view (womsim.model.market.segment_view)")
    dt = scenario.simulation.dt
    T = _period_years(period, dt)
    baseline = _baseline_churn(scenario)
    sc = _in_force(scenario, at)
    mk, cp, wm, ec = sc.market, sc.complaints, sc.word_of_mouth, sc.economics

    # ---- the market
    N = float(mk.people)
    F0 = N * mk.former_share
    if customers is None:
        C = N * mk.customer_share
    else:
        if isinstance(customers, bool) or not isinstance(customers, (int, float)) \
                or not math.isfinite(customers) or not 0 <= customers <= N - F0:
            raise WomsimError(f"customers = {customers!r}: must be a number between 0 and "
                              f"market.people - former customers = {N - F0:,.0f}")
        C = float(customers)
    R0 = max(N - C - F0, 0.0)
    alt = 1.0 - mk.no_alternative_share

    # ---- contacts and outcomes: per-contact shares from the calibration's mean field
    r = rates(sc, C)
    lam = sc.service.contact_rate
    k = r.contacts_per_year * T  # one draw per step with probability lambda x dt
    X = C * k
    D = X * r.delighted
    P = X * r.problem
    c, res, quick = cp.complain_rate, cp.resolved, cp.quick_share
    S = P * (1 - c)
    Q = P * c
    Qq = Q * res * quick
    Qs = Q * res * (1 - quick)
    Qu = Q * (1 - res)

    # ---- defection after the experience (only customers with an alternative can leave)
    stay = cp.stay()
    lv = r.leave
    iota = cp.intention_to_action
    LS = S * lv["silent"] * alt
    LU = Qu * lv["unresolved"] * alt
    LR = Qs * lv["resolved"] * alt
    LQ = Qq * lv["resolved_quickly"] * alt
    L = LS + LU + LR + LQ
    b = max(baseline + mk.extra_churn, 0.0)
    pB = -math.expm1(-b * T)
    B = (C - L) * pB
    Cn = C - L - B
    Fn = F0 + L + B

    # ---- word of mouth: told after leaving or staying, as in the engine
    Kn, Kp = _telling_means(wm.negative_mean, wm.negative_tail_k, wm.negative_tail_share,
                            wm.positive_mean, wm.positive_dispersion)
    U = S + Qu
    Tn = U * Kn
    V = D + Qs + Qq
    Tp = V * Kp
    # a telling that picks its own teller is dropped: tellers are customers or have just
    # left, so those hearings come out of the customers' and former customers' share
    phi = (LS + LU + (U - LS - LU) * pB) / U if U > 0 else 0.0
    HnR = Tn * R0 / N
    HnF = Tn * (Fn - phi) / N
    HnC = Tn * (Cn - (1 - phi)) / N
    Hn = HnR + HnF + HnC
    HpR = Tp * R0 / N

    # ---- effect on listeners: h ~ Binomial(T, 1/N) stories, acted on with 1-(1-x)^h
    d, w, ref = wm.prospect_deter_prob, wm.customer_defect_prob, wm.referral_prob
    rf = wm.repeat_factor
    pid = _acted_share(Tn, N, d, rf)
    piw = _acted_share(Tn, N, w, rf)
    pir = _acted_share(Tp, N, ref, rf)
    DR = R0 * pid
    DF = Fn * pid
    W = (alt * C - L) * (1 - pB) * piw
    # a story lands at a uniform moment: half the deterred heard it after they could have
    # been referred (the engine blocks a step only for stories heard in its first half)
    Z = R0 * (1 - pid / 2) * pir
    # without problems (the lost_revenue counterfactual: problem contacts end satisfied),
    # only the delighted tell good stories and nobody is deterred
    Tp0 = D * Kp
    pir0 = _acted_share(Tp0, N, ref, rf)
    Z0 = R0 * pir0
    dZ = Z0 - Z

    # ---- what deterrence costs: sales the deterred would have made while deterred
    mem = wm.deter_memory_years
    # a deterred person stays away for the whole memory, also past the period's end: the
    # damage is what the period's problems cost, priced over lifetimes (as lost customers)
    tau = mem
    beta = -math.expm1(-mk.marketing_rate * tau)
    gamma = -math.expm1(-mk.winback_rate * tau)
    SF = DR * beta
    WF = DF * gamma
    net = L + W + SF + WF + dZ
    rev = ec.revenue_per_year
    hazard, worth = _lifetime(scenario, baseline, T)
    revL = rev * worth
    RAR = net * revL
    MAR = RAR * ec.margin

    lines: list[Line] = [
        # inputs: the market
        ("people", "N", "people in the market", N, "people", None, "market.people"),
        ("customers", "C", "customers at the start", C, "people", None,
         "market.customer_share"),
        ("former", "F", "former customers at the start", F0, "people", None,
         "market.former_share"),
        ("prospects", "R", "prospects", R0, "people", "{} − {} − {}",
         ("people", "customers", "former")),
        ("alternative_share", "a", "share with a real alternative", alt, "share", None,
         "market.no_alternative_share"),
        ("period", "T", "period", T, "years", None, None),
        ("step", "dt", "simulation step", dt, "years", None, "simulation.step_days"),
        ("contact_rate", "λ", "service contacts per customer per year", lam, "1/yr", None,
         "service.contact_rate"),
        ("contacts_per_customer", "k", "contacts per customer in the period (one chance per "
         "step, with probability λ × dt)", k, "contacts", "{} × {}",
         ("contact_rate", "period")),
        ("delight_share", "δ", "share of contacts that delight", r.delighted, "share", None,
         "service.delight_rate" if sc.desk is None else "~service desk at this load"),
        ("problem_share", "p", "share of contacts with a problem", r.problem, "share", None,
         "service.problem_rate" if sc.desk is None else "~service desk at this load"),
        ("complain_rate", "c", "share of problems complained about", c, "share", None,
         "complaints.complain_rate"),
        ("resolved_share", "ρ", "share of complaints resolved", res, "share", None,
         "complaints.resolved"),
        ("quick_share", "q", "share of resolved complaints resolved quickly", quick, "share",
         None, "complaints.quick_share"),
        # the experience
        ("contacts", "X", "service contacts", X, "contacts", "{} × {}",
         ("customers", "contacts_per_customer")),
        ("delighted", "D", "delighted contacts", D, "contacts", "{} × {}",
         ("contacts", "delight_share")),
        ("problems", "P", "customers with a problem (one per problem contact)", P, "people",
         "{} × {}", ("contacts", "problem_share")),
        ("silent", "S", "silent (did not complain)", S, "people", "{} × (1 − {})",
         ("problems", "complain_rate")),
        ("complaints", "Q", "complainers", Q, "people", "{} × {}",
         ("problems", "complain_rate")),
        ("resolved_quickly", "Qq", "complaints resolved quickly", Qq, "people",
         "{} × {} × {}", ("complaints", "resolved_share", "quick_share")),
        ("resolved", "Qs", "complaints resolved slowly", Qs, "people", "{} × {} × (1 − {})",
         ("complaints", "resolved_share", "quick_share")),
        ("unresolved", "Qu", "complaints not resolved", Qu, "people", "{} × (1 − {})",
         ("complaints", "resolved_share")),
        # who stays: TARP's stated intention, mixed by loss size, scaled to action
        ("large_loss_share", "ℓ", "share of problems with a large loss", cp.large_loss_share,
         "share", None, "complaints.large_loss_share"),
        ("intention_to_action", "ι", "share of stated intention that becomes action", iota,
         "share", None, "complaints.intention_to_action"),
        ("stay_silent", "s_S", "would buy again: silent", stay["silent"], "probability",
         None, "complaints.stay_silent"),
        ("stay_unresolved", "s_U", "would buy again: complained, not resolved",
         stay["unresolved"], "probability", None, "complaints.stay_unresolved"),
        ("stay_resolved", "s_R", "would buy again: resolved slowly", stay["resolved"],
         "probability", None, "complaints.stay_resolved"),
        ("stay_resolved_quickly", "s_Q", "would buy again: resolved quickly",
         stay["resolved_quickly"], "probability", None, "complaints.stay_resolved_quickly"),
        ("leave_silent", "v_S", "leaves: silent", lv["silent"], "probability",
         "(1 − {}) × {}", ("stay_silent", "intention_to_action")),
        ("leave_unresolved", "v_U", "leaves: not resolved", lv["unresolved"], "probability",
         "(1 − {}) × {}", ("stay_unresolved", "intention_to_action")),
        ("leave_resolved", "v_R", "leaves: resolved slowly", lv["resolved"], "probability",
         "(1 − {}) × {}", ("stay_resolved", "intention_to_action")),
        ("leave_resolved_quickly", "v_Q", "leaves: resolved quickly",
         lv["resolved_quickly"], "probability", "(1 − {}) × {}",
         ("stay_resolved_quickly", "intention_to_action")),
        ("lost_silent", "L_S", "lost directly: silent", LS, "people", "{} × {} × {}",
         ("silent", "leave_silent", "alternative_share")),
        ("lost_unresolved", "L_U", "lost directly: not resolved", LU, "people",
         "{} × {} × {}", ("unresolved", "leave_unresolved", "alternative_share")),
        ("lost_resolved", "L_R", "lost directly: resolved slowly", LR, "people",
         "{} × {} × {}", ("resolved", "leave_resolved", "alternative_share")),
        ("lost_resolved_quickly", "L_Q", "lost directly: resolved quickly", LQ, "people",
         "{} × {} × {}", ("resolved_quickly", "leave_resolved_quickly", "alternative_share")),
        ("lost_directly", "L", "customers lost directly (own experience)", L, "people",
         "{} + {} + {} + {}",
         ("lost_silent", "lost_unresolved", "lost_resolved", "lost_resolved_quickly")),
        ("baseline_hazard", "b", "baseline churn hazard (not service)", b, "1/yr", None,
         "~calibrated to market.observed_annual_churn" if mk.baseline_churn is None
         else "market.baseline_churn"),
        ("baseline_churn", "B", "baseline churn over the period", B, "people",
         "({} − {}) × (1 − e^(−{} × {}))", ("customers", "lost_directly", "baseline_hazard",
                                             "period")),
        ("customers_after", "C'", "customers after defections", Cn, "people",
         "{} − {} − {}", ("customers", "lost_directly", "baseline_churn")),
        ("former_after", "F'", "former customers after defections", Fn, "people",
         "{} + {} + {}", ("former", "lost_directly", "baseline_churn")),
        # word of mouth
        ("negative_mean", "K", "people an unhappy customer tells (mean)", Kn, "people", None,
         "word_of_mouth.negative_mean"),
        ("positive_mean", "K⁺", "people a happy customer tells (mean)", Kp, "people", None,
         "word_of_mouth.positive_mean"),
        ("negative_tellers", "U", "unhappy tellers (silent + not resolved)", U, "people",
         "{} + {}", ("silent", "unresolved")),
        ("negative_tellings", "T", "negative tellings", Tn, "tellings", "{} × {}",
         ("negative_tellers", "negative_mean")),
        ("positive_tellers", "V", "happy tellers (delighted + resolved)", V, "people",
         "{} + {} + {}", ("delighted", "resolved", "resolved_quickly")),
        ("positive_tellings", "T⁺", "positive tellings", Tp, "tellings", "{} × {}",
         ("positive_tellers", "positive_mean")),
        ("hearings_prospects", "H_R", "negative hearings by prospects", HnR, "hearings",
         "{} × {} / {}", ("negative_tellings", "prospects", "people")),
        ("former_tellers", "φ", "share of unhappy tellers who have left",
         phi, "share", "({} + {} + ({} − {} − {}) × (1 − e^(−{} × {}))) / {}",
         ("lost_silent", "lost_unresolved", "negative_tellers", "lost_silent",
          "lost_unresolved", "baseline_hazard", "period", "negative_tellers")),
        ("hearings_former", "H_F", "negative hearings by former customers", HnF,
         "hearings", "{} × ({} − {}) / {}",
         ("negative_tellings", "former_after", "former_tellers", "people")),
        ("hearings_customers", "H_C", "negative hearings by customers", HnC, "hearings",
         "{} × ({} − (1 − {})) / {}",
         ("negative_tellings", "customers_after", "former_tellers", "people")),
        ("negative_hearings", "H", "negative hearings (self-tellings dropped)", Hn,
         "hearings", "{} × (1 − 1/{})", ("negative_tellings", "people")),
        ("positive_hearings_prospects", "H⁺_R", "positive hearings by prospects", HpR,
         "hearings", "{} × {} / {}", ("positive_tellings", "prospects", "people")),
        # effect on listeners
        ("deter_prob", "d", "a prospect hearing a bad story is deterred", d, "probability",
         None, "word_of_mouth.prospect_deter_prob"),
        ("customer_defect_prob", "w", "a customer hearing a bad story leaves", w,
         "probability", None, "word_of_mouth.customer_defect_prob"),
        ("referral_prob", "r", "a prospect hearing a good story buys", ref, "probability",
         None, "word_of_mouth.referral_prob"),
        *([("repeat_factor", "κ", "the j-th story heard acts with the first's chance x "
            "κ^(j−1)", rf, "factor", None, "word_of_mouth.repeat_factor")] if rf != 1 else []),
        ("deterred_share", "π_d", "chance a person is deterred (h ~ Binomial(T, 1/N))", pid,
         "share", *_share_eq(rf, "deter_prob", "negative_tellings")),
        ("prospects_deterred", "D_R", "prospects deterred", DR, "people", "{} × {}",
         ("prospects", "deterred_share")),
        ("former_deterred", "D_F", "former customers deterred", DF, "people", "{} × {}",
         ("former_after", "deterred_share")),
        ("wom_defect_share", "π_w", "chance a customer leaves on what they hear", piw,
         "share", *_share_eq(rf, "customer_defect_prob", "negative_tellings")),
        ("lost_wom", "W", "customers lost through word of mouth", W, "people",
         "({} × {} − {}) × e^(−{} × {}) × {}",
         ("alternative_share", "customers", "lost_directly", "baseline_hazard", "period",
          "wom_defect_share")),
        ("referral_share", "π_r", "chance a prospect buys on what they hear", pir, "share",
         *_share_eq(rf, "referral_prob", "positive_tellings")),
        ("referrals", "Z", "customers won through word of mouth (not deterred first)", Z,
         "people", "{} × (1 − {}/2) × {}", ("prospects", "deterred_share", "referral_share")),
        ("positive_tellings_without_problems", "T⁺₀",
         "positive tellings without problems (the delighted only)", Tp0, "tellings",
         "{} × {}", ("delighted", "positive_mean")),
        ("referral_share_without_problems", "π_r0",
         "chance a prospect buys on what they hear, without problems", pir0, "share",
         *_share_eq(rf, "referral_prob", "positive_tellings_without_problems")),
        ("referrals_without_problems", "Z₀", "customers won through word of mouth without "
         "problems", Z0, "people", "{} × {}", ("prospects", "referral_share_without_problems")),
        ("referrals_forgone", "ΔZ", "referrals the problems cost (negative: won through "
         "resolved complaints)", dZ, "people", "{} − {}",
         ("referrals_without_problems", "referrals")),
        # the price
        ("deter_memory", "M", "a deterred person stays away for", mem, "years", None,
         "word_of_mouth.deter_memory_years"),
        ("deterred_window", "τ", "time a deterred person stays away (the memory, also "
         "past the period)", tau, "years", "{}", ("deter_memory",)),
        ("marketing_rate", "m", "prospects buying through marketing per year",
         mk.marketing_rate, "1/yr", None, "market.marketing_rate"),
        ("winback_rate", "g", "former customers coming back per year", mk.winback_rate,
         "1/yr", None, "market.winback_rate"),
        ("buy_chance", "β", "chance a deterred prospect would have bought", beta, "share",
         "1 − e^(−{} × {})", ("marketing_rate", "deterred_window")),
        ("winback_chance", "γ", "chance a deterred former customer would have come back",
         gamma, "share", "1 − e^(−{} × {})", ("winback_rate", "deterred_window")),
        ("sales_forgone", "D_R·β", "sales forgone: deterred prospects", SF, "people",
         "{} × {}", ("prospects_deterred", "buy_chance")),
        ("winbacks_forgone", "D_F·γ", "win-backs forgone: deterred former customers", WF,
         "people", "{} × {}", ("former_deterred", "winback_chance")),
        ("customers_lost", "Λ", "customers lost, sales and referrals forgone", net,
         "people", "{} + {} + {} + {} + {}",
         ("lost_directly", "lost_wom", "sales_forgone", "winbacks_forgone",
          "referrals_forgone")),
        ("revenue_per_year", "v", "revenue per customer per year", rev, "money/customer/yr",
         None, "economics.revenue_per_year"),
        ("value_hazard", "h", "today's churn hazard, all causes (how fast a customer's "
         "revenue runs out)", hazard, "1/yr", None, "~today's baseline + service churn"),
        ("lifetime_years", "ℓ_v", "present value of 1 a year from a customer lost within the "
         "period, over their remaining lifetime", worth, "years", None,
         "~womsim.model.valuation.event_worth at h, averaged over the period's steps"),
        ("revenue_per_customer", "v_L", "revenue per customer lost (present value, "
         "remaining lifetime)", revL, "money/customer", "{} × {}",
         ("revenue_per_year", "lifetime_years")),
        ("margin_share", "μ", "contribution margin", ec.margin, "share", None,
         "economics.margin"),
        ("revenue_at_risk", "RaR", "revenue at risk (present value of the lifetimes lost)",
         RAR, "money", "{} × {}", ("customers_lost", "revenue_per_customer")),
        ("margin_at_risk", "MaR", "margin at risk", MAR, "money", "{} × {}",
         ("revenue_at_risk", "margin_share")),
    ]
    name = f"Market damage of '{sc.name}' over {_period_text(T, dt)} (analytic, one hop)"
    return MarketDamage(lines, name, ec.currency, T, sources=sc)


def _period_text(T: float, dt: float) -> str:
    if abs(T - dt) < 1e-12:
        return f"one step ({dt * 365:g} days)"
    if abs(T - round(T)) < 1e-9:
        return f"{T:g} year" + ("s" if round(T) != 1 else "")
    return f"{T * 12:.3g} months" if T < 1 else f"{T:.3g} years"


# --------------------------------------------------------------------------- the folklore
def tarp_worked_example(complainers: float = 1, silent_per_complainer: float = 6,
                        people_told: float = 9, act_share: float = 0.25,
                        value_per_customer: float = 1000.0,
                        currency: str = "USD") -> MarketDamage:
    """The popular TARP worked example, line by line.

    "For every customer who complains, six stay silent: seven unhappy customers. Each tells
    nine others: 63 people hear about it. A quarter of them act on it: about 16 customers
    lost. At $1,000 each, that is about $16,000." (FIGURES.md, popular source, unverified.)

    The same kind of table as :func:`market_damage`, so a consultant can show that the
    model's arithmetic is the popular one made explicit: ``market_damage`` refines each step
    (complaints by outcome, who has an alternative, who the listeners are, and
    ``1 - (1 - d/N)^T`` instead of ``d × T``, which matters once people hear several
    stories).

    Parameters
    ----------
    complainers : float
        Customers who complain.
    silent_per_complainer : float
        Silent unhappy customers behind each complaint.
    people_told : float
        People each unhappy customer tells.
    act_share : float
        Share of the people told who act on it (stay away or leave).
    value_per_customer : float
        What one lost customer is worth.
    currency : str
        Currency of the money lines.

    Returns
    -------
    MarketDamage

    Examples
    --------
    >>> ex = tarp_worked_example()
    >>> ex.unhappy, ex.tellings, ex.customers_lost, ex.total
    (7.0, 63.0, 15.75, 15750.0)
    >>> round(ex.customers_lost), round(ex.total, -3)
    (16, 16000.0)
    """
    args = {"complainers": complainers, "silent_per_complainer": silent_per_complainer,
            "people_told": people_told, "act_share": act_share,
            "value_per_customer": value_per_customer}
    for name, v in args.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                or v < 0:
            raise WomsimError(f"{name} = {v!r}: must be a finite number >= 0")
    if act_share > 1:
        raise WomsimError(f"act_share = {act_share!r}: must be a share between 0 and 1")
    n = float(complainers)
    s = n * silent_per_complainer
    u = n + s
    t = u * people_told
    lost = t * act_share
    lines: list[Line] = [
        ("complainers", "N_c", "customers who complain", n, "people", None, None),
        ("silent_per_complainer", "s", "silent customers behind each complaint",
         float(silent_per_complainer), "people", None, None),
        ("silent", "S", "silent unhappy customers", s, "people", "{} × {}",
         ("complainers", "silent_per_complainer")),
        ("unhappy", "U", "unhappy customers", u, "people", "{} + {}",
         ("complainers", "silent")),
        ("people_told", "K", "people each unhappy customer tells", float(people_told),
         "people", None, None),
        ("tellings", "T", "people told", t, "tellings", "{} × {}", ("unhappy", "people_told")),
        ("act_share", "d", "share of those told who act on it", float(act_share), "share",
         None, None),
        ("customers_lost", "Λ", "customers lost", lost, "people", "{} × {}",
         ("tellings", "act_share")),
        ("value_per_customer", "v", "value of one customer", float(value_per_customer),
         "money/customer", None, None),
        ("revenue_at_risk", "RaR", "revenue at risk", lost * value_per_customer, "money",
         "{} × {}", ("customers_lost", "value_per_customer")),
    ]
    return MarketDamage(lines, "TARP's popular worked example", currency, 1.0,
                        sources="popular example (unverified)")

"""Interventions: what a consultant proposes, as a programme with a start, a cost and effects.

"Train all agents (problem rate -20%, resolution +15 points) from month 6 for $400k a year"
is one :class:`Intervention`. A scenario holds a list of them; the engine applies each from
its start step (ramping in if asked) and books its cost, so a paired comparison against the
scenario without it gives ROI and payback.
"""

from __future__ import annotations

import contextvars
import math
import re
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from womsim.core.errors import ScenarioError, close_matches
from womsim.model.market import named_change_problem
from womsim.model.params import plain_number

__all__ = ["Intervention", "parse_years"]

_UNITS = {
    "year": 1.0, "years": 1.0, "yr": 1.0, "yrs": 1.0, "y": 1.0,
    "month": 1 / 12, "months": 1 / 12, "mo": 1 / 12,
    "quarter": 0.25, "quarters": 0.25,
    "week": 7 / 365, "weeks": 7 / 365, "wk": 7 / 365, "w": 7 / 365,
    "day": 1 / 365, "days": 1 / 365, "d": 1 / 365,
}
_TIME = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*$")

# True while a Scenario validates its parts: errors then stay pydantic errors, so that the
# scenario's message keeps their location (and a scenario file its line numbers)
NESTED = contextvars.ContextVar("womsim_nested_validation", default=False)

# Parameters that shape the market or the run itself cannot change mid-run. A segment's or
# rival's own values (segments.<name>.<field>, rivals.<name>.<field>) can, but for those
# drawn or solved at the start (womsim.model.market.FIXED_AT_START).
FROZEN_PREFIXES = ("market.people", "market.network", "market.mean_degree",
                   "market.customer_share", "market.former_share", "simulation.",
                   "economics.currency", "name", "description", "interventions",
                   "calendar.", "market.segment_assortativity")


# Parameters read once, before the first step: a change mid-run could not act.
INERT = {
    "market.observed_annual_churn": "it is what today's baseline churn is solved from, once, "
                                    "before the run; to move churn mid-run change "
                                    "market.extra_churn (added on top of the baseline)",
    "market.baseline_churn": "the baseline churn is today's, solved or given once per run; "
                             "to move churn mid-run change market.extra_churn (added on top)",
    "market.no_alternative_share": "who has an alternative provider is drawn with the market, "
                                   "at the start",
    "market.customer_clustering": "who is a customer is placed on the graph once, at the "
                                  "start; later customers come from marketing and from "
                                  "the listeners of word of mouth",
    "economics.revenue_sigma": "the spread of revenue across customers is drawn with the "
                               "market, at the start; to change what customers pay mid-run "
                               "change economics.revenue_per_year",
    "economics.discount_rate": "present values are discounted from the start of the run at "
                               "one rate",
    "reviews.enabled": "the review channel runs for the whole run or not at all; to change "
                       "posting mid-run change reviews.negative_post_share or "
                       "reviews.positive_post_share",
    "reviews.initial_rating": "it is the rating shown at the start, read once",
    "reviews.initial_reviews": "it is the number of reviews standing at the start, read once",
}


def parse_years(value: float | int | str, field: str = "time") -> float:
    """Convert ``"6 months"``, ``"12 weeks"``, ``"90 days"``, ``"1.5 years"`` or a number of
    years to years.

    Examples
    --------
    >>> parse_years("6 months")
    0.5
    >>> parse_years(2)
    2.0
    """
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{field}: expected a number of years or a text like '6 months', "
                         f"got {value!r}")
    if isinstance(value, (np.integer, np.floating)):
        value = float(value)
    if isinstance(value, (int, float)):
        years = float(value)
    elif isinstance(value, str):
        m = _TIME.match(value)
        unit = m.group(2).lower() if m else ""
        if not m or (unit and unit not in _UNITS):
            raise ValueError(
                f"{field}: cannot read {value!r} as a time (write e.g. '6 months', '12 weeks', "
                "'90 days', '1.5 years' or a number of years)")
        years = float(m.group(1)) * (_UNITS[unit] if unit else 1.0)
    else:
        raise ValueError(f"{field}: expected a number of years or a text like '6 months', "
                         f"got {type(value).__name__}")
    if not math.isfinite(years) or years < 0:
        raise ValueError(f"{field} = {value!r}: must be a finite time >= 0")
    return years


class Intervention(BaseModel):
    """A programme that changes scenario parameters from a start time, at a cost.

    Parameters
    ----------
    name : str
        What the client would call it.
    start, end : float or str
        When it takes effect and (optionally) stops: years, or text such as ``"6 months"``.
    cost_per_year : float
        Running cost while active.
    one_off_cost : float
        Cost booked at the start step.
    changes : dict
        Dotted parameter name -> value (see ``how``). A segment's or a rival's own value is
        named by its name: ``"segments.business.problem_rate"``,
        ``"rivals.challenger.marketing_rate"`` (a segment's value it leaves unset follows
        the market's, and a programme on it starts from there).
    how : dict
        Per parameter: ``"set"`` (default: the new value), ``"scale"`` (multiply) or ``"add"``.
    ramp : float or str
        Time over which the effect grows linearly to full strength (0 = at once).

    Notes
    -----
    Several interventions may change the same parameter. They act in the order they were
    attached (:meth:`Scenario.with_interventions`), each on the value the ones before it
    left at that time: ``"set"`` moves it to the new value, ``"scale"`` multiplies it,
    ``"add"`` adds to it (each in proportion to its ramp). So training that scales the
    problem rate by 0.8, attached after a programme that sets it to 0.10, gives 0.08 while
    both run. A change of a market-wide value (``service.problem_rate``) also reaches
    each segment's own value of it the same way; a change of one segment's or rival's
    value reaches only that one. A scenario refuses, when they are attached,
    interventions that never act within its horizon, change a parameter that is read
    only once before the run (such
    as ``market.baseline_churn``: use ``market.extra_churn``), change the fixed experience
    mix of a scenario whose service desk sets it, or whose combined effect leaves a
    parameter's range at any step.

    Examples
    --------
    >>> train = Intervention("agent training", start="6 months", cost_per_year=400_000,
    ...                      changes={"service.problem_rate": 0.8, "complaints.resolved": 0.15},
    ...                      how={"service.problem_rate": "scale", "complaints.resolved": "add"})
    >>> train.start, train.strength(0.25), train.strength(1.0)
    (0.5, 0.0, 1.0)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str = Field(min_length=1)
    start: float = 0.0
    end: float | None = None
    cost_per_year: float = Field(0.0, ge=0)
    one_off_cost: float = Field(0.0, ge=0)
    changes: dict[str, float] = Field(default_factory=dict)
    how: dict[str, Literal["set", "scale", "add"]] = Field(default_factory=dict)
    ramp: float = 0.0

    def __init__(self, name: str | None = None, /, **data: Any) -> None:
        if name is not None:
            data["name"] = name
        try:
            super().__init__(**data)
        except ValidationError as err:
            if NESTED.get():
                raise
            raise _intervention_error(data.get("name"), err) from None

    @field_validator("cost_per_year", "one_off_cost", "changes", mode="before")
    @classmethod
    def _no_coercion(cls, v: Any, info: Any) -> Any:
        # pydantic would read True as 1.0 and "0.8" as 0.8: silent guesses
        return plain_number(v)

    @field_validator("start", "ramp", mode="before")
    @classmethod
    def _time(cls, v: Any, info: Any) -> float:
        return parse_years(v, f"intervention {info.field_name}")

    @field_validator("end", mode="before")
    @classmethod
    def _end(cls, v: Any) -> float | None:
        return None if v is None else parse_years(v, "intervention end")

    @model_validator(mode="after")
    def _consistent(self) -> Intervention:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"intervention '{self.name}': end ({self.end:g} years) must be "
                             f"after start ({self.start:g} years)")
        unknown = sorted(set(self.how) - set(self.changes))
        if unknown:
            raise ValueError(f"intervention '{self.name}': 'how' names {unknown} which are not "
                             "in 'changes'")
        for key in self.changes:
            named = named_change_problem(key)
            if named:
                raise ValueError(f"intervention '{self.name}': {named}")
            if key.startswith(FROZEN_PREFIXES):
                raise ValueError(f"intervention '{self.name}': '{key}' shapes the market or "
                                 "the run and cannot change mid-run")
            if key in INERT:
                raise ValueError(f"intervention '{self.name}': '{key}' cannot change mid-run: "
                                 f"{INERT[key]}")
        return self

    def strength(self, t: float) -> float:
        """How much of the effect applies at time ``t`` (years): 0 before start, 1 at full."""
        if t < self.start or (self.end is not None and t >= self.end):
            return 0.0
        if self.ramp <= 0:
            return 1.0
        return min(1.0, (t - self.start) / self.ramp)

    def active(self, t: float) -> bool:
        """Whether the programme is running (and costing) at time ``t``."""
        return t >= self.start and (self.end is None or t < self.end)

    def apply(self, values: dict[str, float], t: float) -> dict[str, float]:
        """New values of the changed parameters at time ``t`` given their base ``values``."""
        f = self.strength(t)
        out = {}
        for key, target in self.changes.items():
            base = values[key]
            mode = self.how.get(key, "set")
            if mode == "set":
                out[key] = base + f * (target - base)
            elif mode == "scale":
                out[key] = base * (1 + f * (target - 1))
            else:
                out[key] = base + f * target
        return out


def _intervention_error(name: Any, err: ValidationError) -> ScenarioError:
    """A pydantic error as one line per problem, naming the intervention, field and value."""
    who = f"intervention '{name}'" if name else "intervention"
    lines = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            hint = close_matches(str(e["loc"][-1]), Intervention.model_fields)
            lines.append(f"{who}: unknown field '{where}'.{hint} Known: "
                         f"{', '.join(Intervention.model_fields)}")
        elif e["type"] == "missing":
            lines.append(f"{who}: '{where}' is required")
        elif e["type"] == "value_error" or not where:
            if msg.startswith("intervention '"):
                lines.append(msg)
            elif msg.startswith("intervention "):  # a time: name the programme too
                lines.append(who + msg.removeprefix("intervention"))
            else:
                lines.append(f"{who}: {where}: {msg}")
        else:
            lines.append(f"{who}: {where} = {e.get('input')!r}: {msg}")
    out = ScenarioError("; ".join(lines))
    out.problems = lines
    return out

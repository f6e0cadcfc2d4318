"""The calendar: seasonality of contacts, dated incidents and marketing pulses.

A market is not at rest: contacts follow the seasons, an outage or a product fault raises
contact volume or the problem rate for a while, and a campaign raises acquisition effort for
a few weeks. :class:`Calendar` holds these as validated scenario parts
(``Scenario.calendar``); :func:`step_multipliers` turns them, once per run, into one
multiplier per step for contacts, the problem share and the marketing hazard, each the
**average over the step** of the multiplier in force (so a three-day outage inside a weekly
step raises that step by 3/7 of its size, and the step size changes the noise, not the
answer).

Time. An event starts at a date (``"2027-03-15"``, which needs ``calendar.start_date``) or at
an offset from the start of the run (``"10 weeks"``, ``"3 months"``, a number of years). A
model year is 365 days: the date of time ``t`` years is ``start_date + 365 t`` days.

Shapes. An incident multiplies its target by ``multiplier`` from its start for
``duration``, then (optionally) falls back linearly to 1 over ``ramp_down``: after an
outage is fixed, follow-up and backlog contacts die down over days to weeks rather than
stopping at once (the ramp is the modeller's statement of how fast; the default 0 is a
hard stop).
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from womsim.core.errors import ScenarioError, close_matches, unknown_key
from womsim.model.interventions import NESTED, parse_years
from womsim.model.params import plain_number

__all__ = ["SEASONALITY_PRESETS", "Calendar", "Incident", "Multipliers", "Pulse",
           "calendar_rows", "step_multipliers"]

YEAR_DAYS = 365.0
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: Named seasonality profiles of contacts, January to December; each averages 1. They are
#: illustrative shapes, not measured figures: use the client's own monthly contact counts
#: (divided by their monthly mean) whenever they exist.
SEASONALITY_PRESETS: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 12,
    # heating and billing: energy, utilities
    "winter_peak": (1.25, 1.15, 1.05, 0.95, 0.85, 0.8, 0.8, 0.85, 0.95, 1.05, 1.1, 1.2),
    # gifts and returns: retail, parcels
    "december_peak": (1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.95, 1.0, 1.25, 1.5),
    # holidays: travel, leisure
    "summer_peak": (0.85, 0.85, 0.9, 0.95, 1.05, 1.2, 1.3, 1.25, 1.0, 0.9, 0.85, 0.9),
}

#: how many values a seasonality profile has -> the period each covers
PERIODS = {12: "month", 52: "week"}

_ISO_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
_MULT_MAX = 1000.0
_ALIGNED = 1e-9  # years (0.03 s)


def _as_date(value: Any, field: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        if value.time() != _dt.time(0):
            raise ValueError(f"{field} = {value!r}: give a date (YYYY-MM-DD), not a time of day")
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{field} = {value!r}: not a valid date") from None
    raise ValueError(f"{field} = {value!r}: expected a date written YYYY-MM-DD")


def _error(what: str, err: ValidationError) -> ScenarioError:
    """A pydantic error as one line per problem, naming the part, field and value."""
    lines = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            lines.append(f"{what}: unknown field '{where}'")
        elif e["type"] == "missing":
            lines.append(f"{what}: '{where}' is required")
        elif e["type"] == "value_error" or not where:
            lines.append(msg if msg.startswith(("calendar", what)) else f"{what}: {msg}")
        else:
            lines.append(f"{what}: {where} = {e.get('input')!r}: {msg}")
    out = ScenarioError("; ".join(lines))
    out.problems = lines
    return out


def _init(self: BaseModel, what: str, data: dict[str, Any]) -> None:
    # inside a Scenario, errors stay pydantic's so that the scenario names their location
    try:
        BaseModel.__init__(self, **data)
    except ValidationError as err:
        if NESTED.get():
            raise
        raise _error(what, err) from None


class _Event(BaseModel):
    """What incidents and pulses share: a name, a start, a duration, a ramp-down, a size."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str = Field(min_length=1)
    start: _dt.date | float
    duration: float
    multiplier: float
    ramp_down: float = 0.0

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, v: Any) -> Any:
        if isinstance(v, (_dt.date, _dt.datetime)) or (isinstance(v, str) and _ISO_DATE.match(v)):
            return _as_date(v, "start")
        return parse_years(v, "start")

    @field_validator("duration", "ramp_down", mode="before")
    @classmethod
    def _time(cls, v: Any, info: Any) -> float:
        return parse_years(v, info.field_name)

    @field_validator("multiplier", mode="before")
    @classmethod
    def _multiplier(cls, v: Any) -> Any:
        return plain_number(v)

    @model_validator(mode="after")
    def _size(self) -> _Event:
        # here rather than on the field, so that the message can name the event
        if not 0 < self.multiplier <= _MULT_MAX:
            raise ValueError(f"{self._what()}: multiplier = {self.multiplier!r}: must be > 0 "
                             f"and <= {_MULT_MAX:g} (1 = no change)")
        return self

    def start_years(self, start_date: _dt.date | None) -> float:
        """The start as years from the start of the run."""
        if isinstance(self.start, _dt.date):
            if start_date is None:
                raise ScenarioError(f"{self._what()} starts on {self.start.isoformat()}, a "
                                    "date, but calendar.start_date is not set: set it (the "
                                    "date of the run's first step) or give the start as an "
                                    "offset such as '10 weeks'")
            return (self.start - start_date).days / YEAR_DAYS
        return float(self.start)

    def end_years(self, start_date: _dt.date | None) -> float:
        """When the event has fully worn off (start + duration + ramp-down), in years."""
        return self.start_years(start_date) + self.duration + self.ramp_down

    def size(self) -> float:
        """Excess multiplier x time (years): 0 for an event that changes nothing."""
        return (self.multiplier - 1.0) * (self.duration + self.ramp_down / 2)

    def _what(self) -> str:
        return f"{type(self).__name__.lower()} '{self.name}'"

    def _when(self) -> str:
        start = (self.start.isoformat() if isinstance(self.start, _dt.date)
                 else _years_text(float(self.start)) + " in")
        ramp = f", easing off over {_years_text(self.ramp_down)}" if self.ramp_down else ""
        return f"from {start} for {_years_text(self.duration)}{ramp}"


class Incident(_Event):
    """An outage or a product fault: contact volume or the problem share raised for a while.

    Parameters
    ----------
    name : str
        What the client calls it ("March outage").
    raises : {"contacts", "problems"}
        ``"contacts"``: contact volume (per customer) x ``multiplier`` (with a service desk
        its load rises too, and the desk's experience mix follows); ``"problems"``: the
        share of contacts that end with a problem x ``multiplier`` (taken from satisfied
        contacts first, then from delighted ones).
    multiplier : float
        > 0; 1 changes nothing.
    start : date or time
        A date (``"2027-03-15"``, needs ``calendar.start_date``) or an offset from the start
        of the run (``"10 weeks"``, ``"3 months"``, years).
    duration, ramp_down : time
        How long it lasts at full size, then how long it takes to fall back linearly to 1.

    Examples
    --------
    >>> outage = Incident("March outage", raises="contacts", multiplier=3, start="10 weeks",
    ...                   duration="1 week", ramp_down="3 weeks")
    >>> round(outage.size(), 4)   # (3 - 1) x (1 week + 3 weeks / 2)
    0.0959
    """

    raises: Literal["contacts", "problems"]

    def __init__(self, name: str | None = None, /, **data: Any) -> None:
        if name is not None:
            data["name"] = name
        _init(self, f"incident '{data.get('name')}'", data)

    def __repr__(self) -> str:
        return (f"Incident('{self.name}': {self.raises} x{self.multiplier:g} "
                f"{self._when()})")

    __str__ = __repr__


class Pulse(_Event):
    """A marketing pulse: the marketing acquisition hazard x ``multiplier`` for a while.

    Parameters
    ----------
    name, multiplier, start, duration, ramp_down
        As for :class:`Incident`.
    cost : float
        What the campaign costs, booked once at its start (as a programme cost, so
        ``compare`` gives its ROI); each extra customer it wins also costs the usual
        acquisition cost.

    Examples
    --------
    >>> Pulse("spring campaign", multiplier=2, start="3 months", duration="6 weeks").cost
    0.0
    """

    cost: float = Field(0.0, ge=0, le=1e12)

    def __init__(self, name: str | None = None, /, **data: Any) -> None:
        if name is not None:
            data["name"] = name
        _init(self, f"pulse '{data.get('name')}'", data)

    @field_validator("cost", mode="before")
    @classmethod
    def _cost(cls, v: Any) -> Any:
        return plain_number(v)

    def __repr__(self) -> str:
        cost = f", costs {self.cost:,.0f}" if self.cost else ""
        return f"Pulse('{self.name}': marketing x{self.multiplier:g} {self._when()}{cost})"

    __str__ = __repr__


class Calendar(BaseModel):
    """Seasonality, incidents and marketing pulses of a scenario (``Scenario.calendar``).

    Parameters
    ----------
    start_date : date, optional
        The date the run starts; needed for seasonality and for events given by date.
    seasonality : 12 or 52 numbers, or a preset name, optional
        Contacts per customer by calendar month (12 values, January first) or by week (52
        values: each calendar year from 1 January cut into 52 equal weeks of 365/52 = 7.02
        days, 366/52 in a leap year, the engine's weekly step), as multipliers that average
        1 (plain mean), or a name in :data:`SEASONALITY_PRESETS`. None: flat.
    incidents : tuple of Incident
    pulses : tuple of Pulse

    Examples
    --------
    >>> cal = Calendar(start_date="2027-01-01", seasonality="winter_peak",
    ...                incidents=[Incident("outage", raises="contacts", multiplier=2.5,
    ...                                    start="2027-03-15", duration="1 week")])
    >>> cal.profile()[0], cal.incidents[0].start_years(cal.start_date)   # 73 days in
    (1.25, 0.2)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    start_date: _dt.date | None = None
    seasonality: tuple[float, ...] | str | None = None
    incidents: tuple[Incident, ...] = ()
    pulses: tuple[Pulse, ...] = ()

    def __init__(self, **data: Any) -> None:
        _init(self, "calendar", data)

    @field_validator("start_date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        return None if v is None else _as_date(v, "calendar.start_date")

    @field_validator("seasonality", mode="before")
    @classmethod
    def _season(cls, v: Any) -> Any:
        if v is None:
            return None
        if isinstance(v, str):
            if v not in SEASONALITY_PRESETS:
                raise ValueError(f"calendar.seasonality = {v!r}: no such profile."
                                 f"{close_matches(v, SEASONALITY_PRESETS)} Known: "
                                 f"{', '.join(SEASONALITY_PRESETS)}; or give 12 numbers")
            return v
        if isinstance(v, np.ndarray):
            v = v.tolist()
        if not isinstance(v, (list, tuple)):
            raise ValueError(f"calendar.seasonality: expected 12 monthly or 52 weekly "
                             f"multipliers or a profile name, got {type(v).__name__}")
        values = plain_number(list(v))
        if len(values) not in PERIODS:
            raise ValueError(f"calendar.seasonality has {len(values)} values; it needs 12 "
                             "(one per calendar month from January) or 52 (one per week "
                             "from 1 January, each 1/52 of the year)")
        unit = PERIODS[len(values)]
        labels = MONTHS if unit == "month" else [f"week {k}" for k in range(1, 53)]
        if all(isinstance(x, (int, float)) and x == 0 for x in values):
            raise ValueError(f"calendar.seasonality: all {len(values)} {unit}ly multipliers "
                             "are 0 (no contacts at all); for a flat year give 1s or none")
        for label, x in zip(labels, values, strict=True):
            if not isinstance(x, (int, float)) or not math.isfinite(x) or x <= 0:
                raise ValueError(f"calendar.seasonality: {label} = {x!r}; every {unit}ly "
                                 "multiplier must be a number > 0")
        mean = math.fsum(values) / len(values)
        if abs(mean - 1.0) > 1e-6:
            raise ValueError(f"calendar.seasonality averages {mean:.6g}, not 1: it shapes "
                             "contacts over the year and must not change their yearly "
                             "number (change service.contact_rate for that); divide each "
                             f"value by {mean:.6g}")
        return tuple(float(x) for x in values)

    @field_validator("incidents", "pulses", mode="before")
    @classmethod
    def _events(cls, v: Any) -> Any:
        return (v,) if isinstance(v, (BaseModel, dict)) else v

    @model_validator(mode="after")
    def _consistent(self) -> Calendar:
        if self.seasonality is not None and self.start_date is None:
            raise ValueError("calendar.seasonality needs calendar.start_date (which month "
                             "the run starts in)")
        for kind, events in (("incident", self.incidents), ("pulse", self.pulses)):
            names = [e.name for e in events]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"calendar: {kind} {twice[0]!r} is named twice; give each "
                                 f"{kind} its own name")
        for e in (*self.incidents, *self.pulses):
            s = e.start_years(self.start_date)  # a date without start_date fails here
            if s < 0:
                raise ValueError(f"calendar: {e._what()} starts "
                                 f"{e.start.isoformat() if isinstance(e.start, _dt.date) else s}"
                                 f", before calendar.start_date "
                                 f"({self.start_date}): it is outside the run")
        groups: list[tuple[str, list[Any]]] = [
            (f"incidents raising {k}", [i for i in self.incidents if i.raises == k])
            for k in ("contacts", "problems")] + [("pulses", list(self.pulses))]
        for what, group in groups:
            spans = sorted(((e.start_years(self.start_date), e.end_years(self.start_date), e)
                            for e in group if e.size() != 0), key=lambda x: x[:2])
            for (_, e0, a), (s1, _, b) in itertools.pairwise(spans):
                if s1 < e0 - 1e-12:
                    raise ValueError(
                        f"calendar: {what} overlap: {a!r} lasts until "
                        f"{self.date_text(e0)} but {b!r} starts at {self.date_text(s1)}; "
                        "in the overlap it is ambiguous whether they add or multiply: merge "
                        "them into one (with the combined multiplier) or move one")
        return self

    # ------------------------------------------------------------------ access
    def is_empty(self) -> bool:
        """True when the calendar changes nothing (no seasonality, no events)."""
        return self.seasonality is None and not self.incidents and not self.pulses

    def profile(self) -> tuple[float, ...]:
        """The contact multipliers, 12 monthly or 52 weekly (from January); flat (12 ones)
        without seasonality."""
        if self.seasonality is None:
            return SEASONALITY_PRESETS["flat"]
        if isinstance(self.seasonality, str):
            return SEASONALITY_PRESETS[self.seasonality]
        return self.seasonality

    def date_text(self, years: float) -> str:
        """Time ``years`` from the start as a date (with a start date) or as years."""
        if self.start_date is None:
            return f"{years:.3g} years in"
        return (self.start_date + _dt.timedelta(days=round(years * YEAR_DAYS))).isoformat()

    def incident(self, name: str) -> Incident:
        """The incident called ``name``."""
        for i in self.incidents:
            if i.name == name:
                return i
        raise unknown_key("incident", name, [i.name for i in self.incidents])

    def without(self, name: str) -> Calendar:
        """This calendar without the incident called ``name``."""
        self.incident(name)
        return self.model_copy(update={"incidents": tuple(i for i in self.incidents
                                                          if i.name != name)})

    def check(self, horizon_years: float, dt: float, steps: int, contact_rate: float,
              problem_rate: float | None,
              rivals: tuple[tuple[str, float], ...] = ()) -> None:
        """Refuse events that would not act within the horizon, and peaks the engine cannot
        draw (more than one contact per customer per step, a problem share above 1).

        ``problem_rate`` is the fixed mix's (None with a service desk, whose problem share
        is checked at each step); ``rivals``: each rival's name and contact rate (the
        seasonality moves their contacts too)."""
        for e in (*self.incidents, *self.pulses):
            s, end = e.start_years(self.start_date), e.end_years(self.start_date)
            if s >= horizon_years - 1e-12:
                raise ScenarioError(
                    f"calendar: {e._what()} starts at {self.date_text(s)}, outside the "
                    f"{horizon_years:g}-year horizon: it would never act; move it or lengthen "
                    "simulation.horizon_years")
            if end > horizon_years + 1e-9:
                raise ScenarioError(
                    f"calendar: {e._what()} lasts (with its ramp-down) until "
                    f"{self.date_text(end)}, past the end of the {horizon_years:g}-year "
                    "horizon, where it would not act: shorten it or lengthen "
                    "simulation.horizon_years")
        m = step_multipliers(self, dt, steps)
        if m is None:
            return
        peak = float(m.contacts.max())
        if contact_rate * dt * peak > 1 + 1e-12:
            t = int(m.contacts.argmax())
            raise ScenarioError(
                f"calendar: at {self.date_text(t * dt)} the calendar raises contacts x{peak:.3g}"
                f", to {contact_rate * dt * peak:.2f} contacts per customer per step, but the "
                "engine draws at most one per step: shorten simulation.step_days or lower the "
                "multiplier")
        high = float(m.season.max()) if m.season is not None else 1.0
        for name, rate in rivals:
            if rate * dt * high > 1 + 1e-12:
                t = int(m.season.argmax()) if m.season is not None else 0
                raise ScenarioError(
                    f"calendar: at {self.date_text(t * dt)} the seasonality x{high:.3g} "
                    f"gives rival '{name}' {rate * dt * high:.2f} contacts per customer per "
                    "step, but the engine draws at most one per step: shorten "
                    "simulation.step_days or flatten the profile")
        worst = float(m.problems.max())
        if problem_rate is not None and problem_rate * worst > 1 + 1e-12:
            raise ScenarioError(
                f"calendar: an incident raising problems x{worst:.3g} on "
                f"service.problem_rate = {problem_rate:g} gives a problem share of "
                f"{problem_rate * worst:.3g}, above 1: lower its multiplier")


@dataclass(frozen=True)
class Multipliers:
    """Per-step multipliers (averages over each step) and one-off costs of a calendar."""

    contacts: np.ndarray
    problems: np.ndarray
    marketing: np.ndarray
    costs: np.ndarray
    #: the seasonality alone (market-wide: it also moves the rivals' contacts, where our
    #: incidents do not); None when the calendar has none
    season: np.ndarray | None = None

    @property
    def active(self) -> np.ndarray:
        """Steps at which anything differs from 1."""
        return (self.contacts != 1.0) | (self.problems != 1.0) | (self.marketing != 1.0)


def _shape_area(x: np.ndarray, start: float, duration: float, ramp: float) -> np.ndarray:
    """Integral from -inf to ``x`` of the event's shape (1 for ``duration``, then a linear
    ramp to 0 over ``ramp``); exactly constant before the start and after the end."""
    end = start + duration
    area = np.clip(x, start, end) - start
    if ramp > 0:
        y = np.clip(x, end, end + ramp) - end
        area = area + (y - y * y / (2 * ramp))
    return area


def _month_edges(start_date: _dt.date, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """Calendar-month boundaries (years from the start) covering [0, horizon], and each
    month's index (0 = January)."""
    first = np.datetime64(start_date.replace(day=1), "M")
    months = first + np.arange(int(horizon * 12) + 3)
    days = (months.astype("datetime64[D]") - np.datetime64(start_date, "D")).astype(float)
    return days / YEAR_DAYS, (months.astype(int) % 12)[:-1]


def _week_edges(start_date: _dt.date, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """Week boundaries (years from the start) covering [0, horizon], and each week's index
    (0 = the week from 1 January): each calendar year cut into 52 equal weeks of 365/52 =
    7.02 days (366/52 in a leap year), the engine's weekly step."""
    years = np.arange(start_date.year, start_date.year + int(horizon) + 3)
    jan1 = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    first = (jan1 - np.datetime64(start_date, "D")).astype(float)
    length = np.diff(first)
    # a week ends where the next starts: week 52 at the next 1 January
    days = (first[:-1, None] + length[:, None] * np.arange(52) / 52).ravel()
    return days / YEAR_DAYS, np.tile(np.arange(52), years.size - 1)[:-1]


def step_multipliers(calendar: Calendar, dt: float, steps: int) -> Multipliers | None:
    """The calendar's multipliers per step, each averaged over the step; None if empty.

    Contacts are the seasonality times (1 + the contact incidents' excess), integrated
    exactly over each step (both are piecewise linear); problems and marketing are 1 plus
    the excess of their events; ``season`` is the seasonality alone (what the rivals'
    contacts follow). Steps an event does not reach get exactly the value they
    would have without it, so two runs that differ by one event share every step before it.

    Examples
    --------
    >>> cal = Calendar(incidents=[Incident("fault", raises="problems", multiplier=2,
    ...                                    start=0.0, duration=0.5 / 52)])
    >>> step_multipliers(cal, 1 / 52, 3).problems.tolist()   # half of the first week
    [1.5, 1.0, 1.0]
    """
    if calendar.is_empty():
        return None
    edges = np.arange(steps + 1) * dt
    a, b = edges[:-1], edges[1:]
    sd = calendar.start_date
    if calendar.seasonality is None:
        season = np.ones(steps)
        bounds, values = np.array([-np.inf, np.inf]), np.ones(1)
    else:
        assert sd is not None  # seasonality needs a start date (checked by Calendar)
        profile = calendar.profile()
        edges_of = _week_edges if PERIODS[len(profile)] == "week" else _month_edges
        bounds, period = edges_of(sd, steps * dt)
        values = np.asarray(profile)[period]
        cum = np.concatenate([[0.0], np.cumsum(values * np.diff(bounds))])
        # edges within _ALIGNED of a boundary are on it: a weekly step from 1 January then
        # lies inside its week (t x 7/365 and 7t / 365 differ in the last bit)
        ka = np.searchsorted(bounds, a + _ALIGNED, "right") - 1
        kb = np.searchsorted(bounds, b - _ALIGNED, "left") - 1
        s_a = cum[ka] + values[ka] * (a - bounds[ka])
        s_b = cum[kb] + values[kb] * (b - bounds[kb])
        # a step inside one month gets that month's value exactly
        season = np.where(ka == kb, values[ka], (s_b - s_a) / dt)
    contacts, problems, marketing = season.copy(), np.ones(steps), np.ones(steps)
    for inc in calendar.incidents:
        if inc.size() == 0:
            continue
        s = inc.start_years(sd)
        if inc.raises == "contacts":
            end = s + inc.duration + inc.ramp_down
            k = np.nonzero((bounds[1:] > s) & (bounds[:-1] < end))[0]
            lo, hi = bounds[k], bounds[k + 1]
            x = np.clip(edges[:, None], lo, hi)
            h = ((_shape_area(x, s, inc.duration, inc.ramp_down)
                  - _shape_area(lo, s, inc.duration, inc.ramp_down)) * values[k]).sum(axis=1)
            contacts = contacts + (inc.multiplier - 1) * np.diff(h) / dt
        else:
            g = _shape_area(edges, s, inc.duration, inc.ramp_down)
            problems = problems + (inc.multiplier - 1) * np.diff(g) / dt
    costs = np.zeros(steps)
    for pulse in calendar.pulses:
        s = pulse.start_years(sd)
        if pulse.size() != 0:
            g = _shape_area(edges, s, pulse.duration, pulse.ramp_down)
            marketing = marketing + (pulse.multiplier - 1) * np.diff(g) / dt
        if pulse.cost:
            costs[min(int(np.searchsorted(edges, s, "right")) - 1, steps - 1)] += pulse.cost
    return Multipliers(contacts, problems, marketing, costs,
                       season if calendar.seasonality is not None else None)


def _years_text(years: float) -> str:
    days = years * YEAR_DAYS
    if days < 1e-9:
        return "0 days"
    weeks = days / 7
    if abs(weeks - round(weeks)) < 1e-6 and days < 120:
        return f"{round(weeks)} week{'s' if round(weeks) != 1 else ''}"
    if days < 60:
        return f"{days:.3g} days"
    if years < 2:
        return f"{years * 12:.3g} months"
    return f"{years:.3g} years"


def calendar_rows(calendar: Calendar) -> list[dict[str, Any]]:
    """Rows of :meth:`womsim.Scenario.assumptions` for the calendar (none if empty)."""
    rows: list[dict[str, Any]] = []

    def row(name: str, value: Any, unit: str, meaning: str, illustrative: bool = False):
        rows.append({"parameter": name, "value": value, "unit": unit, "meaning": meaning,
                     "basis": "illustrative" if illustrative else "client", "figure": "",
                     "status": "illustrative" if illustrative else "client input",
                     "source": ""})

    row("calendar.start_date",
        None if calendar.start_date is None else calendar.start_date.isoformat(), "date",
        "the date the run starts (dates of incidents and months of seasonality); none: "
        "events are given as offsets from the start")
    preset = isinstance(calendar.seasonality, str)
    profile = calendar.profile()
    unit = PERIODS[len(profile)]
    labels = MONTHS if unit == "month" else [f"w{k}" for k in range(1, 53)]
    shown = " ".join(f"{m} {v:g}" for m, v in zip(labels, profile, strict=True))
    row("calendar.seasonality",
        calendar.seasonality if preset or calendar.seasonality is None else shown,
        f"x contacts by {unit}",
        "none: contacts are flat over the year" if calendar.seasonality is None else
        f"contacts per customer by calendar {unit} ({shown}); averages 1"
        + (": a named illustrative shape, not the client's data" if preset else ""),
        illustrative=preset)
    row("calendar.incidents", len(calendar.incidents), "incidents",
        "dated outages and product faults (each below)")
    row("calendar.pulses", len(calendar.pulses), "pulses",
        "marketing pulses (each below)")
    for i, inc in enumerate(calendar.incidents):
        row(f"calendar.incidents[{i}]", inc.multiplier, f"x {inc.raises}",
            f"'{inc.name}': {'contact volume' if inc.raises == 'contacts' else 'problem share'}"
            f" x{inc.multiplier:g} {inc._when()}")
    for i, p in enumerate(calendar.pulses):
        row(f"calendar.pulses[{i}]", p.multiplier, "x marketing rate",
            f"'{p.name}': marketing acquisition x{p.multiplier:g} {p._when()}"
            + (f"; costs {p.cost:,.0f} once" if p.cost else ""))
    return rows

"""The service desk: a SimPy discrete-event model of the channel where experiences are made.

An *issue* is what the market engine calls a customer's service contact: the customer
needs something and contacts the desk. An issue is either handled by self-service
(always satisfied) or offered to the agents as a call (a *contact*); an unresolved first
contact comes back once as a repeat contact. The issue ends

* **problem / abandoned** - a contact hung up before being answered;
* **problem / unresolved** - the repeat contact failed too;
* **problem / waited too long** - resolved, but a contact waited beyond
  ``wait_tolerance_seconds``;
* **delighted** - resolved at first contact, answered within ``service_level_seconds``,
  with probability ``delight_if_quick``;
* **satisfied** - otherwise.

Loads (``contacts_per_year``) always count issues: the engine's customers x contact rate.

The desk is simulated once over a grid of loads (:meth:`ServiceDesk.load_curve`) and the
engine interpolates the experience mix at its current load (:meth:`ServiceDesk.experience_mix`).
That is a quasi-static approximation: the mix at a load is the desk's long-run mix at that
load held constant, which is fine while the load changes slowly relative to the desk's
memory (hours to days) - the engine steps a week at a time.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, PrivateAttr, field_validator, model_validator

from womsim.core.errors import ScenarioError
from womsim.service.mix import CAUSE_COLUMNS, MIX_COLUMNS, MixTable, _load_array, _Model
from womsim.service.simulation import DAYS_PER_YEAR, DeskResult, _Calendar, _simulate

__all__ = ["DeskResult", "ServiceDesk", "cache_info", "clear_cache"]


#: Default load grid, as multiples of :meth:`ServiceDesk.capacity_contacts_per_year`;
#: dense around 1 where the mix bends.
DEFAULT_LOAD_FACTORS = (0.0, 0.1, 0.25, 0.4, 0.55, 0.65, 0.75, 0.82, 0.88, 0.94,
                        1.0, 1.06, 1.13, 1.25, 1.5, 2.0, 3.0)
#: Contacts simulated per grid point when ``days`` is left to choose itself.
CURVE_TARGET_CONTACTS = 12_000
#: Bounds on the automatic number of counted days per grid point.
CURVE_MAX_DAYS = 28
_SECONDS_PER_CONTACT = 13e-6  # measured SimPy cost, for the progress-bar decision
_CACHE_SIZE = 64


class _CurveSlot:
    """Per-instance holder of the desk's mix table.

    Compares equal to any other slot so that a desk with a computed curve still equals a
    fresh desk with the same parameters; travels with the desk when pickled (that is how
    worker processes avoid re-simulating).
    """

    __slots__ = ("table",)

    def __init__(self) -> None:
        self.table: MixTable | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _CurveSlot)

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self):
        return (self.table,)  # a tuple: pickle skips __setstate__ for a falsy state

    def __setstate__(self, state) -> None:
        self.table = state[0]


_CURVES: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_STATS = {"hits": 0, "misses": 0, "simulations": 0}


def cache_info() -> dict[str, int]:
    """Load-curve cache statistics: ``hits``, ``misses``, ``simulations``, ``size``.

    Examples
    --------
    >>> sorted(cache_info())
    ['hits', 'misses', 'simulations', 'size']
    """
    return {**_STATS, "size": len(_CURVES)}


def clear_cache() -> None:
    """Forget every cached load curve and reset the statistics.

    Examples
    --------
    >>> clear_cache(); cache_info()["size"]
    0
    """
    _CURVES.clear()
    for k in _STATS:
        _STATS[k] = 0


# --------------------------------------------------------------------------- the desk
class ServiceDesk(_Model):
    """A staffed service desk, simulated with SimPy; gives the experience mix at a load.

    All fields are plain numbers, strings or lists of numbers, or None for "not set /
    no limit" (never ``inf``), so a desk fits TOML: write None as the string "none"
    (accepted back) or leave out the optional lists.

    Parameters
    ----------
    agents : int
        Agents on the payroll (staffed positions), >= 1. All of them answer during
        opening hours unless ``agents_by_hour`` says otherwise.
    wage_per_agent_year : float
        Yearly cost of one position (currency); ``cost_per_year = agents x wage``.
    open_hours : (float, float)
        Opening and closing clock hour, ``0 <= open < close <= 24``; (0, 24) = round
        the clock.
    open_days : int
        Open days per week, counted from Monday (5 = Monday to Friday).
    agents_by_hour : list of 24 int, optional
        A shift pattern: agents answering in each clock hour of an open day (each
        ``<= agents``). An agent going off duty finishes the current contact first.
    hourly_profile, daily_profile : list of 24 / 7 float, optional
        Relative arrival weights by clock hour and by weekday (Monday first), finite,
        >= 0, not all zero. Defaults: flat over opening hours / open days. Weight that
        falls on closed times is not lost: those contacts wait for the next opening.
    handle_time_minutes : float
        Mean handle time (minutes).
    handle_time_cv : float
        Coefficient of variation of the handle time (lognormal); must be 1 when
        ``handle_time_dist="exponential"`` (the queueing-theory check).
    handle_time_dist : {"lognormal", "exponential"}
    patience_minutes : float or None
        Mean patience (exponential) of a waiting caller, minutes; None = nobody hangs
        up (``inf`` is accepted and stored as None, which TOML can hold).
    wait_tolerance_seconds : float or None
        A contact answered after waiting longer than this is a problem "waited too
        long" (even if resolved); None (or ``inf``) switches this cause off.
    service_level_seconds : float
        Target answer time of the service level (the "20" of 80/20).
    first_contact_resolution : float
        Probability that an answered contact resolves the issue. An unresolved first
        contact comes back once; if the repeat fails too the issue is "unresolved".
    repeat_contact_delay_hours : float
        Mean delay (exponential) before the repeat, counted in *opening hours*
        (weighted by the arrival profile), so repeats arrive when contacts arrive:
        12 on a 12-hour desk = about one working day later.
    self_service_share : float
        Share of issues solved without an agent (e.g. online); all satisfied.
    delight_if_quick : float
        Probability that an issue resolved at first contact and answered within
        ``service_level_seconds`` delights.

    Notes
    -----
    Time of week: day 0 is Monday, hours are clock hours. Contacts arriving while the
    desk is closed are offered at the next opening and their wait counts from there;
    contacts still queued at closing are answered (agents clear the queue). A
    hung-up caller does not call again on the same issue (it is a problem
    "abandoned"); callbacks are not modelled. The defaults are illustrative, not
    research figures.

    Examples
    --------
    >>> desk = ServiceDesk(agents=8, handle_time_minutes=6, patience_minutes=4)
    >>> round(desk.capacity_contacts_per_year())
    200229
    >>> r = desk.simulate(100_000, days=7, seed=1)
    >>> 0 < r.problem < 1 and 0 < r.service_level <= 1
    True
    >>> desk.cost_per_year()
    360000.0
    """

    kind: Literal["desk"] = "desk"
    agents: int = Field(10, ge=1, le=100_000,
                        description="agents on the payroll (staffed positions)")
    wage_per_agent_year: float = Field(45_000.0, ge=0.0, allow_inf_nan=False,
                                       description="cost of one position per year (currency)")
    open_hours: tuple[float, float] = Field((8.0, 20.0),
                                            description="opening and closing clock hour")
    open_days: int = Field(5, ge=1, le=7, description="open days per week, from Monday")
    agents_by_hour: list[int] | None = Field(
        None, description="24 values: agents on the phones in each clock hour (<= agents); "
                          "None = all agents during opening hours")
    hourly_profile: list[float] | None = Field(
        None, description="24 relative arrival weights by clock hour; None = flat over "
                          "opening hours")
    daily_profile: list[float] | None = Field(
        None, description="7 relative arrival weights Monday..Sunday; None = flat over "
                          "open days")
    handle_time_minutes: float = Field(6.0, gt=0.0, le=600.0, allow_inf_nan=False,
                                       description="mean handle time (minutes)")
    handle_time_cv: float = Field(1.0, gt=0.0, le=10.0, allow_inf_nan=False,
                                  description="coefficient of variation of handle time")
    handle_time_dist: Literal["lognormal", "exponential"] = "lognormal"
    patience_minutes: float | None = Field(
        4.0, gt=0.0, description="mean patience (exponential, minutes); None = nobody "
                                 "abandons")
    wait_tolerance_seconds: float | None = Field(
        180.0, ge=0.0, description="answered after a longer wait -> problem 'waited too "
                                   "long'; None = no limit")
    service_level_seconds: float = Field(20.0, ge=0.0, allow_inf_nan=False,
                                         description="service-level target time (seconds)")
    first_contact_resolution: float = Field(0.75, ge=0.0, le=1.0, allow_inf_nan=False,
                                            description="P(an answered contact resolves)")
    repeat_contact_delay_hours: float = Field(
        12.0, gt=0.0, le=168.0, allow_inf_nan=False,
        description="mean delay (exponential, in opening hours) before an unresolved "
                    "customer contacts the desk again")
    self_service_share: float = Field(0.0, ge=0.0, le=1.0, allow_inf_nan=False,
                                      description="share of issues solved without an agent")
    delight_if_quick: float = Field(
        0.2, ge=0.0, le=1.0, allow_inf_nan=False,
        description="P(delighted | resolved at first contact within service_level_seconds)")

    _slot: _CurveSlot = PrivateAttr(default_factory=_CurveSlot)

    # ---------------------------------------------------------------- validation
    @field_validator("patience_minutes", "wait_tolerance_seconds", "agents_by_hour",
                     "hourly_profile", "daily_profile", mode="before")
    @classmethod
    def _none_string(cls, v: Any) -> Any:
        # TOML has no null: the scenario writer spells None "none".
        return None if isinstance(v, str) and v.strip().lower() == "none" else v

    @field_validator("patience_minutes", "wait_tolerance_seconds")
    @classmethod
    def _inf_is_none(cls, v: float | None) -> float | None:
        if v is not None and math.isnan(v):
            raise ScenarioError("must be a number or None (no limit), not NaN")
        # One spelling of "no limit", and one that TOML and JSON can hold.
        return None if v is not None and math.isinf(v) else v

    @field_validator("open_hours")
    @classmethod
    def _hours(cls, v: tuple[float, float]) -> tuple[float, float]:
        a, b = v
        if not (math.isfinite(a) and math.isfinite(b) and 0.0 <= a < b <= 24.0):
            raise ScenarioError("must be (opening, closing) clock hours with "
                                "0 <= opening < closing <= 24")
        return (float(a), float(b))

    @field_validator("hourly_profile", "daily_profile")
    @classmethod
    def _profile(cls, v: list[float] | None, info) -> list[float] | None:
        if v is None:
            return v
        n = 24 if info.field_name == "hourly_profile" else 7
        if len(v) != n:
            raise ScenarioError(f"must have {n} weights, got {len(v)}")
        if not all(math.isfinite(x) and x >= 0 for x in v):
            raise ScenarioError("weights must be finite and >= 0")
        if sum(v) <= 0:
            raise ScenarioError("weights must not all be zero")
        return [float(x) for x in v]

    @model_validator(mode="after")
    def _cross(self) -> ServiceDesk:
        if self.handle_time_dist == "exponential" and self.handle_time_cv != 1.0:
            raise ScenarioError(
                f"handle_time_cv = {self.handle_time_cv!r} with handle_time_dist = "
                "'exponential': an exponential has cv 1; set handle_time_cv = 1 or use "
                "'lognormal'")
        if self.agents_by_hour is not None:
            abh = self.agents_by_hour
            if len(abh) != 24 or any(a < 0 or a > self.agents for a in abh):
                raise ScenarioError(
                    f"agents_by_hour = {abh!r}: must be 24 integers between 0 and "
                    f"agents = {self.agents}")
            a, b = self.open_hours
            if not any(abh[h] > 0 for h in range(24) if h + 1 > a and h < b):
                raise ScenarioError(f"agents_by_hour = {abh!r}: nobody is on duty in any "
                                    f"opening hour {self.open_hours!r}")
        return self

    # Copies must not share the curve slot: model_copy(update=...) changes parameters
    # without validation, and the old curve would silently be reused.
    def __copy__(self):
        new = super().__copy__()
        new.__pydantic_private__["_slot"] = _CurveSlot()  # type: ignore[index]
        return new

    def __deepcopy__(self, memo: dict[int, Any] | None = None):
        new = super().__deepcopy__(memo)
        new.__pydantic_private__["_slot"] = _CurveSlot()  # type: ignore[index]
        return new

    # ---------------------------------------------------------------- figures
    def contacts_per_issue(self) -> float:
        """Expected agent contacts per issue with everybody answered: (1-s)(2-FCR).

        Examples
        --------
        >>> ServiceDesk(first_contact_resolution=0.8, self_service_share=0.5).contacts_per_issue()
        0.6
        """
        return (1.0 - self.self_service_share) * (2.0 - self.first_contact_resolution)

    def capacity_contacts_per_year(self, per: Literal["issue", "contact"] = "issue") -> float:
        """Nominal capacity: staffed agent time in opening hours / mean handle time.

        ``per="contact"`` gives agent contacts (calls) per year; ``per="issue"`` (default,
        the unit of the engine's load) divides by :meth:`contacts_per_issue`, i.e.
        allows for repeats and self-service. A desk at this load is 100% busy.

        Examples
        --------
        >>> ServiceDesk(agents=1, open_hours=(0, 24), open_days=7,
        ...             handle_time_minutes=60, first_contact_resolution=1
        ...             ).capacity_contacts_per_year()
        8760.0
        """
        cal = _Calendar(self)
        calls = cal.staffed_minutes_per_week / self.handle_time_minutes * DAYS_PER_YEAR / 7.0
        if per == "contact":
            return calls
        if per != "issue":
            raise ScenarioError(f"per = {per!r}: must be 'issue' or 'contact'")
        cpi = self.contacts_per_issue()
        return math.inf if cpi == 0 else calls / cpi

    def cost_per_year(self) -> float:
        """Agents x wage per agent-year.

        Examples
        --------
        >>> ServiceDesk(agents=4, wage_per_agent_year=50_000).cost_per_year()
        200000.0
        """
        return float(self.agents * self.wage_per_agent_year)

    def _auto_days(self, contacts_per_year: float) -> int:
        # The counted window starts on a Monday (see _simulate). Under a flat daily
        # profile open days are exchangeable, so the window covers just enough of them
        # (a big desk needs few); under a daily profile only whole weeks are fair.
        per_week = contacts_per_year * 7.0 / DAYS_PER_YEAR * self.contacts_per_issue()
        if per_week <= 0:
            return CURVE_MAX_DAYS
        open_days = math.ceil(CURVE_TARGET_CONTACTS / per_week * self.open_days)
        if self.daily_profile is not None:
            days = 7 * math.ceil(open_days / self.open_days)
        else:
            weeks, rest = divmod(open_days, self.open_days)
            days = 7 * weeks + rest
        return int(min(CURVE_MAX_DAYS, max(1, days)))

    def _auto_warmup(self) -> float:
        # Repeats need no warm-up (see simulation._simulate) and a desk that closes at
        # night starts every day empty; only a round-the-clock desk carries its queue.
        return 1.0 if self.open_hours == (0.0, 24.0) else 0.0

    def _empty_result(self, load: float, days: float, warmup: float, seed: int) -> DeskResult:
        # Nobody waits: the exact limit of the desk as the load goes to zero.
        s, f, q = self.self_service_share, self.first_contact_resolution, self.delight_if_quick
        delighted = (1 - s) * f * q
        unresolved = (1 - s) * (1 - f) ** 2
        cap = self.capacity_contacts_per_year()
        return DeskResult(
            contacts_per_year=float(load), load_factor=load / cap if cap > 0 else 0.0,
            days=float(days), warmup_days=float(warmup), seed=int(seed), issues=0,
            self_served=0, contacts_offered=0, contacts_handled=0, contacts_abandoned=0,
            repeat_contacts=0, delighted=delighted,
            satisfied=1.0 - delighted - unresolved, problem=unresolved,
            problem_abandoned=0.0, problem_waited=0.0, problem_unresolved=unresolved,
            service_level=1.0, p_wait=0.0, asa_seconds=0.0, mean_wait_seconds=0.0,
            abandonment_rate=0.0, utilisation=0.0, agents=self.agents,
            cost_per_year=self.cost_per_year())

    # ---------------------------------------------------------------- simulation
    def simulate(self, contacts_per_year: float, days: float | None = 28, seed: int = 0,
                 warmup_days: float | None = None) -> DeskResult:
        """Simulate the desk at a constant load and return its outputs.

        Parameters
        ----------
        contacts_per_year : float
            Issues per year arriving at the desk (customers x contact rate).
        days : float or None
            Counted days after the warm-up; None picks enough for about
            ``CURVE_TARGET_CONTACTS`` contacts (whole weeks under a daily profile,
            at most ``CURVE_MAX_DAYS``).
        seed : int
            Seed of ``numpy.random.default_rng``; the same seed gives identical results.
        warmup_days : float or None
            Days simulated before the counted window (which starts on a Monday);
            None = 0 for a desk that closes every day (it starts each day empty) and 1
            for a round-the-clock desk. Repeats need no warm-up (see Notes).

        Returns
        -------
        DeskResult

        Notes
        -----
        Issues arriving in the window are counted and followed to their end. Repeats
        of issues from before the window arrive as a Poisson stream with the steady
        repeat intensity (the measured answered share x (1 - FCR) x the arrival
        profile), fading as the window's own repeats take over; a counted issue whose
        repeat falls after the window gets the experience of a random repeat contact
        simulated in the window. Both assume that a repeat's experience depends on its
        first contact only through the load - sound, as the repeat delay (about a day)
        far exceeds a queue's memory (minutes) - and they spare the warm-up and
        cool-down days that would otherwise dominate the cost for a large desk.

        Examples
        --------
        >>> desk = ServiceDesk(agents=5)
        >>> a = desk.simulate(60_000, days=7, seed=3)
        >>> a == desk.simulate(60_000, days=7, seed=3)
        True
        """
        load = float(_load_array(contacts_per_year))
        if days is None:
            days = self._auto_days(load)
        if warmup_days is None:
            warmup_days = self._auto_warmup()
        for name, v, positive in (("days", days, True), ("warmup_days", warmup_days, False)):
            try:
                ok = math.isfinite(float(v)) and (float(v) > 0 if positive else float(v) >= 0)
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise ScenarioError(f"{name} = {v!r}: must be a finite number "
                                    f"{'> 0' if positive else '>= 0'}")
        if load == 0.0:
            return self._empty_result(0.0, days, warmup_days, seed)
        _STATS["simulations"] += 1
        return _simulate(self, load, float(days), int(seed), float(warmup_days))

    # ---------------------------------------------------------------- load curve
    def default_loads(self) -> np.ndarray:
        """The default grid: ``DEFAULT_LOAD_FACTORS`` x nominal capacity (issues / year).

        Examples
        --------
        >>> ServiceDesk().default_loads().size
        17
        """
        cap = self.capacity_contacts_per_year()
        if not math.isfinite(cap):  # all self-service: the load does not matter
            cap = 1.0
        return np.array(DEFAULT_LOAD_FACTORS) * cap

    def load_curve(self, loads: Any = None, days: float | None = None, seed: int = 0,
                   warmup_days: float | None = None, progress: bool | None = None
                   ) -> pd.DataFrame:
        """Simulate the desk over a grid of loads; cached per (desk, grid, days, seed).

        Parameters
        ----------
        loads : array_like or None
            Issues per year; None = :meth:`default_loads`. Sorted, duplicates dropped.
        days, seed, warmup_days
            As in :meth:`simulate` (None = automatic per load). The same seed is used at
            every load: common random numbers make the curve smooth.
        progress : bool or None
            Show a progress bar; None = only when it should take over ~2 seconds.

        Returns
        -------
        pandas.DataFrame
            One row per load (index ``contacts_per_year``), one column per
            :class:`DeskResult` field. A second call with the same arguments returns the
            very same object (do not modify it).

        Examples
        --------
        >>> curve = ServiceDesk(agents=2).load_curve(loads=[0, 5_000, 20_000], days=7)
        >>> list(curve.index)
        [0.0, 5000.0, 20000.0]
        >>> curve is ServiceDesk(agents=2).load_curve(loads=[0, 5_000, 20_000], days=7)
        True
        """
        grid = self.default_loads() if loads is None else np.unique(_load_array(loads))
        if grid.ndim != 1 or grid.size == 0:
            raise ScenarioError(f"loads = {loads!r}: must be a non-empty list of loads")
        key = (self.model_dump_json(), tuple(grid.tolist()), days, int(seed), warmup_days)
        hit = _CURVES.get(key)
        if hit is not None:
            _STATS["hits"] += 1
            _CURVES.move_to_end(key)
            return hit
        _STATS["misses"] += 1
        if progress is None:
            est = sum(g / DAYS_PER_YEAR * self.contacts_per_issue()
                      * (days if days is not None else self._auto_days(g))
                      for g in grid) * _SECONDS_PER_CONTACT
            progress = est > 2.0
        it: Any = grid
        if progress:
            from tqdm.auto import tqdm

            it = tqdm(grid, desc="service desk load curve", unit="load")
        t0 = time.perf_counter()
        rows = [self.simulate(g, days=days, seed=seed, warmup_days=warmup_days).to_series()
                for g in it]
        curve = pd.DataFrame(rows).set_index("contacts_per_year")
        curve.attrs["seconds"] = time.perf_counter() - t0
        _CURVES[key] = curve
        if len(_CURVES) > _CACHE_SIZE:
            _CURVES.popitem(last=False)
        return curve

    def mix_table(self) -> MixTable:
        """The default load curve as a :class:`MixTable`; computed once, then kept.

        The table rides along when the desk is pickled, so worker processes of an
        ensemble reuse it. Call this (or :meth:`prepare`) before sending the desk out.

        Examples
        --------
        >>> t = ServiceDesk(agents=2).mix_table()
        >>> t.mix.shape
        (17, 3)
        """
        slot = self._slot
        if slot.table is None:
            curve = self.load_curve()
            slot.table = MixTable.from_arrays(
                curve.index.to_numpy(), curve[list(MIX_COLUMNS)].to_numpy(),
                curve[list(CAUSE_COLUMNS)].to_numpy())
        return slot.table

    def prepare(self) -> ServiceDesk:
        """Compute the mix table now (not at the engine's first step); returns self.

        Examples
        --------
        >>> desk = ServiceDesk(agents=2).prepare()  # then pickle it to worker processes
        >>> desk.mix_table().loads.size
        17
        """
        self.mix_table()
        return self

    def experience_mix(self, contacts_per_year: float | np.ndarray) -> np.ndarray:
        """(delighted, satisfied, problem) at the load(s), interpolated from the load curve.

        Linear per column between grid points, clipped to the grid's ends (loads above
        3x capacity get the 3x mix), renormalised to sum to 1. A few microseconds once
        the curve exists; the first call simulates it (a few seconds).

        Examples
        --------
        >>> desk = ServiceDesk(agents=2)
        >>> light, heavy = desk.experience_mix([1_000.0, 60_000.0])
        >>> bool(heavy[2] > light[2])
        True
        """
        # skips pydantic's __getattr__ (set in __init__, so never None here)
        table = self.__pydantic_private__["_slot"].table  # type: ignore[index]
        return (table or self.mix_table()).experience_mix(contacts_per_year)

    def problem_causes(self, contacts_per_year: float | np.ndarray) -> np.ndarray:
        """(abandoned, waited too long, unresolved) as shares of issues, like the mix.

        The three sum to the problem share of :meth:`experience_mix` (up to
        interpolation rounding).

        Examples
        --------
        >>> ServiceDesk(agents=2).problem_causes(0.0).round(4).tolist()
        [0.0, 0.0, 0.0625]
        """
        table = self.__pydantic_private__["_slot"].table  # type: ignore[index]
        return (table or self.mix_table()).problem_causes(contacts_per_year)

"""A scenario: everything one what-if needs, validated, with the sources behind each number."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from womsim.core.errors import (
    ScenarioError,
    UnknownKeyError,
    close_matches,
    unknown_key,
)
from womsim.model.assumptions import assumptions_table
from womsim.model.calendar import Calendar
from womsim.model.interventions import NESTED, Intervention
from womsim.model.market import (
    Rival,
    Segment,
    apply_in_order,
    check_market_parts,
    named,
    named_parameters,
    pin_segments,
    segment_observables,
    unknown_named,
    unpin_segments,
    unread_market_value,
)
from womsim.model.meanfield import SOLVERS, annual_churn, observables, solve_baseline_churn
from womsim.model.params import Complaints, Economics, Market, Service, Simulation, WordOfMouth
from womsim.model.parts import PARTS
from womsim.model.presets import PRESETS, presets_table
from womsim.model.reviews import Reviews
from womsim.model.scenario_io import read_toml, write_toml
from womsim.model.solved import (
    Solved,
    check_hidden_rates,
    hidden_rates_table,
    pick,
    put,
    state_text,
    upgrade_unrecorded,
)
from womsim.service import ServiceDesk
from womsim.views.display import scenario_html

__all__ = ["Scenario", "Solved"]

# fields that say what a scenario is, not what it assumes: set by today() and what_if()
_STATE_FIELDS = ("state", "solved")


def _range_text(model: type[BaseModel], name: str) -> str:
    field = model.model_fields.get(name)
    if field is None:
        return ""
    lo = hi = None
    lo_op = hi_op = ""
    for m in field.metadata:
        for attr, op in (("ge", ">="), ("gt", ">")):
            if getattr(m, attr, None) is not None:
                lo, lo_op = getattr(m, attr), op
        for attr, op in (("le", "<="), ("lt", "<")):
            if getattr(m, attr, None) is not None:
                hi, hi_op = getattr(m, attr), op
    if lo is None and hi is None:
        return ""
    parts = [f"{lo_op} {lo:g}" if lo is not None else "", f"{hi_op} {hi:g}" if hi is not None
             else ""]
    return " (allowed: " + " and ".join(p for p in parts if p) + ")"


def _model_at(loc: tuple) -> tuple[type[BaseModel] | None, str]:
    """The pydantic model class and field name a validation-error location points at."""
    model: type[BaseModel] | None = Scenario
    name = ""
    for part in loc:
        if not isinstance(part, str) or model is None:
            return None, name
        name = part
        field = model.model_fields.get(part)
        ann = getattr(field, "annotation", None) if field else None
        nxt = None
        for cand in (ann, *getattr(ann, "__args__", ())):
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                nxt = cand
        if nxt is None:
            return model, name
        model = nxt
    return model, name


def _unknown_change(iv: Intervention, key: str, known: Iterable[str]) -> UnknownKeyError:
    err = unknown_key("parameter", key, known)
    return UnknownKeyError(f"intervention '{iv.name}' changes an {err}")


def _part_hint(name: str) -> str:
    """``" Did you mean 'market.people'?"`` for a parameter written without its part."""
    owners = [f"{part}.{name}" for part in PARTS
              if name in getattr(Scenario.model_fields[part].annotation, "model_fields", {})]
    if not owners:
        return ""
    return " Did you mean " + " or ".join(f"'{o}'" for o in owners) + "? (set it in its part)"


def scenario_error(err: ValidationError, prefix: str = "") -> ScenarioError:
    """Turn a pydantic error into one that names each field, its value and the allowed range."""
    lines = []
    for e in err.errors():
        loc = tuple(e["loc"])
        dotted = ".".join(str(p) for p in loc if not str(p).startswith("function-"))
        dotted = prefix + dotted
        value = e.get("input")
        if e["type"] == "extra_forbidden":
            model, name = _model_at(loc[:-1]) if len(loc) > 1 else (Scenario, "")
            known = list(model.model_fields) if model else []
            hint = close_matches(str(loc[-1]), known)
            if not hint and len(loc) == 1:  # a parameter set outside its part: "people"
                hint = _part_hint(str(loc[-1]))
            lines.append(f"unknown parameter '{dotted}'.{hint}")
            continue
        model, name = _model_at(loc)
        rng = _range_text(model, name) if model is not None else ""
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] in ("value_error", "assertion_error") or not dotted:
            lines.append(msg if not dotted or dotted in msg else f"{dotted}: {msg}")
        else:
            lines.append(f"{dotted} = {value!r}: {msg}{rng}")
    out = ScenarioError("; ".join(lines))
    out.problems = lines  # one entry per culprit, for callers that add file lines
    return out


class Scenario(BaseModel):
    """A what-if: market, service, complaints, word of mouth, economics, simulation settings,
    an optional service desk and a list of interventions.

    Build one from a preset, change it with :meth:`replace` (validated), read it with
    :meth:`assumptions`.

    Examples
    --------
    >>> sc = Scenario.preset("telecom")
    >>> sc2 = sc.replace(**{"service.problem_rate": 0.05})
    >>> sc2.service.problem_rate
    0.05
    >>> Scenario().replace(**{"service.problem_rate": 1.3})
    Traceback (most recent call last):
    ...
    womsim.core.errors.ScenarioError: service.problem_rate = 1.3: Input should be less than or \
equal to 1 (allowed: >= 0 and <= 1)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str = "custom"
    description: str = ""
    market: Market = Field(default_factory=Market)
    service: Service = Field(default_factory=Service)
    complaints: Complaints = Field(default_factory=Complaints)
    word_of_mouth: WordOfMouth = Field(default_factory=WordOfMouth)
    reviews: Reviews = Field(default_factory=Reviews)
    economics: Economics = Field(default_factory=Economics)
    simulation: Simulation = Field(default_factory=Simulation)
    desk: ServiceDesk | None = None
    segments: tuple[Segment, ...] = ()
    rivals: tuple[Rival, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    calendar: Calendar = Field(default_factory=Calendar)
    state: Literal["today", "what-if"] = "today"
    solved: tuple[Solved, ...] = ()

    def __init__(self, **data: Any) -> None:
        token = NESTED.set(True)
        try:
            super().__init__(**_none_strings(data))
        except ValidationError as err:
            raise scenario_error(err) from None
        finally:
            NESTED.reset(token)

    @model_validator(mode="after")
    def _one_contact_per_step(self) -> Scenario:
        per_step = self.service.contact_rate * self.simulation.dt
        if per_step > 1 + 1e-12:
            longest = 365.0 / self.service.contact_rate
            raise ValueError(
                f"service.contact_rate = {self.service.contact_rate:g} per year with "
                f"simulation.step_days = {self.simulation.step_days:g} means "
                f"{per_step:.2f} contacts per customer per step, but the engine draws at "
                f"most one per step: use simulation.step_days <= {longest:.3g}")
        return self

    @model_validator(mode="after")
    def _interventions_fit(self) -> Scenario:
        """Every intervention names known parameters, acts within the horizon, and keeps
        every parameter in range at every step, alone and together (checked here, when
        attached, rather than mid-run)."""
        if not self.interventions:
            return self
        known = set(self.parameter_names())
        sim = self.simulation
        times = [t * sim.dt for t in range(sim.steps)]
        for iv in self.interventions:
            for key in iv.changes:
                missing = unknown_named(self, key)
                if missing:
                    raise ScenarioError(f"intervention '{iv.name}' changes {missing}")
                if key not in known:
                    raise _unknown_change(iv, key, known)
                if self.desk is not None and key.endswith((".problem_rate", ".delight_rate")) \
                        and not key.startswith("rivals."):
                    raise ScenarioError(
                        f"intervention '{iv.name}' changes '{key}', but this scenario's "
                        "service desk sets the experience mix from the load, so it would do "
                        "nothing: change desk parameters (e.g. desk.agents, "
                        "desk.first_contact_resolution) instead")
            if not any(iv.active(t) for t in times):
                raise ScenarioError(
                    f"intervention '{iv.name}' starts at {iv.start:g} years"
                    + (f" and ends at {iv.end:g}" if iv.end is not None else "")
                    + f", so it is in force at no step of the {sim.horizon_years:g}-year "
                    f"horizon (steps of {sim.step_days:g} days): it would never act; start it "
                    "earlier or lengthen simulation.horizon_years")
        # the engine evaluates the scenario at each step and at the horizon: check there
        seen = set()
        for t in [*times, sim.steps * sim.dt]:
            strengths = tuple(iv.strength(t) for iv in self.interventions)
            if strengths not in seen:
                seen.add(strengths)
                self.at(t)
        return self

    @model_validator(mode="after")
    def _market_parts(self) -> Scenario:
        """Segments and rivals that describe one market (womsim.model.market)."""
        check_market_parts(self)
        return self

    @field_validator("segments", "rivals", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return (v,) if isinstance(v, (Segment, Rival, dict)) else v

    @model_validator(mode="after")
    def _calendar_fits(self) -> Scenario:
        """Every dated event acts within the horizon, at peaks the engine can draw."""
        if not self.calendar.is_empty():
            sim = self.simulation
            self.calendar.check(sim.horizon_years, sim.dt, sim.steps,
                                self.service.contact_rate,
                                self.service.problem_rate if self.desk is None else None,
                                tuple((r.name, r.contact_rate) for r in self.rivals))
        return self

    @model_validator(mode="after")
    def _hidden_rates_consistent(self) -> Scenario:
        """No stale calibration (see :func:`womsim.model.solved.check_hidden_rates`)."""
        check_hidden_rates(self)
        return self

    @field_validator("interventions", mode="before")
    @classmethod
    def _ivs(cls, v: Any) -> Any:
        if isinstance(v, (Intervention, dict)):
            return (v,)
        return v

    # ----------------------------------------------------------------- access
    def get(self, dotted: str) -> Any:
        """The value of a dotted parameter, e.g. ``"service.problem_rate"``.

        Examples
        --------
        >>> Scenario().get("word_of_mouth.negative_mean")
        9.0
        """
        obj: Any = self
        keys = dotted.split(".")
        if len(keys) == 3 and keys[0] in ("segments", "rivals"):
            # a segment's or rival's own value, by its name: "segments.business.resolved"
            x = named(self, keys[0], keys[1])
            if x is not None and keys[2] in type(x).model_fields:
                return getattr(x, keys[2])
            raise unknown_key("parameter", dotted, self.parameter_names(keys[0]))
        for i, part in enumerate(keys):
            if not isinstance(obj, BaseModel) or part not in type(obj).model_fields:
                prefix = ".".join(dotted.split(".")[:i])
                names = self.parameter_names(prefix)
                if not close_matches(dotted, names):  # e.g. "servic": suggest the part
                    names = names + [p for p in PARTS if p not in names]
                raise unknown_key("parameter", dotted, names)
            obj = getattr(obj, part)
        return obj

    def parameter_names(self, prefix: str = "") -> list[str]:
        """Every dotted parameter name (optionally only those under ``prefix``).

        Examples
        --------
        >>> "complaints.resolved" in Scenario().parameter_names()
        True
        """
        names = [n for n, _ in _walk(self) if n not in _STATE_FIELDS]
        if prefix:
            names = [n for n in names if n.startswith(prefix + ".")] or names
        return names

    def replace(self, **changes: Any) -> Scenario:
        """A validated copy with dotted parameters changed: a what-if, unless the changes
        say what today is.

        A scenario either describes **today** (``state == "today"``: its hidden rates, such
        as the baseline churn, are solved from what the client observes, under its own
        service) or is a **what-if** (``state == "what-if"``: an alternative to today that
        keeps today's solved hidden rates, so that a better service shows up as less churn
        instead of being calibrated away).

        ``replace`` is :meth:`what_if`, except when the changes name an observable
        (``market.observed_annual_churn``): an observable says what today is, so the copy
        is :meth:`today` (every change in the call describes today and the hidden rates are
        solved again under the copy's service). Say which you mean with :meth:`today` and
        :meth:`what_if` when it matters, e.g. to give today a service desk
        (``sc.today(desk=ServiceDesk(...))``; ``replace(desk=...)`` is a what-if).

        Parameters
        ----------
        **changes
            ``{"service.problem_rate": 0.05, "desk.agents": 12}``; a whole part may be given
            as a dict or model (``market={...}``), and ``desk=ServiceDesk(...)``.

        Raises
        ------
        womsim.core.errors.UnknownKeyError
            An unknown name, with close matches.
        womsim.core.errors.ScenarioError
            A value out of range, naming field, value and the allowed range.

        Examples
        --------
        >>> sc = Scenario.preset("telecom")
        >>> better = sc.replace(**{"complaints.resolved": 0.8})
        >>> better.complaints.resolved, better.state
        (0.8, 'what-if')
        >>> client = better.replace(**{"market.observed_annual_churn": 0.3})
        >>> client.state, round(client.simulated_annual_churn(), 6)
        ('today', 0.3)
        """
        data = self._with(changes)
        if any(o in changes or pick(data, o) != self.get(o) for o in observables()) \
                or any(o in changes for o in segment_observables(self)):
            return self.today(**changes)
        return self.what_if(**changes)

    def today(self, **changes: Any) -> Scenario:
        """A copy that describes today: hidden rates re-solved from its observables.

        Use it for what the client tells you about today ("our churn is 22%", "we have a
        desk of 12 agents"). The baseline churn (and any other hidden rate a solver knows)
        is solved so that, under this scenario's own service, the simulated annual churn is
        ``market.observed_annual_churn``. On a what-if, the rates it kept from today are
        dropped and solved again under its own service: it becomes a description of today.

        Examples
        --------
        >>> sc = Scenario.preset("telecom")
        >>> client = sc.today(**{"market.observed_annual_churn": 0.22,
        ...                      "service.problem_rate": 0.12})
        >>> client.state, round(client.simulated_annual_churn(), 6)
        ('today', 0.22)
        """
        data = self._with(changes)
        data["state"] = "today"
        kept = []
        for rec in data["solved"]:
            solver = SOLVERS.get(rec["method"])
            if solver is not None and solver.live:
                if rec["parameter"] not in changes:
                    put(data, rec["parameter"], None)  # solved again, live
                continue
            kept.append(rec)
        data["solved"] = kept
        unpin_segments(self, data, changes)
        return Scenario(**data)

    def what_if(self, **changes: Any) -> Scenario:
        """A copy that is an alternative to today: today's solved hidden rates are kept.

        The baseline churn solved for this scenario (today) is fixed in the copy and
        recorded in :attr:`solved` (with the observed churn it came from), so that a better
        service shows up as lower churn instead of being calibrated away. On a what-if it
        keeps what that one kept. Changing an observable here is refused: it would not act;
        describe today with :meth:`today` and make the what-if from that. To move churn in a
        what-if, change ``market.extra_churn``.

        Raises
        ------
        womsim.core.errors.ScenarioError
            An observable changed; also whatever :meth:`today` raises.
        womsim.core.errors.CalibrationError
            Today cannot be calibrated (its service alone causes more churn than observed).

        Examples
        --------
        >>> sc = Scenario.preset("telecom")
        >>> better = sc.what_if(**{"service.problem_rate": 0.05})
        >>> better.state, better.market.baseline_churn == sc.baseline_churn()
        ('what-if', True)
        >>> bool(better.simulated_annual_churn() < 0.25)
        True
        """
        data = self._with(changes)
        for name in sorted(observables()):
            new = pick(data, name)
            if new != self.get(name):
                raise ScenarioError(
                    f"{name} = {new!r}: an observable describes today, and this what-if "
                    f"keeps today's hidden rates ({self._kept_text()}), so changing it here "
                    f"would do nothing. Describe today with .today(**{{'{name}': {new!r}}}) "
                    "(re-solves them) and make the what-if from that with .what_if(...)")
        for name, old in segment_observables(self).items():
            if name in changes and changes[name] != old:
                raise ScenarioError(
                    f"{name} = {changes[name]!r}: an observable describes today, and this "
                    "what-if keeps today's hidden rates, so changing it here would do "
                    f"nothing. Describe today with .today(**{{'{name}': {changes[name]!r}}})")
        if self.state == "today":
            pin_segments(self, data)
        records = list(data["solved"])
        if self.state == "today":
            for method, solver in SOLVERS.items():
                if not solver.live or solver.parameter in changes or not solver.applies(self):
                    continue
                value = float(solver.solve(self))
                put(data, solver.parameter, value)
                records.append({"parameter": solver.parameter, "value": value,
                                "observables": {o: self.get(o) for o in solver.observables},
                                "method": method, "under": self.name})
        data["state"] = "what-if"
        data["solved"] = records
        return Scenario(**data)

    def _with(self, changes: dict[str, Any], market_wide: bool = True) -> dict[str, Any]:
        """This scenario as a dict with dotted changes applied (names checked, not values);
        records of parameters set explicitly are dropped (the user gives them now)."""
        data = self.model_dump()
        known = set(self.parameter_names())
        for dotted, value in changes.items():
            keys = dotted.split(".")
            if keys[0] in _STATE_FIELDS:
                raise ScenarioError(f"'{dotted}' says what the scenario is; use .today(...) "
                                    "to describe today or .what_if(...) for an alternative")
            if dotted not in known and keys[0] not in type(self).model_fields:
                raise unknown_key("parameter", dotted, known)
            if len(keys) > 1 and keys[0] == "desk" and data.get("desk") is None:
                raise ScenarioError(f"'{dotted}': this scenario has no service desk; set "
                                    "desk=ServiceDesk(...) first")
            node: dict[str, Any] = data
            if len(keys) == 3 and keys[0] in ("segments", "rivals"):
                # a segment's or rival's own value, found by name
                named = next((d for d in data[keys[0]] if d.get("name") == keys[1]), None)
                if named is None or keys[2] not in named or keys[2] == "name":
                    raise unknown_key("parameter", dotted, known)
                named[keys[2]] = value
                continue
            for k in keys[:-1]:
                if not isinstance(node.get(k), dict):
                    raise unknown_key("parameter", dotted, known)
                node = node[k]
            if len(keys) > 1 and keys[-1] not in node:
                raise unknown_key("parameter", dotted, known)
            if isinstance(value, BaseModel):
                value = value.model_dump()
            elif dotted in ("segments", "rivals") and isinstance(value, (list, tuple)):
                # Segment(...) / Rival(...) objects as dicts, as the rest of the dump is
                # (the segments' churn pinning reads them by name)
                value = [v.model_dump() if isinstance(v, BaseModel) else v for v in value]
            node[keys[-1]] = value
        data["solved"] = [r for r in data["solved"] if r["parameter"] not in changes]
        unread = unread_market_value(data.get("segments") or [], changes) if market_wide \
            else None
        if unread:
            raise ScenarioError(unread)
        if data.get("desk") is not None:
            for key in ("service.problem_rate", "service.delight_rate"):
                if key in changes and changes[key] != self.get(key):
                    raise ScenarioError(
                        f"{key} = {changes[key]!r}: this scenario has a service desk, which "
                        "sets the experience mix from the load, so the fixed mix would do "
                        "nothing; change desk parameters (e.g. desk.agents) or remove the "
                        "desk (desk=None)")
        return data

    def _kept_text(self) -> str:
        if not self.solved:
            return "none solved"
        return "; ".join(f"{r.parameter} = {r.value:.6g} solved from {r.source()}"
                         for r in self.solved)

    def pinned(self) -> Scenario:
        """The same as :meth:`what_if` with no changes: today's hidden rates kept.

        Examples
        --------
        >>> sc = Scenario.preset("telecom")
        >>> sc.pinned().market.baseline_churn == sc.baseline_churn()
        True
        """
        return self.what_if()

    def follows(self, today: Scenario) -> Scenario:
        """This scenario as a what-if of ``today``: today's solved hidden rates, recorded.

        What :func:`womsim.compare` does to a scenario that describes today with the same
        observables as the reference: it is run as an alternative to the reference, not
        as another today. A what-if, or a scenario with other observables, is returned
        unchanged.

        Examples
        --------
        >>> today = Scenario.preset("telecom")
        >>> alt = today.today(**{"service.problem_rate": 0.05}).follows(today)
        >>> alt.state, alt.market.baseline_churn == today.baseline_churn()
        ('what-if', True)
        """
        if self.state != "today" or any(self.get(o) != today.get(o) for o in observables()):
            return self
        return self._pin_to(today.what_if())

    def _pin_to(self, pinned: Scenario) -> Scenario:
        """A what-if copy holding the hidden rates (and their records) ``pinned`` keeps."""
        data = self.model_dump()
        for rec in pinned.solved:
            put(data, rec.parameter, rec.value)
        data["solved"] = [r.model_dump() for r in pinned.solved]
        kept = {x.name: x.baseline_churn for x in pinned.segments}
        for d in data["segments"]:
            if d["name"] in kept and d.get("baseline_churn") is None:
                d["baseline_churn"] = kept[d["name"]]
        data["state"] = "what-if"
        return Scenario(**data)

    def hidden_rates(self) -> pd.DataFrame:
        """Every hidden rate with its value and where it comes from.

        ``source`` is ``"solved"`` (from this scenario's observables, under its own
        service: a scenario that describes today), ``"kept from today"`` (a what-if: solved
        for the scenario named in ``under``), ``"given"`` (set directly) or ``"stored"``
        (solved by a calibration and stored with today).

        Examples
        --------
        >>> Scenario.preset("telecom").hidden_rates().loc["market.baseline_churn", "source"]
        'solved'
        """
        return hidden_rates_table(self)

    def state_text(self, solve: bool = True) -> str:
        """One sentence: today or a what-if, and what its hidden rates were solved from.

        With ``solve=False`` a rate still to be solved is named without its value (nothing is
        solved and no service desk simulated: what a view shows).

        Examples
        --------
        >>> Scenario.preset("telecom").state_text()
        "today: market.baseline_churn = 0.165 solved from market.observed_annual_churn = \
0.25 under this scenario's own service"
        """
        return state_text(self, solve)

    def simulated_annual_churn(self) -> float:
        """Expected annual churn under this scenario's service (mean field, at the start).

        On today it is the observed churn; on a what-if it moves with the service.
        """
        return annual_churn(self.at(-1.0), self.baseline_churn())

    def with_interventions(self, *interventions: Intervention) -> Scenario:
        """A copy with interventions added (after any it already has).

        Examples
        --------
        >>> iv = Intervention("same-day fixes", start="3 months",
        ...                   changes={"complaints.quick_share": 0.9})
        >>> len(Scenario().with_interventions(iv).interventions)
        1
        """
        for iv in interventions:
            if not isinstance(iv, Intervention):
                raise ScenarioError("with_interventions takes Intervention objects, got "
                                    f"{type(iv).__name__} {iv!r:.60}; build one with "
                                    "Intervention(name, start=..., changes={...})")
        sc = self.model_copy(update={"interventions": self.interventions + tuple(interventions)})
        # model_copy skips validation: check here (pydantic's stub types the validator oddly)
        return sc._interventions_fit()  # type: ignore[operator]

    def without_interventions(self) -> Scenario:
        """The same scenario with no interventions attached (today, before any programme).

        Examples
        --------
        >>> Scenario.preset("telecom").without_interventions().interventions
        ()
        """
        return self.model_copy(update={"interventions": ()})

    def at(self, t: float) -> Scenario:
        """The scenario in force at time ``t`` (years): interventions applied, none attached.

        Raises ScenarioError naming the intervention whose effect leaves a parameter's range.
        """
        active = [iv for iv in self.interventions if iv.strength(t) > 0]
        base = self.without_interventions()
        if not active:
            return base
        known = base.parameter_names()

        def start(iv: Intervention, key: str) -> float:
            if key not in known:
                raise _unknown_change(iv, key, known)
            try:
                return float(base.get(key))
            except (TypeError, ValueError):
                raise ScenarioError(
                    f"intervention '{iv.name}' changes '{key}', which is not a number "
                    "in this scenario") from None

        for iv in active:
            for key in iv.changes:
                missing = unknown_named(base, key)
                if missing:
                    raise ScenarioError(f"intervention '{iv.name}' changes {missing}")
        values = apply_in_order(base, active, t, start)
        try:
            # same kind: no re-solving here; a market-wide change reaches the segments too
            return Scenario(**base._with(values, market_wide=False))
        except ScenarioError as err:
            names = ", ".join(f"'{iv.name}'" for iv in active)
            raise ScenarioError(f"intervention {names} at t={t:g} years: {err}") from None

    # ------------------------------------------------------------- presets
    @classmethod
    def preset(cls, name: str) -> Scenario:
        """A ready-made scenario for an industry; :meth:`presets` lists them.

        Examples
        --------
        >>> Scenario.preset("telecom").market.observed_annual_churn
        0.25
        """
        if name not in PRESETS:
            raise unknown_key("preset", name, PRESETS)
        return cls(**PRESETS[name]["scenario"])

    @staticmethod
    def presets() -> pd.DataFrame:
        """A table of the presets with their one-line rationale and observables.

        Examples
        --------
        >>> "telecom" in Scenario.presets().index
        True
        """
        return presets_table()

    # ---------------------------------------------------------- calibration
    def baseline_churn(self) -> float:
        """The yearly hazard of leaving for reasons unrelated to service.

        Given directly (``market.baseline_churn``) or solved so that total annual churn under
        today's service matches ``market.observed_annual_churn``.
        """
        if self.market.baseline_churn is not None:
            return self.market.baseline_churn
        if self.market.observed_annual_churn is None:
            return 0.0
        return solve_baseline_churn(self)

    # --------------------------------------------------------- assumptions
    def assumptions(self, solve: bool = True) -> pd.DataFrame:
        """Every parameter with its value, unit, meaning and the figure it rests on.

        Values no figure supports are labelled ``illustrative``; the client's own numbers
        ``client input``. With ``solve=False`` the rows that need the mean field (the solved
        baseline churn and the leave rates) are left out, so nothing is solved and no service
        desk is simulated: the static table a view shows.

        Examples
        --------
        >>> a = Scenario.preset("telecom").assumptions()
        >>> a.loc["word_of_mouth.negative_mean", "status"]
        'verified'
        """
        return assumptions_table(self, solve)

    # ------------------------------------------------------------------ io
    def to_dict(self) -> dict[str, Any]:
        """A plain dict (TOML-ready: ``None`` kept as ``"none"`` where the default is not None)."""
        return _for_toml(self.model_dump(mode="json"), self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        """Build from a plain dict as written by :meth:`to_dict` (also by a womsim that did
        not record the calibration state: see :func:`womsim.model.solved.upgrade_unrecorded`)."""
        data, note = upgrade_unrecorded(data)
        if note:
            import warnings

            warnings.warn(note, UserWarning, stacklevel=2)
        return cls(**data)

    def to_toml(self, path: str | Path, overwrite: bool = False) -> Path:
        """Write the scenario to a TOML file (atomically; refuses to overwrite unless asked).

        Examples
        --------
        >>> import tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "telecom.toml")
        >>> _ = Scenario.preset("telecom").to_toml(p)
        >>> Scenario.from_toml(p) == Scenario.preset("telecom")
        True
        """
        return write_toml(self, path, overwrite=overwrite)

    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Read a scenario file; errors name the key and the line."""
        return read_toml(path, cls)

    def __repr__(self) -> str:
        ivs = f", {len(self.interventions)} interventions" if self.interventions else ""
        desk = f", desk of {self.desk.agents} agents" if self.desk is not None else ""
        kind = ""
        if self.state == "what-if":
            under = sorted({r.under for r in self.solved if r.under not in ("", "unrecorded")})
            kind = ", what-if" + (f" of '{under[0]}'" if len(under) == 1 else "")
        return (f"Scenario('{self.name}': {self.market.people:,} people, "
                f"{self.market.customer_share:.0%} customers, "
                f"{self.simulation.horizon_years:g} years{desk}{ivs}{kind})")

    __str__ = __repr__

    def _repr_html_(self) -> str:
        return scenario_html(self)


def _walk(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        dotted = f"{prefix}{name}"
        if isinstance(value, BaseModel) and not isinstance(value, Intervention):
            yield from _walk(value, dotted + ".")
        elif name in ("segments", "rivals"):
            continue  # by name, below
        elif name not in ("interventions",):
            yield dotted, value
    if not prefix and hasattr(model, "segments"):
        yield from named_parameters(model)


def _none_strings(data: dict[str, Any]) -> dict[str, Any]:
    """TOML has no null: ``"none"`` in a file stands for Python's None."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, dict):
            out[k] = _none_strings(v)
        elif isinstance(v, (list, tuple)):
            out[k] = [_none_strings(x) if isinstance(x, dict) else x for x in v]
        elif isinstance(v, str) and v.strip().lower() == "none" and k not in ("name",
                                                                               "description"):
            out[k] = None
        else:
            out[k] = v
    return out


def _for_toml(data: Any, model: Any) -> Any:
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            sub = getattr(model, k, None) if isinstance(model, BaseModel) else None
            if v is None:
                out[k] = "none"
            else:
                out[k] = _for_toml(v, sub)
        return out
    if isinstance(data, list):
        return [_for_toml(v, None) for v in data]
    if isinstance(data, float) and not math.isfinite(data):
        raise ScenarioError(f"cannot write non-finite value {data!r}")
    return data


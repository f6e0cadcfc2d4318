"""Hidden rates solved from observables: the record a what-if keeps, and its checks.

A scenario either describes today (its hidden rates, such as the baseline churn, are solved
from what the client observes, under its own service) or is a what-if (an alternative to
today that keeps today's solved rates). :class:`Solved` is the record a what-if keeps of
each rate: its value, the observables it was solved from and their values, the solver and
the scenario it was solved under. The checks here keep the record from going stale; the
upgrades read files written before the record existed, or edited since.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from womsim.core.errors import CalibrationError
from womsim.model.meanfield import SOLVERS
from womsim.model.parts import PART_MODELS

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["Solved", "check_hidden_rates", "hidden_rates_table", "restate_if_edited",
           "state_text", "upgrade_unrecorded"]


class Solved(BaseModel):
    """A hidden parameter solved from observables, as a scenario keeps it.

    Attributes
    ----------
    parameter : str
        The dotted parameter solved, e.g. ``"market.baseline_churn"``.
    value : float
        Its value (also the parameter's value in the scenario).
    observables : dict of str -> float
        What it was solved from, with the values then: ``{"market.observed_annual_churn":
        0.25}``. Names of scenario parameters must still hold these values; anything else
        (a calibration target) is recorded as given.
    method : str
        The solver (a key of :data:`womsim.model.meanfield.SOLVERS`).
    under : str
        The name of the scenario whose service it was solved under (today's).

    Examples
    --------
    >>> from womsim import Scenario
    >>> sc = Scenario.preset("telecom").what_if(**{"service.problem_rate": 0.05})
    >>> sc.solved[0].parameter, sc.solved[0].observables
    ('market.baseline_churn', {'market.observed_annual_churn': 0.25})
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    parameter: str
    value: float
    observables: dict[str, float] = Field(default_factory=dict)
    method: str = "baseline_churn"
    under: str = ""

    def source(self) -> str:
        """``"market.observed_annual_churn = 0.25"``: what it was solved from, as text."""
        return ", ".join(f"{k} = {v:g}" for k, v in self.observables.items()) or "nothing"


def _parameter_names() -> set[str]:
    """The dotted names of the scenario parts' parameters (what an observable can be)."""
    return {f"{part}.{name}" for part, model in PART_MODELS.items()
            for name in model.model_fields}


def check_hidden_rates(sc: Scenario) -> None:
    """Raise ValueError unless kept values match their record, records their observables,
    and no observable is set that nothing reads."""
    seen: set[str] = set()
    names = set(sc.parameter_names()) if sc.solved else set()
    for rec in sc.solved:
        if rec.parameter in seen:
            raise ValueError(f"solved: '{rec.parameter}' is recorded twice")
        seen.add(rec.parameter)
        value = sc.get(rec.parameter)
        if value is None or not math.isclose(value, rec.value, rel_tol=1e-12,
                                              abs_tol=1e-15):
            raise ValueError(
                f"{rec.parameter} = {value!r}, but the scenario records it as solved at "
                f"{rec.value!r} from {rec.source()}: give the value by removing its "
                "'solved' record, or keep the recorded value")
        solver = SOLVERS.get(rec.method)
        if sc.state == "today" and solver is not None and solver.live:
            raise ValueError(
                f"a scenario that describes today (state = 'today') solves "
                f"{rec.parameter} from {', '.join(solver.observables)} itself; a kept "
                "value belongs to a what-if (state = 'what-if'), or remove the record")
        for name, then in rec.observables.items():
            now = sc.get(name) if name in names else then
            if now != then:
                raise ValueError(stale_message(sc, rec, name, now))
    for method, solver in SOLVERS.items():
        given = sc.get(solver.parameter)
        unread = [o for o in solver.observables if sc.get(o) is not None]
        if given is not None and unread and solver.parameter not in seen:
            o = unread[0]
            raise ValueError(
                f"{solver.parameter} = {given!r} is given, so {o} = {sc.get(o)!r} "
                f"would not be used: set {o} to none to give the hidden rate, or "
                f"{solver.parameter} to none to solve it from {o}"
                + (". In a what-if, move churn with market.extra_churn (added on top of "
                   "today's baseline)" if method == "baseline_churn" else ""))


def hidden_rates_table(sc: Scenario, solve: bool = True) -> pd.DataFrame:
    """The table behind :meth:`womsim.Scenario.hidden_rates`; with ``solve=False`` a rate
    still to be solved has value NaN (nothing is solved, no service desk simulated)."""
    rows = {}
    recorded = {r.parameter: r for r in sc.solved}
    for method, solver in SOLVERS.items():
        p = solver.parameter
        if p in recorded:
            continue
        if solver.applies(sc):
            rows[p] = {"value": float(solver.solve(sc)) if solve else math.nan,
                       "source": "solved",
                       "observables": ", ".join(f"{o} = {sc.get(o):g}"
                                                for o in solver.observables),
                       "method": method, "under": sc.name}
        else:
            value = sc.get(p)
            rows[p] = {"value": value, "method": "", "under": "",
                       "source": "given" if value is not None else "none",
                       "observables": ""}
    for p, r in recorded.items():
        rows[p] = {"value": r.value, "observables": r.source(), "method": r.method,
                   "under": r.under,
                   "source": "kept from today" if sc.state == "what-if" else "stored"}
    df = pd.DataFrame.from_dict(rows, orient="index",
                                columns=["value", "source", "observables", "method",
                                         "under"])
    df.index.name = "parameter"
    return df


def state_text(sc: Scenario, solve: bool = True) -> str:
    """The sentence behind :meth:`womsim.Scenario.state_text` (``solve=False``: a rate still
    to be solved is named without its value)."""
    try:
        h = hidden_rates_table(sc, solve)
    except CalibrationError as err:
        return f"{sc.state}: cannot be calibrated ({err})"
    parts = []
    for p, r in h.iterrows():
        if r["source"] == "solved":
            value = f" = {r['value']:.3g}" if solve else ""
            parts.append(f"{p}{value} solved from {r['observables']} under "
                         "this scenario's own service")
        elif r["under"] == "unrecorded":
            parts.append(f"{p} = {r['value']:.3g} kept (saved by an older womsim, which "
                         "did not record what it was solved from)")
        elif r["source"] in ("kept from today", "stored"):
            verb = "kept" if r["source"] != "stored" else "stored"
            parts.append(f"{p} = {r['value']:.3g} {verb}, solved from {r['observables']}"
                         f" under the service of '{r['under']}'")
        elif r["source"] == "given":
            parts.append(f"{p} = {r['value']:.3g} given")
    what = "today" if sc.state == "today" else "what-if (keeps today's hidden rates)"
    return what + (": " + "; ".join(parts) if parts else "")


def pick(data: dict[str, Any], dotted: str) -> Any:
    node: Any = data
    for k in dotted.split("."):
        node = node.get(k) if isinstance(node, dict) else None
    return node


def put(data: dict[str, Any], dotted: str, value: Any) -> None:
    *head, last = dotted.split(".")
    node = data
    for k in head:
        node = node[k]
    node[last] = value


def upgrade_unrecorded(data: Any) -> tuple[Any, str | None]:
    """A scenario saved before scenarios recorded their state (no ``state`` key) that gives
    both ``market.baseline_churn`` and ``market.observed_annual_churn``: such a womsim ran it
    on the given baseline and did not use the observed churn. It is read as a what-if that
    keeps that baseline, with a note saying so (today such a pair is refused).

    Examples
    --------
    >>> d = {"market": {"baseline_churn": 0.1, "observed_annual_churn": 0.25}}
    >>> d, note = upgrade_unrecorded(d)
    >>> d["state"], d["solved"][0]["under"]
    ('what-if', 'unrecorded')
    """
    if not isinstance(data, dict) or "state" in data or "solved" in data:
        return data, None
    m = data.get("market")
    if not isinstance(m, dict):
        return data, None
    b, o = m.get("baseline_churn"), m.get("observed_annual_churn")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (b, o)):
        return data, None
    data = {**data, "state": "what-if", "solved": [
        {"parameter": "market.baseline_churn", "value": b,
         "observables": {"market.observed_annual_churn": o}, "method": "baseline_churn",
         "under": "unrecorded"}]}
    return data, (f"market.baseline_churn = {b!r} and market.observed_annual_churn = {o!r} "
                  "are both given, in a scenario saved before womsim recorded which kind of "
                  "scenario it is: it ran on the given baseline, so it is read as a what-if "
                  "that keeps it (state = 'what-if'); to describe today, set "
                  "market.baseline_churn to none")


def restate_if_edited(data: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """A what-if read from a file whose observables were edited since its hidden rates were
    kept: as :meth:`Scenario.replace` does for a changed observable, it now describes today
    (kept values dropped, solved again). Returns the data and a note saying so, or None.

    Examples
    --------
    >>> from womsim import Scenario
    >>> d = Scenario.preset("telecom").what_if().to_dict()
    >>> d["market"]["observed_annual_churn"] = 0.3
    >>> d, note = restate_if_edited(d)
    >>> d["state"], d["market"]["baseline_churn"], "0.25" in note
    ('today', None, True)
    """
    records = data.get("solved")
    if data.get("state") != "what-if" or not isinstance(records, list):
        return data, None
    edited = []
    for rec in records:
        obs = rec.get("observables") if isinstance(rec, dict) else None
        if not isinstance(obs, dict):
            continue
        for name, then in obs.items():
            now = pick(data, name)
            if now != then and name in _parameter_names():
                edited.append(f"{name} = {now!r} (was {then!r})")
    if not edited:
        return data, None
    solver_of = {s.parameter for s in SOLVERS.values() if s.live}
    data = {**data, "state": "today"}
    data["solved"] = [r for r in records if not (isinstance(r, dict)
                                                 and r.get("parameter") in solver_of)]
    for rec in records:
        if isinstance(rec, dict) and rec.get("parameter") in solver_of:
            put(data, rec["parameter"], None)
    return data, (f"{', '.join(edited)}: an observable was edited, so this what-if now "
                  "describes today and its hidden rates are solved again under its own "
                  "service (state = 'today')")


def stale_message(sc: Scenario, rec: Solved, name: str, now: Any) -> str:
    then = rec.observables[name]
    if sc.state == "what-if":
        return (f"{name} = {now!r}, but this what-if keeps {rec.parameter} = {rec.value:.6g} "
                f"solved from {name} = {then!r} (today, '{rec.under}'), so the new value would "
                f"do nothing. To describe today with {name} = {now!r}, use .today(...) (it "
                "re-solves) and make the what-if from that; in a scenario file, set state = "
                f"'today', {rec.parameter} = \"none\" and remove the [[solved]] entry")
    return (f"{name} = {now!r}, but {rec.parameter} = {rec.value:.6g} was solved by "
            f"'{rec.method}' from {name} = {then!r}; run that calibration again for the new "
            "value")

"""Market structure: named customer segments and named rival firms.

A market is rarely one homogeneous monopoly. A :class:`Segment` is a named share of the
people (e.g. consumer, business) with its own revenue, contacts, problems, complaint
behaviour, churn and telling; anything a segment leaves unset is the scenario's own value.
A :class:`Rival` is a named competitor with its own service (experience mix, complaint
handling), price and acquisition effort: prospects choose between firms, leavers go to a
rival (or out of the market) and a rival's leavers can be won (Hays & Hill 1999).

Each segment is simulated through its *view*: the scenario with the segment's values put in
(:func:`segment_view`), so a segment's churn is calibrated to its own observed churn by the
same mean-field solve as the whole market's (:func:`womsim.model.meanfield.solve_baseline_churn`).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import model_validator

from womsim.core.errors import WomsimError, close_matches
from womsim.model.params import Part, param

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from womsim.model.interventions import Intervention
    from womsim.model.scenario import Scenario

__all__ = ["FIXED_AT_START", "OVERRIDES", "RIVAL_NAME", "Rival", "Segment", "apply_in_order",
           "check_market_parts", "named", "named_change_problem", "named_parameters",
           "pin_segments", "segment_observables", "segment_view", "unknown_named",
           "unpin_segments", "unread_market_value"]

RIVAL_NAME = "us"  # the firm itself, in market-share tables
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\- ]{0,39}")

#: segment field -> the scenario parameter it overrides
OVERRIDES: dict[str, str] = {
    "customer_share": "market.customer_share",
    "observed_annual_churn": "market.observed_annual_churn",
    "baseline_churn": "market.baseline_churn",
    "revenue_per_year": "economics.revenue_per_year",
    "revenue_sigma": "economics.revenue_sigma",
    "contact_rate": "service.contact_rate",
    "problem_rate": "service.problem_rate",
    "delight_rate": "service.delight_rate",
    "complain_rate": "complaints.complain_rate",
    "resolved": "complaints.resolved",
    "negative_mean": "word_of_mouth.negative_mean",
    "positive_mean": "word_of_mouth.positive_mean",
}


def _check_name(kind: str, name: str) -> str:
    if not _NAME.fullmatch(name) or name.strip() != name:
        raise ValueError(f"{kind} name {name!r}: use 1-40 letters, digits, '_', '-' or "
                         "spaces, starting with a letter")
    if name == RIVAL_NAME:
        raise ValueError(f"{kind} name {name!r} is reserved for the firm itself")
    return name


class Segment(Part):
    """A named share of the market with values of its own (None: the scenario's value).

    Examples
    --------
    >>> b = Segment(name="business", share=0.2, revenue_per_year=2400.0)
    >>> b.overrides()
    {'economics.revenue_per_year': 2400.0}
    """

    name: str = param("segment", unit="", basis="setting", doc="the segment's name")
    share: float = param(0.5, gt=0, le=1, unit="share of people", basis="client",
                         doc="share of the market's people in this segment (shares add to 1)")
    customer_share: float | None = param(
        None, ge=0, le=1, unit="share", basis="client",
        doc="share of the segment who are customers at the start; None = market's")
    observed_annual_churn: float | None = param(
        None, ge=0, lt=1, unit="share/yr", basis="client",
        doc="the segment's observed annual churn (its baseline churn is solved to match it); "
            "None = the market's")
    baseline_churn: float | None = param(
        None, ge=0, le=10, unit="1/yr", basis="derived",
        doc="the segment's baseline churn hazard; None = solved from its observed churn "
            "(a what-if keeps today's)")
    revenue_per_year: float | None = param(None, ge=0, le=1e9, unit="money/customer/yr",
                                           basis="client", doc="mean revenue per customer")
    revenue_sigma: float | None = param(None, ge=0, le=3, unit="log-sd", basis="illustrative",
                                        doc="lognormal spread of revenue in the segment")
    contact_rate: float | None = param(None, ge=0, le=365, unit="contacts/customer/yr",
                                       basis="client", doc="service contacts per customer")
    problem_rate: float | None = param(None, ge=0, le=1, unit="share of contacts",
                                       basis="client", doc="share of contacts with a problem")
    delight_rate: float | None = param(None, ge=0, le=1, unit="share of contacts",
                                       basis="illustrative", doc="share of contacts that delight")
    complain_rate: float | None = param(None, ge=0, le=1, unit="share of problems",
                                        basis="client", doc="share of problems complained of")
    resolved: float | None = param(None, ge=0, le=1, unit="share of complaints",
                                   basis="client", doc="share of complaints resolved")
    negative_mean: float | None = param(None, gt=0, le=1000, unit="people", basis="client",
                                        doc="mean people an unhappy customer tells")
    positive_mean: float | None = param(None, ge=0, le=1000, unit="people", basis="client",
                                        doc="mean people a delighted customer tells")

    @model_validator(mode="after")
    def _valid_name(self) -> Segment:
        _check_name("segment", self.name)
        return self

    def overrides(self) -> dict[str, Any]:
        """The scenario parameters this segment sets (dotted name -> value)."""
        return {dotted: getattr(self, f) for f, dotted in OVERRIDES.items()
                if getattr(self, f) is not None}


class Rival(Part):
    """A named competitor: its service, price, acquisition effort and pull on leavers.

    Its customers have contacts, experiences, complaints and word of mouth like ours; its
    unhappy customers tell about *it*. ``takes_leavers`` of our leavers go to it (the rest
    leave the market, as former customers of ours); ``loses_to_us`` of its leavers come to
    us (the rest become prospects again).

    Examples
    --------
    >>> r = Rival(name="challenger", customer_share=0.2, problem_rate=0.05)
    >>> r.success_rate()
    0.95
    """

    name: str = param("rival", unit="", basis="setting", doc="the rival's name")
    customer_share: float = param(0.2, ge=0, le=1, unit="share", basis="client",
                                  doc="share of the market who are its customers at the start")
    contact_rate: float = param(2.0, ge=0, le=365, unit="contacts/customer/yr",
                                basis="illustrative", doc="service contacts per customer")
    problem_rate: float = param(0.10, ge=0, le=1, unit="share of contacts",
                                basis="illustrative",
                                doc="share of its contacts that end with a problem")
    delight_rate: float = param(0.20, ge=0, le=1, unit="share of contacts",
                                basis="illustrative", doc="share of its contacts that delight")
    complain_rate: float = param(0.143, ge=0, le=1, unit="share of problems", basis="figure",
                                 figure="complaint_rate",
                                 doc="share of its customers' problems complained of")
    resolved: float = param(0.60, ge=0, le=1, unit="share of complaints",
                            basis="illustrative", doc="share of its complaints resolved")
    quick_share: float = param(0.50, ge=0, le=1, unit="share of resolved",
                               basis="illustrative", doc="share resolved quickly")
    baseline_churn: float = param(0.10, ge=0, le=10, unit="1/yr", basis="illustrative",
                                  doc="its customers' hazard of leaving for reasons "
                                      "unrelated to service")
    revenue_per_year: float = param(600.0, ge=0, le=1e9, unit="money/customer/yr",
                                    basis="illustrative",
                                    doc="what its customers pay it per year (its price)")
    marketing_rate: float = param(0.05, ge=0, le=52, unit="1/yr", basis="illustrative",
                                  doc="hazard that a prospect buys from it (its effort)")
    takes_leavers: float = param(0.5, ge=0, le=1, unit="share", basis="illustrative",
                                 doc="share of our leavers who go to it")
    loses_to_us: float = param(0.5, ge=0, le=1, unit="share", basis="illustrative",
                               doc="share of its leavers who come to us")

    @model_validator(mode="after")
    def _valid(self) -> Rival:
        _check_name("rival", self.name)
        if self.problem_rate + self.delight_rate > 1 + 1e-12:
            raise ValueError(f"rival '{self.name}': problem_rate ({self.problem_rate}) + "
                             f"delight_rate ({self.delight_rate}) exceeds 1")
        return self

    def success_rate(self) -> float:
        """Share of its contacts without a problem (Hays & Hill's service success rate)."""
        return 1.0 - self.problem_rate


def check_market_parts(sc: Scenario) -> None:
    """Raise ValueError for segments or rivals that cannot describe one market."""
    m = sc.market
    if sc.segments:
        names = [s.name for s in sc.segments]
        twice = sorted({x for x in names if names.count(x) > 1})
        if twice:
            raise ValueError(f"segments: '{twice[0]}' is named twice (segment names must "
                             "differ)")
        total = sum(s.share for s in sc.segments)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(
                "segments: shares " + " + ".join(f"{s.name} {s.share:g}" for s in sc.segments)
                + f" = {total:.6g}, not 1 (each is a share of the market's people)")
        if len(sc.segments) < 2:
            raise ValueError(f"segments: one segment ('{names[0]}') is the whole market; "
                             "give two or more, or none")
        if len(sc.segments) > 100:
            raise ValueError(f"segments: {len(sc.segments)} segments, at most 100")
        # each segment's people: the engine's exact counts (womsim.network.mixing, the shares
        # cut at rounded cumulative sums); a segment with nobody in it would report zeros
        cuts = np.rint(np.cumsum([s.share for s in sc.segments]) * m.people).astype(np.int64)
        cuts[-1] = m.people
        counts = np.diff(cuts, prepend=0)
        for s, count in zip(sc.segments, counts, strict=True):
            if count < 1:
                raise ValueError(
                    f"segment '{s.name}': share {s.share:g} of market.people = {m.people:,} "
                    f"gives it no people: raise market.people (to {math.ceil(1 / s.share):,} "
                    "or more) or the share")
        for s in sc.segments:
            if s.customer_share is not None \
                    and s.customer_share + m.former_share > 1 + 1e-12:
                raise ValueError(f"segment '{s.name}': customer_share ({s.customer_share:g}) "
                                 f"+ market.former_share ({m.former_share:g}) exceeds 1")
            if sc.state == "what-if" and s.baseline_churn is None \
                    and s.observed_annual_churn is not None:
                raise ValueError(
                    f"segment '{s.name}': observed_annual_churn = {s.observed_annual_churn!r} "
                    "describes today, but this is a what-if, which keeps today's baseline "
                    "churn and solves nothing: add the segment to a scenario that describes "
                    "today (.today(...)) and make the what-if from that")
            if sc.state == "today" and s.baseline_churn is not None \
                    and s.observed_annual_churn is not None:
                raise ValueError(
                    f"segment '{s.name}': baseline_churn = {s.baseline_churn!r} is given, so "
                    f"observed_annual_churn = {s.observed_annual_churn!r} would not be used: "
                    "set one of them to none")
            if sc.desk is not None and (s.problem_rate is not None
                                        or s.delight_rate is not None):
                raise ValueError(
                    f"segment '{s.name}' sets the experience mix, but the service desk sets "
                    "it from the load, so it would do nothing: remove it or the desk")
            try:  # the segment's values together make a valid market (telling, mix...)
                segment_view(sc, s)
            except WomsimError as err:
                raise ValueError(f"segment '{s.name}': {err}") from None
    elif m.segment_assortativity is not None:
        raise ValueError(f"market.segment_assortativity = {m.segment_assortativity!r}, but "
                         "the scenario has no segments, so it would do nothing: add "
                         "[[segments]] or set it to none")
    if m.segment_assortativity is not None and m.network == "well_mixed":
        raise ValueError(f"market.segment_assortativity = {m.segment_assortativity!r} needs a "
                         "social graph, but market.network is 'well_mixed' (nobody has "
                         "friends to mix with): choose a graph or set it to none")
    if sc.rivals:
        names = [r.name for r in sc.rivals]
        twice = sorted({x for x in names if names.count(x) > 1})
        if twice:
            raise ValueError(f"rivals: '{twice[0]}' is named twice (rival names must differ)")
        clash = sorted(set(names) & {s.name for s in sc.segments})
        if clash:
            raise ValueError(f"'{clash[0]}' names both a segment and a rival")
        # each segment's people are split between us (its own customer share, or the
        # market's), former customers and each rival (its share, in every segment)
        rivals_held = sum(r.customer_share for r in sc.rivals)
        ours = [(f"segment '{s.name}': customer_share", s.customer_share)
                for s in sc.segments if s.customer_share is not None]
        if not sc.segments or len(ours) < len(sc.segments):
            ours.append(("market.customer_share", m.customer_share))
        for what, share in ours:
            held = share + m.former_share + rivals_held
            if held > 1 + 1e-12:
                raise ValueError(
                    f"{what} ({share:g}) + market.former_share ({m.former_share:g}) + the "
                    "rivals' customer_share ("
                    + ", ".join(f"{r.name} {r.customer_share:g}" for r in sc.rivals)
                    + f") = {held:.4g} exceeds 1 (they are shares of the same people"
                    + (", in every segment" if sc.segments else "") + ")")
        taken = sum(r.takes_leavers for r in sc.rivals)
        if taken > 1 + 1e-12:
            raise ValueError("rivals: takes_leavers " + " + ".join(
                f"{r.name} {r.takes_leavers:g}" for r in sc.rivals)
                + f" = {taken:.4g} exceeds 1 (shares of the same leavers)")
        for r in sc.rivals:
            if r.contact_rate * sc.simulation.dt > 1 + 1e-12:
                raise ValueError(
                    f"rival '{r.name}': contact_rate = {r.contact_rate:g} per year is more "
                    "than one contact per step: shorten simulation.step_days")


def segment_view(sc: Scenario, seg: Segment) -> Scenario:
    """The scenario as one segment sees it: the segment's values put in, no segments and
    no rivals (they act through the engine, not through a segment's rates).

    Its baseline churn: the segment's own when given or kept (a what-if keeps today's);
    else solved, under the segment's own service, from its observed churn; else the
    market's baseline when given or kept; else solved from the market's observed churn.

    Examples
    --------
    >>> from womsim import Scenario
    >>> sc = Scenario(segments=[{"name": "a", "share": 0.5, "contact_rate": 4.0},
    ...                         {"name": "b", "share": 0.5}])
    >>> segment_view(sc, sc.segments[0]).service.contact_rate
    4.0
    """
    data = sc.model_dump()
    data.update(segments=(), rivals=(), state="today", solved=(),
                interventions=[_as_seen_by(iv, seg) for iv in data["interventions"]])
    data["market"]["segment_assortativity"] = None
    for dotted, value in seg.overrides().items():
        part, name = dotted.split(".")
        data[part][name] = value
    mk, m = data["market"], sc.market
    if seg.baseline_churn is not None:
        mk["baseline_churn"], mk["observed_annual_churn"] = seg.baseline_churn, None
    elif seg.observed_annual_churn is not None:
        mk["baseline_churn"], mk["observed_annual_churn"] = None, seg.observed_annual_churn
    elif m.baseline_churn is not None:  # the market's, given or kept by a what-if
        mk["baseline_churn"], mk["observed_annual_churn"] = m.baseline_churn, None
    elif m.observed_annual_churn is not None:  # solved for the segment, to the market's churn
        mk["baseline_churn"], mk["observed_annual_churn"] = None, m.observed_annual_churn
    return type(sc)(**data)


def _as_seen_by(iv: dict, seg: Segment) -> dict:
    """A programme (as a dict) in a segment's view: its changes of this segment's own values
    become changes of the view's (``segments.<name>.problem_rate`` -> ``service.problem_rate``,
    before a market-wide change of the same value in the same programme); changes of other
    segments and of rivals are not the view's (the programme and its cost stay)."""
    mine = f"segments.{seg.name}."
    inverse = {v: k for k, v in OVERRIDES.items()}
    own = {k.removeprefix(mine) for k in iv["changes"] if k.startswith(mine)}
    changes, how = {}, {}
    for key, value in iv["changes"].items():
        if key.startswith(mine):
            to = OVERRIDES[key.removeprefix(mine)]
        elif key.startswith(("segments.", "rivals.")) or inverse.get(key) in own:
            continue
        else:
            to = key
        changes[to] = value
        if key in iv["how"]:
            how[to] = iv["how"][key]
    return {**iv, "changes": changes, "how": how}


def churn_applies(sc: Scenario, seg: Segment) -> bool:
    """Whether the segment's baseline churn is solved from an observed churn."""
    return seg.baseline_churn is None and (seg.observed_annual_churn is not None
                                           or sc.market.observed_annual_churn is not None)


def pin_segments(today: Scenario, data: dict) -> None:
    """In a what-if being built from ``today`` (as a dict), keep each segment's baseline
    churn solved under today's service (matched by name), so that a better service shows
    up as less churn in every segment instead of being calibrated away."""
    mine = {s.name: s for s in today.segments}
    for d in data.get("segments") or ():
        seg = mine.get(d.get("name"))
        if seg is not None and d.get("baseline_churn") is None and churn_applies(today, seg):
            d["baseline_churn"] = segment_view(today, seg).baseline_churn()


def unpin_segments(sc: Scenario, data: dict, changes: dict) -> None:
    """Describing today again: drop the baselines a what-if kept (they are solved again)."""
    if sc.state != "what-if":
        return
    for d in data.get("segments") or ():
        key = f"segments.{d.get('name')}.baseline_churn"
        observed = d.get("observed_annual_churn") is not None \
            or data["market"].get("observed_annual_churn") is not None
        if key not in changes and observed:
            d["baseline_churn"] = None


def segment_observables(sc: Scenario) -> dict[str, Any]:
    """Each segment's observed churn, by dotted name."""
    return {f"segments.{s.name}.observed_annual_churn": s.observed_annual_churn
            for s in sc.segments}


def named(sc: Scenario, kind: str, name: str) -> Any:
    """The segment or rival called ``name`` (None if there is none)."""
    for x in getattr(sc, kind):
        if x.name == name:
            return x
    return None


def named_parameters(sc: Any) -> Iterator[tuple[str, Any]]:
    """``("segments.<name>.<field>", value)`` for every segment and rival field."""
    for kind in ("segments", "rivals"):
        for x in getattr(sc, kind):
            for f in type(x).model_fields:
                if f != "name":
                    yield f"{kind}.{x.name}.{f}", getattr(x, f)


def apply_in_order(base: Scenario, active: Sequence[Intervention], t: float,
                   start: Callable[[Intervention, str], float]) -> dict[str, float]:
    """The values the interventions in force at ``t`` give the parameters they change.

    They act in the order attached, each on the value the ones before it left
    (``start(iv, key)``: a parameter's value before any of them). A segment's own value
    (``segments.<name>.<field>``) left unset follows the market's: a programme on it
    starts from the market's value at that point. A change of a market-wide parameter
    reaches every segment's own value of it the same way (scaled, added or set), unless
    the same programme names that segment's value itself, so no programme silently
    misses a segment.
    """
    inverse = {v: k for k, v in OVERRIDES.items()}
    values: dict[str, float] = {}

    def now(iv: Intervention, key: str) -> float:
        if key in values:
            return values[key]
        kind, name, field = [*key.split("."), "", ""][:3]
        if kind == "segments" and getattr(named(base, kind, name), field) is None:
            return now(iv, OVERRIDES[field])  # the segment follows the market's value
        return start(iv, key)

    for iv in active:
        new = iv.apply({k: now(iv, k) for k in iv.changes}, t)
        for key in iv.changes:
            field = inverse.get(key)
            if field is None:
                continue
            for seg in base.segments:
                own_key = f"segments.{seg.name}.{field}"
                own = values.get(own_key, getattr(seg, field))
                if own_key in iv.changes or own is None:
                    continue
                one = dict.fromkeys(iv.changes, 0.0) | {key: float(own)}
                new[own_key] = iv.apply(one, t)[key]
        values.update(new)
    return values


#: segment and rival values an intervention cannot change mid-run, and why
FIXED_AT_START: dict[str, str] = {
    "segments.share": "who is in which segment is drawn with the market, at the start",
    "segments.customer_share": "who is a customer is drawn once, at the start; later "
                               "customers come from marketing and word of mouth",
    "segments.observed_annual_churn": "it is what the segment's baseline churn is solved "
                                      "from, once, before the run; to move churn mid-run "
                                      "change market.extra_churn (added on top of every "
                                      "segment's baseline)",
    "segments.baseline_churn": "the segment's baseline churn is today's, solved or given "
                               "once per run; to move churn mid-run change "
                               "market.extra_churn (added on top of every segment's "
                               "baseline)",
    "segments.revenue_sigma": "the spread of revenue is drawn with the market, at the "
                              "start; to change what the segment's customers pay mid-run "
                              "change segments.<name>.revenue_per_year",
    "rivals.customer_share": "the rival's customers are drawn once, at the start; to move "
                             "its share mid-run change its service or its acquisition "
                             "effort (rivals.<name>.marketing_rate)",
}


def named_change_problem(key: str) -> str | None:
    """Why a programme cannot change ``key``, a segment's or rival's own value named
    ``segments.<name>.<field>`` or ``rivals.<name>.<field>`` (None: it can, or ``key``
    names no segment or rival value). Whether the scenario has that segment or rival is
    :func:`unknown_named`'s question.

    Examples
    --------
    >>> named_change_problem("rivals.challenger.marketing_rate") is None
    True
    >>> named_change_problem("segments.business.share")[:45]
    "'segments.business.share' cannot change mid-r"
    """
    keys = key.split(".")
    if keys[0] not in ("segments", "rivals"):
        return None
    kind = keys[0]
    model = Segment if kind == "segments" else Rival
    fields = [f for f in model.model_fields if f not in ("name", "share")] \
        if kind == "segments" else [f for f in model.model_fields if f != "name"]
    example = f"{kind}.business.problem_rate" if kind == "segments" \
        else f"{kind}.challenger.problem_rate"
    if len(keys) != 3 or not keys[1]:
        return (f"'{key}': a {kind[:-1]}'s own value is named {kind}.<name>.<field>, "
                f"e.g. '{example}'")
    why = FIXED_AT_START.get(f"{kind}.{keys[2]}")
    if why:
        return f"'{key}' cannot change mid-run: {why}"
    if keys[2] not in fields:
        return (f"'{key}': a {kind[:-1]} has no value '{keys[2]}'."
                f"{close_matches(keys[2], fields)} Those a programme may change: "
                + ", ".join(f for f in fields if f"{kind}.{f}" not in FIXED_AT_START))
    return None


def unknown_named(sc: Scenario, key: str) -> str | None:
    """A message if ``key`` (``segments.<name>.<field>`` or ``rivals.<name>.<field>``)
    names a segment or rival ``sc`` does not have, listing those it has; else None."""
    keys = key.split(".")
    if len(keys) != 3 or keys[0] not in ("segments", "rivals") \
            or named(sc, keys[0], keys[1]) is not None:
        return None
    kind = keys[0]
    have = [x.name for x in getattr(sc, kind)]
    if not have:
        return f"'{key}': this scenario has no {kind} (add [[{kind}]] first)"
    return (f"'{key}': this scenario has no {kind[:-1]} '{keys[1]}'."
            f"{close_matches(keys[1], have)} Its {kind}: {', '.join(have)}")


def unread_market_value(segments: list[dict], changes: Iterable[str]) -> str | None:
    """A message if ``changes`` set a market-wide value that every segment replaces with
    its own (it would do nothing), else None."""
    inverse = {v: k for k, v in OVERRIDES.items()}
    for dotted in changes:
        f = inverse.get(dotted)
        if f is not None and segments and all(d.get(f) is not None for d in segments):
            names = ", ".join(str(d.get("name")) for d in segments)
            return (f"{dotted}: every segment ({names}) sets its own {f}, so the market's "
                    f"value would do nothing: change segments.<name>.{f}")
    return None

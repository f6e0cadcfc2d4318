"""Segments in the engine: per-segment numbers of a step, gathered per person by label.

A segmented scenario runs each segment through its view (:func:`womsim.model.market.
segment_view`): the same :func:`womsim.engine.step.step_params` gives each segment's
numbers, which are stacked here into small per-segment arrays; the step reads a person's
value as ``array[segment[ids]]`` (no loop over people, no per-person copy of every rate).
Per-step records split by segment are named ``seg.<name>.<record>`` and add up to the
market's record exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from womsim.core.errors import CalibrationError, NetworkError, ScenarioError
from womsim.engine.rng import THIN, Streams, sparse_candidates
from womsim.engine.thinning import thin_to_customers
from womsim.model.market import segment_view
from womsim.model.meanfield import experience_mix
from womsim.model.telling import Telling
from womsim.network.mixing import assign_segments

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from womsim.engine.step import StepParams
    from womsim.model.scenario import Scenario
    from womsim.network.graph import Network

__all__ = ["SEGMENT_RECORDS", "SegmentParams", "by_segment", "by_segment_groups", "gather",
           "member_draw", "place_segments", "scaled", "segment_baseline", "segment_members",
           "segment_mix", "segment_params", "segment_views", "tell_by_segment"]

#: Records split by segment (counts of people and contacts, revenue and event values).
SEGMENT_RECORDS: tuple[str, ...] = (
    "customers", "contacts", "problems", "complaints", "unresolved",
    "defect_experience", "defect_wom", "defect_baseline", "defections",
    "acq_marketing", "acq_referral", "acq_winback", "acquisitions",
    "revenue", "value_lost_experience", "value_lost_wom", "value_lost_baseline",
    "value_won_marketing", "value_won_referral", "value_won_winback", "customer_equity",
)


_EMPTY = np.empty(0, dtype=np.int64)


@dataclass(frozen=True)
class SegmentParams:
    """One step's numbers per segment (index = segment label)."""

    names: tuple[str, ...]
    p_contact: np.ndarray
    contact_rate: np.ndarray
    p_churn: np.ndarray
    complain: np.ndarray
    resolved: np.ndarray
    quick: np.ndarray
    leave: np.ndarray  # (segments, 4): silent, unresolved, resolved, resolved quickly
    negative: tuple[Telling, ...]
    positive: tuple[Telling, ...]
    revenue_scale: np.ndarray
    mix_scenarios: tuple


def gather(names: list[str], per_segment: list) -> SegmentParams:
    """Stack the segments' own step numbers (a StepParams each) into arrays."""
    def arr(attr: str) -> np.ndarray:
        return np.array([getattr(p, attr) for p in per_segment], dtype=float)

    return SegmentParams(
        names=tuple(names), p_contact=arr("p_contact"), contact_rate=arr("contact_rate"),
        p_churn=arr("p_churn"), complain=arr("complain"), resolved=arr("resolved"),
        quick=arr("quick"), leave=np.array([p.leave for p in per_segment], dtype=float),
        negative=tuple(p.negative for p in per_segment),
        positive=tuple(p.positive for p in per_segment),
        revenue_scale=arr("revenue_scale"),
        mix_scenarios=tuple(p.mix_scenario for p in per_segment))


def segment_mix(sg: SegmentParams, load: float, problem_scale: float = 1.0, t: int = 0
                ) -> np.ndarray:
    """(segments, 3) experience mix (delighted, satisfied, problem) at the market's load,
    with a calendar incident's problem multiplier (extra problems out of satisfied
    contacts first, then delighted ones, as for the market: engine.calendar)."""
    mix = np.array([experience_mix(s, load) for s in sg.mix_scenarios], dtype=float)
    if problem_scale != 1.0:
        raised = mix[:, 2] * problem_scale
        worst = int(np.argmax(raised))
        if raised[worst] > 1 + 1e-12:
            raise ScenarioError(
                f"calendar: at step {t} an incident raising problems x{problem_scale:.3g} on "
                f"segment '{sg.names[worst]}' (problem share {mix[worst, 2]:.3g}) gives "
                f"{raised[worst]:.3g}, above 1: lower its multiplier")
        mix[:, 2] = np.minimum(raised, 1.0)
        mix[:, 0] = np.minimum(mix[:, 0], 1.0 - mix[:, 2])
        mix[:, 1] = 1.0 - mix[:, 0] - mix[:, 2]
    return mix


def scaled(sg: SegmentParams, contact_scale: float, problem_scale: float, t: int
           ) -> SegmentParams:
    """The segments' numbers with a calendar's contact multiplier (their contact
    probabilities and load)."""
    if contact_scale == 1.0:
        return sg
    p = sg.p_contact * contact_scale
    worst = int(np.argmax(p))
    if p[worst] > 1 + 1e-12:
        raise ScenarioError(
            f"calendar: at step {t} contacts x{contact_scale:.3g} give segment "
            f"'{sg.names[worst]}' {p[worst]:.2f} contacts per customer per step, but the "
            "engine draws at most one per step: shorten simulation.step_days or lower the "
            "multiplier")
    return replace(sg, p_contact=np.minimum(p, 1.0), contact_rate=sg.contact_rate * contact_scale)


def segment_members(segment: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """The ids of each of the ``k`` segments, each in increasing order.

    A person's segment never changes during a run, so these lists are made once; each
    segment's draws are then made among its own members at its own rate
    (:func:`member_draw`).

    Examples
    --------
    >>> [m.tolist() for m in segment_members(np.array([1, 0, 1, 1], dtype=np.int8), 2)]
    [[1], [0, 2, 3]]
    """
    # int32: the draws look every candidate up here (womsim.engine.thinning); one
    # compiled counting pass costs less than a mask and a nonzero per segment
    flat = np.empty(segment.size, dtype=np.int32)
    ends = _bucket(segment, k, flat)
    return tuple(flat[a:b] for a, b in zip([0, *ends[:-1].tolist()], ends.tolist(),
                                           strict=True))


@njit(cache=True)
def _bucket(segment, k, out):
    # the ids of each label, label after label, each in increasing order (a counting
    # sort); returns where each label's ids end in ``out``
    ends = np.zeros(k, dtype=np.int64)
    for i in range(segment.size):
        ends[segment[i]] += 1
    for s in range(1, k):
        ends[s] += ends[s - 1]
    at = np.empty(k, dtype=np.int64)
    at[0] = 0
    for s in range(1, k):
        at[s] = ends[s - 1]
    for i in range(segment.size):
        s = segment[i]
        out[at[s]] = i
        at[s] += 1
    return ends


def _merge(parts: list[np.ndarray]) -> np.ndarray:
    # increasing runs of distinct ids: a stable sort merges runs instead of sorting anew
    if len(parts) == 1:
        return parts[0]
    return np.sort(np.concatenate(parts), kind="stable")


def member_draw(streams: Streams, mechanism: str, step: int, members: tuple[np.ndarray, ...],
                p: np.ndarray, status: np.ndarray, theirs: np.ndarray | None = None,
                firm: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Our customers chosen with their segment's probability ``p[s]`` and, with
    ``theirs``, the rivals' customers with ``theirs[firm[id]]`` (each in increasing order).

    Each segment draws among its own members (``members[s]``, :func:`segment_members`) at
    its own rate's tier (raised to the rivals' largest probability where theirs is
    higher), from a stream of its own; the candidates are thinned per person by the
    mechanism's keyed uniforms, drawn only for the customers among them. The cost is
    that of the people a segment may choose, not of the whole market at the largest
    segment's rate.

    Examples
    --------
    >>> from womsim.engine.rng import Streams
    >>> seg = np.repeat(np.array([0, 1], dtype=np.int8), 50_000)
    >>> status = np.ones(seg.size, dtype=np.int8)  # everybody our customer
    >>> ours, _ = member_draw(Streams(1), "contact", 0, segment_members(seg, 2),
    ...                       np.array([0.01, 0.1]), status)
    >>> np.bincount(seg[ours]).tolist() == [ours[ours < 50_000].size, ours[ours >= 50_000].size]
    True
    >>> 400 < ours[ours < 50_000].size < 600 and 4500 < ours[ours >= 50_000].size < 5500
    True
    """
    top = float(theirs.max()) if theirs is not None and theirs.size else 0.0
    key = streams.key(mechanism, step, THIN)
    mine: list[np.ndarray] = []
    other: list[np.ndarray] = []
    for s, ids in enumerate(members):
        pos, q = sparse_candidates(streams, mechanism, step, ids.size, max(float(p[s]), top),
                                   part=s + 1)
        a, b = thin_to_customers(pos, q, key, status, float(p[s]), ids, theirs, firm)
        mine.append(a)
        other.append(b)
    return _merge(mine), (_merge(other) if theirs is not None else _EMPTY)


def tell_by_segment(wom: Any, tellers: np.ndarray, tellings: tuple[Telling, ...],
                    segment: np.ndarray, weak_share: float, step: int, stream: int
                    ) -> tuple[np.ndarray, int, int, int]:
    """One wave of tellings, each teller drawing its count from its segment's distribution
    (every draw keyed by teller: the listeners are those of per-segment waves)."""
    return wom.tell(tellers, tellings, weak_share, step, stream, segment=segment)


def by_segment(ids: np.ndarray, segment: np.ndarray, k: int,
               weights: np.ndarray | None = None) -> np.ndarray:
    """Counts (or sums of ``weights``) of ``ids`` per segment."""
    if ids.size == 0:
        return np.zeros(k)
    lab = segment[ids]
    if weights is None:
        return np.bincount(lab, minlength=k).astype(float)
    return np.bincount(lab, weights=weights[ids].astype(np.float64), minlength=k)


def by_segment_groups(groups: Sequence[np.ndarray], segment: np.ndarray, k: int,
                      weights: np.ndarray | None = None) -> np.ndarray:
    """Counts (or sums of ``weights``) of each group's ids per segment, as a
    ``(len(groups), k)`` array: one bincount for a step's records instead of one per record
    (each bin sums the same ids in the same order as :func:`by_segment` of its group).

    Examples
    --------
    >>> seg = np.array([0, 1, 1, 0], dtype=np.int8)
    >>> by_segment_groups([np.array([0, 1, 2]), np.array([3])], seg, 2).tolist()
    [[1.0, 2.0], [1.0, 0.0]]
    """
    sizes = [g.size for g in groups]
    if not sum(sizes):
        return np.zeros((len(groups), k))
    ids = np.concatenate(groups)
    lab = np.repeat(np.arange(len(groups)) * k, sizes) + segment[ids]
    w = None if weights is None else weights[ids].astype(np.float64)
    out = np.bincount(lab, weights=w, minlength=len(groups) * k)
    return out.astype(float, copy=False).reshape(len(groups), k)


def segment_views(sc: Scenario) -> tuple:
    """Each segment's view of ``sc`` (:func:`womsim.model.market.segment_view`)."""
    return tuple(segment_view(sc, s) for s in sc.segments)


def segment_params(sc: Scenario, base: Scenario,
                   step_params: Callable[..., StepParams]) -> SegmentParams:
    """The segments' numbers for a step of ``sc`` (``base``: interventions stripped), each
    from its view, with the baseline churn solved for (or kept by) the segment."""
    views, bases = segment_views(sc), segment_views(base)
    per = [step_params(v, b, segment_baseline(b, s.name))
           for v, b, s in zip(views, bases, sc.segments, strict=True)]
    return gather([s.name for s in sc.segments], per)


def segment_baseline(view: Scenario, name: str) -> float:
    """A segment view's baseline churn; a calibration failure names the segment."""
    try:
        return view.baseline_churn()
    except CalibrationError as err:
        raise CalibrationError(f"segment '{name}': {err}") from None


# placements on a graph with a target mixing: (network, settings) -> labels; the same
# market for every run (like the graph itself), and dear to find
_PLACED: list[tuple[object, tuple, np.ndarray]] = []


def place_segments(sc: Scenario, n: int, streams: Streams,
                   network: Network | None = None) -> np.ndarray:
    """Who is in which segment: exact shares, at random (from the run's seed) or, with
    ``market.segment_assortativity``, placed on the graph to meet it (the same placement
    for every run on that graph)."""
    shares = tuple(s.share for s in sc.segments)
    names = tuple(s.name for s in sc.segments)
    target = sc.market.segment_assortativity
    if target is None:
        return assign_segments(shares, streams.generator("segments"), n)
    if network is None:
        raise NetworkError(f"market.segment_assortativity = {target:g} needs a social graph, "
                         "but the run has none (well mixed)")
    key = (shares, float(target))
    for net, k, lab in _PLACED:
        if net is network and k == key:
            return lab.copy()
    lab = assign_segments(shares, np.random.default_rng([0x5E6, n]), n, network.indptr,
                          network.indices, network.block, target, names)
    _PLACED.append((network, key, lab))
    del _PLACED[:-4]
    return lab.copy()

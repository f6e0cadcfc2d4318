"""Exact solve of ``calibrate`` for ``recommend_share``: the delighted share.

``recommend_share`` is the share of service contacts after which the customer would
recommend: those that end delighted or with a complaint resolved, womsim's positive tellers
(docs/model.md). With the problem, complaint and resolution shares fixed, it fixes the
delighted share, ``service.delight_rate`` of the fixed mix, exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from womsim.core.errors import CalibrationError

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["recommend_of", "solve_recommend"]


def recommend_of(delighted: float, problem: float, complain: float, resolved: float
                 ) -> float:
    """Share of contacts after which the customer would recommend (delighted, or a
    complaint resolved).

    Examples
    --------
    >>> round(recommend_of(0.2, 0.1, 0.4, 0.5), 3)
    0.22
    """
    return delighted + problem * complain * resolved


def solve_recommend(sc: Scenario, t: dict[str, tuple[float, float]]) -> tuple[dict, dict[str, str]]:
    """The change ``recommend_share`` fixes (none without the target), and its source.

    Examples
    --------
    >>> from womsim.model.scenario import Scenario
    >>> sc = Scenario()
    >>> ch, _ = solve_recommend(sc, {"recommend_share": (0.3, 0.0)})
    >>> s, c = sc.service, sc.complaints
    >>> round(recommend_of(ch["service.delight_rate"], s.problem_rate, c.complain_rate,
    ...                    c.resolved), 12)
    0.3
    """
    if "recommend_share" not in t:
        return {}, {}
    if sc.desk is not None:
        raise CalibrationError(
            "target 'recommend_share' with a service desk: the desk's delighted share "
            "comes from its simulation (desk.delight_if_quick), which calibrate does not "
            "solve yet; calibrate without the desk or leave the target out")
    s, c = sc.service, sc.complaints
    delight = t["recommend_share"][0] - recommend_of(0.0, s.problem_rate,
                                                     c.complain_rate, c.resolved)
    if not 0 <= delight <= 1 - s.problem_rate:
        raise CalibrationError(
            f"target 'recommend_share' = {t['recommend_share'][0]:g}: with "
            f"{s.problem_rate:.1%} problems, {c.complain_rate:.0%} complained about and "
            f"{c.resolved:.0%} of those resolved it needs a delighted share of "
            f"{delight:.3g}, outside 0 to {1 - s.problem_rate:.3g}")
    return {"service.delight_rate": delight}, {"service.delight_rate": "recommend_share"}

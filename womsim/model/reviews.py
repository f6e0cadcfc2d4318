"""Online reviews: who posts a rating, how long it counts, and how much it moves prospects.

A review platform is word of mouth that persists and reaches every prospect: a share of
unhappy customers (silent or with an unresolved complaint) post a 1-star review, a share of
delighted customers and of recovered complainers post a 5-star one. Reviews lose weight with
age (a half-life); the reviews standing at the start count as ``initial_reviews`` reviews
averaging ``initial_rating``. Prospects see the average and their marketing conversion
moves with it: ``(1 + conversion_per_star) ** (rating - initial_rating)`` (Luca 2016, figure
``review_star_revenue``). One-star reviews weigh more than five-star ones (Chevalier &
Mayzlin 2006, figure ``review_negativity``): in a plain average a 1-star review already
pulls a 4-star rating three times as far as a 5-star one; ``negative_weight`` > 1 weighs
them up further in the rating prospects act on (no ratio was found: illustrative). The
engine's state is :mod:`womsim.engine.reviews`.

Examples
--------
>>> from womsim.model.reviews import Reviews
>>> Reviews().enabled
False
>>> Reviews(enabled=True, conversion_per_star=0.07).conversion(5.0, 4.0)
1.07
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import field_validator, model_validator

from womsim.model.meanfield import rates
from womsim.model.params import Part, no_coercion, param

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["NEGATIVE_STARS", "POSITIVE_STARS", "Reviews", "steady_count", "steady_rating"]

#: Stars of an unhappy customer's review and of a delighted or recovered customer's review.
NEGATIVE_STARS, POSITIVE_STARS = 1.0, 5.0


class Reviews(Part):
    """The online review channel (off by default; on in the restaurant and ecommerce
    presets)."""

    enabled: bool = param(False, unit="", basis="setting",
                          doc="whether customers post online reviews that move prospects")
    negative_post_share: float = param(
        0.10, ge=0, le=1, unit="share of unhappy customers", basis="illustrative",
        doc="share of unhappy customers (silent, or complaint unresolved) who post a 1-star "
            "review")
    positive_post_share: float = param(
        0.05, ge=0, le=1, unit="share of happy customers", basis="illustrative",
        doc="share of delighted customers and recovered complainers who post a 5-star "
            "review")
    initial_rating: float = param(
        4.0, ge=1, le=5, unit="stars", basis="client",
        doc="average rating shown at the start (the client's own); conversion is as stated "
            "at this rating")
    initial_reviews: float = param(
        500.0, ge=0, le=1e9, unit="reviews", basis="client",
        doc="number of reviews standing at the start (they age like new ones; "
            "derived.review_steady_count says how many today's posting keeps standing)")
    half_life_years: float = param(
        1.0, gt=0, le=100, unit="years", basis="illustrative",
        doc="age at which a review counts half in the average")
    conversion_per_star: float = param(
        0.07, ge=0, le=1, unit="share per star", basis="figure", figure="review_star_revenue",
        doc="relative change in prospects' marketing conversion per star of average rating "
            "(Luca: one star, 5-9% of revenue)")
    negative_weight: float = param(
        1.0, ge=1, le=100, unit="x a 5-star review", basis="illustrative",
        doc="extra weight of a 1-star review over a 5-star one in the rating prospects act "
            "on (1 = the plain average, in which a 1-star review already pulls a 4-star "
            "rating 3x as far as a 5-star one; Chevalier & Mayzlin give no ratio)")

    @field_validator("*", mode="before")
    @classmethod
    def _no_coercion(cls, v: Any, info: Any) -> Any:
        # the switch is the one true/false field of a scenario (Part refuses bools elsewhere)
        if info.field_name == "enabled":
            if not isinstance(v, (bool, np.bool_)):
                raise ValueError(f"expected true or false, got {v!r}")
            return bool(v)
        return no_coercion(cls, v, info)

    @model_validator(mode="before")
    @classmethod
    def _off_means_untouched(cls, data: Any) -> Any:
        # with the channel off no review setting is read: a value given then would be a
        # silent no-op, so it is refused, naming the switch
        if isinstance(data, dict) and not data.get("enabled", False):
            given = sorted(k for k, v in data.items() if k != "enabled" and k in
                           cls.model_fields and v != cls.model_fields[k].default)
            if given:
                raise ValueError(
                    f"reviews.{given[0]} = {data[given[0]]!r} is set but reviews.enabled is "
                    "false, so no review is posted and it would do nothing: set "
                    "reviews.enabled = true, or leave reviews." + given[0] + " at its default")
        return data

    @model_validator(mode="after")
    def _something_posts(self) -> Reviews:
        if self.enabled and self.negative_post_share == 0 and self.positive_post_share == 0:
            raise ValueError(
                "reviews.enabled is true but reviews.negative_post_share and "
                "reviews.positive_post_share are both 0: nobody posts, the rating never moves "
                "and the channel would do nothing; give a post share or switch it off")
        return self

    def conversion(self, rating: float, reference: float | None = None) -> float:
        """The factor on prospects' marketing conversion at ``rating`` (1 at ``reference``,
        by default ``initial_rating``): ``(1 + conversion_per_star) ** (rating - reference)``.

        Examples
        --------
        >>> round(Reviews(enabled=True).conversion(3.0), 4)   # a star below the start
        0.9346
        """
        ref = self.initial_rating if reference is None else reference
        return float((1.0 + self.conversion_per_star) ** (rating - ref))


def _posts_per_year(scenario) -> tuple[float, float]:
    """Unhappy and happy reviews posted per customer-year under the scenario's service."""
    rv = scenario.reviews
    r = rates(scenario.at(-1.0))
    return (r.negative_tellers_per_year * rv.negative_post_share,
            r.positive_tellers_per_year * rv.positive_post_share)


def steady_count(scenario: Scenario) -> float:
    """The number of reviews today's posting keeps standing, at the start's customers: the
    steady state of the engine's decayed count (compare ``reviews.initial_reviews``). NaN
    with the channel off.

    Examples
    --------
    >>> from womsim import Scenario
    >>> round(steady_count(Scenario.preset("restaurant")), -2)
    1400.0
    """
    rv = scenario.reviews
    if not rv.enabled:
        return float("nan")
    neg, pos = _posts_per_year(scenario)
    dt = scenario.simulation.dt
    customers = scenario.market.people * scenario.market.customer_share
    decay = 0.5 ** (dt / rv.half_life_years)
    # each step adds (neg + pos) C dt posts counting sqrt(decay); the rest decays
    return (neg + pos) * customers * dt * math.sqrt(decay) / (1.0 - decay)


def steady_rating(scenario: Scenario) -> float:
    """The average rating today's service holds in the long run (mean field, at the start):
    where the rating drifts from ``initial_rating`` when nothing changes. NaN with the channel
    off.

    Set the post shares so that it is the client's rating, unless the client's rating is
    known to be moving.

    Examples
    --------
    >>> from womsim import Scenario
    >>> round(steady_rating(Scenario.preset("restaurant")), 2)
    4.0
    """
    rv = scenario.reviews
    if not rv.enabled:
        return float("nan")
    neg, pos = _posts_per_year(scenario)
    if neg + pos <= 0:
        return rv.initial_rating
    return (neg * NEGATIVE_STARS + pos * POSITIVE_STARS) / (neg + pos)

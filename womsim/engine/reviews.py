"""The review platform's state in a run: decayed counts of reviews and the average they show.

Two numbers per firm: the decayed counts of 1-star and of 5-star reviews standing (the
reviews standing at the start are read as 1- and 5-star ones in the shares that give the
initial rating). Each step first sets prospects' conversion from the rating at the start of
the step, then adds the step's posts: every unhappy
customer (silent or unresolved) posts with probability ``negative_post_share``, every
delighted or recovered one with ``positive_post_share``, one keyed uniform each
(``review_post`` stream), so paired scenarios share who would post. Old weight decays by
``0.5 ** (dt / half_life)`` a step; a post counts ``sqrt`` of that at the end of its step
(it lands, on average, half-way through), so the step size changes the noise, not the
rating. The settings are :class:`womsim.model.reviews.Reviews`.

Examples
--------
>>> import numpy as np
>>> from womsim.model.reviews import Reviews
>>> from womsim.engine.rng import Streams
>>> rv = Reviews(enabled=True, initial_rating=4.0, initial_reviews=10)
>>> st = ReviewState.initial(rv)
>>> st.rating()
4.0
>>> n_neg, n_pos = st.post(rv, np.arange(50), np.arange(50, 60), Streams(1), 0, dt=7 / 365)
>>> bool(st.rating() < 4.0), n_neg + n_pos > 0
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from womsim.engine.rng import Streams
from womsim.model.reviews import NEGATIVE_STARS, POSITIVE_STARS, Reviews

__all__ = ["ReviewState"]


@dataclass
class ReviewState:
    """Decayed counts of 1-star and 5-star reviews of one firm (see the module docstring)."""

    negative: float   # decayed count of 1-star reviews standing
    positive: float   # decayed count of 5-star reviews standing
    reference: float  # the rating prospects act on at the start: conversion is 1 there

    @classmethod
    def initial(cls, reviews: Reviews) -> ReviewState:
        """``initial_reviews`` reviews averaging ``initial_rating``, read as 1- and 5-star
        reviews in the shares that give that average."""
        count = reviews.initial_reviews
        ones = (POSITIVE_STARS - reviews.initial_rating) / (POSITIVE_STARS - NEGATIVE_STARS)
        st = cls(count * ones, count * (1.0 - ones), reviews.initial_rating)
        st.reference = st.rating(reviews.negative_weight)
        return st

    def count(self) -> float:
        """The decayed number of reviews standing (what the average rests on)."""
        return self.negative + self.positive

    def rating(self, negative_weight: float = 1.0) -> float:
        """The average rating shown; with ``negative_weight`` > 1 the one prospects act on
        (1-star reviews weighted up). The reference while no review stands."""
        w = negative_weight * self.negative + self.positive
        if w <= 0:
            return self.reference
        return (negative_weight * self.negative * NEGATIVE_STARS
                + self.positive * POSITIVE_STARS) / w

    def conversion(self, reviews: Reviews) -> float:
        """The factor on prospects' marketing conversion this step (1 at the start)."""
        return reviews.conversion(self.rating(reviews.negative_weight), self.reference)

    def best(self, reviews: Reviews) -> float:
        """The largest factor any rating can give (at 5 stars)."""
        return reviews.conversion(POSITIVE_STARS, self.reference)

    def post(self, reviews: Reviews, unhappy: np.ndarray, happy: np.ndarray,
             streams: Streams, step: int, dt: float) -> tuple[int, int]:
        """Age the reviews by one step and add this step's posts; returns the numbers posted."""
        decay = 0.5 ** (dt / reviews.half_life_years)
        n_neg = _posters(streams, step, unhappy, reviews.negative_post_share, 0)
        n_pos = _posters(streams, step, happy, reviews.positive_post_share, 1)
        fresh = math.sqrt(decay)
        self.negative = self.negative * decay + n_neg * fresh
        self.positive = self.positive * decay + n_pos * fresh
        return n_neg, n_pos


def _posters(streams: Streams, step: int, ids: np.ndarray, share: float, sign: int) -> int:
    if ids.size == 0 or share <= 0:
        return 0
    return int(np.count_nonzero(streams.uniform("review_post", step, ids, extra=sign) < share))

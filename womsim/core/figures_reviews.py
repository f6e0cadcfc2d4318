"""The research figures behind the online review channel (:mod:`womsim.model.reviews`).

Kept apart from :mod:`womsim.core.figures` (which turns each entry into a
:class:`~womsim.core.figures.Figure`) so that the registry stays one readable page. Neither
paper is among the sources this project was built from: both were seen only through
abstracts and summaries, so their status is "secondary" and each caveat says so.
"""

from __future__ import annotations

__all__ = ["REVIEW_FIGURES"]

_NOT_HERE = "Not verified against the source here: seen through the abstract and summaries."

#: Keyword arguments of one :class:`~womsim.core.figures.Figure` per entry.
REVIEW_FIGURES: tuple[dict, ...] = (
    {
        "key": "review_star_revenue",
        "name": "Revenue change per star of online rating",
        "value": 0.07, "low": 0.05, "high": 0.09, "unit": "share per star",
        "quoted": "(not in the articles)",
        "research": (
            "A one-star increase in a restaurant's Yelp rating leads to a 5-9% increase in "
            "revenue, for independent restaurants; chains are not affected. Identified from "
            "Yelp rounding ratings to half stars (restaurants just above and below a "
            "rounding threshold compared)."
        ),
        "source": (
            "Luca, 'Reviews, Reputation, and Revenue: The Case of Yelp.com', Harvard Business "
            "School working paper 12-016 (2011, revised 2016)"
        ),
        "year": 2011,
        "population": "Seattle restaurants, 2003-2009 (state revenue records, Yelp ratings)",
        "status": "secondary",
        "caveat": (
            f"{_NOT_HERE} One city, restaurants; no effect for chains, so use 0 for a "
            "well-known brand. womsim applies it to prospects' marketing conversion (per "
            "star, compounding), which moves revenue by about as much once the customer "
            "base has settled; 0.07 is the middle of the range."
        ),
    },
    {
        "key": "review_negativity",
        "name": "One-star reviews weigh more than five-star reviews",
        "value": None, "low": None, "high": None, "unit": "-",
        "quoted": "(not in the articles)",
        "research": (
            "An improvement in a book's reviews raises its relative sales at that site; for "
            "most samples the impact of one-star reviews is greater than that of five-star "
            "reviews; reviews are overwhelmingly positive."
        ),
        "source": (
            "Chevalier & Mayzlin, 'The Effect of Word of Mouth on Sales: Online Book "
            "Reviews', Journal of Marketing Research 43(3), 345-354, 2006"
        ),
        "year": 2006,
        "population": "books sold at Amazon.com and Barnesandnoble.com",
        "status": "secondary",
        "caveat": (
            f"{_NOT_HERE} It gives the direction, not a ratio. In womsim's plain average a "
            "one-star review already pulls a 4-star rating three times as far as a "
            "five-star one; reviews.negative_weight (default 1) weighs one-star reviews up "
            "further and is illustrative."
        ),
    },
)

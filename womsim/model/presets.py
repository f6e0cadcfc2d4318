"""Ready-made scenarios for common industries.

Each preset states its observables (what the client would know: annual churn, customers,
revenue) and a one-line rationale. Numbers not backed by a research figure are the
illustrative choices of a typical client in that industry; ``Scenario.assumptions()`` labels
them so. Replace them with the client's own numbers.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["PRESETS", "presets_table"]

PRESETS: dict[str, dict] = {
    "telecom": {
        "rationale": "Mobile/broadband operator: ~25% annual churn (FIGURES: telecom and "
                     "finance churn can exceed 25%), frequent contacts, many complain.",
        "scenario": {
            "name": "telecom",
            "description": "Mobile operator, 100k-person market, 30% share, 25% annual churn.",
            "market": {"people": 100_000, "customer_share": 0.30, "no_alternative_share": 0.05,
                       "observed_annual_churn": 0.25, "marketing_rate": 0.12,
                       "winback_rate": 0.05, "mean_degree": 10},
            "service": {"contact_rate": 2.5, "problem_rate": 0.15, "delight_rate": 0.15},
            "complaints": {"complain_rate": 0.50, "resolved": 0.55, "quick_share": 0.40},
            "economics": {"revenue_per_year": 600.0, "margin": 0.35,
                          "retention_cost_per_year": 60.0, "cost_per_contact": 6.0},
        },
    },
    "retail_bank": {
        "rationale": "Retail current accounts: sticky customers (~12% annual churn), high "
                     "value per customer, some with no practical alternative.",
        "scenario": {
            "name": "retail_bank",
            "description": "Retail bank, 100k-person market, 20% share, 12% annual churn.",
            "market": {"people": 100_000, "customer_share": 0.20, "no_alternative_share": 0.15,
                       "observed_annual_churn": 0.12, "marketing_rate": 0.04,
                       "winback_rate": 0.02},
            "service": {"contact_rate": 3.0, "problem_rate": 0.08, "delight_rate": 0.20},
            "complaints": {"complain_rate": 0.40, "resolved": 0.60, "quick_share": 0.50},
            "economics": {"revenue_per_year": 300.0, "margin": 0.50,
                          "retention_cost_per_year": 50.0, "cost_per_contact": 8.0},
        },
    },
    "retail_bank_challenger": {
        "rationale": "Retail bank with consumer and business customers and one digital "
                     "challenger: business customers pay 8x as much, call twice as often "
                     "and complain more; they know each other (segment assortativity 0.2, "
                     "an illustrative size for the revenue assortativity Haenlein & Libai "
                     "report); the challenger serves better (4% problems), charges less and "
                     "takes half of the bank's leavers. Churn 12% (consumer) and 10% "
                     "(business) a year, each calibrated on its own.",
        "scenario": {
            "name": "retail_bank_challenger",
            "description": "Retail bank, 100k-person market (85% consumer, 15% business), "
                           "20% share, one challenger with 8%.",
            "market": {"people": 100_000, "customer_share": 0.20, "no_alternative_share": 0.15,
                       "observed_annual_churn": 0.12, "marketing_rate": 0.04,
                       "winback_rate": 0.02, "network": "communities",
                       "segment_assortativity": 0.2},
            "service": {"contact_rate": 3.0, "problem_rate": 0.08, "delight_rate": 0.20},
            "complaints": {"complain_rate": 0.40, "resolved": 0.60, "quick_share": 0.50},
            "economics": {"revenue_per_year": 300.0, "margin": 0.50,
                          "retention_cost_per_year": 50.0, "cost_per_contact": 8.0},
            "segments": [
                {"name": "consumer", "share": 0.85},
                {"name": "business", "share": 0.15, "revenue_per_year": 2400.0,
                 "revenue_sigma": 0.9, "contact_rate": 6.0, "problem_rate": 0.06,
                 "complain_rate": 0.7, "resolved": 0.7, "observed_annual_churn": 0.10,
                 "negative_mean": 12.0},
            ],
            "rivals": [
                {"name": "challenger", "customer_share": 0.08, "contact_rate": 2.0,
                 "problem_rate": 0.04, "delight_rate": 0.35, "complain_rate": 0.3,
                 "resolved": 0.75, "quick_share": 0.7, "baseline_churn": 0.10,
                 "revenue_per_year": 240.0, "marketing_rate": 0.06, "takes_leavers": 0.5,
                 "loses_to_us": 0.25},
            ],
        },
    },
    "ecommerce": {
        "rationale": "Online shop: repeat buyers churn fast (~40%/yr), delivery problems are "
                     "common, reviews spread stories to strangers (high weak-tie share). "
                     "Online reviews on: prospects read the shop's rating before buying "
                     "(Luca: ~7% of revenue per star); shops ask every buyer for a review, "
                     "so happy buyers post more often than in a restaurant; post shares set "
                     "so that today's service holds the 4.2 stars (and ~1,100 reviews) it "
                     "starts at.",
        "scenario": {
            "name": "ecommerce",
            "description": "Online retailer, 100k-person market, 25% buy, 40% annual churn.",
            "market": {"people": 100_000, "customer_share": 0.25, "no_alternative_share": 0.02,
                       "observed_annual_churn": 0.40, "marketing_rate": 0.20,
                       "winback_rate": 0.10},
            "service": {"contact_rate": 0.8, "problem_rate": 0.20, "delight_rate": 0.20},
            "complaints": {"complain_rate": 0.35, "resolved": 0.70, "quick_share": 0.50},
            "word_of_mouth": {"weak_tie_share": 0.30},
            "reviews": {"enabled": True, "initial_rating": 4.2, "initial_reviews": 1100.0,
                        "negative_post_share": 0.05, "positive_post_share": 0.12},
            "economics": {"revenue_per_year": 250.0, "margin": 0.25,
                          "retention_cost_per_year": 10.0, "cost_per_contact": 4.0},
        },
    },
    "saas": {
        "rationale": "B2B software for small firms: high value, ~15% annual logo churn, "
                     "frequent support tickets, most customers complain when stuck.",
        "scenario": {
            "name": "saas",
            "description": "SaaS vendor, 20k potential accounts, 10% share, 15% annual churn.",
            "market": {"people": 20_000, "customer_share": 0.10, "no_alternative_share": 0.10,
                       "observed_annual_churn": 0.15, "marketing_rate": 0.03,
                       "winback_rate": 0.02, "mean_degree": 6},
            "service": {"contact_rate": 4.0, "problem_rate": 0.10, "delight_rate": 0.25},
            "complaints": {"complain_rate": 0.60, "resolved": 0.70, "quick_share": 0.50},
            "economics": {"revenue_per_year": 6000.0, "margin": 0.75,
                          "retention_cost_per_year": 400.0, "cost_per_contact": 25.0},
        },
    },
    "restaurant": {
        "rationale": "Local restaurant group: every visit is a service contact, few complain "
                     "(most just do not come back), regulars drift away (~35%/yr). Online "
                     "reviews on: Luca's Yelp study (one star ~5-9% of revenue) is of "
                     "independent restaurants; unhappy diners post more often than happy "
                     "ones, in shares that keep today's 4.0 stars (and ~1,400 reviews) steady.",
        "scenario": {
            "name": "restaurant",
            "description": "Restaurant group, 50k locals, 15% regulars, 35% annual churn.",
            "market": {"people": 50_000, "customer_share": 0.15, "no_alternative_share": 0.0,
                       "observed_annual_churn": 0.35, "marketing_rate": 0.10,
                       "winback_rate": 0.05},
            "service": {"contact_rate": 6.0, "problem_rate": 0.06, "delight_rate": 0.25},
            "complaints": {"complain_rate": 0.15, "resolved": 0.70, "quick_share": 0.80},
            "word_of_mouth": {"weak_tie_share": 0.25},
            "reviews": {"enabled": True, "initial_rating": 4.0, "initial_reviews": 1400.0,
                        "negative_post_share": 0.10, "positive_post_share": 0.063},
            "economics": {"revenue_per_year": 300.0, "margin": 0.15,
                          "retention_cost_per_year": 5.0, "cost_per_contact": 0.0},
        },
    },
}


def presets_table() -> pd.DataFrame:
    """One row per preset: rationale and the observables it is calibrated to.

    Examples
    --------
    >>> float(presets_table().loc["telecom", "annual churn"])
    0.25
    """
    rows = {}
    for name, p in PRESETS.items():
        sc = p["scenario"]
        rows[name] = {
            "rationale": p["rationale"],
            "people": sc["market"]["people"],
            "customer share": sc["market"]["customer_share"],
            "annual churn": sc["market"]["observed_annual_churn"],
            "revenue per customer": sc["economics"]["revenue_per_year"],
        }
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "preset"
    return df

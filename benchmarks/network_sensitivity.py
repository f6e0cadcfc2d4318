"""How much the social graph moves the answer: the table of ``docs/validation_network.md``.

The telecom preset at the size of the SNAP ego-Facebook graph (4,039 people), two years
weekly, on several graphs, with and without a clustered customer base, retelling and more
weak ties; for each, the value today's service loses (``womsim.lost_revenue``: a present
value, lifetimes included) and the price of one unresolved complaint, each with its 95%
interval over paired runs, and what the graph did (the friend-share homophily after the
first step, the share of negative stories told to strangers and the share left untold).

The SNAP graph is not shipped with womsim; give its edge list (``facebook_combined.txt``
from https://snap.stanford.edu/data/ego-Facebook.html) with ``--snap`` to add its row.
Without it the "Facebook-like" small world (mean degree 44, clustering 0.53, like the SNAP
graph's 43.7 and 0.52, but with narrow degrees) stands in.

Examples
--------
::

    python -m benchmarks.network_sensitivity --runs 20 --snap facebook_combined.txt \\
        --out benchmarks/results/network_sensitivity.md
    python -m benchmarks.network_sensitivity --runs 10 --only reviews   # one variant
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from pathlib import Path

import pandas as pd

import womsim as wom
from womsim.core.errors import NetworkError
from womsim.runner.simulate import FewRunsWarning

PEOPLE = 4039  # the SNAP ego-Facebook graph's size

VARIANTS = {
    "as is": {},
    "clustered customers (H = 0.3)": {"market.customer_clustering": 0.3},
    "retelling (0.3, 3 hops)": {"word_of_mouth.retell_prob": 0.3, "word_of_mouth.max_hops": 3},
    "clustered + retelling": {"market.customer_clustering": 0.3,
                              "word_of_mouth.retell_prob": 0.3, "word_of_mouth.max_hops": 3},
    "no weak ties (share 0)": {"word_of_mouth.weak_tie_share": 0.0},
    "weak-tie share 0.5": {"word_of_mouth.weak_tie_share": 0.5},
    # online reviews on, at a steady rating (docs/model.md, "Online reviews"): 1-star posts
    # at the default share 0.10, 5-star posts at 0.17, so that today's service holds the
    # initial 4.0 stars (derived.review_steady_rating 4.00), starting from the 190 reviews
    # it keeps standing on this market (derived.review_steady_count)
    "online reviews (4.0 stars steady)": {"reviews.enabled": True,
                                          "reviews.negative_post_share": 0.10,
                                          "reviews.positive_post_share": 0.17,
                                          "reviews.initial_rating": 4.0,
                                          "reviews.initial_reviews": 190.0},
}


def networks(snap: str | None, seed: int = 1) -> dict[str, wom.Network | None]:
    """The graphs compared, all of ``PEOPLE`` people (None: well mixed)."""
    out: dict[str, wom.Network | None] = {}
    if snap:
        out["SNAP ego-Facebook"] = wom.Network.from_edgelist(snap)
    out["Facebook-like small world (k = 44, p = 0.1)"] = wom.Network.small_world(
        PEOPLE, k=44, p=0.1, seed=seed)
    out["random, mean degree 44"] = wom.Network.random(PEOPLE, mean_degree=44, seed=seed)
    out["small world (k = 10, p = 0.1)"] = wom.Network.small_world(PEOPLE, k=10, p=0.1,
                                                                   seed=seed)
    out["scale-free (m = 5)"] = wom.Network.scale_free(PEOPLE, m=5, seed=seed)
    out["random, mean degree 10"] = wom.Network.random(PEOPLE, mean_degree=10, seed=seed)
    out["well mixed (no graph)"] = None
    return out


def cell(sc: wom.Scenario, net, runs: int, seed: int) -> dict:
    """Value lost and the unresolved-complaint price, with intervals, and what spread."""
    lr = wom.lost_revenue(sc, network=net, runs=runs, seed=seed, executor="serial",
                          progress=False)
    tot = lr.total()
    inc = pd.DataFrame(lr.per_incident()).loc["per unresolved complaint"]
    rec = lr.today.records
    strong, weak = rec["neg_tellings_strong"].sum(), rec["neg_tellings_weak"].sum()
    untold = rec["neg_untold"].sum()
    cc = lr.today.customer_clustering()
    return {"value_lost": tot["value_lost"], "value_lo": tot["ci_low"],
            "value_hi": tot["ci_high"], "per_unresolved": float(inc["mean"]),
            "unres_lo": float(inc["ci_low"]), "unres_hi": float(inc["ci_high"]),
            "homophily": float(cc.loc["first step", "homophily"]),
            "stranger_share": weak / (strong + weak) if strong + weak else math.nan,
            "untold_share": untold / (strong + weak + untold) if strong + weak + untold
            else math.nan}


def table(runs: int, seed: int, snap: str | None,
          variants: dict[str, dict] | None = None) -> pd.DataFrame:
    """Every graph x variant (``variants``: a subset of :data:`VARIANTS`, default all)."""
    base = wom.Scenario.preset("telecom").replace(**{"market.people": PEOPLE})
    rows = []
    for gname, net in networks(snap).items():
        for vname, changes in (VARIANTS if variants is None else variants).items():
            row = {"network": gname, "variant": vname}
            kind = {"market.network": "well_mixed"} if net is None else {}
            try:
                sc = base.replace(**{**kind, **changes})
                row.update(cell(sc, net, runs, seed))
            except (NetworkError, wom.ScenarioError) as err:
                row["note"] = str(err).split(":")[0]
            rows.append(row)
            print(f"{gname:45s} {vname:32s} {row.get('value_lost', math.nan):>14,.0f} "
                  f"{row.get('per_unresolved', math.nan):>8,.0f}", flush=True)
    return pd.DataFrame(rows)


def markdown(df: pd.DataFrame, runs: int) -> str:
    """The table as Markdown, intervals beside each figure."""
    lines = ["| network | variant | value lost, USD PV (95% CI) | per unresolved complaint, "
             "USD (95% CI) | homophily after step 1 | negative stories to strangers | "
             "left untold |", "|---|---|---:|---:|---:|---:|---:|"]
    for _, r in df.iterrows():
        if isinstance(r.get("note"), str):
            lines.append(f"| {r['network']} | {r['variant']} | refused: {r['note']} | | | | |")
            continue
        lines.append(
            f"| {r['network']} | {r['variant']} | {r['value_lost']:,.0f} "
            f"({r['value_lo']:,.0f} to {r['value_hi']:,.0f}) | {r['per_unresolved']:,.0f} "
            f"({r['unres_lo']:,.0f} to {r['unres_hi']:,.0f}) | {r['homophily']:.2f} | "
            f"{r['stranger_share']:.0%} | {r['untold_share']:.0%} |")
    lines.append("")
    lines.append(f"Telecom preset, {PEOPLE:,} people, 2 years weekly, {runs} paired runs "
                 "per cell (today against no problems, common random numbers).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--snap", default=None, help="path of SNAP's facebook_combined.txt")
    ap.add_argument("--out", default=None, help="write the Markdown table here")
    ap.add_argument("--only", default=None, metavar="TEXT",
                    help="run only the variants whose name contains TEXT (e.g. 'reviews')")
    args = ap.parse_args(argv)
    variants = None
    if args.only is not None:
        variants = {k: v for k, v in VARIANTS.items() if args.only.lower() in k.lower()}
        if not variants:
            ap.error(f"--only {args.only!r} matches no variant; variants: "
                     + ", ".join(VARIANTS))
    warnings.simplefilter("ignore", FewRunsWarning)
    t = time.perf_counter()
    df = table(args.runs, args.seed, args.snap, variants)
    text = markdown(df, args.runs)
    print(text)
    print(f"({time.perf_counter() - t:.0f} s)")
    if args.out:
        Path(args.out).write_text(text + "\n")
        df.to_csv(Path(args.out).with_suffix(".csv"), index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

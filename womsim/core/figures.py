"""Research figures behind womsim's defaults, with their sources and how sure we are of each.

Consultants show these numbers to clients, so every figure carries what the popular articles
quote, what the research actually says, the source, who was surveyed, a status and a caveat:

* ``"verified"``: a primary or solid secondary source was seen;
* ``"secondary"``: only secondary sources were seen;
* ``"unverified"``: no source was found; keep it "as quoted", never as fact.

Defaults that no research supports (a retelling probability, a memory period...) are *not*
figures: scenarios label them "illustrative".

Examples
--------
>>> from womsim import figures
>>> figures.get("negative_tells").value
9.0
>>> figures.table(status="unverified").index[:2].tolist()
['negative_tells_tail', 'service_price_premium']
"""

from __future__ import annotations

import html
import math
import types
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from womsim.core.errors import WomsimError, unknown_key
from womsim.core.figures_reviews import REVIEW_FIGURES

__all__ = ["FIGURES", "STATUSES", "Figure", "get", "keys", "table"]

#: Allowed values of :attr:`Figure.status`, from most to least solid.
STATUSES: tuple[str, ...] = ("verified", "secondary", "unverified")

_COLUMNS: tuple[str, ...] = (
    "name", "value", "low", "high", "unit", "status", "quoted", "research", "source",
    "year", "population", "caveat",
)


@dataclass(frozen=True)
class Figure:
    """One research figure: its value and range, where it comes from and how solid it is.

    Parameters
    ----------
    key : str
        Identifier used by :func:`get` and by scenarios (``"negative_tells"``).
    name : str
        Short human title.
    value : float or None
        The number the model uses as a default, or None where the research gives no single
        number.
    low, high : float or None
        Range seen in the sources (None where there is none).
    unit : str
        ``"people"``, ``"share"``, ``"ratio"``, ``"USD bn/yr"``...
    quoted : str
        The figure as the popular articles quote it.
    research : str
        What the research actually says.
    source : str
        Where it comes from.
    year : int or None
        Year of the (earliest) source.
    population : str
        Who was surveyed or measured.
    status : {"verified", "secondary", "unverified"}
        How solid the figure is.
    caveat : str
        What to say when showing it to a client.

    Examples
    --------
    >>> f = Figure("x", "An example", 0.5, 0.4, 0.6, "share", "half", "about half",
    ...            "nobody", None, "none", "unverified", "made up")
    >>> f.value, f.status
    (0.5, 'unverified')
    >>> Figure("x", "bad", 0.5, None, None, "share", "", "", "", None, "", "sure", "")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    womsim.core.errors.WomsimError: figure 'x': status 'sure' is not one of verified, ...
    """

    key: str
    name: str
    value: float | None
    low: float | None
    high: float | None
    unit: str
    quoted: str
    research: str
    source: str
    year: int | None
    population: str
    status: str
    caveat: str

    def __post_init__(self) -> None:
        where = f"figure '{self.key}'"
        if not self.key or not self.key.isidentifier():
            raise WomsimError(f"{where}: the key must be a Python identifier")
        if self.status not in STATUSES:
            raise WomsimError(
                f"{where}: status '{self.status}' is not one of {', '.join(STATUSES)}"
            )
        for field in ("value", "low", "high"):
            number = getattr(self, field)
            if number is None:
                continue
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                raise WomsimError(f"{where}: {field} must be a number or None, got {number!r}")
            if not math.isfinite(number):
                raise WomsimError(f"{where}: {field} must be finite, got {number!r}")
            # Store floats so that value 9 and 9.0 compare and print alike.
            object.__setattr__(self, field, float(number))
        if self.low is not None and self.high is not None and self.low > self.high:
            raise WomsimError(f"{where}: low {self.low} is above high {self.high}")
        if self.value is not None:
            if self.low is not None and self.value < self.low:
                raise WomsimError(f"{where}: value {self.value} is below low {self.low}")
            if self.high is not None and self.value > self.high:
                raise WomsimError(f"{where}: value {self.value} is above high {self.high}")
        year = self.year
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise WomsimError(f"{where}: year must be an int or None, got {self.year!r}")

    def to_dict(self) -> dict[str, Any]:
        """Return the figure as a plain dict (field name -> value).

        Examples
        --------
        >>> get("act_on_wom").to_dict()["status"]
        'unverified'
        """
        return asdict(self)

    def _range_text(self) -> str:
        if self.low is None and self.high is None:
            return ""
        low = "?" if self.low is None else f"{self.low:g}"
        high = "?" if self.high is None else f"{self.high:g}"
        return f"{low}-{high}"

    def __repr__(self) -> str:
        value = "no single value" if self.value is None else f"{self.value:g}"
        span = self._range_text()
        span = f" (range {span})" if span else ""
        year = f", {self.year}" if self.year is not None else ""
        return (
            f"<Figure {self.key}: {value} {self.unit}{span}, {self.status}{year}; "
            f"{self.name}>"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
            f"<td style='text-align:left'>{html.escape(text)}</td></tr>"
            for label, text in (
                ("figure", f"{self.name} ({self.key})"),
                ("value", "-" if self.value is None else f"{self.value:g} {self.unit}"),
                ("range", self._range_text() or "-"),
                ("status", self.status),
                ("as quoted", self.quoted),
                ("research says", self.research),
                ("source", self.source + (f" ({self.year})" if self.year else "")),
                ("population", self.population),
                ("caveat", self.caveat),
            )
        )
        return f"<table>{rows}</table>"


def _repurchase(size: str, outcome: str, value: float) -> Figure:
    """One cell of TARP's repurchase table, as its own figure (the engine uses them)."""
    if size == "small":
        loss, source, year = (
            "small loss (under $5)",
            "TARP, reported in the Washington Post, 14 Oct 1984; table in Fast Company (2003)",
            1984,
        )
    else:
        loss, source, year = (
            "large loss (over $100)",
            "TARP, table reported in Fast Company (2003)",
            2003,
        )
    label = {
        "silent": "did not complain",
        "unresolved": "complained, not satisfied with the response",
        "resolved": "complained, satisfied with the response",
        "resolved_quickly": "complained, satisfied quickly",
    }[outcome]
    return Figure(
        key=f"repurchase_{size}_{outcome}",
        name=f"Would buy again, {loss}: {label}",
        value=value,
        low=None,
        high=None,
        unit="share",
        quoted="(not quoted on its own; see repurchase_by_outcome)",
        research=f"{value:.0%} of customers with a {loss} problem who {label} would buy again",
        source=source,
        year=year,
        population=f"US consumers who had a {loss} problem",
        status="verified",
        caveat=(
            "Stated intention to buy again, not observed behaviour; intentions usually "
            "overstate loyalty. Calibrate baseline churn to the client's observed churn."
        ),
    )


_ALL: tuple[Figure, ...] = (
    Figure(
        key="negative_tells",
        name="People an unhappy customer tells",
        value=9, low=8, high=10, unit="people",
        quoted="An unhappy customer tells at least 9 others",
        research=(
            "Dissatisfied complainants told 9-10 people; TARP's head says an unhappy customer "
            "tells 10. Later surveys report more: 16 (AmEx 2011), 24 (AmEx 2012), about 28 "
            "(Customer Rage 2013)."
        ),
        source=(
            "TARP, Measuring the Grapevine, for Coca-Cola (c.1980); Washington Post, "
            "14 Oct 1984; American Express Service Barometer 2011, 2012; Customer Care "
            "Measurement & Consulting, Customer Rage study 2013"
        ),
        year=1980,
        population="US complainants about packaged-goods (soft drink) problems, self-reported",
        status="verified",
        caveat=(
            "Self-reported, among complainants, packaged goods, 1980s. Surveys from 2011-2013 "
            "(online era) report 16-28; use those for a high scenario."
        ),
    ),
    Figure(
        key="negative_tells_tail",
        name="Share of unhappy customers who tell more than 20 people",
        value=0.13, low=0.13, high=0.20, unit="share",
        quoted="13% of unhappy customers tell more than 20 people",
        research="No primary source found; a popular variant says 1 in 5 tells 20.",
        source="secondary only (popular articles)",
        year=None,
        population="unknown",
        status="unverified",
        caveat=(
            "Used only to shape the tail of the negative telling distribution. With a mean of "
            "9, no negative binomial puts more than about 13.8% above 20, so the 1-in-5 "
            "variant cannot be combined with a mean of 9 in that family."
        ),
    ),
    Figure(
        key="positive_tells",
        name="People a satisfied customer tells",
        value=3.5, low=3, high=5, unit="people",
        quoted="A customer with satisfying ('silent') service tells 3-4 others",
        research=(
            "Satisfied complainants told 4-5 people (TARP). Later surveys report more: "
            "9 (AmEx 2011), 15 (AmEx 2012)."
        ),
        source="TARP for Coca-Cola (c.1980); American Express Service Barometer 2011, 2012",
        year=1980,
        population="US complainants whose complaint was handled to their satisfaction",
        status="secondary",
        caveat=(
            "The 3-4 wording is unverified; TARP's own figure for satisfied complainants is "
            "4-5. 3.5 keeps the articles' figure; use 4.5 for TARP's. No figure exists for "
            "the spread (tail) of positive telling."
        ),
    ),
    Figure(
        key="acquisition_cost_ratio",
        name="Cost of winning a customer relative to keeping one",
        value=5, low=2, high=20, unit="ratio",
        quoted="A new customer costs up to 5 times as much as keeping an existing one",
        research=(
            "Folklore figure; earliest trace TARP in the late 1980s; repeated by Hart, Heskett "
            "& Sasser (HBR 1990). Keiningham et al., Loyalty Myths (2005), myth #8, call it "
            "unproven. Usually quoted as 5-10x."
        ),
        source="Hart, Heskett & Sasser, HBR 1990; Keiningham et al., Loyalty Myths, 2005",
        year=1990,
        population="none (no study behind the ratio was found)",
        status="secondary",
        caveat=(
            "Contested: a scenario parameter, not a fact. Replace it with the client's own "
            "acquisition and retention costs."
        ),
    ),
    Figure(
        key="service_price_premium",
        name="Price premium for great service",
        value=0.09, low=0.09, high=0.13, unit="share",
        quoted="Service leaders charge up to 9% more and grow twice as fast",
        research=(
            "Nearest: 58% of US consumers say they would spend on average 9% more with "
            "companies that give great service (2010); 70% and 13% more in 2011. Stated "
            "willingness to pay, not pricing; 'grow twice as fast' was not found."
        ),
        source="American Express Global Customer Service Barometer 2010, 2011",
        year=2010,
        population="US consumers (survey)",
        status="unverified",
        caveat=(
            "Unverified as quoted. The AmEx figure is a verified survey of stated willingness "
            "to pay, not of prices actually charged."
        ),
    ),
    Figure(
        key="very_dissatisfied_loyalty_drop",
        name="Loyalty drop when very dissatisfied",
        value=0.87, low=None, high=None, unit="share (points)",
        quoted="Loyalty drops 87 percentage points when customers are 'very dissatisfied'",
        research=(
            "Not found. CTMA (a New Zealand consultancy) material says loyalty drops about 25% "
            "after a problem and the very- vs somewhat-satisfied gap reaches 50%."
        ),
        source="ctmaworld.com (proprietary)",
        year=None,
        population="unknown",
        status="unverified",
        caveat="Not found; do not quote as fact. womsim does not use it.",
    ),
    Figure(
        key="us_cost_of_poor_service",
        name="Yearly cost of poor service to US companies",
        value=83, low=41, high=83, unit="USD bn/yr",
        quoted="Poor service costs US companies $84 billion a year",
        research=(
            "$83bn a year ($32.4bn of business abandoned plus $50.6bn lost to competitors; "
            "$289 per lost relationship); $338.5bn worldwide."
        ),
        source=(
            "Genesys with Greenfield Online / Datamonitor, The Cost of Poor Customer Service, "
            "Oct 2009"
        ),
        year=2009,
        population="consumers surveyed online for a vendor",
        status="verified",
        caveat=(
            "Verified as a vendor survey. The '$84bn' of the articles looks like a misquote of "
            "$83bn; other vendor studies put it at $41-75bn."
        ),
    ),
    Figure(
        key="avoid_after_poor_service",
        name="Share who avoid a company after poor service",
        value=0.77, low=0.47, high=0.77, unit="share",
        quoted="77% avoid the company after poor service when an alternative exists",
        research=(
            "Not found as quoted. Nearby: 77% share bad experiences and 47% have boycotted a "
            "company (YouGov UK, n=2,082); 76% switch after one bad experience (Acquia 2019); "
            "58% never return (NewVoiceMedia)."
        ),
        source="secondary: YouGov UK; Acquia 2019; NewVoiceMedia",
        year=None,
        population="UK and US consumers (various online surveys)",
        status="unverified",
        caveat=(
            "Unverified as quoted. womsim takes defection after a problem from TARP's "
            "repurchase table instead."
        ),
    ),
    Figure(
        key="annual_churn_telecom_finance",
        name="Annual churn in telecom and financial services",
        value=0.25, low=0.10, high=0.32, unit="share/yr",
        quoted="Churn in communications and finance can exceed 25%",
        research=(
            "Listed as 25% (telecom) and 26% (financial services) a year; post-paid telecom "
            "5-32% a year; US telecom 2022 about 1.6% a month (about 18.5% a year)."
        ),
        source="secondary (industry churn listings)",
        year=None,
        population="telecom and financial-services customers",
        status="secondary",
        caveat=(
            "Definitions vary (monthly vs annual, contract vs prepaid). A calibration target "
            "(a preset's observable), not a model input."
        ),
    ),
    Figure(
        key="complaint_rate",
        name="Share of customers with a problem who complain to the company",
        value=1 / 7, low=0.02, high=0.69, unit="share",
        quoted=(
            "For every customer who complains many stay silent ('96% never complain', "
            "'26 silent for each complaint')"
        ),
        research=(
            "1979 national study: 69% of households complained to someone about their most "
            "serious problem; head-office complaints run from 1 per 6 silent to 1 per 49 "
            "silent (grocery items, written complaints, A.C. Nielsen)."
        ),
        source=(
            "US Office of Consumer Affairs / TARP, Consumer Complaint Handling in America, "
            "1979 final report (N=2,513), and 1986 update"
        ),
        year=1979,
        population="US households, most serious consumer problem in the past year",
        status="verified",
        caveat=(
            "Depends strongly on problem severity and on whom the complaint reaches. The "
            "default 1/7 = 0.14 is 1 complainer per 6 silent, the best head-office ratio in "
            "the study and the one of TARP's popular worked example. 0.02 (1 per 49, trivial "
            "grocery items) is the floor; 0.69 counts complaints to anyone, including third "
            "parties, so it is a ceiling. Where the front line is the company (a call "
            "centre), expect values nearer the top: set it from the client's complaint volume."
        ),
    ),
    Figure(
        key="repurchase_by_outcome",
        name="Would buy again, by complaint outcome and size of loss",
        value=None, low=0.09, high=0.95, unit="share",
        quoted="Resolved complainers are the most loyal customers",
        research=(
            "Would buy again, small loss (< $5): silent 37%, complained and not satisfied 46%, "
            "satisfied 70%, satisfied quickly 95%; large loss (> $100): 9% / 19% / 54% / 82%."
        ),
        source=(
            "TARP (Washington Post 1984 for the small-loss row; Fast Company 2003 for the "
            "table)"
        ),
        year=1984,
        population="US consumers who had a problem, by size of loss",
        status="verified",
        caveat=(
            "Stated intentions, not behaviour. The eight cells are the figures "
            "repurchase_{small,large}_{silent,unresolved,resolved,resolved_quickly}. The table "
            "has no no-problem row, so it does not show a recovery paradox."
        ),
    ),
    _repurchase("small", "silent", 0.37),
    _repurchase("small", "unresolved", 0.46),
    _repurchase("small", "resolved", 0.70),
    _repurchase("small", "resolved_quickly", 0.95),
    _repurchase("large", "silent", 0.09),
    _repurchase("large", "unresolved", 0.19),
    _repurchase("large", "resolved", 0.54),
    _repurchase("large", "resolved_quickly", 0.82),
    Figure(
        key="recovery_paradox",
        name="Service-recovery paradox",
        value=None, low=None, high=None, unit="-",
        quoted=(
            "Customers whose complaint is resolved are more loyal than customers with no "
            "problem"
        ),
        research=(
            "Meta-analysis: the paradox holds for satisfaction but is not significant for "
            "repurchase intention, word of mouth or image. Badly handled complaints leave "
            "loyalty 12% below never complaining."
        ),
        source=(
            "de Matos, Henrique & Rossi, Journal of Service Research 10(1), 2007; "
            "Customer Rage study 2013"
        ),
        year=2007,
        population="meta-analysis of published service-recovery studies",
        status="verified",
        caveat=(
            "Do not build the paradox in by default: resolved complainers keep TARP's "
            "repurchase rates, which stay below those of customers without a problem."
        ),
    ),
    Figure(
        key="retention_profit_lever",
        name="Profit gain from cutting defections by 5 points",
        value=None, low=0.30, high=0.85, unit="share",
        quoted="A 5% increase in retention raises profits by 25-85%",
        research=(
            "Cutting defections by 5 percentage points raised customer profit streams by 85% "
            "(bank branches), 50% (insurance brokerage) and 30% (auto service)."
        ),
        source="Reichheld & Sasser, 'Zero Defections', HBR Sept-Oct 1990",
        year=1990,
        population="customers of the firms studied (bank, insurance broker, auto service...)",
        status="verified",
        caveat=(
            "Verified for those firms, not a general law; it is 5 points of defections, not "
            "5% of retention. The 25% lower end of the quote was not seen."
        ),
    ),
    Figure(
        key="problem_incidence",
        name="Share of households with a customer problem in a year",
        value=0.5, low=0.32, high=0.74, unit="share/yr",
        quoted="(not in the articles)",
        research=(
            "US households with a customer problem in the past year: 32% (1976), 50% (2013), "
            "66% (2020), 74% (2023)."
        ),
        source="Customer Rage study replications (CCMC with Arizona State University)",
        year=2013,
        population="US households",
        status="secondary",
        caveat=(
            "Per household per year, across all companies; the model's problem rate is per "
            "service contact with one company, so convert before using it."
        ),
    ),
    Figure(
        key="act_on_wom",
        name="Share of people told who act on negative word of mouth",
        value=0.25, low=None, high=None, unit="share",
        quoted="(popular TARP worked example) 25% of the people told act on it",
        research="Popular source only; no study found.",
        source="secondary (popular worked example)",
        year=None,
        population="unknown",
        status="unverified",
        caveat="Unverified: a scenario parameter to vary in sensitivity analysis.",
    ),
    Figure(
        key="negative_deters_prospects_ratio",
        name="Effect of negative word of mouth on prospects relative to customers",
        value=4, low=4, high=None, unit="ratio",
        quoted="(not in the articles)",
        research=(
            "Negative word of mouth deters prospects far more (over 4 times) than it moves "
            "existing customers."
        ),
        source=(
            "East, Hammond & Wright, IJRM 24, 2007; East, Hammond & Lomax, IJRM 25, 2008"
        ),
        year=2007,
        population="consumers surveyed about advice received, across many categories",
        status="secondary",
        caveat=(
            "A lower bound ('over 4x'). Sets how much less likely a customer is to leave on "
            "hearing negative word of mouth than a prospect is to be deterred."
        ),
    ),
    Figure(
        key="positive_to_negative_wom_ratio",
        name="Positive word of mouth relative to negative",
        value=3, low=None, high=None, unit="ratio",
        quoted="(not in the articles)",
        research="Positive word of mouth is about 3 times as common as negative.",
        source="East, Hammond & Wright, IJRM 24, 2007",
        year=2007,
        population="consumers surveyed about advice given, across many categories",
        status="secondary",
        caveat=(
            "Incidence across a market, not per experience; use it to check a scenario's "
            "tellings by sign, not as an input."
        ),
    ),
    Figure(
        key="recovery_unresolved_loyalty_gap",
        name="Loyalty gap after a badly handled complaint",
        value=0.12, low=None, high=None, unit="share",
        quoted="(not in the articles)",
        research="Badly handled complaints leave loyalty 12% below never complaining.",
        source=(
            "de Matos, Henrique & Rossi, Journal of Service Research 10(1), 2007; "
            "Customer Rage study 2013"
        ),
        year=2007,
        population="meta-analysis of service-recovery studies; US consumer survey",
        status="verified",
        caveat=(
            "Read as relative (loyalty times 0.88). Which of the two sources gives the 12% "
            "was not checked: cite both."
        ),
    ),
    Figure(
        key="revenue_assortativity",
        name="High-value customers know high-value customers (revenue assortativity)",
        value=None, low=None, high=None, unit="coefficient",
        quoted="(not in the articles)",
        research=(
            "Customer-level revenue shows significant, substantial positive network "
            "autocorrelation in a telecom's call graph (Haenlein 2010); revenue leaders' "
            "friends are of higher-than-average value, so seeding them pays through word "
            "of mouth (Haenlein & Libai 2013)."
        ),
        source=(
            "Haenlein, Marketing Letters 21, 2010; Haenlein & Libai, 'Targeting Revenue "
            "Leaders for a New Product', Journal of Marketing 77(3), 2013"
        ),
        year=2013,
        population="customers of a European cellular provider (call graph)",
        status="secondary",
        caveat=(
            "Abstracts and summaries seen, not the coefficient: the direction is supported, "
            "the size is not. market.segment_assortativity is a scenario choice (illustrative)."
        ),
    ),
    *(Figure(**entry) for entry in REVIEW_FIGURES),
)

#: Every figure by key, in the order of the reference table (read-only).
FIGURES: Mapping[str, Figure] = types.MappingProxyType({f.key: f for f in _ALL})

if len(FIGURES) != len(_ALL):  # pragma: no cover - guards against a copy-paste duplicate key
    raise RuntimeError("duplicate figure key in womsim.figures")


def keys() -> list[str]:
    """Return the keys of all figures, in the order of the reference table.

    Returns
    -------
    list of str

    Examples
    --------
    >>> keys()[:3]
    ['negative_tells', 'negative_tells_tail', 'positive_tells']
    """
    return list(FIGURES)


def get(key: str) -> Figure:
    """Return the figure called ``key``.

    Parameters
    ----------
    key : str
        A figure key, see :func:`keys`.

    Returns
    -------
    Figure

    Raises
    ------
    UnknownKeyError
        For an unknown key; the message lists close matches.

    Examples
    --------
    >>> get("repurchase_large_silent").value
    0.09
    >>> get("negativ_tells")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    womsim.core.errors.UnknownKeyError: unknown figure 'negativ_tells'. Did you mean ...
    """
    try:
        return FIGURES[key]
    except (KeyError, TypeError):
        raise unknown_key("figure", str(key), keys()) from None


def table(status: str | None = None) -> pd.DataFrame:
    """Return every figure as a DataFrame, one row per figure, indexed by key.

    Parameters
    ----------
    status : {"verified", "secondary", "unverified"}, optional
        Keep only the figures with this status.

    Returns
    -------
    pandas.DataFrame
        Columns: name, value, low, high, unit, status, quoted, research, source, year,
        population, caveat. ``year`` is a nullable integer column.

    Raises
    ------
    UnknownKeyError
        For an unknown status.

    Examples
    --------
    >>> t = table()
    >>> float(t.loc["negative_tells", "value"]), t.loc["negative_tells", "status"]
    (9.0, 'verified')
    >>> bool((table("verified")["status"] == "verified").all())
    True
    """
    if status is not None and status not in STATUSES:
        raise unknown_key("figure status", str(status), STATUSES)
    rows = [f for f in _ALL if status is None or f.status == status]
    frame = pd.DataFrame(
        [{col: getattr(f, col) for col in _COLUMNS} for f in rows],
        index=pd.Index([f.key for f in rows], name="key"),
        columns=list(_COLUMNS),
    )
    for col in ("value", "low", "high"):
        frame[col] = frame[col].astype("float64")
    frame["year"] = frame["year"].astype("Int64")
    return frame

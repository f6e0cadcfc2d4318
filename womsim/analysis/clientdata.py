"""A client's own data: a customer table and a contact log, read into observables.

What a consultant can usually get is two tables:

* **customers**: one row per customer spell: ``customer_id``, ``start_date``, ``end_date``
  (blank while the customer is still active), ``revenue_per_year`` and optionally
  ``source`` (``marketing``, ``referral``, ``winback`` or blank);
* **contacts**: one row per service contact: ``customer_id``, ``date``, ``channel``,
  ``outcome`` (``resolved_first_time``, ``resolved_later``, ``unresolved`` or
  ``abandoned``) and ``complained`` (``yes``/``no``).

How a contact maps onto womsim's outcome groups: a contact not complained about that ended
resolved (first time or later) had no problem; one that ended ``unresolved`` or
``abandoned`` without a complaint is a *silent* problem; a complained contact is a problem
and its outcome says how the complaint ended (``resolved_first_time`` = resolved quickly,
``resolved_later`` = resolved slowly, ``unresolved``/``abandoned`` = unresolved).

From these, :meth:`ClientData.observables` computes what the calibration needs, each with
an interval: contacts per customer-year, problem share, complaint share, resolution shares,
annual churn and growth, referral share, revenue per customer, and churn by outcome group
(the client's own repurchase table, shown beside TARP's in :meth:`ClientData.tarp_table`).

Examples
--------
>>> cd = synthetic_client(people=1500, seed=2)
>>> obs = cd.observables()
>>> bool(0 < obs.loc["annual_churn", "value"] < 1)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.core.atomic import atomic_write
from womsim.core.errors import WomsimError
from womsim.engine.rng import Streams
from womsim.engine.step import CUSTOMER, State, _WordOfMouth, schedule, step
from womsim.model.scenario import Scenario
from womsim.runner.simulate import build_network

# scipy only inside the functions that use it: `import womsim` would pay ~0.4 s CPU for it
# (a third of the import) although most sessions never call them (tests/test_import_cost.py)

if TYPE_CHECKING:
    from womsim.network.graph import Network

__all__ = [
    "OUTCOMES",
    "SIMULATED",
    "ClientData",
    "ClientDataError",
    "read_client",
    "read_contacts",
    "read_customers",
    "shipped_client",
    "synthetic_client",
]

OUTCOMES = ("resolved_first_time", "resolved_later", "unresolved", "abandoned")
SOURCES = ("marketing", "referral", "winback", "")
GROUPS = ("silent", "unresolved", "resolved", "resolved_quickly")
#: observables whose chance (which customers had which contacts, who left, who referred
#: whom) :func:`womsim.calibrate` simulates: :meth:`ClientData.targets` gives them no
#: standard error
SIMULATED = ("customer_growth", "referral_share", *(f"leave_{g}" for g in GROUPS))

_CUSTOMER_COLUMNS = ("customer_id", "start_date", "end_date", "revenue_per_year")
_CONTACT_COLUMNS = ("customer_id", "date", "channel", "outcome", "complained")


class ClientDataError(WomsimError):
    """A client data file cannot be used; the message names the file, row and column."""


# ------------------------------------------------------------------------ reading
def _read_table(path: str | Path | pd.DataFrame, what: str) -> tuple[pd.DataFrame, str]:
    if isinstance(path, pd.DataFrame):
        return path.copy(), f"the {what} table"
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{what} file not found: {p}")
    try:
        if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(p, dtype=str)
        else:
            df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ClientDataError(f"{p}: cannot be read as a {what} table: {err}") from None
    return df.fillna(""), str(p)


def _need(df: pd.DataFrame, cols: tuple[str, ...], where: str) -> None:
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ClientDataError(f"{where}: missing column(s) {', '.join(missing)}; found "
                              f"{', '.join(map(str, df.columns)) or 'none'}")


def _row(i: int) -> int:
    """Spreadsheet row of data row ``i`` (row 1 holds the header)."""
    return int(i) + 2


def _dates(df: pd.DataFrame, col: str, where: str, blank_ok: bool) -> pd.Series:
    raw = df[col].astype(str).str.strip()
    blank = raw.isin(["", "nan", "NaT", "None"])
    parsed = pd.to_datetime(raw.where(~blank), errors="coerce", format="mixed")
    bad = parsed.isna() & ~blank
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ClientDataError(f"{where}, row {_row(i)}, column {col}: {raw.iloc[i]!r} is "
                              "not a date (use YYYY-MM-DD)")
    if blank.any() and not blank_ok:
        i = int(np.flatnonzero(blank.to_numpy())[0])
        raise ClientDataError(f"{where}, row {_row(i)}, column {col}: a date is required")
    return parsed


def read_customers(path: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Read and check a customer table (CSV or Excel, or a DataFrame).

    Returns a DataFrame with ``customer_id`` (str), ``start_date``, ``end_date`` (NaT while
    active), ``revenue_per_year`` (float) and ``source``.

    Raises
    ------
    ClientDataError
        A missing column, a bad date, a negative or non-numeric revenue, an end before the
        start: naming the file, row and column.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a"], "start_date": ["2024-01-01"],
    ...                    "end_date": [""], "revenue_per_year": ["300"]})
    >>> read_customers(df)["revenue_per_year"].tolist()
    [300.0]
    """
    df, where = _read_table(path, "customer")
    _need(df, _CUSTOMER_COLUMNS, where)
    if df.empty:
        raise ClientDataError(f"{where}: no customers")
    ids = df["customer_id"].astype(str).str.strip()
    if (ids == "").any():
        i = int(np.flatnonzero((ids == "").to_numpy())[0])
        raise ClientDataError(f"{where}, row {_row(i)}, column customer_id: empty id")
    start = _dates(df, "start_date", where, blank_ok=False)
    end = _dates(df, "end_date", where, blank_ok=True)
    rev = pd.to_numeric(df["revenue_per_year"].astype(str).str.strip(), errors="coerce")
    bad = rev.isna() | ~np.isfinite(rev) | (rev < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ClientDataError(f"{where}, row {_row(i)}, column revenue_per_year: "
                              f"{df['revenue_per_year'].iloc[i]!r} must be a number >= 0")
    before = (end < start).fillna(False)
    if before.any():
        i = int(np.flatnonzero(before.to_numpy())[0])
        raise ClientDataError(f"{where}, row {_row(i)}, column end_date: "
                              f"{end.iloc[i].date()} is before the start {start.iloc[i].date()}")
    source = (df["source"].astype(str).str.strip().str.lower() if "source" in df.columns
              else pd.Series([""] * len(df)))
    bad = ~source.isin(SOURCES)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ClientDataError(f"{where}, row {_row(i)}, column source: {source.iloc[i]!r}; "
                              f"allowed: {', '.join(s for s in SOURCES if s)} or blank")
    return pd.DataFrame({"customer_id": ids.to_numpy(), "start_date": start.to_numpy(),
                         "end_date": end.to_numpy(), "revenue_per_year": rev.to_numpy(float),
                         "source": source.to_numpy()})


def read_contacts(path: str | Path | pd.DataFrame, customers: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """Read and check a contact log (CSV or Excel, or a DataFrame).

    With ``customers`` (as :func:`read_customers` returns), every contact's customer must
    be in the customer table.

    Raises
    ------
    ClientDataError
        Naming the file, row and column of the first bad value.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a"], "date": ["2024-02-01"], "channel": ["phone"],
    ...                    "outcome": ["unresolved"], "complained": ["no"]})
    >>> read_contacts(df)["group"].tolist()
    ['silent']
    """
    df, where = _read_table(path, "contact")
    _need(df, _CONTACT_COLUMNS, where)
    ids = df["customer_id"].astype(str).str.strip()
    date = _dates(df, "date", where, blank_ok=False)
    outcome = df["outcome"].astype(str).str.strip().str.lower().str.replace(" ", "_")
    bad = ~outcome.isin(OUTCOMES)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ClientDataError(f"{where}, row {_row(i)}, column outcome: "
                              f"{df['outcome'].iloc[i]!r}; allowed: {', '.join(OUTCOMES)}")
    comp = df["complained"].astype(str).str.strip().str.lower()
    yes, no = comp.isin(["yes", "y", "true", "1"]), comp.isin(["no", "n", "false", "0"])
    if not (yes | no).all():
        i = int(np.flatnonzero((~(yes | no)).to_numpy())[0])
        raise ClientDataError(f"{where}, row {_row(i)}, column complained: "
                              f"{df['complained'].iloc[i]!r}; use yes or no")
    if customers is not None:
        unknown = ~ids.isin(set(customers["customer_id"]))
        if unknown.any():
            i = int(np.flatnonzero(unknown.to_numpy())[0])
            raise ClientDataError(f"{where}, row {_row(i)}, column customer_id: "
                                  f"{ids.iloc[i]!r} is not in the customer table")
    fixed = outcome.isin(["resolved_first_time", "resolved_later"])
    group = np.select(
        [~yes & fixed, ~yes & ~fixed, yes & (outcome == "resolved_first_time"),
         yes & (outcome == "resolved_later")],
        ["none", "silent", "resolved_quickly", "resolved"], default="unresolved")
    return pd.DataFrame({"customer_id": ids.to_numpy(), "date": date.to_numpy(),
                         "channel": df["channel"].astype(str).to_numpy(),
                         "outcome": outcome.to_numpy(), "complained": yes.to_numpy(),
                         "group": group})


def read_client(customers: str | Path | pd.DataFrame, contacts: str | Path | pd.DataFrame,
                start: str | None = None, end: str | None = None) -> ClientData:
    """Read a customer table and a contact log into :class:`ClientData`.

    ``start``/``end`` bound the observation period (default: the contact log's first and
    last dates).

    Examples
    --------
    >>> import os, tempfile
    >>> folder = synthetic_client(people=1000, seed=1).to_csv(tempfile.mkdtemp())
    >>> cd = read_client(os.path.join(folder, "customers.csv"),
    ...                  os.path.join(folder, "contacts.csv"))
    >>> len(cd.contacts) > 0
    True
    """
    cust = read_customers(customers)
    cont = read_contacts(contacts, cust)
    if cont.empty:
        raise ClientDataError("the contact log has no contacts")
    t0 = pd.Timestamp(start) if start else cont["date"].min()
    t1 = pd.Timestamp(end) if end else cont["date"].max()
    if t1 <= t0:
        raise ClientDataError(f"the observation period ends ({t1.date()}) before it starts "
                              f"({t0.date()})")
    return ClientData(cust, cont, t0, t1)


# ----------------------------------------------------------------- observables
def _binom(k: float, n: float, level: float) -> tuple[float, float, float, float]:
    """Share k/n, its standard error and the Wilson interval."""
    from scipy import stats

    if n <= 0:
        return math.nan, math.nan, math.nan, math.nan
    p = k / n
    z = float(stats.norm.ppf(0.5 + level / 2))
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return p, math.sqrt(max(p * (1 - p), 1.0 / n) / n), mid - half, mid + half


def _poisson_rate(k: float, exposure: float, level: float) -> tuple[float, float, float, float]:
    """Rate k/exposure, its standard error and the exact (Garwood) interval."""
    from scipy import stats

    if exposure <= 0:
        return math.nan, math.nan, math.nan, math.nan
    a = 1 - level
    lo = stats.chi2.ppf(a / 2, 2 * k) / 2 if k > 0 else 0.0
    hi = stats.chi2.ppf(1 - a / 2, 2 * k + 2) / 2
    return k / exposure, math.sqrt(max(k, 1.0)) / exposure, lo / exposure, hi / exposure


@dataclass
class ClientData:
    """A client's customer table and contact log over an observation period.

    Attributes
    ----------
    customers, contacts : pandas.DataFrame
        As returned by :func:`read_customers` and :func:`read_contacts`.
    start, end : pandas.Timestamp
        The observation period.
    """

    customers: pd.DataFrame
    contacts: pd.DataFrame
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def years(self) -> float:
        """Length of the observation period in years."""
        return (self.end - self.start).days / 365.0

    def _active_at(self, t: pd.Timestamp) -> int:
        c = self.customers
        return int(((c["start_date"] <= t) & (c["end_date"].isna() | (c["end_date"] > t)))
                   .sum())

    def _exposure(self) -> tuple[float, int]:
        """Customer-years within the period, and spells ended within it."""
        c = self.customers
        s = c["start_date"].clip(lower=self.start)
        e = c["end_date"].fillna(self.end).clip(upper=self.end)
        years = ((e - s).dt.days.clip(lower=0) / 365.0).sum()
        ended = int(((c["end_date"] > self.start) & (c["end_date"] <= self.end)).sum())
        return float(years), ended

    def group_churn(self, window_days: float = 30.0) -> pd.DataFrame:
        """Share leaving within ``window_days`` of a contact, by outcome group.

        ``excess`` is the share who left *because of* the outcome: ``(p_g - p_none) /
        (1 - p_none)``, with contacts that had no problem as the reference (their leaving
        within the window is churn unrelated to that contact). Contacts closer than the
        window to the period's end are left out (their window is not observed).
        """
        c = self.contacts
        cut = self.end - pd.Timedelta(days=window_days)
        c = c[(c["date"] >= self.start) & (c["date"] <= cut)]
        # a contact belongs to the customer's spell that covers its date
        spells = self.customers[["customer_id", "start_date", "end_date"]]
        m = c.merge(spells, on="customer_id", how="left")
        m = m[(m["start_date"] <= m["date"]) & (m["end_date"].isna()
                                                | (m["end_date"] >= m["date"]))]
        m = m.drop_duplicates(subset=["customer_id", "date", "group"])
        gone = (m["end_date"].notna()
                & (m["end_date"] <= m["date"] + pd.Timedelta(days=window_days)))
        rows = {}
        ref_k = float(gone[m["group"] == "none"].sum())
        ref_n = float((m["group"] == "none").sum())
        p0 = ref_k / ref_n if ref_n else 0.0
        for g in ("none", *GROUPS):
            sel = m["group"] == g
            k, n = float(gone[sel].sum()), float(sel.sum())
            p, se, lo, hi = _binom(k, n, 0.95)
            ex = (p - p0) / (1 - p0) if n else math.nan
            rows[g] = {"contacts": n, "left": k, "left_share": p, "excess": ex,
                       "excess_se": se / (1 - p0) if n else math.nan,
                       "excess_low": (lo - p0) / (1 - p0) if n else math.nan,
                       "excess_high": (hi - p0) / (1 - p0) if n else math.nan}
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "group"
        return df

    def observables(self, level: float = 0.95, window_days: float = 30.0) -> pd.DataFrame:
        """Every observable with its standard error and ``level`` interval.

        Rows are named as :func:`womsim.calibrate` targets where one exists (``annual_churn``,
        ``customer_growth``, ``customers``, ``contacts_per_year``, ``problem_share``,
        ``complaint_share``, ``complaints_per_year``, ``resolved_share``, ``quick_share``,
        ``referral_share``, ``leave_silent``, ...), plus ``revenue_per_year``.
        """
        from scipy import stats

        rows: dict[str, dict] = {}

        def put(name: str, *args: Any) -> None:
            value, se, lo, hi, n, unit, meaning = args
            rows[name] = {"value": value, "se": se, "ci_low": lo, "ci_high": hi, "n": n,
                          "unit": unit, "meaning": meaning}

        years, ended = self._exposure()
        c0, c1 = self._active_at(self.start), self._active_at(self.end)
        h, h_se, h_lo, h_hi = _poisson_rate(ended, years, level)
        put("annual_churn", -math.expm1(-h), h_se * math.exp(-h), -math.expm1(-h_lo),
            -math.expm1(-h_hi), ended, "share/yr", "share of customers leaving per year")
        put("customers", float(c0), 0.0, float(c0), float(c0), c0, "people",
            "customers at the start of the period")
        g = (c1 / c0) ** (1 / self.years) - 1 if c0 > 0 and self.years > 0 else math.nan
        # growth is the balance of joiners and leavers: Poisson noise of both
        joined = int(((self.customers["start_date"] > self.start)
                      & (self.customers["start_date"] <= self.end)).sum())
        g_se = math.sqrt(max(joined + ended, 1)) / max(c0, 1) / max(self.years, 1e-9)
        z = float(stats.norm.ppf(0.5 + level / 2))
        put("customer_growth", g, g_se, g - z * g_se, g + z * g_se, joined,
            "share/yr", "growth of the customer base per year (0 = steady)")
        con = self.contacts[(self.contacts["date"] >= self.start)
                            & (self.contacts["date"] <= self.end)]
        n = float(len(con))
        put("contacts_per_year", *_poisson_rate(n, years, level), n, "contacts/customer/yr",
            "service contacts per customer-year")
        grp = con["group"].value_counts()
        problems = float(n - grp.get("none", 0))
        put("problem_share", *_binom(problems, n, level), problems, "share of contacts",
            "contacts that ended with a problem")
        complaints = float(con["complained"].sum())
        put("complaint_share", *_binom(complaints, problems, level), complaints,
            "share of problems", "problems the customer complained about")
        put("complaints_per_year", *(x * max(c0, 1) for x in _poisson_rate(
            complaints, years, level)), complaints, "complaints/yr",
            "complaints per year at the starting customer base")
        res = float(grp.get("resolved", 0) + grp.get("resolved_quickly", 0))
        put("resolved_share", *_binom(res, complaints, level), res, "share of complaints",
            "complaints resolved to the customer's satisfaction")
        put("quick_share", *_binom(float(grp.get("resolved_quickly", 0)), res, level),
            float(grp.get("resolved_quickly", 0)), "share of resolved",
            "resolved complaints resolved first time")
        new = self.customers[(self.customers["start_date"] > self.start)
                             & (self.customers["start_date"] <= self.end)]
        known = new[new["source"] != ""]
        if len(known):
            k = float((known["source"] == "referral").sum())
            put("referral_share", *_binom(k, float(len(known)), level), k,
                "share of new customers", "new customers won through a referral")
        gc = self.group_churn(window_days)
        for gname in GROUPS:
            r = gc.loc[gname]
            put(f"leave_{gname}", r["excess"], r["excess_se"], r["excess_low"],
                r["excess_high"], r["contacts"], "probability",
                f"left within {window_days:g} days because of a '{gname}' outcome")
        rev = self.customers["revenue_per_year"].to_numpy(float)
        rse = float(rev.std(ddof=1) / math.sqrt(rev.size)) if rev.size > 1 else math.nan
        put("revenue_per_year", float(rev.mean()), rse, float(rev.mean()) - z * rse,
            float(rev.mean()) + z * rse, rev.size, "money/customer/yr",
            f"revenue per customer (spread: sd {rev.std(ddof=1) if rev.size > 1 else 0:,.0f})")
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "observable"
        return df

    def targets(self, names: list[str] | None = None) -> dict[str, tuple[float, float]]:
        """Observables as :func:`womsim.calibrate` targets: name -> (value, standard error).

        The observables in :data:`SIMULATED` get standard error 0: calibrate's simulations
        reproduce their chance at every parameter set (a plug-in standard error, computed
        at the observed value, would count it twice); a standard error given to calibrate
        is uncertainty beyond that chance. ``leave_*`` shares below 0 (an excess estimated
        by chance below the churn after a contact with no problem) are kept as they are.

        Examples
        --------
        >>> t = synthetic_client(people=1000, seed=1).targets()
        >>> sorted(t)[:3]
        ['annual_churn', 'complaint_share', 'contacts_per_year']
        """
        obs = self.observables()
        keep = names or [n for n in obs.index if n not in ("revenue_per_year",
                                                          "complaints_per_year")]
        out = {}
        for n in keep:
            v, se = float(obs.loc[n, "value"]), float(obs.loc[n, "se"])
            if math.isfinite(v):
                out[n] = (v, 0.0 if n in SIMULATED else se)
        return out

    def tarp_table(self, scenario: Scenario | None = None,
                   window_days: float = 30.0) -> pd.DataFrame:
        """The client's own repurchase table beside TARP's.

        Columns: ``client_left`` (share who left within the window because of the outcome,
        with its interval), ``tarp_stay`` (TARP's stated "would buy again", mixed by
        ``complaints.large_loss_share``) and ``tarp_left_implied`` ((1 - stay) x
        ``complaints.intention_to_action``: what the scenario assumes).
        """
        sc = scenario if scenario is not None else Scenario()
        gc = self.group_churn(window_days)
        stay, leave = sc.complaints.stay(), sc.complaints.leave()
        rows = {}
        for g in GROUPS:
            r = gc.loc[g]
            rows[g] = {"contacts": r["contacts"], "client_left": r["excess"],
                       "ci_low": r["excess_low"], "ci_high": r["excess_high"],
                       "tarp_stay": stay[g], "tarp_left_implied": leave[g]}
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "outcome group"
        return df

    def to_csv(self, folder: str | Path, overwrite: bool = False) -> Path:
        """Write ``customers.csv`` and ``contacts.csv`` into ``folder`` (atomically)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        c = self.customers.copy()
        c["start_date"] = c["start_date"].dt.strftime("%Y-%m-%d")
        c["end_date"] = c["end_date"].dt.strftime("%Y-%m-%d").fillna("")
        k = self.contacts[list(_CONTACT_COLUMNS)].copy()
        k["date"] = k["date"].dt.strftime("%Y-%m-%d")
        k["complained"] = np.where(k["complained"], "yes", "no")
        atomic_write(folder / "customers.csv", c.to_csv(index=False), overwrite=overwrite)
        atomic_write(folder / "contacts.csv", k.to_csv(index=False), overwrite=overwrite)
        return folder

    def __repr__(self) -> str:
        return (f"ClientData({len(self.customers):,} customer spells, "
                f"{len(self.contacts):,} contacts, {self.start.date()} to {self.end.date()})")


# ------------------------------------------------------------- synthetic client
def synthetic_client(scenario: Scenario | None = None, people: int | None = None, seed: int = 0,
                     start: str = "2024-01-01", network: Network | None = None) -> ClientData:
    """A client made by womsim itself: one run traced into a customer table and contact log.

    Parameters
    ----------
    scenario : Scenario, optional
        The truth (default: the ``retail_bank`` preset).
    people : int, optional
        Market size (replaces ``market.people``).
    seed : int
        Run seed; the same seed gives the same tables.
    start : str
        Date of the first step.

    Examples
    --------
    >>> cd = synthetic_client(people=1000, seed=3)
    >>> set(cd.contacts["group"]) <= {"none", "silent", "unresolved", "resolved",
    ...                               "resolved_quickly"}
    True
    """
    sc = scenario if scenario is not None else Scenario.preset("retail_bank")
    if sc.rivals or sc.reviews.enabled:
        # the trace follows our firm's steps only: a rival's or the reviews' part of the run
        # would be missing from the tables, so the client would not be the scenario asked for
        parts = [name for name, on in (("rivals", bool(sc.rivals)),
                                       ("reviews", sc.reviews.enabled)) if on]
        raise WomsimError(
            f"synthetic_client cannot trace a market with {' and '.join(parts)} "
            f"(scenario {sc.name!r}): the customer table and contact log would leave "
            "their effect out; remove them first (scenario.replace(rivals=[]), "
            "scenario.replace(**{'reviews.enabled': False}))")
    if people is not None:
        sc = sc.replace(**{"market.people": int(people)})
    n = sc.market.people
    if network is None:
        network = build_network(sc, seed)
    streams = Streams(seed)
    state = State.initial(sc, n, streams, network)
    wom = _WordOfMouth(network, n, streams)
    params, _ = schedule(sc)
    dt_days = sc.simulation.step_days
    t0 = pd.Timestamp(start)
    # one open spell per person at most: spell start step and source, -1 = none
    open_start = np.where(state.status == CUSTOMER, -1, -2).astype(np.int64)
    source = np.full(n, "", dtype=object)
    spells: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    contacts: list[tuple[np.ndarray, int, np.ndarray]] = []
    # contacts fall on a random day within their step (keyed to the run seed)
    day_rng = np.random.default_rng([seed, 0x444159])
    code = np.zeros(n, dtype=np.int8)  # outcome group of this step's contact, per person
    k = len(sc.segments)
    for t in range(len(params)):
        is_customer = state.status == CUSTOMER
        customers = int(np.count_nonzero(is_customer))
        if k:
            # a segmented step sizes each segment's desk load by its customers (the engine's
            # run keeps this tally in its MarketBook; here it is recounted)
            assert state.segment is not None
            state.seg_customers = np.bincount(state.segment[is_customer],
                                              minlength=k).astype(float)
        e = step(state, customers, params[t], t, streams, wom)
        for ids, c in ((e.silent, 1), (e.quick, 2), (e.slow, 3), (e.unresolved, 4)):
            code[ids] = c
        contacts.append((e.contacted, t, code[e.contacted].copy()))
        code[e.contacted] = 0
        left = np.concatenate([e.exp_left, e.base_left, e.wom_left])
        if left.size:
            spells.append((left, open_start[left].copy(), np.full(left.size, t),
                           source[left].copy()))
            open_start[left] = -2
        for ids, src in ((e.won_ref, "referral"), (e.marketing, "marketing"),
                         (e.winback, "winback")):
            open_start[ids] = t
            source[ids] = src
    still = np.flatnonzero(open_start > -2)
    spells.append((still, open_start[still], np.full(still.size, -1), source[still]))
    ids = np.concatenate([s[0] for s in spells])
    s_step = np.concatenate([s[1] for s in spells])
    e_step = np.concatenate([s[2] for s in spells])
    spell_src = np.concatenate([s[3] for s in spells])
    # a spell starting at step t starts at its end (acquisition is the step's last act);
    # customers there from the start get a tenure before the period
    tenure_days = day_rng.integers(30, 3650, ids.size)
    start_d = np.where(s_step >= 0, t0 + pd.to_timedelta((s_step + 1) * dt_days, "D"),
                       t0 - pd.to_timedelta(tenure_days, "D"))
    end_d = pd.Series(t0 + pd.to_timedelta((e_step + 1) * dt_days, "D")).where(e_step >= 0)
    rev = state.revenue[ids].astype(float).round(2)
    cust = pd.DataFrame({"customer_id": [f"C{i:07d}" for i in ids],
                         "start_date": pd.to_datetime(start_d), "end_date": end_d.to_numpy(),
                         "revenue_per_year": rev, "source": spell_src.astype(str)})
    cid = np.concatenate([c[0] for c in contacts])
    cstep = np.concatenate([np.full(c[0].size, c[1]) for c in contacts])
    ccode = np.concatenate([c[2] for c in contacts])
    # the contact happens inside the step; leaving happens at its end
    day = day_rng.integers(0, max(1, int(dt_days)), cid.size)
    cdate = t0 + pd.to_timedelta(cstep * dt_days + day, "D")
    outcome = np.array(["resolved_first_time", "unresolved", "resolved_first_time",
                        "resolved_later", "unresolved"])[ccode]
    complained = ccode >= 2
    cont = pd.DataFrame({"customer_id": [f"C{i:07d}" for i in cid], "date": cdate,
                         "channel": "phone", "outcome": outcome, "complained": complained})
    cont = read_contacts(cont.assign(complained=np.where(complained, "yes", "no")))
    end = t0 + pd.Timedelta(days=len(params) * dt_days)
    return ClientData(cust.sort_values(["customer_id", "start_date"], ignore_index=True),
                      cont, t0, end)


def shipped_client() -> ClientData:
    """The synthetic client shipped with womsim (``womsim/data/``): the ``retail_bank``
    preset with 2,000 people over two years (seed 14), as :func:`synthetic_client` made it.

    Examples
    --------
    >>> bool(shipped_client().observables().loc["customers", "value"] > 0)
    True
    """
    from importlib.resources import files

    data = files("womsim") / "data"
    with data.joinpath("client_customers.csv").open("rb") as c, \
            data.joinpath("client_contacts.csv").open("rb") as k:
        cust, cont = pd.read_csv(c, dtype=str, keep_default_na=False), \
            pd.read_csv(k, dtype=str, keep_default_na=False)
    return read_client(cust, cont, start="2024-01-01", end="2025-12-29")

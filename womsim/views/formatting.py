"""Formatting for clients: money, shares and counts as text, and HTML tables.

The helpers every view and report uses: money with thousands separators (and the currency in
the column header), shares as percentages, counts as whole people, intervals written "low to
high", the status of every assumption as a coloured badge (unverified and illustrative
numbers stand out in red and amber), one table template, and :class:`FormattedTable` (a
DataFrame shown rounded while its values stay numbers).

Examples
--------
>>> fmt_value(0.125, "share")
'12.5%'
>>> fmt_money(1_234_567.8, "USD")
'USD 1,234,568'
>>> fmt_money(1_234_567.8, compact=True)
'1.23m'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup, escape

__all__ = [
    "CSS",
    "FLAGGED",
    "FormattedTable",
    "drawn_text",
    "fmt_count",
    "fmt_interval",
    "fmt_money",
    "fmt_pct",
    "fmt_value",
    "formatted",
    "html_fragment",
    "status_badge",
    "unit_kind",
]

#: CSS shared by every table (scoped to the ``wom`` class).
CSS = (
    "<style>"
    ".wom{border-collapse:collapse;font-size:12.5px;margin:2px 0 10px 0}"
    ".wom caption{caption-side:top;text-align:left;font-weight:600;padding:2px 0 4px 0}"
    ".wom th{font-weight:600;border-bottom:1px solid #888;padding:3px 8px;text-align:right;"
    "vertical-align:bottom}"
    ".wom td{padding:2px 8px;text-align:right;border-bottom:1px solid #e6e6e6;"
    "white-space:nowrap;vertical-align:top}"
    ".wom th.t,.wom td.t{text-align:left}"
    ".wom td.w{white-space:normal;max-width:32em}"
    ".wom tr.grp td{font-weight:600;background:#f1f3f5;text-align:left;padding-top:5px}"
    ".wom tr.tot td{font-weight:600;border-top:1px solid #888}"
    ".wom tr.flag td{background:#fff8f6}"
    ".wom tr.detail td{color:#4a545d;font-size:92%;padding-bottom:5px}"
    ".wom tr:has(+ tr.detail) td{border-bottom:none}"
    ".wom .ci{color:#666}"
    ".wom-badge{display:inline-block;padding:0 5px;border-radius:3px;font-size:11px;"
    "line-height:16px;white-space:nowrap}"
    ".wom-unverified{background:#fde2e1;color:#9b1c1c;font-weight:700}"
    ".wom-illustrative{background:#ffedc2;color:#7a4a00;font-weight:700}"
    ".wom-secondary{background:#fff6d5;color:#6b5800}"
    ".wom-verified{background:#e2f3e8;color:#1e6b3a}"
    ".wom-client{background:#e6eef8;color:#1d4e89}"
    ".wom-other{background:#eeeeee;color:#555555}"
    ".wom-head{font-size:14px;margin:4px 0 6px 0}"
    ".wom-note{color:#555;font-size:12px;margin:0 0 8px 0}"
    "</style>"
)

#: Statuses that must be pointed out to a client.
FLAGGED = ("unverified", "illustrative")

_COUNT_UNITS = ("people", "contacts", "tellings", "hearings", "customers", "runs")
_BADGE = {"unverified": "wom-unverified", "illustrative": "wom-illustrative",
          "secondary": "wom-secondary", "verified": "wom-verified",
          "client input": "wom-client"}


# --------------------------------------------------------------------------- numbers
def unit_kind(unit: str | None) -> str:
    """What kind of number a unit is: ``money``, ``share``, ``count`` or ``number``.

    Examples
    --------
    >>> [unit_kind(u) for u in ("money/customer/yr", "share of contacts", "people", "1/yr")]
    ['money', 'share', 'count', 'number']
    """
    u = (unit or "").strip().lower()
    if u.startswith("money"):
        return "money"
    if u.startswith(("share", "probability")):
        return "share"
    if u.split("/")[0] in _COUNT_UNITS:
        return "count"
    return "number"


def _bad(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, (float, np.floating))
                                               and math.isnan(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))


def fmt_money(value: Any, currency: str = "", compact: bool = False) -> str:
    """Money as a client reads it: ``USD 1,234,568``; compact: ``1.23m``.

    Amounts under 100 keep two decimals (a price per telling of 13.70).

    Examples
    --------
    >>> fmt_money(-1073.3), fmt_money(13.697), fmt_money(2.5e6, "EUR", compact=True)
    ('-1,073', '13.70', 'EUR 2.5m')
    """
    if _bad(value):
        return "n/a"
    v = float(value)
    a = abs(v)
    if compact and a >= 1e3:
        for div, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
            if a >= div:
                text = f"{v / div:.3g}{suffix}"
                break
    elif a >= 100 or a == 0:
        text = f"{v:,.0f}"
    else:
        text = f"{v:,.2f}"
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        text = text[1:]  # no "-0"
    return f"{currency} {text}".strip()


def fmt_pct(value: Any, decimals: int = 1) -> str:
    """A share as a percentage (small shares keep two significant digits).

    Examples
    --------
    >>> fmt_pct(0.25), fmt_pct(0.00123), fmt_pct(float("nan"))
    ('25.0%', '0.12%', 'n/a')
    """
    if _bad(value):
        return "n/a"
    v = float(value)
    if v != 0 and abs(v) < 0.01:
        return f"{v * 100:.2g}%"
    return f"{v * 100:.{decimals}f}%"


def fmt_count(value: Any) -> str:
    """People, contacts, tellings: whole numbers with separators (one decimal under 100).

    Examples
    --------
    >>> fmt_count(1234.4), fmt_count(52.333), fmt_count(3.0)
    ('1,234', '52.3', '3')
    """
    if _bad(value):
        return "n/a"
    v = float(value)
    if abs(v) >= 100 or v == round(v):
        return f"{v:,.0f}"
    return f"{v:,.1f}"


def fmt_value(value: Any, unit: str = "", currency: str = "") -> str:
    """Format a number for people by its unit: money, shares as percentages, counts.

    Non-numbers are returned as text (not escaped: HTML is escaped where it is built);
    None as ``none``, NaN as ``n/a``.

    Examples
    --------
    >>> fmt_value(0.125, "share")
    '12.5%'
    >>> fmt_value(1234567.8, "money")
    '1,234,568'
    >>> fmt_value(600.0, "money/customer/yr", "USD")
    'USD 600'
    >>> fmt_value(0.146235, "1/yr")
    '0.1462'
    """
    if value is None:
        return "none"
    if _bad(value):
        return "n/a"
    if not _is_number(value):
        return str(value)
    kind = unit_kind(unit)
    if kind == "money":
        return fmt_money(value, currency)
    if kind == "share":
        return fmt_pct(value)
    if kind == "count":
        return fmt_count(value)
    v = float(value)
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:,.4g}"


def fmt_interval(low: Any, high: Any, unit: str = "", currency: str = "") -> str:
    """An interval as ``low to high`` (``n/a`` when it is undefined, e.g. one run).

    Examples
    --------
    >>> fmt_interval(0.1, 0.2, "share"), fmt_interval(float("nan"), 1.0)
    ('10.0% to 20.0%', 'n/a')
    """
    if _bad(low) or _bad(high):
        return "n/a"
    return f"{fmt_value(low, unit, currency)} to {fmt_value(high, unit, currency)}"


def status_badge(status: str) -> Markup:
    """A coloured badge for an assumption's status (unverified and illustrative in caps).

    Examples
    --------
    >>> "UNVERIFIED" in status_badge("unverified")
    True
    """
    s = str(status or "")
    cls = _BADGE.get(s, "wom-other")
    text = s.upper() if s in FLAGGED else s
    return html_fragment("<span class='wom-badge {}'>{}</span>", cls, text)


# --------------------------------------------------------------------------- tables
_ENV = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                          undefined=jinja2.StrictUndefined)
_TABLE = _ENV.from_string(
    "{{ css }}<table class='wom'>{% if caption %}<caption>{{ caption }}</caption>{% endif %}"
    "<thead><tr>{% for h in header %}<th class='{{ h.cls }}'>{{ h.text }}</th>{% endfor %}"
    "</tr></thead><tbody>{% for row in rows %}<tr{% if row.cls %} class='{{ row.cls }}'"
    "{% endif %}>{% for c in row.cells %}<td{% if c.cls %} class='{{ c.cls }}'{% endif %}"
    "{% if c.title %} title='{{ c.title }}'{% endif %}>{{ c.text }}</td>{% endfor %}</tr>"
    "{% if row.detail %}<tr class='detail{{ ' ' ~ row.cls if row.cls }}'><td class='t w' "
    "colspan='{{ row.cells | length }}'>{{ row.detail }}</td></tr>{% endif %}"
    "{% endfor %}</tbody></table>")


def html_fragment(template: str, *args: Any, **kwargs: Any) -> Markup:
    """HTML from a trusted template and untrusted values: every value is escaped (markupsafe),
    unless it is itself already :class:`markupsafe.Markup`.

    Examples
    --------
    >>> str(html_fragment("<b>{}</b>", "<script>"))
    '<b>&lt;script&gt;</b>'
    """
    return Markup(template).format(*args, **kwargs)


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str], caption: str = "",
           text_cols: Iterable[int] = (0,), row_classes: Sequence[str] | None = None,
           wrap_cols: Iterable[int] = (), titles: Sequence[Sequence[str]] | None = None,
           css: bool = True, details: Sequence[Any] | None = None) -> str:
    """An HTML table (an autoescaping template): plain-text cells are escaped; cells that
    carry markup must be :class:`markupsafe.Markup` (see :func:`html_fragment`).
    ``details``: per row, text shown on a full-width line under it (long notes)."""
    text_cols, wrap_cols = set(text_cols), set(wrap_cols)

    def cls(j: int) -> str:
        return " ".join(c for c, on in (("t", j in text_cols), ("w", j in wrap_cols)) if on)

    body = []
    for i, row in enumerate(rows):
        tt = titles[i] if titles else [""] * len(row)
        body.append({"cls": row_classes[i] if row_classes else "",
                     "detail": details[i] if details else "",
                     "cells": [{"text": "" if v is None else v, "cls": cls(j),
                                "title": tt[j] if j < len(tt) else ""}
                               for j, v in enumerate(row)]})
    return _TABLE.render(css=Markup(CSS) if css else "", caption=caption,
                         header=[{"text": h, "cls": cls(j)} for j, h in enumerate(header)],
                         rows=body)


def _esc(x: Any) -> Markup:
    return escape(str(x))


def _short(text: Any, n: int = 70) -> str:
    s = "" if _bad(text) else str(text)
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def _currency(scenario) -> str:
    try:
        return str(scenario.economics.currency)
    except AttributeError:
        return ""


def _money_header(label: str, currency: str) -> str:
    return f"{label} ({currency})" if currency else label


# --------------------------------------------------------------------------- tables
class FormattedTable(pd.DataFrame):
    """A DataFrame that shows itself as a client reads it (money with separators and the
    currency, shares as percentages, whole people) while its values stay numbers:
    ``t.loc["total", "mean"]`` is a float, and any operation on it returns a plain
    DataFrame. ``t.raw()`` is the same table as a plain DataFrame.

    Examples
    --------
    >>> t = formatted(pd.DataFrame({"mean": [327.136072]}, index=["a"]), {"mean": "money"},
    ...               "USD")
    >>> float(t.loc["a", "mean"]), "mean (USD)" in repr(t), "327" in repr(t)
    (327.136072, True, True)
    """

    _metadata: ClassVar[list[str]] = ["_kinds", "_currency"]

    @property
    def _constructor(self):
        return pd.DataFrame

    def raw(self) -> pd.DataFrame:
        """The table as a plain DataFrame (the same numbers)."""
        return pd.DataFrame(self)

    def _formatter(self, kind: str):
        return {"money": fmt_money, "share": fmt_pct, "count": fmt_count,
                "x": lambda v: "n/a" if _bad(v) else f"{float(v):.2f}x",
                "years": lambda v: "never" if _bad(v) else f"{float(v):.2g} years"}.get(
            kind, lambda v: fmt_value(v))

    def _shown(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        """The table with money headers naming the currency, and a formatter per column."""
        kinds = getattr(self, "_kinds", {}) or {}
        cur = getattr(self, "_currency", "")
        names = {c: _money_header(str(c), cur) if kinds.get(c) == "money" else c
                 for c in self.columns}
        shown = self.raw().rename(columns=names)
        return shown, {names[c]: self._formatter(kinds.get(c, "number"))
                       for c in self.columns}

    def __repr__(self) -> str:
        shown, fmts = self._shown()
        return shown.to_string(formatters=fmts, na_rep="n/a")

    def _repr_html_(self) -> str:
        shown, fmts = self._shown()
        # labels carry user text (the currency, scenario names): shown as text, never markup
        return (shown.style.format(fmts, na_rep="n/a", escape="html")
                .format_index(escape="html", axis=0).format_index(escape="html", axis=1)
                .to_html())


def formatted(df: pd.DataFrame, kinds: dict[str, str], currency: str = "") -> FormattedTable:
    """``df`` as a :class:`FormattedTable`: ``kinds`` maps a column to ``money``, ``share``,
    ``count``, ``x`` (a ratio) or ``years``; other columns show as plain numbers."""
    out = FormattedTable(df)
    out._kinds = dict(kinds)
    out._currency = currency
    return out


def drawn_text(meta: dict | None) -> str:
    """What each run drew, in words: a calibration's posterior of its inferred parameters,
    the ranges of ``psa_params`` (or of every uncertain parameter) and what was held.

    Examples
    --------
    >>> drawn_text({"psa": True, "psa_params": None})
    'every uncertain parameter from its range (PSA)'
    >>> drawn_text({"posterior_draws": 4, "posterior_params": ["service.problem_rate"]})
    "the calibration's posterior of service.problem_rate; every other assumption held at its value"
    >>> drawn_text({"posterior_draws": 4, "posterior_params": ["complaints.resolved"],
    ...             "solved_draw_params": ["service.contact_rate"]})[31:96]
    'complaints.resolved, with service.contact_rate drawn from its tar'
    """
    meta = meta or {}
    parts = []
    post = meta.get("posterior_params")
    if post:
        parts.append("the calibration's posterior of " + ", ".join(post))
    elif meta.get("posterior_draws"):
        parts.append("the calibration's posterior of its inferred parameters")
    solved = meta.get("solved_draw_params")
    if parts and solved:
        parts[-1] += (", with " + ", ".join(solved) + " drawn from "
                      + ("its target's" if len(solved) == 1 else "their targets'")
                      + " standard error")
    listed = meta.get("psa_params")
    if meta.get("psa"):
        parts.append(("the ranges (PSA) of " + ", ".join(listed)) if listed
                     else "every uncertain parameter from its range (PSA)")
    if not parts:
        return "nothing: every assumption held at its value"
    held = "" if meta.get("psa") and not listed else \
        "; every other assumption held at its value"
    return " and ".join(parts) + held

"""The result of a market-damage calculation: its lines (key, symbol, name, value, unit,
equation, operands), how they are shown (table, working, basis of each input) and saved.

Built by :func:`womsim.market_damage` and :func:`womsim.tarp_worked_example`
(:mod:`womsim.analysis.damage`, which holds the arithmetic).

Examples
--------
>>> lines = [("a", "A", "people told", 63.0, "tellings", None, None),
...          ("d", "d", "share who act", 0.25, "share", None, None),
...          ("lost", "L", "customers lost", 15.75, "people", "{} × {}", ("a", "d"))]
>>> MarketDamage(lines, "example", "USD", 1.0).table().loc["lost", "working"]
'63 × 25.0% = 15.75'
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from womsim.core.archive import ArchiveReader, ArchiveWriter
from womsim.core.errors import unknown_key
from womsim.core.protocol import ResultBase
from womsim.model.scenario import Scenario
from womsim.results import scenario_from
from womsim.views.display import market_damage_html
from womsim.views.plots import plot_damage

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Line", "MarketDamage"]


# (key, symbol, name, value, unit, equation template, operands)
#  - derived line: equation is a template with one "{}" per operand key;
#  - input line: equation is None and operands is the scenario parameter it comes from
#    (or None when it is not a scenario parameter).
Line = tuple[str, str, str, float, str, "str | None", "tuple[str, ...] | str | None"]

_COUNT_UNITS = frozenset({"people", "contacts", "tellings", "hearings"})
_SHARE_UNITS = frozenset({"share", "probability"})


class MarketDamage(ResultBase):
    """The lines of a market-damage calculation, ready to walk a client through.

    Built by :func:`womsim.market_damage` or :func:`womsim.tarp_worked_example`. Each line
    has a key, a symbol, a name, a value, a unit and (for derived lines) the equation that
    makes it from earlier lines. Any line's value is available as ``dmg["key"]`` or ``dmg.key``.

    Attributes
    ----------
    title : str
        What was calculated (scenario and period).
    currency : str
        Currency of the money lines.
    period_years : float
        Length of the period in years.

    Examples
    --------
    >>> import womsim as wom
    >>> dmg = wom.market_damage(wom.Scenario.preset("telecom"), period="1 year")
    >>> dmg.total == dmg["revenue_at_risk"] == dmg.revenue_at_risk
    True
    >>> list(dmg.table().columns)
    ['symbol', 'name', 'value', 'unit', 'equation', 'working', 'basis']
    >>> round(dmg.to_dict()["period_years"], 6)
    1.0
    """

    __slots__ = ("_index", "_lines", "_sources", "currency", "period_years", "title")
    kind = "MarketDamage"

    def __init__(self, lines: list[Line], title: str, currency: str, period_years: float,
                 sources: Any = None) -> None:
        self._lines = lines
        self._index: dict[str, int] | None = None
        # the scenario in force, only read lazily by table() to label inputs by basis
        self._sources = sources
        self.title = title
        self.currency = currency
        self.period_years = period_years

    def _to_archive(self, w: ArchiveWriter) -> dict[str, Any]:
        # the values as a CSV table (exact, NaN too), the words and equations in JSON
        values = w.table(pd.DataFrame({"value": [float(ln[3]) for ln in self._lines]}),
                         "damage/values.csv")
        numbers = w.numbers({"period_years": self.period_years}, "damage/numbers.csv")
        words = [[key, symbol, name, unit, eq, list(ops) if isinstance(ops, tuple) else ops]
                 for key, symbol, name, _, unit, eq, ops in self._lines]
        src = self._sources
        sources = ({"scenario": src.to_dict()} if isinstance(src, Scenario)
                   else {"text": src} if isinstance(src, str) else None)
        return {"lines": words, "values": values, "numbers": numbers, "title": self.title,
                "currency": self.currency, "sources": sources}

    @classmethod
    def _from_archive(cls, meta: dict[str, Any], r: ArchiveReader) -> MarketDamage:
        values = r.table(meta["values"])["value"].tolist()
        words = meta["lines"]
        if not isinstance(words, list) or len(words) != len(values):
            raise r.error("meta.json: the market-damage lines do not match their values")
        lines: list[Line] = []
        for (key, symbol, name, unit, eq, ops), value in zip(words, values, strict=True):
            lines.append((str(key), str(symbol), str(name), float(value), str(unit),
                          None if eq is None else str(eq),
                          tuple(ops) if isinstance(ops, list) else ops))
        src = meta.get("sources")
        sources: Any = None
        if isinstance(src, dict) and "scenario" in src:
            sources = scenario_from(src["scenario"], r, "scenario in force")
        elif isinstance(src, dict):
            sources = str(src.get("text"))
        return cls(lines, str(meta["title"]), str(meta["currency"]),
                   r.numbers(meta["numbers"])["period_years"], sources=sources)

    # ------------------------------------------------------------------ access
    def _pos(self) -> dict[str, int]:
        if self._index is None:
            self._index = {ln[0]: i for i, ln in enumerate(self._lines)}
        return self._index

    def __getitem__(self, key: str) -> float:
        pos = self._pos()
        if key not in pos:
            raise unknown_key("market-damage line", key, pos)
        return self._lines[pos[key]][3]

    def __getattr__(self, name: str) -> float:
        # only reached for names that are not slots or methods: the line keys
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"MarketDamage has no line or attribute '{name}'") from None

    def __contains__(self, key: object) -> bool:
        return key in self._pos()

    def __iter__(self) -> Iterator[str]:
        return (ln[0] for ln in self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    def keys(self) -> list[str]:
        """The line keys, in the order of the calculation.

        Examples
        --------
        >>> from womsim import tarp_worked_example
        >>> tarp_worked_example().keys()[:3]
        ['complainers', 'silent_per_complainer', 'silent']
        """
        return [ln[0] for ln in self._lines]

    @property
    def total(self) -> float:
        """Revenue at risk (money): the headline number; for market_damage the present value of
        the lifetimes lost within the period.

        Examples
        --------
        >>> from womsim import tarp_worked_example
        >>> round(tarp_worked_example().total)
        15750
        """
        return self["revenue_at_risk"]

    # ------------------------------------------------------------------ output
    def table(self) -> pd.DataFrame:
        """One row per line: symbol, name, value, unit, equation, working, basis.

        ``equation`` is the line in symbols (``S = P × (1 − c)``), ``working`` the same with
        the numbers put in, ``basis`` where an input comes from: ``figure: <key>`` (a
        research figure, see ``womsim.figures``), ``client``, ``illustrative`` or
        ``setting``; derived lines say ``derived``.

        Returns
        -------
        pandas.DataFrame
            Indexed by line key.

        Examples
        --------
        >>> from womsim import tarp_worked_example
        >>> t = tarp_worked_example().table()
        >>> t.loc["tellings", "equation"]
        'T = U × K'
        >>> t.loc["tellings", "working"]
        '7 × 9 = 63'
        """
        pos = self._pos()
        sym = {ln[0]: ln[1] for ln in self._lines}
        rows = []
        for key, symbol, name, value, unit, eq, ops in self._lines:
            if eq is None:
                equation = f"{symbol} (input)"
                working = self._fmt(value, unit)
                basis = self._basis(ops if isinstance(ops, str) else None)
            else:
                operands = tuple(ops or ())
                equation = f"{symbol} = " + eq.format(*(sym[o] for o in operands))
                shown = (self._fmt(self._lines[pos[o]][3], self._lines[pos[o]][4])
                         for o in operands)
                working = eq.format(*shown) + " = " + self._fmt(value, unit)
                basis = "derived"
            rows.append({"key": key, "symbol": symbol, "name": name, "value": value,
                         "unit": unit, "equation": equation, "working": working,
                         "basis": basis})
        return pd.DataFrame(rows).set_index("key")

    def to_dict(self) -> dict[str, Any]:
        """Every line's value by key, plus ``title``, ``currency`` and ``period_years``.

        Examples
        --------
        >>> from womsim import tarp_worked_example
        >>> d = tarp_worked_example().to_dict()
        >>> d["unhappy"], d["tellings"]
        (7.0, 63.0)
        """
        out: dict[str, Any] = {"title": self.title, "currency": self.currency,
                               "period_years": self.period_years}
        out.update({ln[0]: ln[3] for ln in self._lines})
        return out

    def _fmt(self, value: float, unit: str) -> str:
        return _format(value, unit, self.currency)

    def _basis(self, path: str | None) -> str:
        if self._sources is None or isinstance(self._sources, str):
            return self._sources or "input"
        if path is None:
            return "setting"
        if path.startswith("~"):  # a phrase, not a parameter path
            return path[1:]
        part, _, name = path.partition(".")
        obj = getattr(self._sources, part, None)
        field = type(obj).model_fields.get(name) if obj is not None else None
        extra = field.json_schema_extra if field is not None else None
        if not isinstance(extra, dict):
            return "input"
        basis = str(extra.get("basis", "input"))
        if basis == "figure" and extra.get("figure"):
            return f"figure: {extra['figure']}"
        return basis

    def __repr__(self) -> str:
        width = max(len(ln[2]) for ln in self._lines)
        out = [self.title]
        for _, symbol, name, value, unit, _, _ in self._lines:
            out.append(f"  {name:<{width}}  {symbol:>6} = {self._fmt(value, unit)}")
        return "\n".join(out)

    def summary(self) -> pd.DataFrame:
        """Every line of the calculation (:meth:`table`): symbol, name, value, unit,
        equation, working and basis."""
        return self.table()

    def plot(self, ax: Axes | None = None) -> Axes:
        """The damage as bars: customers lost by route, referrals won; the revenue at risk
        in the title. Returns the axes."""
        return plot_damage(self, ax=ax)

    def _repr_html_(self) -> str:
        return market_damage_html(self)


def _format(value: float, unit: str, currency: str = "") -> str:
    """A number as a client reads it: counts with separators, shares in %, money rounded."""
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    a = abs(value)
    if unit in _SHARE_UNITS:
        return f"{value * 100:.3g}%" if a < 0.1 else f"{value * 100:.1f}%"
    if unit.startswith("money"):
        num = f"{value:,.0f}" if a >= 100 else f"{value:,.2f}"
        return f"{currency} {num}".strip()
    if unit in _COUNT_UNITS:
        if a >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}" if a < 1 else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,.4g}"

"""Tables to files a spreadsheet opens: CSV and Excel, written atomically and safely.

Text that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) is kept as text: in CSV behind a leading apostrophe, in Excel as
a text cell. A scenario named ``=HYPERLINK(...)`` is then shown, never run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from womsim.core.atomic import atomic_write

__all__ = ["FORMULA_START", "safe_text", "write_csv", "write_excel"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """``value``, with text a spreadsheet would run as a formula behind an apostrophe.

    Examples
    --------
    >>> safe_text("=1+1"), safe_text("today"), safe_text(3)
    ("'=1+1", 'today', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _is_text(values: Any) -> bool:
    return bool(pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values))


def _safe_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_safe_index(lvl) for lvl in index.levels])
    return index.map(safe_text) if _is_text(index) else index


def _safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(df).copy()
    for c in out.columns:
        if _is_text(out[c]):
            out[c] = out[c].map(safe_text)
    out.columns = _safe_index(out.columns)
    out.index = _safe_index(out.index)
    return out


def write_csv(df: pd.DataFrame, path: str | Path, overwrite: bool = False) -> Path:
    """Write ``df`` (its index too, unless a plain range) as UTF-8 CSV, atomically.

    Floats are written with 17 significant digits (they read back to the same bits).

    Examples
    --------
    >>> import os, tempfile, pandas as pd
    >>> p = write_csv(pd.DataFrame({"name": ["=cmd"], "x": [0.5]}),
    ...               os.path.join(tempfile.mkdtemp(), "t.csv"))
    >>> p.read_text().splitlines()
    ['name,x', "'=cmd,0.5"]
    """
    df = pd.DataFrame(df)
    keep_index = not isinstance(df.index, pd.RangeIndex) or df.index.name is not None
    text = _safe_frame(df).to_csv(index=keep_index, float_format="%.17g",
                                   lineterminator="\n")
    return atomic_write(path, text, overwrite=overwrite)


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(value, (int, str)):
        return value
    return str(value)


def write_excel(sheets: Mapping[str, pd.DataFrame], path: str | Path,
                overwrite: bool = False) -> Path:
    """Write each table as a sheet of one Excel workbook (index columns first), atomically.

    NaN and infinities are left empty; text that would run as a formula stays text.

    Examples
    --------
    >>> import os, tempfile, pandas as pd
    >>> p = write_excel({"summary": pd.DataFrame({"x": [1.5]}, index=["a"])},
    ...                 os.path.join(tempfile.mkdtemp(), "t.xlsx"))
    >>> float(pd.read_excel(p, sheet_name="summary", index_col=0).loc["a", "x"])
    1.5
    """
    from openpyxl import Workbook

    def write(tmp: Path) -> None:
        wb = Workbook()
        wb.remove(wb.active)
        for name, df in sheets.items():
            ws = wb.create_sheet(title=str(name)[:31])
            flat = pd.DataFrame(df)
            keep_index = (not isinstance(flat.index, pd.RangeIndex)
                          or flat.index.name is not None)
            if keep_index:
                flat = flat.reset_index(allow_duplicates=True)
            header = [" / ".join(map(str, c)) if isinstance(c, tuple) else str(c)
                      for c in flat.columns]
            for j, h in enumerate(header, start=1):
                _put(ws, 1, j, h)
            for i, row in enumerate(flat.itertuples(index=False), start=2):
                for j, v in enumerate(row, start=1):
                    _put(ws, i, j, _cell(v))
        wb.save(tmp)

    return atomic_write(path, write, overwrite=overwrite)


def _put(ws: Any, row: int, column: int, value: Any) -> None:
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True

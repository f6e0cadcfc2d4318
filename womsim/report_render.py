"""How a report looks: the HTML page and the Excel workbook, from its content."""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from womsim.display import (
    CSS,
    FLAGGED,
    fmt_count,
    fmt_interval,
    fmt_money,
    fmt_pct,
    fmt_value,
    status_badge,
    unit_kind,
)
from womsim.report_content import _CI, _Chart, _Content, _Table

_PAGE_CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2a33;
     max-width:1000px;margin:24px auto;padding:0 20px;line-height:1.45}
h1{font-size:24px;margin:0 0 6px 0}
h2{font-size:18px;margin:28px 0 8px 0;border-bottom:2px solid #264653;padding-bottom:3px}
.question{font-size:16px;background:#f1f5f8;border-left:4px solid #264653;padding:8px 12px;
          margin:10px 0}
.answer p{font-size:15px;margin:6px 0}
.meta{color:#5c6770;font-size:12px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #d9dee3;border-radius:6px;padding:8px 12px;min-width:200px;flex:1}
.card .label{font-size:12px;color:#5c6770}
.card .num{font-size:22px;font-weight:700;color:#264653}
.card .ci{font-size:12px;color:#5c6770}
.warn{background:#fff4f2;border:1px solid #f3b7ad;border-radius:6px;padding:8px 12px;
      margin:12px 0;font-size:13px}
.na{color:#5c6770;font-style:italic}
figure{margin:10px 0 18px 0}
figure img{max-width:100%;border:1px solid #eef0f2}
figcaption{font-size:12px;color:#5c6770}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 14px;font-size:13px}
dl.facts dt{color:#5c6770}
dl.facts dd{margin:0}
.scroll{overflow-x:auto}
footer{margin-top:30px;color:#8d99ae;font-size:11px}
@media print{.scroll{overflow:visible}h2{page-break-after:avoid}figure{page-break-inside:avoid}}
"""

def _fmt_cell(v: Any, kind: str, row_unit: str = "") -> str:
    if kind == "row":
        kind = unit_kind(row_unit)
        if kind == "number" and not row_unit:
            kind = "number"
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    if kind == "text" or not isinstance(v, (int, float, np.integer, np.floating)) or \
            isinstance(v, (bool, np.bool_)):
        return html.escape(str(v))
    if kind == "money":
        return fmt_money(v)
    if kind == "share":
        return fmt_pct(v)
    if kind == "count":
        return fmt_count(v)
    return fmt_value(v, "")


def _unit_text(unit: Any, currency: str) -> str:
    """A unit as shown: ``money`` becomes the currency (``USD``, ``USD/customer/yr``)."""
    u = "" if unit is None or unit is pd.NA else str(unit)
    if currency and u.startswith("money"):
        return currency + u[len("money"):]
    return u


def _html_table(t: _Table, currency: str) -> str:
    if t.empty:
        return f"<p class='na'>{html.escape(t.note)}</p>"
    df = t.df
    header = []
    for c in df.columns:
        k = t.units.get(c, "number")
        header.append(f"{c} ({currency})" if k == "money" and currency else str(c))
    rows, classes = [], []
    text_cols = [j for j, c in enumerate(df.columns) if t.units.get(c, "number") == "text"]
    unit_col = "unit" if "unit" in df.columns else None
    for _, r in df.iterrows():
        ru = str(r[unit_col]) if unit_col else ""
        cells = []
        for c in df.columns:
            k = t.units.get(c, "number")
            if c == t.status_col:
                cells.append(status_badge(str(r[c])))
            elif c == "flag":
                cells.append(f"<b style='color:#9b1c1c'>{html.escape(str(r[c]))}</b>")
            elif c == "unit":
                cells.append(html.escape(_unit_text(r[c], currency)))
            else:
                cells.append(_fmt_cell(r[c], k, ru))
        rows.append(cells)
        flagged = t.status_col is not None and str(r[t.status_col]) in FLAGGED
        classes.append("flag" if flagged else "tot" if str(r.iloc[0]) == "total" else "")
    from womsim.display import _table

    wrap = [j for j, c in enumerate(df.columns) if c in ("meaning", "source", "caveat",
                                                           "quoted", "research", "population",
                                                           "equation", "working", "name")]
    note = f"<p class='wom-note'>{html.escape(t.note)}</p>" if t.note else ""
    money_rows = t.units and "row" in t.units.values() and currency
    cap = t.title + (f" (money in {currency})" if money_rows else "")
    return ("<div class='scroll'>" + _table(rows, header, cap, text_cols=text_cols,
                                            row_classes=classes, wrap_cols=wrap, css=False)
            + "</div>" + note)


def _render_charts(charts: Sequence[_Chart]) -> None:
    from matplotlib.figure import Figure

    for ch in charts:
        if ch.png:
            continue
        fig = Figure(figsize=ch.size, layout="constrained")
        ch.draw(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        ch.png = buf.getvalue()


def _flag_counts(assumptions: _Table) -> dict[str, int]:
    if assumptions.empty or "status" not in assumptions.df.columns:
        return {}
    vc = assumptions.df["status"].value_counts()
    return {s: int(vc.get(s, 0)) for s in FLAGGED}


def _html(c: _Content, assumptions: _Table, figs: _Table) -> str:
    from womsim import __version__

    cur = c.currency
    e = html.escape
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width, initial-scale=1'>",
           f"<title>{e(c.title)}</title><style>{_PAGE_CSS}</style>{CSS}</head><body>",
           f"<header><h1>{e(c.title)}</h1>",
           f"<p class='question'><b>Question.</b> {e(c.question)}</p>",
           f"<p class='meta'>Prepared with womsim {e(__version__)} on "
           f"{_dt.date.today().isoformat()}.</p></header>"]
    out.append("<section class='answer'><h2>1. Answer</h2>")
    out += [f"<p>{a}</p>" for a in c.answer]
    out.append("<div class='cards'>")
    for card in c.cards:
        u = card["unit"]
        cc = cur if unit_kind(u) == "money" else ""
        ci = fmt_interval(card[_CI[0]], card[_CI[1]], u)
        out.append(f"<div class='card'><div class='label'>{e(card['headline'])}</div>"
                   f"<div class='num'>{fmt_value(card['value'], u, cc)}</div>"
                   + (f"<div class='ci'>95% CI {ci}</div>" if ci != "n/a" else "")
                   + "</div>")
    out.append("</div>")
    flags = _flag_counts(assumptions)
    if any(flags.values()):
        out.append(f"<div class='warn'><b>Read with care.</b> This result rests on "
                   f"{flags.get('unverified', 0)} UNVERIFIED and "
                   f"{flags.get('illustrative', 0)} ILLUSTRATIVE assumptions, flagged in "
                   "appendix A. Say so when you show these numbers.</div>")
    out.append("</section>")
    out.append(f"<section><h2>2. Headline numbers</h2>{_html_table(c.tables['headline'], cur)}"
               "</section>")
    out.append(f"<section><h2>3. By cause</h2>{_html_table(c.tables['by cause'], cur)}"
               "</section>")
    out.append(f"<section><h2>4. Per incident</h2>"
               f"{_html_table(c.tables['per incident'], cur)}</section>")
    out.append("<section><h2>5. Charts</h2>")
    for ch in c.charts:
        b64 = base64.b64encode(ch.png).decode("ascii")
        out.append(f"<figure><img src='data:image/png;base64,{b64}' alt='{e(ch.title)}'>"
                   f"<figcaption>{e(ch.title)}</figcaption></figure>")
    out.append("</section>")
    out.append(f"<section><h2>6. Summary</h2>{_html_table(c.tables['summary'], cur)}")
    for t in c.extra:
        out.append(_html_table(t, cur))
    out.append("</section>")
    out.append(f"<section><h2>Appendix A. Assumptions</h2>{_html_table(assumptions, cur)}"
               "</section>")
    out.append(f"<section><h2>Appendix B. Research figures</h2>{_html_table(figs, '')}"
               "</section>")
    out.append("<section><h2>Appendix C. Method</h2><dl class='facts'>")
    out += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in c.facts]
    out.append("</dl><ul>")
    out += [f"<li>{e(n)}</li>" for n in c.notes]
    out.append("</ul></section>")
    out.append(f"<footer>womsim {e(__version__)}: an agent-based word-of-mouth market model. "
               "Figures and their sources: womsim.figures.</footer></body></html>")
    return "\n".join(out)


# --------------------------------------------------------------------------- xlsx
_MONEY_FMT = "#,##0;-#,##0"
_MONEY_FMT_SMALL = "#,##0.00;-#,##0.00"
_FILLS = {"unverified": "FDE2E1", "illustrative": "FFEDC2"}


def _cell_value(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(float(v)) or math.isinf(float(v)) else float(v)
    if isinstance(v, (int, str)):
        return v
    return str(v)


def _number_format(v: Any, kind: str) -> str | None:
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return None
    if kind == "money":
        return _MONEY_FMT if abs(v) >= 100 or v == round(v) else _MONEY_FMT_SMALL
    if kind == "share":
        return "0.0%" if v == 0 or abs(v) >= 0.01 else "0.00%"
    if kind == "count":
        return "#,##0" if abs(v) >= 100 or v == round(v) else "#,##0.0"
    if abs(v) >= 1000:
        return "#,##0"
    return "General"


def _write_sheet(ws, t: _Table, currency: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="E9EEF2")
    if t.empty:
        ws["A1"] = t.title
        ws["A1"].font = bold
        ws["A2"] = t.note
        ws.column_dimensions["A"].width = min(100, max(20, len(t.note) + 2))
        return
    df = t.df
    cols = list(df.columns)
    widths = []
    for j, c in enumerate(cols, start=1):
        k = t.units.get(c, "number")
        name = f"{c} ({currency})" if k == "money" and currency else str(c)
        cell = ws.cell(row=1, column=j, value=name)
        cell.font = bold
        cell.fill = head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        widths.append(min(max(len(name) * 0.9, 8), 30))
    unit_col = "unit" if "unit" in cols else None
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for i, (_, r) in enumerate(df.iterrows(), start=2):
        ru = str(r[unit_col]) if unit_col else ""
        status = str(r[t.status_col]) if t.status_col else ""
        for j, c in enumerate(cols, start=1):
            k = t.units.get(c, "number")
            if k == "row":
                k = unit_kind(ru)
            v = _cell_value(r[c])
            if c == "unit" and isinstance(v, str):
                v = _unit_text(v, currency)
            cell = ws.cell(row=i, column=j, value=v)
            fmt = _number_format(v, k) if k != "text" else None
            if fmt:
                cell.number_format = fmt
            text = "" if v is None else str(v)
            if isinstance(v, float):
                text = f"{v:,.2f}"
            long = len(text) > 40
            cell.alignment = wrap if long else top
            widths[j - 1] = max(widths[j - 1], min(len(text) + 2, 60))
            if status in _FILLS:
                cell.fill = PatternFill("solid", fgColor=_FILLS[status])
    from openpyxl.utils import get_column_letter

    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(9, w)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    if t.note:  # the table stays clean data: its note goes on the header (and the cover)
        from openpyxl.comments import Comment

        ws["A1"].comment = Comment(t.note, "womsim", width=360, height=120)


def _xlsx_writer(c: _Content, assumptions: _Table, figs: _Table) -> Callable[[Path], None]:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from womsim import __version__

    def write(path: Path) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = "report"
        ws["A1"] = c.title
        ws["A1"].font = Font(bold=True, size=14)
        rows = [("question", c.question),
                ("answer", " ".join(_strip_tags(a) for a in c.answer)),
                ("prepared", f"womsim {__version__}, {_dt.date.today().isoformat()}"),
                *c.facts]
        flags = _flag_counts(assumptions)
        if any(flags.values()):
            rows.append(("read with care", f"{flags.get('unverified', 0)} unverified and "
                                           f"{flags.get('illustrative', 0)} illustrative "
                                           "assumptions (sheet 'assumptions', filled red and "
                                           "amber)"))
        rows += [("note", n) for n in c.notes]
        tables = [c.tables["headline"], c.tables["by cause"], c.tables["per incident"],
                  c.tables["summary"], *c.extra, assumptions, figs]
        rows += [(f"sheet '{t.sheet}'", t.note) for t in tables if t.note and not t.empty]
        for i, (k, v) in enumerate(rows, start=3):
            ws.cell(row=i, column=1, value=k).font = Font(bold=True)
            cell = ws.cell(row=i, column=2, value=v)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if k == "read with care":
                cell.font = Font(bold=True, color="9B1C1C")
        ws.column_dimensions["A"].width = 22
        ws.column_dimensions["B"].width = 110
        for t in tables:
            _write_sheet(wb.create_sheet(t.sheet), t, c.currency)
        if c.charts:
            from openpyxl.drawing.image import Image

            ws = wb.create_sheet("charts")
            row = 1
            for ch in c.charts:
                ws.cell(row=row, column=1, value=ch.title).font = Font(bold=True)
                img = Image(io.BytesIO(ch.png))
                scale = 0.75
                img.width, img.height = img.width * scale, img.height * scale
                ws.add_image(img, f"A{row + 1}")
                row += int(img.height / 20) + 4
        wb.save(path)

    return write


def _strip_tags(text: str) -> str:
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))


# --------------------------------------------------------------------------- public

"""How a report looks: the HTML page and the Excel workbook, from its content."""

from __future__ import annotations

import base64
import datetime as _dt
import io
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from womsim.core.provenance import womsim_version
from womsim.reporting.content import _CI, _Chart, _Content, _Table
from womsim.views.display import (
    CSS,
    FLAGGED,
    _table,
    fmt_count,
    fmt_interval,
    fmt_money,
    fmt_pct,
    fmt_value,
    html_fragment,
    status_badge,
    unit_kind,
)

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
b.flagtext{color:#9b1c1c}
footer{margin-top:30px;color:#8d99ae;font-size:11px}
@page{margin:12mm 10mm}
@media print{
 body{max-width:none;margin:0;padding:0;font-size:10px}
 h1{font-size:18px} h2{font-size:14px;page-break-after:avoid;break-after:avoid}
 .scroll{overflow:visible}
 figure{page-break-inside:avoid;break-inside:avoid}
 .cards{gap:6px}.card{min-width:0}.card .num{font-size:16px}
 /* every table fits the page width: cells wrap, long words break anywhere */
 table.wom{max-width:100%;font-size:8.5px}
 .wom th,.wom td{white-space:normal;overflow-wrap:anywhere;padding:1px 3px}
 .wom td.w{max-width:none}
 .wom-badge{white-space:normal;font-size:7px;line-height:10px}
 tr{page-break-inside:avoid;break-inside:avoid}
}
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
        return str(v)  # escaped by the table's template
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


# Long text that goes, in a wide table, on a line of its own under each row: the page then
# keeps readable columns on A4 and Letter instead of wrapping a word per line.
_LONG_TEXT = ("meaning", "source", "caveat", "quoted", "research", "population", "equation",
              "working")
_WIDE = 7


def _html_table(t: _Table, currency: str) -> str:
    if t.empty:
        return str(html_fragment("<p class='na'>{}</p>", t.note))
    df = t.df
    long_cols = [c for c in df.columns if c in _LONG_TEXT] if len(df.columns) > _WIDE else []
    if len(long_cols) == len(df.columns):
        long_cols = []
    cols = [c for c in df.columns if c not in long_cols]
    header = []
    for c in cols:
        k = t.units.get(c, "number")
        header.append(f"{c} ({currency})" if k == "money" and currency else str(c))
    rows, classes, details = [], [], []
    text_cols = [j for j, c in enumerate(cols) if t.units.get(c, "number") == "text"]
    unit_col = "unit" if "unit" in df.columns else None
    for _, r in df.iterrows():
        ru = str(r[unit_col]) if unit_col else ""
        cells: list[Any] = []
        for c in cols:
            k = t.units.get(c, "number")
            if c == t.status_col:
                cells.append(status_badge(str(r[c])))
            elif c == "flag":
                cells.append(html_fragment("<b class='flagtext'>{}</b>", r[c]))
            elif c == "unit":
                cells.append(_unit_text(r[c], currency))
            else:
                cells.append(_fmt_cell(r[c], k, ru))
        rows.append(cells)
        parts = [html_fragment("<i>{}:</i> {}", c, r[c]) for c in long_cols
                 if _fmt_cell(r[c], "text")]
        details.append(Markup(" &middot; ").join(parts))
        flagged = t.status_col is not None and str(r[t.status_col]) in FLAGGED
        classes.append("flag" if flagged else "tot" if str(r.iloc[0]) == "total" else "")
    wrap = [j for j, c in enumerate(cols) if c in (*_LONG_TEXT, "name")]
    note = str(html_fragment("<p class='wom-note'>{}</p>", t.note)) if t.note else ""
    # only a table with money in it says its currency (a calibration's targets hold none)
    money_rows = t.units and "row" in t.units.values() and currency and (
        unit_col is None or any(unit_kind(str(u)) == "money" for u in df[unit_col]))
    cap = t.title + (f" (money in {currency})" if money_rows else "")
    return ("<div class='scroll'>" + _table(rows, header, cap, text_cols=text_cols,
                                            row_classes=classes, wrap_cols=wrap, css=False,
                                            details=details if long_cols else None)
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


_ENV = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                          undefined=jinja2.StrictUndefined)
_ENV.filters["bold"] = lambda text: Markup(
    re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", str(escape(text))))

# Every value is escaped by the template engine; only the tables (built by the same kind of
# template) and the page's own CSS come in as markup.
_PAGE = _ENV.from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ c.title }}</title><style>{{ page_css }}</style>{{ table_css }}</head><body>
<header><h1>{{ c.title }}</h1>
<p class="question"><b>Question.</b> {{ c.question }}</p>
<p class="meta">Prepared with womsim {{ version }} on {{ today }}.</p></header>
<section class="answer"><h2>1. Answer</h2>
{% for a in c.answer %}<p>{{ a | bold }}</p>
{% endfor %}
<div class="cards">
{% for card in cards %}<div class="card"><div class="label">{{ card.label }}</div>
<div class="num">{{ card.num }}</div>{% if card.ci %}<div class="ci">95% CI {{ card.ci }}</div>
{% endif %}</div>
{% endfor %}</div>
{% if flags %}<div class="warn"><b>Read with care.</b> This result rests on
{{ flags.unverified }} UNVERIFIED and {{ flags.illustrative }} ILLUSTRATIVE assumptions,
flagged in appendix A. Say so when you show these numbers.</div>{% endif %}
</section>
{% for title, table in sections %}<section><h2>{{ title }}</h2>{{ table }}</section>
{% if loop.index == 3 %}<section class="charts"><h2>5. Charts</h2>
{% for ch in charts %}<figure><img src="data:image/png;base64,{{ ch.b64 }}" alt="{{ ch.title }}">
<figcaption>{{ ch.title }}</figcaption></figure>
{% endfor %}</section>{% endif %}
{% endfor %}
<section><h2>Appendix C. Method</h2><dl class="facts">
{% for k, v in c.facts %}<dt>{{ k }}</dt><dd>{{ v }}</dd>
{% endfor %}</dl><ul>
{% for n in c.notes %}<li>{{ n }}</li>
{% endfor %}</ul></section>
<footer>womsim {{ version }}: an agent-based word-of-mouth market model. Figures and their
sources: womsim.figures.</footer></body></html>
""")


def _html(c: _Content, assumptions: _Table, figs: _Table) -> str:
    cur = c.currency
    cards = []
    for card in c.cards:
        u = card["unit"]
        ci = fmt_interval(card[_CI[0]], card[_CI[1]], u)
        cards.append({"label": card["headline"],
                      "num": fmt_value(card["value"], u,
                                       cur if unit_kind(u) == "money" else ""),
                      "ci": "" if ci == "n/a" else ci})
    flags = _flag_counts(assumptions)
    # a segmented market's split has a section of its own (after the charts)
    by_segment = [t for t in c.extra if t.sheet == "by segment"]
    summary = Markup(_html_table(c.tables["summary"], cur)) + Markup(
        "".join(_html_table(t, cur) for t in c.extra if t not in by_segment))
    head = c.headings
    segment = [("6. By segment", Markup("".join(_html_table(t, cur) for t in by_segment)))
               ] if by_segment else []
    sections = [("2. Headline numbers", Markup(_html_table(c.tables["headline"], cur))),
                (head.get("by cause", "3. By cause"),
                 Markup(_html_table(c.tables["by cause"], cur))),
                (head.get("per incident", "4. Per incident"),
                 Markup(_html_table(c.tables["per incident"], cur))),
                *segment,
                (head.get("summary", "7. Summary" if segment else "6. Summary"), summary),
                ("Appendix A. Assumptions", Markup(_html_table(assumptions, cur))),
                ("Appendix B. Research figures", Markup(_html_table(figs, "")))]
    charts = [{"title": ch.title, "b64": base64.b64encode(ch.png).decode("ascii")}
              for ch in c.charts]
    return _PAGE.render(c=c, cards=cards, flags=flags if any(flags.values()) else None,
                        sections=sections, charts=charts, version=womsim_version(),
                        today=_dt.date.today().isoformat(), page_css=Markup(_PAGE_CSS),
                        table_css=Markup(CSS))


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


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _put(ws, row: int, column: int, value: Any):
    """Write one cell; text that a spreadsheet would read as a formula (= + - @, a tab or a
    carriage return first) stays text, so a hostile name can never run as a formula."""
    cell = ws.cell(row=row, column=column, value=None)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


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
        _put(ws, 1, 1, t.title).font = bold
        _put(ws, 2, 1, t.note)
        ws.column_dimensions["A"].width = min(100, max(20, len(t.note) + 2))
        return
    df = t.df
    cols = list(df.columns)
    widths = []
    for j, c in enumerate(cols, start=1):
        k = t.units.get(c, "number")
        name = f"{c} ({currency})" if k == "money" and currency else str(c)
        cell = _put(ws, 1, j, name)
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
            cell = _put(ws, i, j, v)
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
    def write(path: Path) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = "report"
        _put(ws, 1, 1, c.title).font = Font(bold=True, size=14)
        rows = [("question", c.question),
                ("answer", " ".join(plain(a) for a in c.answer)),
                ("prepared", f"womsim {womsim_version()}, {_dt.date.today().isoformat()}"),
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
            _put(ws, i, 1, k).font = Font(bold=True)
            cell = _put(ws, i, 2, v)
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
                _put(ws, row, 1, ch.title).font = Font(bold=True)
                img = Image(io.BytesIO(ch.png))
                scale = 0.75
                img.width, img.height = img.width * scale, img.height * scale
                ws.add_image(img, f"A{row + 1}")
                row += int(img.height / 20) + 4
        wb.save(path)

    return write


def plain(text: str) -> str:
    """An answer line as plain text (its ``**bold**`` marks removed), for Excel and slides."""
    return re.sub(r"\*\*(.+?)\*\*", r"\1", str(text))


# --------------------------------------------------------------------------- public

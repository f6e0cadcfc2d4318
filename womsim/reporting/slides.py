"""A report as slides (PowerPoint, python-pptx): the deck a consultant takes to the client.

One slide each: the title and question; the answer with its headline numbers; every chart
of the report (the waterfall by cause, the tornado, the time series); the prices per
incident; the programme's return on investment; the headline table; and the assumptions
that need care (unverified and illustrative ones, flagged). Slides are 16:9 and every text
box is sized to its slide, so nothing runs off it.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from collections.abc import Callable
from pathlib import Path

from womsim.core.provenance import womsim_version
from womsim.reporting.content import _CI, _Content, _Table
from womsim.reporting.render import _flag_counts, _fmt_cell, _unit_text
from womsim.views.display import FLAGGED, fmt_interval, fmt_value, unit_kind

_W, _H = 13.333, 7.5  # inches, 16:9
_INK, _GREY, _RED, _AMBER = "264653", "5C6770", "9B1C1C", "7A4A00"
_MAX_ROWS = 14  # rows per table slide: more go on the next slide


def _rgb(hexcode: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hexcode)


def _title_slide(prs, title: str):
    """A slide with only a title (placed in the top band); returns the slide."""
    from pptx.util import Inches, Pt

    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only"
    t = slide.shapes.title
    t.left, t.top, t.width, t.height = Inches(0.5), Inches(0.3), Inches(_W - 1), Inches(0.9)
    t.text = title
    for p in t.text_frame.paragraphs:
        p.alignment = 1  # left
        for r in p.runs:
            r.font.size = Pt(26)
            r.font.bold = True
            r.font.color.rgb = _rgb(_INK)
    return slide


def _fit_size(lines: list[str], width: float, height: float, size: float) -> float:
    """The largest font size (points, at most ``size``) at which the lines fit the box: a
    character is about half the size wide, a line 1.2 times it high, 8 points between."""
    import math

    for s in (size, 16, 14, 13, 12, 11, 10, 9, 8):
        if s > size:
            continue
        per_line = max(1, int(width * 72 / (0.5 * s)))
        rows = sum(max(1, math.ceil(len(str(t)) / per_line)) for t in lines)
        if rows * 1.2 * s + 8 * len(lines) <= height * 72:
            return s
    return 8


def _text(slide, left: float, top: float, width: float, height: float, lines: list[str],
          size: float = 16, color: str = "1F2A33"):
    """A text box of lines, its font shrunk until they fit; ``**bold**`` marks become bold."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    tf = box.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    size = _fit_size([re.sub(r"\*\*", "", str(t)) for t in lines], width - 0.2, height - 0.1,
                     size)
    for i, line in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.space_after = Pt(8)
        for j, part in enumerate(re.split(r"\*\*", str(line))):
            if not part:
                continue
            r = p.add_run()
            r.text = part
            r.font.size = Pt(size)
            r.font.bold = j % 2 == 1
            r.font.color.rgb = _rgb(color)
    return box


def _cell_text(v, kind: str, row_unit: str) -> str:
    return _fmt_cell(v, kind, row_unit)


def _table_slides(prs, t: _Table, currency: str, title: str, columns: list[str] | None = None
                  ) -> int:
    """The table on as many slides as its rows need; returns how many slides it took."""
    from pptx.util import Inches, Pt


    df = t.df
    cols = [c for c in (columns or list(df.columns)) if c in df.columns]
    chunks = [df.iloc[i:i + _MAX_ROWS] for i in range(0, len(df), _MAX_ROWS)] or [df]
    for k, part in enumerate(chunks):
        slide = _title_slide(prs, title + (f" ({k + 1}/{len(chunks)})" if len(chunks) > 1
                                           else ""))
        rows, ncols = len(part) + 1, len(cols)
        height = min(_H - 2.2, 0.4 * rows)
        shape = slide.shapes.add_table(rows, ncols, Inches(0.5), Inches(1.4), Inches(_W - 1),
                                       Inches(height))
        table = shape.table
        for j, c in enumerate(cols):
            kind = t.units.get(c, "number")
            name = f"{c} ({currency})" if kind == "money" and currency else str(c)
            table.cell(0, j).text = name
        unit_col = "unit" if "unit" in df.columns else None
        for i, (_, r) in enumerate(part.iterrows(), start=1):
            ru = str(r[unit_col]) if unit_col else ""
            for j, c in enumerate(cols):
                if c == "unit":
                    text = _unit_text(r[c], currency)
                elif c == t.status_col and str(r[c]) in FLAGGED:
                    text = str(r[c]).upper()
                else:
                    text = _cell_text(r[c], t.units.get(c, "number"), ru)
                cell = table.cell(i, j)
                cell.text = text
                if c == t.status_col and str(r[c]) in FLAGGED:
                    for run in cell.text_frame.paragraphs[0].runs:
                        run.font.bold = True
                        run.font.color.rgb = _rgb(_RED if r[c] == "unverified" else _AMBER)
        size = Pt(12 if ncols <= 6 else 10)
        for row in table.rows:
            for cell in row.cells:
                for p in cell.text_frame.paragraphs:
                    for run in p.runs:
                        run.font.size = size
        if t.note and k == len(chunks) - 1:
            _text(slide, 0.5, _H - 0.8, _W - 1, 0.6, [t.note], size=11, color=_GREY)
    return len(chunks)


def _pptx_writer(c: _Content, assumptions: _Table, figs: _Table) -> Callable[[Path], None]:
    """A function writing the deck to a path (for :func:`womsim.core.atomic.atomic_write_all`)."""
    from pptx import Presentation
    from pptx.util import Inches
    def write(path: Path) -> None:
        prs = Presentation()
        prs.slide_width, prs.slide_height = Inches(_W), Inches(_H)
        cur = c.currency
        # 1. title and question
        slide = _title_slide(prs, c.title)
        _text(slide, 0.5, 1.5, _W - 1, 3.0,
              [f"**Question.** {c.question}",
               f"Prepared with womsim {womsim_version()} on {_dt.date.today().isoformat()}."],
              size=20)
        # 2. the answer, with the headline numbers
        slide = _title_slide(prs, "The answer")
        _text(slide, 0.5, 1.3, _W - 1, 3.4, c.answer, size=17)
        width = (_W - 1) / max(len(c.cards), 1)
        for i, card in enumerate(c.cards):
            u = card["unit"]
            num = fmt_value(card["value"], u, cur if unit_kind(u) == "money" else "")
            ci = fmt_interval(card[_CI[0]], card[_CI[1]], u)
            lines = [str(card["headline"]), f"**{num}**"] + ([f"95% CI {ci}"] if ci != "n/a"
                                                             else [])
            _text(slide, 0.5 + i * width, 4.9, width - 0.15, 1.8, lines, size=14,
                  color=_INK)
        flags = _flag_counts(assumptions)
        if any(flags.values()):
            _text(slide, 0.5, _H - 0.7, _W - 1, 0.5,
                  [f"**Read with care:** this rests on {flags.get('unverified', 0)} UNVERIFIED "
                   f"and {flags.get('illustrative', 0)} ILLUSTRATIVE assumptions (last "
                   "slide)."], size=12, color=_RED)
        # 3. every chart, scaled to fit the slide
        for ch in c.charts:
            slide = _title_slide(prs, ch.title)
            w_in, h_in = ch.size
            scale = min((_W - 1) / w_in, (_H - 1.8) / h_in)
            slide.shapes.add_picture(io.BytesIO(ch.png), Inches((_W - w_in * scale) / 2),
                                     Inches(1.3), Inches(w_in * scale), Inches(h_in * scale))
        # 4. prices per incident, the programme's return, the headline table
        # a result with its own tables (a calibration) shows each under its heading
        for key in ("by cause", "per incident", "summary"):
            if key in c.headings and not c.tables[key].empty:
                t = c.tables[key]
                _table_slides(prs, t, cur, c.headings[key].split(". ", 1)[-1],
                              [col for col in t.df.columns if col != "meaning"])
        pi = c.tables["per incident"]
        if not pi.empty and "per incident" not in c.headings:
            _table_slides(prs, pi, cur, "What each incident costs")
        for t in c.extra:
            if t.sheet == "roi":
                _table_slides(prs, t, cur, "The programme's return on investment")
            elif t.sheet == "by segment":
                # the headline columns; the parts by cause are in the workbook and the page
                _table_slides(prs, t, cur, "By segment",
                              [col for col in t.df.columns if ": " not in col])
        _table_slides(prs, c.tables["headline"], cur, "Headline numbers",
                      ["headline", "value", *_CI, "unit"])
        # 5. the assumptions that need care
        a = assumptions
        if not a.empty and "status" in a.df.columns:
            weak = _Table(a.sheet, a.title, a.df[a.df["status"].isin(FLAGGED)], a.units,
                          note="UNVERIFIED: no source found, quote 'as stated'. ILLUSTRATIVE: "
                               "a modelling choice no figure supports. Every assumption, with "
                               "its source: the report's appendix A or the workbook.",
                          status_col="status")
            first = a.df.columns[0]
            if weak.df.empty:
                slide = _title_slide(prs, "Assumptions that need care")
                _text(slide, 0.5, 1.4, _W - 1, 1.0, ["None: every assumption is verified, "
                                                     "secondary, client input or derived."])
            else:
                _table_slides(prs, weak, cur, "Assumptions that need care",
                              [first, "value", "unit", "status", "figure"])
        prs.save(str(path))

    return write

"""Client-ready reports: one call writes an HTML page, an Excel workbook and a slide deck.

:func:`report` takes a result (an :class:`~womsim.Ensemble`, a
:class:`~womsim.Comparison`, a :class:`~womsim.LostRevenue`, an
:class:`~womsim.IncidentCost`, a sweep, a sensitivity, a :class:`~womsim.MarketDamage` or a
:class:`~womsim.analysis.calibrate.Calibration`) and writes

* ``<path>.html``: one self-contained page (charts embedded as PNG, no files or scripts
  beside it) with the question, the answer in plain words, the headline numbers with their
  intervals, the split by cause, the prices per incident, the charts, the summary table, and
  appendices listing every assumption with its source and status (unverified and
  illustrative numbers flagged in red and amber), the research figures and the method;
* ``<path>.xlsx``: the same tables, one sheet each (``report``, ``headline``, ``by cause``,
  ``per incident``, ``summary``, ``assumptions``, ``figures``, ``charts``; ``roi`` when a
  comparison has interventions), with money and percentage number formats, readable column
  widths, frozen headers and the flagged assumptions filled in colour;
* ``<path>.pptx``: the deck (:mod:`womsim.reporting.slides`): title and question, the answer
  with its headline numbers, every chart (the waterfall by cause, the tornado), the prices
  per incident, the programme's return on investment, and the assumptions that need care.

The files are written together (:func:`womsim.core.atomic.atomic_write_all`): all of them or none,
so an existing pair is never left with one file new and one old. An existing file is
replaced only with ``overwrite=True``.

Examples
--------
>>> import os, tempfile
>>> import womsim as wom
>>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
...                                                 "simulation.horizon_years": 0.5})
>>> lr = wom.lost_revenue(sc, runs=2, seed=1, executor="serial")
>>> out = report(lr, os.path.join(tempfile.mkdtemp(), "telecom"))
>>> sorted(p.suffix for p in out.values())
['.html', '.pptx', '.xlsx']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import womsim.reporting.calibration  # registers the calibration report
import womsim.reporting.incident  # noqa: F401  (registers the incident's report)
from womsim.core.atomic import Content, atomic_write_all, check_writable
from womsim.core.errors import WomsimError
from womsim.reporting.content import SHEETS, _add_sensitivity, _content
from womsim.reporting.render import _html, _render_charts, _xlsx_writer
from womsim.reporting.segments import add_segments
from womsim.reporting.slides import _pptx_writer

__all__ = ["FORMATS", "SHEETS", "report", "report_paths"]

#: File formats :func:`report` writes.
FORMATS = ("html", "xlsx", "pptx")


def report_paths(path: str | Path, formats: Sequence[str] = FORMATS) -> dict[str, Path]:
    """The files :func:`report` writes for ``path``: ``report.html`` -> report.html,
    report.xlsx and report.pptx; a path without a known suffix gets one per format.

    Examples
    --------
    >>> {k: p.name for k, p in report_paths("out/telecom.html").items()}
    {'html': 'telecom.html', 'xlsx': 'telecom.xlsx', 'pptx': 'telecom.pptx'}
    """
    if isinstance(formats, str):
        formats = (formats,)
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise WomsimError(f"formats = {formats!r}: choose from {FORMATS}")
    p = Path(path)
    if p.suffix.lower() in (".html", ".htm", ".xlsx", ".pptx"):
        p = p.with_suffix("")
    return {f: p.parent / f"{p.name}.{f}" for f in dict.fromkeys(formats)}


def report(result: Any, path: str | Path, question: str | None = None,
           overwrite: bool = False, formats: Sequence[str] = FORMATS,
           scenario: Any = None, sensitivity: Any = None) -> dict[str, Path]:
    """Write a client-ready report of a result: an HTML page, an Excel workbook and slides.

    Parameters
    ----------
    result : Ensemble, Comparison, LostRevenue, IncidentCost, SweepResult, Sensitivity,
        MarketDamage or Calibration
        What to report. A LostRevenue gives the fullest report (value lost by cause and
        per incident); a Comparison adds return on investment where scenarios carry
        intervention costs; an IncidentCost shows what the incident cost, by cause, for
        how long and its damage over time; a Calibration shows targets vs simulated, the
        posterior of each inferred parameter beside its prior and the calibration record.
        A result of a segmented market adds a "By segment" section, sheet and slide (its
        ``by_segment()`` split, adding up to the total).
    path : str or Path
        Where to write: ``"client/telecom"`` or ``"client/telecom.html"`` writes
        ``client/telecom.html``, ``client/telecom.xlsx`` and ``client/telecom.pptx``. The
        folder must exist.
    question : str, optional
        The client's question, shown first (default: one that fits the result).
    overwrite : bool
        Replace existing files. Without it an existing file raises ``FileExistsError`` and
        nothing is written.
    formats : sequence of {"html", "xlsx", "pptx"}
        Which files to write (default: all three).
    scenario : Scenario, optional
        The scenario whose assumptions go in the appendix, for results that do not carry
        one (a Sensitivity); by default the result's own scenario(s).
    sensitivity : Sensitivity, optional
        A tornado (:func:`womsim.sensitivity`) of the same scenario to add to the report of
        another result: its chart, its table and what moves the answer most.

    Returns
    -------
    dict of format -> Path
        The files written.

    Raises
    ------
    FileExistsError
        A file exists and ``overwrite`` is false (nothing is written).
    OSError
        A file cannot be written (read-only folder, full disk): the message names it, and
        no file is changed.
    womsim.core.errors.WomsimError
        An unsupported result or format.

    Examples
    --------
    >>> import os, tempfile
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
    ...                                                 "simulation.horizon_years": 0.5})
    >>> ens = wom.simulate(sc, runs=2, seed=1, executor="serial")
    >>> out = report(ens, os.path.join(tempfile.mkdtemp(), "today.html"), formats=["html"])
    >>> "Appendix A" in out["html"].read_text()
    True
    """
    targets = report_paths(path, formats)
    for p in targets.values():  # refuse before computing anything
        check_writable(p, overwrite)
    content, assumptions, figs = _content(result, question, scenario)
    if sensitivity is not None:
        _add_sensitivity(content, sensitivity, scenario)
    add_segments(content, result)  # a segmented market's split (nothing for one segment)
    _render_charts(content.charts)
    # each format: text, bytes or a function writing the file; all are written or none
    render: dict[str, Callable[[], Content]] = {
              "html": lambda: _html(content, assumptions, figs),
              "xlsx": lambda: _xlsx_writer(content, assumptions, figs),
              "pptx": lambda: _pptx_writer(content, assumptions, figs)}
    paths = atomic_write_all([(p, render[f]()) for f, p in targets.items()],
                             overwrite=overwrite)
    return dict(zip(targets, paths, strict=True))

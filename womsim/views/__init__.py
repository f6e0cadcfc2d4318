"""Layer 1: how results look. Formatting, HTML tables and charts, duck-typed on results.

Holds number and table formatting (``formatting``), each result's HTML (``display``), the
house chart style and palette (``style``), the charts (``plots``) and the word-of-mouth
picture (``wordofmouth``). A view takes what it is given (``ens.summary()``,
``sweep.params``, a trace) and an ``ax=``; it never imports a result class and never runs a
model: units and labels come from a scenario's static parameter metadata
(``assumptions(solve=False)``), so showing a scenario with a service desk simulates nothing.

May import: ``womsim.core``. The model, engine and results call views, never the reverse.
"""

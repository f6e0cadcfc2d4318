"""Layer 7: questions asked of several runs. Comparisons, lost revenue, sweeps, calibration.

Holds the attribution maths (``attribution``: value by cause, ROI, payback), paired
comparisons (``whatif``), lost revenue (``lostrev``), sweeps, sensitivity and break-even
(``sweep``), sweep checkpoints, the analytic market damage (``damage``), calibration
(``calibrate``, ``inference``) and client data (``clientdata``). Inside
the layer the order is one way too: attribution below whatif below lostrev below sweep.
A result type registers its file format with ``womsim.core.archive.register``.

May import: ``womsim.runner``, ``womsim.results`` and every layer below.
"""

"""Layer 0, the bottom: what every other layer needs, depending on nothing of womsim.

Holds the errors (``errors``), safe file writes (``atomic``), the research figures
(``figures``), the headline metric definitions (``metrics``), version stamps
(``provenance``), the results file with the registry of result kinds and safe reading of
ZIP archives (``archive``: each result registers how it is written, read and compared, so
saving needs no knowledge of the layers above), the result protocol (``protocol``), CSV and
Excel tables (``tables``), input checks shared by every validated model (``validation``) and
the numba cache setting (``jitcache``).

May import: nothing of womsim (the standard library and third-party packages only).
Imports go one way, down the layers of docs/architecture.md; no womsim import inside a
function (tests/test_architecture.py, .importlinter).
"""

"""Layer 9, the top: what a user runs. Load and re-run, explorer, demo, command line.

Holds loading and re-running saved results (``store``: :func:`~womsim.app.store.rerun`
runs a saved recipe again with the runner and the analyses), the notebook explorer
(``explorer``), the flagship demo (``demo``) and the ``womsim`` command (``cli``).

May import: every layer. Nothing imports it but ``womsim/__init__.py`` and the documented
alias ``womsim.store``.
"""

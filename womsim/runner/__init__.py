"""Layer 6: running many runs. Executors and :func:`~womsim.runner.simulate.simulate`.

Holds the executors (``executors``: serial, a reusable local pool, Dask; the numbers do not
depend on which) and ``simulate`` (an ensemble of runs of one scenario, with its checks).

May import: ``womsim.results`` and every layer below it.
"""

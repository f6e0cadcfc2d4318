"""Layer 4: the simulation. One step of the market, a run, and its accounting.

Holds the named random streams (``rng``), the numba kernels (``kernels``), the step, the run
and its per-step records (``step``), the per-run draws of uncertain parameters (``psa``),
the word-of-mouth trace (``trace``: the engine's own steps, recording who told whom) and
independent cascades (``spread``). No per-agent Python loops; randomness only from
``numpy.random.Generator`` streams derived from the run's seed.

May import: ``womsim.model``, ``womsim.service``, ``womsim.network``, ``womsim.views``,
``womsim.core``.
"""

"""Layer 2 (beside ``service``): who knows whom. The social graph as CSR arrays.

Holds :class:`~womsim.network.graph.Network` (``graph``), the random-graph generators
(``generators``), edge-list files (``edgelist``) and the numba graph kernels
(``graphkernels``).

May import: ``womsim.views``, ``womsim.core``; not ``womsim.service`` (the two are
independent).
"""

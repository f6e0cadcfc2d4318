"""Where experiences are made: a fixed experience mix or a simulated service desk.

The market engine asks its service model one question every step: *what share of
contacts ends delighted, satisfied or with a problem at the current load?*
:class:`FixedMix` answers with constants; :class:`ServiceDesk` answers from a SimPy
simulation of a staffed desk over a grid of loads, interpolated (and cached), so that
growth strains service and churn relieves it. Both offer the same methods:
``experience_mix(contacts_per_year)``, ``problem_causes(contacts_per_year)`` and
``cost_per_year()``.

Layer 2 (beside ``network``; docs/architecture.md). May import: ``womsim.views``,
``womsim.core``; not ``womsim.network`` or anything above. The scenario (``womsim.model``)
holds a desk; the desk knows nothing of scenarios.

Examples
--------
>>> from womsim.service import FixedMix, ServiceDesk, erlang_c
>>> FixedMix(delighted=0.1, problem=0.2).experience_mix(5_000.0).tolist()
[0.1, 0.7, 0.2]
>>> desk = ServiceDesk(agents=12, handle_time_minutes=6)
>>> desk.cost_per_year()
540000.0
>>> round(erlang_c(1.5, 1 / 6, 12), 3)  # P(wait) at 75% utilisation, 24/7
0.266
"""

from womsim.service.desk import ServiceDesk, cache_info, clear_cache
from womsim.service.mix import CAUSE_COLUMNS, MIX_COLUMNS, FixedMix, MixTable
from womsim.service.queueing import (
    ErlangA,
    agents_for_service_level,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_mean_wait,
    erlang_c_service_level,
)
from womsim.service.simulation import DeskResult

__all__ = [
    "CAUSE_COLUMNS",
    "MIX_COLUMNS",
    "DeskResult",
    "ErlangA",
    "FixedMix",
    "MixTable",
    "ServiceDesk",
    "agents_for_service_level",
    "cache_info",
    "clear_cache",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_mean_wait",
    "erlang_c_service_level",
]

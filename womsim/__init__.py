"""womsim: what customer service really costs or earns once word of mouth is counted.

Examples
--------
>>> import womsim as wom
>>> sc = wom.Scenario.preset("telecom")
>>> sc.market.observed_annual_churn
0.25
"""

import gc as _gc
from importlib.metadata import PackageNotFoundError, version

# The import makes ~180,000 objects that live as long as the process (classes, pydantic
# schemas, numba dispatchers) and next to no garbage (56 unreachable objects): the collector's
# passes over them during the import are wasted work, so it is paused for the import (0.16 s
# of CPU). Not gc.freeze() after it, which would also exempt the caller's own objects made
# before the import from every later collection: a library must not change that.
_collecting = _gc.isenabled()
_gc.disable()
try:
    from womsim.analysis.calibrate import Calibration, calibrate
    from womsim.analysis.clientdata import (
        ClientData,
        read_client,
        read_contacts,
        read_customers,
        synthetic_client,
    )
    from womsim.analysis.damage import MarketDamage, market_damage, tarp_worked_example
    from womsim.analysis.incident import IncidentCost, incident_cost
    from womsim.analysis.influence import Influence, influence
    from womsim.analysis.lostrev import LostRevenue, lost_revenue
    from womsim.analysis.sweep import break_even, sensitivity, sweep
    from womsim.analysis.whatif import Comparison, compare
    from womsim.app.explorer import explore
    from womsim.app.store import load, rerun
    from womsim.core import figures
    from womsim.core.errors import (
        CalibrationError,
        CalibrationWarning,
        EdgeListError,
        NetworkError,
        ScenarioError,
        UnknownKeyError,
        WomsimError,
    )
    from womsim.engine import spread
    from womsim.model.calendar import Calendar, Incident, Pulse
    from womsim.model.interventions import Intervention
    from womsim.model.market import Rival, Segment
    from womsim.model.scenario import Scenario
    from womsim.model.share import equilibrium_share, share_path
    from womsim.model.telling import Telling
    from womsim.network.graph import Network
    from womsim.reporting.report import report
    from womsim.results import Ensemble
    from womsim.runner.simulate import simulate
    from womsim.service import ServiceDesk
finally:
    if _collecting:
        _gc.enable()

try:
    __version__ = version("womsim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = [
    "Calendar",
    "Calibration",
    "CalibrationError",
    "CalibrationWarning",
    "ClientData",
    "Comparison",
    "EdgeListError",
    "Ensemble",
    "Incident",
    "IncidentCost",
    "Influence",
    "Intervention",
    "LostRevenue",
    "MarketDamage",
    "Network",
    "NetworkError",
    "Pulse",
    "Rival",
    "Scenario",
    "ScenarioError",
    "Segment",
    "ServiceDesk",
    "Telling",
    "UnknownKeyError",
    "WomsimError",
    "__version__",
    "break_even",
    "calibrate",
    "compare",
    "equilibrium_share",
    "explore",
    "figures",
    "incident_cost",
    "influence",
    "load",
    "lost_revenue",
    "market_damage",
    "read_client",
    "read_contacts",
    "read_customers",
    "report",
    "rerun",
    "sensitivity",
    "share_path",
    "simulate",
    "spread",
    "sweep",
    "synthetic_client",
    "tarp_worked_example",
]

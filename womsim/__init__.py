"""womsim: what customer service really costs or earns once word of mouth is counted.

Examples
--------
>>> import womsim as wom
>>> sc = wom.Scenario.preset("telecom")
>>> sc.market.observed_annual_churn
0.25
"""

from importlib.metadata import PackageNotFoundError, version

from womsim import figures, spread
from womsim.calibrate import Calibration, calibrate
from womsim.clientdata import (
    ClientData,
    read_client,
    read_contacts,
    read_customers,
    synthetic_client,
)
from womsim.damage import MarketDamage, market_damage, tarp_worked_example
from womsim.errors import (
    CalibrationError,
    EdgeListError,
    NetworkError,
    ScenarioError,
    UnknownKeyError,
    WomsimError,
)
from womsim.explorer import explore
from womsim.interventions import Intervention
from womsim.lostrev import LostRevenue, lost_revenue
from womsim.network import Network
from womsim.report import report
from womsim.results import Ensemble
from womsim.scenario import Scenario
from womsim.service import ServiceDesk
from womsim.simulate import simulate
from womsim.store import load, rerun
from womsim.sweep import break_even, sensitivity, sweep
from womsim.telling import Telling
from womsim.whatif import Comparison, compare

try:
    __version__ = version("womsim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = [
    "Calibration",
    "CalibrationError",
    "ClientData",
    "Comparison",
    "EdgeListError",
    "Ensemble",
    "Intervention",
    "LostRevenue",
    "MarketDamage",
    "Network",
    "NetworkError",
    "Scenario",
    "ScenarioError",
    "ServiceDesk",
    "Telling",
    "UnknownKeyError",
    "WomsimError",
    "__version__",
    "break_even",
    "calibrate",
    "compare",
    "explore",
    "figures",
    "load",
    "lost_revenue",
    "market_damage",
    "read_client",
    "read_contacts",
    "read_customers",
    "report",
    "rerun",
    "sensitivity",
    "simulate",
    "spread",
    "sweep",
    "synthetic_client",
    "tarp_worked_example",
]

"""The parts of a scenario, in order, with the model of each (``Scenario.market`` is a Market).

Kept apart from :mod:`womsim.model.scenario` so that what a scenario is made of can be read
by the modules the scenario itself needs (the assumptions table, the record of solved rates)
without importing the scenario.

Examples
--------
>>> PARTS[:2]
('market', 'service')
"""

from __future__ import annotations

from pydantic import BaseModel

from womsim.model.params import Complaints, Economics, Market, Service, Simulation, WordOfMouth
from womsim.model.reviews import Reviews

__all__ = ["PARTS", "PART_MODELS"]

PART_MODELS: dict[str, type[BaseModel]] = {
    "market": Market, "service": Service, "complaints": Complaints,
    "word_of_mouth": WordOfMouth, "reviews": Reviews, "economics": Economics,
    "simulation": Simulation}
PARTS = tuple(PART_MODELS)

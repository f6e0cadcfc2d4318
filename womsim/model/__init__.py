"""Layer 3: what a market is. Scenarios, their parameters and the maths on them.

Holds the scenario's parts and their metadata (``params``), the scenario (``scenario``), its
TOML files (``scenario_io``), presets, interventions, the assumptions table, the mean-field
calibration maths (``meanfield``), the record of solved hidden rates (``solved``), telling
distributions (``telling``), parameter ranges (``uncertainty``) and the valuation
(``valuation``). Nothing here simulates a market; a service desk is asked for its mix
through the scenario.

May import: ``womsim.service``, ``womsim.network``, ``womsim.views``, ``womsim.core``.
Modules that a scenario needs (assumptions, scenario_io, solved) import nothing of
``scenario``: what they need of it is passed in.
"""

"""Saved results: portable files that round-trip exactly, and re-running what made them.

Every result (see :func:`womsim.core.archive.kinds`) is saved as one ZIP file by the codec of
:mod:`womsim.core.archive`. An :class:`~womsim.results.Ensemble`, a
:class:`~womsim.analysis.whatif.Comparison` or a :class:`~womsim.analysis.sweep.SweepResult`
holds

* ``meta.json``: the format and its version, who wrote the file (womsim, Python, numpy and
  pandas versions, a UTC timestamp), and per ensemble its *recipe*: the scenario (as
  :meth:`Scenario.to_dict`), the ensemble seed, every run's seed and the network's
  fingerprint, plus the ensemble's own ``meta`` (womsim version and time it was made),
  and the column names and dtypes of each table;
* ``records.csv`` and ``runs.csv`` per ensemble (``ensembles/<i>/...`` for comparisons and
  sweeps): plain CSV, floats written with 17 significant digits, so that every number reads
  back to the same bits (NaN reads back as NaN; its sign and payload are not kept).

Nothing is pickled and nothing read is executed: loading parses JSON and CSV and validates
the scenario. Files are written atomically (a temporary file renamed into place) and an
existing file is replaced only with ``overwrite=True``.

Which executor ran the runs is not part of the recipe: the numbers do not depend on it.

Examples
--------
>>> import os, tempfile
>>> import womsim as wom
>>> from womsim.app.store import load, rerun, identical
>>> sc = wom.Scenario().replace(**{"market.people": 1000, "simulation.horizon_years": 0.25})
>>> ens = wom.simulate(sc, runs=2, seed=3, executor="serial")
>>> path = ens.save(os.path.join(tempfile.mkdtemp(), "today.zip"))
>>> back = load(path)
>>> back.records.equals(ens.records) and back.scenario == ens.scenario
True
>>> identical(rerun(path, executor="serial"), ens)
True
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from womsim.analysis.checkpoint import SweepCheckpoint
from womsim.analysis.incident import IncidentCost
from womsim.analysis.lostrev import LostRevenue
from womsim.analysis.sweep import SweepResult, sweep
from womsim.analysis.whatif import Comparison, compare
from womsim.core import archive as _archive
from womsim.core.archive import (
    FORMAT,
    FORMAT_VERSION,
    RecipeMismatchError,
    ResultsFileError,
    difference,
    frame_diff,
    jsonable,
    normal,
    provenance,
    read_table,
    table_bytes,
)
from womsim.core.errors import WomsimError
from womsim.engine.rng import run_seeds
from womsim.results import Ensemble
from womsim.runner.simulate import PER_SCENARIO, build_network, simulate

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from distributed import Client

    from womsim.network.graph import Network

__all__ = ["FORMAT", "FORMAT_VERSION", "RecipeMismatchError", "ResultsFileError",
           "SweepCheckpoint", "identical", "load", "provenance", "rerun", "save"]

_versions = _archive._versions


# the codec lives in womsim.core.archive (below every result); these names stay for callers
_jsonable = jsonable
_normal = normal
_table = table_bytes
_read_table = read_table


def save(result: Any, path: str | Path, overwrite: bool = False) -> Path:
    """Save a result (any registered kind: Ensemble, Comparison, SweepResult, LostRevenue,
    Sensitivity, BreakEven, MarketDamage, Calibration) as one ZIP file.

    Parameters
    ----------
    result
        The result to save (see :func:`womsim.core.archive.kinds`).
    path : str or Path
        The file to write (``.zip`` is customary); its folder must exist.
    overwrite : bool
        Replace an existing file; otherwise refuse with ``FileExistsError``.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    return _archive.save(result, path, overwrite=overwrite)


def load(path: str | Path) -> Any:
    """Read results saved by :func:`save` (or ``.save()``): the same object, exactly.

    Only JSON and CSV are parsed; nothing is unpickled or executed, so a file from
    elsewhere is safe to open.

    Raises
    ------
    FileNotFoundError
        No such file.
    ResultsFileError
        Not a womsim results file, damaged, or written by a newer format.

    Examples
    --------
    >>> import os, tempfile, womsim as wom
    >>> sc = wom.Scenario().replace(**{"market.people": 1000,
    ...                                "simulation.horizon_years": 0.25})
    >>> ens = wom.simulate(sc, runs=2, seed=1, executor="serial")
    >>> p = ens.save(os.path.join(tempfile.mkdtemp(), "r.zip"))
    >>> load(p).runs.equals(ens.runs)
    True
    """
    return _archive.load(path)


# ------------------------------------------------------------------- identical
# how a kind is compared is the kind's own (``_difference``); the codec compares
_frame_diff = frame_diff
_diff = difference


# the codec's own check, under the name users know from this module
identical = _archive.identical


# ------------------------------------------------------------------------ rerun
def _network_for(scenario, seed: int, fingerprint: str | None, network):
    """The network a saved result ran on: ``network`` checked, or rebuilt and checked."""
    if fingerprint is None:
        raise RecipeMismatchError("the saved results do not record their network's "
                                  "fingerprint, so they cannot be re-run safely")
    if fingerprint == PER_SCENARIO:  # each point ran on a network built for its settings
        if network is not None:
            raise RecipeMismatchError(
                "the saved results ran on one network per market network setting, built "
                "from the seed; pass network=None to build them again")
        return None
    if network is not None:
        got = network.fingerprint()
        if got != fingerprint:
            raise RecipeMismatchError(
                f"the network passed has fingerprint {got}, but the saved results ran on "
                f"the network with fingerprint {fingerprint}"
                + (" (a well-mixed market: pass network=None)"
                   if fingerprint == "well_mixed" else "")
                + "; pass the network they ran on")
        return network
    built = build_network(scenario, seed)
    got = built.fingerprint() if built is not None else "well_mixed"
    if got != fingerprint:
        raise RecipeMismatchError(
            f"the saved results ran on a network with fingerprint {fingerprint}, but the "
            f"one built from the scenario ('{scenario.market.network}', "
            f"{scenario.market.people:,} people) and seed {seed} has fingerprint {got}: "
            "they ran on a network passed in (or built by another womsim version); pass "
            "that network as network=")
    return built


def _check_seeds(seed: Any, seeds: list[int], what: str) -> int:
    if seed is None:
        raise RecipeMismatchError(f"{what} record no ensemble seed and cannot be re-run")
    if run_seeds(seed, len(seeds)) != list(seeds):
        raise RecipeMismatchError(
            f"{what}: the run seeds derived from seed {seed} are not the ones recorded; "
            "the results were made by a womsim that derives seeds differently")
    return int(seed)


def rerun(saved: str | Path | Any, network: Network | None = None,
          executor: str | Executor | Client | None = None, progress: bool | None = None,
          verify: bool = False) -> Any:
    """Run a saved result's recipe again: the same numbers, bit for bit.

    Parameters
    ----------
    saved : path, Ensemble, Comparison, SweepResult, LostRevenue or IncidentCost
        A saved file (read with :func:`load`) or a result in memory. A LostRevenue or an
        IncidentCost re-runs its paired comparison and keeps its settings (incident, share
        of the peak, interval level).
    network : Network, optional
        The network the results ran on; checked against the recorded fingerprint. When
        omitted it is rebuilt from the scenario and seed (and checked the same way).
    executor, progress
        As in :func:`womsim.simulate`; the numbers do not depend on the executor.
    verify : bool
        Compare the re-run with the saved result and raise :class:`RecipeMismatchError`
        naming the first difference.

    Returns
    -------
    Ensemble, Comparison, SweepResult, LostRevenue or IncidentCost
        A fresh result of the same kind.

    Raises
    ------
    RecipeMismatchError
        The network does not match the recorded fingerprint (the message says how to fix
        it), the seeds cannot be derived again, or (``verify``) the numbers differ.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario().replace(**{"market.people": 1000,
    ...                                "simulation.horizon_years": 0.25})
    >>> ens = wom.simulate(sc, runs=2, seed=5, executor="serial")
    >>> again = rerun(ens, executor="serial", verify=True)
    >>> again.records.equals(ens.records)
    True
    """
    original = load(saved) if isinstance(saved, (str, Path)) else saved
    again: Any
    if isinstance(original, (IncidentCost, LostRevenue)):
        # a paired comparison and its settings: re-run the comparison, keep the settings
        cmp = rerun(original.comparison, network=network, executor=executor,
                    progress=progress)
        again = (IncidentCost(cmp, original.incident.name, share=original.share,
                              level=original.level)
                 if isinstance(original, IncidentCost) else LostRevenue(cmp, original.level))
    elif isinstance(original, Ensemble):
        kind = original.meta.get("kind", "compare" if "psa" in original.meta else "simulate")
        if kind == "compare":
            raise WomsimError(
                f"this ensemble ('{original.scenario.name}') is one scenario of a "
                "comparison: its runs share the reference's calibration and prices; save "
                "and re-run the whole Comparison")
        seed = _check_seeds(original.seed, original.seeds, "the ensemble")
        net = _network_for(original.scenario, seed, original.network_fingerprint, network)
        again = simulate(original.scenario, network=net, runs=original.n_runs, seed=seed,
                         executor=executor, progress=progress)
    elif isinstance(original, Comparison):
        ref = original.ensembles[original.reference]
        seed = _check_seeds(ref.seed, ref.seeds, "the comparison")
        named = {n: e.scenario for n, e in original.ensembles.items()}
        fps = {e.network_fingerprint for e in original.ensembles.values()}
        net = _network_for(ref.scenario, seed, ref.network_fingerprint if len(fps) == 1
                           else "per scenario", network)
        again = compare(named, network=net, runs=ref.n_runs, seed=seed, executor=executor,
                        psa=original.psa, psa_params=ref.meta.get("psa_params"),
                        progress=progress)
    elif isinstance(original, SweepResult):
        if original.scenario is None or original.grid is None or original.seed is None:
            raise RecipeMismatchError("this sweep result does not record its base "
                                      "scenario, grid and seed, so it cannot be re-run")
        seed = _check_seeds(original.seed, original.ensembles[0].seeds, "the sweep")
        net = _network_for(original.scenario, seed, original.network_fingerprint, network)
        again = sweep(original.scenario, original.grid, network=net, runs=original.n_runs,
                      seed=seed, executor=executor, progress=progress)
    else:
        raise WomsimError(f"cannot re-run a {type(original).__name__}: pass a saved file, "
                          "an Ensemble, a Comparison, a SweepResult, a LostRevenue or an "
                          "IncidentCost")
    if verify:
        d = difference(original, again)
        if d is not None:
            held = getattr(original, "comparison", original)
            ens = held.ensembles if not isinstance(held, Ensemble) else [held]
            first = next(iter(ens.values())) if isinstance(ens, dict) else ens[0]
            raise RecipeMismatchError(
                f"the re-run does not reproduce the saved results: {d} (they were made by "
                f"womsim {first.meta.get('womsim_version', '?')}; this is womsim "
                f"{_versions()['womsim_version']})")
    return again

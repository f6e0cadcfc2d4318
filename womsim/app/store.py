"""Saved results: portable files that round-trip exactly, and re-running what made them.

A result (an :class:`~womsim.results.Ensemble`, a :class:`~womsim.analysis.whatif.Comparison` or a
:class:`~womsim.analysis.sweep.SweepResult`) is saved as one ZIP file holding

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

import io
import json
import platform
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from womsim.core.archive import ResultsFileError, open_archive, read_member
from womsim.core.atomic import atomic_write
from womsim.core.errors import ScenarioError, WomsimError
from womsim.results import Ensemble

__all__ = ["FORMAT", "FORMAT_VERSION", "RecipeMismatchError", "ResultsFileError",
           "identical", "load", "provenance", "rerun", "save"]

FORMAT = "womsim-results"
FORMAT_VERSION = 1

_META = "meta.json"
_META_LIMIT = 256 * 1024**2  # a recipe of many sweep points is a few MB
_ALLOWED_DTYPES = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                             "uint64", "float32", "float64", "bool"})


class RecipeMismatchError(WomsimError):
    """Saved results and what they are re-run or resumed with do not match."""


# ------------------------------------------------------------------ provenance
@lru_cache(maxsize=1)
def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        womsim_version = version("womsim")
    except PackageNotFoundError:  # pragma: no cover - source tree without installation
        womsim_version = "0.0.0+unknown"
    return {"womsim_version": womsim_version, "python_version": platform.python_version(),
            "numpy_version": np.__version__, "pandas_version": pd.__version__}


def provenance() -> dict[str, str]:
    """What made a result: womsim, Python, numpy and pandas versions and the time (UTC).

    Examples
    --------
    >>> sorted(provenance())
    ['created', 'numpy_version', 'pandas_version', 'python_version', 'womsim_version']
    """
    return {**_versions(),
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}


# ------------------------------------------------------------------------ json
def _jsonable(obj: Any, where: str = "value") -> Any:
    """Plain JSON types from numpy scalars, tuples and ranges; anything else is refused."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)) and not isinstance(obj, np.bool_):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj)
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v, f"{where}[{k!r}]") for k, v in obj.items()}
    if isinstance(obj, (list, tuple, range, np.ndarray)):
        return [_jsonable(v, where) for v in obj]
    if hasattr(obj, "model_dump"):  # a scenario part given whole, e.g. a ServiceDesk
        return _jsonable(obj.model_dump(mode="json"), where)
    raise WomsimError(f"cannot save {where} = {obj!r:.80}: only numbers, text, true/false, "
                      "lists and dicts are saved")


def _normal(obj: Any) -> Any:
    """``obj`` as it reads back from JSON (for comparing recipes)."""
    return json.loads(json.dumps(_jsonable(obj)))


# ---------------------------------------------------------------------- tables
def _table(df: pd.DataFrame, file: str) -> tuple[dict[str, Any], bytes]:
    """The spec (columns, dtypes, index) and CSV bytes of a numeric table."""
    cols = [str(c) for c in df.columns]
    if len(set(cols)) != len(cols) or cols != list(df.columns):
        raise WomsimError(f"{file}: column names must be unique text")
    dtypes = [str(t) for t in df.dtypes]
    for c, t in zip(cols, dtypes, strict=True):
        if t not in _ALLOWED_DTYPES:
            raise WomsimError(f"{file}: column '{c}' has dtype {t}; only numbers and "
                              "true/false are saved")
    idx = df.index
    if isinstance(idx, pd.RangeIndex):
        index: dict[str, Any] = {"kind": "range", "start": int(idx.start),
                                 "stop": int(idx.stop), "step": int(idx.step),
                                 "name": idx.name}
        out = df
    else:
        if str(idx.dtype) not in _ALLOWED_DTYPES or idx.nlevels != 1:
            raise WomsimError(f"{file}: only a plain numeric index is saved")
        index = {"kind": "column", "dtype": str(idx.dtype), "name": idx.name}
        out = df.copy()
        out.insert(0, "__index__", idx.to_numpy())
    if index["name"] is not None and not isinstance(index["name"], str):
        raise WomsimError(f"{file}: the index name must be text")
    text = out.to_csv(index=False, float_format="%.17g", na_rep="nan", lineterminator="\n")
    return {"file": file, "columns": cols, "dtypes": dtypes, "index": index,
            "rows": len(df)}, text.encode("utf-8")


def _expected_tables(zf: zipfile.ZipFile) -> set[str]:
    """Member names a table may have (``records.csv``, ``ensembles/3/runs.csv``,
    ``calibration/posterior.csv``)."""
    return {n for n in zf.namelist()
            if re.fullmatch(r"(ensembles/[0-9]{1,9}/)?(records|runs)\.csv", n)
            or re.fullmatch(r"calibration/(posterior|prior|check|reference)\.csv", n)}


def _read_table(zf: zipfile.ZipFile, spec: Any, path: Path) -> pd.DataFrame:
    try:
        file, cols, dtypes, index = spec["file"], spec["columns"], spec["dtypes"], spec["index"]
        rows = int(spec["rows"])
        kind = index["kind"]
    except (KeyError, TypeError, ValueError):
        raise ResultsFileError(f"{path}: meta.json describes a table incompletely") from None
    if not (isinstance(cols, list) and isinstance(dtypes, list) and len(cols) == len(dtypes)
            and all(isinstance(c, str) for c in cols)):
        raise ResultsFileError(f"{path}: meta.json: bad column list for {file!r}")
    bad = [t for t in dtypes if t not in _ALLOWED_DTYPES]
    if bad:
        raise ResultsFileError(f"{path}: {file}: unsupported dtype {bad[0]!r}")
    names = cols
    types = dict(zip(cols, dtypes, strict=True))
    if kind == "column":
        if index.get("dtype") not in _ALLOWED_DTYPES:
            raise ResultsFileError(f"{path}: {file}: unsupported index dtype")
        names = ["__index__", *cols]
        types["__index__"] = index["dtype"]
    elif kind != "range":
        raise ResultsFileError(f"{path}: {file}: unknown index kind {kind!r}")
    if not isinstance(file, str) or file not in _expected_tables(zf):
        raise ResultsFileError(f"{path}: meta.json names table {file!r}, which is not one "
                               "of the file's tables")
    try:
        data = read_member(zf, file, path)
    except KeyError:
        raise ResultsFileError(f"{path}: {file} is missing from the file") from None
    try:
        df = pd.read_csv(io.BytesIO(data), dtype=types, keep_default_na=False,
                         na_values=["nan"], encoding="utf-8")
    except (ValueError, TypeError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ResultsFileError(f"{path}: {file} cannot be read: {err}") from None
    if list(df.columns) != names or len(df) != rows:
        raise ResultsFileError(f"{path}: {file} does not match meta.json (columns or "
                               f"row count: {len(df)} rows, expected {rows})")
    if kind == "range":
        try:
            df.index = pd.RangeIndex(int(index["start"]), int(index["stop"]),
                                     int(index["step"]), name=index.get("name"))
        except (KeyError, TypeError, ValueError) as err:
            raise ResultsFileError(f"{path}: {file}: bad index: {err}") from None
    else:
        df = df.set_index("__index__")
        df.index.name = index.get("name")
    return df


# -------------------------------------------------------------------- ensembles
def _ensemble_entry(ens: Ensemble, prefix: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    rec_spec, rec = _table(ens.records, prefix + "records.csv")
    run_spec, runs = _table(ens.runs, prefix + "runs.csv")
    entry = {"scenario": ens.scenario.to_dict(), "seed": _jsonable(ens.seed),
             "seeds": _jsonable(ens.seeds), "network_fingerprint": ens.network_fingerprint,
             "meta": _jsonable(ens.meta, "meta"), "records": rec_spec, "runs": run_spec}
    return entry, {rec_spec["file"]: rec, run_spec["file"]: runs}


def _scenario(data: Any, path: Path, what: str = "scenario"):
    from womsim.model.scenario import Scenario

    if not isinstance(data, dict):
        raise ResultsFileError(f"{path}: meta.json: the {what} is not a table of parameters")
    try:
        return Scenario.from_dict(data)
    except (ScenarioError, TypeError) as err:
        raise ResultsFileError(f"{path}: the saved {what} is not valid: {err}") from None


def _ensemble_from(entry: Any, zf: zipfile.ZipFile, path: Path) -> Ensemble:
    if not isinstance(entry, dict):
        raise ResultsFileError(f"{path}: meta.json: an ensemble entry is not a table")
    try:
        scenario = _scenario(entry["scenario"], path)
        seeds = entry["seeds"]
        seed = entry["seed"]
        fp = entry["network_fingerprint"]
        meta = entry.get("meta") or {}
        records = _read_table(zf, entry["records"], path)
        runs = _read_table(zf, entry["runs"], path)
    except KeyError as err:
        raise ResultsFileError(f"{path}: meta.json lacks {err} for an ensemble") from None
    if not (isinstance(seeds, list) and all(isinstance(s, int) for s in seeds)
            and (seed is None or isinstance(seed, int)) and isinstance(meta, dict)
            and (fp is None or isinstance(fp, str))):
        raise ResultsFileError(f"{path}: meta.json: bad seeds, fingerprint or meta")
    if len(seeds) != len(runs):
        raise ResultsFileError(f"{path}: {len(seeds)} seeds for {len(runs)} runs")
    return Ensemble.from_frames(scenario, records, runs, seeds, seed, fp, meta)


# --------------------------------------------------------------------- save/load
def save(result, path: str | Path, overwrite: bool = False) -> Path:
    """Save an Ensemble, Comparison or SweepResult as one ZIP file (see module notes).

    Parameters
    ----------
    result : Ensemble, Comparison or SweepResult
    path : str or Path
        The file to write (``.zip`` is customary); its folder must exist.
    overwrite : bool
        Replace an existing file; otherwise refuse with ``FileExistsError``.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    from womsim.analysis.incident import IncidentCost
    from womsim.analysis.sweep import SweepResult
    from womsim.analysis.whatif import Comparison

    files: dict[str, bytes] = {}
    incident = None
    if isinstance(result, IncidentCost):  # its comparison, and which incident it prices
        incident = {"incident": result.incident.name, "share": result.share,
                    "level": result.level}
        result = result.comparison
    meta: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION,
                            "saved": provenance()}
    if isinstance(result, Ensemble):
        entry, files = _ensemble_entry(result, "")
        meta.update(type="Ensemble", ensemble=entry)
    elif isinstance(result, Comparison):
        entries = []
        for i, name in enumerate(result.names):
            entry, f = _ensemble_entry(result.ensembles[name], f"ensembles/{i}/")
            entries.append(entry)
            files.update(f)
        meta.update(type="Comparison", names=list(result.names), psa=bool(result.psa),
                    ensembles=entries)
        if incident is not None:
            meta.update(type="IncidentCost", **incident)
    elif isinstance(result, SweepResult):
        entries = []
        for i, ens in enumerate(result.ensembles):
            entry, f = _ensemble_entry(ens, f"ensembles/{i}/")
            entries.append(entry)
            files.update(f)
        base = result.scenario.to_dict() if result.scenario is not None else None
        meta.update(type="SweepResult", params=list(result.params),
                    points=_jsonable(result.points, "points"),
                    grid=_jsonable(result.grid, "grid") if result.grid is not None else None,
                    scenario=base, seed=_jsonable(result.seed), runs=result.n_runs,
                    network_fingerprint=result.network_fingerprint, ensembles=entries)
    else:
        raise WomsimError(f"cannot save a {type(result).__name__}: save an Ensemble, a "
                          "Comparison or a SweepResult")
    body = json.dumps(meta, indent=1, allow_nan=False).encode("utf-8")

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(_META, body)
            for name, data in files.items():
                zf.writestr(name, data)

    return atomic_write(path, write, overwrite=overwrite)


def _open_meta(path: Path) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    if not path.exists():
        raise FileNotFoundError(f"saved results not found: {path}")
    if path.is_dir():
        raise ResultsFileError(f"{path} is a folder, not a saved-results file")
    zf = open_archive(path)
    try:
        try:
            raw = read_member(zf, _META, path, limit=_META_LIMIT)
        except KeyError:
            raise ResultsFileError(f"{path} is not a womsim results file (no {_META})"
                                   ) from None
        try:
            meta = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as err:
            raise ResultsFileError(f"{path}: {_META} cannot be read: {err}") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ResultsFileError(
                f"{path} is not a womsim results file (format "
                f"{meta.get('format') if isinstance(meta, dict) else None!r})")
        version = meta.get("format_version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ResultsFileError(f"{path}: {_META} has no valid format_version "
                                   f"({version!r}); the file is damaged")
        if version > FORMAT_VERSION:
            raise ResultsFileError(
                f"{path} was written in format version {version!r}; this womsim reads up to "
                f"version {FORMAT_VERSION}: upgrade womsim")
    except BaseException:
        zf.close()
        raise
    return zf, meta


def load(path: str | Path):
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
    path = Path(path)
    zf, meta = _open_meta(path)
    with zf:
        kind = meta.get("type")
        try:
            if kind == "Ensemble":
                return _ensemble_from(meta["ensemble"], zf, path)
            if kind == "Calibration":
                from womsim.analysis.calibrate_store import calibration_from

                return calibration_from(meta, zf, path)
            if kind in ("Comparison", "IncidentCost"):
                from womsim.analysis.incident import IncidentCost
                from womsim.analysis.whatif import Comparison

                names, entries = meta["names"], meta["ensembles"]
                if not (isinstance(names, list) and isinstance(entries, list)
                        and len(names) == len(entries) >= 1):
                    raise ResultsFileError(f"{path}: meta.json: bad comparison entries")
                ens = {str(n): _ensemble_from(e, zf, path)
                       for n, e in zip(names, entries, strict=True)}
                cmp = Comparison(ens, psa=bool(meta.get("psa", False)))
                if kind == "IncidentCost":
                    return IncidentCost(cmp, str(meta["incident"]), share=float(meta["share"]),
                                        level=float(meta["level"]))
                return cmp
            if kind == "SweepResult":
                from womsim.analysis.sweep import SweepResult

                entries, points = meta["ensembles"], meta["points"]
                if not (isinstance(entries, list) and isinstance(points, list)
                        and len(entries) == len(points)):
                    raise ResultsFileError(f"{path}: meta.json: bad sweep entries")
                base = meta.get("scenario")
                return SweepResult(
                    list(meta["params"]), points,
                    [_ensemble_from(e, zf, path) for e in entries],
                    scenario=_scenario(base, path, "base scenario") if base else None,
                    grid=meta.get("grid"), seed=meta.get("seed"),
                    network_fingerprint=meta.get("network_fingerprint"))
        except KeyError as err:
            raise ResultsFileError(f"{path}: meta.json lacks {err}") from None
        except (TypeError, AttributeError) as err:  # a value of the wrong JSON type
            raise ResultsFileError(f"{path}: meta.json is not laid out as a womsim "
                                   f"results file ({err})") from None
    raise ResultsFileError(f"{path}: unknown result type {kind!r}")


# ------------------------------------------------------------------- identical
def _frame_diff(a: pd.DataFrame, b: pd.DataFrame, what: str) -> str | None:
    if list(a.columns) != list(b.columns):
        return f"{what}: columns differ"
    if a.shape != b.shape or not a.index.equals(b.index) or a.index.name != b.index.name:
        return f"{what}: shape or index differs"
    for c in a.columns:
        u, v = a[c].to_numpy(), b[c].to_numpy()
        if u.dtype != v.dtype:
            return f"{what}: column '{c}' has dtype {u.dtype} vs {v.dtype}"
        if u.dtype.kind == "f":
            nu, nv = np.isnan(u), np.isnan(v)
            if not np.array_equal(nu, nv) or u[~nu].tobytes() != v[~nv].tobytes():
                k = int(np.argmax((u != v) & ~(nu & nv)))
                return f"{what}: column '{c}' differs (row {k}: {u[k]!r} vs {v[k]!r})"
        elif not np.array_equal(u, v):
            return f"{what}: column '{c}' differs"
    return None


def _ensemble_diff(a: Ensemble, b: Ensemble, what: str = "ensemble") -> str | None:
    if a.scenario != b.scenario:
        return f"{what}: scenarios differ"
    if a.seed != b.seed or list(a.seeds) != list(b.seeds):
        return f"{what}: seeds differ"
    if a.network_fingerprint != b.network_fingerprint:
        return (f"{what}: network fingerprints differ ({a.network_fingerprint} vs "
                f"{b.network_fingerprint})")
    return (_frame_diff(a.records, b.records, f"{what} records")
            or _frame_diff(a.runs, b.runs, f"{what} runs"))


def _diff(a, b) -> str | None:
    from womsim.analysis.incident import IncidentCost
    from womsim.analysis.sweep import SweepResult
    from womsim.analysis.whatif import Comparison

    if type(a) is not type(b):
        return f"a {type(a).__name__} and a {type(b).__name__}"
    if isinstance(a, IncidentCost):
        if (a.incident, a.share, a.level) != (b.incident, b.share, b.level):
            return "the incident priced, its share of the peak or the level differ"
        a, b = a.comparison, b.comparison
    if isinstance(a, Ensemble):
        return _ensemble_diff(a, b)
    if isinstance(a, Comparison):
        if a.names != b.names or a.psa != b.psa:
            return "scenario names or psa differ"
        for n in a.names:
            d = _ensemble_diff(a.ensembles[n], b.ensembles[n], f"scenario '{n}'")
            if d:
                return d
        return None
    if isinstance(a, SweepResult):
        if _normal(a.points) != _normal(b.points) or len(a.ensembles) != len(b.ensembles):
            return "grid points differ"
        for i, (x, y) in enumerate(zip(a.ensembles, b.ensembles, strict=True)):
            d = _ensemble_diff(x, y, f"point {a.points[i]}")
            if d:
                return d
        return None
    raise WomsimError(f"cannot compare a {type(a).__name__}")


def identical(a, b) -> bool:
    """Whether two results hold the same numbers bit for bit, scenarios, seeds and network.

    ``meta`` (versions, creation time) is not compared; NaN equals NaN.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario().replace(**{"market.people": 1000,
    ...                                "simulation.horizon_years": 0.25})
    >>> a = wom.simulate(sc, runs=2, seed=4, executor="serial")
    >>> identical(a, wom.simulate(sc, runs=2, seed=4, executor="serial"))
    True
    """
    return _diff(a, b) is None


# ------------------------------------------------------------------------ rerun
def _network_for(scenario, seed: int, fingerprint: str | None, network):
    """The network a saved result ran on: ``network`` checked, or rebuilt and checked."""
    from womsim.runner.simulate import PER_SCENARIO, build_network

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
    from womsim.engine.rng import run_seeds

    if seed is None:
        raise RecipeMismatchError(f"{what} record no ensemble seed and cannot be re-run")
    if run_seeds(seed, len(seeds)) != list(seeds):
        raise RecipeMismatchError(
            f"{what}: the run seeds derived from seed {seed} are not the ones recorded; "
            "the results were made by a womsim that derives seeds differently")
    return int(seed)


def rerun(saved, network=None, executor=None, progress: bool | None = None,
          verify: bool = False):
    """Run a saved result's recipe again: the same numbers, bit for bit.

    Parameters
    ----------
    saved : path, Ensemble, Comparison or SweepResult
        A saved file (read with :func:`load`) or a result in memory.
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
    Ensemble, Comparison or SweepResult
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
    from womsim.analysis.incident import IncidentCost
    from womsim.analysis.sweep import SweepResult
    from womsim.analysis.whatif import Comparison

    original = load(saved) if isinstance(saved, (str, Path)) else saved
    priced = original if isinstance(original, IncidentCost) else None
    if priced is not None:  # re-run its comparison, then price the same incident again
        original = priced.comparison
    if isinstance(original, Ensemble):
        kind = original.meta.get("kind", "compare" if "psa" in original.meta else "simulate")
        if kind == "compare":
            raise WomsimError(
                f"this ensemble ('{original.scenario.name}') is one scenario of a "
                "comparison: its runs share the reference's calibration and prices; save "
                "and re-run the whole Comparison")
        from womsim.runner.simulate import simulate

        seed = _check_seeds(original.seed, original.seeds, "the ensemble")
        net = _network_for(original.scenario, seed, original.network_fingerprint, network)
        again = simulate(original.scenario, network=net, runs=original.n_runs, seed=seed,
                         executor=executor, progress=progress)
    elif isinstance(original, Comparison):
        from womsim.analysis.whatif import compare

        ref = original.ensembles[original.reference]
        seed = _check_seeds(ref.seed, ref.seeds, "the comparison")
        named = {n: e.scenario for n, e in original.ensembles.items()}
        fps = {e.network_fingerprint for e in original.ensembles.values()}
        net = _network_for(ref.scenario, seed, ref.network_fingerprint if len(fps) == 1
                           else "per scenario", network)
        again = compare(named, network=net, runs=ref.n_runs, seed=seed, executor=executor,
                        psa=original.psa, psa_params=ref.meta.get("psa_params"),
                        progress=progress)
        if priced is not None:
            again = IncidentCost(again, priced.incident.name, share=priced.share,
                                 level=priced.level)
            original = priced
    elif isinstance(original, SweepResult):
        from womsim.analysis.sweep import sweep

        if original.scenario is None or original.grid is None or original.seed is None:
            raise RecipeMismatchError("this sweep result does not record its base "
                                      "scenario, grid and seed, so it cannot be re-run")
        seed = _check_seeds(original.seed, original.ensembles[0].seeds, "the sweep")
        net = _network_for(original.scenario, seed, original.network_fingerprint, network)
        again = sweep(original.scenario, original.grid, network=net, runs=original.n_runs,
                      seed=seed, executor=executor, progress=progress)
    else:
        raise WomsimError(f"cannot re-run a {type(original).__name__}: pass a saved file, "
                          "an Ensemble, a Comparison or a SweepResult")
    if verify:
        d = _diff(original, again)
        if d is not None:
            ens = original.ensembles if not isinstance(original, Ensemble) else [original]
            first = next(iter(ens.values())) if isinstance(ens, dict) else ens[0]
            raise RecipeMismatchError(
                f"the re-run does not reproduce the saved results: {d} (they were made by "
                f"womsim {first.meta.get('womsim_version', '?')}; this is womsim "
                f"{_versions()['womsim_version']})")
    return again


def __getattr__(name: str) -> Any:
    # the checkpoint folder lives in womsim.analysis.checkpoint (it builds on save and load)
    if name == "SweepCheckpoint":
        from womsim.analysis.checkpoint import SweepCheckpoint

        return SweepCheckpoint
    raise AttributeError(f"module 'womsim.store' has no attribute {name!r}")

"""Saving, loading and showing a :class:`~womsim.analysis.calibrate.Calibration`.

The file is the results archive of :mod:`womsim.store` (one ZIP: ``meta.json`` plus CSV
tables, nothing pickled); :func:`womsim.load` reads it back.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from womsim.core.codec import ResultsFileError, jsonable, read_table, write_table
from womsim.results import scenario_from

__all__ = ["CALIBRATION_TABLES", "read_calibration", "write_calibration"]

_TABLES = ("posterior", "prior", "check", "reference")

#: Table members a calibration writes.
CALIBRATION_TABLES = (r"calibration/(posterior|prior|check|reference)\.csv",)


def _numeric(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A table with text columns and index moved into JSON (the archive stores numbers)."""
    text = {c: df[c].astype(str).tolist() for c in df.columns
            if not (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]))}
    index = [str(i) for i in df.index] if not isinstance(df.index, pd.RangeIndex) else None
    out = df.drop(columns=list(text)).reset_index(drop=True)
    return out, {"text": text, "index": index, "index_name": df.index.name,
                 "order": [str(c) for c in df.columns]}


def write_calibration(cal) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The ``meta.json`` entries and CSV tables of ``cal`` (see :mod:`womsim.core.codec`)."""
    files: dict[str, bytes] = {}
    tables = {}
    for name in _TABLES:
        df, extra = _numeric(getattr(cal, name))
        spec, data = write_table(df, f"calibration/{name}.csv")
        files[spec["file"]] = data
        tables[name] = {"spec": spec, **extra}
    meta = {"scenario": cal.scenario.to_dict(),
            "targets": jsonable({k: list(v) for k, v in cal.targets.items()}),
            "solved": jsonable(cal.solved), "people": cal.people, "seed": jsonable(cal.seed),
            "meta": jsonable(cal.meta, "meta"), "tables": tables}
    return meta, files


def read_calibration(meta: dict, zf: zipfile.ZipFile, path: Path, cls: type) -> Any:
    """Rebuild a calibration of class ``cls`` from an opened results file."""
    try:
        scenario = scenario_from(meta["scenario"], path)
        frames = {}
        for name in _TABLES:
            entry = meta["tables"][name]
            df = read_table(zf, entry["spec"], path)
            for c, vals in entry["text"].items():
                df[c] = vals
            df = df[entry["order"]]
            if entry["index"] is not None:
                df.index = pd.Index(entry["index"], name=entry["index_name"])
            frames[name] = df
        targets = {k: (float(v[0]), float(v[1])) for k, v in meta["targets"].items()}
        cal = cls(scenario, frames["posterior"], frames["prior"], targets, meta["solved"],
                  frames["check"], frames["reference"], meta["people"], meta["seed"])
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise ResultsFileError(f"{path}: not a readable calibration ({err!r})") from None
    cal.meta = dict(meta.get("meta") or {})
    return cal

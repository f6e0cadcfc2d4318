"""Saving, loading and showing a :class:`~womsim.analysis.calibrate.Calibration`.

The file is the results archive of :mod:`womsim.store` (one ZIP: ``meta.json`` plus CSV
tables, nothing pickled); :func:`womsim.load` reads it back.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["calibration_from", "calibration_html", "save_calibration"]

_TABLES = ("posterior", "prior", "check", "reference")


def _numeric(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A table with text columns and index moved into JSON (the archive stores numbers)."""
    text = {c: df[c].astype(str).tolist() for c in df.columns
            if not (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]))}
    index = [str(i) for i in df.index] if not isinstance(df.index, pd.RangeIndex) else None
    out = df.drop(columns=list(text)).reset_index(drop=True)
    return out, {"text": text, "index": index, "index_name": df.index.name,
                 "order": [str(c) for c in df.columns]}


def save_calibration(cal, path, overwrite: bool = False) -> Path:
    """Write ``cal`` to one ZIP (see :mod:`womsim.store`)."""
    from womsim.app.store import FORMAT, FORMAT_VERSION, _jsonable, _table, provenance
    from womsim.core.atomic import atomic_write

    files: dict[str, bytes] = {}
    tables = {}
    for name in _TABLES:
        df, extra = _numeric(getattr(cal, name))
        spec, data = _table(df, f"calibration/{name}.csv")
        files[spec["file"]] = data
        tables[name] = {"spec": spec, **extra}
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "saved": provenance(),
            "type": "Calibration", "scenario": cal.scenario.to_dict(),
            "targets": _jsonable({k: list(v) for k, v in cal.targets.items()}),
            "solved": _jsonable(cal.solved), "people": cal.people, "seed": _jsonable(cal.seed),
            "meta": _jsonable(cal.meta, "meta"), "tables": tables}
    body = json.dumps(meta, indent=1, allow_nan=False).encode("utf-8")

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("meta.json", body)
            for name, data in files.items():
                zf.writestr(name, data)

    return atomic_write(path, write, overwrite=overwrite)


def calibration_from(meta: dict, zf: zipfile.ZipFile, path: Path):
    """Rebuild a Calibration from an opened archive (called by :func:`womsim.app.store.load`)."""
    from womsim.analysis.calibrate import Calibration
    from womsim.app.store import ResultsFileError, _read_table, _scenario

    try:
        scenario = _scenario(meta["scenario"], path)
        frames = {}
        for name in _TABLES:
            entry = meta["tables"][name]
            df = _read_table(zf, entry["spec"], path)
            for c, vals in entry["text"].items():
                df[c] = vals
            df = df[entry["order"]]
            if entry["index"] is not None:
                df.index = pd.Index(entry["index"], name=entry["index_name"])
            frames[name] = df
        targets = {k: (float(v[0]), float(v[1])) for k, v in meta["targets"].items()}
        cal = Calibration(scenario, frames["posterior"], frames["prior"], targets,
                          meta["solved"], frames["check"], frames["reference"],
                          meta["people"], meta["seed"])
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise ResultsFileError(f"{path}: not a readable calibration ({err!r})") from None
    cal.meta = dict(meta.get("meta") or {})
    return cal


def calibration_html(cal) -> str:
    """Notebook view: targets vs simulated, and what the data says per parameter."""
    from womsim.views.display import _esc, _table, fmt_value

    rows = [[_esc(n), fmt_value(r["target"]), fmt_value(r["simulated"]),
             f"{fmt_value(r['ci_low'])} to {fmt_value(r['ci_high'])}", _esc(r["meaning"])]
            for n, r in cal.check.iterrows()]
    top = _table(rows, ["target", "value", "simulated", "95% interval", "meaning"],
                 caption=f"Calibration of '{cal.scenario.name}': targets vs the calibrated "
                         f"scenario ({cal.people:,} people simulated)", wrap_cols=(4,))
    d = cal.diagnostic()
    rows = [[_esc(p), fmt_value(r["prior_low"]), fmt_value(r["prior_high"]),
             fmt_value(r["posterior_mean"]),
             f"{fmt_value(r['ci_low'])} to {fmt_value(r['ci_high'])}",
             fmt_value(r["width_ratio"]), _esc(r["verdict"])] for p, r in d.iterrows()]
    mid = _table(rows, ["parameter", "prior low", "prior high", "posterior mean",
                        "90% interval", "width / prior", "what the data says"],
                 caption="Inferred parameters", wrap_cols=(6,), css=False)
    rows = [[_esc(p), _esc(src)] for p, src in cal.solved.items()]
    low = _table(rows, ["parameter", "solved from"], caption="Solved exactly", css=False)
    return top + mid + low

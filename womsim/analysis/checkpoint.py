"""Sweep checkpoints: a folder with the sweep's recipe and one saved file per finished point.

:func:`womsim.sweep` with ``checkpoint=`` saves each finished grid point here as it
finishes; calling the same sweep again loads them instead of running them. A point file
that cannot be read (damaged, truncated, hostile: see :mod:`womsim.core.archive`) is named in a
warning and run again; one that belongs to another sweep is refused.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from womsim.core.archive import RecipeMismatchError, ResultsFileError, load, save
from womsim.core.archive import normal as _normal
from womsim.core.atomic import atomic_write
from womsim.core.errors import WomsimError
from womsim.core.provenance import provenance
from womsim.results import Ensemble

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["CHECKPOINT_FORMAT", "SweepCheckpoint"]

CHECKPOINT_FORMAT = "womsim-sweep-checkpoint"
_RECIPE_LIMIT = 256 * 1024**2


def _flat(d: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(d, dict):
        return {prefix.rstrip("."): d}
    out: dict[str, Any] = {}
    for k, v in d.items():
        out.update(_flat(v, f"{prefix}{k}."))
    return out


class SweepCheckpoint:
    """A folder holding a sweep's recipe (``sweep.json``) and one file per finished point.

    Used by :func:`womsim.sweep` with ``checkpoint=``; each point is an ordinary saved
    :class:`~womsim.results.Ensemble` (``point-00003.zip``), readable with :func:`load`.
    """

    RECIPE = "sweep.json"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise WomsimError(f"checkpoint={str(path)!r} is a file; give a folder")

    def _recipe(self) -> dict[str, Any] | None:
        f = self.path / self.RECIPE
        if not f.exists():
            return None
        fix = ("; without it the finished points cannot be checked against the sweep: use "
               "another folder (each point-*.zip in it can still be read with womsim.load)")
        if f.stat().st_size > _RECIPE_LIMIT:
            raise ResultsFileError(f"{f} is {f.stat().st_size:,} bytes, too large for a "
                                   f"sweep recipe{fix}")
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError, OSError) as err:
            raise ResultsFileError(f"{f} cannot be read ({err}){fix}") from None
        if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
            raise ResultsFileError(f"{f} is not a womsim sweep checkpoint{fix}")
        return data

    def recorded_seed(self) -> int | None:
        """The seed of the sweep this folder belongs to (None for a new folder)."""
        r = self._recipe()
        seed = r.get("seed") if r else None
        return seed if isinstance(seed, int) else None

    def open(self, recipe: dict[str, Any]) -> None:
        """Start a new checkpoint, or check that this one belongs to the same sweep.

        Raises
        ------
        RecipeMismatchError
            The folder holds another sweep (naming what differs), or other files.
        """
        recipe = {"format": CHECKPOINT_FORMAT, "format_version": 1,
                  **_normal(recipe), "made_by": provenance()}
        saved = self._recipe()
        if saved is None:
            if self.path.exists() and any(not p.name.startswith(".")
                                          for p in self.path.iterdir()):
                raise RecipeMismatchError(
                    f"checkpoint folder {self.path} is not empty and holds no {self.RECIPE}:"
                    " it is not a sweep checkpoint; give a new or empty folder")
            self.path.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path / self.RECIPE, json.dumps(recipe, indent=1,
                                                             allow_nan=False))
            return
        diffs = []
        for key in ("grid", "runs", "seed", "seeds", "network_fingerprint", "scenario",
                    "posterior"):
            if saved.get(key) != recipe.get(key):
                if key == "scenario":
                    a, b = _flat(saved.get(key)), _flat(recipe[key])
                    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
                    diffs.append("scenario differs in " + ", ".join(
                        f"{k} (saved {a.get(k)!r}, now {b.get(k)!r})" for k in keys[:3]))
                elif key == "seeds":
                    diffs.append("run seeds differ")
                elif key == "posterior":  # a sweep of a Calibration: one draw per run
                    diffs.append("the calibration's posterior draws differ")
                else:
                    diffs.append(f"{key} differs (saved {saved.get(key)!r}, now "
                                 f"{recipe[key]!r})")
        if diffs:
            raise RecipeMismatchError(
                f"checkpoint folder {self.path} belongs to a different sweep: "
                + "; ".join(diffs) + ". Use another folder (or delete this one)")
        was = (saved.get("made_by") or {}).get("womsim_version")
        if was != recipe["made_by"]["womsim_version"]:
            warnings.warn(f"checkpoint {self.path} was started by womsim {was}; this is "
                          f"womsim {recipe['made_by']['womsim_version']}: points from both "
                          "are combined", stacklevel=3)

    def point_path(self, i: int) -> Path:
        """The file of point ``i``."""
        return self.path / f"point-{i:05d}.zip"

    def load_point(self, i: int, scenario: Scenario, seeds: list[int],
                   fingerprint: str | None) -> Ensemble | None:
        """Point ``i`` if it was finished (and matches), else None.

        A file that cannot be read is run again (with a warning); one that holds another
        scenario, seeds or network raises :class:`RecipeMismatchError`.
        """
        f = self.point_path(i)
        if not f.exists():
            return None
        try:
            ens = load(f)
        except ResultsFileError as err:
            warnings.warn(f"{err}; point {i} is run again", stacklevel=3)
            return None
        if not isinstance(ens, Ensemble):
            raise RecipeMismatchError(f"{f} does not hold one ensemble")
        if ens.scenario != scenario or list(ens.seeds) != list(seeds) or \
                ens.network_fingerprint != fingerprint:
            raise RecipeMismatchError(f"{f} holds a point of another sweep (scenario, seeds "
                                      "or network differ); use another checkpoint folder")
        return ens

    def save_point(self, i: int, ens: Ensemble) -> Path:
        """Write point ``i`` atomically (replacing an unreadable earlier file)."""
        return save(ens, self.point_path(i), overwrite=True)

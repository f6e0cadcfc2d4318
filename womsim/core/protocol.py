"""The result protocol: what every womsim result offers, defined once.

Every result (an ensemble, a comparison, lost revenue, a sweep, a sensitivity, a break-even,
the analytic market damage, a calibration) offers the same core:

* ``summary()``: its headline table, a pandas DataFrame;
* ``plot(ax=None)``: its chart, drawn on ``ax`` if given; returns the axes;
* ``_repr_html_()``: how a notebook shows it;
* ``save(path)`` and ``load(path)`` (and :func:`womsim.load`): one portable file through the
  archive registry (:mod:`womsim.core.archive`), read back exactly;
* ``to_csv(path)`` and ``to_excel(path)``: its tables, written atomically.

:class:`Result` states it for type checkers; :class:`ResultBase` is the mixin that gives a
class saving, loading and the table exports from its ``kind``, ``summary()`` and
``tables()``. The contract test (``tests/test_result_protocol.py``) runs over every
registered kind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

import pandas as pd

from womsim.core.archive import ArchiveReader, ArchiveWriter, load, register, save
from womsim.core.errors import WomsimError
from womsim.core.tables import write_csv, write_excel

__all__ = ["Result", "ResultBase"]

R = TypeVar("R", bound="ResultBase")


@runtime_checkable
class Result(Protocol):
    """The core every womsim result offers (see the module notes)."""

    kind: ClassVar[str]


    def summary(self) -> pd.DataFrame: ...


    def plot(self, *, ax: Any = None) -> Any: ...


    def _repr_html_(self) -> str: ...



    def save(self, path: str | Path, overwrite: bool = False) -> Path: ...

    def to_csv(self, path: str | Path, overwrite: bool = False) -> Path: ...

    def to_excel(self, path: str | Path, overwrite: bool = False) -> Path: ...


class ResultBase:
    """Saving, loading and table exports for a result class, from its ``kind``.

    A subclass that sets ``kind`` is registered with the archive: it writes itself with
    ``_to_archive`` and reads itself back with ``_from_archive``; :meth:`tables` (by
    default ``{"summary": summary()}``) is what :meth:`to_excel` writes, one sheet each.
    """

    __slots__ = ()
    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("kind"):
            register(cls)

    # ------------------------------------------------------------ the archive
    def _to_archive(self, w: ArchiveWriter) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def _from_archive(cls: type[R], meta: dict[str, Any], r: ArchiveReader) -> R:
        raise NotImplementedError

    def save(self, path: str | Path, overwrite: bool = False) -> Path:
        """Save to one portable file (a ZIP of CSV tables and JSON; nothing pickled).

        Atomic; an existing file is replaced only with ``overwrite=True``. Read it back,
        exactly, with :func:`womsim.load` or this class's ``load``.

        Examples
        --------
        >>> import os, tempfile, womsim as wom
        >>> dmg = wom.tarp_worked_example()
        >>> p = dmg.save(os.path.join(tempfile.mkdtemp(), "tarp.zip"))
        >>> wom.MarketDamage.load(p).total == dmg.total
        True
        """
        return save(self, path, overwrite=overwrite)

    @classmethod
    def load(cls: type[R], path: str | Path) -> R:
        """Read a result of this class saved with :meth:`save`."""
        obj = load(path)
        if not isinstance(obj, cls):
            raise WomsimError(f"{path} holds a {type(obj).__name__}, not a {cls.__name__}; "
                              "use womsim.load")
        return obj

    # ---------------------------------------------------------------- tables
    def summary(self) -> pd.DataFrame:
        raise NotImplementedError

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables of :meth:`to_excel`, by sheet name (the summary first)."""
        return {"summary": self.summary()}

    def to_csv(self, path: str | Path, overwrite: bool = False) -> Path:
        """Write :meth:`summary` as CSV, atomically (an existing file only with
        ``overwrite=True``). Text a spreadsheet would run as a formula stays text."""
        return write_csv(self.summary(), path, overwrite=overwrite)

    def to_excel(self, path: str | Path, overwrite: bool = False) -> Path:
        """Write :meth:`tables` as an Excel workbook, one sheet per table, atomically."""
        return write_excel(self.tables(), path, overwrite=overwrite)

"""Experience mixes: the fixed mix, the interpolation table, and their validation base.

:class:`FixedMix` and :class:`MixTable` answer the engine's one question - "what share of
contacts ends delighted, satisfied or with a problem at this load?" - in the same way,
so that a scenario's service can be either a fixed mix or a simulated desk.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from womsim.core.errors import ScenarioError, close_matches
from womsim.core.validation import no_coercion

__all__ = ["CAUSE_COLUMNS", "MIX_COLUMNS", "FixedMix", "MixTable"]

MIX_COLUMNS = ("delighted", "satisfied", "problem")
CAUSE_COLUMNS = ("problem_abandoned", "problem_waited", "problem_unresolved")


# --------------------------------------------------------------------------- errors
def _bounds(model: type[BaseModel], name: str) -> str:
    info = model.model_fields.get(name)
    if info is None:
        return ""
    parts = []
    for m in info.metadata:
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            v = getattr(m, attr, None)
            if v is not None:
                parts.append(f"{sym} {v}")
    return " and ".join(parts)


def _scenario_error(model: type[BaseModel], exc: ValidationError) -> ScenarioError:
    """Turn pydantic's report into one readable line per problem, naming field and value."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if not loc:  # a whole-model check: its message already names the fields
            lines.append(f"{model.__name__}: {msg}")
            continue
        top = str(err["loc"][0])
        allowed = _bounds(model, top)
        hint = f" (allowed: {allowed})" if allowed and err["type"] != "extra_forbidden" else ""
        value = err.get("input")
        shown = "missing" if err["type"] == "missing" else f"{value!r}"
        if err["type"] == "extra_forbidden":
            msg = "unknown parameter." + close_matches(top, model.model_fields)
        lines.append(f"{model.__name__}.{loc} = {shown}: {msg}{hint}")
    return ScenarioError("; ".join(lines))


class _Model(BaseModel):
    """Frozen, strict-keys model that reports bad input as :class:`ScenarioError`."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_assignment=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_coercion(cls, v: Any, info: Any) -> Any:
        # True read as 1 agent, or "12" as 12: silent guesses (see womsim.core.validation)
        return no_coercion(cls, v, info)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _scenario_error(type(self), exc) from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any):  # type: ignore[override]
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise _scenario_error(cls, exc) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any):  # type: ignore[override]
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as exc:
            raise _scenario_error(cls, exc) from None


def _load_array(contacts_per_year) -> np.ndarray:
    x = np.asarray(contacts_per_year, dtype=float)
    if np.any(~(x >= 0)) or np.any(np.isinf(x)):  # ~(x >= 0) also catches NaN
        raise ScenarioError(
            f"contacts_per_year = {contacts_per_year!r}: must be finite and >= 0"
        )
    return x


# --------------------------------------------------------------------------- fixed mix
class FixedMix(_Model):
    """A constant experience mix: the same shares at every load.

    ``satisfied`` is derived (``1 - delighted - problem``) so that changing one share
    keeps the mix valid; it may be given, and must then make the three sum to 1 within
    1e-9.

    Examples
    --------
    >>> mix = FixedMix(delighted=0.1, problem=0.15)
    >>> mix.satisfied
    0.75
    >>> mix.experience_mix(12_000.0).tolist()
    [0.1, 0.75, 0.15]
    """

    kind: Literal["fixed"] = "fixed"
    delighted: float = Field(ge=0.0, le=1.0, allow_inf_nan=False,
                             description="share of contacts that delight")
    problem: float = Field(ge=0.0, le=1.0, allow_inf_nan=False,
                           description="share of contacts that end with a problem")

    @model_validator(mode="before")
    @classmethod
    def _satisfied_given(cls, data: Any) -> Any:
        if isinstance(data, dict) and "satisfied" in data:
            data = dict(data)
            s = data.pop("satisfied")
            d, p = data.get("delighted"), data.get("problem")
            try:
                total = float(s) + float(d) + float(p)
            except (TypeError, ValueError):
                raise ScenarioError(
                    f"delighted = {d!r}, satisfied = {s!r}, problem = {p!r} must be numbers"
                ) from None
            if not abs(total - 1.0) <= 1e-9:
                raise ScenarioError(
                    f"delighted = {d!r}, satisfied = {s!r}, problem = {p!r} must sum to 1 "
                    f"(they sum to {total!r})"
                )
        return data

    @model_validator(mode="after")
    def _sum(self) -> FixedMix:
        if self.delighted + self.problem > 1.0 + 1e-9:
            raise ScenarioError(
                f"delighted = {self.delighted!r} and problem = {self.problem!r} leave "
                f"satisfied = {1.0 - self.delighted - self.problem:.6g} < 0; they must sum to <= 1"
            )
        return self

    @property
    def satisfied(self) -> float:
        """Derived share ``1 - delighted - problem``.

        Examples
        --------
        >>> FixedMix(delighted=0.25, problem=0.25).satisfied
        0.5
        """
        return max(0.0, 1.0 - self.delighted - self.problem)

    def experience_mix(self, contacts_per_year: float | np.ndarray = 0.0) -> np.ndarray:
        """(delighted, satisfied, problem), shape ``(..., 3)``; the load is ignored.

        Examples
        --------
        >>> FixedMix(delighted=0.2, problem=0.1).experience_mix([1.0, 2.0]).shape
        (2, 3)
        """
        x = _load_array(contacts_per_year)
        out = np.empty((*x.shape, 3))
        out[...] = (self.delighted, self.satisfied, self.problem)
        return out

    def problem_causes(self, contacts_per_year: float | np.ndarray = 0.0) -> np.ndarray:
        """A fixed mix knows no causes: zeros of shape ``(..., 3)``.

        Examples
        --------
        >>> FixedMix(delighted=0.2, problem=0.1).problem_causes(5.0).tolist()
        [0.0, 0.0, 0.0]
        """
        return np.zeros((*_load_array(contacts_per_year).shape, 3))

    def cost_per_year(self) -> float:
        """A fixed mix carries no service cost of its own: 0.

        Examples
        --------
        >>> FixedMix(delighted=0.2, problem=0.1).cost_per_year()
        0.0
        """
        return 0.0




@dataclass(frozen=True, eq=False)
class MixTable:
    """A load curve reduced to what the engine needs: tiny, picklable, fast to query.

    ``loads`` ascending (issues per year); ``mix`` rows (delighted, satisfied, problem);
    ``causes`` rows (abandoned, waited, unresolved) as shares of issues.
    Queries interpolate linearly per column, clip to the grid's ends and renormalise.

    Examples
    --------
    >>> t = MixTable.from_arrays([0, 10], [[0.2, 0.8, 0.0], [0.0, 0.5, 0.5]])
    >>> t.experience_mix(5.0).tolist()
    [0.1, 0.65, 0.25]
    >>> t.experience_mix([0.0, 20.0]).shape
    (2, 3)
    """

    loads: np.ndarray
    mix: np.ndarray
    causes: np.ndarray

    def __post_init__(self) -> None:
        # Plain-Python copies for the scalar path: numpy's per-call overhead on 3-element
        # arrays would dominate a lookup the engine makes every step.
        object.__setattr__(self, "_py", (self.loads.tolist(),
                                         [tuple(r) for r in self.mix.tolist()],
                                         [tuple(r) for r in self.causes.tolist()]))

    def __getstate__(self):
        return (self.loads, self.mix, self.causes)

    def __setstate__(self, state) -> None:
        for name, value in zip(("loads", "mix", "causes"), state, strict=True):
            object.__setattr__(self, name, value)
        self.__post_init__()

    @classmethod
    def from_arrays(cls, loads: Any, mix: Any, causes: Any = None) -> MixTable:
        """Build and check a table from array-likes (``causes`` default to zeros).

        Examples
        --------
        >>> MixTable.from_arrays([0.0, 1.0], [[0, 1, 0], [0, 0, 1]]).loads.tolist()
        [0.0, 1.0]
        """
        x = np.asarray(loads, dtype=float)
        m = np.asarray(mix, dtype=float)
        c = np.zeros_like(m) if causes is None else np.asarray(causes, dtype=float)
        if x.ndim != 1 or x.size < 1 or np.any(np.diff(x) <= 0) or m.shape != (x.size, 3) \
                or c.shape != m.shape or not (np.all(np.isfinite(m)) and np.all(np.isfinite(c))):
            raise ScenarioError("MixTable: loads must be strictly increasing and mix/causes "
                                "finite arrays of shape (len(loads), 3)")
        for a in (x, m, c):
            a.setflags(write=False)
        return cls(x, m, c)

    def _scalar(self, which: int, contacts_per_year, normalise: bool) -> np.ndarray:
        x = float(contacts_per_year)
        if not 0.0 <= x < math.inf:
            raise ScenarioError(
                f"contacts_per_year = {contacts_per_year!r}: must be finite and >= 0")
        grid, rows = self._py[0], self._py[which]  # type: ignore[attr-defined]
        if x <= grid[0]:
            a, b, c = rows[0]
        elif x >= grid[-1]:
            a, b, c = rows[-1]
        else:
            j = bisect.bisect_right(grid, x) - 1
            f = (x - grid[j]) / (grid[j + 1] - grid[j])
            (a0, b0, c0), (a1, b1, c1) = rows[j], rows[j + 1]
            a, b, c = a0 + (a1 - a0) * f, b0 + (b1 - b0) * f, c0 + (c1 - c0) * f
        a, b, c = min(max(a, 0.0), 1.0), min(max(b, 0.0), 1.0), min(max(c, 0.0), 1.0)
        if normalise:
            total = a + b + c
            a, b, c = a / total, b / total, c / total
        return np.array((a, b, c))

    def _rows(self, table: np.ndarray, contacts_per_year, normalise: bool) -> np.ndarray:
        x = _load_array(contacts_per_year)
        grid = self.loads
        if grid.size == 1:
            row = np.broadcast_to(table[0], (*x.shape, 3)).copy()
        else:
            xc = np.clip(x, grid[0], grid[-1])
            j = np.clip(np.searchsorted(grid, xc, side="right") - 1, 0, grid.size - 2)
            f = ((xc - grid[j]) / (grid[j + 1] - grid[j]))[..., None]
            row = table[j] * (1.0 - f) + table[j + 1] * f
        np.clip(row, 0.0, 1.0, out=row)
        if normalise:
            row /= row.sum(axis=-1, keepdims=True)
        return row

    def experience_mix(self, contacts_per_year: float | np.ndarray) -> np.ndarray:
        """(delighted, satisfied, problem) at the load(s), shape ``(..., 3)``.

        Examples
        --------
        >>> t = MixTable.from_arrays([0.0, 1.0], [[0, 1, 0], [0, 0, 1]])
        >>> t.experience_mix(0.25).tolist()
        [0.0, 0.75, 0.25]
        """
        if type(contacts_per_year) in _SCALARS:
            return self._scalar(1, contacts_per_year, True)
        return self._rows(self.mix, contacts_per_year, True)

    def problem_causes(self, contacts_per_year: float | np.ndarray) -> np.ndarray:
        """(abandoned, waited too long, unresolved) shares of issues, shape ``(..., 3)``.

        Examples
        --------
        >>> t = MixTable.from_arrays([0.0, 1.0], [[0, 1, 0], [0, 0, 1]], [[0, 0, 0], [1, 0, 0]])
        >>> t.problem_causes(0.5).tolist()
        [0.5, 0.0, 0.0]
        """
        if type(contacts_per_year) in _SCALARS:
            return self._scalar(2, contacts_per_year, False)
        return self._rows(self.causes, contacts_per_year, False)


_SCALARS = frozenset({float, int, np.float64, np.float32, np.int64, np.int32})

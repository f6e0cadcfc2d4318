"""Input checks shared by every validated model: numbers stay numbers, nothing is guessed.

A bool where a number belongs (True read as 1 or 1.0), text for a number ("12" read as 12),
a numpy scalar that would change type on the way: each is refused with a message instead of
being coerced into a silent wrong number. The scenario's parts (:mod:`womsim.model.params`)
and the service desk's model (:mod:`womsim.service.mix`) use the same body.

Examples
--------
>>> plain_number(3)
3
>>> try:
...     plain_number("12")
... except ValueError as err:
...     print(err)
'12' is text, not a valid number: write the number without quotes
"""

from __future__ import annotations

import typing
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

__all__ = ["no_coercion", "plain_number", "wants_number"]


@lru_cache(maxsize=512)
def wants_number(annotation: Any) -> bool:
    """Whether a field's type holds numbers (``float``, ``int | None``, ``list[int]``...)."""
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) is Literal:
        return False
    return any(wants_number(a) for a in typing.get_args(annotation))


def plain_number(value: Any, numeric: bool = True) -> Any:
    """``value`` as a plain Python number, or a ValueError for a surprise coercion.

    pydantic would read ``True`` as 1, ``numpy.True_`` as 1.0 and the text ``"0.5"`` as
    0.5: silent guesses about what was meant. Bools (Python or numpy) and text are refused
    where a number is expected; numpy numbers become the equal Python number; lists,
    tuples and dict values are checked item by item.

    Examples
    --------
    >>> plain_number(np.float64(0.25)), plain_number(np.int64(12))
    (0.25, 12)
    >>> plain_number(np.True_)
    Traceback (most recent call last):
    ...
    ValueError: expected a number, got np.True_ (a bool)
    """
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"expected a number, got {value!r} (a bool)")
    if isinstance(value, np.generic):
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return float(value)
        return value
    if isinstance(value, np.ndarray) and numeric:
        raise ValueError(f"expected a number, got a numpy array of shape {value.shape}")
    if isinstance(value, str) and numeric and value.strip().lower() != "none":
        try:
            float(value)
            hint = ": write the number without quotes"
        except ValueError:
            hint = ""
        raise ValueError(f"{value!r} is text, not a valid number{hint}")
    if isinstance(value, (list, tuple)):
        return type(value)(plain_number(x, numeric) for x in value)
    if isinstance(value, dict):
        out = {}
        for k, x in value.items():
            try:
                out[k] = plain_number(x, numeric)
            except ValueError as err:
                raise ValueError(f"{k}: {err}") from None
        return out
    return value


def no_coercion(model: type[BaseModel], v: Any, info: Any) -> Any:
    """A pydantic "before" validator's body shared by every model with numbers: no field is a
    bool (True read as 1 or 1.0 would be a silent wrong number), nor text for a number."""
    field = model.model_fields.get(info.field_name)
    numeric = field is not None and field.annotation is not None and \
        wants_number(field.annotation)  # type: ignore[arg-type]  # annotations hash
    if isinstance(v, (bool, np.bool_)):
        raise ValueError(f"expected a number, got {v!r} (a bool)")
    return plain_number(v, numeric)

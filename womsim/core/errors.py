"""Exceptions raised by womsim.

Every error names the culprit (field, value, allowed range, file line) so that a
consultant can fix the input without reading the source. All derive from
``ValueError`` so that generic handlers keep working.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class WomsimError(ValueError):
    """Base class of every womsim input error."""


class ScenarioError(WomsimError):
    """A scenario parameter is unknown, out of range or inconsistent."""

    #: one message per culprit when a validation found several (callers add file lines)
    problems: list[str]


class CalibrationError(WomsimError):
    """No member of a model family can match the requested figures."""


class CalibrationWarning(UserWarning):
    """A calibration ran but its posterior is fragile (e.g. carried by too few candidates);
    the message says what was done and what to change."""


class NetworkError(WomsimError):
    """A network is empty, malformed or does not fit the scenario."""


class EdgeListError(NetworkError):
    """A line of an edge-list file cannot be read; the message names the line."""


class UnknownKeyError(WomsimError, KeyError):
    """A name (figure key, parameter, preset) is not known; close matches are listed."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


def close_matches(name: str, choices: Iterable[str], n: int = 3) -> str:
    """Return ``" Did you mean 'a' or 'b'?"`` for the closest choices, or ``""``.

    Examples
    --------
    >>> close_matches("negativ_tells", ["negative_tells", "positive_tells"])
    " Did you mean 'negative_tells' or 'positive_tells'?"
    """
    matches = difflib.get_close_matches(name, list(choices), n=n, cutoff=0.6)
    if not matches:
        return ""
    quoted = [f"'{m}'" for m in matches]
    if len(quoted) == 1:
        return f" Did you mean {quoted[0]}?"
    return " Did you mean " + ", ".join(quoted[:-1]) + f" or {quoted[-1]}?"


def unknown_key(kind: str, name: str, choices: Iterable[str]) -> UnknownKeyError:
    """Build an :class:`UnknownKeyError` that lists close matches and the known names."""
    choices = sorted(choices)
    hint = close_matches(name, choices)
    return UnknownKeyError(
        f"unknown {kind} '{name}'.{hint} Known: {', '.join(choices)}"
    )

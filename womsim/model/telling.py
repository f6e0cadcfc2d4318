"""How many people one customer tells: count distributions calibrated from research figures.

A :class:`Telling` is a distribution on the counts 0, 1, 2, ... stored as a probability table
(truncated where the remaining tail is below 1e-12, then renormalised), so that sampling,
``pmf``/``cdf``/``sf`` and the inverse-CDF map used by the engine all read the same numbers.

Families
--------
``"negative_binomial"``
    The default heavy-tailed family. It is a gamma mixture of Poissons: each customer has a
    personal telling rate (gamma distributed with shape ``r``, the *dispersion*) and tells a
    Poisson number of people at that rate. Small ``r`` means very unequal talkers. Mean ``m``,
    variance ``m + m**2 / r``; in scipy's parametrisation ``nbinom(r, p)`` with
    ``p = r / (r + m)``.
``"poisson"``
    Everybody talks at the same rate (the ``r -> infinity`` limit).
``"pmf"``
    A table given by the user.

Calibration
-----------
:meth:`Telling.from_figures` finds the negative binomial with a given mean and a given share
telling more than ``k`` people. At a fixed mean, P(K > k) as a function of the dispersion is
not monotone: for ``k`` above the mean it rises from the Poisson value as the spread grows
(``r`` falls), peaks, then falls to 0 as almost everybody ends up telling nobody. There are
then two members for each share between the Poisson value and the peak; womsim takes by
default the *moderate* one (larger ``r``, the branch joined to Poisson) and offers the
*extreme* one on request. For ``k`` below the mean, P(K > k) only falls as the spread grows,
and the solution is unique. Shares above the peak cannot be reached by any member.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from womsim.core import figures
from womsim.core.errors import CalibrationError, WomsimError, unknown_key

# scipy only inside the functions that use it: `import womsim` would pay ~0.4 s CPU for it
# (a third of the import) although most sessions never call them (tests/test_import_cost.py)

__all__ = ["FAMILIES", "Telling"]

#: Families a :class:`Telling` can belong to.
FAMILIES: tuple[str, ...] = ("negative_binomial", "poisson", "pmf")

#: The table stops where the remaining tail probability falls below this.
TAIL_CUTOFF = 1e-12
# A longer table would mean people telling millions of others: not a telling distribution,
# and a memory hazard when every worker process holds a copy.
_MAX_TABLE = 1_000_000
# Dispersion search range, as alpha = 1/r: alpha = 0 is Poisson, alpha = 1e3 (r = 0.001)
# already means ~99% of customers tell nobody at the means of interest.
_ALPHA_MAX = 1e3
_ALPHA_GRID = np.concatenate([[0.0], np.logspace(-6, math.log10(_ALPHA_MAX), 241)])
# Below this alpha the negative binomial equals the Poisson to ~1e-10: call it Poisson.
_ALPHA_POISSON = 1e-10
# The tail figure is quoted as "13% tell more than 20 people".
_TAIL_PEOPLE = 20
_BRANCHES = ("moderate", "extreme")
# A user table whose mass is this close to 1 is kept bit for bit (round trips stay exact).
_SUM_EXACT = 1e-12
_SUM_TOLERANCE = 1e-9


def _tail_curve(mean: float, k: int, alphas: ArrayLike) -> NDArray[np.float64]:
    """P(K > k) of the negative binomial with this mean, for each alpha = 1/r (0 = Poisson)."""
    from scipy import stats

    alphas = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
    out = np.empty_like(alphas)
    poisson = alphas == 0.0
    out[poisson] = stats.poisson.sf(k, mean)
    r = 1.0 / alphas[~poisson]
    out[~poisson] = stats.nbinom.sf(k, r, r / (r + mean))
    return out


def _peak(mean: float, k: int) -> tuple[float, float]:
    """Return (alpha, P(K > k)) where the tail share is largest at this mean."""
    from scipy import optimize

    values = _tail_curve(mean, k, _ALPHA_GRID)
    i = int(np.argmax(values))
    if i == 0 or i == len(_ALPHA_GRID) - 1:
        return float(_ALPHA_GRID[i]), float(values[i])
    # The curve is unimodal in log(alpha) (checked numerically over a wide grid of means and
    # k); refine between the grid neighbours of the best point.
    lo = math.log(_ALPHA_GRID[i - 1]) if i > 1 else math.log(_ALPHA_GRID[1]) - 1.0
    hi = math.log(_ALPHA_GRID[i + 1])
    res = optimize.minimize_scalar(
        lambda t: -_tail_curve(mean, k, math.exp(t))[0],
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-10},
    )
    if -res.fun >= values[i]:
        return math.exp(res.x), float(-res.fun)
    return float(_ALPHA_GRID[i]), float(values[i])


def _min_mean_for(k: int, share: float, mean: float) -> float | None:
    """Smallest mean at which some negative binomial puts ``share`` above ``k`` (or None)."""
    from scipy import optimize

    if _peak(mean * 1e3, k)[1] < share:
        return None
    return math.exp(
        optimize.brentq(
            lambda t: _peak(math.exp(t), k)[1] - share,
            math.log(mean),
            math.log(mean * 1e3),
            xtol=1e-6,
        )
    )


def _fmt(x: float) -> str:
    return f"{x:.4g}"


@functools.lru_cache(maxsize=256)
def _solve_alpha(mean: float, k: int, share: float, branch: str) -> float:
    """Alpha = 1/r of the negative binomial with this mean and P(K > k) = share."""
    from scipy import optimize

    asked = f"mean {mean:g} and P(K > {k}) = {share:g}"
    a_peak, peak = _peak(mean, k)
    poisson = float(_tail_curve(mean, k, 0.0)[0])
    floor = float(_tail_curve(mean, k, _ALPHA_MAX)[0])
    # With k near the mean the curve leaves Poisson flat; a peak within rounding of the
    # Poisson value is no peak, and the whole curve is one falling branch.
    monotone = a_peak == 0.0 or peak <= poisson * (1 + 1e-9)
    if monotone:
        a_peak, peak = 0.0, poisson
        lo_a, hi_a, low, high = 0.0, _ALPHA_MAX, floor, poisson
        branch_text = "the negative binomials reach"
    elif branch == "moderate":
        lo_a, hi_a, low, high = 0.0, a_peak, poisson, peak
        branch_text = "the moderate branch (r from infinity down to the peak) reaches"
    else:
        lo_a, hi_a, low, high = a_peak, _ALPHA_MAX, floor, peak
        branch_text = "the extreme branch (r from the peak down to 0.001) reaches"

    if not low <= share <= high:
        reach = f"for that mean and k, {branch_text} P(K > {k}) from {_fmt(low)} to {_fmt(high)}"
        if share > peak and not monotone:
            why = (
                f"no negative binomial with mean {mean:g} puts more than {_fmt(peak)} above "
                f"{k}: spreading the counts further piles them on 0 faster than it fattens "
                f"the tail"
            )
            needed = _min_mean_for(k, share, mean)
            if needed is not None:
                why += f"; a share of {share:g} needs a mean of at least {needed:.3g}"
            why += " (or give your own table with Telling.from_pmf)"
        elif share > peak:
            why = (
                f"for k not above the mean, spreading the counts only lowers P(K > {k}); more "
                f"than the Poisson share {_fmt(poisson)} needs counts less spread than Poisson, "
                f"which no negative binomial gives (give your own table with Telling.from_pmf)"
            )
        elif branch == "moderate" and not monotone and share < poisson:
            why = (
                f"a share below the Poisson value {_fmt(poisson)} needs counts less spread "
                f"than Poisson, or the extreme branch where most people tell nobody"
            )
            if share >= floor:
                why += " (pass branch='extreme' to accept that)"
        else:
            why = (
                "a share this small would need r below 0.001, where almost everybody tells "
                "nobody; give your own table with Telling.from_pmf"
            )
        raise CalibrationError(f"cannot calibrate a negative binomial to {asked}: {reach}; {why}.")
    if lo_a == hi_a:  # a peak at the end of the search range, matched exactly
        return lo_a
    return float(
        optimize.brentq(
            lambda a: _tail_curve(mean, k, a)[0] - share, lo_a, hi_a, xtol=1e-14, rtol=1e-13
        )
    )


def _check_mean(mean: Any, *, strict: bool) -> float:
    if isinstance(mean, bool) or not isinstance(mean, numbers.Real):
        raise WomsimError(f"telling mean must be a number, got {mean!r}")
    m = float(mean)
    if not math.isfinite(m) or m < 0 or (strict and m == 0):
        need = "positive" if strict else "non-negative"
        raise CalibrationError(f"telling mean must be finite and {need}, got {mean!r}")
    return m


def _nb_table(mean: float, r: float) -> NDArray[np.float64]:
    from scipy import stats

    if mean == 0.0:
        return np.ones(1)
    return _truncated(stats.nbinom(r, r / (r + mean)), f"negative binomial mean {mean:g}, r {r:g}")


def _poisson_table(mean: float) -> NDArray[np.float64]:
    from scipy import stats

    return _truncated(stats.poisson(mean), f"Poisson {mean:g}")


def _truncated(dist: Any, label: str) -> NDArray[np.float64]:
    """The distribution's pmf up to where the tail falls below TAIL_CUTOFF, renormalised."""
    kmax = float(dist.isf(TAIL_CUTOFF))
    if not math.isfinite(kmax) or kmax >= _MAX_TABLE:
        raise CalibrationError(
            f"{label}: the counts reach {kmax:.3g} people before the tail falls below "
            f"{TAIL_CUTOFF:g}; womsim keeps tables up to {_MAX_TABLE:,} people"
        )
    n = int(kmax)
    while dist.sf(n) > TAIL_CUTOFF:  # guards against isf rounding
        n += 1
    pmf = dist.pmf(np.arange(n + 1))
    return pmf / pmf.sum()


def _user_table(p: ArrayLike, normalize: bool) -> NDArray[np.float64]:
    try:
        pmf = np.array(p, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise WomsimError(f"pmf must be a sequence of probabilities: {exc}") from None
    if pmf.ndim != 1 or pmf.size == 0:
        raise WomsimError(f"pmf must be a non-empty 1-D sequence, got shape {pmf.shape}")
    bad = np.flatnonzero(~np.isfinite(pmf) | (pmf < 0))
    if bad.size:
        i = int(bad[0])
        raise WomsimError(f"pmf[{i}] = {pmf[i]!r}: probabilities must be finite and >= 0")
    nonzero = np.flatnonzero(pmf)
    if nonzero.size == 0:
        raise WomsimError("pmf sums to 0: at least one count needs a positive probability")
    pmf = pmf[: nonzero[-1] + 1]  # trailing zeros would only lengthen the search
    if pmf.size > _MAX_TABLE:
        raise WomsimError(f"pmf has {pmf.size:,} entries; womsim keeps tables up to {_MAX_TABLE:,}")
    total = float(pmf.sum())
    if abs(total - 1.0) > _SUM_TOLERANCE and not normalize:
        raise WomsimError(
            f"pmf sums to {total:.12g}, not 1; fix the table or pass normalize=True to rescale it"
        )
    if abs(total - 1.0) > _SUM_EXACT:
        pmf = pmf / total
    return pmf


def _thin(pmf: NDArray[np.float64], keep: float) -> NDArray[np.float64]:
    """Binomial thinning: each person told is kept with probability ``keep``."""
    out = np.zeros_like(pmf)
    out[0] = pmf[0]
    # Binomial(k, keep) built up one trial at a time: each step is a convex combination, so
    # it stays exact to rounding and costs O(k) vector work instead of a scipy call per k.
    b = np.zeros_like(pmf)
    b[0] = 1.0
    for k in range(1, pmf.size):
        b[k] = b[k - 1] * keep
        b[1:k] = b[1:k] * (1.0 - keep) + b[: k - 1] * keep
        b[0] *= 1.0 - keep
        if pmf[k]:
            out[: k + 1] += pmf[k] * b[: k + 1]
    nonzero = np.flatnonzero(out > 0)
    out = out[: nonzero[-1] + 1]
    return out / out.sum()


class Telling:
    """How many people one customer tells: a count distribution on {0, 1, 2, ...}.

    Build one with :meth:`from_figures`, :meth:`negative`, :meth:`positive`,
    :meth:`negative_binomial`, :meth:`poisson`, :meth:`from_pmf` or :meth:`from_dict`; or
    directly as ``Telling(family, **params)``.

    Parameters
    ----------
    family : {"negative_binomial", "poisson", "pmf"}
        Distribution family.
    **params
        ``mean`` and ``dispersion`` (r) for the negative binomial; ``mean`` for Poisson;
        ``pmf`` (and optionally ``normalize``) for a user table.

    Examples
    --------
    >>> import numpy as np
    >>> tell = Telling.negative()
    >>> round(tell.mean(), 3), round(float(tell.sf(20)), 3)
    (9.0, 0.13)
    >>> tell.sample(np.random.default_rng(1), size=5).dtype
    dtype('int64')
    >>> Telling("poisson", mean=3.5) == Telling.positive()
    True
    """

    __slots__ = (
        "_calibration", "_cdf", "_family", "_guide", "_guide_size", "_params", "_pmf", "_sf",
    )

    def __init__(self, family: str, **params: Any) -> None:
        if family not in FAMILIES:
            raise unknown_key("telling family", str(family), FAMILIES)
        allowed = {
            "negative_binomial": {"mean", "dispersion"},
            "poisson": {"mean"},
            "pmf": {"pmf", "normalize"},
        }[family]
        for name in params:
            if name not in allowed:
                raise unknown_key(f"{family} parameter", name, allowed)
        required = allowed - {"normalize"}
        missing = sorted(required - set(params))
        if missing:
            raise WomsimError(f"{family} telling needs {', '.join(missing)}")

        if family == "negative_binomial":
            mean = _check_mean(params["mean"], strict=False)
            r = params["dispersion"]
            real = isinstance(r, numbers.Real) and not isinstance(r, bool)
            if not real or not 0 < float(r) < math.inf:
                raise CalibrationError(
                    f"negative binomial dispersion r must be finite and positive, got {r!r} "
                    f"(use the poisson family for r = infinity)"
                )
            clean: dict[str, Any] = {"mean": mean, "dispersion": float(r)}
            pmf = _nb_table(mean, float(r))
        elif family == "poisson":
            mean = _check_mean(params["mean"], strict=False)
            clean = {"mean": mean}
            pmf = np.ones(1) if mean == 0 else _poisson_table(mean)
        else:
            pmf = _user_table(params["pmf"], bool(params.get("normalize", False)))
            clean = {}

        cdf = np.minimum(np.cumsum(pmf), 1.0)
        cdf[-1] = 1.0  # so that every u in [0, 1) maps inside the table
        # P(K > k) summed from the tail: 1 - cdf would lose the small tail probabilities.
        sf = np.append(np.cumsum(pmf[::-1])[::-1][1:], 0.0)
        # Guide table (indexed search): bucket j of [0, 1) starts the search at the first
        # count whose cdf exceeds j/M. With M >= 16 table entries few uniforms need more than
        # the first guess; those go to a binary search. M is a power of two so that
        # floor(u * M) / M <= u holds exactly in floating point.
        size = 1 << max(10, min(20, math.ceil(math.log2(16 * pmf.size))))
        guide = np.searchsorted(cdf, np.arange(size) / size, side="right").astype(np.int64)
        for arr in (pmf, cdf, sf, guide):
            arr.flags.writeable = False
        self._guide = guide
        self._guide_size = size
        self._family = family
        self._params = clean
        self._pmf = pmf
        self._cdf = cdf
        self._sf = sf
        self._calibration: dict[str, Any] | None = None

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_figures(
        cls,
        mean: float,
        tail: tuple[int, float] | None = None,
        dispersion: float | None = None,
        *,
        branch: str = "moderate",
    ) -> Telling:
        """The distribution matching a mean and, optionally, a tail share or a dispersion.

        Parameters
        ----------
        mean : float
            Mean number of people told (> 0).
        tail : (int, float), optional
            ``(k, share)``: the share of customers who tell more than ``k`` people. Finds the
            negative binomial with ``P(K > k) = share`` by solving for its dispersion.
        dispersion : float, optional
            The negative binomial's ``r`` (not with ``tail``).
        branch : {"moderate", "extreme"}
            For ``k`` above the mean two members usually match; "moderate" (default) is the
            less spread one, joined to Poisson; "extreme" the one where more people tell
            nobody.

        Returns
        -------
        Telling
            Negative binomial with ``tail`` or ``dispersion``; Poisson(mean) with neither.

        Raises
        ------
        CalibrationError
            If no member matches; the message gives the reachable range and why.

        Examples
        --------
        >>> t = Telling.from_figures(mean=9, tail=(20, 0.13))
        >>> round(t.params["dispersion"], 4), round(float(t.sf(20)), 4)
        (0.5925, 0.13)
        >>> Telling.from_figures(mean=9, tail=(20, 0.20))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        womsim.core.errors.CalibrationError: cannot calibrate a negative binomial to mean 9 ...
        """
        m = _check_mean(mean, strict=True)
        if tail is not None and dispersion is not None:
            raise CalibrationError("give either tail=(k, share) or dispersion, not both")
        if dispersion is not None:
            return cls("negative_binomial", mean=m, dispersion=dispersion)
        if tail is None:
            return cls("poisson", mean=m)
        if branch not in _BRANCHES:
            raise unknown_key("calibration branch", str(branch), _BRANCHES)
        if isinstance(tail, (str, bytes)) or not isinstance(tail, Sequence) or len(tail) != 2:
            raise CalibrationError(f"tail must be a pair (k, share), got {tail!r}")
        k, share = tail
        if (
            isinstance(k, bool)
            or not isinstance(k, numbers.Real)
            or not math.isfinite(float(k))
            or float(k) != int(k)
            or k < 0
        ):
            raise CalibrationError(f"tail k must be a whole number of people >= 0, got {k!r}")
        if (
            isinstance(share, bool)
            or not isinstance(share, numbers.Real)
            or not 0.0 < float(share) < 1.0
        ):
            raise CalibrationError(
                f"tail share must be a probability strictly between 0 and 1, got {share!r}"
            )
        k, share = int(k), float(share)
        alpha = _solve_alpha(m, k, share, branch)
        if alpha < _ALPHA_POISSON:
            out = cls("poisson", mean=m)
        else:
            out = cls("negative_binomial", mean=m, dispersion=1.0 / alpha)
        out._calibration = {"tail": [k, share], "branch": branch}
        return out

    @classmethod
    def negative_binomial(cls, mean: float, dispersion: float) -> Telling:
        """Negative binomial with this mean and dispersion ``r`` (variance m + m²/r).

        Examples
        --------
        >>> round(Telling.negative_binomial(4, 2).var(), 6)
        12.0
        """
        return cls("negative_binomial", mean=mean, dispersion=dispersion)

    @classmethod
    def poisson(cls, mean: float) -> Telling:
        """Poisson with this mean.

        Examples
        --------
        >>> round(Telling.poisson(3.5).var(), 6)
        3.5
        """
        return cls("poisson", mean=mean)

    @classmethod
    def from_pmf(cls, p: ArrayLike, *, normalize: bool = False) -> Telling:
        """A distribution given as a table: ``p[k]`` = probability of telling ``k`` people.

        Parameters
        ----------
        p : array_like
            Non-negative probabilities; must sum to 1 (within 1e-9) unless ``normalize``.
        normalize : bool
            Rescale ``p`` to sum to 1 (e.g. when it holds survey counts).

        Examples
        --------
        >>> t = Telling.from_pmf([0.5, 0.25, 0.25])
        >>> t.mean(), float(t.sf(0))
        (0.75, 0.5)
        >>> Telling.from_pmf([20, 10, 10], normalize=True) == t
        True
        """
        return cls("pmf", pmf=p, normalize=normalize)

    @classmethod
    def negative(cls) -> Telling:
        """Default for unhappy customers: mean 9 with 13% telling more than 20 people.

        Calibrated from the figures ``negative_tells`` (9, verified, TARP) and
        ``negative_tells_tail`` (0.13, unverified) on the moderate branch.

        Examples
        --------
        >>> t = Telling.negative()
        >>> round(t.params["dispersion"], 3), round(float(t.pmf(0)), 3)
        (0.592, 0.192)
        """
        return cls.from_figures(
            mean=figures.get("negative_tells").value,  # type: ignore[arg-type]
            tail=(_TAIL_PEOPLE, figures.get("negative_tells_tail").value),  # type: ignore[arg-type]
        )

    @classmethod
    def positive(cls) -> Telling:
        """Default for delighted customers and resolved complainers: Poisson with mean 3.5.

        From the figure ``positive_tells`` (3.5, secondary). No figure exists for the spread
        of positive telling, so the least-assuming family is used: Poisson, where all happy
        customers talk at the same rate. For a spread like the negative one, use
        ``Telling.from_figures(3.5, dispersion=Telling.negative().params["dispersion"])``.

        Examples
        --------
        >>> Telling.positive()
        Telling(poisson, mean=3.5)
        """
        return cls.from_figures(mean=figures.get("positive_tells").value)  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Telling:
        """Rebuild from :meth:`to_dict` output or from a scenario file's table.

        Accepts ``family`` (inferred when missing), ``mean``, ``dispersion``, ``tail``
        (``[k, share]``, solved for when ``dispersion`` is absent, otherwise kept as a note),
        ``branch`` and ``pmf``.

        Examples
        --------
        >>> Telling.from_dict({"family": "poisson", "mean": 3.5}) == Telling.positive()
        True
        >>> Telling.from_dict({"mean": 9, "tail": [20, 0.13]}) == Telling.negative()
        True
        """
        if not isinstance(d, Mapping):
            raise WomsimError(f"a telling distribution must be a table/dict, got {d!r}")
        allowed = ("family", "mean", "dispersion", "tail", "branch", "pmf")
        for name in d:
            if name not in allowed:
                raise unknown_key("telling field", str(name), allowed)
        rest = {k: v for k, v in d.items() if k != "family"}
        inferred = "pmf" if "pmf" in d else (
            "negative_binomial" if {"dispersion", "tail"} & set(d) else "poisson"
        )
        family = d.get("family", inferred)
        if family != "negative_binomial":
            return cls(family, **rest)  # rejects fields the family does not take
        if "mean" not in rest:
            raise WomsimError("negative_binomial telling needs mean")
        tail, branch = rest.get("tail"), rest.get("branch", "moderate")
        if tail is not None and (
            isinstance(tail, (str, bytes)) or not isinstance(tail, Sequence) or len(tail) != 2
        ):
            raise WomsimError(f"telling 'tail' must be a pair [k, share], got {tail!r}")
        if "dispersion" not in rest:
            if tail is None:
                raise WomsimError("a negative_binomial telling needs 'dispersion' or 'tail'")
            return cls.from_figures(rest["mean"], tail=(tail[0], tail[1]), branch=branch)
        out = cls.negative_binomial(rest["mean"], rest["dispersion"])
        if tail is not None:
            out._calibration = {"tail": [int(tail[0]), float(tail[1])], "branch": branch}
        return out

    # ----------------------------------------------------------------- properties
    @property
    def family(self) -> str:
        """``"negative_binomial"``, ``"poisson"`` or ``"pmf"``."""
        return self._family

    @property
    def params(self) -> dict[str, float]:
        """Parameters: ``mean`` (and ``dispersion`` = r, ``p`` = r/(r+mean) for the NB).

        Examples
        --------
        >>> sorted(Telling.negative().params)
        ['dispersion', 'mean', 'p']
        """
        out = dict(self._params)
        if self._family == "negative_binomial":
            r = out["dispersion"]
            out["p"] = r / (r + out["mean"])
        return out

    @property
    def calibration(self) -> dict[str, Any] | None:
        """The ``tail`` target (and branch) this distribution was solved for, or None."""
        return None if self._calibration is None else dict(self._calibration)

    @property
    def table(self) -> NDArray[np.float64]:
        """The probability table ``P(K = k)`` for k = 0..len-1 (read-only)."""
        return self._pmf

    @property
    def cdf_table(self) -> NDArray[np.float64]:
        """Cumulative table ``P(K <= k)``, last entry exactly 1 (read-only), for kernels."""
        return self._cdf

    # ----------------------------------------------------------------- moments and tables
    def mean(self) -> float:
        """Mean of the stored table.

        Examples
        --------
        >>> Telling.from_pmf([0, 1]).mean()
        1.0
        """
        k = np.arange(self._pmf.size)
        return float(np.dot(k, self._pmf) / self._pmf.sum())

    def var(self) -> float:
        """Variance of the stored table.

        Examples
        --------
        >>> Telling.from_pmf([0.5, 0.5]).var()
        0.25
        """
        k = np.arange(self._pmf.size)
        return float(np.dot((k - self.mean()) ** 2, self._pmf) / self._pmf.sum())

    def _lookup(self, k: ArrayLike, kind: str) -> Any:
        kk = np.asarray(k, dtype=np.float64)
        n = self._pmf.size
        out = np.full(kk.shape, np.nan)
        ok = ~np.isnan(kk)
        idx = np.floor(kk[ok])
        if kind == "pmf":
            vals = np.zeros(idx.shape)
            inside = (idx == kk[ok]) & (idx >= 0) & (idx < n)
            vals[inside] = self._pmf[idx[inside].astype(np.int64)]
        else:
            table, below, above = (
                (self._cdf, 0.0, 1.0) if kind == "cdf" else (self._sf, 1.0, 0.0)
            )
            vals = np.where(idx < 0, below, above)
            inside = (idx >= 0) & (idx < n)
            vals[inside] = table[idx[inside].astype(np.int64)]
        out[ok] = vals
        return float(out) if out.ndim == 0 else out

    def pmf(self, k: ArrayLike) -> Any:
        """P(K = k), vectorised over ``k`` (0 for negative or non-integer k).

        Examples
        --------
        >>> Telling.from_pmf([0.5, 0.25, 0.25]).pmf([0, 2, 3])
        array([0.5 , 0.25, 0.  ])
        """
        return self._lookup(k, "pmf")

    def cdf(self, k: ArrayLike) -> Any:
        """P(K <= k), vectorised over ``k``.

        Examples
        --------
        >>> Telling.from_pmf([0.5, 0.25, 0.25]).cdf(1)
        0.75
        """
        return self._lookup(k, "cdf")

    def sf(self, k: ArrayLike) -> Any:
        """P(K > k), vectorised over ``k``; precise in the far tail.

        Examples
        --------
        >>> Telling.from_pmf([0.5, 0.25, 0.25]).sf([-1, 0, 5])
        array([1. , 0.5, 0. ])
        """
        return self._lookup(k, "sf")

    # ----------------------------------------------------------------- drawing
    def quantile(self, u: ArrayLike, *, check: bool = True) -> Any:
        """Map uniforms in [0, 1) to counts by the inverse CDF (exact, vectorised).

        ``u`` falls on count ``k`` when ``cdf(k - 1) <= u < cdf(k)``, so uniform ``u`` give
        counts with exactly the table's probabilities.

        Parameters
        ----------
        u : array_like of float
            Uniforms in [0, 1), e.g. from a counter-based generator.
        check : bool
            Verify that all ``u`` lie in [0, 1) (two reductions). Skip it only when the source
            guarantees the range: unchecked values outside [0, 1) give wrong counts or an
            IndexError.

        Returns
        -------
        numpy.ndarray of int64 (or int for a scalar ``u``)

        Examples
        --------
        >>> Telling.from_pmf([0.5, 0.25, 0.25]).quantile([0.0, 0.49, 0.5, 0.8])
        array([0, 0, 1, 2])
        """
        uu = np.asarray(u, dtype=np.float64)
        if check and uu.size and not (uu.min() >= 0.0 and uu.max() < 1.0):
            raise WomsimError("quantile needs uniforms in [0, 1); got values outside or NaN")
        flat = uu.reshape(-1)
        idx = self._guide[(flat * self._guide_size).astype(np.int64)]
        late = np.flatnonzero(self._cdf[idx] <= flat)
        if late.size:
            idx[late] = np.searchsorted(self._cdf, flat[late], side="right")
        return int(idx[0]) if uu.ndim == 0 else idx.reshape(uu.shape)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...] | None = None) -> Any:
        """Draw counts with ``rng`` (a :class:`numpy.random.Generator`, never global state).

        Examples
        --------
        >>> import numpy as np
        >>> Telling.poisson(3.5).sample(np.random.default_rng(7), size=4)
        array([4, 6, 5, 2])
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rng must be a numpy.random.Generator (e.g. numpy.random.default_rng(7)), "
                f"got {type(rng).__name__}; womsim never uses global random state"
            )
        try:
            u = rng.random(size)
        except (TypeError, ValueError) as exc:
            raise WomsimError(f"size = {size!r}: must be None, a whole number >= 0 or a tuple "
                              f"of them ({exc})") from None
        return self.quantile(u, check=False)

    # ----------------------------------------------------------------- transformations
    def scaled(self, factor: float) -> Telling:
        """The same family with the mean multiplied by ``factor`` (for interventions).

        The negative binomial keeps its dispersion r; Poisson keeps being Poisson. A user
        table is thinned (each person told is kept with probability ``factor``), which
        needs ``factor <= 1``.

        Examples
        --------
        >>> t = Telling.negative().scaled(0.5)
        >>> round(t.mean(), 6), t.params["dispersion"] == Telling.negative().params["dispersion"]
        (4.5, True)
        """
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real):
            raise WomsimError(f"scale factor must be a number, got {factor!r}")
        f = float(factor)
        if not (math.isfinite(f) and f >= 0):
            raise WomsimError(f"scale factor must be finite and >= 0, got {factor!r}")
        if self._family == "negative_binomial":
            return Telling.negative_binomial(
                self._params["mean"] * f, self._params["dispersion"]
            )
        if self._family == "poisson":
            return Telling.poisson(self._params["mean"] * f)
        if f > 1:
            raise CalibrationError(
                f"cannot scale a user-given table up (factor {f:g}): no family says how its "
                f"shape would stretch; give a new table or use a parametric family"
            )
        if f == 1:
            return self
        if f == 0:
            return Telling.from_pmf([1.0])
        return Telling.from_pmf(_thin(np.asarray(self._pmf), f))

    # ----------------------------------------------------------------- reporting
    def _params_text(self) -> str:
        if self._family == "negative_binomial":
            p = self.params
            return f"r={p['dispersion']:.4g}, p={p['p']:.4g}"
        if self._family == "poisson":
            return f"mean={self._params['mean']:g}"
        return f"{self._pmf.size} values"

    def summary(self) -> pd.Series:
        """Family, parameters, mean, sd and tail shares, as a pandas Series.

        Examples
        --------
        >>> s = Telling.negative().summary()
        >>> round(s["P(K>20)"], 3), round(s["mean"], 3)
        (0.13, 9.0)
        """
        return pd.Series(
            {
                "family": self._family,
                "params": self._params_text(),
                "mean": self.mean(),
                "sd": math.sqrt(self.var()),
                "P(K>10)": self.sf(10),
                "P(K>20)": self.sf(20),
                "P(K=0)": self.pmf(0),
            },
            name="telling",
            dtype=object,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain numbers for scenario files; :meth:`from_dict` rebuilds an equal object.

        Examples
        --------
        >>> Telling.positive().to_dict()
        {'family': 'poisson', 'mean': 3.5}
        """
        out: dict[str, Any] = {"family": self._family}
        if self._family == "pmf":
            out["pmf"] = [float(x) for x in self._pmf]
            return out
        out.update({k: float(v) for k, v in self._params.items()})
        if self._calibration is not None and self._family == "negative_binomial":
            out["tail"] = list(self._calibration["tail"])
            if self._calibration["branch"] != "moderate":
                out["branch"] = self._calibration["branch"]
        return out

    def __repr__(self) -> str:
        if self._family == "negative_binomial":
            text = (
                f"Telling(negative_binomial, mean={self._params['mean']:g}, "
                f"{self._params_text()}"
            )
        elif self._family == "poisson":
            text = f"Telling(poisson, {self._params_text()}"
        else:
            text = f"Telling(pmf, {self._params_text()}, mean={self.mean():.4g}"
        if self._calibration is not None:
            k, share = self._calibration["tail"]
            text += f"; calibrated to P(K>{k})={share:g}"
        return text + ")"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Telling):
            return NotImplemented
        if self._family != other._family or self._params != other._params:
            return False
        # Parametric tables are a function of the parameters; user tables are compared.
        return self._family != "pmf" or bool(np.array_equal(self._pmf, other._pmf))

    def __hash__(self) -> int:
        if self._family == "pmf":
            return hash((self._family, self._pmf.tobytes()))
        return hash((self._family, tuple(sorted(self._params.items()))))

"""Choosing rows from difficulty scores: one pure function shared by every pruner."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from .exceptions import PruningWarning

__all__ = ["n_kept", "select_indices"]


def n_kept(keep: float | int, n_samples: int) -> int:
    """Number of rows a pruner keeps out of ``n_samples``.

    A float ``keep`` in (0, 1] is a fraction: ``floor(keep * n_samples + 0.5)``
    rows (rounded half up), and never fewer than one. An int ``keep`` is the
    count itself and must not exceed ``n_samples``.

    Parameters
    ----------
    keep : float or int
        Fraction in (0, 1] (float) or number of rows >= 1 (int).
    n_samples : int
        Number of rows available.

    Returns
    -------
    n : int
        The exact number of rows kept.

    Examples
    --------
    >>> from sklearn_prune._selection import n_kept
    >>> n_kept(0.4, 1000), n_kept(0.25, 10), n_kept(3, 10)
    (400, 3, 3)
    """
    if isinstance(keep, (bool, np.bool_)) or not isinstance(keep, (Integral, Real)):
        raise TypeError(
            f"`keep` must be a float in (0, 1] or an int >= 1. Got {keep!r} instead."
        )
    if isinstance(keep, Integral):
        if keep < 1 or keep > n_samples:
            raise ValueError(
                f"`keep`={keep} rows cannot be kept out of n_samples={n_samples}: "
                f"an int `keep` must be between 1 and the number of rows."
            )
        return int(keep)
    if not 0.0 < keep <= 1.0:
        raise ValueError(
            f"`keep` must be a float in (0, 1] or an int >= 1. Got {keep!r} instead."
        )
    return max(1, min(n_samples, int(np.floor(keep * n_samples + 0.5))))


def _ranked(
    scores: np.ndarray, strategy: str, rng: np.random.RandomState
) -> np.ndarray:
    """Positions of ``scores`` ordered from most to least wanted.

    Ties are broken by a random permutation drawn from ``rng``, so equal
    scores are resolved reproducibly for a given ``random_state``.
    """
    perm = rng.permutation(scores.shape[0])
    key = -scores[perm] if strategy == "hard" else scores[perm]
    return perm[np.argsort(key, kind="stable")]


def _class_quotas(counts: np.ndarray, n_total: int) -> np.ndarray:
    """Split ``n_total`` kept rows over classes in proportion to ``counts``.

    Largest-remainder rounding: quotas add up to ``n_total`` exactly. No class
    gets more rows than it has: a class only gets the extra row when its
    exact share has a fractional part, i.e. is below its count.
    """
    exact = counts * (n_total / counts.sum())
    quotas = np.floor(exact).astype(np.int64)
    remainder = exact - quotas
    # stable order: largest remainder first, then class order
    for c in np.argsort(-remainder, kind="stable")[: n_total - quotas.sum()]:
        quotas[c] += 1
    return quotas


def select_indices(
    scores: np.ndarray,
    keep: float | int,
    *,
    strategy: str = "hard",
    y: np.ndarray | None = None,
    class_balance: bool = False,
    random_state: int | np.random.RandomState | None = None,
) -> np.ndarray:
    """Choose which rows to keep from their difficulty scores.

    Every pruner computes ``scores_`` (higher = harder) and calls this function
    to turn them into ``sample_indices_``.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Difficulty of each row; higher means harder. Must be finite.
    keep : float or int
        Fraction in (0, 1] or number of rows to keep; see :func:`n_kept` for the
        exact rounding.
    strategy : {"hard", "easy"}, default="hard"
        ``"hard"`` keeps the highest scores, ``"easy"`` the lowest.
    y : array-like of shape (n_samples,), default=None
        Class labels, needed when ``class_balance=True``.
    class_balance : bool, default=False
        If True, every class keeps the same fraction of its rows (up to
        rounding: largest-remainder rounding keeps the total exact), so that
        pruning cannot starve a class.
    random_state : int, RandomState instance or None, default=None
        Breaks ties between equal scores reproducibly.

    Returns
    -------
    indices : ndarray of shape (n_kept,), dtype=int64
        Positions of the kept rows, in ascending order.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune._selection import select_indices
    >>> scores = np.array([0.1, 0.9, 0.5, 0.3])
    >>> select_indices(scores, 0.5, strategy="hard")
    array([1, 2])
    >>> select_indices(scores, 0.5, strategy="easy")
    array([0, 3])
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 1:
        raise ValueError(f"`scores` must be 1-D. Got shape {scores.shape} instead.")
    if not np.all(np.isfinite(scores)):
        raise ValueError("`scores` contains NaN or infinity.")
    if strategy not in ("hard", "easy"):
        raise ValueError(
            f"`strategy` must be 'hard' or 'easy'. Got {strategy!r} instead."
        )
    n_samples = scores.shape[0]
    n_total = n_kept(keep, n_samples)
    rng = check_random_state(random_state)

    if not class_balance:
        chosen = _ranked(scores, strategy, rng)[:n_total]
        return np.sort(chosen).astype(np.int64)

    if y is None:
        raise ValueError(
            "`class_balance=True` needs class labels: pass `y` to fit or "
            "fit_resample, or set class_balance=False."
        )
    y = np.asarray(y)
    if y.shape != (n_samples,):
        raise ValueError(
            f"`y` must have shape ({n_samples},) to match `scores`. Got {y.shape}."
        )
    classes, codes = np.unique(y, return_inverse=True)
    counts = np.bincount(codes, minlength=classes.shape[0])
    quotas = _class_quotas(counts, n_total)
    empty = classes[(quotas == 0) & (counts > 0)]
    if empty.size:
        warnings.warn(
            f"class_balance=True keeps no row of classes {empty.tolist()}: their "
            f"share of keep={keep!r} rounds to zero. Increase `keep`.",
            PruningWarning,
            stacklevel=2,
        )
    order = _ranked(scores, strategy, rng)
    chosen = [order[codes[order] == c][:q] for c, q in enumerate(quotas)]
    return np.sort(np.concatenate(chosen)).astype(np.int64)

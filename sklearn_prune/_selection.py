"""Choosing rows from difficulty scores: one pure function shared by every pruner.

Rows are ranked by a total order (score, then a random tie key from
``random_state``; see :mod:`sklearn_prune._order`) and every policy is a rule
on ranks within a group: a class, or a class and a score stratum. The ranks
are found by a block-wise radix search, so the same rows are chosen from an
in-memory array, a memory map or a dask array.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target

from ._blocks import is_dask_collection, rows_of
from ._order import decode_float_keys, float_keys, search, tie_keys
from ._seeding import draw_seed
from .exceptions import PruningWarning

__all__ = [
    "STRATEGIES",
    "check_budget",
    "check_policy",
    "class_codes",
    "has_class_labels",
    "n_kept",
    "select_indices",
]

#: the selection policies, in the order the docs present them
STRATEGIES = ("hard", "easy", "stratified", "moderate")


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
    return max(1, min(n_samples, int(np.floor(float(keep) * n_samples + 0.5))))


def check_budget(
    keep: float | int, counts: np.ndarray, drop_hardest: float = 0.0
) -> tuple[int, np.ndarray]:
    """Rows to keep, and rows of each class left after ``drop_hardest``.

    Parameters
    ----------
    keep : float or int
        As in :func:`n_kept`.
    counts : ndarray of int
        Rows per class (one entry when classes are not used).
    drop_hardest : float, default=0.0
        Fraction of each class's hardest rows removed first (rounded down).

    Returns
    -------
    n_total : int
        The exact number of rows kept.
    capacity : ndarray of int
        Rows of each class that remain candidates.

    Raises
    ------
    ValueError
        When fewer rows remain than ``keep`` asks for.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n_samples = int(counts.sum())
    n_total = n_kept(keep, n_samples)
    capacity = counts - np.floor(drop_hardest * counts).astype(np.int64)
    if n_total > capacity.sum():
        raise ValueError(
            f"`keep`={keep!r} asks for {n_total} rows, but only {capacity.sum()} "
            f"of {n_samples} remain after `drop_hardest`={drop_hardest!r} removes "
            f"the hardest ones. Lower `keep` or `drop_hardest`."
        )
    return n_total, capacity


def has_class_labels(y) -> bool:
    """Whether ``y`` holds class labels: binary, multiclass or one-hot rows.

    The rule of ``class_balance="auto"``. None and continuous values are not
    class labels. Numbers that are all whole (such as prices in whole units)
    with more than 20 distinct values and fewer than 5 rows per value on
    average are taken as a regression target: balancing them would treat
    nearly every row as its own class, and most of those "classes" would
    keep no row. Other whole numbers, strings and one-hot rows are labels.
    A dask ``y`` is judged by its distinct values.

    Parameters
    ----------
    y : array-like, dask array or None
        Targets.

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune._selection import has_class_labels
    >>> has_class_labels(np.array([0, 1, 1, 2, 0, 2]))
    True
    >>> has_class_labels(np.arange(100) % 30)  # 30 values, 3.3 rows each
    False
    """
    if y is None:
        return False
    if is_dask_collection(y):
        import dask.array as da

        if y.ndim != 1:
            return False
        values = np.asarray(da.unique(y).compute())
        n_samples = y.shape[0]
    else:
        values = y
        n_samples = y.shape[0] if hasattr(y, "shape") else len(y)
    kind = type_of_target(values, input_name="y")
    if kind == "multilabel-indicator":
        return bool(np.all(np.count_nonzero(np.asarray(y), axis=1) == 1))
    if kind not in ("binary", "multiclass"):
        return False
    if kind == "multiclass" and np.asarray(values).dtype.kind in "iuf":
        # whole numbers: many values, few rows each = a regression target
        # (an unknown dask length, NaN, compares False: labels, as before)
        n_values = np.unique(values).shape[0]
        return not (n_values > 20 and bool(5 * n_values > n_samples))
    return True


def class_codes(y) -> tuple[np.ndarray, np.ndarray]:
    """Classes and the class code of every row, for class-wise selection.

    ``y`` must hold class labels: binary or multiclass targets, or one-hot
    rows (exactly one non-zero entry each, the class being its column).
    Continuous targets are refused: every distinct value would be a class.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Class labels, or one-hot rows.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        The sorted class labels (column indices for one-hot rows).
    codes : ndarray of shape (n_samples,), dtype=int64
        The position of each row's class in ``classes``.
    """
    if is_dask_collection(y):
        return _dask_class_codes(y)
    y = np.asarray(y)
    kind = type_of_target(y, input_name="y")
    if kind == "multilabel-indicator":
        if not np.all(np.count_nonzero(y, axis=1) == 1):
            raise ValueError(
                "`y` has 2-D indicator rows with other than exactly one positive "
                "entry: class-wise selection needs one class per row."
            )
        return np.arange(y.shape[1]), np.argmax(y != 0, axis=1).astype(np.int64)
    if kind not in ("binary", "multiclass"):
        raise ValueError(
            f"Class-wise selection (`class_balance=True`) needs class labels, but "
            f"`y` is a {kind!r} target (e.g. continuous values, where every "
            f"distinct value would be its own class). Pass class labels, or set "
            f"class_balance=False."
        )
    classes, codes = np.unique(y, return_inverse=True)
    return classes, codes.astype(np.int64).ravel()


def _dask_class_codes(y):
    import dask.array as da

    if y.ndim != 1:
        raise ValueError(
            f"A dask `y` must be 1-D class labels for class-wise selection. Got "
            f"shape {y.shape}."
        )
    classes = np.asarray(da.unique(y).compute())
    kind = type_of_target(classes, input_name="y")
    if kind not in ("binary", "multiclass") and classes.shape[0] > 1:
        raise ValueError(
            f"Class-wise selection (`class_balance=True`) needs class labels, but "
            f"`y` is a {kind!r} target. Pass class labels, or set "
            f"class_balance=False."
        )
    codes = y.map_blocks(lambda b: np.searchsorted(classes, b), dtype=np.int64)
    return classes, codes


def _class_quotas(counts: np.ndarray, n_total: int, capacity: np.ndarray) -> np.ndarray:
    """Split ``n_total`` kept rows over classes in proportion to ``counts``.

    Largest-remainder rounding: quotas add up to ``n_total`` exactly. No class
    gets more than its ``capacity`` (its rows left after ``drop_hardest``);
    what a full class cannot take goes to the others, largest remainder
    first. The caller checks that the capacities add up to ``n_total``.
    """
    exact = counts * (n_total / counts.sum())
    quotas = np.minimum(np.floor(exact).astype(np.int64), capacity)
    while (missing := n_total - int(quotas.sum())) > 0:
        room = np.flatnonzero(quotas < capacity)
        # stable order: largest remainder first, then class order
        order = room[np.argsort(-(exact - quotas)[room], kind="stable")]
        quotas[order[:missing]] += 1
    return quotas


def _strata_quotas(counts: np.ndarray, budget: int) -> np.ndarray:
    """Coverage-centric allocation of ``budget`` rows over strata of ``counts`` rows.

    As in CCS (Zheng et al., 2023): strata are visited from the smallest up,
    each taking an equal share of the budget left (at most all its rows).
    The shares are rounded down, and what rounding leaves over goes one row
    at a time to the strata with rows to spare, smallest first, so the total
    is exact.
    """
    quotas = np.zeros_like(counts)
    order = np.argsort(counts, kind="stable")
    order = order[counts[order] > 0]
    left = budget
    for i, stratum in enumerate(order):
        take = min(int(counts[stratum]), left // (order.shape[0] - i))
        quotas[stratum] = take
        left -= take
    while left > 0:
        spare = order[quotas[order] < counts[order]][:left]
        quotas[spare] += 1
        left -= spare.shape[0]
    return quotas


# -- per-block keys (module level: they travel to dask workers) --------------
def _score_keys(block, seed):
    """Rank rows by score, ties by the tie key: the order every policy starts from."""
    ties = tie_keys(seed, block.start, block.stop)
    return block.codes, float_keys(block.scores), ties


def _remaining(block, seed, drop):
    """Rows left after ``drop_hardest``: below the class's drop threshold."""
    return drop.below(*_score_keys(block, seed))


def _moderate_keys(block, seed, drop, median):
    group = np.where(_remaining(block, seed, drop), block.codes, -1)
    distance = np.abs(block.scores - median[block.codes])
    return group, float_keys(distance), tie_keys(seed, block.start, block.stop)


def _strata(block, low, high, n_strata):
    lo, hi = low[block.codes], high[block.codes]
    width = hi / 2 - lo / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        position = (block.scores / 2 - lo / 2) / width * n_strata
    stratum = np.where(width > 0, np.floor(position), 0)
    return np.clip(stratum, 0, n_strata - 1).astype(np.int64)


def _stratum_keys(block, seed, drop, low, high, n_strata):
    stratum = block.codes * n_strata + _strata(block, low, high, n_strata)
    group = np.where(_remaining(block, seed, drop), stratum, -1)
    # rows of a stratum are drawn at random: the tie key alone orders them
    lo = np.zeros(block.stop - block.start, dtype=np.uint64)
    return group, tie_keys(seed, block.start, block.stop), lo


def _count_codes(block, n_groups):
    return np.bincount(block.codes, minlength=n_groups)


def _count_strata(block, seed, drop, low, high, n_strata, n_groups):
    group, _, _ = _stratum_keys(block, seed, drop, low, high, n_strata)
    return np.bincount(group[group >= 0], minlength=n_groups)


def _count_nonfinite(block):
    return np.array([np.count_nonzero(~np.isfinite(block.scores))])


def _keep_hard(block, seed, drop, lower):
    keys = _score_keys(block, seed)
    return drop.below(*keys) & ~lower.below(*keys)


def _keep_below(block, key_fn, thresholds, *key_args):
    return thresholds.below(*key_fn(block, *key_args))


def check_policy(strategy: str, drop_hardest: float, n_strata: int) -> None:
    """Raise a ValueError naming the parameter if a policy parameter is invalid."""
    if strategy not in STRATEGIES:
        raise ValueError(
            f"`strategy` must be one of {list(STRATEGIES)}. Got {strategy!r} instead."
        )
    if (
        isinstance(drop_hardest, (bool, np.bool_))
        or not isinstance(drop_hardest, Real)
        or not 0.0 <= drop_hardest < 1.0
    ):
        raise ValueError(
            f"`drop_hardest` must be a float in [0, 1). Got {drop_hardest!r} instead."
        )
    if (
        isinstance(n_strata, (bool, np.bool_))
        or not isinstance(n_strata, Integral)
        or n_strata < 1
    ):
        raise ValueError(f"`n_strata` must be an int >= 1. Got {n_strata!r} instead.")


def select_indices(
    scores,
    keep: float | int,
    *,
    strategy: str = "hard",
    drop_hardest: float = 0.0,
    n_strata: int = 50,
    y=None,
    class_balance: bool = False,
    random_state: int | np.random.RandomState | None = None,
):
    """Choose which rows to keep from their difficulty scores.

    Every pruner computes ``scores_`` (higher = harder) and calls this function
    to turn them into ``sample_indices_``. Rows are ordered by score, ties
    broken by a random key drawn from ``random_state``; with
    ``class_balance=True`` every class first gets its share of the budget and
    the policy then runs within each class.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Difficulty of each row; higher means harder. Must be finite. A
        numpy array, a memory map or a dask array.
    keep : float or int
        Fraction in (0, 1] or number of rows to keep; see :func:`n_kept` for the
        exact rounding.
    strategy : {"hard", "easy", "stratified", "moderate"}, default="hard"
        The policy:

        - ``"hard"`` keeps the highest scores;
        - ``"easy"`` keeps the lowest;
        - ``"stratified"`` (coverage-centric selection, Zheng et al. 2023)
          splits the score range into ``n_strata`` equal-width strata and
          fills the budget from the smallest stratum up, each taking an equal
          share of what is left, rows drawn at random within a stratum;
        - ``"moderate"`` (Xia et al. 2023) keeps the rows whose scores are
          closest to the median.
    drop_hardest : float in [0, 1), default=0.0
        Fraction of the hardest rows removed before the policy applies
        (rounded down; within each class with ``class_balance=True``). With
        ``"hard"`` this is Data Diet's offset window: skip the very hardest
        (often mislabelled) rows, keep the next hardest. Raises a
        ``ValueError`` when fewer rows remain than ``keep`` asks for.
    n_strata : int, default=50
        Number of strata of ``"stratified"``.
    y : array-like of shape (n_samples,), default=None
        Class labels, needed when ``class_balance=True``.
    class_balance : bool, default=False
        If True, every class keeps the same fraction of its rows (up to
        rounding: largest-remainder rounding keeps the total exact), so that
        pruning cannot starve a class.
    random_state : int, RandomState instance or None, default=None
        Draws the tie keys (and the rows picked within a stratum).

    Returns
    -------
    indices : ndarray of shape (n_kept,), dtype=int64
        Positions of the kept rows, in ascending order. A lazy dask array
        when ``scores`` is a dask array.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune import select_indices
    >>> scores = np.array([0.1, 0.9, 0.5, 0.3])
    >>> select_indices(scores, 0.5, strategy="hard")
    array([1, 2])
    >>> select_indices(scores, 0.5, strategy="easy")
    array([0, 3])
    >>> select_indices(scores, 0.5, strategy="moderate")
    array([2, 3])
    >>> select_indices(scores, 0.5, strategy="hard", drop_hardest=0.25)
    array([2, 3])
    """
    check_policy(strategy, drop_hardest, n_strata)
    dask_input = is_dask_collection(scores)
    if dask_input:
        scores = scores.persist()
    else:
        scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 1:
        raise ValueError(f"`scores` must be 1-D. Got shape {scores.shape} instead.")
    n_samples = int(scores.shape[0])
    if np.isnan(n_samples):
        raise ValueError(
            "`scores` has unknown chunk sizes; call `compute_chunk_sizes()` first."
        )
    n_kept(keep, n_samples)  # a bad `keep` fails before any pass over the rows
    seed = draw_seed(check_random_state(random_state))

    codes, classes = None, None
    if class_balance:
        if y is None:
            raise ValueError(
                "`class_balance=True` needs class labels: pass `y` to fit or "
                "fit_resample, or set class_balance=False."
            )
        if int(y.shape[0] if hasattr(y, "shape") else len(y)) != n_samples:
            raise ValueError(
                f"`y` must have {n_samples} rows to match `scores`. Got "
                f"{getattr(y, 'shape', len(y))}."
            )
        classes, codes = class_codes(y)
        if dask_input:
            codes = codes.rechunk(scores.chunks).persist()
    rows = rows_of(scores, codes)
    n_groups = 1 if classes is None else classes.shape[0]

    if rows.map_reduce(_count_nonfinite)[0]:
        raise ValueError("`scores` contains NaN or infinity.")
    counts = rows.map_reduce(_count_codes, n_groups)
    n_total, capacity = check_budget(keep, counts, drop_hardest)
    quotas = _class_quotas(counts, n_total, capacity)
    if class_balance:
        empty = classes[(quotas == 0) & (counts > 0)]
        if empty.size:
            warnings.warn(
                f"Class balance keeps no row of classes {empty.tolist()}: "
                f"their share of keep={keep!r} rounds to zero. Increase `keep`.",
                PruningWarning,
                stacklevel=2,
            )
    groups = np.arange(n_groups)
    order = _bind(_score_keys, seed)

    if strategy == "easy":  # quotas never exceed capacity: no dropped row is kept
        t = search(rows.map_reduce, order, groups, quotas, counts)
        return rows.where(_keep_below, _score_keys, t, seed)
    if strategy == "hard":
        both = search(
            rows.map_reduce,
            order,
            np.concatenate([groups, groups]),
            np.concatenate([capacity, capacity - quotas]),
            counts,
        )
        return rows.where(_keep_hard, seed, both[:n_groups], both[n_groups:])
    drop = search(rows.map_reduce, order, groups, capacity, counts)

    # moderate and stratified need values of the remaining rows: they are the
    # lowest `capacity` ranks of each class, so their ranks are the classes'
    used = np.flatnonzero((quotas > 0) & (capacity > 0))
    if strategy == "moderate":
        middle = np.concatenate([(capacity[used] - 1) // 2, capacity[used] // 2])
        v = search(
            rows.map_reduce,
            order,
            np.concatenate([used, used]),
            middle,
            counts,
            values=True,
        )
        low, high = np.split(decode_float_keys(v.hi), 2)
        median = np.zeros(n_groups)
        median[used] = 0.5 * low + 0.5 * high
        keys_fn = _bind(_moderate_keys, seed, drop, median)
        t = search(rows.map_reduce, keys_fn, groups, quotas, capacity)
        return rows.where(_keep_below, _moderate_keys, t, seed, drop, median)

    ends = np.concatenate([np.zeros_like(used), capacity[used] - 1])
    v = search(
        rows.map_reduce,
        order,
        np.concatenate([used, used]),
        ends,
        counts,
        values=True,
    )
    low, high = np.zeros(n_groups), np.zeros(n_groups)
    low[used], high[used] = np.split(decode_float_keys(v.hi), 2)
    n_cells = n_groups * n_strata
    cell_counts = rows.map_reduce(
        _count_strata, seed, drop, low, high, n_strata, n_cells
    ).reshape(n_groups, n_strata)
    cell_quotas = np.stack(
        [_strata_quotas(cell_counts[c], int(quotas[c])) for c in range(n_groups)]
    )
    keys_fn = _bind(_stratum_keys, seed, drop, low, high, n_strata)
    t = search(
        rows.map_reduce,
        keys_fn,
        np.arange(n_cells),
        cell_quotas.ravel(),
        cell_counts.ravel(),
    )
    return rows.where(_keep_below, _stratum_keys, t, seed, drop, low, high, n_strata)


class _bind:
    """``fn(block, *args)`` as a picklable one-argument callable."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __call__(self, block):
        return self.fn(block, *self.args)

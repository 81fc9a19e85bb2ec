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
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target

from ._blocks import rows_of
from ._compat import KEEP_CONSTRAINT, Count, Interval, StrOptions, validate_params
from ._kinds import is_dask_collection
from ._order import Thresholds, decode_float_keys, float_keys, search, tie_keys
from ._seeding import draw_seed
from .exceptions import PruningWarning

__all__ = [
    "CLASS_QUOTAS",
    "MAX_STRATA",
    "POLICIES",
    "POLICY_CONSTRAINTS",
    "STRATEGIES",
    "SelectionPlan",
    "check_budget",
    "class_codes",
    "class_error_rates",
    "class_quota_rule",
    "has_class_labels",
    "n_kept",
    "plan_selection",
    "select_indices",
]


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


#: the class-quota rules of ``class_balance``: how the budget is split over classes
CLASS_QUOTAS = ("equal", "difficulty", "none")


def class_quota_rule(class_balance) -> str:
    """The quota rule a ``class_balance`` value names: one of :data:`CLASS_QUOTAS`.

    ``True`` is ``"equal"``, ``False`` and None are ``"none"``, a dict of
    per-class error rates is ``"difficulty"``; the rule names map to
    themselves. ``"auto"`` is resolved by the pruner (it depends on ``y``).

    Parameters
    ----------
    class_balance : bool, None, str or dict
        A value of ``class_balance``.

    Returns
    -------
    rule : {"equal", "difficulty", "none"}
    """
    if isinstance(class_balance, dict):
        return "difficulty"
    if isinstance(class_balance, str):
        if class_balance not in CLASS_QUOTAS:
            raise ValueError(
                f"`class_balance` must be one of {list(CLASS_QUOTAS)}, a bool or a "
                f"dict of per-class error rates. Got {class_balance!r} instead."
            )
        return class_balance
    return "equal" if class_balance else "none"


def class_error_rates(
    codes: np.ndarray, wrong: np.ndarray, n_classes: int
) -> np.ndarray:
    """Error rate of each class, from how often each row was misclassified.

    The add-one (Laplace) estimate ``(mistakes + 1) / (rows + 2)``: never
    exactly 0 or 1, so that the difficulty rule never gives a class that a
    probe happened to get all right an empty quota.

    Parameters
    ----------
    codes : ndarray of shape (n_samples,)
        Class code of every row (``0 .. n_classes - 1``).
    wrong : ndarray of shape (n_samples,)
        For every row, the fraction of probes (held out from it) that
        misclassified it: 0 or 1 for one probe, a mean for several.
    n_classes : int
        Number of classes.

    Returns
    -------
    errors : ndarray of shape (n_classes,)
    """
    mistakes = np.bincount(codes, weights=wrong, minlength=n_classes)
    rows = np.bincount(codes, minlength=n_classes)
    return (mistakes + 1.0) / (rows + 2.0)


def _class_quotas(counts: np.ndarray, n_total: int, capacity: np.ndarray) -> np.ndarray:
    """Split ``n_total`` kept rows over classes in proportion to ``counts``.

    Largest-remainder rounding: quotas add up to ``n_total`` exactly. No class
    gets more than its ``capacity`` (its rows left after ``drop_hardest``);
    what a full class cannot take goes to the others, largest remainder
    first. The caller checks that the capacities add up to ``n_total``.
    ``counts`` may be any non-negative weights with a positive sum.
    """
    exact = counts * (n_total / counts.sum())
    quotas = np.minimum(np.floor(exact).astype(np.int64), capacity)
    while (missing := n_total - int(quotas.sum())) > 0:
        room = np.flatnonzero(quotas < capacity)
        # stable order: largest remainder first, then class order
        order = room[np.argsort(-(exact - quotas)[room], kind="stable")]
        quotas[order[:missing]] += 1
    return quotas


def _difficulty_quotas(
    errors: np.ndarray, n_total: int, capacity: np.ndarray
) -> np.ndarray:
    """DRoP: split ``n_total`` kept rows over classes in proportion to their errors.

    Vysogorets, Ahuja and Kempe (ICLR 2025), "DRoP: Distributionally Robust
    Data Pruning": a class's share of the budget is proportional to its error
    rate, so harder classes keep more rows. A class whose share exceeds its
    ``capacity`` keeps all its remaining rows, and the excess goes to the
    other classes, again in proportion to their errors (water filling), until
    no share exceeds a capacity; largest-remainder rounding keeps the total
    exact. Classes with zero error (possible only with given errors) share
    the budget only when the others are full.
    """
    quotas = np.zeros(capacity.shape[0], dtype=np.int64)
    free = capacity > 0
    left = n_total
    while left > 0 and free.any():
        weights = np.where(free, errors, 0.0)
        if weights.sum() <= 0:  # only zero-error classes remain: by their size
            weights = np.where(free, capacity, 0).astype(np.float64)
        share = left * weights / weights.sum()
        full = free & (share >= capacity)
        if not full.any():
            rest = np.flatnonzero(free)
            quotas[rest] = _class_quotas(weights[rest], left, capacity[rest])
            break
        quotas[full] = capacity[full]
        left -= int(capacity[full].sum())
        free &= ~full
    return quotas


def _errors_by_class(class_errors, classes: np.ndarray) -> np.ndarray:
    """Per-class error rates aligned with ``classes``, from a dict or an array."""
    if isinstance(class_errors, dict):
        missing = [c for c in classes.tolist() if c not in class_errors]
        if missing:
            raise ValueError(
                f"`class_balance` gives error rates for classes "
                f"{sorted(class_errors, key=str)} but `y` also has classes "
                f"{missing}: give one error rate per class."
            )
        class_errors = [class_errors[c] for c in classes.tolist()]
    errors = np.asarray(class_errors, dtype=np.float64)
    if errors.shape != classes.shape or not np.all(np.isfinite(errors)):
        raise ValueError(
            f"Per-class error rates must be {classes.shape[0]} finite values, one "
            f"per class. Got {class_errors!r}."
        )
    if np.any(errors < 0) or errors.sum() <= 0:
        raise ValueError(
            f"Per-class error rates must be >= 0, not all zero. Got "
            f"{errors.tolist()} for classes {classes.tolist()}."
        )
    return errors


def _evenly_spaced(n: int, k: int) -> np.ndarray:
    """``k`` distinct positions out of ``n`` (``k <= n``), spread end to end."""
    if k == 1:
        return np.array([(n - 1) // 2])
    return np.arange(k) * (n - 1) // (k - 1)


def _strata_quotas(counts: np.ndarray, budget: int) -> np.ndarray:
    """Coverage-centric allocation of ``budget`` rows over strata of ``counts`` rows.

    As in CCS (Zheng et al., 2023), the budget is water-filled: every stratum
    keeps ``min(its rows, level)`` for the highest whole level the budget
    pays for, so small strata are kept whole and the others share what is
    left equally. The rows that rounding leaves over (fewer than the strata
    still not full) go one each to strata of those evenly spaced over the
    score range. A budget smaller than the number of non-empty strata is
    the case of level zero: one row each from that many strata, evenly
    spaced, so a small budget still covers the whole range.
    """
    quotas = np.zeros_like(counts)
    nonempty = np.flatnonzero(counts > 0)  # in score order
    sizes = counts[nonempty]
    low, high = 0, int(sizes.max(initial=0))
    while low < high:  # the highest level whose cost fits the budget
        level = (low + high + 1) // 2
        if np.minimum(sizes, level).sum() <= budget:
            low = level
        else:
            high = level - 1
    quotas[nonempty] = np.minimum(sizes, low)
    open_strata = nonempty[sizes > low]
    extra = budget - int(quotas.sum())  # fewer than len(open_strata)
    if extra:
        quotas[open_strata[_evenly_spaced(open_strata.shape[0], extra)]] += 1
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


class _bind:
    """``fn(block, *args)`` as a picklable one-argument callable."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __call__(self, block):
        return self.fn(block, *self.args)


# -- the plan: everything a policy needs, computed once ------------------------
@dataclass
class SelectionPlan:
    """What every policy needs, computed once per selection.

    Made by :func:`plan_selection`; each policy is a short function of the
    plan that returns the kept positions.

    Attributes
    ----------
    rows : ArrayRows or DaskRows
        The scores (and class codes) as blocks of rows.
    seed : int
        Seed of the tie keys.
    classes : ndarray or None
        The class labels when classes are balanced, else None (one group).
    counts : ndarray of int
        Rows of each group (class, or the single group of all rows).
    capacity : ndarray of int
        Rows of each group left after ``drop_hardest``.
    quotas : ndarray of int
        Rows each group keeps; they add up to the exact kept count.
    n_strata : int
        Number of strata of ``"stratified"``.
    """

    rows: object
    seed: int
    classes: np.ndarray | None
    counts: np.ndarray
    capacity: np.ndarray
    quotas: np.ndarray
    n_strata: int

    @property
    def groups(self) -> np.ndarray:
        """The group numbers, ``0 .. n_groups - 1``."""
        return np.arange(self.counts.shape[0])

    def search(self, key_fn, groups, ranks, sizes, *, values=False) -> Thresholds:
        """Order statistics over the plan's rows; see :func:`_order.search`."""
        return search(self.rows.map_reduce, key_fn, groups, ranks, sizes, values=values)

    def rank_order(self):
        """Keys of the score order: score, then the tie key."""
        return _bind(_score_keys, self.seed)

    def drop_thresholds(self) -> Thresholds:
        """Per group, the key below which rows survive ``drop_hardest``."""
        return self.search(self.rank_order(), self.groups, self.capacity, self.counts)

    def remaining_values(self, groups: np.ndarray, ranks: np.ndarray) -> np.ndarray:
        """Scores of the remaining rows of rank ``ranks`` within ``groups``."""
        v = self.search(self.rank_order(), groups, ranks, self.counts, values=True)
        return decode_float_keys(v.hi)

    def keep_below(self, key_fn, thresholds: Thresholds, *key_args):
        """Kept positions: rows whose ``key_fn`` key is below its group's threshold."""
        return self.rows.where(_keep_below, key_fn, thresholds, self.seed, *key_args)


def _check_scores(scores):
    """1-D float64 scores (a dask array persisted) and their number of rows."""
    if is_dask_collection(scores):
        scores = scores.persist()
    else:
        scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 1:
        raise ValueError(f"`scores` must be 1-D. Got shape {scores.shape} instead.")
    if np.isnan(scores.shape[0]):
        raise ValueError(
            "`scores` has unknown chunk sizes; call `compute_chunk_sizes()` first."
        )
    return scores, int(scores.shape[0])


def _check_labels(y, n_samples: int, scores):
    """Classes and the class code of every row, aligned with ``scores``' blocks."""
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
    if is_dask_collection(scores):
        codes = codes.rechunk(scores.chunks).persist()
    return classes, codes


def _is_int(keep) -> bool:
    return isinstance(keep, Integral) and not isinstance(keep, (bool, np.bool_))


def _warn_integer_keep(keep, n_samples: int) -> None:
    """``keep=1`` (an int) keeps one row: say so, and how to keep them all."""
    if _is_int(keep) and keep == 1 and n_samples > 1:
        warnings.warn(
            "`keep`=1 is an int: it keeps one row (an int `keep` is a number "
            "of rows). To keep every row, pass keep=1.0.",
            PruningWarning,
            stacklevel=5,  # the caller of select_indices (through its validation)
        )


def _warn_empty_classes(classes, counts, quotas, keep) -> None:
    empty = classes[(quotas == 0) & (counts > 0)]
    if empty.size:
        n_samples = int(counts.sum())
        cause = (
            f"An int `keep` is a number of rows, not a fraction: keep={keep!r} "
            f"keeps {keep} of {n_samples} rows in all. Pass a float (e.g. 0.5) "
            f"for a fraction, or a larger int."
            if _is_int(keep)
            else "Increase `keep`."
        )
        warnings.warn(
            f"Class balance keeps no row of classes {empty.tolist()}: "
            f"their share of keep={keep!r} rounds to zero. {cause}",
            PruningWarning,
            stacklevel=5,  # the caller of select_indices (through its validation)
        )


def plan_selection(
    scores,
    keep: float | int,
    *,
    drop_hardest: float = 0.0,
    n_strata: int = 50,
    y=None,
    class_balance: bool | str | dict = False,
    class_errors=None,
    random_state: int | np.random.RandomState | None = None,
) -> SelectionPlan:
    """Validate a selection and compute what every policy needs, once.

    Parameters are those of :func:`select_indices` (already checked against
    :data:`POLICY_CONSTRAINTS`), less ``strategy``.

    Returns
    -------
    plan : SelectionPlan
    """
    scores, n_samples = _check_scores(scores)
    n_kept(keep, n_samples)  # a bad `keep` fails before any pass over the rows
    _warn_integer_keep(keep, n_samples)
    seed = draw_seed(check_random_state(random_state))
    rule = class_quota_rule(class_balance)
    if isinstance(class_balance, dict):
        class_errors = class_balance
    if rule == "difficulty" and class_errors is None:
        raise ValueError(
            "`class_balance='difficulty'` needs per-class error rates: pass "
            "`class_errors` (or a dict of them as `class_balance`)."
        )
    classes, codes = (
        _check_labels(y, n_samples, scores) if rule != "none" else (None, None)
    )
    rows = rows_of(scores, codes)
    if rows.map_reduce(_count_nonfinite)[0]:
        raise ValueError("`scores` contains NaN or infinity.")
    n_groups = 1 if classes is None else classes.shape[0]
    counts = rows.map_reduce(_count_codes, n_groups)
    n_total, capacity = check_budget(keep, counts, drop_hardest)
    if rule == "difficulty":
        errors = _errors_by_class(class_errors, classes)
        quotas = _difficulty_quotas(errors, n_total, capacity)
    else:
        quotas = _class_quotas(counts, n_total, capacity)
    if classes is not None:
        _warn_empty_classes(classes, counts, quotas, keep)
    return SelectionPlan(rows, seed, classes, counts, capacity, quotas, n_strata)


# -- the policies: one short function each -------------------------------------
def _select_easy(plan: SelectionPlan):
    """The lowest scores (quotas never exceed capacity: no dropped row is kept)."""
    t = plan.search(plan.rank_order(), plan.groups, plan.quotas, plan.counts)
    return plan.keep_below(_score_keys, t)


def _select_hard(plan: SelectionPlan):
    """The highest scores below the ``drop_hardest`` cut."""
    groups, n_groups = plan.groups, plan.counts.shape[0]
    both = plan.search(
        plan.rank_order(),
        np.concatenate([groups, groups]),
        np.concatenate([plan.capacity, plan.capacity - plan.quotas]),
        plan.counts,
    )
    return plan.rows.where(_keep_hard, plan.seed, both[:n_groups], both[n_groups:])


def _used_groups(plan: SelectionPlan) -> np.ndarray:
    """Groups that keep rows. Their remaining rows are their lowest ranks."""
    return np.flatnonzero((plan.quotas > 0) & (plan.capacity > 0))


def _select_moderate(plan: SelectionPlan):
    """The remaining rows whose scores are closest to their group's median."""
    drop, used = plan.drop_thresholds(), _used_groups(plan)
    middle = np.concatenate([(plan.capacity[used] - 1) // 2, plan.capacity[used] // 2])
    low, high = np.split(plan.remaining_values(np.concatenate([used, used]), middle), 2)
    median = np.zeros(plan.counts.shape[0])
    median[used] = 0.5 * low + 0.5 * high
    keys_fn = _bind(_moderate_keys, plan.seed, drop, median)
    t = plan.search(keys_fn, plan.groups, plan.quotas, plan.capacity)
    return plan.keep_below(_moderate_keys, t, drop, median)


def _select_stratified(plan: SelectionPlan):
    """Coverage-centric: equal-width score strata, the budget spread over them."""
    drop, used = plan.drop_thresholds(), _used_groups(plan)
    n_groups, n_strata = plan.counts.shape[0], plan.n_strata
    ends = np.concatenate([np.zeros_like(used), plan.capacity[used] - 1])
    low, high = np.zeros(n_groups), np.zeros(n_groups)
    low[used], high[used] = np.split(
        plan.remaining_values(np.concatenate([used, used]), ends), 2
    )
    n_cells = n_groups * n_strata
    cell_counts = plan.rows.map_reduce(
        _count_strata, plan.seed, drop, low, high, n_strata, n_cells
    ).reshape(n_groups, n_strata)
    cell_quotas = np.stack(
        [_strata_quotas(cell_counts[c], int(plan.quotas[c])) for c in range(n_groups)]
    )
    keys_fn = _bind(_stratum_keys, plan.seed, drop, low, high, n_strata)
    t = plan.search(
        keys_fn, np.arange(n_cells), cell_quotas.ravel(), cell_counts.ravel()
    )
    return plan.keep_below(_stratum_keys, t, drop, low, high, n_strata)


#: the selection policies, in the order the docs present them
POLICIES = {
    "hard": _select_hard,
    "easy": _select_easy,
    "stratified": _select_stratified,
    "moderate": _select_moderate,
}
STRATEGIES = tuple(POLICIES)

#: the most strata ``"stratified"`` accepts (memory grows with classes x strata)
MAX_STRATA = 10_000

#: the selection parameters, declared once: :func:`select_indices` and every
#: pruner's ``_parameter_constraints`` use them
POLICY_CONSTRAINTS: dict = {
    "keep": KEEP_CONSTRAINT,
    "strategy": [StrOptions(set(STRATEGIES))],
    "drop_hardest": [Interval(Real, 0, 1, closed="left")],
    "n_strata": [Count(1, MAX_STRATA, closed="both")],
}


@validate_params(
    {
        "scores": ["array-like"],
        **POLICY_CONSTRAINTS,
        "y": ["array-like", None],
        "class_balance": ["boolean", None, StrOptions(set(CLASS_QUOTAS)), dict],
        "class_errors": ["array-like", dict, None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def select_indices(
    scores,
    keep: float | int,
    *,
    strategy: str = "hard",
    drop_hardest: float = 0.0,
    n_strata: int = 50,
    y=None,
    class_balance: bool | str | dict = False,
    class_errors=None,
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
          share of what is left, rows drawn at random within a stratum; a
          budget smaller than the number of non-empty strata keeps one row
          from each of that many strata evenly spaced over the score range;
        - ``"moderate"`` (Xia et al. 2023) keeps the rows whose scores are
          closest to the median.
    drop_hardest : float in [0, 1), default=0.0
        Fraction of the hardest rows removed before the policy applies
        (rounded down; within each class with ``class_balance=True``). With
        ``"hard"`` this is Data Diet's offset window: skip the very hardest
        (often mislabelled) rows, keep the next hardest. Raises a
        ``ValueError`` when fewer rows remain than ``keep`` asks for.
    n_strata : int in [1, 10000], default=50
        Number of strata of ``"stratified"``.
    y : array-like of shape (n_samples,), default=None
        Class labels, needed when ``class_balance=True``.
    class_balance : {"equal", "difficulty", "none"}, bool or dict, default=False
        How the budget is split over classes (the class quotas); the policy
        then runs within each class:

        - ``"equal"`` (or True): every class keeps the same fraction of its
          rows (largest-remainder rounding keeps the total exact), so that
          pruning cannot starve a class;
        - ``"difficulty"``: DRoP (Vysogorets et al., ICLR 2025), each class's
          share of the budget is proportional to its error rate
          (``class_errors``), a class never keeps more rows than it has and
          the excess goes to the others;
        - ``"none"`` (or False, None): no quotas, rows of every class compete
          for the whole budget;
        - a dict mapping every class to its error rate: ``"difficulty"`` with
          these errors.
    class_errors : array-like of shape (n_classes,) or dict, default=None
        Per-class error rates for ``class_balance="difficulty"``, in the
        order of the sorted classes, or a dict by class label.
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
    plan = plan_selection(
        scores,
        keep,
        drop_hardest=drop_hardest,
        n_strata=n_strata,
        y=y,
        class_balance=class_balance,
        class_errors=class_errors,
        random_state=random_state,
    )
    return POLICIES[strategy](plan)

"""Test error of the max-margin perceptron trained on pruned data (public API)."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np
from sklearn.utils import Bunch

from .._compat import Number, Numbers, StrOptions, validate_params
from . import _saddle

__all__ = [
    "optimal_keep",
    "pareto_frontier",
    "perceptron_error",
    "perceptron_order_parameters",
]

_STRATEGIES = ("hard", "easy", "random")
_N_GRID = 13  # coarse grid of log(keep) before the golden-section refinement
_N_GOLDEN = 12
_N_BISECT = 12  # bisection steps of the smallest near-optimal keep


#: the constraints of the public functions' shared parameters
_POSITIVE = [Numbers(0, None, closed="neither")]
_KEEP = [Numbers(0, 1, closed="right")]
_ANGLE = [Number(0, 90, closed="both")]
_STRATEGY = [StrOptions(set(_STRATEGIES))]
_MIN_KEEP = [Number(0, 1, closed="neither")]
#: the pruned teacher-student setting: data set size, kept fraction, policy
_SETTING = {
    "alpha_total": _POSITIVE,
    "keep": _KEEP,
    "strategy": _STRATEGY,
    "angle": _ANGLE,
}


def _floats(value) -> np.ndarray:
    """A validated number or array-like of numbers as a float64 array."""
    return np.asarray(value, dtype=np.float64)


def _solve_grid(alpha_prune, keep, strategy, angle):
    """Solve on broadcast arrays; returns the dict of ``_saddle.solve``, reshaped."""
    alpha_prune, keep = np.broadcast_arrays(alpha_prune, keep)
    shape = alpha_prune.shape
    out = _saddle.solve(alpha_prune.ravel(), keep.ravel(), strategy, np.deg2rad(angle))
    return {k: v.reshape(shape) for k, v in out.items() if k != "state"}


def _scalar_or_array(arr: np.ndarray):
    return float(arr) if arr.ndim == 0 else arr


@validate_params(_SETTING, prefer_skip_nested_validation=True)
def perceptron_order_parameters(
    alpha_total, keep, *, strategy: str = "hard", angle: float = 0.0
) -> Bunch:
    """Order parameters of the max-margin perceptron trained on pruned data.

    Solves the replica saddle-point equations of Sorscher et al. (2022) (see
    :func:`perceptron_error` for the setting).

    Parameters
    ----------
    alpha_total : float or array-like
        Examples per input dimension before pruning, ``P / N`` (> 0).
    keep : float or array-like
        Fraction of the examples kept, in (0, 1]. Broadcast against
        ``alpha_total``.
    strategy : {"hard", "easy", "random"}, default="hard"
        Keep the examples with the smallest probe margins (``"hard"``), the
        largest (``"easy"``), or a random subset (``"random"``).
    angle : float, default=0.0
        Angle in degrees, in [0, 90], between the probe that ranks the
        examples and the teacher. 0 is a perfect metric.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        With arrays (floats for scalar input) of the broadcast shape:

        error
            Test error of the student, ``arccos(R) / pi``.
        R
            Overlap (cosine) of student and teacher.
        rho
            Overlap of student and probe (equal to ``R`` when ``angle=0``).
        kappa
            Maximal margin, in units of the input's standard deviation.
        alpha_prune
            Kept examples per dimension, ``keep * alpha_total``.

    See Also
    --------
    perceptron_error : Only the test error.

    Examples
    --------
    >>> from sklearn_prune.theory import perceptron_order_parameters
    >>> res = perceptron_order_parameters(10.0, 0.2, strategy="hard")
    >>> round(res.error, 4), round(res.R, 4), round(res.kappa, 4)
    (0.0971, 0.9538, 0.1101)
    >>> res = perceptron_order_parameters(10.0, 0.2, strategy="hard", angle=20.0)
    >>> round(res.error, 4), round(res.R, 4), round(res.rho, 4)
    (0.3452, 0.4674, 0.2327)
    """
    alpha_total, keep, angle = _floats(alpha_total), _floats(keep), float(angle)
    alpha_prune = alpha_total * keep
    out = _solve_grid(alpha_prune, keep, strategy, angle)
    out["alpha_prune"] = np.broadcast_to(alpha_prune, out["error"].shape).copy()
    return Bunch(**{k: _scalar_or_array(v) for k, v in out.items()})


@validate_params(_SETTING, prefer_skip_nested_validation=True)
def perceptron_error(
    alpha_total, keep, *, strategy: str = "hard", angle: float = 0.0
) -> float | np.ndarray:
    """Test error of the max-margin perceptron trained on pruned data.

    The teacher-student setting of Sorscher et al. (2022): ``P = alpha_total
    * N`` Gaussian inputs in ``N`` dimensions, labelled by a teacher
    perceptron, are ranked by their margin to a probe that makes ``angle``
    degrees with the teacher. A fraction ``keep`` of them is kept, and a
    max-margin perceptron (hard-margin linear SVM without intercept) is
    trained on the ``alpha_prune = keep * alpha_total`` examples per
    dimension that remain. This function returns the student's test error
    in the limit ``N, P -> infinity`` at fixed ratios, from the replica
    saddle-point equations of the paper's appendix.

    The same experiment at finite ``N``:
    :func:`~sklearn_prune.datasets.make_teacher_student`, then
    :class:`~sklearn_prune.OraclePruner`, then a max-margin classifier (see
    :func:`~sklearn_prune.theory.simulate_perceptron`).

    Parameters
    ----------
    alpha_total : float or array-like
        Examples per input dimension before pruning, ``P / N`` (> 0).
    keep : float or array-like
        Fraction of the examples kept, in (0, 1]. Broadcast against
        ``alpha_total``.
    strategy : {"hard", "easy", "random"}, default="hard"
        ``"hard"`` keeps the examples with the smallest probe margins,
        ``"easy"`` those with the largest, ``"random"`` a random subset
        (the probe then plays no role).
    angle : float, default=0.0
        Angle in degrees, in [0, 90], between probe and teacher: 0 ranks by
        the teacher's own margin (a perfect metric, as
        ``OraclePruner(angle=0)``), 90 by a margin unrelated to the labels.

    Returns
    -------
    error : float or ndarray
        Test error (probability of a wrong label on a fresh input), of the
        broadcast shape of ``alpha_total`` and ``keep``; a float for scalar
        input.

    See Also
    --------
    optimal_keep : The best ``keep`` and strategy for a given amount of data.
    pareto_frontier : The lowest error at a given pruned data set size.
    perceptron_order_parameters : Overlaps and margin of the same solution.

    Notes
    -----
    With ``keep=1`` (or ``strategy="random"``) this is the classic learning
    curve of the max-margin perceptron, a power law ``~ 0.50 / alpha``.
    With a perfect probe, keep-hard leaves the error at its unpruned value
    as long as ``alpha_prune`` exceeds a few (the easy examples dropped are
    not support vectors): at a fixed pruned size, the error then falls with
    the size of the data set pruned from, faster than any power law of
    ``alpha_prune`` (see :func:`optimal_keep` and :func:`pareto_frontier`).
    Below ``alpha_prune ~ 2`` (the perceptron's capacity) the hardest
    examples carry little information, and keep-easy wins. With
    ``angle > 0``, a too small ``keep`` drives the error to
    ``(90 - angle) / 180``.

    The equations are solved in variables where the maximal margin is a
    pseudo-concave function (so the maximum found is the global one) and
    the error is computed as an angle, without ``arccos(R)`` near ``R = 1``:
    errors are accurate to about 1e-6 relative or better down to the
    smallest values (1e-12 and below). A curve of 200 points takes about
    0.1 s on one core with ``angle=0``, and 0.3 to 1 s with ``angle > 0``.

    References
    ----------
    .. [1] Sorscher, Geirhos, Shekhar, Ganguli, Morcos. "Beyond neural scaling
       laws: beating power law scaling via data pruning". NeurIPS 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune.theory import perceptron_error
    >>> float(np.round(perceptron_error(1000.0, 1.0) * 1000, 3))  # ~0.5/alpha
    0.5
    >>> err = perceptron_error(30.0, [1.0, 0.3, 0.1], strategy="hard")
    >>> np.round(err, 5)  # the easy rows dropped were not support vectors
    array([0.01665, 0.01665, 0.01757])
    >>> small = perceptron_error(1.0, 0.5, strategy="easy")
    >>> bool(small < perceptron_error(1.0, 0.5, strategy="hard"))
    True
    """
    alpha_total, keep, angle = _floats(alpha_total), _floats(keep), float(angle)
    out = _solve_grid(alpha_total * keep, keep, strategy, angle)
    return _scalar_or_array(out["error"])


def _golden_minimum(solve_at, lo, hi, n_iter):
    """Vectorised golden-section search of ``solve_at(x)["error"]`` on [lo, hi].

    ``solve_at(x, init)`` solves the problems at ``x`` (warm-started from the
    solver state ``init``). Returns the best ``x`` and error seen.
    """
    g = (np.sqrt(5.0) - 1.0) / 2.0
    x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
    r1, r2 = solve_at(x1, None), solve_at(x2, None)
    for _ in range(n_iter):
        left = r1["error"] <= r2["error"]  # the minimum is in [lo, x2]
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        x_new = np.where(left, hi - g * (hi - lo), lo + g * (hi - lo))
        init = _pick(left, r1["state"], r2["state"])
        r_new = solve_at(x_new, init)
        # left: (x1, x2) <- (new, x1); right: (x1, x2) <- (x2, new)
        x1, x2 = np.where(left, x_new, x2), np.where(left, x1, x_new)
        r1, r2 = _pick_result(left, r_new, r2), _pick_result(left, r1, r_new)
    better = r1["error"] <= r2["error"]
    return np.where(better, x1, x2), np.where(better, r1["error"], r2["error"])


def _pick(cond, a, b):
    return {k: np.where(cond, a[k], b[k]) for k in a}


def _pick_result(cond, a, b):
    return {
        "error": np.where(cond, a["error"], b["error"]),
        "state": _pick(cond, a["state"], b["state"]),
    }


def _search_keep(alpha_of_keep, n, angle, min_keep, strategies):
    """Lowest error over ``log(keep)`` in [log(min_keep), 0], per strategy.

    ``alpha_of_keep(keep)`` maps an array of kept fractions of shape (n, m)
    to ``alpha_prune``. A coarse grid of ``log(keep)`` finds the best cell,
    a golden-section search refines it (the solver is warm-started from
    the neighbouring solution).

    Returns a dict ``strategy -> (x_grid, err_grid, x_best, err_best,
    solve_at)``, ``solve_at(x, init)`` solving that strategy at ``log(keep)
    = x`` (shape (n,) or (n, m)).
    """
    theta = np.deg2rad(angle)
    x_grid = np.linspace(np.log(min_keep), 0.0, _N_GRID)
    out = {}
    for strategy in strategies:

        def solve_at(x, init, strategy=strategy):
            keep = np.exp(x).reshape(n, -1)
            alpha = alpha_of_keep(keep)
            return _saddle.solve(alpha.ravel(), keep.ravel(), strategy, theta, init)

        err = solve_at(np.tile(x_grid, (n, 1)), None)["error"].reshape(n, _N_GRID)
        i = np.argmin(err, axis=1)
        lo = x_grid[np.maximum(i - 1, 0)]
        hi = x_grid[np.minimum(i + 1, _N_GRID - 1)]
        x_best, e_best = _golden_minimum(solve_at, lo, hi, _N_GOLDEN)
        take_grid = err[np.arange(n), i] < e_best
        x_best = np.where(take_grid, x_grid[i], x_best)
        e_best = np.where(take_grid, err[np.arange(n), i], e_best)
        out[strategy] = (x_grid, err, x_best, e_best, solve_at)
    return out


def _smallest_keep_within(search, threshold):
    """Per strategy, the smallest ``log(keep)`` whose error is <= threshold.

    The errors along ``log(keep)`` are assumed to be under the threshold on
    one interval around the refined minimum; its left end is found by
    bisection from the grid point before it. ``inf`` where the strategy
    never gets under the threshold.
    """
    out = {}
    for strategy, (x_grid, err, x_best, e_best, solve_at) in search.items():
        ok = err <= threshold[:, None]
        has = ok.any(axis=1)
        first = x_grid[np.argmax(ok, axis=1)]
        x_ok = np.where(has, np.minimum(first, x_best), x_best)
        # the grid point left of x_ok is above the threshold
        idx = np.searchsorted(x_grid, x_ok, side="left") - 1
        feasible = e_best <= threshold
        bisect = feasible & (idx >= 0)
        lo = np.where(bisect, x_grid[np.maximum(idx, 0)], x_ok)
        hi = x_ok.copy()
        for _ in range(_N_BISECT if np.any(bisect) else 0):
            mid = 0.5 * (lo + hi)
            below = solve_at(mid, None)["error"] <= threshold
            hi = np.where(bisect & below, mid, hi)
            lo = np.where(bisect & ~below, mid, lo)
        out[strategy] = np.where(feasible, hi, np.inf)
    return out


def _best_keep(alpha_of_keep, shape, angle, min_keep, rtol):
    """The smallest ``keep`` (and its strategy) within ``rtol`` of the best error."""
    n = int(np.prod(shape))
    if n == 0:
        return np.zeros(shape), np.zeros(shape, dtype="<U4"), np.zeros(shape)
    search = _search_keep(alpha_of_keep, n, angle, min_keep, ("hard", "easy"))
    e_min = np.minimum(search["hard"][3], search["easy"][3])
    threshold = e_min * (1.0 + rtol) + 1e-300
    x = _smallest_keep_within(search, threshold)
    hard = x["hard"] <= x["easy"]
    x_best = np.where(hard, x["hard"], x["easy"])
    strategy = np.where(hard, "hard", "easy")
    keep = np.exp(x_best)
    theta = np.deg2rad(angle)
    alpha = alpha_of_keep(keep.reshape(n, 1)).ravel()
    err = np.empty(n)
    for s in ("hard", "easy"):
        m = strategy == s
        if np.any(m):
            err[m] = _saddle.solve(alpha[m], keep[m], s, theta)["error"]
    return keep.reshape(shape), strategy.reshape(shape), err.reshape(shape)


def _frontier(alpha_of_keep, shape, angle, min_keep, strategies):
    n = int(np.prod(shape))
    if n == 0:
        return np.zeros(shape), np.zeros(shape, dtype="<U4"), np.zeros(shape)
    search = _search_keep(alpha_of_keep, n, angle, min_keep, strategies)
    names = list(search)
    errs = np.stack([search[s][3] for s in names])
    xs = np.stack([search[s][2] for s in names])
    k = np.argmin(errs, axis=0)
    cols = np.arange(n)
    keep = np.exp(xs[k, cols])
    strategy = np.asarray(names)[k]
    return keep.reshape(shape), strategy.reshape(shape), errs[k, cols].reshape(shape)


def _bunch(result: dict, shape) -> Bunch:
    if not shape:
        return Bunch(**{k: np.asarray(v).item() for k, v in result.items()})
    return Bunch(**result)


@validate_params(
    {
        "alpha_total": _POSITIVE,
        "angle": _ANGLE,
        "min_keep": _MIN_KEEP,
        "rtol": [Number(0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def optimal_keep(
    alpha_total, *, angle: float = 0.0, min_keep: float = 1e-3, rtol: float = 1e-3
) -> Bunch:
    """Best kept fraction and strategy for a given amount of data.

    For a data set of ``alpha_total * N`` examples, the fraction ``keep``
    in ``[min_keep, 1]`` and the strategy (``"hard"`` or ``"easy"``) that
    give the max-margin student the lowest test error (see
    :func:`perceptron_error`). Random pruning never beats keeping
    everything, so it is not searched.

    Pruning can leave the error unchanged (the max-margin student only
    depends on its support vectors, which keep-hard retains as long as
    ``keep`` is not too small), so many fractions can be optimal. The
    smallest ``keep`` whose error is within ``rtol`` of the lowest is
    returned: as much pruning as the error allows.

    Parameters
    ----------
    alpha_total : float or array-like
        Examples per input dimension before pruning (> 0).
    angle : float, default=0.0
        Angle in degrees, in [0, 90], between probe and teacher.
    min_keep : float, default=1e-3
        Smallest fraction searched, in (0, 1).
    rtol : float, default=1e-3
        Relative tolerance on the error: the smallest ``keep`` with an error
        at most ``(1 + rtol)`` times the lowest is returned. ``rtol=0``
        returns the exact minimiser.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        With arrays (scalars for scalar input) of the shape of
        ``alpha_total``:

        keep
            The kept fraction: the smallest one within ``rtol`` of the
            lowest error, so it can be below 1.0 even where keeping
            everything is (by less than ``rtol``) best.
        strategy
            ``"hard"`` or ``"easy"``.
        error
            The test error at that ``keep`` and strategy.
        alpha_prune
            ``keep * alpha_total``, the size of the pruned data set.

    See Also
    --------
    pareto_frontier : The lowest error at a given *pruned* data set size.
    perceptron_error : The error at any ``keep`` and strategy.

    Notes
    -----
    With a perfect probe, keep-easy wins when data is scarce and keep-hard
    when it is abundant, where the kept fraction shrinks as ``alpha_total``
    grows: ``alpha_prune`` then hardly grows while the error keeps falling,
    faster than any power law of ``alpha_prune``. With ``angle > 0`` the
    kept fraction levels off, and the error returns to a power law.

    A coarse grid of ``log(keep)`` locates the best fraction of each
    strategy, a golden-section search refines it, and a bisection finds the
    smallest fraction within ``rtol``.

    Examples
    --------
    >>> from sklearn_prune.theory import optimal_keep
    >>> best = optimal_keep([0.5, 50.0])
    >>> best.strategy.tolist()
    ['easy', 'hard']
    >>> [round(float(k), 2) for k in best.keep]
    [0.52, 0.09]
    """
    alpha_total, angle = _floats(alpha_total), float(angle)
    min_keep, rtol = float(min_keep), float(rtol)
    shape = alpha_total.shape
    flat = alpha_total.reshape(-1, 1)

    def alpha_of_keep(keep):
        return flat * keep

    keep, strategy, error = _best_keep(alpha_of_keep, shape, angle, min_keep, rtol)
    result = {
        "keep": keep,
        "strategy": strategy,
        "error": error,
        "alpha_prune": keep * alpha_total,
    }
    return _bunch(result, shape)


@validate_params(
    {
        "alpha_prune": _POSITIVE,
        "angle": _ANGLE,
        "min_keep": _MIN_KEEP,
        "strategy": [StrOptions({"hard", "easy"}), None],
    },
    prefer_skip_nested_validation=True,
)
def pareto_frontier(
    alpha_prune, *, angle: float = 0.0, min_keep: float = 1e-3, strategy=None
) -> Bunch:
    """Lowest test error reachable with ``alpha_prune * N`` kept examples.

    Pruning a larger data set down to the same size helps if the right
    examples are kept: for each pruned size ``alpha_prune``, this is the
    minimum of :func:`perceptron_error` over the kept fraction ``keep`` in
    ``[min_keep, 1]`` (that is, over ``alpha_total = alpha_prune / keep``)
    and over the strategies: the lower envelope of the learning curves of
    all kept fractions, plotted against ``alpha_prune``.

    Parameters
    ----------
    alpha_prune : float or array-like
        Kept examples per input dimension (> 0).
    angle : float, default=0.0
        Angle in degrees, in [0, 90], between probe and teacher.
    min_keep : float, default=1e-3
        Smallest kept fraction allowed, in (0, 1): the largest data set to
        prune from is ``alpha_prune / min_keep``.
    strategy : {"hard", "easy"} or None, default=None
        Restrict the frontier to one strategy; ``None`` takes the better of
        both at every ``alpha_prune``.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        With arrays (scalars for scalar input) of the shape of
        ``alpha_prune``: ``error``, ``keep``, ``strategy`` and
        ``alpha_total`` (``alpha_prune / keep``) of the best choice.

    See Also
    --------
    optimal_keep : The best choice for a given *unpruned* data set size.

    Notes
    -----
    With a perfect probe and ``alpha_prune`` above about 2 (the capacity of
    the perceptron), pruning a larger data set always helps: the error is
    then proportional to the smallest allowed ``keep``, and the frontier
    drops steeply, faster than any power law, before it follows the curve
    of ``min_keep``. With ``angle > 0`` too small a ``keep`` is harmful, the
    best ``keep`` is interior, and the frontier returns to a power law.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune.theory import pareto_frontier, perceptron_error
    >>> front = pareto_frontier([1.0, 2.0, 4.0], min_keep=0.1)
    >>> np.round(front.error, 4)
    array([0.1151, 0.0711, 0.0126])
    >>> front.strategy.tolist()
    ['easy', 'easy', 'hard']
    >>> np.round(perceptron_error([1.0, 2.0, 4.0], 1.0), 4)  # no pruning
    array([0.2657, 0.1885, 0.1137])
    """
    alpha_prune, angle, min_keep = _floats(alpha_prune), float(angle), float(min_keep)
    strategies = ("hard", "easy") if strategy is None else (strategy,)
    shape = alpha_prune.shape
    flat = alpha_prune.reshape(-1, 1)

    def alpha_of_keep(keep):
        return np.broadcast_to(flat, keep.shape).copy()

    keep, best, error = _frontier(alpha_of_keep, shape, angle, min_keep, strategies)
    result = {
        "error": error,
        "keep": keep,
        "strategy": best,
        "alpha_total": alpha_prune / keep,
    }
    return _bunch(result, shape)

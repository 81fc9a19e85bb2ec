"""Finite-size simulation of the pruned teacher-student perceptron."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from scipy.optimize import nnls
from sklearn.utils import Bunch, check_random_state
from threadpoolctl import threadpool_limits

from .._compat import Count, validate_params
from .._seeding import draw_seeds
from ..datasets import make_teacher_student
from ._perceptron import _SETTING, _floats

__all__ = ["max_margin_direction", "simulate_perceptron"]

# rows per feature in the working set of max_margin_direction
_WORKING_SET = 2


@validate_params(
    {"X": ["array-like"], "y": ["array-like"]}, prefer_skip_nested_validation=True
)
def max_margin_direction(X, y) -> np.ndarray:
    """Unit weight vector of the hard-margin linear SVM without intercept.

    Solves ``max_w min_i y_i (w . x_i) / |w|`` exactly. The solution is the
    direction of the point of smallest norm in the convex hull of the rows
    ``y_i x_i``, found by non-negative least squares: minimising
    ``|Z^T l|^2 + (sum(l) - 1)^2`` over ``l >= 0`` gives that point up to a
    positive factor. The problem is solved on a working set of rows (those
    nearest the boundary), grown by the rows that violate the margin most,
    until none does.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training inputs.
    y : array-like of shape (n_samples,)
        Labels in {-1, +1}.

    Returns
    -------
    w : ndarray of shape (n_features,)
        Unit-norm max-margin direction.

    Raises
    ------
    ValueError
        If the data are not linearly separable through the origin.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune.theory import max_margin_direction
    >>> X = np.array([[2.0, 1.0], [2.0, -1.0], [-2.0, 0.0]])
    >>> y = np.array([1, 1, -1])
    >>> np.round(max_margin_direction(X, y), 4)
    array([1., 0.])
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    if X.ndim != 2 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"`X` must be 2-D with one row per label; got X of shape {X.shape} "
            f"and y of shape {y.shape}."
        )
    if not np.all(np.abs(y) == 1):
        raise ValueError("`y` must contain labels -1 and +1 only.")
    Z = y[:, None] * X
    n_rows, n_features = Z.shape
    scale = np.sqrt(np.max(np.einsum("ij,ij->i", Z, Z), initial=0.0))
    # working set: solve on the rows nearest the boundary of a first guess,
    # add the rows that violate the margin most, repeat; the last solution
    # satisfies all constraints, so it is the exact solution for all rows
    size = min(n_rows, _WORKING_SET * n_features + 20)
    # least squares on y (w . x) = 1 is close to the max-margin direction
    guess = np.linalg.lstsq(Z, np.ones(n_rows), rcond=None)[0]
    active = np.zeros(n_rows, dtype=bool)
    active[np.argsort(Z @ guess)[:size]] = True
    while True:
        idx = np.flatnonzero(active)
        A = np.vstack([Z[idx].T, np.ones((1, idx.size))])
        b = np.zeros(n_features + 1)
        b[-1] = 1.0
        lam, _ = nnls(A, b, maxiter=50 * idx.size)
        w = Z[idx].T @ lam
        norm = np.linalg.norm(w)
        # the convex hull of the rows contains the origin: no separation
        if norm <= 1e-12 * scale:
            raise ValueError("The data are not linearly separable through the origin.")
        margins = Z @ (w / norm)
        kappa = margins[idx].min()
        if kappa <= 0:
            raise ValueError("The data are not linearly separable through the origin.")
        violators = np.flatnonzero(~active & (margins < kappa * (1.0 - 1e-10)))
        if violators.size == 0:
            return w / norm
        # the worst violators first, a working set's worth at a time
        worst = violators[np.argsort(margins[violators])[:size]]
        active[worst] = True


def _one_run(n_samples, n_features, keep, strategy, angle, n_test, seed):
    """Test error of one max-margin student trained on pruned data."""
    # the pruners live in a higher layer of the package: import them here
    from .._oracle import OraclePruner
    from .._random import RandomPruner

    rng = np.random.RandomState(seed)
    X, y, teacher = make_teacher_student(n_samples, n_features, random_state=rng)
    if strategy == "random":
        pruner = RandomPruner(keep=keep, random_state=rng)
    else:
        pruner = OraclePruner(
            teacher=teacher,
            keep=keep,
            strategy=strategy,
            angle=angle,
            random_state=rng,
        )
    X_kept, y_kept = pruner.fit_resample(X, y)
    w = max_margin_direction(X_kept, y_kept)
    if n_test is None:
        # exact error on fresh Gaussian inputs: the angle to the teacher
        cos = np.clip(w @ teacher, -1.0, 1.0)
        return 2.0 * np.arcsin(np.sqrt((1.0 - cos) / 2.0)) / np.pi
    X_test, y_test, _ = make_teacher_student(
        n_test, n_features, teacher=teacher, random_state=rng
    )
    return float(np.mean(np.where(X_test @ w >= 0, 1, -1) != y_test))


def _one_run_single_thread(*args):
    # the linear algebra is small: threaded BLAS only adds overhead, and
    # much of it when the cores are busy (parallelism is over runs instead)
    with threadpool_limits(limits=1, user_api="blas"):
        return _one_run(*args)


@validate_params(
    {
        **_SETTING,
        "n_features": [Count(1, None, closed="left")],
        "n_seeds": [Count(1, None, closed="left")],
        "n_test": [Count(1, None, closed="left"), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def simulate_perceptron(
    alpha_total,
    keep,
    *,
    strategy: str = "hard",
    angle: float = 0.0,
    n_features: int = 200,
    n_seeds: int = 5,
    n_test: int | None = None,
    random_state=None,
    n_jobs: int | None = None,
) -> Bunch:
    """Run the pruned teacher-student experiment at finite size, over seeds.

    For every seed: draw ``round(alpha_total * n_features)`` examples with
    :func:`~sklearn_prune.datasets.make_teacher_student`, keep a fraction
    ``keep`` of them with :class:`~sklearn_prune.OraclePruner` (or
    :class:`~sklearn_prune.RandomPruner` for ``strategy="random"``), train a
    max-margin perceptron on the kept rows (:func:`max_margin_direction`,
    the exact hard-margin SVM without intercept) and measure its test error.
    This is the finite-``N`` counterpart of :func:`perceptron_error`.

    Parameters
    ----------
    alpha_total : float or array-like
        Examples per input dimension before pruning (> 0).
    keep : float or array-like
        Fraction kept, in (0, 1]; broadcast against ``alpha_total``.
    strategy : {"hard", "easy", "random"}, default="hard"
        Which examples the pruner keeps.
    angle : float, default=0.0
        Angle in degrees, in [0, 90], between the pruner's probe and the
        teacher (``OraclePruner(angle=...)``).
    n_features : int, default=200
        Input dimension ``N``.
    n_seeds : int, default=5
        Independent repetitions (new teacher, data and probe each).
    n_test : int or None, default=None
        Size of the fresh test set. ``None`` uses the exact test error over
        the whole input distribution, ``arccos(cos(w, teacher)) / pi``,
        which has no test-sampling noise.
    random_state : int, RandomState instance or None, default=None
        Seeds the repetitions. Seed ``i`` gets the same data for every
        ``keep`` and ``strategy`` (common random numbers), so differences
        between them are measured with less noise.
    n_jobs : int, default=None
        Parallel jobs (joblib) over the runs.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        errors
            Test errors, shape ``broadcast_shape + (n_seeds,)``.
        mean, std, sem
            Mean, standard deviation and standard error of the mean over
            seeds, of the broadcast shape of ``alpha_total`` and ``keep``
            (floats for scalar input).
        alpha_prune
            ``round(keep * round(alpha_total * n_features)) / n_features``,
            the kept examples per dimension actually used.

    See Also
    --------
    perceptron_error : The ``N -> infinity`` prediction.

    Examples
    --------
    >>> from sklearn_prune.theory import perceptron_error, simulate_perceptron
    >>> sim = simulate_perceptron(4.0, 0.5, n_features=50, n_seeds=4,
    ...                           random_state=0)
    >>> sim.errors.shape
    (4,)
    >>> theory = perceptron_error(4.0, 0.5)
    >>> bool(abs(sim.mean - theory) < 4 * sim.sem + 0.02)
    True
    """
    alpha_total, keep, angle = _floats(alpha_total), _floats(keep), float(angle)
    alpha_total, keep = np.broadcast_arrays(alpha_total, keep)
    shape = alpha_total.shape
    n_samples = np.maximum(1, np.rint(alpha_total * n_features)).astype(int)
    seeds = draw_seeds(check_random_state(random_state), n_seeds)
    jobs = [
        (int(n), float(k), int(s))
        for n, k in zip(n_samples.ravel(), keep.ravel())
        for s in seeds
    ]
    errors = Parallel(n_jobs=n_jobs)(
        delayed(_one_run_single_thread)(n, n_features, k, strategy, angle, n_test, s)
        for n, k, s in jobs
    )
    errors = np.asarray(errors, dtype=float).reshape(shape + (n_seeds,))
    n_kept = np.maximum(1, np.floor(keep * n_samples + 0.5))
    std = errors.std(axis=-1, ddof=1) if n_seeds > 1 else np.zeros(shape)
    sem = std / np.sqrt(n_seeds) if n_seeds > 1 else np.full(shape, np.nan)
    result = {
        "errors": errors,
        "mean": errors.mean(axis=-1),
        "std": std,
        "sem": sem,
        "alpha_prune": n_kept / n_features,
    }
    if not shape:
        return Bunch(
            errors=errors,
            **{k: float(v) for k, v in result.items() if k != "errors"},
        )
    return Bunch(**result)

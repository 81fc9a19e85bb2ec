"""Synthetic data sets with a known ground truth for the pruning theory."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_teacher_student"]


def _check_count(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"`{name}` must be an int >= 1; got {value!r}.")
    if value < 1:
        raise ValueError(f"`{name}` must be an int >= 1; got {value!r}.")
    return int(value)


def make_teacher_student(
    n_samples: int = 100,
    n_features: int = 20,
    *,
    teacher=None,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian inputs labelled by a linear teacher (the perceptron setting).

    The data of the teacher-student perceptron of Sorscher et al. (2022):
    every input is drawn from the standard normal distribution in
    ``n_features`` dimensions, and its label is the side of the teacher's
    hyperplane (through the origin) it falls on, ``y = sign(X @ teacher)``.
    The data are therefore linearly separable, without noise. Together with
    :class:`~sklearn_prune.OraclePruner` and :mod:`sklearn_prune.theory` they
    reproduce the paper's analytic results.

    Parameters
    ----------
    n_samples : int, default=100
        Number of rows. The paper's load is ``alpha = n_samples / n_features``.
    n_features : int, default=20
        Input dimension.
    teacher : array-like of shape (n_features,), default=None
        Teacher direction. ``None`` draws one uniformly on the unit sphere
        from ``random_state``. A given teacher is normalised to unit length.
    random_state : int, RandomState instance or None, default=None
        Seeds the inputs (and the teacher when it is drawn). Pass an int for
        reproducible output. See :term:`Glossary <random_state>`.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Standard normal inputs.
    y : ndarray of shape (n_samples,) of int
        Labels in {-1, +1} (``+1`` when ``X @ teacher >= 0``), the sign
        convention of the perceptron literature.
    teacher : ndarray of shape (n_features,)
        The unit-norm teacher direction.

    See Also
    --------
    sklearn_prune.OraclePruner : Prune by the margin to this teacher.
    sklearn_prune.theory.perceptron_error : The theory's test error for
        this data.
    sklearn.datasets.make_classification : General synthetic classification
        data.

    Notes
    -----
    The test error of any linear classifier ``w`` (no intercept) on fresh
    data from this distribution is ``arccos(cos(w, teacher)) / pi``.

    References
    ----------
    .. [1] Sorscher, Geirhos, Shekhar, Ganguli, Morcos. "Beyond neural scaling
       laws: beating power law scaling via data pruning". NeurIPS 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune.datasets import make_teacher_student
    >>> X, y, teacher = make_teacher_student(500, 10, random_state=0)
    >>> X.shape, y.shape, teacher.shape
    ((500, 10), (500,), (10,))
    >>> round(float(np.linalg.norm(teacher)), 6), sorted(set(y.tolist()))
    (1.0, [-1, 1])
    >>> bool(np.all(y * (X @ teacher) >= 0))
    True
    """
    n_samples = _check_count(n_samples, "n_samples")
    n_features = _check_count(n_features, "n_features")
    rng = check_random_state(random_state)
    if teacher is None:
        teacher = rng.standard_normal(n_features)
    else:
        teacher = np.asarray(teacher, dtype=np.float64)
        if teacher.ndim != 1 or teacher.shape[0] != n_features:
            raise ValueError(
                f"`teacher` must have shape ({n_features},) to match "
                f"n_features={n_features}; got shape {teacher.shape}."
            )
    norm = np.linalg.norm(teacher)
    if not np.isfinite(norm) or norm == 0:
        raise ValueError(
            f"`teacher` must be a finite, non-zero vector; got norm {norm!r}."
        )
    teacher = teacher / norm
    X = rng.standard_normal((n_samples, n_features))
    y = np.where(X @ teacher >= 0, 1, -1)
    return X, y, teacher

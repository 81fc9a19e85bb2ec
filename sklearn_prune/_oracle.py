"""OraclePruner: margin to a known teacher, the paper's perfect (or rotated) metric."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from numbers import Real

import numpy as np

from ._compat import HasMethods, Interval
from ._docstring import fill_doc
from .base import BasePruner

__all__ = ["OraclePruner"]


@fill_doc
class OraclePruner(BasePruner):
    """Score rows by their margin to a known teacher (small margin = hard).

    The teacher-student oracle of Sorscher et al. (2022): with a teacher
    weight vector ``w``, a row's score is ``-|w.x + b| / ||w||``, minus the
    absolute distance to the teacher's decision boundary, so rows near the
    boundary are the hardest. With ``angle`` > 0 the rows are scored by a
    probe rotated ``angle`` degrees away from the teacher in a random
    direction, the paper's model of an imperfect difficulty metric.

    Parameters
    ----------
    teacher : array-like of shape (n_features,) or (1, n_features), or model
        The teacher's weight vector (a 2-D array must be a single row), or a
        fitted binary linear model whose ``coef_`` (and ``intercept_``, if
        any) define it. A fitted model given
        as it is loses its fit wherever the pruner is cloned
        (:func:`~sklearn.base.clone`, ``cross_validate``, ``GridSearchCV``):
        wrap it in :class:`sklearn.frozen.FrozenEstimator`, which clones to
        itself, or pass its weight vector.

    {{keep}}

    {{policy}}

    angle : float, default=0.0
        Angle in degrees, in [0, 90], between the teacher and the probe that
        scores the rows. 0 scores with the teacher itself (a perfect metric);
        90 gives a probe orthogonal to the teacher (a useless metric). The
        rotation direction is drawn from ``random_state``.

    {{class_balance}}

    {{random_state}}

    Attributes
    ----------
    {{fitted}}

    probe_ : ndarray of shape (n_features,)
        Unit vector that scored the rows (the unit teacher when ``angle=0``).

    See Also
    --------
    sklearn_prune.datasets.make_teacher_student : Data with a known teacher.

    References
    ----------
    .. [1] Sorscher, Geirhos, Shekhar, Ganguli, Morcos. "Beyond neural scaling
       laws: beating power law scaling via data pruning". NeurIPS 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune import OraclePruner
    >>> X = np.array([[3.0, 0.0], [0.1, 1.0], [-2.0, 0.5], [-0.2, -1.0]])
    >>> pruner = OraclePruner(teacher=[1.0, 0.0], keep=2, strategy="hard").fit(X)
    >>> pruner.scores_
    array([-3. , -0.1, -2. , -0.2])
    >>> pruner.sample_indices_
    array([1, 3])
    """

    _parameter_constraints: dict = {
        **BasePruner._parameter_constraints,
        "teacher": ["array-like", HasMethods(["fit"])],
        "angle": [Interval(Real, 0, 90, closed="both")],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def __init__(
        self,
        *,
        teacher,
        keep=0.5,
        strategy="stratified",
        drop_hardest="auto",
        n_strata=50,
        angle=0.0,
        class_balance="auto",
        random_state=None,
    ):
        super().__init__(
            keep=keep,
            strategy=strategy,
            drop_hardest=drop_hardest,
            n_strata=n_strata,
            class_balance=class_balance,
            random_state=random_state,
        )
        self.teacher = teacher
        self.angle = angle

    def _teacher_weights(self, n_features: int) -> tuple[np.ndarray, float]:
        """Teacher weight vector and intercept, checked against ``n_features``."""
        if hasattr(self.teacher, "coef_"):
            w = np.asarray(self.teacher.coef_, dtype=np.float64)
            if w.ndim == 2 and w.shape[0] != 1:
                raise ValueError(
                    "`teacher` must be a binary linear model (coef_ with one row); "
                    f"got coef_ of shape {w.shape}."
                )
            b = float(np.ravel(getattr(self.teacher, "intercept_", 0.0))[0])
        elif hasattr(self.teacher, "fit"):
            raise ValueError(
                f"`teacher` is an estimator without `coef_`: it is not fitted "
                f"({type(self.teacher).__name__}). Fit it first. If it was fitted "
                f"and this pruner was cloned since (clone, cross_validate, "
                f"GridSearchCV clone their estimators and so unfit the teacher), "
                f"wrap the fitted model as teacher=FrozenEstimator(model) (from "
                f"sklearn.frozen), or pass its weight vector."
            )
        else:
            w, b = np.asarray(self.teacher, dtype=np.float64), 0.0
            if w.ndim > 2 or (w.ndim == 2 and w.shape[0] != 1):
                raise ValueError(
                    f"`teacher` must be one weight vector (shape (n_features,) "
                    f"or (1, n_features), like a binary model's coef_); got "
                    f"shape {w.shape}. Pass a single row, e.g. teacher[0]."
                )
        w = w.ravel()
        if w.shape[0] != n_features:
            raise ValueError(
                f"`teacher` has {w.shape[0]} weights but X has {n_features} features."
            )
        norm = np.linalg.norm(w)
        if not np.isfinite(norm) or norm == 0:
            raise ValueError("`teacher` must be a finite, non-zero weight vector.")
        return w / norm, b / norm

    def _uninformative_hint(self) -> str:
        return (
            "the rows have (nearly) the same margin along `teacher`; check "
            "that its weights match X's columns"
        )

    def _compute_scores(self, X, y, rng, **params):
        teacher, bias = self._teacher_weights(X.shape[1])
        probe = teacher
        if self.angle > 0:
            if teacher.shape[0] < 2:
                raise ValueError(
                    f"`angle`={self.angle} needs at least 2 features to rotate "
                    f"the probe away from the teacher; got n_features=1."
                )
            # random unit direction orthogonal to the teacher
            u = rng.standard_normal(teacher.shape[0])
            u -= (u @ teacher) * teacher
            u /= np.linalg.norm(u)
            theta = np.deg2rad(self.angle)
            probe = np.cos(theta) * teacher + np.sin(theta) * u
        self.probe_ = probe
        margins = np.asarray(X @ probe.astype(X.dtype, copy=False)).ravel() + bias
        return -np.abs(margins)

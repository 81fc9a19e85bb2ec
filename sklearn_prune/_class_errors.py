"""Per-class error rates from a cheap cross-validated probe (difficulty quotas)."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold

from ._arrays import take_rows
from ._seeding import draw_seed
from ._selection import class_codes, class_error_rates

__all__ = ["MAX_PROBE_ROWS", "probe_class_errors"]

#: rows the probe sees at most: error rates per class need a sample, not all rows
MAX_PROBE_ROWS = 20_000


def probe_class_errors(
    X, y, rng: np.random.RandomState, estimator=None, *, n_splits: int = 3
) -> dict:
    """Out-of-fold error rate of every class, from a cheap probe.

    The probe (by default EL2N's tabular probe: unit-variance scaling and a
    one-hidden-layer MLP trained 10 epochs) is fitted on ``n_splits - 1``
    folds of at most :data:`MAX_PROBE_ROWS` rows drawn at random and
    predicts the held-out fold; a class's error rate is the add-one estimate
    :func:`~sklearn_prune._selection.class_error_rates` of its held-out
    mistakes.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Validated rows.
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Class labels or one-hot rows.
    rng : numpy.random.RandomState
        Draws the subsample, the folds and the probe's seed.
    estimator : classifier, default=None
        The probe; cloned, its ``random_state`` parameters seeded.
    n_splits : int, default=3
        Folds (fewer when a class has fewer rows, at least 2).

    Returns
    -------
    errors : dict
        Error rate of every class, by class label.
    """
    from ._el2n import _seeded, default_probe  # the one tabular probe

    tabular = (isinstance(X, np.ndarray) or sp.issparse(X)) and X.ndim == 2
    if estimator is None and not tabular:
        raise ValueError(
            f"class_balance='difficulty' measures per-class error rates with a "
            f"tabular probe, which cannot read `X` of type {type(X).__name__}. "
            f"Pass the rates yourself: class_balance={{class: error_rate, ...}}."
        )
    classes, codes = class_codes(y)
    n_samples = codes.shape[0]
    rows = np.arange(n_samples)
    if n_samples > MAX_PROBE_ROWS:
        rows = np.sort(rng.choice(n_samples, MAX_PROBE_ROWS, replace=False))
    sub_codes = codes[rows]
    smallest = int(np.bincount(sub_codes, minlength=classes.shape[0]).min())
    seed = draw_seed(rng)
    if smallest >= 2:
        cv = StratifiedKFold(min(n_splits, smallest), shuffle=True, random_state=seed)
    else:
        cv = KFold(n_splits, shuffle=True, random_state=seed)
    X_sub = take_rows(X, rows)
    base = default_probe(rows.shape[0]) if estimator is None else estimator
    wrong = np.zeros(rows.shape[0])
    for train, test in cv.split(np.zeros((rows.shape[0], 1)), sub_codes):
        probe = _seeded(clone(base), seed)
        with warnings.catch_warnings():
            if estimator is None:  # the default probe is stopped early on purpose
                warnings.simplefilter("ignore", ConvergenceWarning)
            probe.fit(take_rows(X_sub, train), sub_codes[train])
        wrong[test] = probe.predict(take_rows(X_sub, test)) != sub_codes[test]
    errors = class_error_rates(sub_codes, wrong, classes.shape[0])
    return dict(zip(classes.tolist(), errors.tolist()))

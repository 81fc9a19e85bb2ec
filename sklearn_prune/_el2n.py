"""EL2NPruner: error L2 norm of briefly trained probes, averaged over seeds."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed

from ._arrays import n_rows, take_rows
from ._compat import HasMethods, Interval
from ._docstring import fill_doc
from ._seeding import draw_seeds
from .base import BasePruner

__all__ = ["EL2NPruner"]


def default_probe(n_samples: int, *, sparse_input: bool = False):
    """The default tabular probe: standardise, then a one-hidden-layer MLP.

    Adam on mini-batches of 64 rows for 10 epochs only: EL2N is read early in
    training.
    """
    return make_pipeline(
        StandardScaler(with_mean=not sparse_input),
        MLPClassifier(
            hidden_layer_sizes=(256,), max_iter=10, batch_size=min(64, n_samples)
        ),
    )


def _seeded(estimator, seed: int):
    """Set every ``random_state`` of ``estimator``, nested ones too, to ``seed``."""
    keys = [
        key
        for key in estimator.get_params(deep=True)
        if key == "random_state" or key.endswith("__random_state")
    ]
    return estimator.set_params(**dict.fromkeys(keys, seed))


def _member_error_norms(estimator, X, y, classes, train, test, params, quiet):
    """Fit one probe on ``train`` rows and return EL2N of the ``test`` rows."""
    n = n_rows(X)
    fit_params = {
        k: take_rows(v, train) if hasattr(v, "__len__") and len(v) == n else v
        for k, v in params.items()
    }
    X_train = X if train is None else take_rows(X, train)
    y_train = y if train is None else y[train]
    with warnings.catch_warnings():
        if quiet:  # the default probe is stopped early on purpose
            warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X_train, y_train, **fit_params)
    X_test = X if test is None else take_rows(X, test)
    proba = np.asarray(estimator.predict_proba(X_test), dtype=np.float64)
    # columns of the member's classes_ -> columns of all classes
    full = np.zeros((proba.shape[0], classes.shape[0]))
    full[:, np.searchsorted(classes, estimator.classes_)] = proba
    codes = np.searchsorted(classes, y if test is None else y[test])
    full[np.arange(full.shape[0]), codes] -= 1.0
    return test, np.linalg.norm(full, axis=1)


@fill_doc
class EL2NPruner(BasePruner):
    """Score rows by the error L2 norm (EL2N) of briefly trained probes.

    EL2N (Paul, Ganguli and Dziugaite, 2021) is, for each row,
    ``|| softmax(f(x)) - onehot(y) ||_2`` for a probe ``f`` trained only
    briefly, averaged over an ensemble of probes with different seeds. Rows
    the probes still get wrong early in training (mislabelled or atypical
    rows) score highest.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    {{keep}}

    {{policy}}

    estimator : classifier with ``predict_proba``, default=None
        The probe. It is cloned for every ensemble member (never modified),
        and every ``random_state`` parameter of the clone (nested ones
        included) is set to a member seed drawn from ``random_state``. None
        uses a fast tabular probe: ``StandardScaler`` then an
        ``MLPClassifier`` with one hidden layer of 256 units trained for 10
        epochs on mini-batches of 64 rows (chosen by measurement against 64
        units and two layers of 128 or 256: see the User Guide). A probe
        of the capacity of the model trained on the kept rows, trained
        briefly, scores best. For
        images, see :class:`sklearn_prune.torch.ProbeClassifier`.

    n_estimators : int, default=5
        Number of probes (seeds) averaged. The paper averages 10.

    cv : int, cross-validation generator, iterable or None, default=None
        None trains every probe on all rows and scores the same rows, as in
        the paper. Otherwise scores are out-of-fold: each row is scored by
        probes that did not see it (see :func:`sklearn.model_selection.check_cv`;
        an int means stratified k-fold).

    {{class_balance}}

    {{random_state}}

    {{n_jobs}} Probes (members x folds) are fitted in parallel.

    Attributes
    ----------
    {{fitted}}

    classes_ : ndarray of shape (n_classes,)
        Class labels seen during fit.

    See Also
    --------
    PrototypePruner : Self-supervised difficulty, no labels needed.

    References
    ----------
    .. [1] Paul, Ganguli, Dziugaite. "Deep Learning on a Data Diet: Finding
       Important Examples Early in Training". NeurIPS 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_prune import EL2NPruner
    >>> X, y = make_classification(n_samples=200, flip_y=0, class_sep=2.0,
    ...                            random_state=0)
    >>> y_noisy = y.copy()
    >>> y_noisy[:10] = 1 - y_noisy[:10]          # flip ten labels
    >>> pruner = EL2NPruner(estimator=LogisticRegression(), keep=0.9,
    ...                     strategy="easy", random_state=0).fit(X, y_noisy)
    >>> int(np.sum(pruner.sample_indices_ < 10))  # flipped rows pruned away
    0
    """

    _parameter_constraints: dict = {
        **BasePruner._parameter_constraints,
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "cv": ["cv_object"],
        "n_jobs": [Integral, None],
    }
    _accept_sparse = ("csr", "csc")
    _takes_fit_params = True

    def __init__(
        self,
        *,
        keep=0.5,
        strategy="hard",
        drop_hardest=0.0,
        n_strata=50,
        estimator=None,
        n_estimators=5,
        cv=None,
        class_balance="auto",
        random_state=None,
        n_jobs=None,
    ):
        super().__init__(
            keep=keep,
            strategy=strategy,
            drop_hardest=drop_hardest,
            n_strata=n_strata,
            class_balance=class_balance,
            random_state=random_state,
        )
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.cv = cv
        self.n_jobs = n_jobs

    def _allow_nd(self) -> bool:
        return self.estimator is not None

    def _requires_y(self) -> bool:
        return True

    def _compute_scores(self, X, y, rng, **params):
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if self.classes_.shape[0] < 2:
            raise ValueError(
                f"EL2NPruner needs at least 2 classes in `y`; got 1 class "
                f"({self.classes_.tolist()})."
            )
        n_samples = n_rows(X)
        if self.estimator is None:
            base = default_probe(n_samples, sparse_input=sparse.issparse(X))
        else:
            base = self.estimator
        if self.cv is None:
            splits = [(None, None)]
        else:
            cv = check_cv(self.cv, y, classifier=True)
            splits = list(cv.split(np.zeros((n_samples, 1)), y))
        seeds = draw_seeds(rng, self.n_estimators)
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_member_error_norms)(
                _seeded(clone(base), int(seed)),
                X,
                y,
                self.classes_,
                train,
                test,
                params,
                self.estimator is None,
            )
            for seed in seeds
            for train, test in splits
        )
        total = np.zeros(n_samples)
        for test, norms in results:
            if test is None:
                total += norms
            else:
                total[test] += norms
        return total / self.n_estimators

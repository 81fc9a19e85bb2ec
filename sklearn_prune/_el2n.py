"""EL2NPruner: error L2 norm of briefly trained probes, averaged over seeds."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import time
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.sparsefuncs import mean_variance_axis, min_max_axis
from sklearn.utils.validation import check_is_fitted, validate_data

from ._arrays import cut_per_row, n_rows, take_rows
from ._compat import HasMethods, Interval, _fit_context, _routing_enabled
from ._label_noise import LabelNoiseMixin, fill_noise_doc
from ._seeding import draw_seeds
from ._selection import class_error_rates
from ._threads import limit_threads, threads_per_worker
from .base import BasePruner
from .exceptions import PruningWarning

__all__ = ["EL2NPruner"]


class ProbeScaler(TransformerMixin, BaseEstimator):
    """Scale every feature to unit variance, centring those far off zero.

    The default probe's scaling. Features are first divided by their largest
    magnitude (so that scales such as 1e-200 or 1e200 do not underflow or
    overflow the variance), then every feature whose mean exceeds
    ``offset_ratio`` standard deviations is centred (an offset of 10,000 on
    a spread of 1 would otherwise leave the probe nothing to learn), and all
    are scaled to unit variance. Dense and sparse copies of the same data are
    transformed alike: a column of a sparse matrix that far off zero is at
    least 90% non-zero (for ``offset_ratio=3``), so centring it costs little
    memory, and the other columns stay sparse.

    Parameters
    ----------
    offset_ratio : float, default=3.0
        A feature is centred when ``|mean| > offset_ratio * std``.

    Attributes
    ----------
    max_abs_ : ndarray of shape (n_features,)
        Largest magnitude of each feature (1 for all-zero features).
    offset_ : ndarray of shape (n_features,)
        Mean subtracted from each feature after division by ``max_abs_`` (0
        for the features not centred).
    scale_ : ndarray of shape (n_features,)
        Standard deviation each feature is divided by last (1 for constant
        features).
    n_features_in_ : int
        Number of features seen during :term:`fit`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune._el2n import ProbeScaler
    >>> X = np.array([[10000.0, 0.0], [10001.0, 2.0], [10002.0, 0.0]])
    >>> ProbeScaler().fit_transform(X).round(3)
    array([[-1.225,  0.   ],
           [ 0.   ,  2.121],
           [ 1.225,  0.   ]])
    """

    _parameter_constraints: dict = {
        "offset_ratio": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, *, offset_ratio=3.0):
        self.offset_ratio = offset_ratio

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn each feature's magnitude, offset and spread.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows.
        y : None
            Ignored.

        Returns
        -------
        self : ProbeScaler
            The fitted scaler.
        """
        X = validate_data(
            self, X, accept_sparse=("csr", "csc"), dtype=[np.float64, np.float32]
        )
        if sp.issparse(X):
            low, high = min_max_axis(X, axis=0)
        else:
            low, high = X.min(axis=0), X.max(axis=0)
        max_abs = np.maximum(np.abs(low), np.abs(high)).astype(np.float64)
        self.max_abs_ = np.where(max_abs > 0, max_abs, 1.0)
        unit = self._divide(X, self.max_abs_)
        if sp.issparse(unit):
            mean, var = mean_variance_axis(unit.astype(np.float64), axis=0)
        else:
            mean = unit.mean(axis=0, dtype=np.float64)
            var = unit.var(axis=0, dtype=np.float64)
        std = np.sqrt(np.maximum(var, 0.0))
        centred = np.abs(mean) > self.offset_ratio * std
        self.offset_ = np.where(centred, mean, 0.0)
        # below a few rounding errors of X's dtype, a feature is constant
        self.scale_ = np.where(std > 10 * np.finfo(X.dtype).eps, std, 1.0)
        return self

    def transform(self, X):
        """Scale (and centre far-off) features as learnt in :meth:`fit`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to transform; not modified.

        Returns
        -------
        X_scaled : {ndarray, sparse matrix} of shape (n_samples, n_features)
            A new array (sparse input stays sparse, in CSR format).
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=("csr", "csc"),
            dtype=[np.float64, np.float32],
            reset=False,
        )
        X = self._divide(X, self.max_abs_)
        if sp.issparse(X):
            X = self._subtract_sparse(X, self.offset_)
        else:
            X -= self.offset_.astype(X.dtype)
        return self._divide(X, self.scale_, copy=False)

    @staticmethod
    def _divide(X, by, copy=True):
        """``X`` with column j divided by ``by[j]``, alike dense or sparse."""
        if not sp.issparse(X):
            return np.divide(X, by.astype(X.dtype), out=None if copy else X)
        X = X.tocsc(copy=copy)
        columns = np.repeat(np.arange(X.shape[1]), np.diff(X.indptr))
        X.data /= by.astype(X.dtype)[columns]
        return X

    @staticmethod
    def _subtract_sparse(X, offset):
        """``X - offset`` for the columns with a non-zero offset, still sparse."""
        centred = np.flatnonzero(offset)
        if centred.size == 0:
            return X.tocsr()
        n = X.shape[0]
        counts = np.zeros(X.shape[1], dtype=np.int64)
        counts[centred] = n
        shift = sp.csc_matrix(
            (
                np.repeat(-offset[centred], n).astype(X.dtype),
                np.tile(np.arange(n), centred.size),
                np.concatenate([[0], np.cumsum(counts)]),
            ),
            shape=X.shape,
        )
        return (X + shift).tocsr()


def default_probe(n_samples: int):
    """The default tabular probe: scale features, then a one-hidden-layer MLP.

    Features are scaled to unit variance by :class:`ProbeScaler`, which
    centres only the features whose offset dwarfs their spread: dense and
    sparse copies of the same data are scaled alike, so they keep the same
    rows. Adam on mini-batches of 64 rows for 10 epochs only: EL2N is read
    early in training.
    """
    return make_pipeline(
        ProbeScaler(),
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


def _member_error_norms(
    estimator, X, y, classes, train, test, fit_params, quiet, n_threads
):
    """Fit one probe on ``train`` rows; EL2N and probabilities of the ``test`` rows.

    ``train`` or ``test`` None means all rows. Per-row fit parameters
    (``sample_weight``) are cut to the training rows. The probe runs
    ``n_threads`` BLAS/OpenMP threads.
    """
    if train is None:
        X_train, y_train = X, y
    else:
        X_train, y_train = take_rows(X, train), y[train]
        fit_params = cut_per_row(fit_params, train, n_rows(X))
    X_test = X if test is None else take_rows(X, test)
    with warnings.catch_warnings(), limit_threads(n_threads):
        if quiet:  # the default probe is stopped early on purpose
            warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X_train, y_train, **fit_params)
        proba = np.asarray(estimator.predict_proba(X_test), dtype=np.float64)
    _check_probabilities(estimator, proba, classes, n_rows(X_test))
    # columns of the member's classes_ -> columns of all classes
    full = np.zeros((proba.shape[0], classes.shape[0]))
    full[:, np.searchsorted(classes, estimator.classes_)] = proba
    codes = np.searchsorted(classes, y if test is None else y[test])
    error = full.copy()
    error[np.arange(full.shape[0]), codes] -= 1.0
    return test, np.linalg.norm(error, axis=1), full


#: how far a probability row may sum from 1 (float32 softmax is ~1e-6 off)
_PROBA_TOL = 1e-3


def _check_probabilities(estimator, proba, classes, n_test: int) -> None:
    """Raise a ValueError naming ``estimator`` unless ``proba`` is a probability table.

    One row per test row, one column per label of the probe's ``classes_``,
    labels that ``y`` has, entries in [0, 1] summing to 1 (EL2N is bounded
    by sqrt(2) only for probabilities).
    """
    name = type(estimator).__name__
    fitted = getattr(estimator, "classes_", None)
    if fitted is None:
        raise ValueError(
            f"`estimator` ({name}) has no `classes_` after fit: EL2N needs it to "
            f"know which label each column of predict_proba is."
        )
    fitted = np.asarray(fitted)
    if proba.ndim != 2 or proba.shape != (n_test, fitted.shape[0]):
        raise ValueError(
            f"`estimator` ({name}).predict_proba returned shape {proba.shape} for "
            f"{n_test} rows, but its classes_ has {fitted.shape[0]} labels: it "
            f"must return one column per label of classes_, in that order."
        )
    unknown = np.setdiff1d(fitted, classes)
    if unknown.size or np.unique(fitted).shape[0] != fitted.shape[0]:
        raise ValueError(
            f"`estimator` ({name}) has classes_ {fitted.tolist()}, but y's labels "
            f"are {classes.tolist()}: the probe must be fitted on y's labels "
            f"(each once), e.g. a classifier's own fit(X, y)."
        )
    sums = proba.sum(axis=1)
    bad = np.flatnonzero(
        (np.abs(sums - 1.0) > _PROBA_TOL)
        | np.any(proba < -_PROBA_TOL, axis=1)
        | ~np.all(np.isfinite(proba), axis=1)
    )
    if bad.size:
        raise ValueError(
            f"`estimator` ({name}).predict_proba must return probabilities "
            f"(entries in [0, 1], each row summing to 1); row {bad[0]} is "
            f"{np.round(proba[bad[0]], 4).tolist()} (sum {sums[bad[0]]:.4g}), and "
            f"{bad.size} row(s) in all are not. Normalise its outputs (softmax), "
            f"or wrap it in sklearn.calibration.CalibratedClassifierCV."
        )


@fill_noise_doc("the probes' mean probabilities (out-of-fold with ``cv``)")
class EL2NPruner(LabelNoiseMixin, BasePruner):
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
        uses a fast tabular probe: features scaled to unit variance (after
        division by their largest magnitude, so that any scale works), the
        features whose mean exceeds 3 standard deviations centred, dense and
        sparse copies of the same data alike so that they keep the same
        rows; then an ``MLPClassifier`` with one hidden layer of 256
        units trained for 10 epochs on mini-batches of 64 rows (chosen by
        measurement against 64 units and two layers of 128 or 256: see the
        User Guide). A probe of the capacity of the model trained on the
        kept rows, trained briefly, scores best. For images, see
        :class:`sklearn_prune.torch.ProbeClassifier`.

    n_estimators : int, default=5
        Number of probes (seeds) averaged. The paper averages 10.

    cv : int, cross-validation generator, iterable or None, default=None
        None trains every probe on all rows and scores the same rows, as in
        the paper. Otherwise scores are out-of-fold: each row is scored by
        probes that did not see it (see :func:`sklearn.model_selection.check_cv`;
        an int means stratified k-fold). A row's score is the mean over every
        time it was tested, so splits that test rows several times
        (``RepeatedStratifiedKFold``) are averaged; splits that leave a row
        out of every test fold (such as a ``ShuffleSplit`` with few splits)
        raise a ``ValueError``.
        Splitters that need ``groups`` (``GroupKFold``) get them from
        ``fit(X, y, groups=groups)``. A training fold that lacks a class
        raises a :class:`~sklearn_prune.exceptions.PruningWarning`: its
        probes cannot predict that class, so the class's test rows look
        maximally hard.

    {{noise}}

    {{class_balance}}

    {{random_state}}

    {{n_jobs}}
        Probes (members x folds) are fitted in parallel. The default probe
        runs one BLAS/OpenMP thread per worker (a small model gains nothing
        from more, and loses much on a busy machine); a probe given as
        ``estimator`` runs at most ``cores // n_jobs`` threads per worker, so
        that workers x threads never exceed the cores.

    verbose : int, default=0
        Print the ensemble's progress (one line per fitted probe, with the
        time elapsed) when > 0.

    Attributes
    ----------
    {{fitted}}

    classes_ : ndarray of shape (n_classes,)
        Class labels seen during fit.

    {{noise_attrs}}

    Notes
    -----
    ``y`` holds class labels, or one-hot rows (the probes are then trained on
    the column of each row's one, and ``classes_`` holds column indices).

    Metadata for the probe's ``fit`` (such as ``sample_weight``) is passed as
    ``fit(X, y, sample_weight=w)``; per-row values are cut to each training
    fold when ``cv`` is set. Without metadata routing, every parameter but
    ``groups`` goes to the probe's ``fit`` and ``groups`` goes to the ``cv``
    splitter. With ``sklearn.set_config(enable_metadata_routing=True)``,
    parameters go where the probe and the splitter request them (e.g.
    ``estimator=LogisticRegression().set_fit_request(sample_weight=True)``),
    as in scikit-learn's meta-estimators; see :meth:`get_metadata_routing`.

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
        **LabelNoiseMixin._noise_constraints,
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "cv": ["cv_object"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # a torch probe (estimator) takes images and tensors
        tags.input_tags.three_d_array = self.estimator is not None
        tags.target_tags.required = True
        return tags

    def __init__(
        self,
        *,
        keep=0.5,
        strategy="stratified",
        drop_hardest="auto",
        n_strata=50,
        estimator=None,
        n_estimators=5,
        cv=None,
        drop_mislabeled=False,
        pred_probs=None,
        label_noise="predicted_neq_given",
        class_balance="auto",
        random_state=None,
        n_jobs=None,
        verbose=0,
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
        self.drop_mislabeled = drop_mislabeled
        self.pred_probs = pred_probs
        self.label_noise = label_noise
        self.n_jobs = n_jobs
        self.verbose = verbose

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        ``fit``'s metadata goes to the probe's ``fit`` and, when ``cv`` is
        set, to the splitter's ``split`` (``groups``), where they request it
        (see scikit-learn's metadata routing user guide).

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter`
            encapsulating routing information.
        """
        router = MetadataRouter(owner=type(self).__name__).add(
            estimator=self._probe(n_samples=64),
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )
        if self.cv is not None:
            router.add(
                splitter=check_cv(self.cv),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        return router

    def _uninformative_hint(self) -> str:
        return (
            "the probes learned almost nothing from X and y (labels unrelated "
            "to X, features of wildly different scales, or a probe too weak or "
            "stopped too early for this data); check y, scale X, or pass a "
            "stronger `estimator`"
        )

    def _probe(self, n_samples: int):
        return default_probe(n_samples) if self.estimator is None else self.estimator

    def _route_fit_params(self, params):
        if self.estimator is None and set(params) - {"groups"}:
            raise ValueError(
                f"EL2NPruner's default probe (estimator=None: a scaler and an "
                f"MLPClassifier) takes no fit parameters, but fit got "
                f"{sorted(set(params) - {'groups'})}. Pass a probe whose fit "
                f"accepts them, e.g. EL2NPruner(estimator=LogisticRegression()) "
                f"for sample_weight."
            )
        if _routing_enabled():
            routed = process_routing(self, "fit", **params)
            fit_params = routed.estimator.fit
            split_params = {} if self.cv is None else routed.splitter.split
        else:
            fit_params = dict(params)
            groups = fit_params.pop("groups", None)
            split_params = {} if groups is None else {"groups": groups}
        if split_params and self.cv is None:
            raise ValueError(
                f"EL2NPruner.fit got {sorted(split_params)} for the cv splitter, "
                f"but cv=None: there is no splitter. Set `cv` (e.g. "
                f"cv=GroupKFold(5)) or drop them."
            )
        return {"fit_params": dict(fit_params), "split_params": split_params}

    def _compute_scores(self, X, y, rng, *, fit_params, split_params):
        y = self._class_labels(y)
        self.classes_ = np.unique(y)
        if self.classes_.shape[0] < 2:
            raise ValueError(
                f"EL2NPruner needs at least 2 classes in `y`; got 1 class "
                f"({self.classes_.tolist()})."
            )
        n_samples = n_rows(X)
        splits = self._splits(n_samples, y, split_params)
        seeds = draw_seeds(rng, self.n_estimators)
        base = self._probe(n_samples)
        n_threads = threads_per_worker(self.n_jobs, small=self.estimator is None)
        tasks = [(int(seed), train, test) for seed in seeds for train, test in splits]
        results = Parallel(n_jobs=self.n_jobs, return_as="generator")(
            delayed(_member_error_norms)(
                _seeded(clone(base), seed),
                X,
                y,
                self.classes_,
                train,
                test,
                fit_params,
                self.estimator is None,
                n_threads,
            )
            for seed, train, test in tasks
        )
        total, times_tested = np.zeros(n_samples), np.zeros(n_samples)
        proba = np.zeros((n_samples, self.classes_.shape[0]))
        start = time.perf_counter()
        for done, (test, norms, member_proba) in enumerate(results, start=1):
            rows = slice(None) if test is None else test
            np.add.at(total, rows, norms)
            np.add.at(times_tested, rows, 1.0)
            np.add.at(proba, rows, member_proba)
            if self.verbose:
                member, fold = divmod(done - 1, len(splits))
                where = "" if self.cv is None else f", fold {fold + 1}/{len(splits)}"
                print(
                    f"[EL2NPruner] probe {done}/{len(tasks)} fitted (member "
                    f"{member + 1}/{self.n_estimators}{where}); "
                    f"{time.perf_counter() - start:.1f} s elapsed",
                    flush=True,
                )
        # the probes' mean probabilities: label noise (out-of-fold with cv)
        self._noise_proba = proba / times_tested[:, None]
        return total / times_tested

    def _class_error_rates(self, X, y, rng):
        """Per-class error rates: the probes' own out-of-fold mistakes with ``cv``.

        Without ``cv`` the probes saw every row they scored, so a cheap
        cross-validated run of the same probe measures the errors instead.
        """
        if self.cv is None:
            from ._class_errors import probe_class_errors

            return probe_class_errors(X, self._class_labels(y), rng, self.estimator)
        # the ensemble's out-of-fold mistakes (its mean probabilities)
        codes = np.searchsorted(self.classes_, self._class_labels(y))
        wrong = np.argmax(self._noise_proba, axis=1) != codes
        errors = class_error_rates(codes, wrong, self.classes_.shape[0])
        return dict(zip(self.classes_.tolist(), errors.tolist()))

    @staticmethod
    def _class_labels(y):
        """One class label per row: ``y`` itself, or the columns of one-hot rows."""
        if np.ndim(y) == 2:
            if type_of_target(y, input_name="y") != "multilabel-indicator" or not (
                np.all(np.count_nonzero(y, axis=1) == 1)
            ):
                raise ValueError(
                    f"EL2NPruner needs one class per row: `y` of shape "
                    f"{np.shape(y)} is neither class labels nor one-hot rows. "
                    f"Multilabel and multioutput targets are not supported."
                )
            return np.argmax(y != 0, axis=1)
        check_classification_targets(y)
        return y

    def _splits(self, n_samples, y, split_params):
        """The (train, test) splits: one of all rows when ``cv`` is None."""
        if self.cv is None:
            return [(None, None)]
        cv = check_cv(self.cv, y, classifier=True)
        splits = list(cv.split(np.zeros((n_samples, 1)), y, **split_params))
        times_tested = np.zeros(n_samples, dtype=np.int64)
        for _, test in splits:
            np.add.at(times_tested, test, 1)
        untested = np.flatnonzero(times_tested == 0)
        if untested.size:
            raise ValueError(
                f"cv={self.cv!r} leaves {untested.size} of {n_samples} rows out "
                f"of every test fold (rows {untested[:5].tolist()}"
                f"{', ...' if untested.size > 5 else ''}), so they would get no "
                f"out-of-fold score. Use splits whose test folds cover every row "
                f"(KFold, StratifiedKFold, GroupKFold; rows tested several times, "
                f"as by RepeatedStratifiedKFold, are averaged)."
            )
        lacking = {
            i: np.setdiff1d(self.classes_, y[train]).tolist()
            for i, (train, _) in enumerate(splits)
        }
        lacking = {i: missing for i, missing in lacking.items() if missing}
        if lacking:
            folds = ", ".join(
                f"fold {i + 1} lacks {missing}" for i, missing in lacking.items()
            )
            warnings.warn(
                f"Training folds of cv={self.cv!r} lack classes ({folds}): their "
                f"probes cannot predict those classes, so the test rows of those "
                f"classes score as hard as possible. Use stratified folds (an int "
                f"cv means StratifiedKFold).",
                PruningWarning,
                stacklevel=5,  # _splits, _compute_scores, fit, _fit_context, caller
            )
        return splits

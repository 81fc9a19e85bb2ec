"""EL2NPruner: error L2 norm of briefly trained probes, averaged over seeds."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import time
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.parallel import Parallel, delayed

from ._arrays import cut_per_row, n_rows, take_rows
from ._compat import HasMethods, Interval, _routing_enabled
from ._docstring import fill_doc
from ._seeding import draw_seeds
from ._selection import class_error_rates
from .base import BasePruner
from .exceptions import PruningWarning

__all__ = ["EL2NPruner"]


def default_probe(n_samples: int):
    """The default tabular probe: scale features, then a one-hidden-layer MLP.

    Features are scaled to unit variance without being centred, the one
    standardisation that a sparse matrix allows: dense and sparse copies of
    the same data are scaled alike, so they keep the same rows. Adam on
    mini-batches of 64 rows for 10 epochs only: EL2N is read early in
    training.
    """
    return make_pipeline(
        StandardScaler(with_mean=False),
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


def _member_error_norms(estimator, X, y, classes, train, test, fit_params, quiet):
    """Fit one probe on ``train`` rows; EL2N of the ``test`` rows and its mistakes.

    ``train`` or ``test`` None means all rows. Per-row fit parameters
    (``sample_weight``) are cut to the training rows.
    """
    if train is None:
        X_train, y_train = X, y
    else:
        X_train, y_train = take_rows(X, train), y[train]
        fit_params = cut_per_row(fit_params, train, n_rows(X))
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
    wrong = np.argmax(full, axis=1) != codes
    full[np.arange(full.shape[0]), codes] -= 1.0
    return test, np.linalg.norm(full, axis=1), wrong


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
        uses a fast tabular probe: ``StandardScaler(with_mean=False)`` (unit
        variance without centring, so that dense and sparse copies of the
        same data keep the same rows; centre data with large offsets
        yourself) then an ``MLPClassifier`` with one hidden layer of 256
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

    {{class_balance}}

    {{random_state}}

    {{n_jobs}} Probes (members x folds) are fitted in parallel.

    verbose : int, default=0
        Print the ensemble's progress (one line per fitted probe, with the
        time elapsed) when > 0.

    Attributes
    ----------
    {{fitted}}

    classes_ : ndarray of shape (n_classes,)
        Class labels seen during fit.

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
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "cv": ["cv_object"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }
    _accept_sparse = ("csr", "csc")

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
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _allow_nd(self) -> bool:
        return self.estimator is not None

    def _requires_y(self) -> bool:
        return True

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

    def _probe(self, n_samples: int):
        return default_probe(n_samples) if self.estimator is None else self.estimator

    def _route_fit_params(self, params):
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
            )
            for seed, train, test in tasks
        )
        total, times_tested = np.zeros(n_samples), np.zeros(n_samples)
        wrong = np.zeros(n_samples)
        start = time.perf_counter()
        for done, (test, norms, mistakes) in enumerate(results, start=1):
            rows = slice(None) if test is None else test
            np.add.at(total, rows, norms)
            np.add.at(wrong, rows, mistakes)
            np.add.at(times_tested, rows, 1.0)
            if self.verbose:
                member, fold = divmod(done - 1, len(splits))
                where = "" if self.cv is None else f", fold {fold + 1}/{len(splits)}"
                print(
                    f"[EL2NPruner] probe {done}/{len(tasks)} fitted (member "
                    f"{member + 1}/{self.n_estimators}{where}); "
                    f"{time.perf_counter() - start:.1f} s elapsed",
                    flush=True,
                )
        # out-of-fold mistakes (with cv) serve the difficulty quota for free
        self._held_out_wrong = None if self.cv is None else wrong / times_tested
        return total / times_tested

    def _class_error_rates(self, X, y, rng):
        """Per-class error rates: the probes' own out-of-fold mistakes with ``cv``.

        Without ``cv`` the probes saw every row they scored, so a cheap
        cross-validated run of the same probe measures the errors instead.
        """
        if self._held_out_wrong is None:
            from ._class_errors import probe_class_errors

            return probe_class_errors(X, self._class_labels(y), rng, self.estimator)
        codes = np.searchsorted(self.classes_, self._class_labels(y))
        errors = class_error_rates(codes, self._held_out_wrong, self.classes_.shape[0])
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

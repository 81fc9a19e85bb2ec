"""Pruners scored by training dynamics: one training run, recorded."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline as SkPipeline
from sklearn.utils.multiclass import check_classification_targets

from ._arrays import n_rows
from ._compat import HasMethods, Interval, StrOptions
from ._el2n import _seeded, default_probe
from ._label_noise import LabelNoiseMixin, fill_noise_doc
from ._seeding import draw_seed
from ._selection import class_codes
from ._training_dynamics import SCORES, TrainingDynamics
from .base import BasePruner

__all__ = ["RecordedDynamicsPruner", "TrainingDynamicsPruner"]


#: rows per inference call: a hidden layer of a few hundred units stays in
#: cache (measured about 30% faster than one call on 20,000 rows)
_INFERENCE_ROWS = 2048


def _as_logits(estimator, X) -> np.ndarray:
    """The outputs of a fitted classifier as logits, one column per class."""
    n = n_rows(X)
    if n > _INFERENCE_ROWS:
        return np.concatenate(
            [
                _as_logits(estimator, X[start : start + _INFERENCE_ROWS])
                for start in range(0, n, _INFERENCE_ROWS)
            ]
        )
    if hasattr(estimator, "decision_function"):
        scores = np.asarray(estimator.decision_function(X), dtype=np.float64)
        if scores.ndim == 1:  # binary: the log-odds of the second class
            return np.column_stack([np.zeros_like(scores), scores])
        return scores
    proba = np.asarray(estimator.predict_proba(X), dtype=np.float64)
    return np.log(np.maximum(proba, np.finfo(np.float64).tiny))


def _staged_logits(estimator, X):
    if hasattr(estimator, "staged_decision_function"):
        for scores in estimator.staged_decision_function(X):
            scores = np.asarray(scores, dtype=np.float64)
            if scores.ndim == 1 or scores.shape[1] == 1:
                scores = scores.reshape(-1)
                yield np.column_stack([np.zeros_like(scores), scores])
            else:
                yield scores
    else:
        for proba in estimator.staged_predict_proba(X):
            yield np.log(np.maximum(np.asarray(proba, dtype=np.float64), 1e-300))


def training_mode(estimator) -> str:
    """How a classifier is trained epoch by epoch: its final step decides."""
    last = estimator[-1] if isinstance(estimator, SkPipeline) else estimator
    if hasattr(last, "partial_fit"):
        return "partial_fit"
    if hasattr(last, "staged_decision_function") or hasattr(
        last, "staged_predict_proba"
    ):
        return "staged"
    params = last.get_params()
    if "warm_start" in params and ("max_iter" in params or "n_estimators" in params):
        return "warm_start"
    raise ValueError(
        f"`estimator` {type(last).__name__} cannot be trained epoch by epoch: it "
        f"needs partial_fit (SGDClassifier, MLPClassifier), staged predictions "
        f"(gradient boosting) or a warm_start parameter with max_iter or "
        f"n_estimators."
    )


def _trajectory(estimator, X, y, classes, n_epochs):
    """Train ``estimator`` and yield its logits on every row after each epoch."""
    mode = training_mode(estimator)
    if isinstance(estimator, SkPipeline) and mode != "staged":
        # transformers are fitted once; the final step is trained epoch by epoch
        X = estimator[:-1].fit_transform(X, y)
        estimator = estimator[-1]
    if mode == "partial_fit":
        for _ in range(n_epochs):
            estimator.partial_fit(X, y, classes=classes)
            yield _as_logits(estimator, X)
    elif mode == "staged":
        estimator.fit(X, y)
        if isinstance(estimator, SkPipeline):
            X = estimator[:-1].transform(X)
            estimator = estimator[-1]
        yield from _staged_logits(estimator, X)
    else:
        params = estimator.get_params()
        if "max_iter" in params:
            steps = [{"max_iter": 1}] * n_epochs
        else:
            per = max(1, params["n_estimators"] // n_epochs)
            steps = [{"n_estimators": per * (k + 1)} for k in range(n_epochs)]
        estimator.set_params(warm_start=True)
        for step in steps:
            estimator.set_params(**step).fit(X, y)
            yield _as_logits(estimator, X)


@fill_noise_doc("the mean probabilities recorded in training")
class TrainingDynamicsPruner(LabelNoiseMixin, BasePruner):
    """Score rows by how one training run of a classifier treats them.

    The classifier is trained for ``n_epochs`` epochs (``partial_fit``;
    ``warm_start`` one iteration at a time; or the stages of a boosting
    model) and, after every epoch, its outputs on every row are recorded by
    a :class:`TrainingDynamics`. The score is one of the training-dynamics
    scores: the area under the margin (default), forgetting events, dataset
    cartography's confidence or variability, TDDS, or EL2N at an epoch.
    The same recording estimates which labels are wrong (confident learning
    on the mean recorded probabilities, or on your ``pred_probs``), so the
    suspected rows can be removed before the policy runs.

    Read more in the :ref:`User Guide <ug_dynamics>`.

    Parameters
    ----------
    {{keep}}

    {{policy}}

    estimator : classifier, default=None
        The model trained (cloned; every ``random_state``, nested ones
        included, set to a seed drawn from ``random_state``). It needs
        ``partial_fit``, staged predictions or a ``warm_start`` parameter
        (with ``max_iter``, or ``n_estimators`` grown by an equal share each
        epoch); in a scikit-learn Pipeline the transformers are fitted once
        and the final step is trained epoch by epoch. Outputs are read from
        ``decision_function`` (logits), else as ``log(predict_proba)``.
        None uses the EL2N default probe (``StandardScaler(with_mean=False)``
        then an ``MLPClassifier`` with 256 hidden units, mini-batches of 64).

    metric : {"aum", "forgetting", "confidence", "variability", "tdds", "el2n"}, \
default="aum"
        The difficulty score (higher = harder); see :class:`TrainingDynamics`.

    n_epochs : int, default=10
        Epochs of training (records of every row). Staged models record
        every stage instead.

    tdds_window : int, default=5
        TDDS's window in epochs (used with ``metric="tdds"``; at most
        ``n_epochs``).

    el2n_epoch : int or "last", default="last"
        Epoch at which EL2N is read (used with ``metric="el2n"``).

    {{noise}}

    {{class_balance}}

    {{random_state}}

    Attributes
    ----------
    {{fitted}}

    classes_ : ndarray of shape (n_classes,)
        Class labels seen during fit.

    recorder_ : TrainingDynamics
        The recording, to read the other scores (``recorder_.score(name)``)
        and the mean probabilities.

    training_ : str
        How the estimator was trained: "partial_fit", "staged" or
        "warm_start".

    {{noise_attrs}}

    See Also
    --------
    RecordedDynamicsPruner : The same scores from your own training loop.
    EL2NPruner : Scores from an ensemble of briefly trained probes.

    Notes
    -----
    Rows are recorded after each epoch, on the whole training set, rather
    than per mini-batch while training (Toneva et al.): one extra pass of
    inference per epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_prune import TrainingDynamicsPruner
    >>> X, y = make_classification(n_samples=300, class_sep=2.0, flip_y=0,
    ...                            random_state=0)
    >>> y_noisy = y.copy()
    >>> y_noisy[:15] = 1 - y_noisy[:15]          # flip 15 labels
    >>> pruner = TrainingDynamicsPruner(
    ...     estimator=SGDClassifier(loss="log_loss"), keep=0.5, strategy="easy",
    ...     drop_mislabeled=True, random_state=0).fit(X, y_noisy)
    >>> int(pruner.label_issues_[:15].sum()), int(np.sum(pruner.sample_indices_ < 15))
    (15, 0)
    """

    _parameter_constraints: dict = {
        **BasePruner._parameter_constraints,
        **LabelNoiseMixin._noise_constraints,
        "estimator": [HasMethods(["fit"]), None],
        "metric": [StrOptions(set(SCORES))],
        "n_epochs": [Interval(Integral, 1, None, closed="left")],
        "tdds_window": [Interval(Integral, 2, None, closed="left")],
        "el2n_epoch": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"last"}),
        ],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
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
        metric="aum",
        n_epochs=10,
        tdds_window=5,
        el2n_epoch="last",
        drop_mislabeled=False,
        pred_probs=None,
        label_noise="predicted_neq_given",
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
        self.estimator = estimator
        self.metric = metric
        self.n_epochs = n_epochs
        self.tdds_window = tdds_window
        self.el2n_epoch = el2n_epoch
        self.drop_mislabeled = drop_mislabeled
        self.pred_probs = pred_probs
        self.label_noise = label_noise

    def _compute_scores(self, X, y, rng, **params):
        if np.ndim(y) == 1:
            check_classification_targets(y)
        classes, codes = class_codes(y)
        if classes.shape[0] < 2:
            raise ValueError(
                f"TrainingDynamicsPruner needs at least 2 classes in `y`; got 1 "
                f"class ({classes.tolist()})."
            )
        self.classes_ = classes
        n_samples = n_rows(X)
        base = default_probe(n_samples) if self.estimator is None else self.estimator
        estimator = _seeded(clone(base), draw_seed(rng))
        self.training_ = training_mode(estimator)
        recorder = TrainingDynamics(
            n_samples,
            classes.shape[0],
            tdds_window=self.tdds_window if self.metric == "tdds" else None,
            el2n_epoch=self.el2n_epoch if self.metric == "el2n" else None,
            keep_proba=True,
        )
        rows = np.arange(n_samples)
        y_fit = classes[codes] if np.ndim(y) == 1 else codes
        with warnings.catch_warnings():
            # training stops early on purpose: scores are read from a short run
            warnings.simplefilter("ignore", ConvergenceWarning)
            for logits in _trajectory(estimator, X, y_fit, classes, self.n_epochs):
                recorder.update(rows, logits, codes)
        self.recorder_ = recorder
        self._noise_proba = recorder.mean_proba()
        return recorder.score(self.metric)


@fill_noise_doc("the recorder's mean probabilities (``keep_proba=True``)")
class RecordedDynamicsPruner(LabelNoiseMixin, BasePruner):
    """Prune with a training-dynamics score recorded by your own training loop.

    Fill a :class:`TrainingDynamics` from any loop (torch, JAX, a
    scikit-learn ``partial_fit`` loop) with ``recorder.update(indices,
    logits, labels)``, then prune the same rows with it: the recorder's rows
    are the rows of ``X``, in order, and ``X`` itself is never read (any
    rows: arrays, tensors, text, file names).

    Read more in the :ref:`User Guide <ug_dynamics>`.

    Parameters
    ----------
    recorder : TrainingDynamics
        The filled recorder; one record per row at least.

    metric : {"aum", "forgetting", "confidence", "variability", "tdds", "el2n"}, \
default="aum"
        The difficulty score (higher = harder); see :class:`TrainingDynamics`.

    {{keep}}

    {{policy}}

    {{noise}}

    {{class_balance}}

    {{random_state}}

    Attributes
    ----------
    {{fitted}}

    {{noise_attrs}}

    See Also
    --------
    TrainingDynamicsPruner : Trains a scikit-learn classifier and records it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune import RecordedDynamicsPruner, TrainingDynamics
    >>> rng = np.random.RandomState(0)
    >>> y = np.arange(100) % 2
    >>> rec = TrainingDynamics(n_samples=100, n_classes=2)
    >>> for epoch in range(5):            # your own training loop
    ...     for batch in np.array_split(rng.permutation(100), 4):
    ...         logits = rng.normal(size=(batch.size, 2)) + 3 * np.eye(2)[y[batch]]
    ...         rec.update(batch, logits, y[batch])
    >>> X = np.zeros((100, 1))
    >>> pruner = RecordedDynamicsPruner(recorder=rec, keep=10).fit(X, y)
    >>> pruner.sample_indices_.shape
    (10,)
    """

    _parameter_constraints: dict = {
        **BasePruner._parameter_constraints,
        **LabelNoiseMixin._noise_constraints,
        "recorder": [HasMethods(["update", "score"])],
        "metric": [StrOptions(set(SCORES))],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # rows are never looked at: any rows (sparse, images) are pruned
        tags.input_tags.sparse = True
        tags.input_tags.three_d_array = True
        return tags

    def _accepts_text(self) -> bool:
        return True  # text rows too, as ScorePruner

    def __init__(
        self,
        *,
        recorder,
        metric="aum",
        keep=0.5,
        strategy="stratified",
        drop_hardest="auto",
        n_strata=50,
        drop_mislabeled=False,
        pred_probs=None,
        label_noise="predicted_neq_given",
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
        self.recorder = recorder
        self.metric = metric
        self.drop_mislabeled = drop_mislabeled
        self.pred_probs = pred_probs
        self.label_noise = label_noise

    def _compute_scores(self, X, y, rng, **params):
        n_samples = n_rows(X)
        recorded = self.recorder.n_samples
        if recorded != n_samples:
            raise ValueError(
                f"`recorder` holds {recorded} rows but X has {n_samples}; prune "
                f"the rows that were recorded, in the same order."
            )
        # label noise only where asked for: the recorder's classes are the user's
        keeps = getattr(self.recorder, "keep_proba", False) and self._needs_noise()
        self._noise_proba = self.recorder.mean_proba() if keeps else None
        return self.recorder.score(self.metric)

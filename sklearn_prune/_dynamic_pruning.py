"""Dynamic pruning during training: InfoBatch's rule and RS2, for any trainer.

The rule decides, epoch by epoch, which rows a training run visits and by
how much each visited row's loss is scaled. It is a pure function of the
rows' last losses, the epoch and a seed (:func:`plan_epoch`), shared by the
torch sampler (:class:`sklearn_prune.torch.DynamicPruningSampler`) and the
scikit-learn meta-estimator :class:`DynamicPruningClassifier`.

Dynamic pruning is not a pruner: it never hands back a smaller data set, it
trains (see the design notes).
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import copy
import math
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import Perceptron, SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import (
    BernoulliNB,
    CategoricalNB,
    ComplementNB,
    GaussianNB,
    MultinomialNB,
)
from sklearn.neural_network import MLPClassifier
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._compat import (
    Fraction,
    HasMethods,
    Interval,
    StrOptions,
    _fit_context,
    _safe_indexing,
)
from ._el2n import _seeded
from ._seeding import draw_seed
from ._selection import n_kept

__all__ = ["DynamicPruningClassifier", "EpochPlan", "plan_epoch", "rule_params"]

RULES = ("infobatch", "rs2")

#: the rule's parameters, shared by the torch sampler and the meta-estimator
RULE_CONSTRAINTS: dict = {
    "keep": [Fraction(0, 1, closed="right")],
    "rule": [StrOptions(set(RULES))],
    "threshold": [StrOptions({"mean"}), Fraction(0, 1, closed="neither")],
    "max_prune_ratio": [Fraction(0, 1, closed="neither")],
    "anneal": [Fraction(0, 1, closed="right")],
    "random_state": ["random_state"],
}

#: the docstring text of the rule's parameters, shared by both front ends
RULE_DOC = """keep : float in (0, 1], default=0.7
        Fraction of the rows that every pruned epoch visits, met exactly:
        ``max(1, floor(keep * n_samples + 0.5))`` rows (the pruners'
        rounding). Annealed epochs, and with ``rule="infobatch"`` the first
        epoch, visit every row.

    rule : {"infobatch", "rs2"}, default="infobatch"
        ``"infobatch"`` (Qin et al., ICLR 2024): the rows to skip are drawn
        at random among the rows whose last loss is below ``threshold``, and
        the loss of the other rows of that set is multiplied by ``1 / (share
        kept)`` so that an epoch's expected gradient is the full-data one.
        ``"rs2"`` (Okanovic et al., ICLR 2024): a fresh random subset every
        epoch, drawn without replacement across epochs (every row is visited
        once before any row is visited twice), no loss needed, no rescaling.

    threshold : "mean" or float in (0, 1), default="mean"
        ``"infobatch"`` only. Rows whose last loss is below the mean loss
        (InfoBatch's rule), or below this quantile of the losses, may be
        skipped.

    max_prune_ratio : float in (0, 1), default=0.75
        ``"infobatch"`` only. At most this share of the prunable set is
        skipped, so the rescaling factor never exceeds ``1 / (1 -
        max_prune_ratio)``. When too few rows are below ``threshold`` to
        meet ``keep`` within this share, the prunable set grows to the
        lowest-loss rows that do.

    anneal : float in (0, 1], default=0.875
        Epochs ``e < ceil(anneal * epochs)`` may be pruned; the rest visit
        every row (InfoBatch's annealing, its ``delta``). ``1.0`` prunes
        every epoch (the first excepted with ``"infobatch"``)."""


class EpochPlan(NamedTuple):
    """What one epoch visits: rows in visiting order and their loss factors.

    Attributes
    ----------
    indices : ndarray of shape (n_visited,)
        Rows visited, in the order they are visited.
    weights : ndarray of shape (n_visited,)
        Factor by which each visited row's loss is multiplied.
    pruned : bool
        Whether this epoch skips rows.
    """

    indices: np.ndarray
    weights: np.ndarray
    pruned: bool


#: the names of the rule's hyper-parameters, attributes of both front ends
RULE_PARAMS = ("keep", "rule", "threshold", "max_prune_ratio", "anneal")


def rule_params(owner) -> dict:
    """The rule's hyper-parameters of a front end, for :func:`plan_epoch`."""
    return {name: getattr(owner, name) for name in RULE_PARAMS}


def last_pruned_epoch(n_epochs: int, anneal: float) -> int:
    """Epochs ``e < last_pruned_epoch(...)`` may be pruned; the rest are annealed."""
    return math.ceil(anneal * n_epochs - 1e-9)


def _epoch_rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), *map(int, key)])


def _rs2_rows(n: int, k: int, epoch: int, seed: int) -> np.ndarray:
    """Rows of RS2's ``epoch``-th subset: a chunk of a stream of permutations."""
    start, parts, need = epoch * k, [], k
    while need:
        round_, offset = divmod(start, n)
        perm = _epoch_rng(seed, 1, round_).permutation(n)
        part = perm[offset : offset + need]
        parts.append(part)
        need -= part.size
        start += part.size
    return np.concatenate(parts)


def _infobatch_rows(losses, k, max_prune_ratio, threshold, rng):
    n = losses.size
    n_drop = n - k
    bar = losses.mean() if threshold == "mean" else np.quantile(losses, threshold)
    prunable = np.flatnonzero(losses < bar)
    need = min(n, math.ceil(n_drop / max_prune_ratio))
    if prunable.size < need:  # too few low-loss rows: take the lowest `need`
        order = np.lexsort((rng.random(n), losses))
        prunable = np.sort(order[:need])
    dropped = rng.choice(prunable, n_drop, replace=False)
    weights = np.ones(n)
    weights[prunable] = prunable.size / (prunable.size - n_drop)
    weights[dropped] = 0.0
    kept = rng.permutation(np.flatnonzero(weights))
    return kept, weights[kept]


def plan_epoch(
    *,
    n_samples: int,
    epoch: int,
    n_epochs: int,
    keep: float = 0.7,
    rule: str = "infobatch",
    threshold: str | float = "mean",
    max_prune_ratio: float = 0.75,
    anneal: float = 0.875,
    seed: int = 0,
    losses: np.ndarray | None = None,
) -> EpochPlan:
    """The rows an epoch visits, in order, and their loss factors.

    A pure function: the same arguments give the same plan on every process,
    which is what keeps the ranks of a distributed run in step.

    Parameters
    ----------
    n_samples : int
        Rows in the training set.
    epoch : int
        Index of the epoch (from 0).
    n_epochs : int
        Epochs of the whole run (for annealing).
    keep, rule, threshold, max_prune_ratio, anneal
        As in :class:`DynamicPruningClassifier`.
    seed : int, default=0
        Seed of every random draw; each epoch derives its own stream.
    losses : ndarray of shape (n_samples,) or None, default=None
        Last loss of every row. ``"infobatch"`` prunes only when every row
        has a finite loss; None (or a NaN, a row without a loss yet) gives a
        full epoch.

    Returns
    -------
    plan : EpochPlan
        ``indices`` (visiting order), ``weights`` and ``pruned``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune._dynamic_pruning import plan_epoch
    >>> losses = np.linspace(0.0, 1.0, 10)
    >>> plan = plan_epoch(n_samples=10, epoch=1, n_epochs=4, keep=0.8,
    ...                   losses=losses, seed=0)
    >>> len(plan.indices), plan.pruned
    (8, True)
    >>> sorted(set(plan.weights.round(3).tolist()))
    [1.0, 1.667]
    """
    k = n_kept(float(keep), n_samples)
    rng = _epoch_rng(seed, 0, epoch)
    annealed = epoch >= last_pruned_epoch(n_epochs, anneal) or k == n_samples
    if rule == "rs2":
        if annealed:
            return EpochPlan(rng.permutation(n_samples), np.ones(n_samples), False)
        return EpochPlan(_rs2_rows(n_samples, k, epoch, seed), np.ones(k), True)
    if losses is not None:
        losses = np.asarray(losses, dtype=np.float64)
        if losses.shape != (n_samples,):
            raise ValueError(
                f"`losses` must have shape ({n_samples},); got {losses.shape}."
            )
        if np.isinf(losses).any():
            raise ValueError(
                "`losses` holds infinite values: the training diverged, or a "
                "loss was not computed per row."
            )
    if annealed or epoch == 0 or losses is None or np.isnan(losses).any():
        return EpochPlan(rng.permutation(n_samples), np.ones(n_samples), False)
    kept, weights = _infobatch_rows(losses, k, max_prune_ratio, threshold, rng)
    return EpochPlan(kept, weights, True)


def planned_sizes(
    n_samples: int, n_epochs: int, *, keep: float, rule: str, anneal: float
) -> np.ndarray:
    """Rows visited in each epoch when every row's loss is fed back."""
    k = n_kept(float(keep), n_samples)
    sizes = np.full(n_epochs, n_samples, dtype=np.int64)
    first = 1 if rule == "infobatch" else 0
    sizes[first : last_pruned_epoch(n_epochs, anneal)] = k
    return sizes


# ---------------------------------------------------------------------------
# scikit-learn: a meta-estimator around partial_fit

#: how each estimator family's partial_fit reads ``sample_weight``
_WEIGHTING = (
    # each batch's loss is divided by the batch's summed weight: the factor
    # would only re-weight rows within a batch, not rescale the update
    (MLPClassifier, "none"),
    # each row's update is multiplied by its weight, without normalisation
    (SGDClassifier, "factor"),
    (Perceptron, "factor"),
    # weighted counts: the factor keeps every count unbiased
    ((MultinomialNB, BernoulliNB, ComplementNB, CategoricalNB, GaussianNB), "factor"),
)


def weighting_rule(estimator) -> str:
    """``"factor"`` or ``"none"``: whether InfoBatch's factor goes to ``sample_weight``.

    Raises ValueError for an estimator whose treatment of ``sample_weight``
    is not known: what a weight means is never guessed.
    """
    for classes, rule in _WEIGHTING:
        if isinstance(estimator, classes):
            return rule
    raise ValueError(
        f"weighting='auto' does not know how {type(estimator).__name__}."
        "partial_fit uses `sample_weight`. Pass weighting='factor' if each "
        "row's update is multiplied by its weight (as in SGDClassifier), or "
        "weighting='none' if the loss is normalised by the batch's summed "
        "weight (as in MLPClassifier) or the estimator takes no sample_weight."
    )


def row_losses(estimator, X, y) -> np.ndarray:
    """Per-row log loss of a fitted classifier.

    From ``predict_proba`` when the estimator has it, otherwise from the
    softmax (binary: logistic) of ``decision_function``.
    """
    classes = estimator.classes_
    col = np.searchsorted(classes, y)
    rows = np.arange(len(col))
    if hasattr(estimator, "predict_proba"):
        proba = np.asarray(estimator.predict_proba(X))
        return -np.log(np.clip(proba[rows, col], 1e-12, None))
    scores = np.asarray(estimator.decision_function(X), dtype=np.float64)
    if scores.ndim == 1:
        margin = np.where(col == 1, scores, -scores)
        return np.logaddexp(0.0, -margin)
    return logsumexp(scores, axis=1) - scores[rows, col]


def _estimator_has(attr):
    def check(self):
        est = getattr(self, "estimator_", None)
        if est is None:
            est = self.estimator if self.estimator is not None else _default()
        return hasattr(est, attr)

    return check


def _default():
    return SGDClassifier(loss="log_loss")


class DynamicPruningClassifier(ClassifierMixin, BaseEstimator):
    """Train a classifier epoch by epoch on the rows dynamic pruning keeps.

    Each epoch, one call of ``estimator.partial_fit`` visits the rows the
    rule keeps (InfoBatch or RS2, see ``rule``), in a random order; the
    per-row log loss of the visited rows, read from ``predict_proba`` (or
    ``decision_function``) after the epoch, decides what the next epoch
    skips. Training stops after ``max_iter`` epochs, or earlier with
    ``early_stopping``.

    Unlike the pruners, this is not a sampler: it hands back no smaller data
    set, it trains and predicts like the estimator it wraps.

    Parameters
    ----------
    estimator : classifier with partial_fit, default=None
        The model trained. None means ``SGDClassifier(loss="log_loss")``.
        Every nested ``random_state`` is set from ``random_state``.

    max_iter : int, default=20
        Epochs of the run (annealing is planned against this number).

    {rule_doc}

    weighting : {"auto", "factor", "none"}, default="auto"
        Where InfoBatch's loss factor goes. ``"factor"`` passes it as
        ``sample_weight``, right for estimators that multiply each row's
        update by its weight (``SGDClassifier``, ``Perceptron``, the naive
        Bayes counts). ``"none"`` drops it, right for estimators that divide
        a batch's loss by its summed weight, where the factor would only
        re-weight rows within a batch (``MLPClassifier``). ``"auto"`` looks
        the estimator up in that table and raises a ``ValueError`` for any
        other estimator: what a weight means is never guessed.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified), score the
        model on them after every epoch, stop after ``n_iter_no_change``
        epochs without an improvement of at least ``tol``, and keep the
        model of the best epoch (as ``MLPClassifier`` does).

    validation_fraction : float in (0, 1), default=0.1
        Share of the rows held out by ``early_stopping``.

    n_iter_no_change : int, default=5
        Epochs without improvement before ``early_stopping`` stops.

    tol : float, default=1e-4
        Smallest validation accuracy gain that counts as an improvement.

    Attributes
    ----------
    estimator_ : estimator
        The trained estimator (the best epoch's with ``early_stopping``).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_iter_ : int
        Epochs run.
    kept_fraction_ : ndarray of shape (`n_iter_`,)
        Share of the training rows each epoch visited.
    n_row_passes_ : int
        Rows visited by ``partial_fit`` over the whole run.
    utilization_ : float
        ``n_row_passes_`` over the passes of ``n_iter_`` full epochs.
    losses_ : ndarray of shape (n_train,)
        Last loss of every training row (NaN for rows never scored).
    validation_scores_ : ndarray of shape (`n_iter_`,) or None
        Validation accuracy after each epoch, with ``early_stopping``.
    best_iteration_ : int or None
        Epoch (from 1) whose model is kept, with ``early_stopping``.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    sklearn_prune.torch.DynamicPruningSampler : The same rule for torch
        training loops.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_prune import DynamicPruningClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DynamicPruningClassifier(SGDClassifier(loss="log_loss"),
    ...                                max_iter=8, keep=0.6, random_state=0)
    >>> clf.fit(X / 16, y).kept_fraction_.round(2).tolist()
    [1.0, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 1.0]
    >>> round(clf.utilization_, 2)
    0.7
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["partial_fit"]), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        **RULE_CONSTRAINTS,
        "weighting": [StrOptions({"auto", "factor", "none"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Fraction(0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        estimator=None,
        *,
        max_iter: int = 20,
        keep: float = 0.7,
        rule: str = "infobatch",
        threshold: str | float = "mean",
        max_prune_ratio: float = 0.75,
        anneal: float = 0.875,
        weighting: str = "auto",
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 5,
        tol: float = 1e-4,
        random_state=None,
    ):
        self.estimator = estimator
        self.max_iter = max_iter
        self.keep = keep
        self.rule = rule
        self.threshold = threshold
        self.max_prune_ratio = max_prune_ratio
        self.anneal = anneal
        self.weighting = weighting
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        est = self.estimator if self.estimator is not None else _default()
        try:
            sub = est.__sklearn_tags__()
        except AttributeError:  # pragma: no cover - third-party estimators
            return tags
        tags.input_tags.sparse = sub.input_tags.sparse
        tags.input_tags.positive_only = sub.input_tags.positive_only
        return tags

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Train ``estimator`` for up to ``max_iter`` dynamically pruned epochs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : DynamicPruningClassifier
            The fitted meta-estimator.
        """
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"])
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        rng = check_random_state(self.random_state)
        est = clone(self.estimator if self.estimator is not None else _default())
        _seeded(est, draw_seed(rng))
        factor = self.weighting == "factor" or (
            self.weighting == "auto" and weighting_rule(est) == "factor"
        )
        seed = draw_seed(rng)
        if self.early_stopping:
            split = train_test_split(
                X,
                y,
                test_size=self.validation_fraction,
                random_state=draw_seed(rng),
                stratify=y if np.unique(y, return_counts=True)[1].min() > 1 else None,
            )
            X, X_val, y, y_val = split
        n = X.shape[0]
        losses = np.full(n, np.nan)
        fractions, val_scores = [], []
        best, best_score, stale, passes = None, -np.inf, 0, 0
        for epoch in range(self.max_iter):
            plan = plan_epoch(
                n_samples=n,
                epoch=epoch,
                n_epochs=self.max_iter,
                seed=seed,
                losses=losses,
                **rule_params(self),
            )
            X_e = _safe_indexing(X, plan.indices)
            y_e = y[plan.indices]
            kwargs = {"sample_weight": plan.weights} if factor and plan.pruned else {}
            est.partial_fit(X_e, y_e, classes=self.classes_, **kwargs)
            passes += plan.indices.size
            fractions.append(plan.indices.size / n)
            if self.rule == "infobatch":
                losses[plan.indices] = row_losses(est, X_e, y_e)
            if self.early_stopping:
                score = est.score(X_val, y_val)
                val_scores.append(score)
                if score > best_score + self.tol or best is None:
                    best, best_score, stale = copy.deepcopy(est), score, 0
                    self.best_iteration_ = epoch + 1
                else:
                    stale += 1
                    if stale >= self.n_iter_no_change:
                        break
        self.estimator_ = best if self.early_stopping else est
        if not self.early_stopping:
            self.best_iteration_ = None
        self.n_iter_ = len(fractions)
        self.kept_fraction_ = np.asarray(fractions)
        self.n_row_passes_ = passes
        self.utilization_ = passes / (n * self.n_iter_)
        self.losses_ = losses
        self.validation_scores_ = np.asarray(val_scores) if val_scores else None
        return self

    def _validated(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, accept_sparse=["csr", "csc"])

    def predict(self, X):
        """Class labels predicted by the trained estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        X = self._validated(X)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the trained estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        X = self._validated(X)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision scores from the trained estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The estimator's decision function.
        """
        X = self._validated(X)
        return self.estimator_.decision_function(X)


DynamicPruningClassifier.__doc__ = DynamicPruningClassifier.__doc__.replace(
    "{rule_doc}", RULE_DOC
)

"""scikit-learn's estimator checks on every pruner."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_prune import (
    EL2NPruner,
    OraclePruner,
    PrototypePruner,
    RandomPruner,
    RecordedDynamicsPruner,
    ScorePruner,
    SemDedupPruner,
    TrainingDynamics,
    TrainingDynamicsPruner,
)


class AnyWidthOraclePruner(OraclePruner):
    """OraclePruner whose teacher is the all-ones direction of whatever width X has.

    scikit-learn's checks fit on data of many widths (1 to 10 features), which
    a fixed teacher vector cannot match: every check would stop at the teacher
    length error. This subclass lets the checks exercise everything else of
    OraclePruner (validation, selection, pickling, dtypes, sparse input); the
    teacher's own handling is tested in test_oracle.py.
    """

    def _teacher_weights(self, n_features):
        return np.full(n_features, 1 / np.sqrt(n_features)), 0.0


class AnyRowsRecordedDynamicsPruner(RecordedDynamicsPruner):
    """RecordedDynamicsPruner whose recorder is filled in fit, for any number of rows.

    A recorder holds a fixed number of rows, which scikit-learn's checks (data
    of many sizes) cannot match. This subclass records a made-up run of as
    many rows as X has (logits from its first column, three epochs), then
    lets RecordedDynamicsPruner prune with it; the recorder itself is tested
    in test_training_dynamics.py.
    """

    def _compute_scores(self, X, y, rng, **params):
        first = np.asarray(first_column(X, y), dtype=np.float64)
        n = first.shape[0]
        recorder = TrainingDynamics(n, 2)
        for epoch in range(3):
            logits = np.column_stack([np.zeros(n), first * (epoch + 1)])
            recorder.update(np.arange(n), logits, np.zeros(n, dtype=int))
        # a copy holds the recorder: fit must not change the parameters
        copy = clone(self, safe=False).set_params(recorder=recorder)
        return RecordedDynamicsPruner._compute_scores(copy, X, y, rng, **params)


def first_column(X, y):
    """ScorePruner's scores in the checks: the first feature (dense or sparse)."""
    if sp.issparse(X):
        return X[:, [0]].toarray().ravel()
    return X[:, 0]


def _instances():
    return [
        RandomPruner(keep=0.5, random_state=0),
        PrototypePruner(keep=0.5, n_clusters=2, n_iter=5, random_state=0),
        EL2NPruner(
            keep=0.5, estimator=LogisticRegression(), n_estimators=2, random_state=0
        ),
        EL2NPruner(keep=0.5, n_estimators=2, random_state=0),
        AnyWidthOraclePruner(teacher=[1.0], keep=0.5, random_state=0),
        AnyWidthOraclePruner(teacher=[1.0], keep=0.5, angle=30.0, random_state=0),
        SemDedupPruner(n_iter=5, random_state=0),
        SemDedupPruner(keep=0.5, n_clusters=2, n_iter=5, random_state=0),
        SemDedupPruner(keep=3, keep_in_group="random", n_iter=5, random_state=0),
        ScorePruner(scores=first_column, keep=0.5, random_state=0),
        ScorePruner(scores=first_column, keep=2, strategy="easy", random_state=0),
        TrainingDynamicsPruner(keep=0.5, n_epochs=2, random_state=0),
        TrainingDynamicsPruner(
            keep=0.2,
            estimator=LogisticRegression(),
            metric="forgetting",
            n_epochs=3,
            drop_hardest="noise_rate",
            strategy="stratified",
            random_state=0,
        ),
        AnyRowsRecordedDynamicsPruner(
            recorder=TrainingDynamics(1, 2), keep=0.5, random_state=0
        ),
    ]


# No check is expected to fail: pruners are samplers (no transform/predict), so
# scikit-learn's checks of those methods do not run on them.
EXPECTED_FAILED: dict = {}


# ScorePruner(keep=2) on the checks' small multiclass data starves a class on
# purpose (an int keep of 2 rows): the warning is expected, not news
@pytest.mark.filterwarnings("ignore:Class balance keeps no row:UserWarning")
@parametrize_with_checks(
    _instances(), expected_failed_checks=lambda est: EXPECTED_FAILED.get(type(est), {})
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


try:
    from imblearn.utils.estimator_checks import estimator_checks_generator
except ImportError:  # imbalanced-learn is an optional extra
    estimator_checks_generator = None

# imbalanced-learn's sampler checks that do not apply to pruners, and why.
_SAMPLING_STRATEGY = (
    "sampling_strategy_ is imbalanced-learn's per-class target count; a pruner "
    "is driven by `keep` and exposes the kept rows as sample_indices_ instead"
)
_LABELS_UNUSED = {
    "check_target_type": (
        "a pruner that does not use y passes any target through (regression "
        "values, multilabel rows); samplers that balance classes refuse them"
    ),
    "check_samplers_one_label": (
        "a single class is fine for a pruner that does not use labels"
    ),
}


def _imblearn_expected_failures(estimator):
    failures = {"check_samplers_fit": _SAMPLING_STRATEGY}
    if not isinstance(estimator, (EL2NPruner, TrainingDynamicsPruner)):
        failures.update(_LABELS_UNUSED)
    if isinstance(estimator, (PrototypePruner, SemDedupPruner)):
        failures["check_samplers_pandas_sparse"] = (
            f"{type(estimator).__name__} takes dense input only (faiss k-means)"
        )
    return failures


def _imblearn_checks() -> list:
    """imbalanced-learn's checks of every pruner, expected failures marked xfail."""
    if estimator_checks_generator is None:
        return []
    return [
        case
        for est in _instances()
        for case in estimator_checks_generator(
            est,
            expected_failed_checks=_imblearn_expected_failures(est),
            mark="xfail",
        )
    ]


def _check_id(value):
    if hasattr(value, "fit"):
        return type(value).__name__
    return getattr(value, "func", value).__name__


@pytest.mark.skipif(
    estimator_checks_generator is None, reason="imbalanced-learn is not installed"
)
@pytest.mark.filterwarnings("ignore:Class balance keeps no row:UserWarning")
@pytest.mark.parametrize("estimator, check", _imblearn_checks(), ids=_check_id)
def test_imblearn_compatible(estimator, check):
    check(estimator)

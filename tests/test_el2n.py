"""EL2NPruner: error norms of briefly trained probes."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from sklearn_prune import EL2NPruner


def _flipped(n_classes=2, n_flip=15, seed=0):
    X, y = make_classification(
        n_samples=400,
        n_features=10,
        n_informative=6,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=2.0,
        flip_y=0,
        random_state=seed,
    )
    y_noisy = y.copy()
    y_noisy[:n_flip] = (y[:n_flip] + 1) % n_classes
    return X, y_noisy


@pytest.mark.parametrize(
    "estimator", [None, LogisticRegression()], ids=["default-probe", "logreg"]
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_flipped_labels_rank_hardest(estimator, n_classes):
    X, y = _flipped(n_classes)
    p = EL2NPruner(estimator=estimator, random_state=0).fit(X, y)
    top = np.argsort(-p.scores_)[:15]
    assert len(set(top) & set(range(15))) >= 13
    assert p.scores_[:15].mean() > 3 * p.scores_[15:].mean()


def test_out_of_fold_scores_find_flipped_labels():
    X, y = _flipped()
    p = EL2NPruner(estimator=LogisticRegression(), cv=5, random_state=0).fit(X, y)
    assert len(set(np.argsort(-p.scores_)[:15]) & set(range(15))) >= 13
    in_sample = EL2NPruner(estimator=LogisticRegression(), random_state=0).fit(X, y)
    # a flipped row is judged by probes that never saw it: larger error
    assert p.scores_[:15].mean() > in_sample.scores_[:15].mean()


def test_scores_are_error_norms_of_the_probe():
    X, y = _flipped()
    p = EL2NPruner(estimator=LogisticRegression(), n_estimators=1).fit(X, y)
    proba = LogisticRegression().fit(X, y).predict_proba(X)
    onehot = np.eye(2)[y]
    np.testing.assert_allclose(p.scores_, np.linalg.norm(proba - onehot, axis=1))


def test_string_labels_and_missing_class_in_a_fold():
    X, y = _flipped(3)
    labels = np.array(["cat", "dog", "eel"])[y]
    p = EL2NPruner(estimator=LogisticRegression(), n_estimators=2, random_state=0)
    p.fit(X, labels)
    np.testing.assert_array_equal(p.classes_, ["cat", "dog", "eel"])
    # unshuffled folds over sorted labels: a training fold can miss a class
    order = np.argsort(labels, kind="stable")
    p.set_params(cv=KFold(3)).fit(X[order], labels[order])
    assert np.all(np.isfinite(p.scores_)) and p.scores_.max() <= np.sqrt(2)


def test_estimator_is_cloned_not_mutated_and_seeds_differ():
    X, y = _flipped()
    est = LogisticRegression(solver="saga", max_iter=5, tol=1e-12)
    before = est.get_params()
    with pytest.warns(Warning):
        EL2NPruner(estimator=est, n_estimators=3, random_state=0).fit(X, y)
    assert est.get_params() == before and not hasattr(est, "coef_")


def test_parallel_equals_sequential():
    X, y = _flipped()
    a = EL2NPruner(n_estimators=4, random_state=0, n_jobs=1).fit(X, y)
    b = EL2NPruner(n_estimators=4, random_state=0, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(a.scores_, b.scores_)


def test_ensemble_members_get_different_seeds():
    X, y = _flipped()
    one = EL2NPruner(n_estimators=1, random_state=0).fit(X, y).scores_
    two = EL2NPruner(n_estimators=1, random_state=1).fit(X, y).scores_
    assert not np.allclose(one, two)


def test_sample_weight_reaches_the_probe():
    X, y = _flipped()
    w = np.ones(len(y))
    w[:15] = 50.0  # the probe fits the flipped rows when they weigh a lot
    p = EL2NPruner(estimator=LogisticRegression(), random_state=0)
    plain = clone(p).fit(X, y).scores_
    weighted = clone(p).fit(X, y, sample_weight=w).scores_
    assert weighted[:15].mean() < plain[:15].mean()


def test_single_class_is_rejected():
    X, _ = _flipped()
    with pytest.raises(ValueError, match="at least 2 classes"):
        EL2NPruner().fit(X, np.zeros(len(X)))


def test_y_is_required_and_must_be_classes():
    X, y = _flipped()
    with pytest.raises(ValueError, match="requires y"):
        EL2NPruner().fit(X)
    with pytest.raises(ValueError, match="Unknown label type"):
        EL2NPruner().fit(X, np.linspace(0, 1, len(X)))


def test_estimator_without_predict_proba_is_rejected():
    from sklearn.svm import LinearSVC

    X, y = _flipped()
    with pytest.raises(ValueError, match="estimator"):
        EL2NPruner(estimator=LinearSVC()).fit(X, y)

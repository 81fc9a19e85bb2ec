"""EL2NPruner: error norms of briefly trained probes."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    RepeatedStratifiedKFold,
    ShuffleSplit,
    StratifiedKFold,
)

from sklearn_prune import EL2NPruner, make_pipeline
from sklearn_prune.exceptions import PruningWarning


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
    # unshuffled folds over sorted labels: training folds miss a class, and
    # the rows of that class look maximally hard: say so
    order = np.argsort(labels, kind="stable")
    with pytest.warns(PruningWarning, match=r"fold 1 lacks \['cat'\]"):
        p.set_params(cv=KFold(3)).fit(X[order], labels[order])
    assert np.all(np.isfinite(p.scores_)) and p.scores_.max() <= np.sqrt(2)


def test_stratified_folds_do_not_warn():
    X, y = _flipped(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PruningWarning)
        EL2NPruner(estimator=LogisticRegression(), n_estimators=1, cv=3).fit(X, y)


def test_estimator_is_cloned_not_mutated():
    X, y = _flipped()
    est = LogisticRegression(solver="saga", max_iter=5, tol=1e-12)
    before = est.get_params()
    # the user's own probe's warnings are not silenced (only the default's)
    with pytest.warns(ConvergenceWarning, match="max_iter was reached"):
        EL2NPruner(estimator=est, n_estimators=3, random_state=0).fit(X, y)
    assert est.get_params() == before and not hasattr(est, "coef_")


def test_parallel_equals_sequential():
    X, y = _flipped()
    a = EL2NPruner(n_estimators=4, random_state=0, n_jobs=1).fit(X, y)
    b = EL2NPruner(n_estimators=4, random_state=0, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(a.scores_, b.scores_)


class SeedRecordingLR(LogisticRegression):
    """LogisticRegression that records the random_state of every fit."""

    seeds: list = []

    def fit(self, X, y, sample_weight=None):
        SeedRecordingLR.seeds.append(self.random_state)
        return super().fit(X, y, sample_weight=sample_weight)


def test_ensemble_members_get_distinct_seeds_from_random_state():
    X, y = _flipped()
    probe = SeedRecordingLR(solver="saga", max_iter=3, tol=0)
    runs = []
    for _ in range(2):
        SeedRecordingLR.seeds = []
        with pytest.warns(ConvergenceWarning):
            p = EL2NPruner(estimator=probe, n_estimators=4, random_state=0).fit(X, y)
        runs.append((list(SeedRecordingLR.seeds), p.scores_))
    (seeds, scores), (seeds_again, scores_again) = runs
    assert len(set(seeds)) == 4  # every member its own seed
    assert seeds == seeds_again  # drawn from random_state: reproducible
    np.testing.assert_array_equal(scores, scores_again)
    # the score is the mean of the members' error norms, seed by seed
    members = []
    for seed in seeds:
        with pytest.warns(ConvergenceWarning):
            member = clone(probe).set_params(random_state=seed).fit(X, y)
        members.append(np.linalg.norm(member.predict_proba(X) - np.eye(2)[y], axis=1))
    np.testing.assert_allclose(scores, np.mean(members, axis=0))
    # a member's seed decides its probe: different seeds, different scores
    assert not np.allclose(members[0], members[1])


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
    multilabel = np.random.RandomState(0).randint(2, size=(len(X), 3))
    with pytest.raises(ValueError, match="Multilabel and multioutput"):
        EL2NPruner().fit(X, multilabel)


def test_one_hot_rows_keep_the_same_rows_as_labels():
    X, y = _flipped(3)
    one_hot = np.eye(3)[y]
    p = EL2NPruner(estimator=LogisticRegression(), n_estimators=2, random_state=0)
    by_label = clone(p).fit(X, y)
    X_kept, y_kept = p.fit_resample(X, one_hot)
    np.testing.assert_allclose(p.scores_, by_label.scores_)
    np.testing.assert_array_equal(p.sample_indices_, by_label.sample_indices_)
    np.testing.assert_array_equal(y_kept, one_hot[by_label.sample_indices_])


# -- cv: splits that are not a partition, groups ---------------------------


def _manual_oof(X, y, splits):
    """Mean out-of-fold EL2N of a deterministic probe, averaged per row."""
    total, times = np.zeros(len(y)), np.zeros(len(y))
    for train, test in splits:
        proba = LogisticRegression().fit(X[train], y[train]).predict_proba(X[test])
        np.add.at(total, test, np.linalg.norm(proba - np.eye(2)[y[test]], axis=1))
        np.add.at(times, test, 1)
    return total / times


def test_rows_tested_several_times_are_averaged():
    X, y = _flipped()
    folds = list(StratifiedKFold(4).split(X, y))
    p = EL2NPruner(estimator=LogisticRegression(), n_estimators=1)
    once = clone(p).set_params(cv=folds).fit(X, y).scores_
    # every fold twice: every row tested twice, same mean (was: double)
    twice = clone(p).set_params(cv=folds + folds).fit(X, y).scores_
    np.testing.assert_allclose(twice, once)
    np.testing.assert_allclose(once, _manual_oof(X, y, folds))
    # overlapping test folds: each row is the mean over its tests
    overlapping = folds + [folds[0]]
    scores = clone(p).set_params(cv=overlapping).fit(X, y).scores_
    np.testing.assert_allclose(scores, _manual_oof(X, y, overlapping))
    repeated = RepeatedStratifiedKFold(n_splits=4, n_repeats=2, random_state=0)
    scores = clone(p).set_params(cv=repeated).fit(X, y).scores_
    np.testing.assert_allclose(scores, _manual_oof(X, y, repeated.split(X, y)))


def test_splits_that_leave_rows_untested_are_refused():
    X, y = _flipped()
    p = EL2NPruner(estimator=LogisticRegression(), n_estimators=1)
    with pytest.raises(ValueError, match="out of every test fold"):
        p.set_params(cv=ShuffleSplit(n_splits=3, test_size=0.2, random_state=0))
        p.fit(X, y)
    assert not hasattr(p, "scores_")


def test_group_k_fold_gets_groups():
    X, y = _flipped()
    groups = np.arange(len(y)) % 7
    p = EL2NPruner(estimator=LogisticRegression(), n_estimators=1, cv=GroupKFold(3))
    p.fit(X, y, groups=groups)
    splits = list(GroupKFold(3).split(X, y, groups))
    np.testing.assert_allclose(p.scores_, _manual_oof(X, y, splits))
    with pytest.raises(ValueError, match="groups"):
        clone(p).fit(X, y)  # GroupKFold needs them
    with pytest.raises(ValueError, match="cv=None"):
        clone(p).set_params(cv=None).fit(X, y, groups=groups)


# -- metadata routing ---------------------------------------------------------


def test_metadata_routing_reaches_the_probe_and_the_splitter():
    X, y = _flipped()
    w = np.ones(len(y))
    w[:15] = 50.0
    groups = np.arange(len(y)) % 7
    with sklearn.config_context(enable_metadata_routing=True):
        probe = LogisticRegression().set_fit_request(sample_weight=True)
        p = EL2NPruner(estimator=probe, n_estimators=1)
        weighted = clone(p).fit(X, y, sample_weight=w).scores_
        # not requested: refused, never silently dropped
        with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
            EL2NPruner(estimator=LogisticRegression()).fit(X, y, sample_weight=w)
        grouped = clone(p).set_params(cv=GroupKFold(3)).fit(X, y, groups=groups)
    direct = LogisticRegression().fit(X, y, sample_weight=w).predict_proba(X)
    np.testing.assert_allclose(weighted, np.linalg.norm(direct - np.eye(2)[y], axis=1))
    splits = list(GroupKFold(3).split(X, y, groups))
    np.testing.assert_allclose(grouped.scores_, _manual_oof(X, y, splits))


def test_metadata_routing_through_our_pipeline():
    X, y = _flipped()
    w = np.ones(len(y))
    w[:15] = 50.0
    with sklearn.config_context(enable_metadata_routing=True):
        probe = LogisticRegression().set_fit_request(sample_weight=True)
        pruner = EL2NPruner(estimator=probe, n_estimators=1, keep=0.5, random_state=0)
        clf = LogisticRegression().set_fit_request(sample_weight=True)
        pipe = make_pipeline(pruner, clf).fit(X, y, sample_weight=w)
        alone = clone(pruner).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(pipe[0].scores_, alone.scores_)
    kept = alone.sample_indices_
    direct = LogisticRegression().fit(X[kept], y[kept], sample_weight=w[kept])
    np.testing.assert_allclose(pipe[-1].coef_, direct.coef_)


def test_routing_declares_probe_and_splitter():
    with sklearn.config_context(enable_metadata_routing=True):
        routing = EL2NPruner(
            estimator=LogisticRegression().set_fit_request(sample_weight=True),
            cv=GroupKFold(3),
        ).get_metadata_routing()
    assert routing.consumes("fit", ["sample_weight", "groups", "other"]) == {
        "sample_weight",
        "groups",
    }


# -- default probe, verbose ---------------------------------------------------


def test_default_probe_keeps_the_same_rows_on_dense_and_sparse_input():
    X, y = _flipped()
    X[X < 0.5] = 0.0  # a sparse-looking matrix, features off-centre
    dense = EL2NPruner(random_state=0, n_estimators=2).fit(X, y)
    csr = EL2NPruner(random_state=0, n_estimators=2).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(csr.scores_, dense.scores_, atol=1e-10)
    np.testing.assert_array_equal(csr.sample_indices_, dense.sample_indices_)


def test_verbose_reports_every_probe(capsys):
    X, y = _flipped()
    EL2NPruner(estimator=LogisticRegression(), n_estimators=2, cv=3, verbose=1).fit(
        X, y
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    assert lines[0].startswith("[EL2NPruner] probe 1/6 fitted (member 1/2, fold 1/3)")
    assert lines[-1].startswith("[EL2NPruner] probe 6/6 fitted (member 2/2, fold 3/3)")
    EL2NPruner(estimator=LogisticRegression(), n_estimators=2).fit(X, y)
    assert capsys.readouterr().out == ""


def test_estimator_without_predict_proba_is_rejected():
    from sklearn.svm import LinearSVC

    X, y = _flipped()
    with pytest.raises(ValueError, match="estimator"):
        EL2NPruner(estimator=LinearSVC()).fit(X, y)


class ParamRecordingLR(LogisticRegression):
    """LogisticRegression that records the fit parameters of every fit."""

    calls: list = []

    def fit(self, X, y, sample_weight=None, classes=None):
        ParamRecordingLR.calls.append((X.shape[0], sample_weight, classes))
        return super().fit(X, y, sample_weight=sample_weight)


def test_only_per_row_parameters_are_cut_to_a_training_fold():
    # the same rule as the Pipeline's: sample_weight is cut, a parameter that
    # merely has as many values as there are rows (here `classes`) is not
    X, y = _flipped()
    n = len(y)
    w = np.arange(n, dtype=float)
    classes = list(range(n))
    ParamRecordingLR.calls = []
    EL2NPruner(estimator=ParamRecordingLR(), n_estimators=1, cv=3).fit(
        X, y, sample_weight=w, classes=classes
    )
    assert len(ParamRecordingLR.calls) == 3
    for n_train, weights, seen in ParamRecordingLR.calls:
        assert n_train < n and weights.shape == (n_train,)
        assert set(weights) < set(w)
        assert seen is classes

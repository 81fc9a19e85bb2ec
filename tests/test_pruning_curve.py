"""pruning_curve: pruned training folds, never pruned test folds, matched baselines."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import KFold

from sklearn_prune import BasePruner, EL2NPruner, PrototypePruner, RandomPruner
from sklearn_prune._selection import n_kept
from sklearn_prune.model_selection import PruningCurveResult, pruning_curve


class SpyPruner(BasePruner):
    """Scores rows by their second column and records the row ids it scores."""

    seen: list = []

    def _compute_scores(self, X, y, rng, **params):
        SpyPruner.seen.append(X[:, 0].astype(int).copy())
        return X[:, 1].copy()


class SpyClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; records the row ids it trains and tests on."""

    records: list = []

    def fit(self, X, y):
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        self.fit_ids_ = X[:, 0].astype(int).copy()
        self.fit_y_ = np.asarray(y).copy()
        return self

    def predict(self, X):
        return np.full(X.shape[0], self.majority_)

    def score(self, X, y):
        SpyClassifier.records.append(
            (self.fit_ids_, self.fit_y_, X[:, 0].astype(int).copy())
        )
        return float(np.mean(self.predict(X) == y))


@pytest.fixture
def spy_data():
    rng = np.random.RandomState(0)
    n = 60
    X = np.column_stack([np.arange(n), rng.uniform(size=n), rng.normal(size=n)])
    y = np.repeat([0, 1, 2], [30, 20, 10])
    SpyPruner.seen.clear()
    SpyClassifier.records.clear()
    return X, y


@pytest.fixture
def data():
    return make_classification(
        n_samples=150, n_features=6, n_informative=4, n_classes=3, random_state=0
    )


def test_the_test_fold_is_never_pruned_nor_seen_by_the_pruner(spy_data):
    X, y = spy_data
    splits = list(KFold(4, shuffle=True, random_state=0).split(X))
    keeps = [0.2, 0.5, 7]
    result = pruning_curve(
        SpyClassifier(),
        {"a": SpyPruner(strategy="hard"), "b": SpyPruner(strategy="easy")},
        X,
        y,
        keep=keeps,
        cv=splits,
        random_state=0,
    )
    trains = [set(train) for train, _ in splits]
    tests = [set(test) for _, test in splits]
    # the metric is computed once per split (both policies share it), on
    # exactly the training fold's rows
    assert len(SpyPruner.seen) == len(splits)
    for ids in SpyPruner.seen:
        assert set(ids) in trains
    # every fit: trained on rows of one training fold, scored on its whole
    # test fold, the sizes exactly those asked for
    n_fits = len(splits) * (len(result.names) * len(keeps) + 1)
    assert len(SpyClassifier.records) == n_fits
    sizes = {s: [] for s in range(len(splits))}
    for fit_ids, _, test_ids in SpyClassifier.records:
        s = tests.index(set(test_ids))
        assert len(test_ids) == len(splits[s][1])
        assert set(fit_ids) <= trains[s]
        assert not set(fit_ids) & tests[s]
        sizes[s].append(len(fit_ids))
    for s, (train, _) in enumerate(splits):
        expected = [n_kept(k, len(train)) for k in keeps]
        np.testing.assert_array_equal(result.n_kept[:, s], expected)
        assert sorted(sizes[s]) == sorted(expected * len(result.names) + [len(train)])


def test_policies_choose_from_the_scores_of_their_own_training_fold(spy_data):
    X, y = spy_data
    splits = list(KFold(3).split(X))
    pruning_curve(
        SpyClassifier(),
        SpyPruner(strategy="hard", class_balance=False),
        X,
        y,
        keep=[10],
        cv=splits,
        random_state=0,
    )
    pruned = [r for r in SpyClassifier.records if len(r[0]) == 10]
    assert len(pruned) == 2 * len(splits)  # the pruner and the random baseline
    for _, test in splits:
        train = np.setdiff1d(np.arange(len(X)), test)
        hardest = set(train[np.argsort(X[train, 1])[-10:]])
        fits = [set(f) for f, _, t in pruned if set(t) == set(test)]
        assert len(fits) == 2 and hardest in fits


def test_random_baseline_is_present_and_matched_in_size(data):
    X, y = data
    result = pruning_curve(
        LogisticRegression(max_iter=200),
        {"proto": PrototypePruner(n_clusters=3, class_balance=False)},
        X,
        y,
        keep=[0.2, 0.6],
        cv=3,
        random_state=0,
    )
    assert result.names == ["proto", "random"]
    assert result.baselines == {"proto": "random", "random": "random"}
    assert result.test_scores["random"].shape == result.test_scores["proto"].shape
    assert result.test_scores["proto"].shape == (2, 3)
    np.testing.assert_array_equal(result.n_train, [100, 100, 100])
    np.testing.assert_array_equal(result.n_kept, [[20, 20, 20], [60, 60, 60]])
    assert result.full_scores.shape == (3,)


def test_baseline_has_the_pruners_class_balance(spy_data):
    X, y = spy_data
    result = pruning_curve(
        SpyClassifier(),
        {
            "balanced": SpyPruner(class_balance=True),
            "plain": SpyPruner(class_balance=False),
        },
        X,
        y,
        keep=[0.5],
        cv=KFold(3, shuffle=True, random_state=0),
        random_state=0,
    )
    assert result.baselines["balanced"] == "random, class-balanced"
    assert result.baselines["plain"] == "random"
    assert set(result.names) == {
        "balanced",
        "plain",
        "random",
        "random, class-balanced",
    }

    # only class-balanced curves: every pruned fit keeps each class's share
    SpyClassifier.records.clear()
    pruning_curve(
        SpyClassifier(),
        SpyPruner(class_balance=True),
        X,
        y,
        keep=[0.5],
        cv=KFold(3, shuffle=True, random_state=0),
        random_state=0,
    )
    for fit_ids, fit_y, test_ids in SpyClassifier.records:
        train = np.setdiff1d(np.arange(len(X)), test_ids)
        if len(fit_ids) < len(train):
            quota = np.bincount(y[train], minlength=3) / 2
            assert np.all(np.abs(np.bincount(fit_y, minlength=3) - quota) <= 1)


def test_auto_class_balance_follows_the_target(data):
    X, y = data
    pruners = {"auto": RandomPruner(), "off": RandomPruner(class_balance=False)}
    result = pruning_curve(
        LogisticRegression(max_iter=200), pruners, X, y, keep=[0.5], cv=2
    )
    assert result.baselines["auto"] == "random, class-balanced"
    assert result.baselines["off"] == "random"
    # a continuous target: "auto" does not balance
    y_cont = X[:, 0] + 0.1 * np.arange(len(X))
    result = pruning_curve(
        LinearRegression(), pruners, X, y_cont, keep=[0.5], cv=2, random_state=0
    )
    assert result.baselines == {"auto": "random", "off": "random", "random": "random"}
    assert result.score_name == "R2"


def test_results_are_deterministic_and_independent_of_n_jobs(data):
    X, y = data
    kwargs = dict(keep=[0.1, 0.4], cv=3, n_repeats=2)
    pruners = {
        "el2n": EL2NPruner(estimator=LogisticRegression(), n_estimators=1),
        "el2n, stratified": EL2NPruner(
            estimator=LogisticRegression(), n_estimators=1, strategy="stratified"
        ),
    }
    est = LogisticRegression(max_iter=200)
    a = pruning_curve(est, pruners, X, y, random_state=0, **kwargs)
    b = pruning_curve(est, pruners, X, y, random_state=0, n_jobs=2, **kwargs)
    c = pruning_curve(est, pruners, X, y, random_state=1, **kwargs)
    for name in a.names:
        np.testing.assert_array_equal(a.test_scores[name], b.test_scores[name])
    np.testing.assert_array_equal(a.full_scores, b.full_scores)
    assert any(not np.array_equal(a.test_scores[n], c.test_scores[n]) for n in a.names)
    assert a.n_splits == 6 and a.n_repeats == 2


def test_to_frame_is_tidy(data):
    X, y = data
    result = pruning_curve(
        LogisticRegression(max_iter=200),
        {"p": PrototypePruner(n_clusters=3), "q": RandomPruner()},
        X,
        y,
        keep=[0.25, 0.5],
        cv=2,
        n_repeats=2,
        random_state=0,
    )
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [
        "curve",
        "kind",
        "baseline",
        "keep",
        "n_kept",
        "n_train",
        "fraction",
        "repeat",
        "fold",
        "split",
        "score",
    ]
    # (3 curves x 2 sizes + the full training fold) x 4 splits
    assert len(frame) == (3 * 2 + 1) * 4
    assert set(frame.kind) == {"pruner", "random", "full"}
    assert set(frame.repeat) == {0, 1} and set(frame.fold) == {0, 1}
    p = frame[(frame.curve == "p") & (frame.keep == 0.5)]
    np.testing.assert_array_equal(p.score, result.test_scores["p"][1])
    np.testing.assert_array_equal(p.n_kept, 38)  # floor(0.5 * 75 + 0.5)
    np.testing.assert_allclose(p.fraction, 38 / 75)
    full = frame[frame.kind == "full"]
    np.testing.assert_array_equal(full.score, result.full_scores)
    assert "PruningCurveResult" in repr(result)
    assert isinstance(result, PruningCurveResult)


def test_scoring_and_pandas_input(data):
    X, y = data
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    y = pd.Series(y)
    result = pruning_curve(
        LogisticRegression(max_iter=200),
        PrototypePruner(n_clusters=3),
        X,
        y,
        keep=[0.5],
        cv=3,
        scoring="balanced_accuracy",
        random_state=0,
    )
    assert result.score_name == "balanced_accuracy"
    assert np.all((result.full_scores > 0.5) & (result.full_scores <= 1))


def test_verbose_prints_progress(data, capsys):
    X, y = data
    pruning_curve(
        LogisticRegression(max_iter=200),
        PrototypePruner(n_clusters=3),
        X,
        y,
        keep=[0.5],
        cv=2,
        random_state=0,
        verbose=1,
    )
    out = capsys.readouterr().out
    assert "[pruning_curve] 2 splits" in out
    assert out.count("scored") == 2 * 2  # the pruner and the random baseline


# -- bad input -------------------------------------------------------------------
@pytest.mark.parametrize(
    "pruners, match",
    [
        (LogisticRegression(), r"`pruners` must be a pruner"),
        ({"a": "passthrough"}, r"`pruners\['a'\]` must be a pruner"),
        ({}, r"`pruners` is an empty dict"),
        ({"random": RandomPruner()}, r"`pruners` may not use the names"),
    ],
)
def test_pruners_that_are_not_pruners(data, pruners, match):
    X, y = data
    with pytest.raises((TypeError, ValueError), match=match):
        pruning_curve(LogisticRegression(), pruners, X, y)


@pytest.mark.parametrize("keep", [[0.0], [1.5], [-0.2], [0], [True], ["half"], []])
def test_keep_values_outside_the_range(data, keep):
    X, y = data
    with pytest.raises(ValueError, match="`keep`"):
        pruning_curve(LogisticRegression(), RandomPruner(), X, y, keep=keep)


def test_keep_count_larger_than_a_training_fold(data):
    X, y = data
    with pytest.raises(ValueError, match=r"`keep`=121 rows .* smallest training fold"):
        pruning_curve(LogisticRegression(), RandomPruner(), X, y, keep=[121], cv=5)


def test_estimator_without_fit(data):
    X, y = data
    with pytest.raises(TypeError, match="`estimator` must be an estimator"):
        pruning_curve("logistic", RandomPruner(), X, y)


def test_budget_that_drop_hardest_cannot_meet_fails_early(data):
    X, y = data
    SpyPruner.seen.clear()
    with pytest.raises(ValueError, match=r"pruners\['spy'\].*drop_hardest"):
        pruning_curve(
            LogisticRegression(),
            {"spy": SpyPruner(drop_hardest=0.5)},
            np.column_stack([np.arange(len(X)), X]),
            y,
            keep=[0.2, 0.7],
        )
    assert SpyPruner.seen == []  # nothing was scored


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n_repeats=0), ValueError, "`n_repeats`"),
        (dict(verbose=-1), ValueError, "`verbose`"),
        (dict(cv=1), ValueError, "`cv`"),
        (dict(scoring=["accuracy", "f1"]), ValueError, "`scoring` must be a single"),
    ],
)
def test_other_bad_parameters(data, kwargs, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        pruning_curve(LogisticRegression(), RandomPruner(), X, y, **kwargs)


def test_x_and_y_lengths_must_match(data):
    X, y = data
    with pytest.raises(ValueError, match="different numbers of rows"):
        pruning_curve(LogisticRegression(), RandomPruner(), X, y[:-1])


# -- worst class, paired summary, difficulty quotas -----------------------------
@pytest.fixture(scope="module")
def per_class_result():
    X, y = make_classification(
        n_samples=150, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    pruners = {
        "proto": PrototypePruner(n_clusters=3),
        "proto, difficulty": PrototypePruner(n_clusters=3, class_balance="difficulty"),
        "proto, none": PrototypePruner(n_clusters=3, class_balance="none"),
    }
    return pruning_curve(
        LogisticRegression(max_iter=300),
        pruners,
        X,
        y,
        keep=[0.3, 0.6],
        cv=3,
        per_class=True,
        random_state=0,
    )


def test_per_class_recall_and_the_worst_class(per_class_result):
    result = per_class_result
    np.testing.assert_array_equal(result.classes, [0, 1, 2])
    assert result.class_recall["proto"].shape == (2, 3, 3)
    assert result.full_class_recall.shape == (3, 3)
    assert np.all(
        (result.class_recall["proto"] >= 0) & (result.class_recall["proto"] <= 1)
    )
    worst = result.worst_class_scores()
    np.testing.assert_allclose(worst["proto"], result.class_recall["proto"].min(axis=2))
    # recall is at most the mean recall, the balanced accuracy
    mean_recall = result.class_recall["proto"].mean(axis=2)
    assert np.all(worst["proto"] <= mean_recall)
    frame = result.to_frame()
    assert "worst_class" in frame.columns
    assert frame["worst_class"].notna().all()


def test_summary_pairs_each_curve_with_its_baseline(per_class_result):
    result = per_class_result
    summary = result.summary()
    assert result.baselines["proto, difficulty"] == "random, class-balanced"
    assert result.baselines["proto, none"] == "random"
    row = summary[(summary["curve"] == "proto") & (summary["keep"] == 0.3)].iloc[0]
    d = result.test_scores["proto"][0] - result.test_scores[row["baseline"]][0]
    assert row["difference"] == pytest.approx(d.mean())
    assert row["difference_std"] == pytest.approx(d.std())
    assert row["wins"] + row["losses"] + row["ties"] == result.n_splits
    baseline = summary[summary["curve"] == summary["baseline"]]
    assert (baseline["difference"] == 0).all() and (baseline["ties"] == 3).all()
    worst = result.summary("worst_class")
    assert worst["mean"].between(0, 1).all()


def test_difficulty_curves_measure_errors_per_training_fold(per_class_result):
    # the difficulty curve keeps different rows than the equal-fraction one
    result = per_class_result
    assert not np.array_equal(
        result.test_scores["proto"], result.test_scores["proto, difficulty"]
    )


def test_worst_class_needs_per_class(data):
    X, y = data
    result = pruning_curve(
        LogisticRegression(max_iter=300), RandomPruner(), X, y, keep=[0.5], cv=2
    )
    assert result.class_recall is None and "worst_class" not in result.to_frame()
    with pytest.raises(ValueError, match="per_class=True"):
        result.worst_class_scores()
    with pytest.raises(ValueError, match="`metric` must be"):
        result.summary("recall")


def test_per_class_needs_a_classifier_and_labels(data):
    X, y = data
    with pytest.raises(ValueError, match="per_class=True"):
        pruning_curve(
            LinearRegression(),
            RandomPruner(),
            X,
            y.astype(float) + 0.5,
            keep=[0.5],
            cv=2,
            per_class=True,
        )


class GeometricSpyPruner(SpyPruner):
    """A pruner whose ``drop_hardest="auto"`` drops nothing (label-free scores)."""

    _auto_drop_hardest = 0.0


@pytest.mark.parametrize(
    ("auto", "explicit"),
    [
        (SpyPruner(), SpyPruner(drop_hardest=0.1)),
        (GeometricSpyPruner(), GeometricSpyPruner(drop_hardest=0.0)),
    ],
    ids=["label-aware", "geometric"],
)
def test_curve_resolves_auto_drop_hardest_as_the_pruner_does(auto, explicit):
    # pruning_curve selects from shared scores without calling fit: "auto"
    # must still mean what the pruner's own fit means
    X, y = make_classification(120, 6, n_informative=4, random_state=0)
    X = np.column_stack([np.arange(120), X])
    result = pruning_curve(
        LogisticRegression(),
        {"auto": auto, "explicit": explicit},
        X,
        y,
        keep=[0.3, 0.8],
        cv=3,
        random_state=0,
    )
    frame = result.summary()
    a = frame[frame["curve"] == "auto"]["mean"].to_numpy()
    b = frame[frame["curve"] == "explicit"]["mean"].to_numpy()
    np.testing.assert_array_equal(a, b)


@pytest.fixture
def flipped():
    """Three well-separated blobs, a quarter of the labels flipped; column 0 = id."""
    from sklearn.datasets import make_blobs

    X, y = make_blobs(300, n_features=4, centers=3, cluster_std=0.5, random_state=0)
    rng = np.random.RandomState(0)
    wrong = rng.choice(300, 75, replace=False)
    y = y.copy()
    y[wrong] = (y[wrong] + 1 + rng.randint(0, 2, 75)) % 3
    return np.column_stack([np.arange(300), X]), y, set(wrong.tolist())


def _share_of_flipped_trained_on(data, pruner):
    X, y, wrong = data
    SpyClassifier.records.clear()
    pruning_curve(
        SpyClassifier(), {"p": pruner}, X, y, keep=[0.5], cv=3, random_state=0
    )
    # records: the full fold, then the curve, then its random baseline, per split
    trained = [ids for ids, _, _ in SpyClassifier.records[1::3]]
    return np.mean([np.isin(ids, list(wrong)).mean() for ids in trained])


def test_curve_drops_the_suspected_mislabeled_rows_as_fit_does(flipped):
    # pruning_curve used to ignore drop_mislabeled: the curve trained on the
    # flipped rows that the pruner's own fit removes
    kept = _share_of_flipped_trained_on(
        flipped, EL2NPruner(drop_mislabeled=True, random_state=0)
    )
    plain = _share_of_flipped_trained_on(flipped, EL2NPruner(random_state=0))
    assert kept < 0.03 < plain


def test_curve_sets_drop_hardest_from_the_noise_rate_as_fit_does(flipped):
    # "noise_rate" used to be read as "auto" (0.1): with a quarter of the labels
    # flipped, the hardest quarter (the flipped rows) must go, not a tenth
    rate = _share_of_flipped_trained_on(
        flipped, EL2NPruner(drop_hardest="noise_rate", random_state=0)
    )
    tenth = _share_of_flipped_trained_on(
        flipped, EL2NPruner(drop_hardest=0.1, random_state=0)
    )
    assert rate < 0.05 < tenth


def test_curve_cuts_pred_probs_to_each_training_fold(flipped):
    # pred_probs describes every row of X: each fold's pruner gets its rows
    # (it used to get them all, and fit refused the mismatch)
    X, y, wrong = flipped
    truth = y.copy()
    truth[sorted(wrong)] = -1  # only the flipped rows disagree with pred_probs
    proba = np.full((300, 3), 0.01)
    proba[np.arange(300), np.where(truth >= 0, y, (y + 1) % 3)] = 0.98
    pruner = EL2NPruner(pred_probs=proba, drop_mislabeled=True, random_state=0)
    assert _share_of_flipped_trained_on(flipped, pruner) == 0.0

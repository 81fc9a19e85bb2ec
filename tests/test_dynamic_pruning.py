"""Dynamic pruning: the InfoBatch / RS2 rule and DynamicPruningClassifier."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import MultinomialNB
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_prune import DynamicPruningClassifier
from sklearn_prune._dynamic_pruning import plan_epoch, planned_sizes
from sklearn_prune._selection import n_kept


def _plan(losses, **kw):
    kw = {"epoch": 1, "n_epochs": 10, "seed": 0, **kw}
    return plan_epoch(n_samples=len(losses), losses=losses, **kw)


# -- the rule -----------------------------------------------------------------


@pytest.mark.parametrize("keep", [0.3, 0.55, 0.7, 0.9])
@pytest.mark.parametrize("n", [10, 101, 1000])
def test_infobatch_meets_the_overall_fraction_exactly_and_stays_unbiased(n, keep):
    losses = np.random.default_rng(n).exponential(size=n)
    plan = _plan(losses, keep=keep)
    assert plan.pruned
    assert plan.indices.size == n_kept(keep, n)
    assert np.unique(plan.indices).size == plan.indices.size
    # the factors make every epoch's summed loss unbiased: sum of weights = n
    assert plan.weights.sum() == pytest.approx(n)
    assert plan.weights.max() <= 1 / (1 - 0.75) + 1e-12


def test_infobatch_skips_only_rows_below_the_mean_and_rescales_their_set():
    losses = np.random.default_rng(0).exponential(size=400)
    plan = _plan(losses, keep=0.8)
    skipped = np.setdiff1d(np.arange(400), plan.indices)
    below = losses < losses.mean()
    assert below[skipped].all()
    factor = below.sum() / (below.sum() - skipped.size)
    np.testing.assert_allclose(plan.weights[below[plan.indices]], factor)
    np.testing.assert_allclose(plan.weights[~below[plan.indices]], 1.0)


def test_quantile_threshold():
    losses = np.arange(100.0)
    plan = _plan(losses, keep=0.9, threshold=0.2)
    skipped = np.setdiff1d(np.arange(100), plan.indices)
    assert skipped.size == 10 and skipped.max() < np.quantile(losses, 0.2)


def test_too_few_low_losses_grow_the_prunable_set_to_the_lowest_rows():
    losses = np.r_[np.zeros(10), np.ones(90)]  # 10% below the mean
    plan = _plan(losses, keep=0.7, max_prune_ratio=0.75)  # 30 to skip
    skipped = np.setdiff1d(np.arange(100), plan.indices)
    assert skipped.size == 30
    # the prunable set is the 40 lowest rows: the 10 zeros and 30 of the ones
    assert set(range(10)) <= set(skipped) | set(plan.indices[plan.weights > 1])
    assert np.isclose(plan.weights.max(), 40 / 10)
    assert plan.weights.sum() == pytest.approx(100)


def test_first_epoch_rows_without_a_loss_and_annealed_epochs_visit_every_row():
    losses = np.random.default_rng(0).random(50)
    assert not _plan(losses, epoch=0).pruned
    with_nan = losses.copy()
    with_nan[3] = np.nan
    assert not _plan(with_nan).pruned
    assert not plan_epoch(n_samples=50, epoch=1, n_epochs=10, losses=None).pruned
    # anneal=0.8 of 10 epochs: epochs 1..7 pruned, 8 and 9 full
    pruned = [_plan(losses, epoch=e, anneal=0.8).pruned for e in range(10)]
    assert pruned == [False] + [True] * 7 + [False, False]
    full = _plan(losses, epoch=9, anneal=0.8)
    assert np.array_equal(np.sort(full.indices), np.arange(50))
    assert np.all(full.weights == 1)


def test_infinite_or_misshaped_losses_are_refused():
    with pytest.raises(ValueError, match="infinite"):
        _plan(np.array([1.0, np.inf, 2.0]))
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        plan_epoch(n_samples=3, epoch=1, n_epochs=5, losses=np.ones(4))


def test_rs2_visits_every_row_once_before_any_row_twice():
    n, keep = 10, 0.3  # 3 rows an epoch
    plans = [
        plan_epoch(n_samples=n, epoch=e, n_epochs=20, keep=keep, rule="rs2", anneal=1.0)
        for e in range(7)
    ]
    assert all(p.pruned and p.indices.size == 3 for p in plans)
    assert all(np.all(p.weights == 1) for p in plans)
    stream = np.concatenate([p.indices for p in plans])
    assert np.array_equal(np.sort(stream[:10]), np.arange(10))
    assert np.array_equal(np.sort(stream[10:20]), np.arange(10))


def test_plans_depend_on_the_seed_only():
    losses = np.random.default_rng(0).random(100)
    a, b = _plan(losses, seed=3), _plan(losses, seed=3)
    assert np.array_equal(a.indices, b.indices)
    assert not np.array_equal(a.indices, _plan(losses, seed=4).indices)
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    _plan(losses)
    assert np.array_equal(state, np.random.get_state()[1])  # noqa: NPY002


def test_planned_sizes():
    sizes = planned_sizes(100, 8, keep=0.6, rule="infobatch", anneal=0.875)
    assert sizes.tolist() == [100] + [60] * 6 + [100]
    sizes = planned_sizes(100, 8, keep=0.6, rule="rs2", anneal=1.0)
    assert sizes.tolist() == [60] * 8


# -- the meta-estimator ---------------------------------------------------------


class _Recorder:
    """Mixin recording the sample_weight each partial_fit call receives."""

    def partial_fit(self, X, y, classes=None, **kw):
        self.calls_ = [*getattr(self, "calls_", []), (len(X), kw.get("sample_weight"))]
        return super().partial_fit(X, y, classes=classes, **kw)


class _RecSGD(_Recorder, SGDClassifier):
    pass


class _RecMLP(_Recorder, MLPClassifier):
    pass


class _Unknown(ClassifierMixin, BaseEstimator):
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        self.classes_ = np.asarray(classes)
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 1 / len(self.classes_))


@pytest.fixture
def digits01(digits):
    X, y = digits
    return X / 16.0, y


def test_schedule_and_fitted_attributes(digits01):
    X, y = digits01
    clf = DynamicPruningClassifier(
        SGDClassifier(loss="log_loss"), max_iter=8, keep=0.5, random_state=0
    ).fit(X, y)
    k = n_kept(0.5, len(X))
    assert clf.kept_fraction_.tolist() == [1.0] + [k / len(X)] * 6 + [1.0]
    assert clf.n_row_passes_ == 2 * len(X) + 6 * k
    assert clf.utilization_ == pytest.approx(clf.n_row_passes_ / (8 * len(X)))
    assert clf.n_iter_ == 8 and np.isfinite(clf.losses_).all()
    assert clf.score(X, y) > 0.9
    assert clf.predict_proba(X).shape == (len(X), 10)


def test_weighting_auto_gives_the_factor_to_sgd_and_not_to_mlp(digits01):
    X, y = digits01
    sgd = DynamicPruningClassifier(_RecSGD(loss="log_loss"), max_iter=4, keep=0.6)
    calls = sgd.fit(X, y).estimator_.calls_
    assert calls[0][1] is None  # the full first epoch needs no factor
    assert calls[1][1] is not None and calls[1][1].max() > 1
    assert calls[1][1].sum() == pytest.approx(len(X))
    mlp = DynamicPruningClassifier(_RecMLP(max_iter=1), max_iter=4, keep=0.6)
    assert all(w is None for _, w in mlp.fit(X, y).estimator_.calls_)
    forced = DynamicPruningClassifier(
        _RecSGD(loss="log_loss"), max_iter=4, keep=0.6, weighting="none"
    )
    assert all(w is None for _, w in forced.fit(X, y).estimator_.calls_)


def test_weighting_auto_refuses_to_guess(digits01):
    X, y = digits01
    with pytest.raises(ValueError, match="weighting='factor'"):
        DynamicPruningClassifier(_Unknown(), max_iter=2).fit(X, y)
    DynamicPruningClassifier(_Unknown(), max_iter=2, weighting="factor").fit(X, y)
    clf = DynamicPruningClassifier(MultinomialNB(), max_iter=3, keep=0.5).fit(X, y)
    assert clf.kept_fraction_[1] == pytest.approx(0.5, abs=1e-3)


def test_losses_from_decision_function(digits01):
    X, y = digits01
    for labels in (y, (y > 4).astype(int)):  # multiclass and binary
        clf = DynamicPruningClassifier(
            SGDClassifier(loss="hinge"), max_iter=3, random_state=0
        ).fit(X, labels)
        assert not hasattr(clf, "predict_proba")
        assert np.isfinite(clf.losses_).all() and (clf.losses_ >= 0).all()


def test_rs2_needs_no_loss(digits01):
    X, y = digits01
    clf = DynamicPruningClassifier(
        SGDClassifier(), max_iter=4, rule="rs2", anneal=1.0, keep=0.25
    ).fit(X, y)
    assert np.isnan(clf.losses_).all()
    assert clf.utilization_ == pytest.approx(n_kept(0.25, len(X)) / len(X))


def test_early_stopping_keeps_the_best_epoch(digits01):
    X, y = digits01
    clf = DynamicPruningClassifier(
        SGDClassifier(loss="log_loss"),
        max_iter=30,
        early_stopping=True,
        n_iter_no_change=2,
        tol=1.0,  # no epoch can improve by a whole point of accuracy
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ == 3 and clf.best_iteration_ == 1
    assert len(clf.validation_scores_) == 3
    assert clf.losses_.size == len(X) - int(np.ceil(0.1 * len(X)))
    patient = DynamicPruningClassifier(
        SGDClassifier(loss="log_loss"),
        max_iter=12,
        early_stopping=True,
        n_iter_no_change=50,
        random_state=0,
    ).fit(X, y)
    assert patient.n_iter_ == 12
    best = patient.validation_scores_.max()
    assert patient.validation_scores_[patient.best_iteration_ - 1] == best


def test_reproducible_and_clonable(digits01):
    X, y = digits01
    clf = DynamicPruningClassifier(SGDClassifier(), max_iter=4, random_state=7)
    a = clf.fit(X, y).estimator_.coef_.copy()
    b = clone(clf).fit(X, y).estimator_.coef_
    np.testing.assert_array_equal(a, b)


def test_grid_search_and_pipeline(digits01):
    X, y = digits01
    pipe = make_pipeline(
        StandardScaler(),
        DynamicPruningClassifier(SGDClassifier(), max_iter=3, random_state=0),
    )
    search = GridSearchCV(
        pipe, {"dynamicpruningclassifier__keep": [0.5, 1.0]}, cv=2
    ).fit(X, y)
    assert search.best_params_["dynamicpruningclassifier__keep"] in (0.5, 1.0)
    assert search.score(X, y) > 0.85


def test_bad_parameters_name_themselves(digits01):
    X, y = digits01
    with pytest.raises(ValueError, match="keep"):
        DynamicPruningClassifier(keep=1.5).fit(X, y)
    with pytest.raises(ValueError, match="rule"):
        DynamicPruningClassifier(rule="forget").fit(X, y)
    with pytest.raises(ValueError, match="estimator"):
        DynamicPruningClassifier(StandardScaler()).fit(X, y)


@parametrize_with_checks(
    [DynamicPruningClassifier(SGDClassifier(loss="log_loss"), max_iter=5)]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)

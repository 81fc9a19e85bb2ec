"""Class quotas: equal fractions, none, and by difficulty (DRoP)."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from sklearn_prune import (
    EL2NPruner,
    Pipeline,
    PrototypePruner,
    RandomPruner,
    select_indices,
)
from sklearn_prune._selection import _difficulty_quotas, class_error_rates


def test_difficulty_gives_the_hard_class_more_than_its_share():
    # 900 easy rows, 100 hard ones: the hard class's share of 300 kept rows by
    # error rate (277) exceeds its 100 rows, so it keeps all of them and the
    # easy class takes the rest; the total stays exact
    y = np.repeat([0, 1], [900, 100])
    scores = np.random.RandomState(0).uniform(size=1000)
    kept = select_indices(
        scores, 0.3, y=y, class_balance="difficulty", class_errors=[0.05, 0.6]
    )
    counts = np.bincount(y[kept], minlength=2)
    assert kept.shape == (300,)
    assert counts[1] == 100  # all its rows, never more
    assert counts[1] > 0.3 * 100  # more than the proportional share
    assert counts[0] == 200


def test_difficulty_quotas_follow_the_errors_when_no_class_is_full():
    quotas = _difficulty_quotas(np.array([0.1, 0.3]), 40, np.array([100, 100]))
    assert quotas.tolist() == [10, 30]


def test_error_rates_are_add_one_estimates():
    codes = np.array([0, 0, 0, 1, 1])
    wrong = np.array([0.0, 0.0, 0.0, 1.0, 0.5])
    rates = class_error_rates(codes, wrong, 2)
    np.testing.assert_allclose(rates, [1 / 5, 2.5 / 4])


@pytest.fixture
def one_noisy_class():
    """Class 0 clean and separable; class 1 rows have 40% flipped labels."""
    X, y = make_classification(
        n_samples=600,
        n_features=6,
        n_informative=4,
        class_sep=2.5,
        flip_y=0,
        weights=[0.5, 0.5],
        random_state=0,
    )
    y = y.copy()
    rng = np.random.RandomState(0)
    ones = np.flatnonzero(y == 1)
    y[rng.choice(ones, int(0.4 * ones.shape[0]), replace=False)] = 2
    return X, y  # class 2: rows of class 1 relabelled at random


def test_measured_errors_are_a_fitted_attribute(one_noisy_class):
    X, y = one_noisy_class
    pruner = PrototypePruner(keep=0.3, class_balance="difficulty", random_state=0)
    pruner.fit(X, y)
    errors = pruner.class_errors_
    assert sorted(errors) == [0, 1, 2]
    assert errors[0] < errors[1] and errors[0] < errors[2]
    counts = np.bincount(y[pruner.sample_indices_], minlength=3)
    assert counts.sum() == 180
    assert counts[0] < 0.3 * np.sum(y == 0)  # the easy class gives up rows


def test_el2n_with_cv_reuses_its_probes(one_noisy_class, monkeypatch):
    import sklearn_prune._class_errors as probe_module

    def refuse(*args, **kwargs):
        raise AssertionError("EL2N with cv must not train a separate probe")

    monkeypatch.setattr(probe_module, "probe_class_errors", refuse)
    X, y = one_noisy_class
    pruner = EL2NPruner(
        keep=0.3, cv=3, n_estimators=2, class_balance="difficulty", random_state=0
    ).fit(X, y)
    assert pruner.class_errors_[0] < pruner.class_errors_[2]


def test_given_errors_set_the_quotas(one_noisy_class):
    X, y = one_noisy_class
    given = {0: 0.1, 1: 0.1, 2: 0.8}
    pruner = RandomPruner(keep=0.2, class_balance=given, random_state=0).fit(X, y)
    assert pruner.class_errors_ == given
    counts = np.bincount(y[pruner.sample_indices_], minlength=3)
    assert counts.sum() == 120
    assert counts[2] == min(np.sum(y == 2), 96)


def test_given_errors_must_cover_every_class(one_noisy_class):
    X, y = one_noisy_class
    with pytest.raises(ValueError, match=r"also has classes \[2\]"):
        RandomPruner(class_balance={0: 0.1, 1: 0.2}).fit(X, y)


def test_difficulty_without_a_tabular_x_asks_for_given_errors():
    from sklearn_prune._class_errors import probe_class_errors

    rows = ["a b", "b c", "c d", "d e"] * 5
    with pytest.raises(ValueError, match="class_balance=.class: error_rate"):
        probe_class_errors(rows, np.array([0, 1] * 10), np.random.RandomState(0))


@pytest.mark.parametrize("old, new", [(True, "equal"), (False, "none")])
def test_booleans_still_name_their_rules(one_noisy_class, old, new):
    X, y = one_noisy_class
    a = PrototypePruner(keep=0.25, class_balance=old, random_state=0).fit(X, y)
    b = PrototypePruner(keep=0.25, class_balance=new, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.sample_indices_, b.sample_indices_)


def test_grid_search_over_the_class_quota_in_a_pipeline(one_noisy_class):
    X, y = one_noisy_class
    pipe = Pipeline(
        [
            ("prune", PrototypePruner(keep=0.5, random_state=0)),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    rules = ["equal", "difficulty", "none"]
    search = GridSearchCV(pipe, {"prune__class_balance": rules}, cv=3).fit(X, y)
    assert search.best_params_["prune__class_balance"] in rules
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_defaults_are_stratified_and_keep_hard_is_one_argument_away(
    one_noisy_class,
):
    X, y = one_noisy_class
    default = EL2NPruner(keep=0.3, random_state=0)
    assert (default.strategy, default.drop_hardest) == ("stratified", "auto")
    assert default._drop_fraction(600) == 0.1
    # never more than the budget leaves over: keep=1.0 keeps every row
    assert default.set_params(keep=0.95)._drop_fraction(600) == pytest.approx(0.05)
    # label-free geometric scores: the farthest rows are atypical, not noise
    proto = PrototypePruner(keep=0.3, random_state=0)
    assert (proto.strategy, proto.drop_hardest) == ("stratified", "auto")
    assert proto._drop_fraction(600) == 0.0
    assert proto.set_params(keep=1.0).fit(X, y).sample_indices_.shape == (600,)
    hard = PrototypePruner(keep=0.3, strategy="hard", random_state=0).fit(X, y)
    assert hard._drop_fraction(600) == 0.0
    # the paper's keep-hard: the highest scores of every class, nothing dropped
    expected = select_indices(
        hard.scores_, 0.3, strategy="hard", y=y, class_balance=True, random_state=0
    )
    np.testing.assert_array_equal(hard.sample_indices_, expected)

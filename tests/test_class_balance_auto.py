"""class_balance="auto", the default: balance classes when y holds class labels."""

import numpy as np
import pytest

from sklearn_prune import OraclePruner, PrototypePruner, RandomPruner


@pytest.fixture
def imbalanced():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3))
    y = np.repeat([0, 1, 2], [60, 30, 10])
    return X, y


def _pruners():
    return [
        RandomPruner(keep=0.3, random_state=0),
        PrototypePruner(keep=0.3, n_clusters=2, random_state=0),
        OraclePruner(teacher=[1.0, 0.0, 0.0], keep=0.3, random_state=0),
    ]


@pytest.mark.parametrize("pruner", _pruners(), ids=lambda p: type(p).__name__)
def test_auto_is_the_default_and_balances_class_labels(pruner, imbalanced):
    X, y = imbalanced
    assert pruner.get_params()["class_balance"] == "auto"
    auto = pruner.fit(X, y).sample_indices_
    on = pruner.set_params(class_balance=True).fit(X, y).sample_indices_
    np.testing.assert_array_equal(auto, on)
    np.testing.assert_array_equal(np.bincount(y[auto]), [18, 9, 3])


@pytest.mark.parametrize("pruner", _pruners(), ids=lambda p: type(p).__name__)
def test_auto_does_not_balance_without_class_labels(pruner, imbalanced):
    X, y = imbalanced
    off = pruner.set_params(class_balance=False)
    no_y = off.fit(X).sample_indices_
    auto = pruner.set_params(class_balance="auto")
    np.testing.assert_array_equal(auto.fit(X).sample_indices_, no_y)
    # continuous values: no balance, no error
    y_cont = X[:, 1] * 10
    np.testing.assert_array_equal(
        auto.fit(X, y_cont).sample_indices_, off.fit(X, y_cont).sample_indices_
    )
    assert not auto.__sklearn_tags__().target_tags.required


@pytest.mark.parametrize("pruner", _pruners(), ids=lambda p: type(p).__name__)
def test_auto_balances_one_hot_rows_as_their_labels(pruner, imbalanced):
    X, y = imbalanced
    auto = pruner.set_params(class_balance="auto")
    labels = auto.fit(X, y).sample_indices_
    np.testing.assert_array_equal(auto.fit(X, np.eye(3)[y]).sample_indices_, labels)


def test_true_still_requires_y(imbalanced):
    X, _ = imbalanced
    pruner = RandomPruner(class_balance=True)
    assert pruner.__sklearn_tags__().target_tags.required
    with pytest.raises(ValueError, match="requires y"):
        pruner.fit(X)


def test_bad_class_balance_names_the_parameter(imbalanced):
    X, y = imbalanced
    with pytest.raises(ValueError, match="class_balance"):
        RandomPruner(class_balance="yes").fit(X, y)

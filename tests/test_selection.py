"""The pure row-selection function shared by every pruner."""

import numpy as np
import pytest

from sklearn_prune import select_indices
from sklearn_prune._selection import n_kept
from sklearn_prune.exceptions import PruningWarning


@pytest.mark.parametrize(
    "keep, n, expected",
    [
        (0.4, 1000, 400),
        (0.5, 5, 3),
        (0.25, 10, 3),
        (0.29, 100, 29),
        (0.001, 10, 1),
        (1.0, 7, 7),
        (3, 10, 3),
        (10, 10, 10),
    ],
)
def test_n_kept_rounds_half_up_and_keeps_at_least_one(keep, n, expected):
    assert n_kept(keep, n) == expected


@pytest.mark.parametrize("keep", [0.0, -0.1, 1.5, 0, 11, True, "half"])
def test_n_kept_rejects_bad_keep(keep):
    with pytest.raises((ValueError, TypeError), match="keep"):
        n_kept(keep, 10)


def test_hard_keeps_highest_easy_keeps_lowest(rng):
    scores = rng.permutation(100).astype(float)
    hard = select_indices(scores, 10, strategy="hard")
    easy = select_indices(scores, 10, strategy="easy")
    assert set(scores[hard]) == set(range(90, 100))
    assert set(scores[easy]) == set(range(10))
    assert np.all(np.diff(hard) > 0) and np.all(np.diff(easy) > 0)


def test_ties_are_broken_reproducibly_by_random_state():
    scores = np.zeros(50)
    a = select_indices(scores, 10, random_state=1)
    b = select_indices(scores, 10, random_state=1)
    c = select_indices(scores, 10, random_state=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_class_balance_keeps_each_class_share_exactly(rng):
    y = np.array([0] * 60 + [1] * 30 + [2] * 10)
    # class 0 is hardest everywhere: unbalanced pruning would keep only class 0
    scores = np.where(y == 0, 10.0, 0.0) + rng.uniform(size=100)
    unbalanced = select_indices(scores, 0.3, y=y)
    assert set(y[unbalanced]) == {0}
    kept = select_indices(scores, 0.3, y=y, class_balance=True)
    assert kept.shape == (30,)
    np.testing.assert_array_equal(np.bincount(y[kept]), [18, 9, 3])
    # within a class, still the hardest rows
    for c in range(3):
        in_class = np.flatnonzero(y == c)
        top = in_class[np.argsort(-scores[in_class])][: np.sum(y[kept] == c)]
        assert set(top) == set(kept[y[kept] == c])


def test_class_balance_total_is_exact_with_remainders():
    y = np.repeat([0, 1, 2], [7, 7, 7])
    kept = select_indices(np.arange(21.0), 10, y=y, class_balance=True)
    assert kept.shape == (10,)
    assert sorted(np.bincount(y[kept])) == [3, 3, 4]


def test_class_balance_warns_when_a_class_gets_no_row():
    y = np.array([0] * 99 + [1])
    with pytest.warns(PruningWarning, match="no row of classes"):
        kept = select_indices(np.arange(100.0), 0.1, y=y, class_balance=True)
    assert kept.shape == (10,)


def test_class_balance_needs_y():
    with pytest.raises(ValueError, match="class_balance"):
        select_indices(np.arange(5.0), 2, class_balance=True)


def test_bad_scores_and_strategy():
    with pytest.raises(ValueError, match="scores"):
        select_indices(np.array([0.0, np.nan]), 1)
    with pytest.raises(ValueError, match="strategy"):
        select_indices(np.arange(3.0), 1, strategy="medium")

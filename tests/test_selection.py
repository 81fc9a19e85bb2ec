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


@pytest.mark.filterwarnings("ignore:`keep`=1 is an int:UserWarning")
def test_bad_scores_and_strategy():
    with pytest.raises(ValueError, match="scores"):
        select_indices(np.array([0.0, np.nan]), 1)
    with pytest.raises(ValueError, match="strategy"):
        select_indices(np.arange(3.0), 1, strategy="medium")


# -- policies ---------------------------------------------------------------
STRATEGIES = ["hard", "easy", "stratified", "moderate"]


def _ranked_reference(scores, strategy, seed_state):
    """Positions from most to least wanted, by a plain sort (the test oracle)."""
    from sklearn.utils import check_random_state

    from sklearn_prune._order import float_keys, tie_keys
    from sklearn_prune._seeding import draw_seed

    seed = draw_seed(check_random_state(seed_state))
    ascending = np.lexsort((tie_keys(seed, 0, len(scores)), float_keys(scores)))
    return ascending[::-1] if strategy == "hard" else ascending


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("class_balance", [False, True])
@pytest.mark.parametrize("drop_hardest", [0.0, 0.15])
@pytest.mark.parametrize("keep", [0.05, 0.3, 0.8, 17])
def test_every_policy_keeps_the_exact_count(
    strategy, class_balance, drop_hardest, keep
):
    rng = np.random.RandomState(0)
    y = rng.choice(4, size=333, p=[0.5, 0.3, 0.15, 0.05])
    scores = np.round(rng.normal(size=333), 1)  # many ties
    expected = n_kept(keep, 333)
    if expected > 333 - np.floor(drop_hardest * 333):
        pytest.skip("budget above what drop_hardest leaves")
    kept = select_indices(
        scores,
        keep,
        strategy=strategy,
        drop_hardest=drop_hardest,
        n_strata=7,
        y=y,
        class_balance=class_balance,
        random_state=0,
    )
    assert kept.shape == (expected,) and kept.dtype == np.int64
    assert np.all(np.diff(kept) > 0)
    if class_balance:  # every class keeps its proportional share, up to one row
        share = np.bincount(y, minlength=4) * expected / 333
        assert np.all(np.abs(np.bincount(y[kept], minlength=4) - share) < 1)


@pytest.mark.parametrize("strategy", ["hard", "easy"])
@pytest.mark.parametrize("seed", range(5))
def test_hard_and_easy_match_a_plain_sort_with_random_ties(strategy, seed):
    rng = np.random.RandomState(seed)
    n = rng.randint(1, 400)
    scores = rng.randint(0, 6, size=n).astype(float)  # heavy ties
    k = rng.randint(1, n + 1)
    kept = select_indices(scores, k, strategy=strategy, random_state=seed)
    expected = np.sort(_ranked_reference(scores, strategy, seed)[:k])
    np.testing.assert_array_equal(kept, expected)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_drop_hardest_never_keeps_a_dropped_row(strategy):
    rng = np.random.RandomState(1)
    scores = rng.permutation(1000).astype(float)  # distinct: dropped rows are known
    kept = select_indices(
        scores, 0.5, strategy=strategy, drop_hardest=0.2, random_state=0
    )
    assert kept.shape == (500,)
    assert scores[kept].max() < 800  # the 200 hardest (scores 800..999) are gone
    if strategy == "hard":  # Data Diet's window: the next hardest 500
        assert set(scores[kept]) == set(range(300, 800))


def test_drop_hardest_is_applied_within_each_class():
    y = np.repeat([0, 1], 100)
    scores = np.concatenate([np.arange(100.0), np.arange(100.0) + 1000])
    kept = select_indices(
        scores, 0.5, drop_hardest=0.1, y=y, class_balance=True, random_state=0
    )
    for c in (0, 1):  # each class drops its own 10 hardest, then keeps the next 50
        ranks = scores[kept[y[kept] == c]] - 1000 * c
        assert set(ranks) == set(range(40, 90))


def test_drop_hardest_budget_error_names_both_parameters():
    with pytest.raises(ValueError, match="drop_hardest.*Lower `keep`"):
        select_indices(np.arange(100.0), 0.9, drop_hardest=0.2)
    # the budget that just fits is met exactly
    kept = select_indices(np.arange(100.0), 0.8, drop_hardest=0.2)
    np.testing.assert_array_equal(kept, np.arange(80))


def _ccs_allocation(counts, budget):
    """CCS's loop: strata from the smallest up, each an equal share of the rest."""
    quotas = np.zeros_like(counts)
    order = [s for s in np.argsort(counts, kind="stable") if counts[s] > 0]
    left = budget
    for i, s in enumerate(order):
        quotas[s] = min(counts[s], left // (len(order) - i))
        left -= quotas[s]
    return quotas, left


def test_stratified_covers_every_stratum_as_ccs_allocates():
    rng = np.random.RandomState(0)
    # very unequal strata: most rows easy, a thin tail of hard ones
    scores = np.concatenate([rng.uniform(0, 0.1, 900), rng.uniform(0.1, 1.0, 100)])
    n_strata = 10
    kept = select_indices(
        scores, 200, strategy="stratified", n_strata=n_strata, random_state=0
    )
    assert kept.shape == (200,)
    edges = np.linspace(scores.min(), scores.max(), n_strata + 1)
    strata = np.clip(np.digitize(scores, edges[1:-1]), 0, n_strata - 1)
    counts = np.bincount(strata, minlength=n_strata)
    got = np.bincount(strata[kept], minlength=n_strata)
    expected, left = _ccs_allocation(counts, 200)
    assert left == 0
    np.testing.assert_array_equal(got, expected)
    # the sparse hard tail is fully covered, the dense easy stratum sampled
    assert np.all(got[counts <= expected] == counts[counts <= expected])
    assert got.sum() == 200 and np.count_nonzero(got) == np.count_nonzero(counts)


def test_stratified_draws_rows_at_random_within_a_stratum():
    scores = np.zeros(100)  # one stratum
    a = select_indices(scores, 10, strategy="stratified", random_state=0)
    b = select_indices(scores, 10, strategy="stratified", random_state=1)
    assert a.shape == b.shape == (10,) and not np.array_equal(a, b)


def test_strata_allocation_total_is_exact_when_shares_round_down():
    from sklearn_prune._selection import _strata_quotas

    rng = np.random.RandomState(0)
    for _ in range(200):
        counts = rng.randint(0, 20, size=rng.randint(1, 12))
        if counts.sum() == 0:
            continue
        budget = rng.randint(0, counts.sum() + 1)
        quotas = _strata_quotas(counts, budget)
        assert quotas.sum() == budget and np.all(quotas <= counts)


def test_moderate_keeps_the_rows_closest_to_the_median():
    rng = np.random.RandomState(0)
    scores = rng.normal(size=501)
    kept = select_indices(scores, 0.2, strategy="moderate", random_state=0)
    distance = np.abs(scores - np.median(scores))
    assert kept.shape == (100,)
    assert distance[kept].max() <= np.delete(distance, kept).min()


def test_moderate_uses_the_median_of_what_drop_hardest_leaves():
    scores = np.arange(100.0)
    kept = select_indices(scores, 10, strategy="moderate", drop_hardest=0.2)
    # 80 rows remain (0..79), median 39.5: the 10 closest are 35..44
    np.testing.assert_array_equal(kept, np.arange(35, 45))


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_policies_run_within_each_class(strategy):
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], [300, 100])
    # class 1 is much harder: without balance, "hard" would take only class 1
    scores = rng.uniform(size=400) + 10 * y
    kept = select_indices(
        scores, 0.25, strategy=strategy, y=y, class_balance=True, random_state=0
    )
    np.testing.assert_array_equal(np.bincount(y[kept]), [75, 25])
    for c in (0, 1):
        in_c = np.flatnonzero(y == c)
        alone = select_indices(
            scores[in_c], [75, 25][c], strategy=strategy, random_state=0
        )
        if strategy in ("hard", "moderate"):  # same rule as on the class alone
            assert set(in_c[alone]) == set(kept[y[kept] == c])


def test_class_balance_refuses_continuous_targets():
    y = np.linspace(0, 1, 50)
    with pytest.raises(ValueError, match="continuous"):
        select_indices(np.arange(50.0), 10, y=y, class_balance=True)


def test_class_balance_accepts_one_hot_rows():
    y = np.repeat([0, 1, 2], 10)
    one_hot = np.eye(3)[y]
    a = select_indices(np.arange(30.0), 9, y=y, class_balance=True, random_state=0)
    b = select_indices(
        np.arange(30.0), 9, y=one_hot, class_balance=True, random_state=0
    )
    np.testing.assert_array_equal(a, b)


def test_class_balance_scales_to_many_classes():
    # 10,000 classes of 10 rows: every class keeps 3 rows, the hardest
    rng = np.random.RandomState(0)
    y = np.repeat(np.arange(10_000), 10)
    scores = rng.uniform(size=y.shape[0])
    kept = select_indices(scores, 0.3, y=y, class_balance=True, random_state=0)
    assert np.all(np.bincount(y[kept], minlength=10_000) == 3)
    threshold = np.sort(scores.reshape(-1, 10), axis=1)[:, 7]
    assert np.all(scores[kept] >= threshold[y[kept]])


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_selection_does_not_depend_on_block_size(strategy, monkeypatch):
    from sklearn_prune import _blocks

    rng = np.random.RandomState(0)
    scores = np.round(rng.normal(size=1000), 1)
    y = rng.randint(0, 3, size=1000)
    kw = dict(
        strategy=strategy,
        drop_hardest=0.1,
        y=y,
        class_balance=True,
        n_strata=5,
        random_state=7,
    )
    whole = select_indices(scores, 0.3, **kw)
    monkeypatch.setattr(_blocks, "BLOCK_ROWS", 37)
    np.testing.assert_array_equal(select_indices(scores, 0.3, **kw), whole)


@pytest.mark.parametrize("seed", range(20))
def test_stratified_budget_limited_top_stratum_is_its_own(seed):
    # 5 strata of 2 rows each and a budget of 5: every stratum, the top one
    # included, keeps exactly one row (merging the top stratum into the one
    # below would let that pair of strata keep two rows from either)
    scores = np.arange(10.0)
    kept = select_indices(
        scores, 5, strategy="stratified", n_strata=5, random_state=seed
    )
    np.testing.assert_array_equal(np.bincount(kept // 2, minlength=5), np.ones(5))


@pytest.mark.filterwarnings("ignore:`keep`=1 is an int:UserWarning")
@pytest.mark.parametrize("n, budget", [(40, 10), (1000, 7), (1000, 2), (40, 1)])
def test_stratified_spreads_a_small_budget_over_the_whole_range(n, budget):
    # fewer rows to keep than non-empty strata: one row each from strata
    # spread evenly over the score range, not the hardest ones only
    scores = np.arange(float(n))
    kept = select_indices(scores, budget, strategy="stratified", random_state=0)
    assert kept.shape == (budget,)
    if budget > 1:
        assert kept.min() < n / 10 and kept.max() >= n - n / 10
        gaps = np.diff(kept)
        assert gaps.max() <= 2 * n / (budget - 1)
    else:
        assert n / 4 <= kept[0] < 3 * n / 4


def test_stratified_small_budget_within_each_class():
    scores = np.tile(np.arange(100.0), 2)
    y = np.repeat([0, 1], 100)
    kept = select_indices(
        scores, 8, strategy="stratified", y=y, class_balance=True, random_state=0
    )
    for c in (0, 1):
        ranks = scores[kept[y[kept] == c]]
        assert ranks.shape == (4,) and ranks.min() < 10 and ranks.max() >= 90


def test_strata_quotas_never_starve_a_stratum_while_another_is_over_served():
    from sklearn_prune._selection import _strata_quotas

    rng = np.random.RandomState(1)
    for _ in range(300):
        counts = rng.randint(0, 15, size=rng.randint(1, 30))
        budget = rng.randint(0, counts.sum() + 1)
        quotas = _strata_quotas(counts, budget)
        assert quotas.sum() == budget and np.all(quotas <= counts)
        unfilled = (quotas < counts) & (counts > 0)
        if unfilled.any():  # water filling: nobody above an unfilled one + 1
            assert quotas.max() <= quotas[unfilled].min() + 1


def test_n_strata_has_an_upper_bound():
    from sklearn_prune._selection import MAX_STRATA

    with pytest.raises(ValueError, match="n_strata"):
        select_indices(np.arange(40.0), 10, strategy="stratified", n_strata=10**9)
    kept = select_indices(
        np.arange(40.0), 10, strategy="stratified", n_strata=MAX_STRATA
    )
    assert kept.shape == (10,)


def test_every_policy_is_a_function_of_the_plan():
    from sklearn_prune._selection import POLICIES, STRATEGIES, plan_selection

    assert tuple(POLICIES) == STRATEGIES
    scores = np.random.RandomState(0).rand(50)
    plan = plan_selection(scores, 0.3, random_state=0)
    assert plan.quotas.tolist() == [15] and plan.counts.tolist() == [50]
    for name, policy in POLICIES.items():
        np.testing.assert_array_equal(
            policy(plan), select_indices(scores, 0.3, strategy=name, random_state=0)
        )


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(strategy="medium"), "strategy"),
        (dict(drop_hardest=1.0), "drop_hardest"),
        (dict(drop_hardest=-0.1), "drop_hardest"),
        (dict(n_strata=0), "n_strata"),
        (dict(n_strata=2.5), "n_strata"),
    ],
)
def test_bad_policy_parameters_name_the_parameter(kw, match):
    with pytest.raises(ValueError, match=match):
        select_indices(np.arange(10.0), 5, **kw)


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("class_balance", [False, True])
def test_dask_scores_keep_the_same_rows_as_numpy(strategy, class_balance):
    da = pytest.importorskip("dask.array")
    rng = np.random.RandomState(0)
    scores = np.round(rng.normal(size=2000), 1)
    y = rng.randint(0, 3, size=2000)
    kw = dict(
        strategy=strategy,
        drop_hardest=0.1,
        n_strata=5,
        class_balance=class_balance,
        random_state=3,
    )
    expected = select_indices(scores, 0.3, y=y, **kw)
    lazy = select_indices(
        da.from_array(scores, chunks=300), 0.3, y=da.from_array(y, chunks=300), **kw
    )
    assert isinstance(lazy, da.Array) and lazy.shape == expected.shape
    np.testing.assert_array_equal(lazy.compute(), expected)


def test_stratified_with_a_last_class_whose_quota_rounds_to_zero():
    # the class with the highest code keeps no row: its rows are still looked
    # up by the order search (they were out of its table's range)
    y = np.repeat([0, 1, 2, 3], [30, 30, 30, 2])
    scores = np.random.RandomState(0).uniform(size=y.shape[0])
    with pytest.warns(PruningWarning, match=r"classes \[3\]"):
        kept = select_indices(
            scores, 3, strategy="stratified", y=y, class_balance=True, random_state=0
        )
    assert np.bincount(y[kept], minlength=4).tolist() == [1, 1, 1, 0]

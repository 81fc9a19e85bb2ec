"""Property-based tests of the selection function and of every pruner's contract.

Random scores, labels, budgets, strategies and quotas, drawn by hypothesis. The
default profile ("ci") is derandomized and bounded, so that the suite is quick
and gives the same examples on every run; ``HYPOTHESIS_PROFILE=thorough`` draws
many more, at random.
"""

import os
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from sklearn_prune import (
    EL2NPruner,
    OraclePruner,
    PrototypePruner,
    RandomPruner,
    ScorePruner,
    SemDedupPruner,
    select_indices,
)
from sklearn_prune._selection import STRATEGIES, _difficulty_quotas, n_kept
from sklearn_prune.exceptions import PruningWarning

try:
    import polars as pl
except ImportError:  # an optional extra: its part of the test is skipped
    pl = None

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

settings.register_profile(
    "ci",
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: fewer examples where every example fits several pruners
PRUNER_EXAMPLES = settings(max_examples=max(4, settings().max_examples // 3))


# -- data ----------------------------------------------------------------------
#: scores with many ties (a few distinct values) or none, any sign and scale
scores_arrays = st.integers(2, 80).flatmap(
    lambda n: st.one_of(
        hnp.arrays(np.float64, n, elements=st.floats(-1e6, 1e6, width=64)),
        hnp.arrays(np.float64, n, elements=st.sampled_from([-1.0, 0.0, 0.5, 2.0])),
    )
)


@st.composite
def keeps(draw, n):
    """A valid ``keep`` for ``n`` rows: a fraction or a count."""
    if draw(st.booleans()):
        return draw(st.floats(0.01, 1.0))
    return draw(st.integers(1, n))


@st.composite
def selections(draw):
    scores = draw(scores_arrays)
    n = scores.shape[0]
    n_classes = draw(st.integers(1, 4))
    y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    return dict(
        scores=scores,
        keep=draw(keeps(n)),
        strategy=draw(st.sampled_from(STRATEGIES)),
        n_strata=draw(st.integers(1, 12)),
        y=y,
        class_balance=draw(st.booleans()),
        random_state=draw(st.integers(0, 2**31 - 1)),
    )


def _select(case, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PruningWarning)  # classes with no row
        return select_indices(**{**case, **kw})


def _quotas(counts: np.ndarray, n_total: int) -> tuple[np.ndarray, np.ndarray]:
    """Each class's share of ``n_total`` rounded down and up."""
    exact = counts * (n_total / counts.sum())
    return np.floor(exact), np.ceil(exact)


# -- the selection function -------------------------------------------------------
@given(selections())
def test_selection_count_is_exact_and_indices_unique_ascending(case):
    idx = _select(case)
    n = case["scores"].shape[0]
    assert idx.dtype == np.int64
    assert idx.shape == (n_kept(case["keep"], n),)
    assert np.all(np.diff(idx) > 0)
    assert idx.size == 0 or (idx[0] >= 0 and idx[-1] < n)


@given(selections())
def test_selection_class_quotas_hold(case):
    case = {**case, "class_balance": True}
    idx = _select(case)
    counts = np.bincount(case["y"])
    low, high = _quotas(counts[counts > 0], idx.shape[0])
    got = np.bincount(case["y"][idx], minlength=counts.shape[0])[counts > 0]
    assert np.all(got >= low) and np.all(got <= high)
    assert got.sum() == n_kept(case["keep"], case["y"].shape[0])


@given(selections())
def test_selection_hard_keeps_the_highest_and_easy_the_lowest(case):
    scores, y = case["scores"], case["y"]
    groups = y if case["class_balance"] else np.zeros_like(y)
    for strategy in ("hard", "easy"):
        idx = _select(case, strategy=strategy)
        kept = np.zeros(scores.shape[0], dtype=bool)
        kept[idx] = True
        for g in np.unique(groups):
            inside, outside = (
                scores[kept & (groups == g)],
                scores[~kept & (groups == g)],
            )
            if inside.size and outside.size:
                if strategy == "hard":
                    assert inside.min() >= outside.max()
                else:
                    assert inside.max() <= outside.min()


@given(selections())
def test_selection_same_seed_same_rows(case):
    np.testing.assert_array_equal(_select(case), _select(case))


def _strata(scores: np.ndarray, n_strata: int) -> np.ndarray:
    """Equal-width strata of the score range, as documented for "stratified"."""
    low, high = scores.min(), scores.max()
    if high == low:
        return np.zeros(scores.shape[0], dtype=np.int64)
    position = (scores / 2 - low / 2) / (high / 2 - low / 2) * n_strata
    return np.clip(np.floor(position), 0, n_strata - 1).astype(np.int64)


def _fair_shares(counts: np.ndarray, budget: int) -> np.ndarray:
    """Water-filling: every stratum gets min(its rows, one common level)."""
    low, high = 0.0, float(counts.max())
    for _ in range(100):  # bisection on the level
        level = (low + high) / 2
        if np.minimum(counts, level).sum() < budget:
            low = level
        else:
            high = level
    return np.minimum(counts, high)


@pytest.mark.filterwarnings("ignore:`keep`=1 is an int:UserWarning")  # budget 1
@given(
    scores=scores_arrays,
    budget=st.integers(1, 80),
    n_strata=st.integers(2, 60),
    seed=st.integers(0, 2**31 - 1),
)
@example(scores=np.arange(40.0), budget=10, n_strata=50, seed=0)
@example(scores=np.arange(1000.0), budget=30, n_strata=50, seed=0)
@example(scores=np.arange(1000.0), budget=75, n_strata=50, seed=0)  # 25 extra rows
def test_stratified_selection_covers_the_score_range(scores, budget, n_strata, seed):
    """No stratum is starved while a later one is over-served.

    Walking the strata from the lowest scores up, the kept rows never fall
    behind (or run ahead of) the strata's fair shares, the water-filling
    allocation of coverage-centric selection, by more than ``2 + sqrt(k)``
    rows for a budget of ``k`` rows: room for the rounding of shares and for
    strata drawn at random when there are more strata than rows to keep, but
    not for a budget that goes to one end of the score range.
    """
    budget = min(budget, scores.shape[0])
    idx = select_indices(
        scores, budget, strategy="stratified", n_strata=n_strata, random_state=seed
    )
    strata = _strata(scores, n_strata)
    counts = np.bincount(strata, minlength=n_strata)
    kept = np.bincount(strata[idx], minlength=n_strata)
    assert np.all(kept <= counts)
    drift = np.abs(np.cumsum(kept) - np.cumsum(_fair_shares(counts, budget)))
    assert drift.max() <= 2 + np.sqrt(budget), (kept, counts)


# -- every pruner's contract ----------------------------------------------------------
N_FEATURES = 4


def _first_feature(X, y):
    return (X[:, [0]].toarray() if sp.issparse(X) else np.asarray(X)[:, [0]]).ravel()


def _pruners(**kw):
    return [
        RandomPruner(**kw),
        PrototypePruner(n_clusters=2, n_iter=5, **kw),
        EL2NPruner(estimator=LogisticRegression(), n_estimators=1, **kw),
        OraclePruner(teacher=np.arange(1.0, N_FEATURES + 1), **kw),
        SemDedupPruner(n_clusters=2, n_iter=5, **kw),
        ScorePruner(scores=_first_feature, **kw),
    ]


PRUNER_NAMES = [type(p).__name__ for p in _pruners()]


@st.composite
def datasets(draw):
    n = draw(st.integers(12, 60))
    seed = draw(st.integers(0, 2**31 - 1))
    n_classes = draw(st.integers(2, 3))
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, N_FEATURES))
    if draw(st.booleans()):  # ties: few distinct values
        X = np.round(X)
    y = np.arange(n) % n_classes  # every class present
    rng.shuffle(y)
    params = dict(
        keep=draw(keeps(n)),
        strategy=draw(st.sampled_from(STRATEGIES)),
        n_strata=draw(st.integers(1, 8)),
        class_balance=draw(st.booleans()),
        random_state=int(seed % 1000),
    )
    return X, y, params


def _accepted(index, X, y, params):
    """RandomPruner refuses policies (random scores have no order): its default."""
    if isinstance(_pruners()[index], RandomPruner):
        params = {**params, "strategy": "hard"}
    return X, y, params


def _fit(pruner, X, y, params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # classes with no row, flat scores
        return pruner.set_params(**params).fit(X, y)


@pytest.mark.parametrize("index", range(len(PRUNER_NAMES)), ids=PRUNER_NAMES)
@PRUNER_EXAMPLES
@given(data=datasets())
def test_pruner_count_order_quotas_and_seed(index, data):
    X, y, params = _accepted(index, *data)
    pruner = _pruners()[index]
    fitted = _fit(pruner, X, y, params)
    idx = fitted.sample_indices_
    n_total = n_kept(params["keep"], X.shape[0])
    assert idx.shape == (n_total,) and np.all(np.diff(idx) > 0)
    assert fitted.scores_.shape == (X.shape[0],)
    if params["class_balance"]:
        low, high = _quotas(np.bincount(y), n_total)
        got = np.bincount(y[idx], minlength=low.shape[0])
        assert np.all(got >= low) and np.all(got <= high)
    if params["strategy"] in ("hard", "easy"):
        groups = y if params["class_balance"] else np.zeros_like(y)
        kept = np.zeros(X.shape[0], dtype=bool)
        kept[idx] = True
        s = fitted.scores_
        for g in np.unique(groups):
            inside, outside = s[kept & (groups == g)], s[~kept & (groups == g)]
            if inside.size and outside.size:
                if params["strategy"] == "hard":
                    assert inside.min() >= outside.max()
                else:
                    assert inside.max() <= outside.min()
    again = _fit(_pruners()[index], X, y, params)
    np.testing.assert_array_equal(again.sample_indices_, idx)


@pytest.mark.parametrize("index", range(len(PRUNER_NAMES)), ids=PRUNER_NAMES)
@PRUNER_EXAMPLES
@given(data=datasets())
def test_pruner_keeps_the_same_rows_on_pandas_polars_and_sparse_input(index, data):
    X, y, params = _accepted(index, *data)
    dense = _fit(_pruners()[index], X, y, params)
    expected = dense.sample_indices_
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(N_FEATURES)])
    got = _fit(_pruners()[index], frame, pd.Series(y), params).sample_indices_
    np.testing.assert_array_equal(got, expected)
    if _pruners()[index].__sklearn_tags__().input_tags.sparse:
        sparse = _fit(_pruners()[index], sp.csr_matrix(X), y, params)
        if np.array_equal(sparse.scores_, dense.scores_):
            np.testing.assert_array_equal(sparse.sample_indices_, expected)
        else:  # a sparse product rounds differently (LogisticRegression): the
            # scores agree to rounding, and a near-tie may then keep another row
            np.testing.assert_allclose(sparse.scores_, dense.scores_, atol=1e-12)
    if pl is not None:
        polars_frame = pl.DataFrame(frame)
        got = _fit(_pruners()[index], polars_frame, pl.Series(y), params)
        np.testing.assert_array_equal(got.sample_indices_, expected)


@pytest.mark.parametrize("index", [0, 1], ids=PRUNER_NAMES[:2])
@settings(max_examples=min(settings().max_examples, 4))
@given(data=datasets())
def test_pruner_keeps_the_same_rows_on_dask_input(index, data):
    da = pytest.importorskip("dask.array")
    X, y, params = _accepted(index, *data)
    expected = _fit(_pruners()[index], X, y, params).sample_indices_
    lazy = _fit(
        _pruners()[index],
        da.from_array(X, chunks=(7, N_FEATURES)),
        da.from_array(y, chunks=7),
        params,
    )
    np.testing.assert_array_equal(np.asarray(lazy.sample_indices_), expected)


# -- class quotas by difficulty (DRoP) -------------------------------------------
@given(
    st.lists(st.integers(0, 50), min_size=1, max_size=6),
    st.lists(st.floats(0.001, 1.0), min_size=6, max_size=6),
    st.floats(0.01, 1.0),
)
def test_difficulty_quotas_are_exact_and_within_capacity(capacity, errors, share):
    capacity = np.array(capacity)
    errors = np.array(errors[: capacity.shape[0]])
    n_total = int(share * capacity.sum())
    quotas = _difficulty_quotas(errors, n_total, capacity)
    assert quotas.sum() == n_total
    assert np.all((quotas >= 0) & (quotas <= capacity))
    # the classes below their capacity share in proportion to their errors,
    # each within one row: some rows-per-error level fits them all
    open_ = (quotas < capacity) & (capacity > 0)
    if open_.any():
        q, e = quotas[open_], errors[open_]
        assert np.max((q - 1) / e) <= np.min((q + 1) / e) + 1e-9

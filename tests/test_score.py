"""ScorePruner: prune with scores computed elsewhere."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from sklearn_prune import ScorePruner, make_pipeline, select_indices


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = np.arange(60) % 3
    scores = rng.uniform(size=60)
    return X, y, scores


def _rng_for_selection(seed):
    return np.random.RandomState(seed)  # ScorePruner draws nothing before selecting


@pytest.mark.parametrize("strategy", ["hard", "easy", "moderate", "stratified"])
@pytest.mark.parametrize("class_balance", [False, True])
def test_same_rows_as_the_selection_function(data, strategy, class_balance):
    X, y, scores = data
    pruner = ScorePruner(
        scores=scores,
        keep=0.3,
        strategy=strategy,
        drop_hardest=0.1,
        class_balance=class_balance,
        random_state=0,
    ).fit(X, y)
    expected = select_indices(
        scores,
        0.3,
        strategy=strategy,
        drop_hardest=0.1,
        y=y,
        class_balance=class_balance,
        random_state=_rng_for_selection(0),
    )
    np.testing.assert_array_equal(pruner.sample_indices_, expected)
    np.testing.assert_array_equal(pruner.scores_, scores)
    assert pruner.sample_indices_.size == 18


def test_callable_gets_validated_X_and_y(data):
    X, y, scores = data
    seen = {}

    def score(X_in, y_in):
        seen["X"], seen["y"] = X_in, y_in
        return scores

    df = pd.DataFrame(X, columns=["a", "b", "c"])
    pruner = ScorePruner(scores=score, keep=10).fit(df, pd.Series(y))
    assert isinstance(seen["X"], np.ndarray) and seen["X"].shape == (60, 3)
    np.testing.assert_array_equal(seen["y"], y)
    np.testing.assert_array_equal(pruner.scores_, scores)


def test_column_name_is_used_and_not_passed_on(data):
    X, y, scores = data
    df = pd.DataFrame(X, columns=["a", "b", "c"], index=np.arange(100, 160))
    df["difficulty"] = scores
    before = df.copy()
    pruner = ScorePruner(
        scores="difficulty",
        keep=0.25,
        strategy="hard",
        class_balance=False,
        random_state=0,
    )
    X_kept, y_kept = pruner.fit_resample(df, y)
    assert list(X_kept.columns) == ["a", "b", "c"]
    np.testing.assert_array_equal(pruner.feature_names_in_, ["a", "b", "c"])
    assert pruner.n_features_in_ == 3
    top = np.sort(np.argsort(scores)[-15:])
    np.testing.assert_array_equal(pruner.sample_indices_, top)
    np.testing.assert_array_equal(X_kept.index, df.index[top])
    np.testing.assert_array_equal(y_kept, y[top])
    pd.testing.assert_frame_equal(df, before)  # the input keeps its column


def test_series_is_aligned_by_index_in_cross_validation(data):
    X, y, scores = data
    df = pd.DataFrame(X, columns=["a", "b", "c"], index=np.arange(500, 560))
    series = pd.Series(scores, index=df.index)
    # a shuffled subset: the values follow the index, not the position
    subset = df.iloc[::-2]
    pruner = ScorePruner(scores=series, keep=5).fit(subset)
    np.testing.assert_array_equal(pruner.scores_, scores[::-2])
    pipe = make_pipeline(ScorePruner(scores=series, keep=0.5), LogisticRegression())
    assert cross_val_score(pipe, df, y, cv=3).shape == (3,)


@pytest.mark.parametrize("suffix", [".npy", ".csv", ".parquet"])
def test_scores_from_a_file(tmp_path, data, suffix):
    X, y, scores = data
    path = tmp_path / f"scores{suffix}"
    if suffix == ".npy":
        np.save(path, scores)
        loaded = np.load(path)
    elif suffix == ".csv":
        pd.DataFrame({"score": scores}).to_csv(path, index=False)
        loaded = pd.read_csv(path)["score"].to_numpy()
    else:
        pytest.importorskip("pyarrow")
        pd.DataFrame({"score": scores}).to_parquet(path)
        loaded = pd.read_parquet(path)["score"]
    from_file = ScorePruner(scores=loaded, keep=0.5, random_state=0).fit(X, y)
    direct = ScorePruner(scores=scores, keep=0.5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(from_file.sample_indices_, direct.sample_indices_)


def test_sparse_and_text_rows(data):
    X, y, scores = data
    X_sparse = sp.csr_matrix(X)
    X_kept, _ = ScorePruner(scores=scores, keep=7).fit_resample(X_sparse)
    assert sp.issparse(X_kept) and X_kept.shape == (7, 3)
    texts = [f"row {i}" for i in range(60)]
    kept, _ = ScorePruner(scores=scores, keep=7).fit_resample(texts)
    assert isinstance(kept, list) and len(kept) == 7


@pytest.mark.parametrize(
    "scores, match",
    [
        (np.ones(59), "`scores` has 59 values but X has 60 rows"),
        (
            np.r_[np.ones(59), np.nan],
            r"`scores` contains NaN or infinity \(1 values, first at row 59\)",
        ),
        (np.r_[np.inf, np.ones(59)], "`scores` contains NaN or infinity"),
        (
            np.ones((60, 2)),
            r"`scores` must be 1-D, one score per row. Got shape \(60, 2\)",
        ),
        (np.array(["x"] * 60, dtype=object), "`scores` must hold numbers"),
        (lambda X, y: np.ones(3), "`scores` has 3 values but X has 60 rows"),
        (lambda X, y: np.full(60, np.nan), "`scores` contains NaN"),
        ("difficulty", "`scores`='difficulty' names a column, but X is a ndarray"),
    ],
)
def test_bad_scores_are_named(data, scores, match):
    X, y, _ = data
    with pytest.raises(ValueError, match=match):
        ScorePruner(scores=scores).fit(X, y)


def test_missing_column_and_uncovered_index(data):
    X, y, scores = data
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    with pytest.raises(
        ValueError,
        match=r"`scores`='loss' is not a column of X. Columns: \['a', 'b', 'c'\]",
    ):
        ScorePruner(scores="loss").fit(df)
    short = pd.Series(scores[:50], index=df.index[:50])
    with pytest.raises(
        ValueError, match="`scores` is a pandas Series without a value for 10 row"
    ):
        ScorePruner(scores=short).fit(df)


@pytest.mark.parametrize("bad", [3, None, 2.5])
def test_scores_parameter_type(data, bad):
    X, y, _ = data
    with pytest.raises(ValueError, match="'scores' parameter of ScorePruner must be"):
        ScorePruner(scores=bad).fit(X, y)

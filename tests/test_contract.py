"""The pruner contract, checked on every pruner: types, counts, errors, no mutation."""

import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_prune import (
    EL2NPruner,
    OraclePruner,
    PrototypePruner,
    RandomPruner,
    ScorePruner,
    SemDedupPruner,
)

N_FEATURES = 8


def _first_feature(X, y):
    """ScorePruner's scores here: the first feature, dense or sparse."""
    return (X[:, [0]].toarray() if sp.issparse(X) else np.asarray(X)[:, [0]]).ravel()


def _pruners(**kw):
    return [
        RandomPruner(**kw),
        PrototypePruner(n_clusters=3, **kw),
        EL2NPruner(estimator=LogisticRegression(), n_estimators=2, **kw),
        OraclePruner(teacher=np.arange(1.0, N_FEATURES + 1), **kw),
        SemDedupPruner(n_clusters=3, **kw),
        ScorePruner(scores=_first_feature, **kw),
    ]


ALL = pytest.mark.parametrize(
    "pruner", _pruners(keep=0.4, random_state=0), ids=lambda p: type(p).__name__
)


@ALL
def test_keeps_exact_count_in_ascending_order(pruner, Xy):
    X, y = Xy
    X_kept, y_kept = pruner.fit_resample(X, y)
    assert X_kept.shape == (120, N_FEATURES) and y_kept.shape == (120,)
    idx = pruner.sample_indices_
    assert np.all(np.diff(idx) > 0)
    np.testing.assert_array_equal(X_kept, X[idx])
    np.testing.assert_array_equal(y_kept, y[idx])
    assert pruner.scores_.shape == (300,)
    assert pruner.n_features_in_ == N_FEATURES


@ALL
def test_hard_and_easy_split_by_score(pruner, Xy):
    X, y = Xy
    if isinstance(pruner, RandomPruner):  # refuses policies: see test_everyday.py
        pytest.skip("RandomPruner accepts only the default strategy")
    # one global threshold: class_balance="auto" would select within each class
    hard = clone(pruner).set_params(strategy="hard", class_balance=False).fit(X, y)
    easy = clone(pruner).set_params(strategy="easy", class_balance=False).fit(X, y)
    kept_h = hard.scores_[hard.sample_indices_]
    dropped_h = np.delete(hard.scores_, hard.sample_indices_)
    assert kept_h.min() >= dropped_h.max()
    kept_e = easy.scores_[easy.sample_indices_]
    dropped_e = np.delete(easy.scores_, easy.sample_indices_)
    assert kept_e.max() <= dropped_e.min()


@ALL
def test_same_random_state_same_rows(pruner, Xy):
    X, y = Xy
    a = clone(pruner).fit(X, y).sample_indices_
    b = clone(pruner).fit(X, y).sample_indices_
    np.testing.assert_array_equal(a, b)


@ALL
def test_dataframe_in_dataframe_out(pruner, Xy):
    X, y = Xy
    df = pd.DataFrame(
        X, columns=[f"f{i}" for i in range(N_FEATURES)], index=np.arange(1000, 1300)
    )
    df["f0"] = df["f0"].astype(np.float32)
    labels = pd.Series(np.where(y == 1, "yes", "no"), index=df.index, name="label")
    X_kept, y_kept = pruner.fit_resample(df, labels)
    assert isinstance(X_kept, pd.DataFrame) and isinstance(y_kept, pd.Series)
    assert list(X_kept.columns) == list(df.columns)
    assert (X_kept.dtypes == df.dtypes).all()
    np.testing.assert_array_equal(X_kept.index, df.index[pruner.sample_indices_])
    np.testing.assert_array_equal(y_kept.index, X_kept.index)
    assert y_kept.name == "label"
    np.testing.assert_array_equal(pruner.feature_names_in_, df.columns)


@ALL
def test_lists_in_lists_out(pruner, Xy):
    X, y = Xy
    X_kept, y_kept = pruner.fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_kept, list) and isinstance(y_kept, list)
    assert len(X_kept) == len(y_kept) == 120


@ALL
def test_float32_stays_float32_and_input_is_not_modified(pruner, Xy):
    X, y = Xy
    X32 = X.astype(np.float32)
    before, y_before = X32.copy(), y.copy()
    X_kept, _ = pruner.fit_resample(X32, y)
    assert X_kept.dtype == np.float32
    np.testing.assert_array_equal(X32, before)
    np.testing.assert_array_equal(y, y_before)


@pytest.mark.parametrize(
    "pruner",
    [p for p in _pruners(keep=0.4, random_state=0) if not isinstance(p, EL2NPruner)],
    ids=lambda p: type(p).__name__,
)
def test_unsupervised_pruners_work_without_y(pruner, Xy):
    X, _ = Xy
    X_kept, y_kept = pruner.fit_resample(X)
    assert X_kept.shape == (120, N_FEATURES) and y_kept is None


@pytest.mark.parametrize(
    "pruner", [RandomPruner(keep=5), OraclePruner(teacher=[1, 2, 3], keep=5)]
)
def test_sparse_input_stays_sparse(pruner):
    X = sp.random(30, 3, density=0.5, format="csr", random_state=0)
    X_kept, _ = pruner.fit_resample(X)
    assert sp.issparse(X_kept) and X_kept.shape == (5, 3)


@ALL
@pytest.mark.parametrize(
    "X_bad, match",
    [
        (np.array([[0.0, np.nan] * 4] * 10), "NaN"),
        (np.array([[0.0, np.inf] * 4] * 10), "infinity"),
        (np.arange(10.0), "2D array"),
        (np.empty((0, N_FEATURES)), "0 sample"),
    ],
    ids=["nan", "inf", "1d", "empty"],
)
def test_bad_X_is_rejected(pruner, X_bad, match):
    y = np.arange(len(X_bad)) % 2
    with pytest.raises(ValueError, match=match):
        clone(pruner).fit(X_bad, y)


@ALL
def test_y_of_wrong_length_is_rejected(pruner, Xy):
    X, y = Xy
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clone(pruner).fit(X, y[:-1])


@ALL
@pytest.mark.parametrize(
    "keep, error, match",
    [
        (0.0, ValueError, "keep"),
        (-0.5, ValueError, "keep"),
        (1.5, ValueError, "keep"),
        (301, ValueError, "keep"),
        (0, ValueError, "keep"),
        ("all", ValueError, "keep"),
    ],
)
def test_bad_keep_is_rejected(pruner, Xy, keep, error, match):
    X, y = Xy
    with pytest.raises(error, match=match):
        clone(pruner).set_params(keep=keep).fit(X, y)


@ALL
def test_int_keep_is_a_count_and_keep_one_keeps_all(pruner, Xy):
    X, y = Xy
    assert clone(pruner).set_params(keep=7).fit(X, y).sample_indices_.shape == (7,)
    assert clone(pruner).set_params(keep=1.0).fit(X, y).sample_indices_.shape == (300,)


@ALL
def test_class_balance_keeps_class_proportions(pruner, Xy):
    X, y = Xy
    y = y.copy()
    y[:30] = 2  # a small third class
    p = clone(pruner).set_params(class_balance=True, keep=0.2).fit(X, y)
    counts = np.bincount(y[p.sample_indices_], minlength=3)
    expected = np.bincount(y) * 0.2
    assert counts.sum() == 60
    assert np.all(np.abs(counts - expected) <= 1)


def test_class_balance_without_y_is_rejected(Xy):
    X, _ = Xy
    with pytest.raises(ValueError, match="requires y"):
        RandomPruner(class_balance=True).fit(X)


def test_unexpected_fit_params_are_rejected(Xy):
    X, y = Xy
    with pytest.raises(TypeError, match="unexpected fit parameters"):
        RandomPruner().fit(X, y, sample_weight=np.ones(len(y)))


# -- regressions of issue 10: no silent wrong selections ----------------------


@ALL
def test_class_balance_refuses_continuous_targets(pruner, Xy):
    X, _ = Xy
    y_continuous = np.linspace(0.0, 1.0, len(X))
    with pytest.raises(ValueError, match="continuous"):
        clone(pruner).set_params(class_balance=True).fit(X, y_continuous)


def test_use_labels_refuses_continuous_targets(Xy):
    X, _ = Xy
    with pytest.raises(ValueError, match="continuous"):
        PrototypePruner(use_labels=True, n_clusters=2).fit(X, np.linspace(0, 1, 300))


@pytest.mark.parametrize(
    "pruner",
    [p for p in _pruners(keep=0.4, random_state=0) if not isinstance(p, EL2NPruner)],
    ids=lambda p: type(p).__name__,
)
def test_targets_pass_through_pruners_that_do_not_use_them(pruner, Xy):
    X, y = Xy
    pruner = clone(pruner).set_params(class_balance=False)  # y unused
    without = clone(pruner).fit(X).sample_indices_
    for target in (np.linspace(0, 1, len(X)), np.eye(2)[y]):  # regression, one-hot
        X_kept, y_kept = pruner.fit_resample(X, target)
        np.testing.assert_array_equal(pruner.sample_indices_, without)
        np.testing.assert_array_equal(y_kept, target[without])


@ALL
def test_one_hot_targets_balance_like_labels(pruner, Xy):
    X, y = Xy
    p = clone(pruner).set_params(class_balance=True, keep=0.2)
    by_label = clone(p).fit(X, y).sample_indices_
    X_kept, y_kept = p.fit_resample(X, np.eye(2)[y])
    np.testing.assert_array_equal(p.sample_indices_, by_label)
    np.testing.assert_array_equal(y_kept, np.eye(2)[y][by_label])


@ALL
def test_failed_refit_leaves_no_stale_fitted_state(pruner, Xy):
    X, y = Xy
    p = clone(pruner).fit(X, y)
    assert hasattr(p, "scores_") and hasattr(p, "sample_indices_")
    with pytest.raises(ValueError, match="keep"):
        p.set_params(keep=len(X) + 1).fit(X, y)
    # what the failed fit validated (n_features_in_) may stay; no result does
    left = {k for k in vars(p) if k.endswith("_") and not k.startswith("_")}
    assert left <= {"n_features_in_", "feature_names_in_"}


@ALL
def test_numpy_float_keep_is_a_fraction_and_bool_keep_is_refused(pruner, Xy):
    X, y = Xy
    kept = clone(pruner).set_params(keep=np.float32(0.3)).fit(X, y).sample_indices_
    np.testing.assert_array_equal(
        kept, clone(pruner).set_params(keep=0.3).fit(X, y).sample_indices_
    )
    with pytest.raises(InvalidParameterError, match="keep"):
        clone(pruner).set_params(keep=True).fit(X, y)


@ALL
@pytest.mark.parametrize("keep", [Fraction(1, 2), Decimal("0.5"), "0.5"])
def test_keep_of_another_type_is_refused_naming_keep(pruner, Xy, keep):
    # a Fraction is a Real: it once reached a ufunc and failed there
    X, y = Xy
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'keep' parameter of \w+ must be (None, )?a float in the range "
        r"\(0\.0, 1\.0\] or an int in the range \[1, inf\)",
    ):
        clone(pruner).set_params(keep=keep).fit(X, y)


SPARSE_FORMATS = ["csr", "csc", "coo", "dia", "bsr", "dok", "lil"]


@pytest.mark.parametrize("fmt", SPARSE_FORMATS)
@pytest.mark.parametrize("container", ["matrix", "array"])
@pytest.mark.parametrize(
    "pruner",
    [
        p
        for p in _pruners(keep=0.4, random_state=0)
        if p.__sklearn_tags__().input_tags.sparse  # the dense-only ones refuse it
    ],
    ids=lambda p: type(p).__name__,
)
def test_every_sparse_format_comes_back_in_its_own_format(pruner, Xy, fmt, container):
    X, y = Xy
    X = X * (np.abs(X) > 0.5)  # some zeros
    csr = sp.csr_matrix(X) if container == "matrix" else sp.csr_array(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sp.SparseEfficiencyWarning)  # DIA
        X_sparse = csr.asformat(fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_kept, y_kept = pruner.fit_resample(X_sparse, y)
    dense_rows = clone(pruner).fit(X, y).sample_indices_
    np.testing.assert_array_equal(pruner.sample_indices_, dense_rows)
    assert type(X_kept) is type(X_sparse) and X_kept.format == fmt
    np.testing.assert_array_equal(X_kept.toarray(), X[dense_rows])
    np.testing.assert_array_equal(y_kept, y[dense_rows])


@ALL
def test_tuples_in_tuples_out(pruner, Xy):
    X, y = Xy
    X_kept, y_kept = pruner.fit_resample(tuple(map(tuple, X)), tuple(y))
    assert isinstance(X_kept, tuple) and isinstance(y_kept, tuple)
    idx = pruner.sample_indices_
    assert X_kept == tuple(map(tuple, X[idx])) and y_kept == tuple(y[idx])


def test_fit_accepts_what_the_tags_declare():
    # BasePruner reads its input rules from the tags: a subclass declares them
    from sklearn_prune import BasePruner

    class FirstColumn(BasePruner):
        def _compute_scores(self, X, y, rng, **params):
            column = X[:, [0]]
            return (column.toarray() if sp.issparse(column) else column).ravel()

    class SparseNeedsY(FirstColumn):
        def __sklearn_tags__(self):
            tags = super().__sklearn_tags__()
            tags.input_tags.sparse = True
            tags.target_tags.required = True
            return tags

    X = sp.random(20, 3, density=0.5, format="csr", random_state=0)
    y = np.arange(20) % 2
    with pytest.raises(TypeError, match="[Ss]parse"):
        FirstColumn(keep=5).fit(X)
    assert FirstColumn(keep=5).fit(X.toarray()).sample_indices_.shape == (5,)
    assert SparseNeedsY(keep=5).fit(X, y).sample_indices_.shape == (5,)
    with pytest.raises(ValueError, match="requires y"):
        SparseNeedsY(keep=5).fit(X)
    with pytest.raises(ValueError, match="Found array with dim 3"):
        FirstColumn(keep=5).fit(np.zeros((20, 2, 2)))

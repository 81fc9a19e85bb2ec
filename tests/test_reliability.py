"""Regression tests of issue 21: silent wrong results and unclear errors, fixed."""

import os
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification, make_regression
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import check_dtype_object

from sklearn_prune import (
    EL2NPruner,
    OraclePruner,
    PrototypePruner,
    RandomPruner,
    ScorePruner,
)
from sklearn_prune._selection import has_class_labels
from sklearn_prune.exceptions import PruningWarning


@pytest.fixture
def classes():
    return make_classification(n_samples=300, n_features=6, random_state=0)


# -- integer regression targets -------------------------------------------------
def test_whole_number_regression_target_is_not_balanced_by_auto():
    X, y = make_regression(n_samples=1000, n_features=4, noise=5.0, random_state=0)
    prices = np.round(y - y.min()).astype(np.int64)  # whole units, 452 values
    assert np.unique(prices).shape[0] > 400
    assert not has_class_labels(prices)
    pruner = OraclePruner(teacher=np.ones(4), keep=0.3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PruningWarning)  # no "keeps no row" warning
        auto = pruner.fit(X, prices).sample_indices_
    off = pruner.set_params(class_balance=False).fit(X, prices).sample_indices_
    np.testing.assert_array_equal(auto, off)
    # kept rows are spread over the target, not taken from its low end
    assert np.mean(prices[auto] <= np.quantile(prices, 0.3)) < 0.5


def test_whole_numbers_with_repeated_values_are_still_labels():
    assert has_class_labels(np.repeat([3, 7, 11], 4))
    assert has_class_labels(np.array([0.0, 1.0, 2.0, 0.0, 1.0, 2.0]))
    assert has_class_labels(np.array(["a", "b", "c", "d"]))  # strings: labels
    assert has_class_labels(np.arange(100) % 20)  # 20 values: labels
    assert not has_class_labels(np.arange(100) % 30)  # 30, 3.3 rows each: not


# -- ScorePruner ---------------------------------------------------------------
def test_score_pruner_keeps_its_own_copy_of_the_scores():
    scores = np.arange(10.0)
    pruner = ScorePruner(scores=scores, keep=3).fit(np.zeros((10, 1)))
    scores[:] = 0.0
    np.testing.assert_array_equal(pruner.scores_, np.arange(10.0))
    assert not np.shares_memory(pruner.scores_, scores)


def test_score_pruner_keeps_the_exact_order_of_large_integers():
    base = 2**62
    scores = base + np.array([5, 1, 3, 0, 4, 2], dtype=np.int64)
    X = np.zeros((6, 1))
    for seed in range(5):  # float64 would tie them all: any seed would do
        hard = ScorePruner(scores=scores, keep=3, strategy="hard", random_state=seed)
        hard.fit(X)
        np.testing.assert_array_equal(hard.sample_indices_, [0, 2, 4])
        easy = ScorePruner(scores=scores, keep=2, strategy="easy", random_state=seed)
        np.testing.assert_array_equal(easy.fit(X).sample_indices_, [1, 3])
    spread = np.array([-(2**62), 2**62, 2**62 + 1, -(2**62) + 1, 0, 5])
    kept = ScorePruner(scores=spread, keep=2, strategy="hard", random_state=0)
    kept = kept.fit(X).sample_indices_
    np.testing.assert_array_equal(kept, [1, 2])


def test_score_pruner_refuses_complex_scores():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning on the way
        with pytest.raises(ValueError, match="`scores` must hold real numbers"):
            ScorePruner(scores=np.arange(6) + 1j).fit(np.zeros((6, 1)))


# -- OraclePruner --------------------------------------------------------------
def test_oracle_refuses_a_teacher_of_several_rows():
    X = np.random.RandomState(0).normal(size=(20, 4))
    with pytest.raises(ValueError, match=r"`teacher` must be one weight vector"):
        OraclePruner(teacher=np.ones((2, 2))).fit(X)
    row = OraclePruner(teacher=np.ones((1, 4)), random_state=0).fit(X)
    flat = OraclePruner(teacher=np.ones(4), random_state=0).fit(X)
    np.testing.assert_array_equal(row.scores_, flat.scores_)


# -- EL2N: default probe, probabilities, fit parameters ------------------------
@pytest.mark.parametrize("transform", [lambda X: X + 1e4, lambda X: X * 1e-200])
def test_default_probe_learns_on_uncentred_or_tiny_features(classes, transform):
    X, y = classes
    plain = EL2NPruner(n_estimators=2, random_state=0).fit(X, y).scores_
    with warnings.catch_warnings():
        warnings.simplefilter("error", PruningWarning)
        moved = EL2NPruner(n_estimators=2, random_state=0).fit(transform(X), y)
    assert np.unique(moved.scores_).shape[0] > 0.9 * X.shape[0]
    assert (
        np.corrcoef(
            np.argsort(np.argsort(plain)), np.argsort(np.argsort(moved.scores_))
        )[0, 1]
        > 0.8
    )


def test_default_probe_centres_offset_columns_of_sparse_input_alike():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(200, 5))
    X[X < 0.6] = 0.0
    X[:, 2] = 50.0 + rng.normal(size=200)  # one dense column far off zero
    y = (X[:, 0] + 0.01 * X[:, 2] > 0.8).astype(int)
    dense = EL2NPruner(random_state=0, n_estimators=2).fit(X, y)
    csr = EL2NPruner(random_state=0, n_estimators=2).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(csr.scores_, dense.scores_, atol=1e-10)
    np.testing.assert_array_equal(csr.sample_indices_, dense.sample_indices_)


class _BadProba(ClassifierMixin, BaseEstimator):
    """A probe whose predict_proba breaks one rule of a probability table."""

    def __init__(self, fault="sum"):
        self.fault = fault

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        if self.fault == "classes":
            self.classes_ = self.classes_ + 10
        return self

    def predict_proba(self, X):
        k = self.classes_.shape[0]
        if self.fault == "width":
            return np.full((X.shape[0], k + 1), 1.0 / (k + 1))
        proba = np.full((X.shape[0], k), 1.0 / k)
        return proba * 5.0 if self.fault == "sum" else proba


@pytest.mark.parametrize(
    "fault, match",
    [
        ("sum", r"must return probabilities .*sum 5"),
        ("width", r"returned shape \(300, 3\) for 300 rows, but its classes_ has 2"),
        ("classes", r"has classes_ \[10, 11\], but y's labels are \[0, 1\]"),
    ],
)
def test_probe_probabilities_are_checked(classes, fault, match):
    X, y = classes
    with pytest.raises(ValueError, match=match):
        EL2NPruner(estimator=_BadProba(fault), n_estimators=1).fit(X, y)


def test_default_probe_with_sample_weight_names_the_fix(classes):
    X, y = classes
    with pytest.raises(ValueError, match=r"default probe .*estimator=Logistic"):
        EL2NPruner().fit(X, y, sample_weight=np.ones(len(y)))
    # a probe that takes them still does
    EL2NPruner(estimator=LogisticRegression(), n_estimators=1).fit(
        X, y, sample_weight=np.ones(len(y))
    )


# -- the shared "uninformative scores" check ------------------------------------
def test_constant_scores_warn_with_the_cause(classes):
    X, y = classes
    with pytest.warns(PruningWarning, match=r"carry almost no information.*`scores`"):
        ScorePruner(scores=np.ones(300), keep=0.5).fit(X)
    # a probe that learns nothing: one score per class, flat within each class
    with pytest.warns(PruningWarning, match=r"of their class.*probes learned"):
        EL2NPruner(estimator=DummyClassifier(), n_estimators=1).fit(X, y)


def test_informative_scores_do_not_warn(classes):
    X, y = classes
    with warnings.catch_warnings():
        warnings.simplefilter("error", PruningWarning)
        RandomPruner(keep=0.5, random_state=0).fit(X, y)
        OraclePruner(teacher=np.ones(6), keep=0.5).fit(X, y)
        # a few ties are not "nearly all"
        ScorePruner(scores=np.r_[np.zeros(200), np.arange(100.0)], keep=0.5).fit(X)
        # ties choose nothing when every row is kept
        ScorePruner(scores=np.ones(300), keep=1.0).fit(X)


# -- labels scikit-learn calls unknown -----------------------------------------
def _row_positions(X, y):
    """Scores that fit any number of rows (the check's size differs by version)."""
    return np.arange(np.shape(X)[0], dtype=np.float64)


@pytest.mark.parametrize(
    "pruner",
    [
        RandomPruner(class_balance=True),
        PrototypePruner(use_labels=True),
        ScorePruner(scores=_row_positions, class_balance=True),
    ],
    ids=["random", "prototype-labels", "score"],
)
def test_check_dtype_object_with_labels_in_use(pruner):
    check_dtype_object(type(pruner).__name__, pruner)


def test_object_labels_say_unknown_label_type(classes):
    X, y = classes
    with pytest.raises(ValueError, match="Unknown label type: RandomPruner"):
        RandomPruner(class_balance=True).fit(X, y.astype(object))


# -- polars ---------------------------------------------------------------------
def test_polars_frames_in_and_out():
    pl = pytest.importorskip("polars")
    rng = np.random.RandomState(0)
    df = pl.DataFrame({"a": rng.normal(size=20), "n": np.arange(20), "s": rng.rand(20)})
    y = pl.Series("y", np.arange(20) % 2)
    X_kept, y_kept = RandomPruner(keep=0.5, random_state=0).fit_resample(df, y)
    assert isinstance(X_kept, pl.DataFrame) and isinstance(y_kept, pl.Series)
    assert X_kept.schema == df.schema and X_kept.height == 10
    # a column name holds the scores, and is not passed on
    pruner = ScorePruner(scores="s", keep=5, strategy="hard", class_balance=False)
    X_kept, _ = pruner.fit_resample(df, y)
    assert isinstance(X_kept, pl.DataFrame) and X_kept.columns == ["a", "n"]
    np.testing.assert_array_equal(
        pruner.sample_indices_, np.sort(np.argsort(df["s"].to_numpy())[-5:])
    )
    assert list(pruner.feature_names_in_) == ["a", "n"]


@pytest.mark.parametrize(
    "pruner", [RandomPruner(), ScorePruner(scores="s")], ids=["random", "score"]
)
def test_polars_lazy_frames_are_refused_clearly(pruner):
    pl = pytest.importorskip("polars")
    lazy = pl.DataFrame({"a": np.arange(6.0), "s": np.arange(6.0)}).lazy()
    with pytest.raises(TypeError, match=r"polars LazyFrame.*X.collect\(\)"):
        pruner.fit(lazy)


# -- memory maps with class prototypes ------------------------------------------
def _file_rss() -> int:
    """Resident pages of mapped files (on disk, or on tmpfs: shared memory)."""
    found = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("RssFile", "RssShmem"):
                found[key] = int(value.split()[0]) * 1024
    if not found:
        pytest.skip("no RssFile in /proc/self/status")
    return sum(found.values())


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="Linux only")
def test_class_prototypes_on_a_memmap_release_the_rows(tmp_path):
    import sklearn

    rng = np.random.RandomState(0)
    n, d = 40_000, 256  # 41 MB
    path = tmp_path / "X.npy"
    np.save(path, rng.normal(size=(n, d)).astype(np.float32))
    X = np.load(path, mmap_mode="r")
    y = rng.randint(0, 5, size=n)
    before = _file_rss()
    with sklearn.config_context(working_memory=4):
        PrototypePruner(use_labels=True, keep=0.5, random_state=0).fit(X, y)
    assert _file_rss() - before < 0.25 * n * d * 4


# -- torch backend ---------------------------------------------------------------
def test_torch_embedder_refuses_values_beyond_float32():
    torch = pytest.importorskip("torch")
    from sklearn_prune.torch import TorchEmbedder

    X = np.full((4, 1, 8, 8), 1e300)
    net = torch.nn.Flatten()
    with pytest.raises(ValueError, match=r"values up to 1e\+300.*float32"):
        TorchEmbedder(module=net, device="cpu").fit_transform(X)
    with pytest.raises(ValueError, match=r"float32"):
        TorchEmbedder(module=net, device="cpu").fit_transform(torch.as_tensor(X))


def test_float64_images_cast_on_the_way_to_a_device_name_the_range():
    torch = pytest.importorskip("torch")
    from sklearn_prune.torch._validation import check_finite

    cast = torch.full((2, 1, 4, 4), 1e300, dtype=torch.float64).float()  # inf
    with pytest.raises(ValueError, match=r"beyond float32's range. The models"):
        check_finite(cast, was_float64=True)
    with pytest.raises(ValueError, match=r"^`X` contains NaN or infinity.$"):
        check_finite(cast)


@pytest.mark.parametrize("as_tensor", [False, True])
def test_channels_last_images_are_refused(as_tensor):
    torch = pytest.importorskip("torch")
    from sklearn_prune.torch import TorchEmbedder

    X = np.zeros((6, 8, 8, 3), dtype=np.float32)
    X = torch.as_tensor(X) if as_tensor else X
    embedder = TorchEmbedder(module=torch.nn.Flatten(), device="cpu")
    with pytest.raises(ValueError, match=r"channels-last.*permute\(0, 3, 1, 2\)"):
        embedder.fit(X)
    first = X.permute(0, 3, 1, 2) if as_tensor else np.transpose(X, (0, 3, 1, 2))
    assert embedder.fit_transform(first).shape == (6, 192)


# -- found by the property tests ---------------------------------------------------
@pytest.mark.filterwarnings("ignore:`keep`=1 is an int:UserWarning")
@pytest.mark.parametrize("strategy", ["stratified", "moderate"])
def test_policies_with_a_class_that_keeps_no_row(strategy):
    from sklearn_prune import select_indices

    y = np.array([0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0])
    with pytest.warns(PruningWarning, match="keeps no row"):
        idx = select_indices(
            np.arange(12.0), 1, strategy=strategy, y=y, class_balance=True
        )
    assert idx.shape == (1,)

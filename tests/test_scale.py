"""Out of core on one machine: memory maps, chunked scoring, bounded memory."""

import tracemalloc

import numpy as np
import pytest
import sklearn

from sklearn_prune import PrototypePruner, RandomPruner, select_indices
from sklearn_prune._kmeans import sample_positions
from sklearn_prune.cluster import l2_normalized, spherical_kmeans


@pytest.fixture
def blobs():
    rng = np.random.RandomState(0)
    centers = rng.normal(size=(12, 16)) * 3
    X = centers[rng.randint(12, size=3001)] + rng.normal(size=(3001, 16))
    return X.astype(np.float32), rng.randint(0, 3, size=3001)


def _memmap(tmp_path, X, name="X.npy"):
    path = tmp_path / name
    np.save(path, X)
    return np.load(path, mmap_mode="r")


@pytest.mark.parametrize(
    "pruner",
    [
        PrototypePruner(n_clusters=6, keep=0.3, random_state=0),
        PrototypePruner(
            n_clusters=6, keep=0.3, n_init=2, max_samples=0.5, random_state=1
        ),
        PrototypePruner(use_labels=True, keep=0.3, strategy="easy", random_state=0),
        RandomPruner(keep=0.3, class_balance=True, random_state=0),
    ],
    ids=["prototype", "prototype-n_init", "prototype-labels", "random"],
)
def test_memmap_keeps_the_same_rows_as_memory(tmp_path, blobs, pruner):
    X, y = blobs
    expected = pruner.fit(X, y)
    rows, scores = expected.sample_indices_, expected.scores_
    got = pruner.fit(_memmap(tmp_path, X), y)
    np.testing.assert_array_equal(got.sample_indices_, rows)
    np.testing.assert_array_equal(got.scores_, scores)
    assert got.n_features_in_ == X.shape[1]


def test_scores_do_not_depend_on_the_chunk_size(blobs):
    X, _ = blobs
    pruner = PrototypePruner(n_clusters=6, keep=0.5, n_init=2, random_state=0)
    big = pruner.fit(X).scores_
    with sklearn.config_context(working_memory=0.002):  # a few rows per chunk
        small = pruner.fit(X).scores_
    np.testing.assert_array_equal(small, big)


def test_memmap_is_scored_without_a_full_copy(tmp_path):
    rng = np.random.RandomState(0)
    n, d = 30_000, 256
    X = _memmap(tmp_path, rng.normal(size=(n, d)).astype(np.float32))
    data_bytes = n * d * 4  # 31 MB
    pruner = PrototypePruner(n_clusters=8, keep=0.5, random_state=0)
    with sklearn.config_context(working_memory=1):  # chunks of ~1 MiB
        tracemalloc.start()
        pruner.fit(X)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    # per-row outputs and the selection's per-row keys (~100 bytes a row),
    # the training sample (2048 rows) and one chunk: never the data itself
    assert peak < 0.4 * data_bytes, peak
    assert pruner.scores_.shape == (n,)


def test_random_pruner_and_selection_on_memmaps(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(5000, 4))
    kept = RandomPruner(keep=0.2, random_state=3).fit(X).sample_indices_
    again = RandomPruner(keep=0.2, random_state=3).fit(_memmap(tmp_path, X))
    np.testing.assert_array_equal(again.sample_indices_, kept)
    scores = rng.normal(size=5000)
    np.testing.assert_array_equal(
        select_indices(_memmap(tmp_path, scores, "s.npy"), 0.3, random_state=0),
        select_indices(scores, 0.3, random_state=0),
    )


@pytest.mark.parametrize("pruner", [PrototypePruner(n_clusters=3), RandomPruner()])
def test_nan_in_a_late_chunk_names_the_row_and_sets_nothing(tmp_path, pruner):
    X = np.random.RandomState(0).normal(size=(4000, 5))
    X[3777, 2] = np.nan
    M = _memmap(tmp_path, X)
    with sklearn.config_context(working_memory=0.05):  # many chunks
        with pytest.raises(ValueError, match="NaN or infinity at row 3777"):
            pruner.fit(M)
    assert not hasattr(pruner, "scores_")
    assert not hasattr(pruner, "sample_indices_")


def test_memmap_of_other_dtypes_is_read_in_chunks(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.randint(-50, 50, size=(500, 6)).astype(np.int16)
    p = PrototypePruner(n_clusters=4, random_state=0)
    np.testing.assert_array_equal(
        p.fit(_memmap(tmp_path, X)).scores_, p.fit(X.astype(np.float64)).scores_
    )


@pytest.mark.parametrize("n, m", [(10_000, 1), (10_000, 300), (3_000_000, 2560)])
def test_sample_positions_are_exactly_the_smallest_keys(n, m):
    from sklearn_prune._kmeans import sample_keys

    expected = np.sort(np.argsort(sample_keys(7, 0, n))[:m])
    np.testing.assert_array_equal(sample_positions(n, m, seed=7), expected)


def test_sample_positions_retry_when_too_few_keys_fall_below(monkeypatch):
    from sklearn_prune import _kmeans

    expected = sample_positions(50_000, 700, seed=1)
    calls = []
    original = _kmeans.sample_threshold

    def stingy(n, m, attempt=0):  # the first bound lets too few keys through
        calls.append(attempt)
        return original(n, m // 4, 0) if attempt == 0 else original(n, m, attempt)

    monkeypatch.setattr(_kmeans, "sample_threshold", stingy)
    np.testing.assert_array_equal(sample_positions(50_000, 700, seed=1), expected)
    assert calls == [0, 1]


def test_sample_positions_are_the_smallest_keys_and_reproducible():
    a = sample_positions(10_000, 300, seed=5)
    assert a.shape == (300,) and np.all(np.diff(a) > 0)
    np.testing.assert_array_equal(a, sample_positions(10_000, 300, seed=5))
    assert not np.array_equal(a, sample_positions(10_000, 300, seed=6))
    np.testing.assert_array_equal(sample_positions(50, 80, seed=5), np.arange(50))


# -- scale invariance (issue 10, item 2) ------------------------------------------
def test_huge_float32_rows_are_not_zero_vectors(blobs):
    X, _ = blobs
    base = PrototypePruner(n_clusters=6, random_state=0).fit(X).scores_
    # squares of 1e20 overflow float32: the rows used to become zero vectors
    huge = PrototypePruner(n_clusters=6, random_state=0).fit(X * np.float32(1e20))
    np.testing.assert_allclose(huge.scores_, base, atol=1e-6)
    assert huge.scores_.max() < 1.0


def test_tiny_float32_rows_keep_their_direction(blobs):
    X, _ = blobs
    base = PrototypePruner(n_clusters=6, random_state=0).fit(X).scores_
    # squares of 1e-25 underflow to 0: scores used to be only 0 or 2
    tiny = PrototypePruner(n_clusters=6, random_state=0).fit(X * np.float32(1e-25))
    np.testing.assert_allclose(tiny.scores_, base, atol=1e-6)


def test_float64_beyond_float32_range_does_not_abort_faiss(blobs):
    X, _ = blobs
    base = PrototypePruner(n_clusters=6, random_state=0).fit(X).scores_
    big = X.astype(np.float64) * 1e300  # finite float64, infinite as float32
    scores = PrototypePruner(n_clusters=6, random_state=0).fit(big).scores_
    assert np.all(np.isfinite(scores))
    np.testing.assert_allclose(scores, base, atol=1e-6)


def test_each_rows_scale_does_not_matter(blobs):
    X, _ = blobs
    rng = np.random.RandomState(1)
    scale = 10.0 ** rng.uniform(-150, 150, size=(X.shape[0], 1))
    base = PrototypePruner(n_clusters=6, random_state=0).fit(X)
    scaled = PrototypePruner(n_clusters=6, random_state=0).fit(X * scale)
    np.testing.assert_allclose(scaled.scores_, base.scores_, atol=1e-6)
    np.testing.assert_array_equal(scaled.labels_, base.labels_)


def test_l2_normalized_is_scale_invariant():
    rows = np.array([[3.0, 4.0], [3e-320, 4e-320], [3e307, 4e307], [0.0, 0.0]])
    np.testing.assert_allclose(
        l2_normalized(rows), [[0.6, 0.8]] * 3 + [[0, 0]], rtol=1e-6
    )
    f32 = np.array([[3e-40, 4e-40], [3e37, 4e37]], dtype=np.float32)
    np.testing.assert_allclose(l2_normalized(f32), [[0.6, 0.8]] * 2, rtol=1e-5)


def test_spherical_kmeans_refuses_nan_before_faiss():
    X = np.ones((50, 3))
    X[40, 1] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity at row 40"):
        spherical_kmeans(X, 2)


def test_near_ties_between_centroids_do_not_depend_on_the_chunks():
    from sklearn_prune._kmeans import score_rows, unit_rows

    rng = np.random.RandomState(0)
    C = unit_rows(rng.normal(size=(6, 48)))
    # rows almost halfway between two centroids: their two similarities
    # differ in the last bits, where faiss's BLAS (>= 20 rows at once) and
    # its per-row code (fewer rows) can disagree
    pairs = rng.randint(0, 6, size=(4000, 2))
    X = C[pairs[:, 0]] + C[pairs[:, 1]] + rng.normal(size=(4000, 48)) * 1e-6
    whole = score_rows(X, 0, [C], 0)
    with sklearn.config_context(working_memory=0.0005):  # chunks of < 20 rows
        pieces = score_rows(X, 0, [C], 0)
    np.testing.assert_array_equal(pieces[0], whole[0])
    np.testing.assert_array_equal(pieces[1], whole[1])


@pytest.mark.slow
def test_bench_scale_quick_runs(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).parents[1]
    out = tmp_path / "bench.json"
    subprocess.run(
        [sys.executable, "benchmarks/bench_scale.py", "--quick", "--repeats", "1"]
        + ["--json", str(out)],
        cwd=root,
        env={**__import__("os").environ, "PYTHONPATH": str(root)},
        check=True,
        capture_output=True,
    )
    results = json.loads(out.read_text())
    assert results["dask"]["identical"] is True
    assert abs(results["memory"]["distance_ratio"] - 1) < 0.05
    assert results["memmap"]["extra_peak_rss"] < 2**30


def test_every_home_of_the_rows_says_the_same_about_their_shape(tmp_path):
    # one 2-D real check (sklearn_prune._rows) for memory maps, dask arrays
    # and embeddings
    da = pytest.importorskip("dask.array")
    path = tmp_path / "x.npy"
    np.save(path, np.zeros(12, dtype=np.float32))
    flat = np.load(path, mmap_mode="r")
    shape_error = r"must be a 2-D array \(n_samples, n_features\)\. Got shape \(12,\)"
    from sklearn_prune._memmap import validate_memmap

    with pytest.raises(ValueError, match="The memory-mapped X " + shape_error):
        validate_memmap(flat)
    with pytest.raises(ValueError, match="The dask array `X` " + shape_error):
        PrototypePruner(n_clusters=2).fit(da.zeros(12, chunks=4))
    with pytest.raises(ValueError, match="Embeddings " + shape_error):
        l2_normalized(np.zeros(12))
    with pytest.raises(TypeError, match="Embeddings must hold real numbers"):
        l2_normalized(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match=r"Found Embeddings with 0 feature\(s\)"):
        l2_normalized(np.zeros((3, 0)))

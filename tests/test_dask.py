"""Dask: the same rows as in memory, scored block by block on a local cluster."""

import numpy as np
import pandas as pd
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from sklearn.linear_model import LogisticRegression  # noqa: E402

from sklearn_prune import (  # noqa: E402
    EL2NPruner,
    PrototypePruner,
    RandomPruner,
)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        silence_logs=40,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    centers = rng.normal(size=(30, 12)) * 2
    X = centers[rng.randint(30, size=3001)] + rng.normal(size=(3001, 12))
    X[::7] = X[3]  # repeated rows: exact ties, broken by random_state
    return X.astype(np.float32), rng.randint(0, 3, size=3001)


def _lazy(X, y, chunks=(613, 411, 1000, 977)):  # odd, uneven blocks
    return da.from_array(X, chunks=(chunks, 5)), da.from_array(y, chunks=500)


@pytest.mark.parametrize(
    "params",
    [
        dict(strategy="hard"),
        dict(strategy="easy", max_samples=700, n_init=2),
        dict(strategy="stratified", class_balance=True, drop_hardest=0.05),
        dict(use_labels=True, strategy="moderate"),
    ],
    ids=["hard", "easy-n_init", "stratified-balanced", "use_labels"],
)
def test_prototype_keeps_the_same_rows_as_in_memory(client, data, params):
    X, y = data
    pruner = PrototypePruner(n_clusters=8, keep=0.3, random_state=2, **params)
    expected = pruner.fit(X, y)
    rows, scores, labels = (
        expected.sample_indices_,
        expected.scores_,
        expected.labels_,
    )
    got = pruner.fit(*_lazy(X, y))
    assert isinstance(got.scores_, da.Array)
    assert isinstance(got.sample_indices_, da.Array)
    assert isinstance(got.labels_, da.Array)
    np.testing.assert_array_equal(got.sample_indices_.compute(), rows)
    np.testing.assert_array_equal(got.scores_.compute(), scores)
    np.testing.assert_array_equal(got.labels_.compute(), labels)


def test_selection_outlives_its_persisted_intermediates(client):
    """The kept positions stay computable after select_indices's locals are gone.

    select_indices persists the scores and class codes and returns a lazy
    array built from their blocks; on a distributed cluster that array must
    hold the persisted futures, or the workers drop them ("lost
    dependencies").
    """
    import gc
    import time

    from sklearn_prune import select_indices

    rng = np.random.RandomState(0)
    scores, y = rng.normal(size=3000), rng.randint(0, 3, size=3000)
    expected = select_indices(scores, 0.3, y=y, class_balance=True, random_state=0)
    lazy = select_indices(
        da.from_array(scores, chunks=700) * 1.0,  # lazy: persisted inside
        0.3,
        y=da.from_array(y, chunks=700) + 0,
        class_balance=True,
        random_state=0,
    )
    gc.collect()
    time.sleep(0.5)  # let the scheduler release what nothing holds any more
    np.testing.assert_array_equal(lazy.compute(), expected)


def test_training_sample_is_the_same_rows_on_dask(client):
    from sklearn_prune import _kmeans, _kmeans_dask

    X = da.zeros((10_007, 2), chunks=(1234, 2))
    for n_train, seed in [(1, 0), (256, 3), (5000, 9), (10_006, 1)]:
        np.testing.assert_array_equal(
            _kmeans_dask.sample_positions(X, n_train, seed),
            _kmeans.sample_positions(10_007, n_train, seed),
        )


def test_random_pruner_keeps_the_same_rows(client, data):
    X, y = data
    pruner = RandomPruner(keep=0.25, class_balance=True, random_state=5)
    rows = pruner.fit(X, y).sample_indices_
    X_kept, y_kept = pruner.fit_resample(*_lazy(X, y))
    assert isinstance(X_kept, da.Array) and isinstance(y_kept, da.Array)
    assert X_kept.shape == (rows.shape[0], X.shape[1])  # known chunk sizes
    assert not np.isnan(sum(X_kept.chunks[0]))
    np.testing.assert_array_equal(X_kept.compute(), X[rows])
    np.testing.assert_array_equal(y_kept.compute(), y[rows])


def test_fit_resample_returns_lazy_dask_collections(client, data):
    X, y = data
    pruner = PrototypePruner(n_clusters=5, keep=0.4, random_state=0)
    rows = pruner.fit(X, y).sample_indices_  # y: class-balanced, as below
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(12)])
    frame.index = frame.index * 10 + 3
    ddf = dd.from_pandas(frame, npartitions=3)
    target = dd.from_pandas(pd.Series(y, index=frame.index, name="y"), npartitions=3)
    X_kept, y_kept = pruner.fit_resample(ddf, target)
    assert isinstance(X_kept, dd.DataFrame) and isinstance(y_kept, dd.Series)
    pd.testing.assert_frame_equal(X_kept.compute(), frame.iloc[rows])
    pd.testing.assert_series_equal(
        y_kept.compute(), pd.Series(y, index=frame.index, name="y").iloc[rows]
    )
    np.testing.assert_array_equal(pruner.feature_names_in_, frame.columns)
    # a numpy y comes back in memory
    X_kept, y_np = pruner.fit_resample(da.from_array(X, chunks=1000), y)
    assert isinstance(y_np, np.ndarray)
    np.testing.assert_array_equal(y_np, y[rows])


def test_unknown_chunk_sizes_say_compute_chunk_sizes(client, data):
    X, y = data
    lazy = da.from_array(X, chunks=1000)
    filtered = lazy[lazy[:, 0] > 0]  # boolean indexing: unknown block lengths
    for pruner in (PrototypePruner(n_clusters=3), RandomPruner()):
        with pytest.raises(ValueError, match=r"compute_chunk_sizes\(\)"):
            pruner.fit(filtered)
    pruner = RandomPruner(keep=0.5, random_state=0).fit(filtered.compute_chunk_sizes())
    assert pruner.sample_indices_.compute().shape == (
        round(int((X[:, 0] > 0).sum()) * 0.5),
    )


def test_nan_in_a_late_block_names_the_row(client, data):
    X, _ = data
    X = X.copy()
    X[2900, 4] = np.nan
    for pruner in (PrototypePruner(n_clusters=3), RandomPruner()):
        with pytest.raises(ValueError, match="NaN or infinity at row 2900"):
            pruner.fit(da.from_array(X, chunks=1000))
        for name in ("scores_", "sample_indices_", "labels_", "cluster_centers_"):
            assert not hasattr(pruner, name)


def test_other_pruners_refuse_dask_collections_clearly(client, data):
    X, y = data
    with pytest.raises(TypeError, match="does not take dask collections"):
        EL2NPruner().fit(*_lazy(X, y))
    with pytest.raises(ValueError, match="embedding=None"):
        PrototypePruner(embedding=lambda E: E).fit(da.from_array(X, chunks=1000))


def test_el2n_runs_its_ensemble_on_the_cluster(client, data):
    from joblib import parallel_config

    X, y = data
    X, y = X[:600], y[:600]
    pruner = EL2NPruner(
        estimator=LogisticRegression(max_iter=200),
        n_estimators=4,
        cv=3,
        keep=0.5,
        random_state=0,
    )
    expected = pruner.fit(X, y).scores_
    with distributed.get_task_stream(client) as tasks:
        with parallel_config(backend="dask"):
            got = pruner.fit(X, y).scores_
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    # the probes ran as tasks on the workers (joblib batches them)
    assert any("member_error_norms" in str(t["key"]) for t in tasks.data)

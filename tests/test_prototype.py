"""PrototypePruner: the self-supervised prototype metric."""

import numpy as np
import pytest
import sklearn
from sklearn.decomposition import PCA

from sklearn_prune import PrototypePruner
from sklearn_prune.cluster import spherical_kmeans


def _blobs_with_outliers(rng, n_per=100, d=10, n_out=5):
    centers = np.eye(d)[:3] * 10
    X = np.vstack([c + rng.normal(0, 1, (n_per, d)) for c in centers])
    outliers = rng.normal(0, 1, (n_out, d)) * 5  # random directions, off every blob
    y = np.repeat([0, 1, 2], n_per)
    return np.vstack([X, outliers]), np.concatenate([y, rng.randint(0, 3, n_out)])


def test_planted_outliers_rank_hardest(rng):
    X, _ = _blobs_with_outliers(rng)
    pruner = PrototypePruner(n_clusters=3, keep=0.9, strategy="easy", random_state=0)
    pruner.fit(X)
    hardest = np.argsort(-pruner.scores_)[:5]
    assert set(hardest) == set(range(300, 305))
    assert not np.isin(np.arange(300, 305), pruner.sample_indices_).any()


def test_scores_are_cosine_distances_to_the_exposed_centroids(rng):
    X, _ = _blobs_with_outliers(rng)
    p = PrototypePruner(n_clusters=3, random_state=0).fit(X)
    assert p.cluster_centers_.shape == (3, 10)
    np.testing.assert_allclose(np.linalg.norm(p.cluster_centers_, axis=1), 1, rtol=1e-5)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    sims = Xn @ p.cluster_centers_.T
    np.testing.assert_array_equal(p.labels_, sims.argmax(axis=1))
    np.testing.assert_allclose(p.scores_, 1 - sims.max(axis=1), atol=1e-5)
    # the three blobs get three different prototypes
    assert len(set(p.labels_[[0, 100, 200]])) == 3


def test_use_labels_scores_against_own_class_prototype(rng):
    X, y = _blobs_with_outliers(rng)
    y_wrong = y.copy()
    y_wrong[:5] = 1  # rows of blob 0 labelled as class 1
    p = PrototypePruner(use_labels=True, keep=0.5).fit(X, y_wrong)
    assert p.cluster_centers_.shape == (3, 10)
    np.testing.assert_array_equal(p.classes_, [0, 1, 2])
    np.testing.assert_array_equal(p.labels_, y_wrong)
    hardest = set(np.argsort(-p.scores_)[:10])
    assert set(range(5)) <= hardest
    with pytest.raises(ValueError, match="requires y"):
        PrototypePruner(use_labels=True).fit(X)


def test_string_labels_with_use_labels(rng):
    X, y = _blobs_with_outliers(rng)
    labels = np.array(["a", "b", "c"])[y]
    p = PrototypePruner(use_labels=True, keep=0.5).fit(X, labels)
    np.testing.assert_array_equal(p.classes_, ["a", "b", "c"])


def test_embedding_transformer_is_cloned_and_fitted(rng):
    X, _ = _blobs_with_outliers(rng)
    pca = PCA(n_components=4)
    p = PrototypePruner(embedding=pca, n_clusters=3, random_state=0).fit(X)
    assert not hasattr(pca, "components_")  # the user's object is untouched
    assert p.embedding_.components_.shape == (4, 10)
    assert p.cluster_centers_.shape == (3, 4)


def test_embedding_callable_and_image_input(digits):
    X, _ = digits
    images = X.reshape(-1, 1, 8, 8)
    p = PrototypePruner(
        embedding=lambda imgs: imgs.reshape(len(imgs), -1),
        n_clusters=10,
        keep=0.5,
        random_state=0,
    ).fit(images)
    flat = PrototypePruner(n_clusters=10, keep=0.5, random_state=0).fit(X)
    np.testing.assert_allclose(p.scores_, flat.scores_, atol=1e-6)
    with pytest.raises(ValueError, match="4"):  # images need an embedding
        PrototypePruner().fit(images)


def test_embedding_with_bad_output_is_rejected(rng):
    X = rng.normal(size=(20, 3))
    with pytest.raises(ValueError, match="2-D array with one row per sample"):
        PrototypePruner(embedding=lambda X: X[:, 0]).fit(X)
    with pytest.raises(ValueError, match="NaN or infinity"):
        PrototypePruner(embedding=lambda X: X * np.nan, n_clusters=2).fit(X)


def test_too_many_clusters_is_a_clear_error(rng):
    X = rng.normal(size=(5, 3))
    with pytest.raises(ValueError, match="n_clusters"):
        PrototypePruner(n_clusters=6).fit(X)


def test_float32_data_is_clustered_in_float32(rng):
    X = rng.normal(size=(200, 6)).astype(np.float32)
    p = PrototypePruner(n_clusters=4, random_state=0).fit(X)
    assert p.cluster_centers_.dtype == np.float32


def test_spherical_kmeans_n_jobs_restores_faiss_threads(rng):
    import faiss

    before = faiss.omp_get_max_threads()
    spherical_kmeans(rng.normal(size=(100, 4)), 3, n_jobs=1)
    assert faiss.omp_get_max_threads() == before


def test_zero_rows_get_distance_one(rng):
    X = np.vstack([rng.normal(size=(50, 4)) + 5, np.zeros((1, 4))])
    p = PrototypePruner(n_clusters=2, random_state=0).fit(X)
    assert p.scores_[-1] == pytest.approx(1.0)


# -- max_samples and n_init -------------------------------------------------------
def _mixture(n=4000, d=8, modes=40, seed=0):
    rng = np.random.RandomState(seed)
    centers = rng.normal(size=(modes, d)) * 2
    return (centers[rng.randint(modes, size=n)] + rng.normal(size=(n, d))).astype(
        np.float32
    )


def test_training_does_not_depend_on_threads_or_chunks():
    from sklearn_prune._kmeans import train_centroids, unit_rows

    # 100k rows around 1000 modes: near ties, where faiss's BLAS results
    # change in the last bits with its threads (faiss.Kmeans(seed=0) on these
    # rows trains different centroids on one and on two threads)
    modes = np.random.default_rng([0, 32]).standard_normal((1000, 32), np.float32)
    rng = np.random.default_rng([0, 32, 0])
    X = rng.standard_normal((100_000, 32), dtype=np.float32)
    X = unit_rows(X + modes[rng.integers(1000, size=100_000)])
    base = train_centroids(X, 50, 25, 0, n_threads=1)
    for n_threads, memory in [(2, None), (1, 0.05)]:
        with sklearn.config_context(working_memory=memory):
            C, fit = train_centroids(X, 50, 25, 0, n_threads=n_threads)
        np.testing.assert_array_equal(C, base[0])
        assert fit == base[1]


def test_training_is_as_good_as_faiss_kmeans():
    import faiss

    from sklearn_prune._kmeans import train_centroids, unit_rows

    X = unit_rows(_mixture(20_000, d=32, modes=1000))
    ours = [train_centroids(X, 50, 25, seed, n_threads=1)[1] for seed in range(3)]
    theirs = []
    for seed in range(3):
        km = faiss.Kmeans(
            32, 50, niter=25, seed=seed, spherical=True, max_points_per_centroid=10_000
        )
        km.train(X)
        theirs.append(km.obj[-1] / X.shape[0])
    # mean cosine similarity to the centroids (higher is better)
    assert np.mean(ours) > 0.99 * np.mean(theirs)


def test_training_reseeds_empty_clusters():
    from sklearn_prune._kmeans import train_centroids, unit_rows

    X = unit_rows(np.repeat(np.eye(3), [50, 50, 1], axis=0) + 0.01)
    C, _ = train_centroids(X, 3, 10, 0, n_threads=1)
    assert np.allclose(np.linalg.norm(C, axis=1), 1, atol=1e-6)
    assert len({tuple(np.round(c, 4)) for c in C}) == 3  # three distinct


def test_max_samples_auto_trains_on_256_rows_per_centroid(monkeypatch):
    from sklearn_prune import _kmeans

    seen = []
    original = _kmeans.train_centroids

    def spy(sample, *args, **kwargs):
        seen.append(sample.shape[0])
        return original(sample, *args, **kwargs)

    monkeypatch.setattr(_kmeans, "train_centroids", spy)
    X = _mixture(4000)
    PrototypePruner(n_clusters=3, random_state=0).fit(X)
    PrototypePruner(n_clusters=20, random_state=0).fit(X)  # capped at n_samples
    PrototypePruner(n_clusters=3, max_samples=100, random_state=0).fit(X)
    PrototypePruner(n_clusters=3, max_samples=0.25, random_state=0).fit(X)
    PrototypePruner(n_clusters=3, n_init=3, random_state=0).fit(X)
    assert seen == [768, 4000, 100, 1000, 768, 768, 768]


def test_every_row_is_scored_against_the_sampled_centroids():
    X = _mixture(3000)
    p = PrototypePruner(n_clusters=4, max_samples=200, random_state=0).fit(X)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    sims = Xn.astype(np.float64) @ p.cluster_centers_.T.astype(np.float64)
    np.testing.assert_array_equal(p.labels_, sims.argmax(axis=1))
    np.testing.assert_allclose(p.scores_, 1 - sims.max(axis=1), atol=1e-6)


def test_same_random_state_and_max_samples_same_rows():
    X = _mixture(3000)
    a = PrototypePruner(n_clusters=4, max_samples=500, random_state=3).fit(X)
    b = PrototypePruner(n_clusters=4, max_samples=500, random_state=3).fit(X)
    np.testing.assert_array_equal(a.sample_indices_, b.sample_indices_)
    c = PrototypePruner(n_clusters=4, max_samples=501, random_state=3).fit(X)
    assert not np.array_equal(a.scores_, c.scores_)


def test_n_init_averages_the_distances_of_independent_runs():
    from sklearn_prune._kmeans import fit_centroids, score_rows

    X = _mixture(2000)
    model = fit_centroids(X, 5, n_iter=10, seed=4, n_train=600, n_init=3, n_threads=1)
    assert len(model.centroids) == 3
    assert not np.allclose(model.centroids[0], model.centroids[1])
    mean, labels = score_rows(X, 0, model.centroids, model.best)
    singles = [score_rows(X, 0, [C], 0)[0] for C in model.centroids]
    np.testing.assert_allclose(mean, np.mean(singles, axis=0), rtol=1e-12)
    np.testing.assert_array_equal(
        labels, score_rows(X, 0, [model.centroids[model.best]], 0)[1]
    )


def test_n_init_makes_the_ranking_more_stable_across_seeds():
    from scipy.stats import spearmanr

    X = _mixture(4000, d=16, modes=200)

    def stability(n_init):
        s = [
            PrototypePruner(n_clusters=20, n_init=n_init, random_state=seed)
            .fit(X)
            .scores_
            for seed in (0, 1)
        ]
        return spearmanr(*s).statistic

    assert stability(5) > stability(1) + 0.05


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(max_samples=0), "max_samples"),
        (dict(max_samples=0.0), "max_samples"),
        (dict(max_samples=1.5), "max_samples"),
        (dict(max_samples=True), "max_samples"),
        (dict(max_samples="all"), "max_samples"),
        (dict(max_samples=101), "max_samples.*larger than the number of rows"),
        (dict(max_samples=3, n_clusters=4), "fewer than n_clusters=4"),
        (dict(n_init=0), "n_init"),
        (dict(n_init=1.0), "n_init"),
    ],
)
def test_bad_max_samples_and_n_init_name_the_parameter(params, match):
    X = _mixture(100)
    with pytest.raises(ValueError, match=match):
        PrototypePruner(**params).fit(X)


@pytest.mark.parametrize(
    "kw", [dict(max_samples=0), dict(max_samples=2.0), dict(n_init=0)]
)
def test_spherical_kmeans_checks_max_samples_and_n_init(kw):
    with pytest.raises(ValueError, match=next(iter(kw))):
        spherical_kmeans(_mixture(50), 2, **kw)


def test_spherical_kmeans_keeps_its_interface():
    X = _mixture(300)
    centroids, labels, dist = spherical_kmeans(X, 3, n_iter=5, seed=1, n_jobs=1)
    assert centroids.shape == (3, 8) and centroids.dtype == np.float32
    assert labels.shape == (300,) and labels.dtype == np.int64
    assert dist.shape == (300,) and dist.dtype == np.float32


# -- threads, progress, a missing faiss (issue 10, items 17, 18, 20) --------------
def test_faiss_threads_default_to_one_for_small_fits_and_restore(monkeypatch):
    import faiss

    during = []
    original = faiss.IndexFlatIP.search

    def spy(self, *args, **kwargs):
        during.append(faiss.omp_get_max_threads())
        return original(self, *args, **kwargs)

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(4)
    try:
        monkeypatch.setattr(faiss.IndexFlatIP, "search", spy)
        PrototypePruner(n_clusters=3, random_state=0).fit(_mixture(500))
        assert during and set(during) == {1}  # a small fit: no threads to wake
        assert faiss.omp_get_max_threads() == 4  # restored after fit
        during.clear()
        PrototypePruner(n_clusters=3, n_jobs=2, random_state=0).fit(_mixture(500))
        assert set(during) == {2}
    finally:
        faiss.omp_set_num_threads(before)


@pytest.mark.parametrize(
    "idle, physical, faiss_setting, expected",
    [
        (3.6, 8, 16, 4),
        (0.2, 8, 16, 1),
        (7.9, 8, 16, 8),
        (7.9, 8, 2, 2),
        (None, 4, 8, 4),
    ],
)
def test_faiss_threads_for_large_fits_use_the_idle_physical_cores(
    monkeypatch, idle, physical, faiss_setting, expected
):
    import os

    import faiss
    import joblib

    from sklearn_prune import _faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(faiss_setting)
    try:
        monkeypatch.setattr(
            joblib, "cpu_count", lambda only_physical_cores=False: physical
        )
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(physical)))
        monkeypatch.setattr(_faiss, "_idle_cores", lambda cpus: idle)
        assert _faiss.faiss_n_threads(None, work=1e12) == expected
        assert _faiss.faiss_n_threads(None, work=1e6) == 1
        assert _faiss.faiss_n_threads(3, work=1e6) == 3
    finally:
        faiss.omp_set_num_threads(before)


def test_idle_cores_reads_the_kernel_counters():
    import os

    from sklearn_prune import _faiss

    cpus = sorted(os.sched_getaffinity(0))
    idle = _faiss._idle_cores(cpus, seconds=0.05)
    assert idle is None or 0.0 <= idle <= len(cpus) + 1e-9


@pytest.mark.parametrize("user_policy", [None, "ACTIVE"])
def test_faiss_is_imported_with_the_passive_wait_policy(user_policy):
    import os
    import subprocess
    import sys

    code = (
        "import os; from sklearn_prune._faiss import import_faiss; "
        "import_faiss(); print(os.environ.get('OMP_WAIT_POLICY'))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMP", "GOMP"))}
    env["OMP_DISPLAY_ENV"] = "TRUE"  # OpenMP runtimes print their settings
    if user_policy:
        env["OMP_WAIT_POLICY"] = user_policy
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert run.stdout.strip() == str(user_policy)  # the environment is restored
    passive = "OMP_WAIT_POLICY = 'PASSIVE'" in run.stdout + run.stderr
    assert passive == (user_policy is None)  # a user's own choice is kept


def test_verbose_prints_progress(capsys):
    X = _mixture(2000)
    PrototypePruner(n_clusters=4, n_init=2, random_state=0).fit(X)
    assert capsys.readouterr().out == ""
    PrototypePruner(n_clusters=4, n_init=2, verbose=1, random_state=0).fit(X)
    out = capsys.readouterr().out
    assert "[PrototypePruner] k-means run 1/2 on 1024 of 2000 rows" in out
    assert "k-means run 2/2" in out
    assert "scored 2000/2000 rows (100%)" in out


def test_missing_faiss_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "faiss", None)  # import faiss -> ImportError
    with pytest.raises(ImportError, match="pip install faiss-cpu"):
        PrototypePruner(n_clusters=2).fit(_mixture(50))


def test_torch_embeddings_train_on_the_sample_too(monkeypatch):
    torch = pytest.importorskip("torch")
    import sklearn_prune.torch as sp_torch

    seen = []
    original = sp_torch.spherical_kmeans_torch

    def spy(E, *args, **kwargs):
        seen.append(E.shape[0])
        return original(E, *args, **kwargs)

    monkeypatch.setattr(sp_torch, "spherical_kmeans_torch", spy)
    X = _mixture(3000)
    p = PrototypePruner(
        embedding=lambda A: torch.as_tensor(np.asarray(A)),
        n_clusters=5,
        max_samples=500,
        n_init=2,
        random_state=0,
    ).fit(X)
    assert seen == [500, 500]
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    sims = Xn @ p.cluster_centers_.T
    np.testing.assert_array_equal(p.labels_, sims.argmax(axis=1))
    assert p.scores_.shape == (3000,) and np.all(p.scores_ >= 0)

"""PrototypePruner: the self-supervised prototype metric."""

import numpy as np
import pytest
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

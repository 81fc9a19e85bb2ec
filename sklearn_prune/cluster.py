"""k-means prototypes and distance to the nearest one (faiss, on the CPU)."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

__all__ = ["class_prototypes", "l2_normalized", "spherical_kmeans"]


def l2_normalized(X) -> np.ndarray:
    """One C-contiguous float32 copy of ``X`` with unit-norm rows.

    This is the only copy of the data that the prototype metric makes. All-zero
    rows stay zero (cosine distance 1 to every prototype).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Finite embeddings.

    Returns
    -------
    X_unit : ndarray of shape (n_samples, n_features), dtype=float32
        A new array; ``X`` is not modified.

    Examples
    --------
    >>> from sklearn_prune.cluster import l2_normalized
    >>> l2_normalized([[3.0, 4.0], [0.0, 0.0]])
    array([[0.6, 0.8],
           [0. , 0. ]], dtype=float32)
    """
    Xn = np.array(X, dtype=np.float32, order="C", copy=True)
    norms = np.sqrt(np.einsum("ij,ij->i", Xn, Xn))[:, None]  # no n x d temporary
    np.maximum(norms, np.finfo(np.float32).tiny, out=norms)
    Xn /= norms
    return Xn


def _all_finite(X: np.ndarray) -> bool:
    """Whether every entry is finite, without an n x d temporary when it is."""
    if np.isfinite(np.sum(X, dtype=np.float64)):
        return True  # NaN and infinity propagate through a float64 sum
    return bool(np.all(np.isfinite(X)))


def _check_embedding(X, n_clusters: int) -> None:
    """Fail with a clear error on arrays faiss would abort on."""
    if getattr(X, "ndim", None) != 2:
        raise ValueError(
            f"Embeddings must be a 2-D array (n_samples, n_features). Got shape "
            f"{getattr(X, 'shape', None)}."
        )
    n_samples, n_features = X.shape
    if n_features < 1:
        raise ValueError("Embeddings have 0 features; at least 1 is required.")
    if not 1 <= n_clusters <= n_samples:
        raise ValueError(
            f"`n_clusters`={n_clusters} must be between 1 and the number of rows "
            f"({n_samples})."
        )
    if not _all_finite(X):
        raise ValueError("Embeddings contain NaN or infinity.")


@contextmanager
def _faiss_threads(n_jobs: int | None):
    """Set faiss's OpenMP threads for the block and restore them afterwards."""
    import faiss

    if n_jobs is None:
        yield
        return
    from joblib import effective_n_jobs

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(effective_n_jobs(n_jobs))
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def spherical_kmeans(
    X,
    n_clusters: int,
    *,
    n_iter: int = 25,
    seed: int = 0,
    n_jobs: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spherical k-means with faiss and each row's cosine distance to its prototype.

    Rows are L2-normalised (one float32 copy), clustered by cosine similarity
    on all rows (no subsampling), and assigned to their most similar centroid.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Embeddings; not modified.
    n_clusters : int
        Number of prototypes, between 1 and ``n_samples``.
    n_iter : int, default=25
        Lloyd iterations.
    seed : int, default=0
        Seed of faiss's centroid initialisation.
    n_jobs : int, default=None
        OpenMP threads for faiss during the call (restored afterwards);
        None leaves faiss's setting alone.

    Returns
    -------
    centroids : ndarray of shape (n_clusters, n_features), dtype=float32
        Unit-norm prototypes.
    labels : ndarray of shape (n_samples,), dtype=int64
        Index of each row's nearest prototype.
    distances : ndarray of shape (n_samples,), dtype=float32
        Cosine distance (1 - cosine similarity) of each row to its prototype.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune.cluster import spherical_kmeans
    >>> X = np.array([[1, 0], [1, .1], [0, 1], [.1, 1]], dtype=np.float32)
    >>> centroids, labels, dist = spherical_kmeans(X, 2, seed=0)
    >>> bool(labels[0] == labels[1] != labels[2] == labels[3])
    True
    >>> bool(dist.max() < 0.01)
    True
    """
    import faiss

    X = np.asarray(X)
    _check_embedding(X, n_clusters)
    Xn = l2_normalized(X)
    n_samples, n_features = Xn.shape
    kmeans = faiss.Kmeans(
        n_features,
        int(n_clusters),
        niter=int(n_iter),
        seed=int(seed),
        spherical=True,
        min_points_per_centroid=1,
        max_points_per_centroid=n_samples // int(n_clusters) + 1,
        verbose=False,
    )
    with _faiss_threads(n_jobs):
        kmeans.train(Xn)
        similarity, labels = kmeans.index.search(Xn, 1)
    centroids = np.array(kmeans.centroids, dtype=np.float32)
    distances = np.clip(1.0 - similarity[:, 0], 0.0, 2.0).astype(np.float32)
    return centroids, labels[:, 0].astype(np.int64), distances


def class_prototypes(X, labels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Supervised prototypes: the normalised mean of each class's unit rows.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Embeddings; not modified.
    labels : array-like of shape (n_samples,)
        Integer class codes in ``0 .. n_classes - 1``.

    Returns
    -------
    centroids : ndarray of shape (n_classes, n_features), dtype=float32
        Unit-norm class prototypes.
    labels : ndarray of shape (n_samples,), dtype=int64
        The class codes, as given.
    distances : ndarray of shape (n_samples,), dtype=float32
        Cosine distance of each row to its own class's prototype.

    Examples
    --------
    >>> from sklearn_prune.cluster import class_prototypes
    >>> centroids, _, dist = class_prototypes([[1, 0], [0, 1], [1, 1]], [0, 1, 1])
    >>> dist.round(3)
    array([0.   , 0.076, 0.076], dtype=float32)
    """
    X = np.asarray(X)
    codes = np.asarray(labels, dtype=np.int64)
    _check_embedding(X, 1)
    Xn = l2_normalized(X)
    centroids = np.zeros((codes.max() + 1, Xn.shape[1]), dtype=np.float32)
    np.add.at(centroids, codes, Xn)
    centroids = l2_normalized(centroids)
    similarity = np.einsum("ij,ij->i", Xn, centroids[codes])
    distances = np.clip(1.0 - similarity, 0.0, 2.0).astype(np.float32)
    return centroids, codes, distances

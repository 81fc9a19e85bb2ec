"""Spherical k-means prototypes and each row's cosine distance to its prototype.

The public face of the prototype metric's engine (``sklearn_prune._kmeans``,
faiss searches on the CPU): centroids are trained on a sample of the rows,
then every row is scored chunk by chunk (bounded memory, never a full
normalised copy), so ``X`` may be a memory map larger than memory.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from numbers import Integral

import numpy as np

from ._compat import Count, validate_params
from ._kmeans import (
    MAX_SAMPLES_CONSTRAINT,
    as_rows,
    class_centroids,
    class_distances,
    class_sums,
    normalized_copy,
    prototype_distances,
)

__all__ = ["class_prototypes", "l2_normalized", "spherical_kmeans"]


@validate_params({"X": ["array-like"]}, prefer_skip_nested_validation=True)
def l2_normalized(X) -> np.ndarray:
    """A C-contiguous float32 copy of ``X`` with unit-norm rows.

    All-zero rows stay zero (cosine distance 1 to every prototype). The
    result does not depend on the scale of a row: huge (beyond float32's
    range) and tiny entries are scaled by the row's largest entry first.
    Temporaries are bounded by scikit-learn's ``working_memory``.

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
    >>> l2_normalized([[3.0, 4.0], [0.0, 0.0], [3e300, 4e300]])
    array([[0.6, 0.8],
           [0. , 0. ],
           [0.6, 0.8]], dtype=float32)
    """
    return normalized_copy(X)


@validate_params(
    {
        "X": ["array-like"],
        "n_clusters": [Count(1, None, closed="left")],
        "n_iter": [Count(1, None, closed="left")],
        "seed": [Integral],
        "n_jobs": [Integral, None],
        "max_samples": MAX_SAMPLES_CONSTRAINT,
        "n_init": [Count(1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def spherical_kmeans(
    X,
    n_clusters: int,
    *,
    n_iter: int = 25,
    seed: int = 0,
    n_jobs: int | None = None,
    max_samples="auto",
    n_init: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spherical k-means and each row's cosine distance to its prototype.

    Centroids are trained on a sample of the rows (``max_samples``; by
    default 256 per centroid, faiss's own default) by Lloyd iterations
    whose searches run in faiss (exact, sequential steps: the result does
    not depend on faiss's threads), then every row is
    assigned to its most similar centroid, chunk by chunk: memory stays
    bounded by scikit-learn's ``working_memory`` plus the training sample,
    never a full normalised copy, so ``X`` may be a :class:`numpy.memmap`
    larger than memory. Rows are normalised scale-invariantly (entries beyond
    float32's range are fine); NaN or infinity raises a ``ValueError`` naming
    the row.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Embeddings; not modified.
    n_clusters : int
        Number of prototypes, between 1 and ``n_samples``.
    n_iter : int, default=25
        Lloyd iterations.
    seed : int, default=0
        Seed of the training samples and of the centroids' initialisation.
    n_jobs : int, default=None
        OpenMP threads for faiss during the call (restored afterwards). None
        uses one thread for a small problem and otherwise the idle physical
        cores, at most faiss's setting (``OMP_NUM_THREADS``); see
        :class:`~sklearn_prune.PrototypePruner`.
    max_samples : "auto", int or float, default="auto"
        Rows the centroids are trained on: ``"auto"`` is 256 per centroid
        (at most ``n_samples``), an int a count (at most ``n_samples``), a
        float in (0, 1] a fraction. Every row is still scored.
    n_init : int, default=1
        Independent runs (own sample, own initialisation); the distances are
        averaged over them, and ``centroids`` and ``labels`` are those of the
        run whose centroids fit their training rows best.

    Returns
    -------
    centroids : ndarray of shape (n_clusters, n_features), dtype=float32
        Unit-norm prototypes.
    labels : ndarray of shape (n_samples,), dtype=int64
        Index of each row's nearest prototype.
    distances : ndarray of shape (n_samples,), dtype=float32
        Cosine distance (1 - cosine similarity) of each row to its prototype,
        averaged over the runs.

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
    centroids, labels, distances = prototype_distances(
        X,
        int(n_clusters),
        n_iter=n_iter,
        seed=seed,
        max_samples=max_samples,
        n_init=n_init,
        n_jobs=n_jobs,
    )
    return centroids, labels, distances.astype(np.float32)


@validate_params(
    {"X": ["array-like"], "labels": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def class_prototypes(X, labels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Supervised prototypes: the normalised mean of each class's unit rows.

    Rows are normalised chunk by chunk (no full copy; ``X`` may be a
    memory map), scale-invariantly.

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
    X = as_rows(X)
    codes = np.asarray(labels, dtype=np.int64)
    centroids = class_centroids(class_sums(X, codes, 0, int(codes.max()) + 1))
    distances = class_distances(X, codes, 0, centroids)
    return centroids, codes, distances.astype(np.float32)

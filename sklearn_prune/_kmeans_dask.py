"""The k-means engine on dask arrays: training on samples, scoring block by block.

Imported only when a dask array reaches :class:`~sklearn_prune.PrototypePruner`.
The algorithms are those of the in-memory engine (:mod:`sklearn_prune._kmeans`),
applied to each row block on the worker that holds it:

- a row block is scored by the same function as a chunk in memory
  (:func:`sklearn_prune._kmeans.score_rows`), so a row gets the same score
  whatever the blocking;
- the k-means training rows (the ``n_train`` smallest sample keys of the row
  positions; the workers send the candidates, about ``n_train`` of them) are
  gathered to one worker, which trains the centroids with faiss.

Generic dask input and output (validation, per-block maps, kept rows) live
in :mod:`sklearn_prune._dask`.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np

from ._dask import import_dask, per_block, row_blocks
from ._faiss import faiss_n_threads, faiss_threads
from ._kmeans import (
    class_centroids,
    class_distances,
    class_sums,
    fit_work,
    sample_candidates,
    sample_threshold,
    score_rows,
    smallest_keys,
    train_on_rows,
    train_runs,
)

__all__ = ["class_prototype_scores", "prototype_scores", "sample_positions"]


# -- per-block functions (module level: they travel to the workers) ----------
def _score_block(block, start, centroids, best):
    # one faiss thread per task: the dask workers' threads are the parallelism
    with faiss_threads(1):
        distances, labels = score_rows(np.asarray(block), start, centroids, best)
    return np.column_stack([distances, labels.astype(np.float64)])


def _train_task(rows, positions, n_clusters, n_iter, seed, n_jobs):
    # on the worker: its own cores decide faiss's threads
    work = fit_work(0, rows.shape[0], rows.shape[1], n_clusters, n_iter, 1)
    return train_on_rows(
        rows, positions, n_clusters, n_iter, seed, faiss_n_threads(n_jobs, work)
    )


def _class_sums_block(block, codes, start, n_classes):
    return class_sums(np.asarray(block), np.asarray(codes), start, n_classes)


def _class_distances_block(block, codes, start, centroids):
    return class_distances(np.asarray(block), np.asarray(codes), start, centroids)


# -- PrototypePruner's dask path ----------------------------------------------
def sample_positions(X, n_train: int, seed: int) -> np.ndarray:
    """The training rows of :func:`sklearn_prune._kmeans.sample_positions`, on dask.

    Each worker returns the candidate keys of its blocks' positions (X's
    values are not read), about ``n_train`` in all; the client keeps the
    ``n_train`` smallest, exactly as in memory. One pass.
    """
    dask, da = import_dask()
    n = int(X.shape[0])
    if n_train >= n:
        return np.arange(n, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(X.chunks[0])]).astype(np.int64)
    attempt = 0
    while True:
        threshold = sample_threshold(n, n_train, attempt)
        parts = dask.compute(
            *[
                dask.delayed(sample_candidates)(seed, int(a), int(b), threshold)
                for a, b in zip(starts[:-1], starts[1:])
            ]
        )
        chosen = smallest_keys(parts, n_train)
        if chosen is not None:
            return chosen
        attempt += 1


def prototype_scores(
    X,
    *,
    n_clusters: int,
    n_iter: int,
    seed: int,
    n_train: int,
    n_init: int,
    n_jobs,
    progress,
):
    """k-means centroids trained on gathered samples, then distances block by block.

    Returns
    -------
    centroids : ndarray of shape (n_clusters, n_features)
        The best run's unit centroids.
    labels : dask.array.Array of shape (n_samples,), dtype=int64
    distances : dask.array.Array of shape (n_samples,), dtype=float64
        Persisted on the workers.
    """
    dask, da = import_dask()
    n = int(X.shape[0])

    def train_run(i, sample_seed, kmeans_seed):  # lazy: trained on a worker
        progress(f"k-means run {i + 1}/{n_init}: gathering {n_train} of {n} rows")
        positions = sample_positions(X, n_train, sample_seed)
        return dask.delayed(_train_task)(
            X[positions], positions, n_clusters, n_iter, kmeans_seed, n_jobs
        )

    centroids, best, _ = train_runs(
        train_run, seed, n_init, gather=lambda runs: dask.compute(*runs)
    )
    progress(f"scoring {n} rows in {len(X.chunks[0])} blocks on the workers")
    both = per_block(_score_block, [X], centroids, best, width=2).persist()
    return centroids[best], both[:, 1].astype(np.int64), both[:, 0]


def class_prototype_scores(X, codes, n_classes: int):
    """Class prototypes (two passes over the blocks): centroids and distances."""
    dask, da = import_dask()
    codes = codes.rechunk((X.chunks[0],))
    parts = [
        dask.delayed(_class_sums_block)(xb, cb, start, n_classes)
        for (xb, start, _), (cb, _, _) in zip(row_blocks(X), row_blocks(codes))
    ]
    sums = np.asarray(dask.delayed(sum)(parts[1:], parts[0]).compute())
    centroids = class_centroids(sums)
    distances = per_block(_class_distances_block, [X, codes], centroids).persist()
    return centroids, distances

"""Spherical k-means in torch, on whatever device the embeddings live on."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np
import torch

from .._kmeans import check_n_clusters
from .._rows import chunks
from ._device import make_generator

__all__ = ["spherical_kmeans_torch"]

# Largest similarity block (rows x clusters) materialised at once: 2**27 floats
# (512 MiB), e.g. 131072 rows x 1000 clusters.
_BLOCK = 2**27


def spherical_kmeans_torch(
    E, n_clusters: int, *, n_iter: int = 25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spherical (cosine) k-means on a tensor's own device.

    The rows of ``E`` are L2-normalised (one float32 copy on the device),
    centroids are initialised with distinct random rows drawn from a
    :class:`torch.Generator` seeded with ``seed`` (as faiss does; k-means++
    would favour isolated outliers, which then become their own prototypes
    and score as easy), and Lloyd iterations assign each row to its most
    similar centroid. A centroid left without rows is re-seeded with the row
    farthest from its own centroid. Similarities are computed in blocks, so
    1M x 512 embeddings with 1000 clusters fit on one GPU. Stops early when
    the assignment no longer changes. This is the GPU counterpart of
    :func:`sklearn_prune.cluster.spherical_kmeans` (faiss), which returns the
    same triple.

    Parameters
    ----------
    E : torch.Tensor or array-like of shape (n_samples, n_features)
        Finite embeddings, any float dtype, any device; not modified.
    n_clusters : int
        Number of prototypes, between 1 and ``n_samples``.
    n_iter : int, default=25
        Maximum number of Lloyd iterations.
    seed : int, default=0
        Seed of the initialisation.

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
    >>> import torch
    >>> from sklearn_prune.torch import spherical_kmeans_torch
    >>> E = torch.tensor([[1, 0], [1, .1], [0, 1], [.1, 1]])
    >>> centroids, labels, dist = spherical_kmeans_torch(E, 2, seed=0)
    >>> bool(labels[0] == labels[1] != labels[2] == labels[3])
    True
    >>> bool(dist.max() < 0.01)
    True
    """
    X = _normalized(E, n_clusters)
    n_iter = int(n_iter)
    if n_iter < 0:
        raise ValueError(f"`n_iter` must be >= 0; got {n_iter}.")
    generator = make_generator(X.device, seed)
    C = _random_rows(X, int(n_clusters), generator)
    labels, sims = _assign(X, C)
    for _ in range(n_iter):
        C = _update(X, labels, sims, C)
        new_labels, sims = _assign(X, C)
        converged = torch.equal(new_labels, labels)
        labels = new_labels
        if converged:
            break
    distances = (1.0 - sims).clamp_(0.0, 2.0)
    return (
        C.cpu().numpy().astype(np.float32, copy=False),
        labels.cpu().numpy().astype(np.int64, copy=False),
        distances.cpu().numpy().astype(np.float32, copy=False),
    )


def _normalized(E, n_clusters: int) -> torch.Tensor:
    """Validate ``E`` and return a float32 copy with unit-norm rows.

    The result does not depend on a row's scale: entries beyond float32's
    range, or tiny ones, are scaled by the row's largest entry first.
    """
    if not isinstance(E, torch.Tensor):
        E = torch.as_tensor(np.asarray(E))
    E = E.detach()
    if E.ndim != 2:
        raise ValueError(
            f"Embeddings must be a 2-D tensor (n_samples, n_features); got shape "
            f"{tuple(E.shape)}."
        )
    if E.is_complex() or E.dtype == torch.bool:
        raise TypeError(f"Embeddings must hold real numbers; got dtype {E.dtype}.")
    n_samples, n_features = E.shape
    if n_features < 1:
        raise ValueError("Embeddings have 0 features; at least 1 is required.")
    check_n_clusters(n_clusters, n_samples)
    if not E.is_floating_point():
        E = E.to(torch.float64)
    if not bool(torch.isfinite(E).all()):
        raise ValueError("Embeddings contain NaN or infinity.")
    # scale-invariant: each row is divided by its largest entry in its own
    # dtype first, so that neither the cast to float32 nor the squares can
    # overflow or underflow (a new tensor: E is never written to)
    largest = E.abs().amax(dim=1, keepdim=True)
    X = (E / torch.where(largest > 0, largest, torch.ones_like(largest))).to(
        torch.float32
    )
    norms = torch.linalg.vector_norm(X, dim=1, keepdim=True)
    return X.div_(norms.clamp_min_(torch.finfo(torch.float32).tiny))


def _block_rows(n_clusters: int) -> int:
    return max(1, _BLOCK // max(n_clusters, 1))


def _assign(X: torch.Tensor, C: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Most similar centroid of each row and that similarity, by row blocks."""
    n = X.shape[0]
    labels = torch.empty(n, dtype=torch.int64, device=X.device)
    sims = torch.empty(n, dtype=torch.float32, device=X.device)
    for start, stop in chunks(n, _block_rows(C.shape[0])):
        block = X[start:stop] @ C.T
        rows = slice(start, stop)
        torch.max(block, dim=1, out=(sims[rows], labels[rows]))
    return labels, sims


def _update(X, labels, sims, C) -> torch.Tensor:
    """New unit centroids; empty clusters take the rows farthest from theirs."""
    k = C.shape[0]
    sums = torch.zeros_like(C)
    sums.index_add_(0, labels, X)
    counts = torch.bincount(labels, minlength=k)
    empty = torch.nonzero(counts == 0).flatten()
    norms = torch.linalg.vector_norm(sums, dim=1, keepdim=True)
    # A cluster whose rows cancel out (zero mean direction) keeps its centroid.
    C = torch.where(norms > 0, sums / norms.clamp_min(1e-30), C)
    if len(empty):
        farthest = torch.topk(sims, len(empty), largest=False).indices
        C[empty] = X[farthest]
    return C


def _random_rows(X: torch.Tensor, k: int, generator: torch.Generator) -> torch.Tensor:
    """``k`` distinct random rows of ``X`` as initial centroids."""
    rows = torch.randperm(X.shape[0], generator=generator, device=X.device)[:k]
    return X.index_select(0, rows)

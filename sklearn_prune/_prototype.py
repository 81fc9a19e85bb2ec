"""PrototypePruner: cosine distance to the nearest k-means prototype."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from numbers import Integral

from ._arrays import is_torch_tensor, n_rows
from ._compat import Interval
from ._docstring import fill_doc
from ._embedding import EMBEDDING_CONSTRAINT, embed
from ._seeding import draw_seed
from ._selection import class_codes
from .base import BasePruner
from .cluster import class_prototypes, spherical_kmeans

__all__ = ["PrototypePruner"]


@fill_doc
class PrototypePruner(BasePruner):
    """Score rows by their cosine distance to the nearest k-means prototype.

    The self-supervised metric of Sorscher et al. (2022): embed the rows, L2
    normalise them, run spherical k-means (faiss) and score each row by its
    cosine distance to the nearest centroid. Rows far from every prototype are
    the hard ones. No labels are needed; with ``use_labels=True`` the
    prototypes are the class means instead (the paper's supervised variant).

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    {{keep}}

    {{policy}}

    embedding : transformer, callable or None, default=None
        How rows are embedded before clustering. None uses the rows as they
        are. A scikit-learn transformer is cloned and fitted on ``X``
        (``fit_transform``); the fitted clone is ``embedding_``. A callable
        is called as ``embedding(X)``. The embedding must be 2-D with one row
        per sample; it may be a torch tensor (e.g. from an embedder of
        :mod:`sklearn_prune.torch` with ``output="torch"``), in which case
        k-means runs on the tensor's device. With an embedding, ``X`` may be
        an image array of shape (n_samples, channels, height, width).

    n_clusters : int, default=8
        Number of k-means prototypes. The paper found results insensitive
        to it within an order of magnitude of the number of classes. Ignored
        when ``use_labels=True``.

    use_labels : bool, default=False
        If True, use one prototype per class (the mean of the class's unit
        embeddings) and score each row against its own class's prototype.
        Needs ``y``.

    n_iter : int, default=25
        Number of k-means iterations.

    {{class_balance}}

    {{random_state}}

    {{n_jobs}} Sets faiss's OpenMP threads during ``fit`` only.

    Attributes
    ----------
    {{fitted}}

    cluster_centers_ : ndarray of shape (n_prototypes, n_embedding_features)
        Unit-norm prototypes (k-means centroids, or class means with
        ``use_labels=True``).

    labels_ : ndarray of shape (n_samples,)
        Index of each training row's prototype.

    classes_ : ndarray of shape (n_classes,)
        Class labels, in the order of ``cluster_centers_``; only with
        ``use_labels=True``.

    embedding_ : transformer
        The fitted clone of ``embedding``, when it is a transformer.

    See Also
    --------
    EL2NPruner : Supervised difficulty from briefly trained probes.
    sklearn_prune.cluster.spherical_kmeans : The clustering step alone.

    References
    ----------
    .. [1] Sorscher, Geirhos, Shekhar, Ganguli, Morcos. "Beyond neural scaling
       laws: beating power law scaling via data pruning". NeurIPS 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune import PrototypePruner
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal([5, 0], 0.5, (50, 2)),
    ...                rng.normal([0, 5], 0.5, (50, 2)),
    ...                [[4.0, 4.0]]])               # an outlier between clusters
    >>> pruner = PrototypePruner(keep=0.9, n_clusters=2, random_state=0).fit(X)
    >>> int(np.argmax(pruner.scores_))
    100
    >>> X_kept, _ = pruner.fit_resample(X)
    >>> X_kept.shape
    (91, 2)
    """

    _parameter_constraints: dict = {
        **BasePruner._parameter_constraints,
        "embedding": EMBEDDING_CONSTRAINT,
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "use_labels": ["boolean"],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        keep=0.5,
        strategy="hard",
        drop_hardest=0.0,
        n_strata=50,
        embedding=None,
        n_clusters=8,
        use_labels=False,
        n_iter=25,
        class_balance="auto",
        random_state=None,
        n_jobs=None,
    ):
        super().__init__(
            keep=keep,
            strategy=strategy,
            drop_hardest=drop_hardest,
            n_strata=n_strata,
            class_balance=class_balance,
            random_state=random_state,
        )
        self.embedding = embedding
        self.n_clusters = n_clusters
        self.use_labels = use_labels
        self.n_iter = n_iter
        self.n_jobs = n_jobs

    def _allow_nd(self) -> bool:
        return self.embedding is not None

    def _requires_y(self) -> bool:
        return bool(self.use_labels) or super()._requires_y()

    def _embed(self, X):
        E, fitted = embed(self.embedding, X)
        if fitted is not None:
            self.embedding_ = fitted
        return E

    def _compute_scores(self, X, y, rng, **params):
        E = self._embed(X)
        if self.use_labels:
            self.classes_, codes = class_codes(y)
            if is_torch_tensor(E):
                E = E.detach().float().cpu().numpy()
            centroids, labels, distances = class_prototypes(E, codes)
        else:
            n_samples = n_rows(E)
            if self.n_clusters > n_samples:
                raise ValueError(
                    f"`n_clusters`={self.n_clusters} is larger than the number of "
                    f"rows ({n_samples}); use at most {n_samples} clusters."
                )
            seed = draw_seed(rng)
            if is_torch_tensor(E):
                from .torch import spherical_kmeans_torch

                centroids, labels, distances = spherical_kmeans_torch(
                    E, self.n_clusters, n_iter=self.n_iter, seed=seed
                )
            else:
                centroids, labels, distances = spherical_kmeans(
                    E,
                    self.n_clusters,
                    n_iter=self.n_iter,
                    seed=seed,
                    n_jobs=self.n_jobs,
                )
        self.cluster_centers_ = centroids
        self.labels_ = labels
        return distances

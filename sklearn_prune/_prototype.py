"""PrototypePruner: cosine distance to the nearest k-means prototype."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np

from ._arrays import n_rows
from ._compat import Count, Interval
from ._docstring import fill_doc
from ._embedding import EMBEDDING_CONSTRAINT, embed
from ._kinds import is_dask_collection, is_memmap, is_torch_tensor
from ._kmeans import (
    MAX_SAMPLES_CONSTRAINT,
    check_n_clusters,
    n_training_rows,
    prototype_distances,
    sample_positions,
    train_runs,
)
from ._progress import Progress
from ._seeding import draw_seed
from ._selection import class_codes
from .base import BasePruner
from .cluster import class_prototypes
from .exceptions import PruningWarning

__all__ = ["PrototypePruner"]

#: ``fit`` warns when the widest column's standard deviation exceeds this many
#: times the median column's (raw features, cosine distance)
UNSCALED_RATIO = 100
#: rows (evenly spaced) the column scales are estimated from
SCALE_SAMPLE = 10_000


@fill_doc
class PrototypePruner(BasePruner):
    """Score rows by their cosine distance to the nearest k-means prototype.

    The self-supervised metric of Sorscher et al. (2022): embed the rows, L2
    normalise them, run spherical k-means (its searches in faiss) and score
    each row by its cosine distance to the nearest centroid. Rows far from
    every prototype are the hard ones. No labels are needed; with
    ``use_labels=True`` the prototypes are the class means instead (the
    paper's supervised variant).

    The centroids are trained on a sample (``max_samples``) and the rows are
    scored chunk by chunk, so memory stays bounded by scikit-learn's
    ``working_memory`` plus the training sample: ``X`` may be a
    :class:`numpy.memmap` larger than memory. ``X`` may also be a dask array
    or DataFrame: the sample is gathered to one worker for training, the rows
    are scored block by block on the workers, and ``scores_``,
    ``sample_indices_`` and ``labels_`` are dask arrays (``fit_resample``
    returns lazy dask collections). With the same ``random_state`` and
    ``max_samples``, in-memory, memory-mapped and dask inputs keep the same
    rows. See :ref:`large_data`.

    Cosine distance compares directions, so on raw features the columns with
    the largest scale decide the scores: ``fit`` warns (a
    :class:`~sklearn_prune.exceptions.PruningWarning`) when, with
    ``embedding=None`` and an array in memory, the largest column standard
    deviation is more than 100 times the median one. Scale the features
    first (``StandardScaler`` before the pruner in a Pipeline).

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

    max_samples : "auto", int or float, default="auto"
        Rows the k-means centroids are *trained* on, drawn from
        ``random_state``; every row is still *scored* against them.
        ``"auto"`` trains on 256 rows per centroid (faiss's own default), at
        most ``n_samples``. An int is a count (``1 <= max_samples <=
        n_samples``, and at least ``n_clusters``); a float in (0, 1] a
        fraction of the rows. Training on every row costs time without
        making the ranking more stable than a change of seed does; use
        ``n_init`` for stability. Ignored when ``use_labels=True``.

    n_init : int, default=1
        Independent k-means runs (each with its own sample and
        initialisation) whose distances are averaged into ``scores_``, the
        way EL2N averages probes: more runs give a ranking that depends less
        on the seed. ``cluster_centers_`` and ``labels_`` are those of the
        run whose centroids fit their training rows best. Ignored when
        ``use_labels=True``.

    {{class_balance}}

    {{random_state}}

    n_jobs : int, default=None
        OpenMP threads of faiss (and of the BLAS bundled with it) during
        ``fit``, restored afterwards; ``-1`` uses every core. None chooses:
        one thread for a small fit (under about 2e9 multiply-adds, i.e.
        ``n_clusters * n_features * (n_samples + 25 * training rows)``),
        where waking threads costs more than it saves; otherwise the
        physical cores this process may use (CPU affinity and container
        quotas included) that are idle when ``fit`` starts (sampled for
        50 ms from ``/proc/stat`` on Linux), at most faiss's own setting
        (the ``OMP_NUM_THREADS`` environment variable, or a limit set with
        ``threadpoolctl.threadpool_limits(n, user_api="openmp")`` or by
        joblib's workers). Threads that wait on busy cores slow faiss down
        many times over, so on a shared machine ``n_jobs=1`` is a safe
        choice. On a dask array, training uses this rule on its worker and
        each block is scored with one thread (the workers' threads are the
        parallelism). See :ref:`large_data_threads`.

    verbose : int, default=0
        If positive, print progress to stdout: each k-means run, the rows
        scored so far, and the time taken.

    Attributes
    ----------
    {{fitted}}

    cluster_centers_ : ndarray of shape (n_prototypes, n_embedding_features)
        Unit-norm prototypes (k-means centroids, or class means with
        ``use_labels=True``).

    labels_ : ndarray of shape (n_samples,)
        Index of each training row's prototype (a dask array for a dask
        ``X``).

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

    #: label-free distances: the farthest rows are atypical, not mislabelled,
    #: and dropping them lost accuracy on image data (User Guide, "Defaults")
    _auto_drop_hardest = 0.0

    _parameter_constraints: dict = {
        **BasePruner._parameter_constraints,
        "embedding": EMBEDDING_CONSTRAINT,
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "use_labels": ["boolean"],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "max_samples": MAX_SAMPLES_CONSTRAINT,
        "n_init": [Count(1, None, closed="left")],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }
    _out_of_core = True

    def __init__(
        self,
        *,
        keep=0.5,
        strategy="stratified",
        drop_hardest="auto",
        n_strata=50,
        embedding=None,
        n_clusters=8,
        use_labels=False,
        n_iter=25,
        max_samples="auto",
        n_init=1,
        class_balance="auto",
        random_state=None,
        n_jobs=None,
        verbose=0,
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
        self.max_samples = max_samples
        self.n_init = n_init
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # an embedding turns images, tensors or text into numeric rows
        embedded = self.embedding is not None
        tags.input_tags.three_d_array = tags.input_tags.string = embedded
        # class prototypes need the labels
        tags.target_tags.required = bool(self.use_labels) or tags.target_tags.required
        return tags

    def _checks_rows_while_scoring(self) -> bool:
        return self.embedding is None

    def _embed(self, X):
        E, fitted = embed(self.embedding, X)
        if fitted is not None:
            self.embedding_ = fitted
        return E

    def _uninformative_hint(self) -> str:
        return (
            "the rows (or their embeddings) point in nearly the same direction, "
            "or every row is its own prototype; check X or `embedding`, or "
            "lower `n_clusters`"
        )

    def _compute_scores(self, X, y, rng, **params):
        say = Progress(self.verbose, type(self).__name__)
        if is_dask_collection(X):
            centroids, labels, distances = self._dask_scores(X, y, rng, say)
        else:
            E = self._embed(X)
            if self.embedding is None:
                self._warn_unscaled(E)
            if is_torch_tensor(E) and self.use_labels:
                E = E.detach().float().cpu().numpy()
            if self.use_labels:
                self.classes_, codes = class_codes(y)
                centroids, labels, distances = class_prototypes(E, codes)
            elif is_torch_tensor(E):
                centroids, labels, distances = self._torch_scores(E, rng)
            else:
                centroids, labels, distances = prototype_distances(
                    E,
                    self.n_clusters,
                    n_iter=self.n_iter,
                    seed=draw_seed(rng),
                    max_samples=self.max_samples,
                    n_init=self.n_init,
                    n_jobs=self.n_jobs,
                    verbose=self.verbose,
                )
        self.cluster_centers_ = centroids
        self.labels_ = labels
        say("selecting rows")
        return distances

    def _warn_unscaled(self, X) -> None:
        """Warn when column scales differ by orders of magnitude (raw features)."""
        if not isinstance(X, np.ndarray) or is_memmap(X) or X.ndim != 2:
            return  # sparse, memory maps, tensors: not read twice
        sample = X[:: max(1, X.shape[0] // SCALE_SAMPLE)]  # a view: evenly spaced
        largest = float(np.max(np.abs(sample))) if sample.size else 0.0
        if not 0.0 < largest < np.inf:
            return
        # the ratio of scales does not depend on a common factor: divide by
        # the largest value first, so that squares of huge values stay finite
        std = np.std(sample / largest, axis=0, dtype=np.float64) * largest
        present = std > 0
        if present.sum() < 2:
            return
        median = float(np.median(std[present]))
        widest = int(np.argmax(std))
        if std[widest] <= UNSCALED_RATIO * median:
            return
        names = getattr(self, "feature_names_in_", None)
        name = repr(names[widest]) if names is not None else str(widest)
        warnings.warn(
            f"PrototypePruner compares rows by cosine on the raw features, and "
            f"their scales differ by orders of magnitude: column {name} has "
            f"standard deviation {std[widest]:.3g}, {std[widest] / median:.0f} "
            f"times the median column's ({median:.3g}), so the largest columns "
            f"decide the scores. Scale the features first, e.g. "
            f"make_pipeline(StandardScaler(), PrototypePruner(...), model).",
            PruningWarning,
            stacklevel=5,  # _warn_unscaled, _compute_scores, fit, _fit_context
        )

    def _dask_scores(self, X, y, rng, say):
        from ._kmeans_dask import class_prototype_scores, prototype_scores

        if self.embedding is not None:
            raise ValueError(
                "PrototypePruner takes a dask X only with embedding=None: embed "
                "the rows first (e.g. X.map_blocks(model.transform, ...)) and "
                "pass the embeddings."
            )
        if self.use_labels:
            self.classes_, codes = class_codes(y)
            centroids, distances = class_prototype_scores(
                X, codes, self.classes_.shape[0]
            )
            return centroids, codes.rechunk((X.chunks[0],)), distances
        n_samples = n_rows(X)
        check_n_clusters(self.n_clusters, n_samples)
        return prototype_scores(
            X,
            n_clusters=self.n_clusters,
            n_iter=self.n_iter,
            seed=draw_seed(rng),
            n_train=n_training_rows(self.max_samples, n_samples, self.n_clusters),
            n_init=self.n_init,
            n_jobs=self.n_jobs,
            progress=say,
        )

    def _torch_scores(self, E, rng):
        """k-means on the tensor's device, trained on the sample of each run."""
        import torch

        from .torch import spherical_kmeans_torch
        from .torch._kmeans import _assign, _normalized

        n_samples = n_rows(E)
        check_n_clusters(self.n_clusters, n_samples)
        n_train = n_training_rows(self.max_samples, n_samples, self.n_clusters)
        seed = draw_seed(rng)
        if n_train == n_samples and self.n_init == 1:
            return spherical_kmeans_torch(
                E, self.n_clusters, n_iter=self.n_iter, seed=seed
            )

        def train_run(i, sample_seed, kmeans_seed):
            rows = torch.as_tensor(
                sample_positions(n_samples, n_train, sample_seed), device=E.device
            )
            C, _, d = spherical_kmeans_torch(
                E[rows], self.n_clusters, n_iter=self.n_iter, seed=kmeans_seed
            )
            return C, 1.0 - float(np.mean(d))

        centroids, best, _ = train_runs(train_run, seed, self.n_init)
        unit = _normalized(E, self.n_clusters)
        runs = []
        for C in centroids:
            labels, sims = _assign(unit, torch.as_tensor(C, device=unit.device))
            runs.append((labels.cpu().numpy(), sims.cpu().numpy()))
        distances = np.mean(
            [np.clip(1.0 - sims.astype(np.float64), 0.0, 2.0) for _, sims in runs],
            axis=0,
        )
        return centroids[best], runs[best][0].astype(np.int64), distances

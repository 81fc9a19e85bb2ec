"""SemDedupPruner: one survivor per group of semantic near-duplicates."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from contextlib import nullcontext
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from sklearn.utils.validation import check_is_fitted

from ._arrays import n_rows
from ._compat import KEEP_CONSTRAINT, Fraction, Interval, StrOptions
from ._docstring import fill_doc
from ._embedding import EMBEDDING_CONSTRAINT, embed
from ._kinds import is_torch_tensor
from ._kmeans import MAX_SAMPLES_CONSTRAINT
from ._order import row_uniforms
from ._progress import Progress
from ._seeding import draw_seed
from .base import BasePruner
from .cluster import l2_normalized, spherical_kmeans

__all__ = ["SemDedupPruner"]

#: rows per cluster that ``n_clusters="auto"`` aims at (bounds the pairwise work)
ROWS_PER_CLUSTER = 10_000
#: rows of one block of the within-cluster similarity products: one block of
#: similarities is BLOCK_ROWS x BLOCK_ROWS float32 (16 MiB), never cluster x cluster
BLOCK_ROWS = 2048


def similarity_threshold(eps: float) -> np.float32:
    """The float32 cosine similarity above which two rows are near-duplicates."""
    return np.float32(1.0 - float(eps))


def _spanning_forest(n: int, rows, cols, sims):
    """A maximum-similarity spanning forest of the graph of pairs ``(rows, cols)``.

    Any threshold on similarity splits the forest into the same connected
    components as the whole graph, so the forest (at most ``n - 1`` edges)
    stands for every pair above the smallest threshold it was built from.
    """
    if len(sims) == 0:
        return rows, cols, sims
    # minimum spanning tree of a positive weight that decreases with similarity
    # (3 - s is exact in float64 for a float32 s, and never zero)
    weight = 3.0 - sims.astype(np.float64)
    graph = sp.csr_matrix((weight, (rows, cols)), shape=(n, n))
    tree = minimum_spanning_tree(graph).tocoo()
    return (
        tree.row.astype(np.int64),
        tree.col.astype(np.int64),
        (3.0 - tree.data).astype(np.float32),
    )


class _ForestBuilder:
    """Collects near-duplicate pairs, shrinking them to a spanning forest as they come.

    Memory stays below a few times the number of rows plus one block of pairs.
    """

    def __init__(self, n: int):
        self.n = n
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.size = 0

    def add(self, rows: np.ndarray, cols: np.ndarray, sims: np.ndarray) -> None:
        self.parts.append((rows, cols, sims))
        self.size += len(sims)
        if self.size > 4 * self.n + BLOCK_ROWS**2 // 8:
            self.parts = [self.forest()]
            self.size = len(self.parts[0][2])

    def forest(self):
        if not self.parts:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, np.empty(0, dtype=np.float32)
        rows, cols, sims = (np.concatenate(p) for p in zip(*self.parts))
        return _spanning_forest(self.n, rows, cols, sims)


def near_duplicate_pairs(E: np.ndarray, threshold: np.float32):
    """Block-wise pairwise work within one cluster of unit rows.

    Parameters
    ----------
    E : ndarray of shape (m, d), dtype=float32
        Unit-norm rows of one cluster.
    threshold : float32
        Similarity above which a pair is a near-duplicate.

    Returns
    -------
    nearest : ndarray of shape (m,), dtype=float32
        Each row's largest cosine similarity to another row (-inf when the
        cluster has one row).
    rows, cols, sims : ndarrays
        A spanning forest of the pairs with similarity above ``threshold``
        (local row positions, ``rows < cols``, and their similarities).
    """
    m = E.shape[0]
    nearest = np.full(m, -np.inf, dtype=np.float32)
    forest = _ForestBuilder(m)
    for a in range(0, m, BLOCK_ROWS):
        A = E[a : a + BLOCK_ROWS]
        for c in range(a, m, BLOCK_ROWS):
            diagonal = c == a
            # only blocks on and above the diagonal: each pair is computed once
            S = A @ A.T if diagonal else A @ E[c : c + BLOCK_ROWS].T
            if diagonal:
                np.fill_diagonal(S, -np.inf)
            row_max = S.max(axis=1)
            np.maximum(nearest[a : a + len(A)], row_max, out=nearest[a : a + len(A)])
            if not diagonal:
                block = nearest[c : c + S.shape[1]]
                np.maximum(block, S.max(axis=0), out=block)
            hits = np.flatnonzero(row_max > threshold)
            if hits.size == 0:
                continue
            sub = S[hits]
            near = sub > threshold
            n_pairs = np.count_nonzero(near)
            if n_pairs > _DENSE_PAIRS_PER_ROW * hits.size:
                # many near pairs (e.g. a mass of copies of one item): the
                # block's own spanning forest, without sorting every pair
                cols = hits if diagonal else np.flatnonzero(near.any(axis=0))
                r, k, s = _dense_forest(sub[:, cols], threshold, diagonal)
                i, j = a + hits[r], c + cols[k]
            else:
                r, k = np.nonzero(near)
                i, j, s = a + hits[r], c + k, sub[r, k]
                if diagonal:  # each pair appears twice in a diagonal block
                    upper = j > i
                    i, j, s = i[upper], j[upper], s[upper]
            forest.add(i, j, s)
    return (nearest, *forest.forest())


#: above this many near pairs per row, a block's forest is grown by Prim's
#: algorithm on the dense block (O(rows^2), no sort) instead of sorting pairs
_DENSE_PAIRS_PER_ROW = 16


def _dense_forest(S: np.ndarray, threshold: np.float32, square: bool):
    """A maximum spanning forest of the pairs above ``threshold`` of one block.

    Prim's algorithm on the dense block. ``S`` holds the similarities of
    rows (axis 0) to columns (axis 1): two vertex sets (a bipartite graph),
    or one set when ``square`` (a diagonal block, its diagonal at -inf).
    Returns the row and column of every forest edge and its similarity.
    """
    p, q = S.shape
    ST = S if square else np.ascontiguousarray(S.T)
    # key: best similarity to the tree so far (``threshold``: no edge yet,
    # -inf: in the tree); parent: the vertex that similarity comes from
    key_r, par_r = np.full(p, threshold), np.full(p, -1)
    key_c, par_c = (key_r, par_r) if square else (np.full(q, threshold), np.full(q, -1))
    out_r, out_c, out_s = [], [], []
    for _ in range(p if square else p + q):
        v, w = int(np.argmax(key_r)), int(np.argmax(key_c))
        if key_r[v] >= key_c[w]:  # a row joins; its edges go to the columns
            best, edge = key_r[v], (v, par_r[v])
            key_r[v], cand, keys, parents = -np.inf, S[v], key_c, par_c
        else:  # a column joins; its edges go to the rows
            best, edge, v = key_c[w], (par_c[w], w), w
            key_c[w], cand, keys, parents = -np.inf, ST[w], key_r, par_r
        if best > threshold:  # else the vertex starts a new tree
            out_r.append(edge[0]), out_c.append(edge[1]), out_s.append(best)
        better = (cand > keys) & (keys > -np.inf)  # not to vertices in the tree
        keys[better] = cand[better]
        parents[better] = v
    return (
        np.asarray(out_r, dtype=np.int64),
        np.asarray(out_c, dtype=np.int64),
        np.asarray(out_s, dtype=np.float32),
    )


@fill_doc
class SemDedupPruner(BasePruner):
    """Remove semantic near-duplicates: keep one row of every group (SemDeDup).

    The semantic deduplication of Abbas et al. (2023): embed the rows, L2
    normalise them, cluster them with spherical k-means, and within each
    cluster connect every two rows whose cosine similarity exceeds
    ``1 - eps``. Each connected group of near-duplicates keeps exactly one
    row (chosen by ``keep_in_group``); rows with no near-duplicate all stay.
    Similarities are computed block by block within a cluster (blocks of
    2048 x 2048), never as a cluster x cluster matrix.

    Read more in the :ref:`User Guide <ug_dedup>`.

    Parameters
    ----------
    eps : float in (0, 2), default=0.05
        Cosine distance below which two rows are near-duplicates (their
        cosine similarity exceeds ``1 - eps``). With ``keep=None`` it alone
        decides how many rows survive: larger values remove more.

    keep : float, int or None, default=None
        None keeps one row per group of near-duplicates and every other row
        (the number kept depends on the data and ``eps``). A float in (0, 1]
        or an int >= 1 keeps that many rows instead, exactly
        (``max(1, floor(keep * n_samples + 0.5))`` for a fraction), chosen
        from ``scores_`` by ``strategy``: with ``"hard"`` the most novel rows.
        Novelty is the distance to the nearest other row, so the members of
        a duplicate group, all close to one another, are dropped together
        before any row without a near-duplicate; to keep one row per group
        and then prune to a budget, chain this pruner (``keep=None``) with
        another one (see :ref:`ug_dedup`).
        With ``keep=None``, ``strategy`` and ``drop_hardest`` must keep their
        defaults (``"hard"``, 0.0): there is no budget to apply a policy to,
        and any other value raises a ``ValueError``.

    keep_in_group : {"farthest", "nearest", "random"}, default="farthest"
        Which row of a group survives: the one farthest from (least similar
        to) its cluster's prototype, the nearest one, or one at random (from
        ``random_state``). Ties go to the first row. The default is the
        choice of the SemDeDup reference implementation (its "hard"
        examples): of near-identical rows it keeps the least typical one, as
        keep-hard pruning of abundant data would, and results compare with
        the paper's.

    max_eps : float in (0, 2) or None, default=None
        Largest ``eps`` that :meth:`rethreshold` accepts (None: ``eps``). The
        pairs closer than ``max_eps`` are found during ``fit``; a larger value
        costs fit time where many pairs are that close, not memory (what is
        kept is a spanning forest of those pairs, at most ``n_samples - 1``
        edges).

    embedding : transformer, callable or None, default=None
        How rows are embedded before clustering, as in
        :class:`~sklearn_prune.PrototypePruner`: None uses the rows as they
        are; a scikit-learn transformer is cloned and fitted on ``X`` (the
        fitted clone is ``embedding_``); a callable is called as
        ``embedding(X)``. With an embedding, ``X`` may be text rows (a list,
        1-D array or pandas Series of str; see
        :class:`sklearn_prune.text.EncoderEmbedding`), and ``fit_resample``
        returns the kept texts in the same type.

    n_clusters : int or "auto", default="auto"
        Number of k-means clusters. Near-duplicates are looked for within a
        cluster only, so more clusters mean less pairwise work (about
        ``n_samples**2 / n_clusters`` similarities) and a small chance of
        missing a pair split by a cluster boundary. ``"auto"`` uses
        ``ceil(n_samples / 10000)`` clusters: one cluster, hence exact
        deduplication, up to 10,000 rows.

    n_iter : int, default=25
        Number of k-means iterations.

    max_samples : "auto", int or float, default="auto"
        Rows the k-means centroids are trained on, as in
        :class:`~sklearn_prune.PrototypePruner`: ``"auto"`` is 256 per
        centroid (at most ``n_samples``), an int a count, a float in (0, 1]
        a fraction. Every row is still assigned to its nearest centroid and
        compared with the rows of its cluster.

    {{policy}}

    class_balance : str, bool or dict, default="auto"
        With a ``keep`` budget, the class quotas, as in every pruner (see
        :class:`PrototypePruner`). With ``keep=None`` the threshold, not a
        budget, decides: ``"auto"``, ``"none"`` and False do nothing and the
        other values are refused.

    {{random_state}}

    {{n_jobs}}
        Sets faiss's OpenMP threads and the BLAS threads of the similarity
        products during ``fit`` only.

    verbose : int, default=0
        Print the progress of ``fit`` when > 0: the clusters, the near pairs
        found, the groups and removed rows at ``eps``, with the time elapsed
        (on stdout).

    Attributes
    ----------
    scores_ : ndarray of shape (n_samples,)
        Novelty of each training row: the cosine distance to the nearest
        other row of its cluster (2, the largest possible, for a row alone in
        its cluster). Higher means harder (more novel), as for every pruner.
        Near-duplicates have scores below ``eps``.

    sample_indices_ : ndarray of shape (n_kept,)
        Positions of the kept rows, in ascending order.

    duplicate_groups_ : ndarray of shape (n_samples,)
        Group of near-duplicates of each row at ``eps_``, numbered from 0 in
        the order of their first row; -1 for rows without a near-duplicate.

    n_duplicates_ : int
        Number of rows the threshold removes: the rows of the groups minus
        one per group.

    eps_ : float
        Threshold of ``duplicate_groups_`` (and of ``sample_indices_`` with
        ``keep=None``): ``eps``, or the last value given to
        :meth:`rethreshold`.

    max_eps_ : float
        Largest ``eps`` that :meth:`rethreshold` accepts.

    cluster_centers_ : ndarray of shape (n_clusters, n_embedding_features)
        Unit-norm k-means prototypes.

    labels_ : ndarray of shape (n_samples,)
        Cluster of each training row.

    embedding_ : transformer
        The fitted clone of ``embedding``, when it is a transformer.

    n_features_in_ : int
        Number of features seen during :term:`fit` (not set for text rows).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    PrototypePruner : Prune by distance to k-means prototypes (D4's second
        step).
    sklearn_prune.datasets.make_near_duplicates : Data with planted
        near-duplicate groups.

    Notes
    -----
    Besides the attributes above, a fitted pruner keeps one preference value
    per row and a spanning forest of the near-duplicate pairs found (at most
    ``n_samples - 1`` edges of two int64 positions and a float32
    similarity): this is what :meth:`rethreshold` needs. Neither ``X`` nor
    the embeddings are kept. The largest temporary of ``fit`` is faiss's
    float32 copy of the unit embeddings during k-means; the pairwise step
    needs one cluster's rows and one block of similarities at a time.

    All-zero embeddings have no direction: they are never near-duplicates.

    References
    ----------
    .. [1] Abbas, Tirumala, Simig, Ganguli, Morcos. "SemDeDup: Data-efficient
       learning at web-scale through semantic deduplication". 2023.
    .. [2] Tirumala, Simig, Aghajanyan, Morcos. "D4: Improving LLM
       Pretraining via Document De-Duplication and Diversification".
       NeurIPS 2023.

    Examples
    --------
    150 of 300 rows are noisy copies, in 53 groups: 97 of them are redundant.

    >>> from sklearn_prune import SemDedupPruner
    >>> from sklearn_prune.datasets import make_near_duplicates
    >>> X, groups = make_near_duplicates(300, 16, noise=0.05, random_state=0)
    >>> int((groups >= 0).sum()), int(groups.max() + 1)
    (150, 53)
    >>> pruner = SemDedupPruner(eps=0.02, max_eps=0.1, random_state=0)
    >>> X_kept, _ = pruner.fit_resample(X)
    >>> X_kept.shape, pruner.n_duplicates_
    ((203, 16), 97)
    >>> bool((pruner.duplicate_groups_ == groups).all())
    True

    Other thresholds, without computing anything again:

    >>> [pruner.rethreshold(eps).n_duplicates_ for eps in (0.0005, 0.005, 0.1)]
    [0, 97, 97]
    """

    #: label-free distances: the farthest rows are atypical, not mislabelled,
    #: and dropping them lost accuracy on image data (User Guide, "Defaults")
    _auto_drop_hardest = 0.0

    _parameter_constraints: dict = {
        **BasePruner._parameter_constraints,
        "keep": [None, *KEEP_CONSTRAINT],
        "eps": [Fraction(0, 2, closed="neither")],
        "max_eps": [Fraction(0, 2, closed="neither"), None],
        "keep_in_group": [StrOptions({"farthest", "nearest", "random"})],
        "embedding": EMBEDDING_CONSTRAINT,
        "n_clusters": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "max_samples": MAX_SAMPLES_CONSTRAINT,
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        eps=0.05,
        keep=None,
        keep_in_group="farthest",
        max_eps=None,
        embedding=None,
        n_clusters="auto",
        n_iter=25,
        max_samples="auto",
        strategy="stratified",
        drop_hardest="auto",
        n_strata=50,
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
        self.eps = eps
        self.keep_in_group = keep_in_group
        self.max_eps = max_eps
        self.embedding = embedding
        self.n_clusters = n_clusters
        self.n_iter = n_iter
        self.max_samples = max_samples
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # an embedding turns images, tensors or text into numeric rows
        embedded = self.embedding is not None
        tags.input_tags.three_d_array = tags.input_tags.string = embedded
        return tags

    # -- budget and selection: keep=None means "the threshold decides" -------
    def _check_budget(self, X, y) -> None:
        if self.max_eps is not None and self.max_eps < self.eps:
            raise ValueError(
                f"`max_eps`={self.max_eps!r} is smaller than `eps`={self.eps!r}; "
                f"it must be at least eps (or None)."
            )
        if self.keep is not None:
            super()._check_budget(X, y)
            return
        refused = {
            "strategy": self.strategy != "stratified",
            "drop_hardest": self.drop_hardest not in ("auto", 0),
            "class_balance": self.class_balance not in ("auto", "none", False, None),
        }
        for name, bad in refused.items():
            if bad:
                raise ValueError(
                    f"`{name}`={getattr(self, name)!r} applies only with a `keep` "
                    f"budget; with keep=None the threshold `eps` alone decides "
                    f"which rows survive. Set `keep`, or leave `{name}` at its "
                    f"default."
                )

    def _uninformative_hint(self):
        return None  # copies tie at score 0 by design: any one of them may stay

    def _select(self, scores, y, rng):
        if self.keep is None:
            return self._survivors
        return super()._select(scores, y, rng)

    # -- scoring -------------------------------------------------------------
    def _embed(self, X) -> np.ndarray:
        E, fitted = embed(self.embedding, X)
        if fitted is not None:
            self.embedding_ = fitted
        if is_torch_tensor(E):
            E = E.detach().float().cpu().numpy()
        return E

    def _n_clusters(self, n_samples: int) -> int:
        if self.n_clusters == "auto":
            return max(1, -(-n_samples // ROWS_PER_CLUSTER))
        return int(self.n_clusters)

    def _compute_scores(self, X, y, rng, **params):
        say = Progress(self.verbose, type(self).__name__)
        E = self._embed(X)
        n_samples = n_rows(E)
        n_clusters = self._n_clusters(n_samples)
        say(f"embedded {n_samples} rows; k-means with {n_clusters} clusters")
        kmeans_seed, preference_seed = draw_seed(rng), draw_seed(rng)
        with _blas_threads(self.n_jobs):
            centroids, labels, distances = spherical_kmeans(
                E,
                n_clusters,
                n_iter=self.n_iter,
                seed=kmeans_seed,
                n_jobs=self.n_jobs,
                max_samples=self.max_samples,
            )
            max_eps = self.eps if self.max_eps is None else self.max_eps
            say(f"clustered; looking for pairs closer than max_eps={max_eps:g}")
            nearest, forest = _pairwise(E, labels, similarity_threshold(max_eps))
        say(
            f"found {int(np.sum(nearest > similarity_threshold(max_eps)))} rows "
            f"with a near-duplicate ({forest[2].shape[0]} pairs kept in the "
            f"spanning forest)"
        )
        self.cluster_centers_ = centroids
        self.labels_ = labels
        self.max_eps_ = float(max_eps)
        if self.keep_in_group == "farthest":
            preference = distances.astype(np.float64)
        elif self.keep_in_group == "nearest":
            preference = -distances.astype(np.float64)
        else:
            preference = row_uniforms(preference_seed, 0, n_samples)
        self._preference = preference
        self._forest = forest
        self._survivors = self._apply_threshold(self.eps)
        say(
            f"{int(self.duplicate_groups_.max()) + 1} groups of near-duplicates "
            f"at eps={self.eps:g}: {self.n_duplicates_} rows removed, "
            f"{self._survivors.shape[0]} survive the threshold"
        )
        scores = 1.0 - nearest.astype(np.float64)  # -inf similarity: alone
        return np.clip(scores, 0.0, 2.0)

    def _apply_threshold(self, eps: float) -> np.ndarray:
        """Set the groups at ``eps``; return the positions of the survivors."""
        rows, cols, sims = self._forest
        n = self._preference.shape[0]
        near = sims > similarity_threshold(eps)
        graph = sp.csr_matrix(
            (np.ones(int(near.sum()), dtype=np.int8), (rows[near], cols[near])),
            shape=(n, n),
        )
        n_components, component = connected_components(graph, directed=False)
        sizes = np.bincount(component, minlength=n_components)
        in_group = sizes[component] > 1
        groups = np.full(n, -1, dtype=np.int64)
        groups[in_group] = np.unique(component[in_group], return_inverse=True)[1]
        # the survivor of a component: highest preference, then first row
        order = np.lexsort((np.arange(n), -self._preference, component))
        first = np.ones(n, dtype=bool)
        first[1:] = component[order[1:]] != component[order[:-1]]
        self.eps_ = float(eps)
        self.duplicate_groups_ = groups
        self.n_duplicates_ = int(n - n_components)
        return np.sort(order[first])

    def rethreshold(self, eps):
        """Re-select the rows at another ``eps`` without recomputing anything.

        Neither the embeddings, nor the clusters, nor the similarities are
        computed again: the groups at ``eps`` come from the pairs found
        during ``fit``. The result equals a fresh ``fit`` with that ``eps``
        (and the same ``random_state``). ``scores_`` do not depend on
        ``eps``; with a ``keep`` budget only ``duplicate_groups_`` and
        ``n_duplicates_`` change.

        It changes the fitted ``eps_``, not the ``eps`` parameter:
        ``get_params()`` still gives the ``eps`` of ``fit``, so a clone (as in
        ``GridSearchCV`` or ``cross_validate``) or a new ``fit`` uses that
        one. To make the new threshold the parameter, also call
        ``set_params(eps=eps)``.

        Parameters
        ----------
        eps : float in (0, ``max_eps_``]
            The new threshold (cosine distance).

        Returns
        -------
        self : object
            The pruner, with ``eps_``, ``duplicate_groups_``,
            ``n_duplicates_`` and (with ``keep=None``) ``sample_indices_``
            updated. The ``eps`` parameter is left as it was.
        """
        check_is_fitted(self, "max_eps_")
        if (
            isinstance(eps, (bool, np.bool_))
            or not isinstance(eps, (Integral, float, np.floating))
            or not 0 < eps <= self.max_eps_
        ):
            raise ValueError(
                f"`eps` must be a float in (0, max_eps_={self.max_eps_!r}]. Got "
                f"{eps!r} instead. To go above it, fit with a larger `max_eps`."
            )
        survivors = self._apply_threshold(eps)
        if self.keep is None:
            self.sample_indices_ = survivors
        return self


def _pairwise(E, labels: np.ndarray, threshold: np.float32):
    """Nearest-neighbour similarity of every row and the forest of near pairs."""
    n = labels.shape[0]
    order = np.argsort(labels, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(labels))])
    nearest = np.empty(n, dtype=np.float32)
    parts = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        if stop == start:
            continue
        idx = order[start:stop]
        Ec = l2_normalized(E[idx])
        nearest[idx], rows, cols, sims = near_duplicate_pairs(Ec, threshold)
        parts.append((idx[rows], idx[cols], sims))
    rows, cols, sims = (np.concatenate(p) for p in zip(*parts))
    return nearest, (rows, cols, sims)


def _blas_threads(n_jobs):
    """Limit the BLAS threads to ``n_jobs`` for the block; None leaves them."""
    if n_jobs is None:
        return nullcontext()
    from joblib import effective_n_jobs
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=effective_n_jobs(n_jobs), user_api="blas")

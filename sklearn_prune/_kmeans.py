"""The k-means engine behind :mod:`sklearn_prune.cluster` (faiss searches, on the CPU).

The scale path of the prototype metric, one algorithm for every home of the
data: train the centroids on a sample of rows, then score every row chunk by
chunk (bounded memory, never a full normalised copy). A row's score depends
only on the row and the centroids, never on how the rows are split into
chunks or blocks, so an in-memory array, a memory map and the blocks of a
dask array (:mod:`sklearn_prune._kmeans_dask`) give the same scores.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from numbers import Integral
from typing import NamedTuple

import numpy as np

from ._compat import Count, Fraction, StrOptions
from ._faiss import faiss_n_threads, faiss_threads, import_faiss
from ._kinds import is_memmap
from ._memmap import chunk_n_rows, release_rows, take_sorted_rows
from ._order import tie_keys
from ._progress import Progress
from ._rows import check_2d_real, chunks, nonfinite_row_error
from ._seeding import draw_seeds

#: most rows normalised and scored at once (temporaries stay cache-sized);
#: scikit-learn's ``working_memory`` can lower it
MAX_CHUNK_ROWS = 1 << 13
#: rows per centroid that ``max_samples="auto"`` trains on (faiss's default)
AUTO_ROWS_PER_CENTROID = 256
#: a squared norm below this is recomputed after scaling by the largest entry
#: (it may have lost precision to underflow)
_SMALL_SQUARED_NORM = {np.dtype(np.float32): 1e-20, np.dtype(np.float64): 1e-200}


# -- chunks and normalisation -------------------------------------------------
def chunk_rows(n_features: int, n_samples: int, dtype=np.float32) -> int:
    """Rows normalised and scored at once, bounded by ``working_memory``.

    Each row in flight costs a float32 unit copy, the gathered centroid rows
    of the exact similarity and, for other dtypes than float32, a float64
    conversion. At most :data:`MAX_CHUNK_ROWS` rows.
    """
    per_value = 8 + (0 if np.dtype(dtype) == np.float32 else 8)
    row_bytes = max(int(n_features), 1) * per_value + 64
    return chunk_n_rows(row_bytes, n_samples, MAX_CHUNK_ROWS)


def _safe_unit(rows: np.ndarray, where) -> np.ndarray:
    """Unit rows computed in float64 after scaling by each row's largest entry.

    Scale-invariant: the largest entry becomes 1, so the squared norm can
    neither overflow nor underflow. ``where(i)`` raises for a non-finite row.
    """
    x = np.array(rows, dtype=np.float64)
    finite = np.isfinite(x).all(axis=1)
    if not finite.all():
        raise where(int(np.flatnonzero(~finite)[0]))
    largest = np.max(np.abs(x), axis=1)
    nonzero = largest > 0
    x[nonzero] /= largest[nonzero, None]
    norms = np.sqrt(np.einsum("ij,ij->i", x, x))
    x[nonzero] /= norms[nonzero, None]
    return x.astype(np.float32)


def unit_rows(X, start: int = 0, *, out=None, positions=None) -> np.ndarray:
    """float32 rows of unit L2 norm; all-zero rows stay zero.

    Rows whose squared norm is finite and not tiny are divided by their norm
    directly; the others (huge or tiny entries, zeros, NaN, infinity) are
    scaled by their largest entry first, in float64. Each row's result
    depends on that row only.

    Parameters
    ----------
    X : ndarray of shape (n_rows, n_features)
        Real numbers of any dtype (a memory map's slice is read, not copied
        whole).
    start : int, default=0
        Global position of the first row, for error messages.
    out : ndarray of shape (n_rows, n_features), dtype=float32, default=None
        Where to write the result.
    positions : ndarray of int, default=None
        Global position of each row, when the rows are not consecutive.

    Returns
    -------
    X_unit : ndarray of shape (n_rows, n_features), dtype=float32

    Raises
    ------
    ValueError
        Naming the first row that holds NaN or infinity.
    """
    X = np.asarray(X)
    check_2d_real(X.shape, X.dtype, what="Embeddings", min_rows=0)
    n, _ = X.shape
    if out is None:
        out = np.empty(X.shape, dtype=np.float32)

    def where(i):
        if positions is not None:
            return nonfinite_row_error(int(positions[i]))
        return nonfinite_row_error(start + i, start, start + n)

    with np.errstate(all="ignore"):  # rows that overflow are redone below
        if X.dtype in (np.float32, np.float64):
            values = X
        else:
            values = X.astype(np.float64)
        squared = np.einsum("ij,ij->i", values, values)
        small = _SMALL_SQUARED_NORM[values.dtype]
        direct = np.isfinite(squared) & (squared >= small)
        norms = np.sqrt(squared, out=np.ones_like(squared), where=direct)
        np.divide(values, norms[:, None], out=out, casting="same_kind")
    redo = np.flatnonzero(~direct)
    if redo.size:
        out[redo] = _safe_unit(X[redo], lambda i: where(int(redo[i])))
    return out


def normalized_copy(X) -> np.ndarray:
    """A C-contiguous float32 copy of ``X`` with unit rows, normalised in chunks."""
    X = as_rows(X)
    n, d = X.shape
    out = np.empty((n, d), dtype=np.float32)
    for a, b in chunks(n, chunk_rows(d, n, X.dtype)):
        unit_rows(X[a:b], a, out=out[a:b])
    return out


def as_rows(X) -> np.ndarray:
    """``X`` as a 2-D array of real numbers, without copying an ndarray or memmap."""
    if not isinstance(X, np.ndarray):
        X = np.asarray(X)
    check_2d_real(X.shape, X.dtype, what="Embeddings", min_rows=0)
    return X


def fit_work(n_samples, n_train, n_features, n_clusters, n_iter, n_init) -> float:
    """Multiply-adds of a prototype fit: training plus scoring, every run."""
    return float(n_init) * n_clusters * n_features * (n_train * n_iter + n_samples)


# -- sampling, training, scoring ------------------------------------------------
#: the ``_parameter_constraints`` entry of a pruner's ``max_samples``
MAX_SAMPLES_CONSTRAINT = [
    StrOptions({"auto"}),
    Count(1, None, closed="left"),
    Fraction(0, 1, closed="right"),
]


def check_n_clusters(n_clusters: int, n_samples: int) -> None:
    """Raise a ValueError unless ``1 <= n_clusters <= n_samples``."""
    if not 1 <= int(n_clusters) <= n_samples:
        raise ValueError(
            f"`n_clusters`={n_clusters} must be between 1 and the number of rows "
            f"({n_samples})."
        )


def n_training_rows(max_samples, n_samples: int, n_clusters: int) -> int:
    """Rows the centroids are trained on.

    ``"auto"``: 256 per centroid, at most ``n_samples``. An int: that many
    (it must not exceed ``n_samples``). A float in (0, 1]: that fraction of
    the rows, rounded half up. Never fewer than ``n_clusters``.
    """
    if isinstance(max_samples, str):
        m = min(AUTO_ROWS_PER_CENTROID * int(n_clusters), n_samples)
    elif isinstance(max_samples, Integral):
        if max_samples > n_samples:
            raise ValueError(
                f"`max_samples`={max_samples} is larger than the number of rows "
                f"({n_samples}); use at most {n_samples}, 'auto' or a fraction."
            )
        m = int(max_samples)
    else:
        m = max(1, min(n_samples, int(np.floor(max_samples * n_samples + 0.5))))
    if m < n_clusters:
        raise ValueError(
            f"`max_samples`={max_samples!r} trains on {m} rows, fewer than "
            f"n_clusters={n_clusters}: k-means needs at least one row per "
            f"centroid. Increase `max_samples` or lower `n_clusters`."
        )
    return m


def run_seeds(seed: int, n_init: int) -> list[tuple[int, int]]:
    """(sample seed, k-means seed) of each run, derived from ``seed``."""
    seeds = draw_seeds(np.random.RandomState(seed), 2 * n_init)
    return [(int(seeds[2 * i]), int(seeds[2 * i + 1])) for i in range(n_init)]


def sample_keys(seed: int, start: int, stop: int) -> np.ndarray:
    """The sampling key of rows ``start .. stop - 1``: a bijection of the position."""
    return tie_keys(seed, start, stop)


#: positions whose sample keys are computed at once
_KEY_BLOCK = 1 << 20


def sample_threshold(n_samples: int, n_train: int, attempt: int = 0) -> int:
    """A key bound below which at least ``n_train`` of ``n_samples`` keys fall.

    Keys are uniform over the 64-bit integers, so the number below ``t`` is
    binomial with mean ``n_samples * t / 2**64``; ``t`` aims at six standard
    deviations above ``n_train`` (doubled on every further attempt, in the
    very rare case that too few keys fell below it).
    """
    target = (n_train + 6.0 * np.sqrt(n_train) + 16.0) * 2.0**attempt
    if target >= n_samples:
        return 2**64  # every key
    return int(target / n_samples * 2.0**64)


def sample_candidates(seed: int, start: int, stop: int, threshold: int):
    """Keys below ``threshold`` of rows ``start .. stop - 1``, and their positions."""
    keys = sample_keys(seed, start, stop)
    if threshold < 2**64:
        hit = np.flatnonzero(keys < np.uint64(threshold))
        keys = keys[hit]
    else:
        hit = np.arange(stop - start)
    return keys, (hit + start).astype(np.int64)


def smallest_keys(parts, n_train: int) -> np.ndarray | None:
    """Sorted positions of the ``n_train`` smallest keys of candidate ``parts``.

    None when the candidates are fewer than ``n_train``.
    """
    keys = np.concatenate([k for k, _ in parts])
    if keys.shape[0] < n_train:
        return None
    positions = np.concatenate([p for _, p in parts])
    chosen = positions[np.argpartition(keys, n_train - 1)[:n_train]]
    chosen.sort()
    return chosen


def sample_positions(n_samples: int, n_train: int, seed: int) -> np.ndarray:
    """Sorted positions of the training rows: the ``n_train`` smallest sample keys.

    The keys are distinct (a bijection of the position), so the set is
    exact, whatever the blocks the keys are computed in: the dask path
    (:func:`sklearn_prune._kmeans_dask.sample_positions`) computes the same
    candidates on the workers, in one pass. Memory: the candidates, about
    ``n_train`` of them, and one block of keys.
    """
    if n_train >= n_samples:
        return np.arange(n_samples, dtype=np.int64)
    attempt = 0
    while True:
        threshold = sample_threshold(n_samples, n_train, attempt)
        parts = [
            sample_candidates(seed, a, min(a + _KEY_BLOCK, n_samples), threshold)
            for a in range(0, n_samples, _KEY_BLOCK)
        ]
        chosen = smallest_keys(parts, n_train)
        if chosen is not None:
            return chosen
        attempt += 1


def _flat_index(C: np.ndarray):
    """A faiss inner-product index over the centroids ``C``."""
    faiss = import_faiss()
    index = faiss.IndexFlatIP(C.shape[1])
    index.add(np.ascontiguousarray(C, dtype=np.float32))
    return index


def _assign(sample: np.ndarray, C: np.ndarray, sims: bool = True):
    """Exact nearest centroid (and similarity) of every unit row, chunk by chunk."""
    index = _flat_index(C)
    m, d = sample.shape
    labels = np.empty(m, dtype=np.int64)
    values = np.empty(m, dtype=np.float32) if sims else None
    for a, b in chunks(m, chunk_rows(d, m)):
        lab, sim = _nearest(sample[a:b], index, C, sims)
        labels[a:b] = lab
        if sims:
            values[a:b] = sim
    return labels, values


def train_centroids(
    sample: np.ndarray, n_clusters: int, n_iter: int, seed: int, n_threads: int
) -> tuple[np.ndarray, float]:
    """Spherical k-means (Lloyd iterations) on unit training rows.

    The centroids start at ``n_clusters`` distinct random rows (as in faiss's
    k-means); each iteration assigns every row to its most similar centroid
    (faiss's search for candidates, then :func:`_nearest`'s exact check) and
    moves each centroid to the normalised sum of its rows. A centroid left
    without rows takes the row farthest from its own centroid. Every step is
    exact or sequential, so the result depends only on the rows and
    ``seed``: not on faiss's threads (whose BLAS results change in the last
    bits with their number) nor on the chunks, and a dask worker trains the
    same centroids as a process in memory. Stops early when no row changes
    cluster.

    Returns the unit centroids and the mean cosine similarity of the training
    rows to their centroid (the k-means objective), which ranks runs.
    """
    from scipy import sparse

    m, d = sample.shape
    k = int(n_clusters)
    rng = np.random.RandomState(seed)
    C = sample[np.sort(rng.choice(m, size=k, replace=False))].copy()
    labels = None
    with faiss_threads(n_threads):
        for _ in range(int(n_iter)):
            new_labels, _ = _assign(sample, C, sims=False)
            if labels is not None and np.array_equal(new_labels, labels):
                break
            labels = new_labels
            # sums of each cluster's rows, in row order (scipy: one thread)
            members = sparse.csr_matrix(
                (np.ones(m, dtype=np.float32), (labels, np.arange(m))), shape=(k, m)
            )
            sums = np.asarray(members @ sample)
            counts = np.bincount(labels, minlength=k)
            moved = unit_rows(sums)
            keep = (counts == 0) | ~np.any(moved, axis=1)
            moved[keep] = C[keep]  # no rows, or rows that cancel out
            empty = np.flatnonzero(counts == 0)
            if empty.size:
                _, sims = _assign(sample, C)
                farthest = np.argsort(sims, kind="stable")[: empty.size]
                moved[empty] = sample[farthest]
            C = moved
        labels, sims = _assign(sample, C)
    return C.astype(np.float32), float(np.mean(sims, dtype=np.float64))


def train_on_rows(
    rows, positions, n_clusters: int, n_iter: int, seed: int, n_threads: int
) -> tuple[np.ndarray, float]:
    """Normalise gathered training rows (at global ``positions``) and train."""
    sample = unit_rows(as_rows(rows), positions=positions)
    return train_centroids(sample, n_clusters, n_iter, seed, n_threads)


def _nearest(Xn: np.ndarray, index, C: np.ndarray, sims: bool = True):
    """Most similar centroid of each unit row, and that similarity, exactly.

    faiss finds the two best candidates (its BLAS results change in the last
    bits with the number of rows searched at once and with its threads).
    Where the two are closer than twice the rounding bound of a float32 dot
    product of unit vectors (``2 * n_features * 2**-24`` each way), the row
    is compared with every centroid on exact, row-by-row dot products (ties:
    the lowest label); elsewhere faiss's best is the exact best. The
    similarity returned is the row's own dot product with its centroid. So a
    row's result depends on nothing but the row and the centroids.
    ``sims=False`` skips the similarities (labels only).
    """
    k = min(2, C.shape[0])
    approx, cand = index.search(Xn, k)
    labels = cand[:, 0].astype(np.int64)
    if k == 2:
        margin = 4.0 * Xn.shape[1] * 2.0**-24
        close = np.flatnonzero(approx[:, 0] - approx[:, 1] <= margin)
        if close.size:
            every = np.einsum("ij,kj->ik", Xn[close], C)  # no BLAS: row by row
            labels[close] = np.argmax(every, axis=1)
    if not sims:
        return labels, None
    return labels, np.einsum("ij,ij->i", Xn, C[labels])


def score_rows(X, start: int, centroids, best: int, progress=None, unit=False):
    """Mean cosine distance over runs, and the ``best`` run's labels, chunk by chunk.

    Parameters
    ----------
    X : ndarray of shape (n_rows, n_features)
        Rows (a memory map is read chunk by chunk).
    start : int
        Global position of the first row, for error messages.
    centroids : sequence of ndarray of shape (n_clusters, n_features)
        Unit centroids of each run.
    best : int
        Run whose labels are returned.
    progress : callable, default=None
        Called as ``progress(rows_done, n_rows)`` after each chunk.
    unit : bool, default=False
        Whether ``X`` already holds the float32 unit rows of
        :func:`unit_rows` (they are then not normalised again).

    Returns
    -------
    distances : ndarray of shape (n_rows,), dtype=float64
    labels : ndarray of shape (n_rows,), dtype=int64
    """
    n, d = X.shape
    indexes = [(_flat_index(C), C) for C in centroids]
    distances = np.empty(n, dtype=np.float64)
    labels = np.empty(n, dtype=np.int64)
    step = chunk_rows(d, n, X.dtype)
    buffer = None if unit else np.empty((min(step, n), d), dtype=np.float32)
    for a, b in chunks(n, step):
        if unit:
            Xn = X[a:b]
        else:
            Xn = unit_rows(X[a:b], start + a, out=buffer[: b - a])
        total = np.zeros(b - a)
        for run, (index, C) in enumerate(indexes):
            lab, sims = _nearest(Xn, index, C)
            total += np.clip(1.0 - sims, 0.0, 2.0)
            if run == best:
                labels[a:b] = lab
        distances[a:b] = total / len(indexes)
        if is_memmap(X):
            release_rows(X, a, b)
        if progress is not None:
            progress(b, n)
    return distances, labels


class Prototypes(NamedTuple):
    """Centroids of every run, and the run that fits its training rows best.

    ``unit`` holds the unit rows of every row when the one run trained on all
    of them (the scoring then reuses that copy).
    """

    centroids: list
    best: int
    unit: np.ndarray | None = None


def fit_centroids(
    X,
    n_clusters: int,
    *,
    n_iter: int,
    seed: int,
    n_train: int,
    n_init: int,
    n_threads: int,
    progress=None,
) -> Prototypes:
    """Train ``n_init`` runs, each on its own sample of ``n_train`` rows of ``X``."""
    n = X.shape[0]
    samples = []

    def train_run(i, sample_seed, kmeans_seed):
        positions = sample_positions(n, n_train, sample_seed)
        if progress is not None:
            progress(f"k-means run {i + 1}/{n_init} on {n_train} of {n} rows")
        if n_train == n:  # every row: one float32 copy, normalised in chunks
            sample = normalized_copy(X)
        else:
            rows = take_sorted_rows(X, positions, chunk_rows(X.shape[1], n, X.dtype))
            sample = unit_rows(rows, positions=positions)
        samples[:] = [sample]  # only the last run's copy is kept
        return train_centroids(sample, n_clusters, n_iter, kmeans_seed, n_threads)

    model = train_runs(train_run, seed, n_init)
    if n_train == n and n_init == 1:
        model = model._replace(unit=samples[0])
    return model


def train_runs(train_run, seed: int, n_init: int, *, gather=None) -> Prototypes:
    """The multi-run driver of every backend (numpy, dask, torch).

    Parameters
    ----------
    train_run : callable
        ``train_run(i, sample_seed, kmeans_seed)`` trains run ``i`` on its
        own sample and returns ``(centroids, fit)``, the fit being the mean
        cosine similarity of the training rows to their centroid; or a lazy
        value that ``gather`` computes.
    seed : int
        The seed every run's seeds derive from (:func:`run_seeds`).
    n_init : int
        Number of runs.
    gather : callable, default=None
        Computes the list of every run's lazy result at once (dask).

    Returns
    -------
    model : Prototypes
        The centroids of every run, and the run that fits best.
    """
    runs = [train_run(i, s, k) for i, (s, k) in enumerate(run_seeds(seed, n_init))]
    if gather is not None:
        runs = gather(runs)
    centroids = [np.asarray(C) for C, _ in runs]
    return Prototypes(centroids, int(np.argmax([fit for _, fit in runs])))


def prototype_distances(
    X,
    n_clusters: int,
    *,
    n_iter: int = 25,
    seed: int = 0,
    max_samples="auto",
    n_init: int = 1,
    n_jobs: int | None = None,
    verbose: int = 0,
):
    """Centroids, labels and mean distances of rows in memory or memory-mapped.

    The engine of :func:`spherical_kmeans` and
    :class:`~sklearn_prune.PrototypePruner` (which also takes dask arrays,
    through :mod:`sklearn_prune._dask`).
    """
    X = as_rows(X)
    n = X.shape[0]
    check_n_clusters(n_clusters, n)
    n_train = n_training_rows(max_samples, n, n_clusters)
    work = fit_work(n, n_train, X.shape[1], n_clusters, n_iter, n_init)
    n_threads = faiss_n_threads(n_jobs, work)
    say = Progress(verbose)
    model = fit_centroids(
        X,
        n_clusters,
        n_iter=n_iter,
        seed=seed,
        n_train=n_train,
        n_init=n_init,
        n_threads=n_threads,
        progress=say,
    )
    unit = model.unit is not None
    with faiss_threads(n_threads):
        distances, labels = score_rows(
            model.unit if unit else X,
            0,
            model.centroids,
            model.best,
            progress=say.rows,
            unit=unit,
        )
    return model.centroids[model.best], labels, distances


# -- class prototypes (use_labels=True) ----------------------------------------
def class_sums(X, codes, start: int, n_classes: int) -> np.ndarray:
    """Sum of the unit rows of each class, chunk by chunk, in float64."""
    X = as_rows(X)
    n, d = X.shape
    sums = np.zeros((n_classes, d), dtype=np.float64)
    for a, b in chunks(n, chunk_rows(d, n, X.dtype)):
        Xn = unit_rows(X[a:b], start + a)
        c = codes[a:b]
        order = np.argsort(c, kind="stable")
        bounds = np.searchsorted(c[order], np.arange(n_classes + 1))
        for k in np.flatnonzero(np.diff(bounds)):
            sums[k] += Xn[order[bounds[k] : bounds[k + 1]]].sum(
                axis=0, dtype=np.float64
            )
        if is_memmap(X):  # resident memory stays one chunk, not the file
            release_rows(X, a, b)
    return sums


def class_centroids(sums: np.ndarray) -> np.ndarray:
    """Unit class prototypes from the class sums."""
    return unit_rows(sums)


def class_distances(X, codes, start: int, centroids: np.ndarray) -> np.ndarray:
    """Cosine distance of each row to its own class's prototype, chunk by chunk."""
    X = as_rows(X)
    n, d = X.shape
    out = np.empty(n, dtype=np.float64)
    for a, b in chunks(n, chunk_rows(d, n, X.dtype)):
        Xn = unit_rows(X[a:b], start + a)
        sims = np.einsum("ij,ij->i", Xn, centroids[codes[a:b]])
        out[a:b] = np.clip(1.0 - sims, 0.0, 2.0)
        if is_memmap(X):
            release_rows(X, a, b)
    return out

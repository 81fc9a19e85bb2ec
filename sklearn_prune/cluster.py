"""k-means prototypes and distance to the nearest one (faiss searches, on the CPU).

The scale path of the prototype metric, one algorithm for every home of the
data: train the centroids on a sample of rows, then score every row chunk by
chunk (bounded memory, never a full normalised copy). A row's score depends
only on the row and the centroids, never on how the rows are split into
chunks or blocks, so an in-memory array, a memory map and the blocks of a
dask array (:mod:`sklearn_prune._dask`) give the same scores.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np

from ._compat import Count, Fraction, StrOptions
from ._memmap import chunk_n_rows, is_memmap, release_rows, take_sorted_rows
from ._order import tie_keys
from ._seeding import draw_seeds

__all__ = ["class_prototypes", "l2_normalized", "spherical_kmeans"]

#: most rows normalised and scored at once (temporaries stay cache-sized);
#: scikit-learn's ``working_memory`` can lower it
MAX_CHUNK_ROWS = 1 << 13
#: rows per centroid that ``max_samples="auto"`` trains on (faiss's default)
AUTO_ROWS_PER_CENTROID = 256
#: a squared norm below this is recomputed after scaling by the largest entry
#: (it may have lost precision to underflow)
_SMALL_SQUARED_NORM = {np.dtype(np.float32): 1e-20, np.dtype(np.float64): 1e-200}


def import_faiss():
    """Import faiss, or say how to install it.

    When this is faiss's first import and neither ``OMP_WAIT_POLICY`` nor
    ``GOMP_SPINCOUNT`` is set, faiss's OpenMP runtime (private to faiss, and
    read once, when faiss loads) starts with the passive wait policy: idle
    threads sleep instead of spinning, which keeps faiss from slowing down
    several times on cores that other processes use. The environment is
    restored right after the import.
    """
    passive = (
        "faiss" not in sys.modules
        and "OMP_WAIT_POLICY" not in os.environ
        and "GOMP_SPINCOUNT" not in os.environ
    )
    if passive:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        import faiss
    except ImportError as exc:
        raise ImportError(
            "The prototype metric (PrototypePruner, sklearn_prune.cluster) needs "
            "faiss, which is not installed: pip install faiss-cpu"
        ) from exc
    finally:
        if passive:
            del os.environ["OMP_WAIT_POLICY"]
    return faiss


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


def _nonfinite_error(position: int, start: int | None = None, stop: int | None = None):
    where = f"row {position}"
    if start is not None:
        where += f" (in the chunk of rows {start} to {stop - 1})"
    return ValueError(f"Input X contains NaN or infinity at {where}.")


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
    if X.dtype.kind not in "biuf":
        raise TypeError(f"Embeddings must hold real numbers. Got dtype {X.dtype}.")
    n, _ = X.shape
    if out is None:
        out = np.empty(X.shape, dtype=np.float32)

    def where(i):
        if positions is not None:
            return _nonfinite_error(int(positions[i]))
        return _nonfinite_error(start + i, start, start + n)

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
    X = as_rows(X)
    n, d = X.shape
    out = np.empty((n, d), dtype=np.float32)
    step = chunk_rows(d, n, X.dtype)
    for a in range(0, n, step):
        b = min(a + step, n)
        unit_rows(X[a:b], a, out=out[a:b])
    return out


def as_rows(X) -> np.ndarray:
    """``X`` as a 2-D array of real numbers, without copying an ndarray or memmap."""
    if not isinstance(X, np.ndarray):
        X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(
            f"Embeddings must be a 2-D array (n_samples, n_features). Got shape "
            f"{X.shape}."
        )
    if X.dtype.kind not in "biuf":
        raise TypeError(f"Embeddings must hold real numbers. Got dtype {X.dtype}.")
    if X.shape[1] < 1:
        raise ValueError("Embeddings have 0 features; at least 1 is required.")
    return X


# -- threads ------------------------------------------------------------------
#: multiply-adds of a fit below which faiss runs on one thread by default:
#: such a fit takes well under a second on one core, and waking threads for
#: each of its many small parallel steps costs more than it saves (on busy
#: cores, many times more)
PARALLEL_WORK = 2e9


def _idle_cores(cpus, seconds: float = 0.05) -> float | None:
    """Idle capacity of ``cpus`` over ``seconds``, in cores, from /proc/stat.

    None where /proc/stat cannot be read (not Linux).
    """

    def read():
        times = {}
        with open("/proc/stat") as f:
            for line in f:
                name, *fields = line.split()
                if name.startswith("cpu") and name != "cpu":
                    values = [int(v) for v in fields[:8]]
                    times[int(name[3:])] = (values[3] + values[4], sum(values))
        return times

    try:
        before = read()
        time.sleep(seconds)
        after = read()
    except (OSError, ValueError):
        return None
    idle = 0.0
    for cpu in cpus:
        if cpu in before and cpu in after:
            total = after[cpu][1] - before[cpu][1]
            if total > 0:
                idle += (after[cpu][0] - before[cpu][0]) / total
    return idle


def faiss_n_threads(n_jobs: int | None, work: float | None = None) -> int:
    """OpenMP threads for faiss during a fit of ``work`` multiply-adds.

    ``n_jobs=None`` (the default): one thread for a small fit (below
    :data:`PARALLEL_WORK`); otherwise the physical cores this process may use
    (CPU affinity and container quotas included) that are idle right now
    (sampled from ``/proc/stat`` for 50 ms, on Linux), at least one and at
    most faiss's own setting (``OMP_NUM_THREADS``, or a limit set with
    threadpoolctl or by joblib's workers). Otherwise joblib's meaning of
    ``n_jobs`` (``-1``: every core).
    """
    from joblib import cpu_count, effective_n_jobs

    faiss = import_faiss()
    if n_jobs is not None:
        return int(max(1, effective_n_jobs(n_jobs)))
    cap = int(
        max(1, min(faiss.omp_get_max_threads(), cpu_count(only_physical_cores=True)))
    )
    if cap == 1 or (work is not None and work < PARALLEL_WORK):
        return 1
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return cap
    idle = _idle_cores(cpus)
    if idle is None:
        return cap
    # hyper-threads share a core: count idle logical CPUs as cores pro rata
    idle *= cpu_count(only_physical_cores=True) / max(len(cpus), 1)
    return int(min(cap, max(1, round(idle))))


def fit_work(n_samples, n_train, n_features, n_clusters, n_iter, n_init) -> float:
    """Multiply-adds of a prototype fit: training plus scoring, every run."""
    return float(n_init) * n_clusters * n_features * (n_train * n_iter + n_samples)


@contextmanager
def faiss_threads(n_threads: int):
    """Run the block with ``n_threads`` OpenMP threads in faiss, then restore.

    faiss's bundled BLAS uses the same OpenMP runtime, so this also bounds
    the BLAS threads of its searches. The setting belongs to the calling
    thread.
    """
    faiss = import_faiss()
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(int(n_threads))
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


# -- progress -----------------------------------------------------------------
class Progress:
    """Progress lines on stdout for ``verbose > 0``: what runs, rows scored, time."""

    def __init__(self, verbose: int, name: str = "PrototypePruner"):
        self.verbose = int(verbose or 0)
        self.name = name
        self.start = time.perf_counter()
        self._next = 0.0

    def __call__(self, message: str) -> None:
        if self.verbose > 0:
            elapsed = time.perf_counter() - self.start
            print(f"[{self.name}] {message} ({elapsed:.1f} s)", file=sys.stdout)
            sys.stdout.flush()

    def rows(self, done: int, total: int) -> None:
        """Report ``done`` of ``total`` rows scored, every tenth or at the end."""
        fraction = done / max(total, 1)
        if fraction >= self._next or done == total:
            self(f"scored {done}/{total} rows ({100 * fraction:.0f}%)")
            self._next = np.floor(fraction * 10 + 1) / 10


# -- sampling, training, scoring ------------------------------------------------
#: the ``_parameter_constraints`` entry of a pruner's ``max_samples``
MAX_SAMPLES_CONSTRAINT = [
    StrOptions({"auto"}),
    Count(1, None, closed="left"),
    Fraction(0, 1, closed="right"),
]


def check_max_samples(max_samples, n_init) -> None:
    """Raise a ValueError naming the parameter for a bad type or range."""
    ok = (
        isinstance(max_samples, str)
        and max_samples == "auto"
        or isinstance(max_samples, Integral)
        and not isinstance(max_samples, (bool, np.bool_))
        and max_samples >= 1
        or isinstance(max_samples, Real)
        and not isinstance(max_samples, (Integral, bool, np.bool_))
        and 0 < max_samples <= 1
    )
    if not ok:
        raise ValueError(
            f"`max_samples` must be 'auto', an int >= 1 or a float in (0, 1]. "
            f"Got {max_samples!r} instead."
        )
    if (
        isinstance(n_init, (bool, np.bool_))
        or not isinstance(n_init, Integral)
        or n_init < 1
    ):
        raise ValueError(f"`n_init` must be an int >= 1. Got {n_init!r} instead.")


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
    (:func:`sklearn_prune._dask.sample_positions`) computes the same
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
    step = chunk_rows(d, m)
    for a in range(0, m, step):
        lab, sim = _nearest(sample[a : a + step], index, C, sims)
        labels[a : a + step] = lab
        if sims:
            values[a : a + step] = sim
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
    for a in range(0, n, step):
        b = min(a + step, n)
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
    centroids, fits = [], []
    for i, (sample_seed, kmeans_seed) in enumerate(run_seeds(seed, n_init)):
        positions = sample_positions(n, n_train, sample_seed)
        if progress is not None:
            progress(f"k-means run {i + 1}/{n_init} on {n_train} of {n} rows")
        if n_train == n:  # every row: one float32 copy, normalised in chunks
            sample = l2_normalized(X)
        else:
            rows = take_sorted_rows(X, positions, chunk_rows(X.shape[1], n, X.dtype))
            sample = unit_rows(rows, positions=positions)
        C, fit = train_centroids(sample, n_clusters, n_iter, kmeans_seed, n_threads)
        centroids.append(C)
        fits.append(fit)
    unit = sample if n_train == n and n_init == 1 else None
    return Prototypes(centroids, int(np.argmax(fits)), unit)


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
    if not 1 <= n_clusters <= n:
        raise ValueError(
            f"`n_clusters`={n_clusters} must be between 1 and the number of rows ({n})."
        )
    check_max_samples(max_samples, n_init)
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
    whose searches run in faiss (see :func:`train_centroids` for why the
    result does not depend on faiss's threads), then every row is
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


# -- class prototypes (use_labels=True) ----------------------------------------
def class_sums(X, codes, start: int, n_classes: int) -> np.ndarray:
    """Sum of the unit rows of each class, chunk by chunk, in float64."""
    X = as_rows(X)
    n, d = X.shape
    sums = np.zeros((n_classes, d), dtype=np.float64)
    step = chunk_rows(d, n, X.dtype)
    for a in range(0, n, step):
        b = min(a + step, n)
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
    step = chunk_rows(d, n, X.dtype)
    for a in range(0, n, step):
        b = min(a + step, n)
        Xn = unit_rows(X[a:b], start + a)
        sims = np.einsum("ij,ij->i", Xn, centroids[codes[a:b]])
        out[a:b] = np.clip(1.0 - sims, 0.0, 2.0)
        if is_memmap(X):
            release_rows(X, a, b)
    return out


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

"""Threads of the small models the library trains itself (BLAS and OpenMP).

The rule: a small model the library builds and fits itself (EL2N's default
probe, the demo's classifier) runs one BLAS/OpenMP thread per worker, and a
model given by the user runs at most ``cores // workers`` threads per
worker, so that workers x threads never exceed the cores. Small matrices gain
nothing from several BLAS threads, and on a busy machine threads that wait
for one another on taken cores make a fit many times slower (see
``benchmarks/bench_threads.py``).
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from contextlib import AbstractContextManager

__all__ = ["limit_threads", "threads_per_worker"]


def threads_per_worker(n_jobs: int | None, *, small: bool) -> int:
    """BLAS/OpenMP threads for each of the ``n_jobs`` workers of a fit.

    Parameters
    ----------
    n_jobs : int or None
        The ``n_jobs`` of the fit, in joblib's meaning (None: one worker,
        unless a joblib backend says otherwise; -1: one per core).
    small : bool
        Whether the model is a small one the library builds itself: it then
        gets one thread, whatever the cores.

    Returns
    -------
    n_threads : int
        At least 1, and ``workers * n_threads <= cores``.

    Examples
    --------
    >>> from sklearn_prune._threads import threads_per_worker
    >>> threads_per_worker(None, small=True)
    1
    >>> threads_per_worker(-1, small=False)
    1
    """
    if small:
        return 1
    from joblib import cpu_count, effective_n_jobs

    cores = cpu_count()
    workers = min(max(1, effective_n_jobs(n_jobs)), cores)
    return max(1, cores // workers)


def limit_threads(n_threads: int) -> AbstractContextManager:
    """Limit BLAS and OpenMP threads to ``n_threads`` within the block.

    Parameters
    ----------
    n_threads : int
        Threads each native thread pool may use.

    Returns
    -------
    context : context manager
        A :class:`threadpoolctl.threadpool_limits`; the previous limits come
        back on exit.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune._threads import limit_threads
    >>> with limit_threads(1):
    ...     product = np.ones((50, 50)) @ np.ones((50, 50))
    >>> float(product[0, 0])
    50.0
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=int(n_threads))

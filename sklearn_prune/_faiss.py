"""faiss: its import, and how many OpenMP threads it runs on.

The thread policy is separate from the k-means engine that uses it
(:mod:`sklearn_prune._kmeans`): it depends on the machine, never the results.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager

__all__ = ["PARALLEL_WORK", "faiss_n_threads", "faiss_threads", "import_faiss"]


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

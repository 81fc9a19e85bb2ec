"""EL2N's probe threads on an idle and on a busy machine, in the same run.

Issue 17: on a 2-core machine where another job used the cores, one default
``EL2NPruner(keep=0.5).fit`` on digits took 34-53 s, against 1.4-2.3 s with
one BLAS thread: the small probe's BLAS threads waited for one another on
taken cores. The library now runs the probes it builds itself with one
BLAS/OpenMP thread per worker. This script times, on scikit-learn's digits
(1797 x 64, 10 classes), median of ``--repeats`` runs each, the variants
measured in turn:

- ``default``: ``EL2NPruner(keep=0.5, random_state=0).fit(X, y)`` as shipped;
- ``single-threaded``: the same fit inside ``threadpool_limits(1)`` (what
  ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`` gives): the baseline;
- ``all threads``: the same probe passed as ``estimator=``, which a user's
  probe gets: ``cores // n_jobs`` threads, i.e. every core with ``n_jobs``
  None, as every probe had before;

first on the machine as it is ("idle"), then "loaded": one busy-looping
process per core, started and stopped by this script. Ratios are against the
single-threaded time of the same condition.

    python benchmarks/bench_threads.py               # 3 runs per cell
    python benchmarks/bench_threads.py --repeats 5
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from threadpoolctl import threadpool_limits

from sklearn_prune import EL2NPruner
from sklearn_prune._el2n import default_probe


def _spin(stop) -> None:  # pragma: no cover - runs in a child process
    while not stop.is_set():
        sum(range(10_000))


class Load:
    """One busy-looping process per core, for the ``with`` block."""

    def __init__(self, n_processes: int):
        self.n_processes = n_processes

    def __enter__(self):
        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        self.processes = [
            context.Process(target=_spin, args=(self.stop,), daemon=True)
            for _ in range(self.n_processes)
        ]
        for process in self.processes:
            process.start()
        time.sleep(1.0)  # let them start spinning
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
        return False


def _variants(X, y):
    def default():
        EL2NPruner(keep=0.5, random_state=0).fit(X, y)

    def single():
        with threadpool_limits(limits=1):
            EL2NPruner(keep=0.5, random_state=0).fit(X, y)

    def all_threads():
        probe = default_probe(X.shape[0])
        EL2NPruner(keep=0.5, estimator=probe, random_state=0).fit(X, y)

    return {"default": default, "single-threaded": single, "all threads": all_threads}


def _measure(variants: dict, repeats: int) -> dict:
    times: dict = {name: [] for name in variants}
    for _ in range(repeats):  # variants in turn: a change of load hits all
        for name, fn in variants.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def main(argv: list[str] | None = None) -> None:
    """Print the timing table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per cell")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # the probe's early stop (ConvergenceWarning)

    X, y = load_digits(return_X_y=True)
    variants = _variants(X, y)
    variants["default"]()  # warm up: imports, thread pools
    cores = os.cpu_count() or 1
    print(
        f"EL2NPruner(keep=0.5).fit on digits {X.shape}, median of "
        f"{args.repeats} runs; {cores} cores; load average before: "
        f"{os.getloadavg()[0]:.2f}\n"
    )
    print("| machine | variant | time (s) | ratio to single-threaded |")
    print("| --- | --- | ---: | ---: |")
    for condition in ("idle", "loaded"):
        if condition == "idle":
            result = _measure(variants, args.repeats)
        else:
            with Load(cores):
                result = _measure(variants, args.repeats)
        base = result["single-threaded"]
        for name, seconds in result.items():
            print(f"| {condition} | {name} | {seconds:.2f} | {seconds / base:.2f} |")
        print(f"| {condition} | (load average after) | {os.getloadavg()[0]:.2f} | |")


if __name__ == "__main__":
    main()

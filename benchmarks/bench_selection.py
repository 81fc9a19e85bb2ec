"""Cost of class-balanced selection against plain selection, in the same run.

Issue 8 asked for class-balanced selection in O(n log n): the first version
scanned the ranked rows once per class (O(rows x classes)), so 100,000 rows in
10,000 classes took about 100x the time of the same selection without
balance. This script times ``select_indices`` with and without
``class_balance`` on the same scores (median of ``--repeats`` runs each) for
several class counts and every policy, and prints the ratios; a numpy
``argsort`` of the same scores is printed as a yardstick.

    python benchmarks/bench_selection.py            # 100,000 rows
    python benchmarks/bench_selection.py --n 1000000
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from sklearn_prune import select_indices
from sklearn_prune.exceptions import PruningWarning


def _median_time(fn, repeats: int) -> float:
    fn()  # warm up: the first call pays for imports and allocations
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main(argv: list[str] | None = None) -> None:
    """Print the timing table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="rows (default 1e5)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per cell")
    args = parser.parse_args(argv)

    rng = np.random.RandomState(0)
    scores = rng.normal(size=args.n)
    argsort = _median_time(lambda: np.argsort(scores), args.repeats)
    print(f"{args.n:,} rows, keep=0.3, median of {args.repeats} runs")
    print(f"numpy argsort of the scores: {argsort:.4f} s\n")
    print("| strategy | classes | plain (s) | class-balanced (s) | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for strategy in ("hard", "easy", "stratified", "moderate"):
        plain = _median_time(
            lambda s=strategy: select_indices(scores, 0.3, strategy=s, random_state=0),
            args.repeats,
        )
        for n_classes in (10, 1_000, 10_000):
            y = rng.randint(0, n_classes, size=args.n)

            def balanced(y=y, strategy=strategy):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", PruningWarning)
                    select_indices(
                        scores,
                        0.3,
                        strategy=strategy,
                        y=y,
                        class_balance=True,
                        n_strata=10,
                        random_state=0,
                    )

            t = _median_time(balanced, args.repeats)
            print(
                f"| {strategy} | {n_classes:,} | {plain:.4f} | {t:.4f} | "
                f"{t / plain:.1f}x |"
            )


if __name__ == "__main__":
    main()

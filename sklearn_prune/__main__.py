"""``python -m sklearn_prune``: how much data can you drop from a real data set?

Trains a classifier on pruned versions of scikit-learn's built-in digits images
(1797 real 8x8 handwritten digits, no download) and prints the test accuracy
for every pruner, strategy and kept fraction, next to random pruning.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from . import EL2NPruner, PrototypePruner, RandomPruner, make_pipeline


def pruning_table(
    X_train, y_train, X_test, y_test, pruners: dict, keeps, estimator, seeds
) -> pd.DataFrame:
    """Mean test accuracy (over ``seeds``) of ``estimator`` for each pruner and keep.

    Every pruner sits in a :func:`sklearn_prune.make_pipeline` in front of a
    clone of ``estimator``; its ``random_state`` takes each seed in turn.
    """
    rows = {}
    for name, pruner in pruners.items():
        accs = []
        for keep in keeps:
            scores = []
            for seed in seeds:
                p = clone(pruner).set_params(keep=keep, random_state=seed)
                pipe = make_pipeline(p, clone(estimator)).fit(X_train, y_train)
                scores.append(pipe.score(X_test, y_test))
            accs.append(np.mean(scores))
        rows[name] = accs
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(keeps))
    table.columns.name = "keep"
    return table


def main(argv: list[str] | None = None) -> int:
    """Run the digits pruning demo and print its table."""
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_prune", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--keep",
        type=float,
        nargs="+",
        default=[0.1, 0.2, 0.4, 0.7],
        help="kept fractions to try (default: 0.1 0.2 0.4 0.7)",
    )
    parser.add_argument(
        "--seeds", type=int, default=3, help="seeds averaged per cell (default: 3)"
    )
    parser.add_argument(
        "--test-size", type=float, default=0.5, help="held-out fraction (default: 0.5)"
    )
    args = parser.parse_args(argv)

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    pruners = {
        "random": RandomPruner(),
        "prototype, keep easy": PrototypePruner(
            n_clusters=10, strategy="easy", class_balance=True
        ),
        "prototype, keep hard": PrototypePruner(
            n_clusters=10, strategy="hard", class_balance=True
        ),
        "EL2N, keep easy": EL2NPruner(strategy="easy", class_balance=True),
        "EL2N, keep hard": EL2NPruner(strategy="hard", class_balance=True),
    }
    start = time.perf_counter()
    estimator = LogisticRegression(max_iter=1000)
    table = pruning_table(
        X_train,
        y_train,
        X_test,
        y_test,
        pruners,
        args.keep,
        estimator,
        range(args.seeds),
    )
    full = clone(estimator).fit(X_train, y_train).score(X_test, y_test)
    print(
        f"Test accuracy of LogisticRegression on digits ({len(y_train)} training "
        f"images, {len(y_test)} test images) trained on the kept fraction of the "
        f"training set (metric pruners class-balanced); mean of {args.seeds} "
        f"seeds. All {len(y_train)} training images: {full:.3f}.\n"
    )
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    for keep in table.columns:
        winner = table[keep].idxmax()
        gain = table[keep].max() - table.loc["random", keep]
        print(f"keep={keep}: best is '{winner}' ({gain:+.3f} against random)")
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Scores from one training run: recording cost, mislabel detection, pruning.

Run ``python benchmarks/bench_dynamics.py`` (``--quick`` for a smaller run,
under 2 minutes on 2 cores) from the repository root. Three parts:

1. **Recording overhead.** A classifier is trained epoch by epoch with
   ``partial_fit`` (the EL2N default probe's MLP with 256 hidden units, and
   an ``SGDClassifier``); after every epoch its outputs on every row are
   recorded by :class:`sklearn_prune.TrainingDynamics` (one inference pass
   and one ``update``). Reported: recording time / ``partial_fit`` time
   (summed over epochs, the same run), and the recorder's bytes per row.
2. **Detection of flipped labels** on real data sets bundled with
   scikit-learn (digits, wine, breast cancer; raw features): 10%, 20% and
   40% of the labels flipped to another class uniformly.
   ``TrainingDynamicsPruner`` (default probe, 10 epochs) scores every row
   once; reported are the AUROC of each score against the
   flipped rows, the same for the self-confidence of 5-fold out-of-fold
   probabilities of the same probe (``cross_val_predict``, cleanlab's usual
   input) with its time relative to the recording run, and both
   label-noise estimates from the recorded probabilities (noise rate,
   precision and recall of the flagged rows).
3. **Pruning with noisy labels** (digits, train labels flipped, test labels
   clean): a logistic regression trained on the rows kept by AUM with
   coverage-centric selection (``strategy="stratified"``) and
   ``drop_hardest`` set by hand to 0, .1, .2, .3, .4, or ``"noise_rate"``
   (the estimated noise rate, by either estimate), or with
   ``drop_mislabeled=True``; against random pruning, at 0% (clean), 10%,
   20% and 40% flipped labels. Mean test accuracy over seeds (new split,
   new flips).
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_wine,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import (
    StratifiedKFold,
    StratifiedShuffleSplit,
    cross_val_predict,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_prune import (
    RandomPruner,
    TrainingDynamics,
    TrainingDynamicsPruner,
    find_label_issues,
)
from sklearn_prune._el2n import default_probe
from sklearn_prune._training_dynamics_pruners import _as_logits

DATASETS = {
    "digits": load_digits,
    "wine": load_wine,
    "breast cancer": load_breast_cancer,
}
SCORES = ("aum", "confidence", "forgetting", "el2n")
NOISE_METHODS = ("predicted_neq_given", "confident_learning")


def flip_labels(y, noise, rng):
    """``y`` with a fraction ``noise`` of its labels moved to another class."""
    classes = np.unique(y)
    flipped = rng.choice(y.shape[0], int(round(noise * y.shape[0])), replace=False)
    y_noisy = y.copy()
    shift = rng.randint(1, classes.shape[0], flipped.shape[0])
    codes = np.searchsorted(classes, y[flipped])
    y_noisy[flipped] = classes[(codes + shift) % classes.shape[0]]
    return y_noisy, y_noisy != y


# -- 1. overhead -------------------------------------------------------------------
def overhead(X, y, estimator, n_epochs, repeats):
    """Recording time / partial_fit time over ``n_epochs``, best of ``repeats``."""
    classes = np.unique(y)
    codes = np.searchsorted(classes, y)
    rows = np.arange(X.shape[0])
    ratios, fit_times = [], []
    for repeat in range(repeats):
        est = clone(estimator).set_params(random_state=repeat)
        rec = TrainingDynamics(X.shape[0], classes.shape[0])
        fit_time = record_time = 0.0
        for _ in range(n_epochs):
            start = time.perf_counter()
            est.partial_fit(X, y, classes=classes)
            middle = time.perf_counter()
            rec.update(rows, _as_logits(est, X), codes)
            record_time += time.perf_counter() - middle
            fit_time += middle - start
        ratios.append(record_time / fit_time)
        fit_times.append(fit_time)
    return (
        float(np.median(ratios)),
        float(np.median(fit_times)),
        rec.nbytes / X.shape[0],
    )


def overhead_table(args):
    X_digits, y_digits = load_digits(return_X_y=True)
    X_digits = StandardScaler().fit_transform(X_digits)
    n_big = 5000 if args.quick else 20000
    X_big, y_big = make_classification(
        n_samples=n_big, n_features=64, n_informative=20, n_classes=10, random_state=0
    )
    estimators = {
        "MLP 256 (default probe)": default_probe(X_big.shape[0])[-1],
        "SGDClassifier(log_loss)": SGDClassifier(loss="log_loss"),
    }
    print("## 1. Recording overhead (recording time / partial_fit time)\n")
    print("| data | estimator | partial_fit s | overhead | bytes per row |")
    print("| --- | --- | --- | --- | --- |")
    for name, (X, y) in {
        "digits (1797 x 64)": (X_digits, y_digits),
        f"synthetic ({n_big} x 64, 10 classes)": (X_big, y_big),
    }.items():
        for est_name, est in estimators.items():
            ratio, fit_time, per_row = overhead(
                X, y, est, args.epochs, 2 if args.quick else 5
            )
            print(
                f"| {name} | {est_name} | {fit_time:.2f} | {ratio:.1%} | "
                f"{per_row:.0f} |"
            )
    print()


# -- 2. detection --------------------------------------------------------------------
def detection(X, y_noisy, flipped, args, seed):
    start = time.perf_counter()
    # metric="el2n" records EL2N at the last epoch next to the other scores
    pruner = TrainingDynamicsPruner(
        metric="el2n", n_epochs=args.epochs, random_state=seed
    ).fit(X, y_noisy)
    record_time = time.perf_counter() - start
    row = {s: roc_auc_score(flipped, pruner.recorder_.score(s)) for s in SCORES}
    for method in NOISE_METHODS:
        issues, rate = find_label_issues(
            y_noisy, pruner.recorder_.mean_proba(), method=method
        )
        row[method, "rate"] = rate
        row[method, "precision"] = flipped[issues].mean() if issues.any() else np.nan
        row[method, "recall"] = issues[flipped].mean()
    # cleanlab's usual input: 5-fold out-of-fold probabilities of the same probe
    start = time.perf_counter()
    probe = default_probe(X.shape[0]).set_params(mlpclassifier__random_state=seed)
    proba = cross_val_predict(
        probe,
        X,
        y_noisy,
        cv=StratifiedKFold(5, shuffle=True, random_state=seed),
        method="predict_proba",
    )
    oof_time = time.perf_counter() - start
    codes = np.searchsorted(np.unique(y_noisy), y_noisy)
    row["oof"] = roc_auc_score(flipped, 1 - proba[np.arange(len(codes)), codes])
    row["oof time"] = oof_time / record_time
    return row


def detection_table(args):
    print("## 2. Detection of flipped labels (AUROC; mean over seeds)\n")
    head = " | ".join(SCORES)
    print(
        f"| data | noise | {head} | 5-fold OOF AUROC | OOF time / recording | "
        f"rate, precision, recall: predicted != given | confident learning |"
    )
    print("|" + " --- |" * (len(SCORES) + 6))
    datasets = ["digits"] if args.quick else list(DATASETS)
    for name in datasets:
        X, y = DATASETS[name](return_X_y=True)
        for noise in (0.1, 0.2, 0.4):
            if noise >= 0.4 and np.unique(y).shape[0] == 2:
                continue  # 40% flipped of two classes is close to no signal
            rows = []
            for seed in range(args.seeds):
                rng = np.random.RandomState(seed)
                y_noisy, flipped = flip_labels(y, noise, rng)
                rows.append(detection(X, y_noisy, flipped, args, seed))
            mean = {k: np.nanmean([r[k] for r in rows]) for k in rows[0]}
            cells = " | ".join(f"{mean[s]:.3f}" for s in SCORES)
            found = " | ".join(
                ", ".join(
                    f"{mean[method, key]:.3f}"
                    for key in ("rate", "precision", "recall")
                )
                for method in NOISE_METHODS
            )
            print(
                f"| {name} | {noise:.0%} | {cells} | {mean['oof']:.3f} | "
                f"{mean['oof time']:.1f}x | {found} |"
            )
    print()


# -- 3. pruning ------------------------------------------------------------------------
def pruning_table(args):
    X, y = load_digits(return_X_y=True)
    keeps = [0.3, 0.5] if args.quick else [0.3, 0.4, 0.5]
    noises = [0.2] if args.quick else [0.0, 0.1, 0.2, 0.4]
    hand = [0.0, 0.1, 0.2, 0.3, 0.4]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))
    policies = {f"drop_hardest={d}": dict(drop_hardest=d) for d in hand}
    autos = {
        "noise_rate (predicted != given)": dict(drop_hardest="noise_rate"),
        "noise_rate (confident learning)": dict(
            drop_hardest="noise_rate", label_noise="confident_learning"
        ),
    }
    policies.update(autos)
    policies["drop_mislabeled"] = dict(drop_mislabeled=True)
    print(
        "## 3. Pruning digits with noisy labels (test accuracy, AUM + "
        "strategy='stratified'; mean over seeds)\n"
    )
    for noise in noises:
        results = {name: {k: [] for k in keeps} for name in [*policies, "random"]}
        splits = StratifiedShuffleSplit(args.seeds, test_size=0.3, random_state=0)
        for seed, (train, test) in enumerate(splits.split(X, y)):
            rng = np.random.RandomState(seed)
            y_train, _ = flip_labels(y[train], noise, rng)
            for keep in keeps:
                for name, kw in policies.items():
                    pruner = TrainingDynamicsPruner(
                        keep=keep,
                        strategy="stratified",
                        n_epochs=args.epochs,
                        random_state=seed,
                        **kw,
                    )
                    X_kept, y_kept = pruner.fit_resample(X[train], y_train)
                    acc = clone(model).fit(X_kept, y_kept).score(X[test], y[test])
                    results[name][keep].append(acc)
                X_kept, y_kept = RandomPruner(
                    keep=keep, random_state=seed
                ).fit_resample(X[train], y_train)
                acc = clone(model).fit(X_kept, y_kept).score(X[test], y[test])
                results["random"][keep].append(acc)
        print(f"### {noise:.0%} of the training labels flipped\n")
        print("| policy | " + " | ".join(f"keep {k}" for k in keeps) + " |")
        print("|" + " --- |" * (len(keeps) + 1))
        for name, by_keep in results.items():
            cells = " | ".join(f"{np.mean(by_keep[k]):.4f}" for k in keeps)
            print(f"| {name} | {cells} |")
        best = {
            k: max(np.mean(results[f"drop_hardest={d}"][k]) for d in hand)
            for k in keeps
        }
        rand = {k: np.mean(results["random"][k]) for k in keeps}
        for name in autos:
            auto = {k: np.mean(results[name][k]) for k in keeps}
            for label, other in (("best hand-set", best), ("random", rand)):
                cells = " | ".join(
                    f"{100 * (auto[k] - other[k]):+.2f} pt" for k in keeps
                )
                print(f"| {name} - {label} | {cells} |")
        print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="digits only, 2 seeds")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument(
        "--part", choices=["all", "overhead", "detection", "pruning"], default="all"
    )
    args = parser.parse_args(argv)
    if args.seeds is None:
        args.seeds = 2 if args.quick else 5
    with open("/proc/loadavg") as f:
        print(f"load average at start: {f.read().split()[:3]}\n")
    start = time.perf_counter()
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if args.part in ("all", "overhead"):
            overhead_table(args)
        if args.part in ("all", "detection"):
            detection_table(args)
        if args.part in ("all", "pruning"):
            pruning_table(args)
    print(f"total time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

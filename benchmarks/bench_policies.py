"""Which selection policy pays? Every metric x policy against random pruning.

Run ``python benchmarks/bench_policies.py`` (``--quick`` for a smoke run) from
the repository root. For each data set, 5 seeds (each seed: a new train/test
split or newly generated data, new pruner seeds), the estimator is trained on
the rows each pruner keeps at kept fractions 0.1 to 0.7 and scored on a test
set that is never pruned, next to random pruning at the same sizes and with
the same class balance (all through :func:`sklearn_prune.model_selection.
pruning_curve`). Data sets:

- ``digits``: scikit-learn's 1797 8x8 digit images, 70% train / 30% test;
- ``digits-noisy``: the same with 10% of the training labels flipped to
  another class (test labels clean);
- ``near-duplicates``: a 5-class task whose training set repeats 600
  distinct rows a heavy-tailed number of times, with small jitter
  (redundancy), tested on fresh distinct rows (``make_redundant`` below);
- ``teacher-student``: the perceptron setting of Sorscher et al. (2022),
  Gaussian inputs labelled by a linear teacher; the oracle metric is the
  margin to that teacher.

Metrics: ``PrototypePruner`` (10 k-means prototypes of the standardised
features), ``EL2NPruner`` with its default probe (one hidden layer of 256
units, 10 epochs) and with a stronger probe (two hidden layers of 256 units,
8 epochs), and ``OraclePruner`` on
teacher-student. Policies: keep hard, keep easy, stratified (CCS),
moderate, and keep hard / stratified after dropping the hardest 10%; each with
``class_balance`` on and off.

Prints markdown tables: per data set, mean test accuracy and its standard
deviation over the seeds, and a summary of how every policy fares against
random (the paired difference over seeds), and of class balance on vs off.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from sklearn_prune import EL2NPruner, OraclePruner, PrototypePruner
from sklearn_prune._el2n import default_probe
from sklearn_prune.datasets import make_teacher_student
from sklearn_prune.model_selection import pruning_curve

KEEPS = [0.1, 0.2, 0.3, 0.5, 0.7]
POLICIES = {
    "hard": dict(strategy="hard"),
    "easy": dict(strategy="easy"),
    "stratified": dict(strategy="stratified", drop_hardest=0.0),
    "moderate": dict(strategy="moderate"),
    "hard, drop 10%": dict(strategy="hard", drop_hardest=0.1),
    "stratified, drop 10%": dict(strategy="stratified", drop_hardest=0.1),
}


# -- data: every data set is a list of seeds, each (X_train, y_train, X_test, y_test)
def make_redundant(
    n_unique=600,
    n_test=1500,
    n_classes=5,
    n_features=20,
    max_copies=60,
    jitter=0.05,
    random_state=None,
):
    """A training set of near-duplicates and a test set of fresh distinct rows.

    ``n_unique + n_test`` rows come from ``make_classification``; the first
    ``n_unique`` are the training set's distinct rows, each repeated a
    Zipf-distributed number of times (1 to ``max_copies``) with Gaussian
    jitter of ``jitter`` times the feature scale, so that a few rows fill
    most of the training set.
    """
    rng = check_random_state(random_state)
    X, y = make_classification(
        n_samples=n_unique + n_test,
        n_features=n_features,
        n_informative=10,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=1.5,
        random_state=rng,
    )
    copies = np.minimum(rng.zipf(1.6, size=n_unique), max_copies)
    rows = np.repeat(np.arange(n_unique), copies)
    X_train = X[rows] + jitter * X.std(axis=0) * rng.standard_normal(
        (rows.shape[0], n_features)
    )
    return X_train, y[rows], X[n_unique:], y[n_unique:]


def digits_seeds(n_seeds, noise=0.0):
    X, y = load_digits(return_X_y=True)
    splits = StratifiedShuffleSplit(n_seeds, test_size=0.3, random_state=0).split(X, y)
    out = []
    for seed, (train, test) in enumerate(splits):
        y_train = y[train].copy()
        if noise:
            rng = np.random.RandomState(seed)
            flip = rng.choice(train.shape[0], int(noise * train.shape[0]), False)
            # a different class, uniformly
            y_train[flip] = (y_train[flip] + rng.randint(1, 10, flip.shape[0])) % 10
        out.append((X[train], y_train, X[test], y[test]))
    return out


def redundant_seeds(n_seeds):
    return [make_redundant(random_state=seed) for seed in range(n_seeds)]


TEACHER_FEATURES = 50


def teacher_seeds(n_seeds, n_train=2000, n_test=5000):
    teacher = np.random.RandomState(12345).standard_normal(TEACHER_FEATURES)
    out = []
    for seed in range(n_seeds):
        X, y, _ = make_teacher_student(
            n_train + n_test, TEACHER_FEATURES, teacher=teacher, random_state=seed
        )
        out.append((X[:n_train], y[:n_train], X[n_train:], y[n_train:]))
    return out, teacher


def stack(seeds):
    """One (X, y, cv) for pruning_curve: every seed's train and test rows, indexed."""
    X, y, cv, start = [], [], [], 0
    for X_train, y_train, X_test, y_test in seeds:
        n_train, n_test = X_train.shape[0], X_test.shape[0]
        train = np.arange(start, start + n_train)
        test = np.arange(start + n_train, start + n_train + n_test)
        X += [X_train, X_test]
        y += [y_train, y_test]
        cv.append((train, test))
        start += n_train + n_test
    return np.vstack(X), np.concatenate(y), cv


# -- metrics --------------------------------------------------------------------
def probe(hidden, epochs):
    """The default probe (its scaling, batches and optimiser), resized."""
    return default_probe(64).set_params(
        mlpclassifier__hidden_layer_sizes=hidden, mlpclassifier__max_iter=epochs
    )


def strong_probe():
    """A probe of the learner's capacity class, trained briefly."""
    return probe((256, 256), 8)


def metrics(teacher=None):
    out = {
        "prototype": PrototypePruner(n_clusters=10, embedding=StandardScaler()),
        "EL2N": EL2NPruner(),
        "EL2N, strong probe": EL2NPruner(estimator=strong_probe()),
    }
    if teacher is not None:
        out["oracle"] = OraclePruner(teacher=teacher)
    return out


def pruners(metric_pruners, policies, balance):
    out = {}
    for metric, pruner in metric_pruners.items():
        for policy, params in policies.items():
            for cb in balance:
                name = f"{metric} / {policy} / {'balanced' if cb else 'unbalanced'}"
                out[name] = clone(pruner).set_params(**params, class_balance=cb)
    return out


# -- reporting ------------------------------------------------------------------
def paired(frame):
    """Per curve and keep: mean, std, and the paired difference to its random."""
    scores = frame[frame.kind != "full"]
    wide = scores.pivot_table(index=["curve", "keep"], columns="split", values="score")
    baseline = scores.drop_duplicates("curve").set_index("curve")["baseline"]
    rows = []
    for (curve, keep), values in wide.iterrows():
        random = wide.loc[(baseline[curve], keep)]
        diff = values - random
        rows.append(
            dict(
                curve=curve,
                keep=keep,
                mean=values.mean(),
                std=values.std(ddof=1),
                diff=diff.mean(),
                diff_std=diff.std(ddof=1),
            )
        )
    return pd.DataFrame(rows)


def verdict(diff, diff_std):
    if diff > diff_std:
        return "win"
    if diff < -diff_std:
        return "loss"
    return "tie"


def markdown_table(stats, keeps, full):
    lines = ["| curve | " + " | ".join(f"keep {k}" for k in keeps) + " |"]
    lines.append("| --- " * (len(keeps) + 1) + "|")
    for curve, group in stats.groupby("curve", sort=False):
        cells = []
        for keep in keeps:
            row = group[group.keep == keep].iloc[0]
            cell = f"{row['mean']:.3f} ± {row['std']:.3f}"
            if not curve.startswith("random"):
                cell += f" ({row['diff']:+.3f})"
            cells.append(cell)
        lines.append(f"| {curve} | " + " | ".join(cells) + " |")
    lines.append(f"| all rows | {full:.3f} |" + " |" * (len(keeps) - 1))
    return "\n".join(lines)


def run(name, seeds, teacher, estimator, args):
    X, y, cv = stack(seeds)
    policies = POLICIES if not args.quick else {k: POLICIES[k] for k in args.policies}
    balance = (True, False)
    curves = pruners(metrics(teacher), policies, balance)
    start = time.perf_counter()
    result = pruning_curve(
        estimator,
        curves,
        X,
        y,
        keep=args.keep,
        cv=cv,
        n_jobs=args.n_jobs,
        random_state=0,
        verbose=args.verbose,
    )
    elapsed = time.perf_counter() - start
    frame = result.to_frame()
    frame.insert(0, "dataset", name)
    stats = paired(frame)
    # random first, then the pruners in the order they were defined
    order = sorted(set(result.baselines.values())) + list(curves)
    stats["curve"] = pd.Categorical(stats["curve"], categories=order, ordered=True)
    stats = stats.sort_values(["curve", "keep"])
    stats["curve"] = stats["curve"].astype(str)
    stats.insert(0, "dataset", name)
    print(f"\n### {name} ({len(seeds)} seeds, {elapsed:.0f} s)\n")
    print(
        "Test accuracy, mean ± standard deviation over seeds; in brackets the "
        "mean paired difference to random pruning with the same class balance.\n"
    )
    print(markdown_table(stats, args.keep, float(result.full_scores.mean())))
    return frame, stats, elapsed


def summary(stats):
    """Wins, ties and losses against random for every metric and policy."""
    stats = stats[~stats.curve.str.startswith("random")].copy()
    parts = stats.curve.str.split(" / ", regex=False, expand=True)
    stats["metric"], stats["policy"], stats["balance"] = parts[0], parts[1], parts[2]
    stats["verdict"] = [verdict(d, s) for d, s in zip(stats["diff"], stats.diff_std)]
    return stats


def print_summaries(stats, keeps):
    stats = summary(stats)
    print("\n### Against random, per data set (balanced policies)\n")
    print(
        "Paired difference to random (mean over seeds) at each kept fraction; "
        "W/L: the difference is larger than its standard deviation over seeds, "
        "in favour of (W) or against (L) the policy.\n"
    )
    lines = ["| data set | metric | policy | " + " | ".join(map(str, keeps)) + " |"]
    lines.append("| --- " * (len(keeps) + 3) + "|")
    balanced = stats[stats.balance == "balanced"]
    for (dataset, metric, policy), group in balanced.groupby(
        ["dataset", "metric", "policy"], sort=False
    ):
        cells = []
        for keep in keeps:
            row = group[group.keep == keep].iloc[0]
            mark = {"win": " W", "loss": " L", "tie": ""}[row["verdict"]]
            cells.append(f"{row['diff']:+.3f}{mark}")
        lines.append(f"| {dataset} | {metric} | {policy} | " + " | ".join(cells) + " |")
    print("\n".join(lines))

    print("\n### class_balance: on minus off\n")
    print(
        "Mean over data sets, kept fractions and seeds of accuracy(balanced) - "
        "accuracy(unbalanced), same metric, policy and seed; in brackets the "
        "worst cell (data set, keep).\n"
    )
    wide = stats.pivot_table(
        index=["dataset", "metric", "policy", "keep"], columns="balance", values="mean"
    )
    gain = (wide["balanced"] - wide["unbalanced"]).rename("gain").reset_index()
    lines = ["| metric | " + " | ".join(POLICIES) + " |", "| --- " * 7 + "|"]
    for metric, group in gain.groupby("metric", sort=False):
        cells = []
        for policy in POLICIES:
            g = group[group.policy == policy]
            if g.empty:
                cells.append("")
                continue
            worst = g.loc[g.gain.idxmin()]
            cells.append(
                f"{g.gain.mean():+.3f} ({worst.gain:+.3f} {worst.dataset} {worst.keep})"
            )
        lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    print("\n".join(lines))
    counts = stats.groupby(["balance", "verdict"]).size().unstack(fill_value=0)
    print("\nCells won, tied and lost against random:\n")
    print("| class_balance | win | tie | loss |\n| --- | --- | --- | --- |")
    for balance, row in counts.iterrows():
        cells = " | ".join(str(row.get(v, 0)) for v in ("win", "tie", "loss"))
        print(f"| {balance} | {cells} |")


PROBES = {
    "64, 10 epochs": ((64,), 10),
    "256, 10 epochs": ((256,), 10),
    "128x128, 8 epochs": ((128, 128), 8),
    "256x256, 8 epochs": ((256, 256), 8),
}
PROBE_POLICIES = ["hard", "stratified", "stratified, drop 10%"]


def probe_study(datasets, args):
    """EL2N with probes of several capacities: gain over random and scoring time."""
    print("\n### EL2N probes\n")
    print(
        "Mean over kept fractions of the paired difference to random pruning "
        "(class-balanced policies), and the time of one EL2NPruner fit "
        "(5 probes, one BLAS thread) on the first seed's training set and on a "
        "20000 x 40 make_classification table (10 classes).\n"
    )
    X_big, y_big = make_classification(
        20000, 40, n_informative=20, n_classes=10, random_state=0
    )
    rows = []
    tables = {name: make()[0][:2] for name, (make, _, _) in datasets.items()}
    tables["20000 x 40"] = (X_big, y_big)
    for label, (hidden, epochs) in PROBES.items():
        times = {}
        for name, (X_train, y_train) in tables.items():
            pruner = EL2NPruner(estimator=probe(hidden, epochs), random_state=0)
            with threadpool_limits(limits=1, user_api="blas"):
                start = time.perf_counter()
                pruner.fit(X_train, y_train)
                times[name] = time.perf_counter() - start
        rows.append((label, times))
    gains = {}
    for name, (make, _, estimator) in datasets.items():
        X, y, cv = stack(make())
        curves = {}
        for label, (hidden, epochs) in PROBES.items():
            for policy in PROBE_POLICIES:
                curves[f"{label} / {policy}"] = EL2NPruner(
                    estimator=probe(hidden, epochs),
                    class_balance=True,
                    **POLICIES[policy],
                )
        result = pruning_curve(
            estimator,
            curves,
            X,
            y,
            keep=args.keep,
            cv=cv,
            n_jobs=args.n_jobs,
            random_state=0,
        )
        stats = paired(result.to_frame())
        gains[name] = stats.groupby("curve")["diff"].mean()
    names = list(datasets)
    header = "| probe | policy | " + " | ".join(names) + " |"
    print(header + "\n" + "| --- " * (len(names) + 2) + "|")
    for label in PROBES:
        for policy in PROBE_POLICIES:
            cells = [f"{gains[n][f'{label} / {policy}']:+.3f}" for n in names]
            print(f"| {label} | {policy} | " + " | ".join(cells) + " |")
    print("\nSeconds per EL2NPruner fit (5 probes):\n")
    columns = list(rows[0][1])
    print("| probe | " + " | ".join(columns) + " |")
    print("| --- " * (len(columns) + 1) + "|")
    for label, times in rows:
        print(f"| {label} | " + " | ".join(f"{times[c]:.2f}" for c in columns) + " |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds, 3 policies")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--verbose", type=int, default=0)
    parser.add_argument(
        "--datasets",
        nargs="+",
        default=["digits", "digits-noisy", "near-duplicates", "teacher-student"],
    )
    parser.add_argument("--csv", help="write every score (tidy) to this CSV file")
    parser.add_argument(
        "--probes", action="store_true", help="also compare EL2N probe capacities"
    )
    args = parser.parse_args(argv)
    n_seeds = args.seeds or (2 if args.quick else 5)
    args.keep = [0.1, 0.3, 0.7] if args.quick else KEEPS
    args.policies = ["hard", "stratified", "stratified, drop 10%"]
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    learner = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    teacher_data, teacher = teacher_seeds(n_seeds)
    datasets = {
        "digits": (lambda: digits_seeds(n_seeds), None, learner),
        "digits-noisy": (lambda: digits_seeds(n_seeds, noise=0.1), None, learner),
        "near-duplicates": (lambda: redundant_seeds(n_seeds), None, learner),
        "teacher-student": (
            lambda: teacher_data,
            teacher,
            LogisticRegression(C=100.0, fit_intercept=False, max_iter=2000),
        ),
    }
    start = time.perf_counter()
    frames, stats = [], []
    for name in args.datasets:
        make, teacher_, estimator = datasets[name]
        frame, stat, _ = run(name, make(), teacher_, estimator, args)
        frames.append(frame)
        stats.append(stat)
    stats = pd.concat(stats, ignore_index=True)
    print_summaries(stats, args.keep)
    if args.probes:
        probe_study({n: datasets[n] for n in args.datasets}, args)
    if args.csv:
        pd.concat(frames, ignore_index=True).to_csv(args.csv, index=False)
    print(f"\nTotal: {time.perf_counter() - start:.0f} s, n_jobs={args.n_jobs}")


if __name__ == "__main__":
    main()

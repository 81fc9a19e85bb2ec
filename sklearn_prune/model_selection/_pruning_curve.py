"""pruning_curve: cross-validated score against the fraction of training rows kept."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import time
from dataclasses import dataclass
from numbers import Integral, Real

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.metrics import check_scoring
from sklearn.model_selection import (
    RepeatedKFold,
    RepeatedStratifiedKFold,
    check_cv,
)
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.parallel import Parallel, delayed

from .._arrays import cut_per_row_init, n_rows, take_rows
from .._label_noise import noise_rate_drop, without_suspects
from .._random import RandomPruner
from .._seeding import draw_seed, draw_seeds
from .._selection import check_budget, class_codes, n_kept, select_indices
from ..base import BasePruner, resolve_drop_hardest

__all__ = ["PruningCurveResult", "pruning_curve"]

#: parameters that only choose rows from the scores: they never change ``scores_``
_POLICY_PARAMS = (
    "keep",
    "strategy",
    "drop_hardest",
    "n_strata",
    "class_balance",
    "random_state",
)
_RANDOM = "random"
_RANDOM_BALANCED = "random, class-balanced"


class PruningCurveResult:
    """Scores of an estimator trained on pruned training folds (:func:`pruning_curve`).

    Every array has one column per cross-validation split (``n_repeats``
    times the number of folds, repeat by repeat). Build plots with
    :class:`PruningCurveDisplay` and tables with :meth:`to_frame`.

    Parameters
    ----------
    keep : ndarray of shape (n_keep,)
        The kept sizes asked for: fractions (floats) or row counts (ints).
    names : list of str
        The curves: the pruners' names, then the random baselines'.
    baselines : dict of str to str
        For every curve, the name of the random baseline it is compared
        with (a baseline maps to itself).
    test_scores : dict of str to ndarray of shape (n_keep, n_splits)
        Test-fold score of the estimator trained on the kept rows of the
        training fold, for every curve.
    full_scores : ndarray of shape (n_splits,)
        Test-fold score of the estimator trained on the whole training fold.
    n_kept : ndarray of shape (n_keep, n_splits)
        Exact number of training rows kept, the same for every curve.
    n_train : ndarray of shape (n_splits,)
        Number of rows of every training fold.
    n_repeats : int
        How often the cross-validation was repeated.
    score_name : str
        Name of the score (``"accuracy"`` for a classifier's default score).
    pruners : dict of str to pruner
        The pruners as passed (unfitted), by name.
    classes : ndarray of shape (n_classes,), default=None
        The classes, when per-class recall was recorded
        (``pruning_curve(..., per_class=True)``).
    class_recall : dict of str to ndarray of shape (n_keep, n_splits, \
n_classes), default=None
        Recall of every class on every test fold, for every curve (NaN for a
        class absent from a test fold).
    full_class_recall : ndarray of shape (n_splits, n_classes), default=None
        The same for the estimator trained on the whole training fold.

    Attributes
    ----------
    keep, names, baselines, test_scores, full_scores, n_kept, n_train, \
n_repeats, score_name, pruners, classes, class_recall, full_class_recall
        The parameters, stored as given.

    n_splits : int
        Number of train/test splits (folds times repeats).

    See Also
    --------
    pruning_curve : Compute these scores.
    PruningCurveDisplay : Plot them.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_prune import PrototypePruner
    >>> from sklearn_prune.model_selection import pruning_curve
    >>> X, y = load_iris(return_X_y=True)
    >>> result = pruning_curve(LogisticRegression(max_iter=500),
    ...                        PrototypePruner(n_clusters=3), X, y,
    ...                        keep=[0.3, 0.6], cv=3, random_state=0)
    >>> result.names
    ['PrototypePruner', 'random']
    >>> result.test_scores["PrototypePruner"].shape
    (2, 3)
    >>> result.n_kept[:, 0].tolist()
    [30, 60]
    """

    def __init__(
        self,
        *,
        keep,
        names,
        baselines,
        test_scores,
        full_scores,
        n_kept,
        n_train,
        n_repeats,
        score_name,
        pruners,
        classes=None,
        class_recall=None,
        full_class_recall=None,
    ):
        self.classes = classes
        self.class_recall = class_recall
        self.full_class_recall = full_class_recall
        self.keep = keep
        self.names = names
        self.baselines = baselines
        self.test_scores = test_scores
        self.full_scores = full_scores
        self.n_kept = n_kept
        self.n_train = n_train
        self.n_repeats = n_repeats
        self.score_name = score_name
        self.pruners = pruners

    @property
    def n_splits(self) -> int:
        """Number of train/test splits (folds times repeats)."""
        return int(self.full_scores.shape[0])

    def __repr__(self) -> str:
        return (
            f"PruningCurveResult(names={self.names}, keep={self.keep.tolist()}, "
            f"n_splits={self.n_splits}, score_name={self.score_name!r})"
        )

    def worst_class_scores(self) -> dict:
        """Recall of the worst class, per curve, kept size and split.

        Returns
        -------
        scores : dict of str to ndarray of shape (n_keep, n_splits)
            For every curve, the lowest recall over the classes present in
            each test fold; ``"all rows"`` holds the whole training fold's,
            of shape (n_splits,).

        Raises
        ------
        ValueError
            If per-class recall was not recorded (``per_class=False``).
        """
        if self.class_recall is None:
            raise ValueError(
                "This result has no per-class recall: run pruning_curve(..., "
                "per_class=True)."
            )
        worst = {name: np.nanmin(r, axis=-1) for name, r in self.class_recall.items()}
        worst["all rows"] = np.nanmin(self.full_class_recall, axis=-1)
        return worst

    def _values(self, metric: str) -> tuple[dict, np.ndarray]:
        """Per-curve values and the full-data values of ``metric``."""
        if metric == "score":
            return self.test_scores, self.full_scores
        if metric == "worst_class":
            worst = self.worst_class_scores()
            return worst, worst["all rows"]
        raise ValueError(
            f"`metric` must be 'score' or 'worst_class'. Got {metric!r} instead."
        )

    def differences(self, metric: str = "score") -> dict:
        """Paired differences to the matched random baseline, split by split.

        Parameters
        ----------
        metric : {"score", "worst_class"}, default="score"
            The test score, or the worst class's recall.

        Returns
        -------
        differences : dict of str to ndarray of shape (n_keep, n_splits)
            For every curve, its value minus its baseline's on the same split
            and kept size (zeros for a baseline).
        """
        values, _ = self._values(metric)
        return {
            name: values[name] - values[self.baselines[name]] for name in self.names
        }

    def summary(self, metric: str = "score") -> pd.DataFrame:
        """Paired comparison with random pruning, per curve and kept size.

        The splits pair every curve with its random baseline (same training
        and test folds, same kept size), so the spread of the difference is
        the honest yardstick, not the spread of either score.

        Parameters
        ----------
        metric : {"score", "worst_class"}, default="score"
            The test score, or the worst class's recall (needs
            ``per_class=True``).

        Returns
        -------
        summary : pandas.DataFrame
            One row per curve and kept size, columns ``curve``,
            ``baseline``, ``keep``, ``fraction`` (mean kept fraction),
            ``mean`` (mean value over splits), ``difference`` (mean paired
            difference to the baseline), ``difference_std`` (its standard
            deviation over splits), ``wins``, ``losses`` and ``ties`` (splits
            where the curve is above, below or equal to the baseline).

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn_prune import RandomPruner
        >>> from sklearn_prune.model_selection import pruning_curve
        >>> X, y = load_iris(return_X_y=True)
        >>> result = pruning_curve(LogisticRegression(max_iter=500),
        ...                        {"mine": RandomPruner()}, X, y, keep=[0.5],
        ...                        cv=3, random_state=0)
        >>> result.summary().columns.tolist()[:5]
        ['curve', 'baseline', 'keep', 'fraction', 'mean']
        """
        values, _ = self._values(metric)
        differences = self.differences(metric)
        fraction = (self.n_kept / self.n_train).mean(axis=1)
        rows = []
        for name in self.names:
            for k, keep in enumerate(self.keep):
                d = differences[name][k]
                rows.append(
                    {
                        "curve": name,
                        "baseline": self.baselines[name],
                        "keep": keep.item() if hasattr(keep, "item") else keep,
                        "fraction": float(fraction[k]),
                        "mean": float(np.mean(values[name][k])),
                        "difference": float(np.mean(d)),
                        "difference_std": float(np.std(d)),
                        "wins": int(np.sum(d > 0)),
                        "losses": int(np.sum(d < 0)),
                        "ties": int(np.sum(d == 0)),
                    }
                )
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per curve, kept size and split: a tidy table.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``curve`` (a pruner's or a baseline's name, or
            ``"all rows"``), ``kind`` (``"pruner"``, ``"random"`` or
            ``"full"``), ``baseline`` (the random curve it is compared with),
            ``keep`` (as asked for; 1.0 for ``"all rows"``), ``n_kept``,
            ``n_train``, ``fraction`` (``n_kept / n_train``), ``repeat``,
            ``fold``, ``split`` and ``score``, and ``worst_class`` (the
            worst class's recall) when per-class recall was recorded.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn_prune import RandomPruner
        >>> from sklearn_prune.model_selection import pruning_curve
        >>> X, y = load_iris(return_X_y=True)
        >>> frame = pruning_curve(LogisticRegression(max_iter=500),
        ...                       {"mine": RandomPruner()}, X, y, keep=[0.5],
        ...                       cv=3, random_state=0).to_frame()
        >>> frame.groupby("curve")["score"].count().to_dict()
        {'all rows': 3, 'mine': 3, 'random': 3}
        """
        n_folds = self.n_splits // self.n_repeats
        split = np.arange(self.n_splits)
        worst = None if self.class_recall is None else self.worst_class_scores()
        parts = []
        for name in self.names:
            kind = "random" if self.baselines[name] == name else "pruner"
            for k, keep in enumerate(self.keep):
                parts.append(
                    pd.DataFrame(
                        {
                            "curve": name,
                            "kind": kind,
                            "baseline": self.baselines[name],
                            "keep": keep.item() if hasattr(keep, "item") else keep,
                            "n_kept": self.n_kept[k],
                            "n_train": self.n_train,
                            "split": split,
                            "score": self.test_scores[name][k],
                            **(
                                {} if worst is None else {"worst_class": worst[name][k]}
                            ),
                        }
                    )
                )
        parts.append(
            pd.DataFrame(
                {
                    "curve": "all rows",
                    "kind": "full",
                    "baseline": None,
                    "keep": 1.0,
                    "n_kept": self.n_train,
                    "n_train": self.n_train,
                    "split": split,
                    "score": self.full_scores,
                    **({} if worst is None else {"worst_class": worst["all rows"]}),
                }
            )
        )
        frame = pd.concat(parts, ignore_index=True)
        frame["fraction"] = frame["n_kept"] / frame["n_train"]
        frame["repeat"] = frame["split"] // n_folds
        frame["fold"] = frame["split"] % n_folds
        columns = ["curve", "kind", "baseline", "keep", "n_kept", "n_train"]
        columns += ["fraction", "repeat", "fold", "split", "score"]
        return frame[columns + ([] if worst is None else ["worst_class"])]


# -- validation ----------------------------------------------------------------
def _check_pruners(pruners) -> dict:
    if isinstance(pruners, BasePruner):
        return {type(pruners).__name__: pruners}
    if not isinstance(pruners, dict):
        raise TypeError(
            f"`pruners` must be a pruner (a sklearn_prune.BasePruner such as "
            f"EL2NPruner) or a dict mapping names to pruners. Got "
            f"{type(pruners).__name__} instead."
        )
    if not pruners:
        raise ValueError("`pruners` is an empty dict; pass at least one pruner.")
    for name, pruner in pruners.items():
        if not isinstance(name, str):
            raise TypeError(f"`pruners` names must be strings. Got {name!r}.")
        if not isinstance(pruner, BasePruner):
            raise TypeError(
                f"`pruners[{name!r}]` must be a pruner (a sklearn_prune.BasePruner "
                f"such as EL2NPruner). Got {type(pruner).__name__} instead."
            )
    reserved = {_RANDOM, _RANDOM_BALANCED, "all rows"} & set(pruners)
    if reserved:
        raise ValueError(
            f"`pruners` may not use the names {sorted(reserved)}: pruning_curve "
            f"gives them to its random baselines and to the full-data score. "
            f"Rename those pruners."
        )
    return dict(pruners)


def _check_keep(keep) -> np.ndarray:
    values = np.asarray(keep, dtype=object).ravel()
    if values.size == 0 or np.ndim(keep) > 1:
        raise ValueError(
            f"`keep` must be a non-empty 1-D list of fractions in (0, 1] or row "
            f"counts >= 1. Got {keep!r} instead."
        )
    for value in values:
        bad_type = isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (Integral, Real)
        )
        if (
            bad_type
            or (isinstance(value, Integral) and value < 1)
            or (not isinstance(value, Integral) and not 0.0 < value <= 1.0)
        ):
            raise ValueError(
                f"`keep` values must be fractions (floats) in (0, 1] or row counts "
                f"(ints) >= 1. Got {value!r} in keep={list(values)!r}."
            )
    as_float = all(not isinstance(v, Integral) for v in values)
    return np.array([float(v) if as_float else v for v in values], dtype=object)


def _check_int(value, name: str, low: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"`{name}` must be an int >= {low}. Got {value!r} instead.")
    if value < low:
        raise ValueError(f"`{name}` must be an int >= {low}. Got {value!r} instead.")
    return int(value)


def _splits(cv, X, y, estimator, n_repeats, seed):
    """(train, test) index pairs, repeat by repeat, and the folds per repeat."""
    if isinstance(cv, Integral) and not isinstance(cv, (bool, np.bool_)):
        if cv < 2:
            raise ValueError(
                f"`cv`={cv} folds is too few: an int `cv` must be at least 2."
            )
        stratify = (
            is_classifier(estimator)
            and y is not None
            and type_of_target(y, input_name="y") in ("binary", "multiclass")
        )
        kind = RepeatedStratifiedKFold if stratify else RepeatedKFold
        splitter = kind(n_splits=int(cv), n_repeats=n_repeats, random_state=seed)
        dummy = np.zeros((n_rows(X), 1))
        return list(splitter.split(dummy, y)), int(cv)
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    dummy = np.zeros((n_rows(X), 1))
    folds = list(splitter.split(dummy, y))
    return folds * n_repeats, len(folds)


def _score_name(estimator, scoring) -> str:
    if isinstance(scoring, str):
        return scoring
    if callable(scoring):
        return getattr(scoring, "__name__", None) or "score"
    if is_classifier(estimator):
        return "accuracy"
    if is_regressor(estimator):
        return "R2"
    return "score"


def _scoring_key(pruner: BasePruner) -> tuple:
    """Pruners with equal keys compute the same scores: only the policy differs."""
    params = pruner.get_params(deep=False)
    rest = {k: v for k, v in params.items() if k not in _POLICY_PARAMS}
    return type(pruner), joblib.hash(rest)


def _as_labels(y):
    if y is None:
        return None
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    return y


# -- the plan: every curve, its baseline, shared scores, budgets ---------------
@dataclass
class _CurvePlan:
    """What :func:`pruning_curve` runs, decided before any fit."""

    curves: dict  # name -> pruner: the pruners, then the random baselines
    baselines: dict  # name -> the random baseline's name
    rules: dict  # name -> class-quota rule ("equal", "difficulty", "none")
    groups: list  # lists of curve names that share scores
    splits: list  # (train, test) index pairs
    n_folds: int
    keeps: np.ndarray
    n_kept: np.ndarray  # (n_keep, n_splits)
    seeds: np.ndarray  # (n_splits, n_groups)

    def group_of(self, name: str) -> int:
        return next(g for g, names in enumerate(self.groups) if name in names)

    def measures_noise(self, g: int) -> bool:
        """Whether the pruner of group ``g`` must estimate label noise.

        True when a curve of the group drops the suspected mislabeled rows or
        sets ``drop_hardest`` from the estimated noise rate.
        """
        return any(_needs_noise(self.curves[n]) for n in self.groups[g])

    def measures_errors(self, g: int) -> bool:
        """Whether the pruner of group ``g`` must measure per-class error rates."""
        return any(
            self.rules[n] == "difficulty"
            and not isinstance(self.curves[n].class_balance, dict)
            for n in self.groups[g]
        )


def _with_baselines(pruners: dict, labels):
    """Every curve, its class-quota rule, and the random baseline it is compared with.

    A pruner with class quotas ("equal" or "difficulty") is compared with
    random pruning that keeps the same fraction of every class; one without
    quotas with plain random pruning.
    """
    rules = {name: p._class_rule(labels) for name, p in pruners.items()}
    kinds = sorted({rule != "none" for rule in rules.values()})
    names = {b: (_RANDOM_BALANCED if b and len(kinds) > 1 else _RANDOM) for b in kinds}
    curves = dict(pruners)
    baselines = {name: names[rule != "none"] for name, rule in rules.items()}
    for b in kinds:
        curves[names[b]] = RandomPruner(class_balance=b)
        baselines[names[b]] = names[b]
        rules[names[b]] = "equal" if b else "none"
    return curves, baselines, rules


def _check_budgets(curves, rules, splits, keeps, labels) -> np.ndarray:
    """Kept rows per size and split; fail before any metric is computed."""
    n_train = np.array([train.shape[0] for train, _ in splits])
    smallest = int(n_train.min())
    for value in keeps:
        if isinstance(value, Integral) and value > smallest:
            raise ValueError(
                f"`keep`={value} rows is more than the smallest training fold "
                f"holds ({smallest} rows). Use smaller counts or fractions."
            )
    for name, pruner in curves.items():
        for train, _ in splits:
            if rules[name] != "none":
                counts = np.bincount(class_codes(labels[train])[1])
            else:
                counts = np.array([train.shape[0]])
            try:
                for value in keeps:
                    if pruner.drop_hardest == "noise_rate":
                        n_kept(value, train.shape[0])  # checked after scoring
                        continue
                    drop = resolve_drop_hardest(
                        pruner.drop_hardest,
                        pruner.strategy,
                        value,
                        train.shape[0],
                        pruner._auto_drop_hardest,
                    )
                    check_budget(value, counts, drop)
            except ValueError as exc:
                raise ValueError(f"pruners[{name!r}]: {exc}") from exc
    return np.array([[n_kept(k, n) for n in n_train] for k in keeps])


def _plan(estimator, pruners, X, y, keeps, cv, n_repeats, rng) -> _CurvePlan:
    labels = _as_labels(y)
    splits, n_folds = _splits(cv, X, y, estimator, n_repeats, draw_seed(rng))
    curves, baselines, rules = _with_baselines(pruners, labels)
    shared: dict[tuple, list[str]] = {}
    for name, pruner in curves.items():
        shared.setdefault(_scoring_key(pruner), []).append(name)
    groups = list(shared.values())
    n_kept_table = _check_budgets(curves, rules, splits, keeps, labels)
    seeds = draw_seeds(rng, len(splits) * len(groups)).reshape(len(splits), -1)
    return _CurvePlan(
        curves, baselines, rules, groups, splits, n_folds, keeps, n_kept_table, seeds
    )


# -- the work ------------------------------------------------------------------
def _needs_noise(pruner) -> bool:
    """Whether ``pruner`` selects with its label-noise estimate."""
    return getattr(pruner, "_needs_noise", lambda: False)()


def _fold_scores(
    pruner, X, y, train, seed, label, verbose, measure_errors, measure_noise=False
):
    """Difficulty scores of the rows of one training fold, class error rates, noise.

    The error rates (for the difficulty quota) are measured only when
    ``measure_errors``, the label noise (``label_issues_``, ``noise_rate_``)
    only when ``measure_noise``; they are None otherwise.
    """
    start = time.perf_counter()
    # keep every row: the selection is not used, only the scores (and errors)
    quota = "difficulty" if measure_errors else False
    neutral = dict(keep=1.0, strategy="hard", drop_hardest=0.0, class_balance=quota)
    if measure_noise:  # estimated, and at keep=1.0 it drops nothing
        neutral.update(drop_hardest="noise_rate", drop_mislabeled=False)
    neutral.update(cut_per_row_init(pruner, train, n_rows(X)))
    fitted = clone(pruner).set_params(random_state=seed, **neutral)
    fitted.fit(take_rows(X, train), None if y is None else take_rows(y, train))
    if verbose:
        print(
            f"[pruning_curve] {label}: scored {train.shape[0]} rows in "
            f"{time.perf_counter() - start:.2f} s",
            flush=True,
        )
    noise = (fitted.label_issues_, fitted.noise_rate_) if measure_noise else None
    return fitted.scores_, getattr(fitted, "class_errors_", None), noise


def _fit_kept(estimator, X, y, train, test, scorer, kept, classes):
    """Test score of ``estimator`` trained on the ``kept`` training rows.

    With ``classes``, also the recall of every class on the test fold (NaN
    for a class absent from it).
    """
    X_train = take_rows(X, train)
    y_train = None if y is None else take_rows(y, train)
    if kept is not None:
        X_train = take_rows(X_train, kept)
        y_train = None if y_train is None else take_rows(y_train, kept)
    est = clone(estimator)
    est.fit(X_train) if y_train is None else est.fit(X_train, y_train)
    X_test = take_rows(X, test)
    y_test = None if y is None else take_rows(y, test)
    score = scorer(est, X_test, y_test)
    if not isinstance(score, (Real, np.number)):
        raise ValueError(
            f"`scoring` must give one number per fit. Got {type(score).__name__} "
            f"({score!r}); pass a single metric."
        )
    if classes is None:
        return float(score), None
    truth, predicted = _as_labels(y_test), np.asarray(est.predict(X_test))
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.array(
            [np.sum(predicted[truth == c] == c) / np.sum(truth == c) for c in classes]
        )
    return float(score), recall


def _curve(estimator, X, y, train, test, scorer, scores, policy, keeps, seed, classes):
    """Test scores of ``estimator`` trained on the rows ``policy`` keeps, per keep."""
    y_train = None if y is None else _as_labels(take_rows(y, train))
    out = []
    for keep in keeps:
        kept = _kept_rows(scores, y_train, policy, keep, seed)
        out.append(_fit_kept(estimator, X, y, train, test, scorer, kept, classes))
    return out


def _kept_rows(scores, y, policy, keep, seed):
    """The rows a curve's pruner keeps from its fold's ``scores``, as its fit does.

    ``"auto"`` and ``"noise_rate"`` resolved for this ``keep``; with
    ``drop_mislabeled`` the suspected mislabeled rows are gone first and the
    count still refers to every row.
    """
    policy = dict(policy)
    auto = policy.pop("auto_drop_hardest")
    noise = policy.pop("noise")
    rows = None
    if policy.pop("drop_mislabeled") and noise[0].any():
        rows, keep = without_suspects(noise[0], keep)
        scores, y = scores[rows], None if y is None else y[rows]
    n = scores.shape[0]
    if policy["drop_hardest"] == "noise_rate":
        drop = noise_rate_drop(noise[1], keep, n)
    else:
        drop = resolve_drop_hardest(
            policy["drop_hardest"], policy["strategy"], keep, n, auto
        )
    kept = select_indices(
        scores, keep, y=y, random_state=seed, **{**policy, "drop_hardest": drop}
    )
    return kept if rows is None else rows[kept]


def _timed_curve(label, verbose, *args):
    start = time.perf_counter()
    out = _curve(*args)
    if verbose:
        values = " ".join(f"{s:.3f}" for s, _ in out)
        print(
            f"[pruning_curve] {label}: {values} ({time.perf_counter() - start:.2f} s)",
            flush=True,
        )
    return out


def _policy(plan: _CurvePlan, name: str, class_errors, noise) -> dict:
    """Selection parameters of a curve (its scores come from its group)."""
    pruner = plan.curves[name]
    given = pruner.class_balance if isinstance(pruner.class_balance, dict) else None
    return dict(
        strategy=pruner.strategy,
        drop_hardest=pruner.drop_hardest,  # "auto" is resolved per kept size
        auto_drop_hardest=pruner._auto_drop_hardest,
        drop_mislabeled=bool(getattr(pruner, "drop_mislabeled", False)),
        noise=noise,
        n_strata=pruner.n_strata,
        class_balance=plan.rules[name],
        class_errors=given if given is not None else class_errors,
    )


def _run(plan, estimator, X, y, scorer, classes, parallel, verbose):
    """Score every training fold, then fit every curve; returns the raw results."""
    n_total, n_groups = len(plan.splits), len(plan.groups)
    scored = parallel(
        delayed(_fold_scores)(
            plan.curves[names[0]],
            X,
            y,
            train,
            int(plan.seeds[s, g]),
            f"split {s + 1}/{n_total}, metric of {names}",
            verbose,
            plan.measures_errors(g),
            plan.measures_noise(g),
        )
        for s, (train, _) in enumerate(plan.splits)
        for g, names in enumerate(plan.groups)
    )
    jobs = []
    for s, (train, test) in enumerate(plan.splits):
        jobs.append(
            delayed(_fit_kept)(estimator, X, y, train, test, scorer, None, classes)
        )
        for name in plan.curves:
            g = plan.group_of(name)
            scores, errors, noise = scored[s * n_groups + g]
            jobs.append(
                delayed(_timed_curve)(
                    f"split {s + 1}/{n_total}, {name!r}",
                    verbose,
                    estimator,
                    X,
                    y,
                    train,
                    test,
                    scorer,
                    scores,
                    _policy(plan, name, errors, noise),
                    list(plan.keeps),
                    int(plan.seeds[s, g]),
                    classes,
                )
            )
    return parallel(jobs)


def _collect(plan: _CurvePlan, out: list, classes):
    """Arrays by curve from the flat list of :func:`_run`'s results."""
    per_split, n_total = len(plan.curves) + 1, len(plan.splits)
    full = [out[s * per_split] for s in range(n_total)]
    curves = {
        name: [out[s * per_split + 1 + c] for s in range(n_total)]
        for c, name in enumerate(plan.curves)
    }
    test_scores = {
        name: np.array([[v for v, _ in split] for split in per], dtype=float).T
        for name, per in curves.items()
    }
    if classes is None:
        return np.array([v for v, _ in full]), test_scores, None, None
    recall = {
        name: np.stack([np.stack([r for _, r in split]) for split in per], axis=1)
        for name, per in curves.items()
    }
    return (
        np.array([v for v, _ in full]),
        test_scores,
        recall,
        np.stack([r for _, r in full]),
    )


def pruning_curve(
    estimator,
    pruners,
    X,
    y=None,
    *,
    keep=(0.1, 0.2, 0.3, 0.5, 0.7),
    cv=5,
    scoring=None,
    n_repeats: int = 1,
    per_class: bool = False,
    n_jobs: int | None = None,
    random_state=None,
    verbose: int = 0,
) -> PruningCurveResult:
    """Cross-validated score of an estimator trained on pruned training folds.

    The pruning analogue of :func:`sklearn.model_selection.learning_curve`:
    for every train/test split, every pruner and every kept size in
    ``keep``, the pruner scores the rows of the **training fold only**, keeps
    the requested number of them, and ``estimator`` is trained on the kept
    rows and scored on the whole test fold (never pruned). Next to every
    pruner the same is done for random pruning at the same sizes (with the
    same ``class_balance``), and the estimator is also trained on the whole
    training fold: a metric pays where its curve lies above the random one.

    Pruners that differ only in their selection policy (``strategy``,
    ``drop_hardest``, ``n_strata``, ``class_balance``; ``keep`` is ignored)
    share their scores: the metric is computed once per split, and every
    policy then chooses rows from the same scores. Comparing policies costs
    one metric computation per split, not one per policy and size.

    Read more in the :ref:`User Guide <ug_pruning_curves>`.

    Parameters
    ----------
    estimator : estimator with ``fit``
        The model trained on the kept rows; cloned for every fit. To make the
        results reproducible, fix its own ``random_state`` too.
    pruners : pruner or dict of str to pruner
        One pruner (its curve is named after its class), or several by name.
        Pruners are :class:`sklearn_prune.BasePruner` instances; their
        ``keep`` is ignored (the curve's ``keep`` is used) and their
        ``random_state`` is replaced by seeds drawn from ``random_state``.
        The names ``"random"``, ``"random, class-balanced"`` and
        ``"all rows"`` are reserved.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data, in any form the pruners and the estimator accept (numpy,
        pandas, sparse, or images of shape (n_samples, ...)).
    y : array-like of shape (n_samples,), default=None
        Targets.
    keep : array-like of float or int, default=(0.1, 0.2, 0.3, 0.5, 0.7)
        Kept sizes: fractions of each training fold in (0, 1] (floats) or
        row counts (ints) no larger than the smallest training fold. A
        fraction keeps ``max(1, floor(keep * n_train + 0.5))`` rows.
    cv : int, cross-validation generator or iterable, default=5
        An int is a number of folds: the rows are shuffled (with a seed from
        ``random_state``) and split ``n_repeats`` times, stratified by class
        when ``estimator`` is a classifier. A splitter or an iterable of
        (train, test) index arrays is used as given (see
        :func:`sklearn.model_selection.check_cv`), and its splits are
        repeated ``n_repeats`` times with new pruner seeds.
    scoring : str, callable or None, default=None
        A single score, as in :func:`sklearn.model_selection.cross_validate`:
        a scorer name, a callable ``scorer(estimator, X, y)``, or None for
        the estimator's ``score`` method.
    n_repeats : int, default=1
        Number of repetitions of the cross-validation.
    per_class : bool, default=False
        Also record the recall of every class on every test fold
        (classifiers with class labels ``y`` only), and so the worst class's
        recall: the metric that class quotas by difficulty
        (``class_balance="difficulty"``) aim at. See
        :meth:`PruningCurveResult.worst_class_scores`.
    n_jobs : int, default=None
        Number of jobs to run in parallel: the metric computations (per
        split and pruner) and then the fits (per split and curve). ``None``
        means 1 unless in a :obj:`joblib.parallel_backend` context. ``-1``
        means using all processors. See :term:`Glossary <n_jobs>`.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffled folds of an int ``cv`` and every pruner (one seed
        per split and metric; the random baselines included). The results
        do not depend on ``n_jobs``.
    verbose : int, default=0
        0 is silent; 1 prints one line per metric computation and per curve;
        2 and more also print joblib's progress.

    Returns
    -------
    result : PruningCurveResult
        The scores, as arrays and as a table (:meth:`PruningCurveResult.to_frame`).

    Raises
    ------
    TypeError
        If ``estimator`` has no ``fit``, or ``pruners`` holds something other
        than a pruner.
    ValueError
        If ``keep`` holds a value outside (0, 1] or a count larger than a
        training fold, or a pruner's ``drop_hardest`` leaves fewer rows than
        a ``keep`` asks for.

    See Also
    --------
    PruningCurveDisplay : Plot the result.
    sklearn.model_selection.learning_curve : Score against the number of
        randomly drawn training rows.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_prune import PrototypePruner
    >>> from sklearn_prune.model_selection import pruning_curve
    >>> X, y = load_digits(return_X_y=True)
    >>> pruners = {
    ...     "prototype, easy": PrototypePruner(n_clusters=10, strategy="easy"),
    ...     "prototype, hard": PrototypePruner(n_clusters=10, strategy="hard"),
    ... }
    >>> result = pruning_curve(LogisticRegression(max_iter=200), pruners, X, y,
    ...                        keep=[0.1, 0.5], cv=3, random_state=0)
    >>> result.names
    ['prototype, easy', 'prototype, hard', 'random']
    >>> frame = result.to_frame()
    >>> table = frame.pivot_table(index="curve", columns="keep", values="score")
    >>> table.shape
    (4, 3)
    """
    if not hasattr(estimator, "fit"):
        raise TypeError(
            f"`estimator` must be an estimator with a `fit` method. Got "
            f"{type(estimator).__name__} instead."
        )
    pruners = _check_pruners(pruners)
    keeps = _check_keep(keep)
    n_repeats = _check_int(n_repeats, "n_repeats", 1)
    verbose = _check_int(verbose, "verbose", 0)
    if isinstance(scoring, (list, tuple, set, dict)):
        raise ValueError(
            f"`scoring` must be a single score (a name, a callable or None). Got "
            f"{type(scoring).__name__} {scoring!r}."
        )
    scorer = check_scoring(estimator, scoring=scoring)
    if y is not None and n_rows(y) != n_rows(X):
        raise ValueError(
            f"`X` and `y` have different numbers of rows: {n_rows(X)} and {n_rows(y)}."
        )
    classes = _check_per_class(per_class, estimator, y)
    plan = _plan(
        estimator, pruners, X, y, keeps, cv, n_repeats, check_random_state(random_state)
    )
    if verbose:
        n_total = len(plan.splits)
        print(
            f"[pruning_curve] {n_total} splits x {len(plan.groups)} metrics, then "
            f"{len(plan.curves)} curves x {len(keeps)} sizes + the full training "
            f"fold: {n_total * (len(plan.curves) * len(keeps) + 1)} fits",
            flush=True,
        )
    parallel = Parallel(n_jobs=n_jobs, verbose=max(0, verbose - 1))
    out = _run(plan, estimator, X, y, scorer, classes, parallel, verbose)
    full, test_scores, recall, full_recall = _collect(plan, out, classes)
    return PruningCurveResult(
        keep=keeps,
        names=list(plan.curves),
        baselines=plan.baselines,
        test_scores=test_scores,
        full_scores=full,
        n_kept=plan.n_kept,
        n_train=np.array([train.shape[0] for train, _ in plan.splits]),
        n_repeats=n_repeats,
        score_name=_score_name(estimator, scoring),
        pruners=pruners,
        classes=classes,
        class_recall=recall,
        full_class_recall=full_recall,
    )


def _check_per_class(per_class, estimator, y):
    """The sorted classes when per-class recall is asked for, else None."""
    if not isinstance(per_class, (bool, np.bool_)):
        raise TypeError(f"`per_class` must be a bool. Got {per_class!r} instead.")
    if not per_class:
        return None
    labels = _as_labels(y)
    if (
        not is_classifier(estimator)
        or labels is None
        or type_of_target(labels, input_name="y") not in ("binary", "multiclass")
    ):
        raise ValueError(
            "`per_class=True` needs a classifier and class labels `y` (binary or "
            "multiclass): recall is measured per class."
        )
    return np.unique(labels)

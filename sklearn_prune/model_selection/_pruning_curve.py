"""pruning_curve: cross-validated score against the fraction of training rows kept."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import time
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

from .._arrays import n_rows, take_rows
from .._random import RandomPruner
from .._seeding import draw_seed, draw_seeds
from .._selection import check_budget, class_codes, n_kept, select_indices
from ..base import BasePruner

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

    Attributes
    ----------
    keep, names, baselines, test_scores, full_scores, n_kept, n_train, \
n_repeats, score_name, pruners
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
    ):
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
            ``fold``, ``split`` and ``score``.

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
                }
            )
        )
        frame = pd.concat(parts, ignore_index=True)
        frame["fraction"] = frame["n_kept"] / frame["n_train"]
        frame["repeat"] = frame["split"] // n_folds
        frame["fold"] = frame["split"] % n_folds
        columns = ["curve", "kind", "baseline", "keep", "n_kept", "n_train"]
        columns += ["fraction", "repeat", "fold", "split", "score"]
        return frame[columns]


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


# -- the work ------------------------------------------------------------------
def _fold_scores(pruner, X, y, train, seed, label, verbose):
    """Difficulty scores of the rows of one training fold."""
    start = time.perf_counter()
    neutral = dict(keep=1.0, strategy="hard", drop_hardest=0.0, class_balance=False)
    fitted = clone(pruner).set_params(random_state=seed, **neutral)
    fitted.fit(take_rows(X, train), None if y is None else take_rows(y, train))
    if verbose:
        print(
            f"[pruning_curve] {label}: scored {train.shape[0]} rows in "
            f"{time.perf_counter() - start:.2f} s",
            flush=True,
        )
    return fitted.scores_


def _fit_kept(estimator, X, y, train, test, scorer, kept):
    X_train = take_rows(X, train)
    y_train = None if y is None else take_rows(y, train)
    if kept is not None:
        X_train = take_rows(X_train, kept)
        y_train = None if y_train is None else take_rows(y_train, kept)
    est = clone(estimator)
    est.fit(X_train) if y_train is None else est.fit(X_train, y_train)
    y_test = None if y is None else take_rows(y, test)
    score = scorer(est, take_rows(X, test), y_test)
    if not isinstance(score, (Real, np.number)):
        raise ValueError(
            f"`scoring` must give one number per fit. Got {type(score).__name__} "
            f"({score!r}); pass a single metric."
        )
    return float(score)


def _curve(estimator, X, y, train, test, scorer, scores, policy, keeps, seed):
    """Test scores of ``estimator`` trained on the rows ``policy`` keeps, per keep."""
    y_train = None if y is None else _as_labels(take_rows(y, train))
    out = []
    for keep in keeps:
        kept = select_indices(scores, keep, y=y_train, random_state=seed, **policy)
        out.append(_fit_kept(estimator, X, y, train, test, scorer, kept))
    return out


def _timed_curve(label, verbose, *args):
    start = time.perf_counter()
    out = _curve(*args)
    if verbose:
        values = " ".join(f"{s:.3f}" for s in out)
        print(
            f"[pruning_curve] {label}: {values} ({time.perf_counter() - start:.2f} s)",
            flush=True,
        )
    return out


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
    rng = check_random_state(random_state)
    splits, n_folds = _splits(cv, X, y, estimator, n_repeats, draw_seed(rng))
    n_train = np.array([train.shape[0] for train, _ in splits])
    labels = _as_labels(y)

    # every curve, its matched random baseline, and who shares scores with whom
    balanced = {name: p._balances_classes(labels) for name, p in pruners.items()}
    kinds = sorted(set(balanced.values()))
    baseline_names = {
        b: (_RANDOM_BALANCED if b and len(kinds) > 1 else _RANDOM) for b in kinds
    }
    curves = dict(pruners)
    for b in kinds:
        curves[baseline_names[b]] = RandomPruner(class_balance=b)
    baselines = {name: baseline_names[b] for name, b in balanced.items()}
    baselines.update({n: n for n in baseline_names.values()})
    balanced.update({baseline_names[b]: b for b in kinds})
    groups: dict[tuple, list[str]] = {}
    for name, pruner in curves.items():
        groups.setdefault(_scoring_key(pruner), []).append(name)
    group_of = {name: g for g, names in enumerate(groups.values()) for name in names}

    # budgets: fail before any metric is computed
    smallest = int(n_train.min())
    for value in keeps:
        if isinstance(value, Integral) and value > smallest:
            raise ValueError(
                f"`keep`={value} rows is more than the smallest training fold "
                f"holds ({smallest} rows). Use smaller counts or fractions."
            )
    n_kept_table = np.array([[n_kept(k, n) for n in n_train] for k in keeps])
    for name, pruner in curves.items():
        for train, _ in splits:
            if balanced[name]:
                counts = np.bincount(class_codes(labels[train])[1])
            else:
                counts = np.array([train.shape[0]])
            try:
                for value in keeps:
                    check_budget(value, counts, pruner.drop_hardest)
            except ValueError as exc:
                raise ValueError(f"pruners[{name!r}]: {exc}") from exc

    seeds = draw_seeds(rng, len(splits) * len(groups)).reshape(len(splits), -1)
    parallel = Parallel(n_jobs=n_jobs, verbose=max(0, verbose - 1))
    n_total = len(splits)
    if verbose:
        print(
            f"[pruning_curve] {n_total} splits x {len(groups)} metrics, then "
            f"{len(curves)} curves x {len(keeps)} sizes + the full training fold: "
            f"{n_total * (len(curves) * len(keeps) + 1)} fits",
            flush=True,
        )

    group_list = list(groups.values())
    scores = parallel(
        delayed(_fold_scores)(
            curves[names[0]],
            X,
            y,
            train,
            int(seeds[s, g]),
            f"split {s + 1}/{n_total}, metric of {names}",
            verbose,
        )
        for s, (train, _) in enumerate(splits)
        for g, names in enumerate(group_list)
    )

    names = list(curves)
    jobs = []
    for s, (train, test) in enumerate(splits):
        jobs.append(
            delayed(_fit_kept)(estimator, X, y, train, test, scorer, None),
        )
        for name in names:
            g = group_of[name]
            pruner = curves[name]
            policy = dict(
                strategy=pruner.strategy,
                drop_hardest=pruner.drop_hardest,
                n_strata=pruner.n_strata,
                class_balance=balanced[name],
            )
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
                    scores[s * len(group_list) + g],
                    policy,
                    list(keeps),
                    int(seeds[s, g]),
                )
            )
    out = parallel(jobs)
    per_split = len(names) + 1
    full = np.array([out[s * per_split] for s in range(n_total)])
    test_scores = {
        name: np.array(
            [out[s * per_split + 1 + c] for s in range(n_total)], dtype=float
        ).T
        for c, name in enumerate(names)
    }
    return PruningCurveResult(
        keep=keeps,
        names=names,
        baselines=baselines,
        test_scores=test_scores,
        full_scores=full,
        n_kept=n_kept_table,
        n_train=n_train,
        n_repeats=n_repeats,
        score_name=_score_name(estimator, scoring),
        pruners=pruners,
    )

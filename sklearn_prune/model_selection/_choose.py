"""choose_policy: a small cross-validated pilot that picks a pruning policy."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target

from .._arrays import cut_per_row_init, n_rows, take_rows
from .._random import RandomPruner
from .._seeding import draw_seed
from ..base import BasePruner
from ._pruning_curve import PruningCurveResult, pruning_curve

__all__ = ["DEFAULT_CANDIDATES", "PolicyChoice", "choose_policy"]

#: the policies :func:`choose_policy` tries by default (parameters of the pruner)
DEFAULT_CANDIDATES = {
    "defaults": {},
    "stratified, no drop": {"strategy": "stratified", "drop_hardest": 0.0},
    "stratified, drop 10%": {"strategy": "stratified", "drop_hardest": 0.1},
    "stratified, difficulty quotas": {"class_balance": "difficulty"},
    "stratified, no quotas": {"class_balance": "none"},
    "keep hard": {"strategy": "hard"},
    "keep hard, drop 10%": {"strategy": "hard", "drop_hardest": 0.1},
    "keep easy": {"strategy": "easy"},
    "moderate": {"strategy": "moderate"},
}


class PolicyChoice:
    """The outcome of :func:`choose_policy`: the winner, its margin, the table.

    Parameters
    ----------
    name : str
        The winning candidate, or ``"random"`` when random pruning is best.
    params : dict or None
        The winner's parameters (set on the pruner), None for random.
    pruner : pruner
        The pruner to use: the given one with the winner's parameters and
        the user's ``keep``, or a :class:`~sklearn_prune.RandomPruner`.
    margin : float
        Mean paired difference between the winner and random pruning at the
        same size (0 for random itself).
    margin_std : float
        Its standard deviation over the pilot's splits.
    table : pandas.DataFrame
        Every candidate, best first: ``curve``, ``mean`` (mean pilot score),
        ``difference`` and ``difference_std`` (to random), ``wins`` and
        ``losses`` (splits above or below random).
    result : PruningCurveResult
        The pilot's pruning curve.

    Attributes
    ----------
    name, params, pruner, margin, margin_std, table, result
        The parameters, stored as given.
    random_is_best : bool
        Whether no candidate scored above random pruning on average.

    See Also
    --------
    choose_policy : Run the pilot and make the choice.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_prune import PrototypePruner
    >>> from sklearn_prune.model_selection import choose_policy
    >>> X, y = load_iris(return_X_y=True)
    >>> choice = choose_policy(LogisticRegression(max_iter=500),
    ...                        PrototypePruner(n_clusters=3), X, y, keep=0.5,
    ...                        candidates={"keep easy": dict(strategy="easy")},
    ...                        random_state=0)
    >>> choice.name in ("keep easy", "random")
    True
    >>> choice.pruner.keep
    0.5
    """

    def __init__(self, *, name, params, pruner, margin, margin_std, table, result):
        self.name = name
        self.params = params
        self.pruner = pruner
        self.margin = margin
        self.margin_std = margin_std
        self.table = table
        self.result = result

    @property
    def random_is_best(self) -> bool:
        """Whether random pruning scored best in the pilot."""
        return self.params is None

    def __repr__(self) -> str:
        if self.random_is_best:
            return (
                "PolicyChoice: random pruning is the best choice here: no "
                "candidate scored above it on average in the pilot."
            )
        clear = abs(self.margin) > self.margin_std
        return (
            f"PolicyChoice: {self.name!r} {self.params}, {self.margin:+.4f} over "
            f"random pruning (spread over splits {self.margin_std:.4f}"
            f"{'' if clear else '; within the spread: little evidence'})."
        )


def _check_candidates(candidates, pruner) -> dict:
    if candidates is None:
        return dict(DEFAULT_CANDIDATES)
    if not isinstance(candidates, dict) or not candidates:
        raise TypeError(
            f"`candidates` must be a non-empty dict mapping names to dicts of "
            f"pruner parameters. Got {candidates!r}."
        )
    valid = set(pruner.get_params(deep=False))
    for name, params in candidates.items():
        if not isinstance(params, dict) or set(params) - valid:
            raise ValueError(
                f"`candidates[{name!r}]` must be a dict of parameters of "
                f"{type(pruner).__name__} ({sorted(valid)}). Got {params!r}."
            )
    return dict(candidates)


def _pilot_rows(X, y, estimator, max_samples, rng) -> np.ndarray | None:
    """At most ``max_samples`` rows, stratified by class for a classifier."""
    n_samples = n_rows(X)
    if max_samples >= n_samples:
        return None
    if (
        is_classifier(estimator)
        and y is not None
        and type_of_target(y, input_name="y") in ("binary", "multiclass")
    ):
        from sklearn.model_selection import StratifiedShuffleSplit

        split = StratifiedShuffleSplit(
            1, train_size=max_samples, random_state=draw_seed(rng)
        )
        rows, _ = next(split.split(np.zeros((n_samples, 1)), y))
        return np.sort(rows)
    return np.sort(rng.choice(n_samples, max_samples, replace=False))


def choose_policy(
    estimator,
    pruner,
    X,
    y=None,
    *,
    keep,
    candidates=None,
    metric: str = "score",
    max_samples: int = 5000,
    cv=3,
    n_repeats: int = 2,
    scoring=None,
    n_jobs: int | None = None,
    random_state=None,
) -> PolicyChoice:
    """Pick the selection policy that pays most for this pruner, learner and data.

    A small pilot :func:`pruning_curve` at your ``keep`` only: on at most
    ``max_samples`` rows, cross-validated (``n_repeats`` times ``cv``
    folds), every candidate policy (a dict of the pruner's parameters) is
    compared with random pruning at the same size, on the same splits. The
    winner is the candidate with the highest mean score; random pruning is a
    candidate too, and when it scores best the choice says so plainly (then
    use :class:`~sklearn_prune.RandomPruner`, or no pruning at all).

    The pilot is small on purpose: read the margin next to its spread
    before trusting a winner, and prefer the defaults when the margin is
    within the spread.

    Read more in the :ref:`User Guide <ug_choosing_policy>`.

    Parameters
    ----------
    estimator : estimator with ``fit``
        The model trained on the kept rows.
    pruner : pruner
        The pruner whose policy is chosen (its difficulty scores are
        computed once per split and shared by every candidate).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data.
    y : array-like of shape (n_samples,), default=None
        Targets.
    keep : float or int
        The kept size you intend to use: a fraction in (0, 1] or a row count
        (counted in the pilot's training folds).
    candidates : dict of str to dict, default=None
        Candidate policies by name, each a dict of the pruner's parameters
        (``strategy``, ``drop_hardest``, ``class_balance``, ...). None tries
        :data:`DEFAULT_CANDIDATES`: the defaults, stratified without and
        with dropping the hardest 10% (one of them is the pruner's default),
        with class quotas by difficulty and without quotas, keep-hard with
        and without dropping the hardest 10%, keep-easy and moderate.
    metric : {"score", "worst_class"}, default="score"
        What the winner maximises: the test score, or the worst class's
        recall (classifiers).
    max_samples : int, default=5000
        Rows of the pilot at most (drawn at random, stratified by class for
        a classifier).
    cv : int, cross-validation generator or iterable, default=3
        As in :func:`pruning_curve`.
    n_repeats : int, default=2
        Repetitions of the cross-validation.
    scoring : str, callable or None, default=None
        As in :func:`pruning_curve`.
    n_jobs : int, default=None
        As in :func:`pruning_curve`.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsample, the folds and the pruners.

    Returns
    -------
    choice : PolicyChoice
        The winner (``choice.pruner`` is ready to use), its margin over
        random pruning with its spread, and the table of every candidate.

    See Also
    --------
    pruning_curve : The full picture, at every kept size.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_prune import PrototypePruner
    >>> from sklearn_prune.model_selection import choose_policy
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)  # prototypes compare by cosine
    >>> model = LogisticRegression()
    >>> choice = choose_policy(model, PrototypePruner(), X, y, keep=0.3,
    ...                        candidates={"defaults": dict(),
    ...                                    "keep hard": dict(strategy="hard")},
    ...                        random_state=0)
    >>> bool(choice.table["curve"].isin(["defaults", "keep hard", "random"]).all())
    True
    """
    if not isinstance(pruner, BasePruner):
        raise TypeError(
            f"`pruner` must be a pruner (a sklearn_prune.BasePruner). Got "
            f"{type(pruner).__name__} instead."
        )
    if isinstance(max_samples, (bool, np.bool_)) or not isinstance(
        max_samples, Integral
    ):
        raise TypeError(f"`max_samples` must be an int. Got {max_samples!r}.")
    if not isinstance(keep, (Integral, Real)) or isinstance(keep, (bool, np.bool_)):
        raise TypeError(f"`keep` must be a float or an int. Got {keep!r}.")
    candidates = _check_candidates(candidates, pruner)
    rng = check_random_state(random_state)
    rows = _pilot_rows(X, y, estimator, max(2, int(max_samples)), rng)
    pilot = pruner
    if rows is not None:
        pilot = clone(pruner).set_params(**cut_per_row_init(pruner, rows, n_rows(X)))
        X, y = take_rows(X, rows), None if y is None else take_rows(y, rows)
    pruners = {name: clone(pilot).set_params(**p) for name, p in candidates.items()}
    result = pruning_curve(
        estimator,
        pruners,
        X,
        y,
        keep=[keep],
        cv=cv,
        scoring=scoring,
        n_repeats=n_repeats,
        per_class=metric == "worst_class",
        n_jobs=n_jobs,
        random_state=draw_seed(rng),
    )
    return _decide(result, pruner, candidates, keep, metric)


def _decide(result: PruningCurveResult, pruner, candidates, keep, metric):
    """The best curve by mean value; random wins ties (it is the simpler choice)."""
    table = result.summary(metric)
    table["is_random"] = table["curve"] == table["baseline"]
    table = table.sort_values(
        ["mean", "is_random"], ascending=[False, False], kind="stable"
    ).reset_index(drop=True)
    best = table.iloc[0]
    columns = ["curve", "baseline", "mean", "difference", "difference_std"]
    table = table[columns + ["wins", "losses"]]
    if best["is_random"] or best["difference"] <= 0:
        return PolicyChoice(
            name="random",
            params=None,
            pruner=RandomPruner(keep=keep, random_state=pruner.random_state),
            margin=0.0,
            margin_std=0.0,
            table=table,
            result=result,
        )
    params = candidates[best["curve"]]
    return PolicyChoice(
        name=best["curve"],
        params=params,
        pruner=clone(pruner).set_params(keep=keep, **params),
        margin=float(best["difference"]),
        margin_std=float(best["difference_std"]),
        table=table,
        result=result,
    )

"""ScorePruner: prune with difficulty scores computed elsewhere."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np

from ._arrays import check_not_lazy, drop_column, n_rows, take_rows
from ._compat import _fit_context
from ._docstring import fill_doc
from .base import BasePruner

__all__ = ["ScorePruner"]


@fill_doc
class ScorePruner(BasePruner):
    """Prune with difficulty scores computed elsewhere (higher = harder).

    Scores from another tool, a previous run or a paper's released files
    (e.g. per-example scores published for ImageNet) select rows with the same
    contract as every pruner: ``keep``, ``strategy`` and its policies,
    ``class_balance``, exact counts, reproducible ties. Higher scores must mean
    harder rows; negate scores of the opposite orientation.

    Loading saved scores is one line (``.npy``, ``.csv`` or ``.parquet``, the
    latter needing pyarrow)::

        ScorePruner(scores=np.load("scores.npy"), keep=0.5)
        ScorePruner(scores=pd.read_csv("scores.csv")["score"].to_numpy(), keep=0.5)
        ScorePruner(scores=pd.read_parquet("scores.parquet")["score"], keep=0.5)

    Read more in the :ref:`User Guide <ug_dedup>`.

    Parameters
    ----------
    scores : array-like, callable or str
        The difficulty of every row:

        - an array-like of shape (n_samples,), one score per row of ``X`` in
          order. A pandas Series is aligned with a pandas ``X`` by index
          (``scores.loc[X.index]``), so one Series for a whole data set
          works inside cross-validation, where each fold is a subset;
          otherwise it is read by position;
        - a callable ``scores(X, y) -> array`` called in ``fit`` with the
          validated ``X`` (a numpy array, a sparse matrix, or the text rows)
          and ``y``;
        - a column name of a pandas or polars DataFrame ``X``: that column
          holds the scores and is not passed on: ``fit`` validates and counts
          the other columns (``n_features_in_``, ``feature_names_in_``) and
          ``fit_resample`` returns the kept rows without it.

        The scores are copied in ``fit``. Integer scores beyond 2**53, which
        float64 cannot all tell apart, are selected by their exact order
        (``scores_`` holds them as float64). Complex scores are refused.

    {{keep}}

    {{policy}}

    {{class_balance}}

    {{random_state}}

    Attributes
    ----------
    {{fitted}}

    See Also
    --------
    select_indices : The selection function itself, on a scores array.
    OraclePruner : Scores from a known teacher.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn_prune import ScorePruner
    >>> X = np.arange(12.0).reshape(6, 2)
    >>> difficulty = np.array([0.9, 0.1, 0.5, 0.7, 0.2, 0.3])
    >>> ScorePruner(scores=difficulty, keep=3, strategy="hard").fit(X).sample_indices_
    array([0, 2, 3])

    A column of a DataFrame, not passed on:

    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "loss": [0.3, 2.0, 0.1, 1.5]})
    >>> X_kept, _ = ScorePruner(scores="loss", keep=2, strategy="hard").fit_resample(df)
    >>> X_kept
         x
    1  2.0
    3  4.0
    """

    _parameter_constraints: dict = {
        **BasePruner._parameter_constraints,
        "scores": ["array-like", callable, str],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def __init__(
        self,
        *,
        scores,
        keep=0.5,
        strategy="stratified",
        drop_hardest="auto",
        n_strata=50,
        class_balance="auto",
        random_state=None,
    ):
        super().__init__(
            keep=keep,
            strategy=strategy,
            drop_hardest=drop_hardest,
            n_strata=n_strata,
            class_balance=class_balance,
            random_state=random_state,
        )
        self.scores = scores

    def _accepts_text(self) -> bool:
        return True  # rows are never looked at: any text may be pruned

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **params):
        """Check the given scores against ``X`` and choose the rows to keep.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data: numeric rows (a pandas DataFrame, possibly holding
            the ``scores`` column) or text rows.
        y : array-like of shape (n_samples,), default=None
            Targets, needed with ``class_balance=True``.
        **params : dict
            Not accepted; present for the pruner interface.

        Returns
        -------
        self : object
            Fitted pruner with ``scores_`` and ``sample_indices_``.
        """
        X_rest, self._given_scores = self._split_scores(X)
        try:
            return super().fit(X_rest, y, **params)
        finally:
            del self._given_scores
            self.__dict__.pop("_exact_scores", None)

    def fit_resample(self, X, y=None, **params):
        """Fit the pruner and return the kept rows (without a ``scores`` column).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,), default=None
            Targets.
        **params : dict
            Not accepted; present for the pruner interface.

        Returns
        -------
        X_kept : same type as X, of shape (n_kept, ...)
            The kept rows, in their original order and in the type of ``X``;
            a DataFrame loses the ``scores`` column when ``scores`` names one.
        y_kept : same type as y, of shape (n_kept,), or None
            The matching targets, or None when ``y`` is None.
        """
        self.fit(X, y, **params)
        if isinstance(self.scores, str):
            X = drop_column(X, self.scores)
        idx = self.sample_indices_
        return take_rows(X, idx), (None if y is None else take_rows(y, idx))

    def _split_scores(self, X):
        """``X`` without a scores column, and the scores known before validation."""
        scores = self.scores
        check_not_lazy(X, name="X")
        if isinstance(scores, str):
            if not hasattr(X, "columns"):
                raise ValueError(
                    f"`scores`={scores!r} names a column, but X is a "
                    f"{type(X).__name__}, not a pandas or polars DataFrame. Pass "
                    f"a DataFrame with that column, or the scores themselves."
                )
            if scores not in X.columns:
                raise ValueError(
                    f"`scores`={scores!r} is not a column of X. Columns: "
                    f"{list(X.columns)}."
                )
            return drop_column(X, scores), _as_scores(X[scores])
        if callable(scores):
            return X, None
        if type(scores).__name__ == "Series" and hasattr(X, "index"):
            missing = ~X.index.isin(scores.index)
            if missing.any():
                raise ValueError(
                    f"`scores` is a pandas Series without a value for "
                    f"{int(missing.sum())} row(s) of X (index labels "
                    f"{list(X.index[missing][:5])}...). Its index must cover X's."
                )
            scores = scores.loc[X.index]
        return X, _as_scores(scores)

    def _compute_scores(self, X, y, rng, **params):
        scores = self._given_scores
        if scores is None:
            scores = _as_scores(self.scores(X, y))
        n = n_rows(X)
        if scores.shape[0] != n:
            raise ValueError(
                f"`scores` has {scores.shape[0]} values but X has {n} rows; give "
                f"one score per row."
            )
        bad = np.flatnonzero(~np.isfinite(scores.astype(np.float64, copy=False)))
        if bad.size:
            raise ValueError(
                f"`scores` contains NaN or infinity ({bad.size} values, first at "
                f"row {bad[0]}); every row needs a finite score."
            )
        self._exact_scores = scores if scores.dtype.kind in "iu" else None
        return np.asarray(scores, dtype=np.float64)

    def _uninformative_hint(self) -> str:
        return (
            "the given `scores` are (nearly) constant; check that they are one "
            "difficulty per row, in the order of X's rows"
        )

    def _select(self, scores, y, rng):
        # integers that float64 would merge are ranked by their exact order
        exact = getattr(self, "_exact_scores", None)
        return super()._select(scores if exact is None else _exact_keys(exact), y, rng)


#: integers beyond this magnitude may share a float64 value with a neighbour
_FLOAT64_EXACT = 2**53


def _as_scores(values) -> np.ndarray:
    """A new 1-D array of the scores, or a ValueError naming ``scores``.

    float64, except for integers that float64 cannot all hold exactly
    (beyond 2**53): those stay integers, so that their order is kept.
    """
    try:
        raw = np.asarray(values)
        if raw.dtype.kind == "c":
            raise ValueError(
                f"`scores` must hold real numbers; got complex values (dtype "
                f"{raw.dtype}). Pass the real part or the modulus (np.abs)."
            )
        if (
            raw.dtype.kind in "iu"
            and raw.size
            and (raw.max() > _FLOAT64_EXACT or raw.min() < -_FLOAT64_EXACT)
        ):
            scores = raw.copy()
        else:  # always a copy: the caller may change its array after fit
            scores = np.array(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        if "`scores`" in str(exc):
            raise
        raise ValueError(f"`scores` must hold numbers: {exc}") from None
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores.ravel()
    if scores.ndim != 1:
        raise ValueError(
            f"`scores` must be 1-D, one score per row. Got shape {scores.shape}."
        )
    return scores


def _exact_keys(scores: np.ndarray) -> np.ndarray:
    """float64 keys that order integer ``scores`` exactly.

    The scores minus their minimum (computed exactly) when that spread fits
    float64's integers, which keeps every policy's arithmetic (strata, the
    median) up to a shift; their ranks otherwise.
    """
    shifted = scores.astype(np.uint64) - scores.min().astype(np.uint64)
    if shifted.max() <= _FLOAT64_EXACT:
        return shifted.astype(np.float64)
    return np.unique(scores, return_inverse=True)[1].astype(np.float64).ravel()

"""Label-noise aware pruning: suspected mislabeled rows and the noise rate.

The estimate is confident learning's (Northcutt, Jiang and Chuang, 2021, the
method behind cleanlab): per-class thresholds on the predicted probability
of each class, the confident joint of given and likely true labels,
calibrated to the label counts. One shared helper (:class:`LabelNoiseMixin`)
gives pruners the fitted attributes ``label_issues_`` and ``noise_rate_``,
and the options to remove the suspected rows before the policy runs and to
set ``drop_hardest`` from the estimated noise rate.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import TypeVar

import numpy as np

from ._arrays import n_rows
from ._compat import Interval, StrOptions
from ._docstring import _SHARED, fill_doc
from ._selection import class_codes, n_kept

__all__ = ["LabelNoiseMixin", "fill_noise_doc", "find_label_issues"]

T = TypeVar("T")

#: cleanlab's slack on the per-class thresholds
_THRESHOLD_SLACK = 1e-6


#: how label issues are found (cleanlab's ``filter_by`` names)
NOISE_METHODS = ("confident_learning", "predicted_neq_given")


def find_label_issues(
    y, pred_probs, *, method: str = "confident_learning"
) -> tuple[np.ndarray, float]:
    """Rows whose label is likely wrong, and the estimated fraction of them.

    ``method="confident_learning"`` (Northcutt et al., 2021) is what cleanlab
    computes with ``filter_by="confident_learning"``:

    1. the threshold of class ``k`` is the mean predicted probability of
       ``k`` over the rows labelled ``k``;
    2. a row's likely true class is the class of highest probability among
       those at or above their threshold (rows above no threshold are not
       counted);
    3. counted rows whose likely class differs from their label are the
       suspected label issues;
    4. the confident joint (given label x likely class counts) is calibrated
       so that each label's row sums to that label's count; the noise rate is
       its off-diagonal share.

    ``method="predicted_neq_given"`` flags the rows whose most probable class
    is not their label, and the noise rate is their share (cleanlab's
    ``filter_by="predicted_neq_given"``): it counts hard rows that are
    labelled right as well, so it errs on the high side, which costs little
    when the rate sets ``drop_hardest`` (see the User Guide).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Given class labels (any labels; or one-hot rows).
    pred_probs : array-like of shape (n_samples, n_classes)
        Predicted probabilities, columns in the order of the sorted classes
        (cleanlab's convention). Out-of-fold predictions (such as those of
        :func:`sklearn.model_selection.cross_val_predict` with
        ``method="predict_proba"``) give honest estimates; in-sample ones
        of a model that fits the noise find fewer issues.
    method : {"confident_learning", "predicted_neq_given"}, \
default="confident_learning"
        How the rows are found.

    Returns
    -------
    label_issues : ndarray of shape (n_samples,), dtype=bool
        Whether each row is a suspected label issue.
    noise_rate : float
        Estimated fraction of rows whose label is wrong.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune import find_label_issues
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> pred_probs = np.array([[.9, .1], [.8, .2], [.1, .9],
    ...                        [.2, .8], [.1, .9], [.3, .7]])
    >>> issues, rate = find_label_issues(y, pred_probs)
    >>> issues.nonzero()[0], round(rate, 3)
    (array([2]), 0.167)
    """
    classes, codes = class_codes(y)
    proba = np.asarray(pred_probs, dtype=np.float64)
    n_classes = classes.shape[0]
    if proba.ndim != 2 or proba.shape[0] != codes.shape[0]:
        raise ValueError(
            f"`pred_probs` must have shape (n_samples, n_classes) = "
            f"({codes.shape[0]}, n_classes). Got {proba.shape} instead."
        )
    if proba.shape[1] < n_classes:
        raise ValueError(
            f"`pred_probs` has {proba.shape[1]} columns but `y` holds "
            f"{n_classes} classes; give one column per class, in sorted order."
        )
    if not np.all(np.isfinite(proba)):
        raise ValueError("`pred_probs` contains NaN or infinity.")
    if method not in NOISE_METHODS:
        raise ValueError(
            f"`method` must be one of {NOISE_METHODS}. Got {method!r} instead."
        )
    if method == "predicted_neq_given":
        label_issues = proba.argmax(axis=1) != codes
        return label_issues, float(label_issues.mean())
    n_cols = proba.shape[1]
    counts = np.bincount(codes, minlength=n_cols)
    sums = np.bincount(
        codes, weights=proba[np.arange(codes.shape[0]), codes], minlength=n_cols
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        # a class without rows is never confident
        thresholds = np.where(counts > 0, sums / np.maximum(counts, 1), np.inf)
    confident = proba >= thresholds - _THRESHOLD_SLACK
    n_confident = confident.sum(axis=1)
    guess = np.where(
        n_confident > 1,
        np.where(confident, proba, -np.inf).argmax(axis=1),
        proba.argmax(axis=1),
    )
    counted = n_confident > 0
    label_issues = counted & (guess != codes)
    joint = np.zeros((n_cols, n_cols))
    np.add.at(joint, (codes[counted], guess[counted]), 1.0)
    # calibrate: each given label's row sums to that label's count
    joint *= (counts / np.maximum(joint.sum(axis=1), 1.0))[:, None]
    total = joint.sum()
    noise_rate = 0.0 if total == 0 else float(1.0 - np.trace(joint) / total)
    return label_issues, noise_rate


_NOISE_DOC = """drop_mislabeled : bool, default=False
        Remove the suspected mislabeled rows (``label_issues_``) before the
        policy runs: ``keep`` still counts every row, the kept rows are
        chosen among the others.

    pred_probs : array-like of shape (n_samples, n_classes), default=None
        Out-of-fold predicted probabilities (cleanlab's ``pred_probs``,
        columns in the order of the sorted classes) to estimate label noise
        from. None uses
        {{noise_source}}.

    label_noise : {"predicted_neq_given", "confident_learning"}, \
default="predicted_neq_given"
        How ``label_issues_`` and ``noise_rate_`` are estimated from the
        probabilities (see :func:`find_label_issues`): the rows whose most
        probable class is not their label, or confident learning's
        estimate (cleanlab's). Confident learning flags fewer rows, nearly
        all of them mislabeled, and underestimates the rate a little; the
        default errs on the high side, which measured better for
        ``drop_hardest="noise_rate"`` and ``drop_mislabeled`` (under-removal
        leaves mislabeled rows at the hard end of the scores, where the
        policies draw from; see the User Guide)."""

_NOISE_ATTRS = """label_issues_ : ndarray of shape (n_samples,), dtype=bool
        Suspected mislabeled rows (confident learning, see
        :func:`find_label_issues`).

    noise_rate_ : float
        Estimated fraction of mislabeled rows; the value of
        ``drop_hardest="noise_rate"``."""

#: the shared policy text, with drop_hardest="noise_rate"
_POLICY_DOC = "\n\n    ".join(
    [
        _SHARED["strategy"],
        _SHARED["drop_hardest"].replace(
            'drop_hardest : float in [0, 1) or "auto", default="auto"',
            'drop_hardest : float in [0, 1), "auto" or "noise_rate", default="auto"',
        )
        + """
        ``"noise_rate"`` uses the estimated noise rate (``noise_rate_``, at
        most what ``keep`` leaves), so that CCS's beta need not be set by
        hand.""",
        _SHARED["n_strata"],
    ]
)


def fill_noise_doc(source: str) -> Callable[[T], T]:
    """``fill_doc``, plus the label-noise parameters and attributes.

    ``source`` says where the pruner's own probabilities come from.
    """

    def decorate(cls: T) -> T:
        cls.__doc__ = (
            cls.__doc__.replace("{{noise}}", _NOISE_DOC)
            .replace("{{noise_source}}", source)
            .replace("{{noise_attrs}}", _NOISE_ATTRS)
            .replace("{{policy}}", _POLICY_DOC)
        )
        return fill_doc(cls)

    return decorate


def noise_rate_drop(noise_rate: float, keep, n_samples: int) -> float:
    """``drop_hardest="noise_rate"`` resolved: the rate, at most what ``keep`` leaves.

    Parameters
    ----------
    noise_rate : float
        The estimated share of mislabeled rows.
    keep : float or int
        The budget, as in :func:`~sklearn_prune._selection.n_kept`.
    n_samples : int
        Rows the budget counts.

    Returns
    -------
    fraction : float
    """
    return min(noise_rate, 1.0 - n_kept(keep, n_samples) / n_samples)


def without_suspects(label_issues: np.ndarray, keep) -> tuple:
    """Rows left once the suspected mislabeled ones are gone, and how many to keep.

    The count still refers to every row (``keep`` of all of them).

    Parameters
    ----------
    label_issues : ndarray of bool of shape (n_samples,)
        The suspected mislabeled rows.
    keep : float or int
        The budget, as in :func:`~sklearn_prune._selection.n_kept`.

    Returns
    -------
    rows : ndarray of int
        Positions of the rows not suspected.
    count : int
        Rows to keep among them.

    Raises
    ------
    ValueError
        When fewer rows remain than ``keep`` asks for.
    """
    rows = np.flatnonzero(~label_issues)
    count = n_kept(keep, label_issues.shape[0])
    if count > rows.shape[0]:
        raise ValueError(
            f"`keep`={keep!r} asks for {count} rows, but only "
            f"{rows.shape[0]} remain after `drop_mislabeled` removes the "
            f"{label_issues.shape[0] - rows.shape[0]} suspected mislabeled rows. "
            f"Lower `keep`, or set drop_mislabeled=False."
        )
    return rows, count


class LabelNoiseMixin:
    """Options of a pruner that estimates label noise before selecting rows.

    A pruner using it (left of :class:`BasePruner` in its bases) stores the
    probabilities it computed while scoring in ``self._noise_proba`` (rows x
    sorted classes), or None; ``pred_probs`` given by the user take their
    place. Its parameters ``drop_mislabeled`` and ``pred_probs``, and
    ``drop_hardest="noise_rate"``, are then handled here.
    """

    _noise_constraints: dict = {
        "drop_hardest": [
            Interval(Real, 0, 1, closed="left"),
            StrOptions({"auto", "noise_rate"}),
        ],
        "drop_mislabeled": ["boolean"],
        "pred_probs": ["array-like", None],
        "label_noise": [StrOptions(set(NOISE_METHODS))],
    }

    def _needs_noise(self) -> bool:
        return bool(self.drop_mislabeled) or self.drop_hardest == "noise_rate"

    def _check_budget(self, X, y) -> None:
        if self.drop_hardest == "noise_rate":
            # the fraction is estimated while scoring and checked then
            n_kept(self.keep, n_rows(X))
            return
        super()._check_budget(X, y)

    def _estimate_noise(self, y) -> None:
        """Set ``label_issues_`` and ``noise_rate_`` where probabilities exist."""
        proba = getattr(self, "_noise_proba", None)
        if self.pred_probs is not None:
            proba = self.pred_probs
        if proba is None or y is None:
            if self._needs_noise():
                raise ValueError(
                    f"{type(self).__name__} cannot estimate label noise "
                    f"(drop_mislabeled={self.drop_mislabeled!r}, "
                    f"drop_hardest={self.drop_hardest!r}): it has no predicted "
                    f"probabilities. Pass out-of-fold `pred_probs` (e.g. from "
                    f"cross_val_predict(..., method='predict_proba')) and `y`."
                )
            return
        if n_rows(proba) != n_rows(y):
            raise ValueError(
                f"`pred_probs` has {n_rows(proba)} rows but X has {n_rows(y)}; "
                f"give one row of probabilities per training row."
            )
        self.label_issues_, self.noise_rate_ = find_label_issues(
            y, proba, method=self.label_noise
        )

    def _drop_fraction(self, n_samples: int, keep=None) -> float:
        """``"noise_rate"``: the estimated noise rate, at most what ``keep`` leaves."""
        if self.drop_hardest != "noise_rate":
            return super()._drop_fraction(n_samples, keep)
        keep = self.keep if keep is None else keep
        return noise_rate_drop(self.noise_rate_, keep, n_samples)

    def _select(
        self, scores: np.ndarray, y, rng: np.random.RandomState, *, keep=None
    ) -> np.ndarray:
        self._estimate_noise(y)
        self.__dict__.pop("_noise_proba", None)
        if not (self.drop_mislabeled and self.label_issues_.any()):
            return super()._select(scores, y, rng, keep=keep)
        keep = self.keep if keep is None else keep
        rows, count = without_suspects(self.label_issues_, keep)
        y_rows = None if y is None else y[rows]
        return rows[super()._select(scores[rows], y_rows, rng, keep=count)]

"""Parameter descriptions shared by every pruner's docstring."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")

_SHARED = {
    "keep": """keep : float or int, default=0.5
        Rows to keep. A float in (0, 1] is a fraction: exactly
        ``max(1, floor(keep * n_samples + 0.5))`` rows are kept (rounded half
        up). An int >= 1 is the number of rows and must not exceed
        ``n_samples``.""",
    "strategy": """strategy : {"hard", "easy"}, default="hard"
        ``"hard"`` keeps the rows with the highest scores (the hardest),
        ``"easy"`` the rows with the lowest. The paper's rule of thumb: keep
        easy rows when data is scarce, hard rows when it is abundant.""",
    "class_balance": """class_balance : bool, default=False
        If True, every class keeps the same fraction of its rows (largest
        remainder rounding keeps the total exact), so that pruning cannot
        starve a class. Needs ``y``.""",
    "random_state": """random_state : int, RandomState instance or None, default=None
        Seeds everything random in ``fit`` and breaks ties between equal
        scores. Pass an int for reproducible results.
        See :term:`Glossary <random_state>`.""",
    "n_jobs": """n_jobs : int, default=None
        Number of jobs to run in parallel. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context. ``-1`` means using all
        processors. See :term:`Glossary <n_jobs>`.""",
    "fitted": """scores_ : ndarray of shape (n_samples,)
        Difficulty of each training row; higher means harder.

    sample_indices_ : ndarray of shape (n_kept,)
        Positions of the kept rows, in ascending order.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.""",
}


def fill_doc(obj: T) -> T:
    """Replace ``{{keep}}``-style markers in ``obj.__doc__`` by the shared text."""
    doc = obj.__doc__ or ""
    for key, text in _SHARED.items():
        doc = doc.replace("{{" + key + "}}", text)
    obj.__doc__ = doc
    return obj


__all__: list[str] = ["fill_doc"]

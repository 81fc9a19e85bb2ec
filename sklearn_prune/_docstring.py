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
        ``n_samples``: ``keep=1`` keeps one row (with a warning), ``keep=1.0``
        keeps them all.""",
    "strategy": """strategy : {"stratified", "hard", "easy", "moderate"}, \
default="stratified"
        How rows are chosen from their scores. ``"stratified"`` (the
        default) is coverage-centric selection (Zheng et al., 2023): the
        score range is cut into ``n_strata`` equal-width strata and the
        budget is water-filled from the smallest stratum up, rows drawn at
        random within a stratum (a budget smaller than the number of
        non-empty strata takes one row from each of that many strata, evenly
        spaced over the score range); with ``drop_hardest="auto"`` a pruner
        whose scores read the labels first removes the hardest 10% of every
        class (often mislabelled or ambiguous rows).
        It was chosen by measurement as the default that does not lose badly
        to random pruning on real data (see the User Guide, "Defaults").
        ``"hard"`` keeps the highest scores: the paper's keep-hard, the
        data-rich choice (much data, clean labels, a large kept fraction),
        which can lose badly to random pruning with little data or noisy
        labels. ``"easy"`` keeps the lowest scores (the paper's choice when
        data is scarce). ``"moderate"`` keeps the rows whose scores are
        closest to the median (Xia et al., 2023).""",
    "drop_hardest": """drop_hardest : float in [0, 1) or "auto", default="auto"
        Fraction of the hardest rows removed before ``strategy`` applies
        (rounded down; within each class when classes have quotas).
        ``"auto"`` is 0.1 with ``strategy="stratified"`` (coverage-centric
        selection's beta; less when ``keep`` leaves less over, so that
        ``keep=1.0`` keeps every row) for pruners whose scores read the
        labels (EL2N, a teacher's margin, training dynamics, your own
        scores), 0 for label-free distances (prototypes, SemDeDup), whose
        hardest rows are atypical rather than mislabelled, and 0 with the
        other strategies, so that ``strategy="hard"`` alone is the paper's
        keep-hard. With ``"hard"``
        a float gives Data Diet's offset window (skip the very hardest,
        often mislabelled rows, keep the next hardest). ``fit`` raises a
        ``ValueError`` when fewer rows remain than ``keep`` asks for.""",
    "n_strata": """n_strata : int in [1, 10000], default=50
        Number of equal-width score strata of ``strategy="stratified"``.""",
    "class_balance": """class_balance : str, bool or dict, default="auto"
        How the budget is split over classes (the class quotas); ``strategy``
        then applies within each class. Composes with every ``strategy``.

        - ``"equal"`` (or True): every class keeps the same fraction of its
          rows (largest-remainder rounding keeps the total exact), so that
          pruning cannot starve a class.
        - ``"difficulty"``: DRoP (Vysogorets, Ahuja and Kempe, ICLR 2025,
          "Distributionally Robust Data Pruning"): each class's share of the
          budget is proportional to its error rate, measured out of fold by a
          cheap cross-validated probe (EL2N with ``cv`` reuses its own
          probes), so harder classes keep more rows; a class never keeps more
          rows than it has and the excess goes to the others. Aims at the
          worst class's accuracy, possibly at some cost in overall accuracy.
          The rates are stored in ``class_errors_``.
        - a dict ``{class: error_rate}``: ``"difficulty"`` with your own
          per-class error rates (e.g. from a validation set).
        - ``"none"`` (or False, None): no quotas; rows of every class compete
          for the whole budget.
        - ``"auto"``: ``"equal"`` when ``y`` holds class labels (binary,
          multiclass or one-hot rows), ``"none"`` otherwise (no ``y``,
          continuous values, or whole numbers with more than 20 distinct
          values and fewer than 5 rows per value, such as prices in whole
          units: pass ``"equal"`` to balance those anyway); chosen by
          measurement on real data (see the User Guide, "Defaults").

        Every rule but ``"none"`` and ``"auto"`` needs ``y`` with class
        labels.""",
    "random_state": """random_state : int, RandomState instance or None, default=None
        Seeds everything random in ``fit``, breaks ties between equal scores
        and draws rows within a stratum. Pass an int for reproducible
        results.
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
        has feature names that are all strings.

    class_errors_ : dict
        Error rate of every class, by class label, that set the class
        quotas. Defined only when ``class_balance`` is ``"difficulty"`` or a
        dict.""",
}


_SHARED["policy"] = "\n\n    ".join(
    _SHARED[key] for key in ("strategy", "drop_hardest", "n_strata")
)


def fill_doc(obj: T) -> T:
    """Replace ``{{keep}}``-style markers in ``obj.__doc__`` by the shared text."""
    doc = obj.__doc__ or ""
    for key, text in _SHARED.items():
        doc = doc.replace("{{" + key + "}}", text)
    obj.__doc__ = doc
    return obj


__all__: list[str] = ["fill_doc"]

"""Every private scikit-learn name the package uses, in one place.

scikit-learn's private helpers move between releases. Importing them here
only, and nowhere else, keeps the declared version range checkable: a move
breaks this module's imports, not the pruners. Features of newer releases are
gated here too (fit callbacks, scikit-learn >= 1.9), so that the rest of the
package runs unchanged on the whole declared range (scikit-learn >= 1.6;
CI's lowest-versions job runs the test suite on every declared floor).
Parameter-validation constraints that scikit-learn lacks are built here from
its own classes.

:class:`sklearn_prune.Pipeline` subclasses scikit-learn's Pipeline and also
relies on these of its private methods, present with the same meaning from
1.6 to 1.9: ``_iter``, ``_log_message``, ``_check_method_params``,
``_get_metadata_for_step``, ``_can_fit_transform``, ``_final_estimator`` and
``_validate_names``.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import sys
from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.pipeline import Pipeline as _SklearnPipeline
from sklearn.pipeline import _name_estimators
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    Options,
    RealNotInt,
    StrOptions,
    validate_parameter_constraints,
    validate_params,
)
from sklearn.utils._user_interface import _message_with_time, _print_elapsed_time
from sklearn.utils.metadata_routing import _routing_enabled

__all__ = [
    "KEEP_CONSTRAINT",
    "Count",
    "Fraction",
    "HasMethods",
    "Interval",
    "Number",
    "Numbers",
    "Options",
    "RealNotInt",
    "StrOptions",
    "_asked_by_sklearn_pipeline",
    "_fit_context",
    "_message_with_time",
    "_name_estimators",
    "_print_elapsed_time",
    "_routing_enabled",
    "_safe_indexing",
    "fit_callback_context",
    "validate_parameter_constraints",
    "validate_params",
]


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


def _is_float(value) -> bool:
    return isinstance(value, (float, np.floating))


class Fraction(Interval):
    """A float in an interval, numpy floats included; bools, ints, other reals not.

    scikit-learn's ``Interval(RealNotInt, ...)`` refuses ``np.float32(0.3)``
    and lets a ``fractions.Fraction`` through to a ufunc that cannot take it.
    """

    def __init__(self, left, right, *, closed):
        super().__init__(RealNotInt, left, right, closed=closed)

    def is_satisfied_by(self, val):
        return _is_float(val) and val in self


class Count(Interval):
    """An int in an interval, numpy ints included, bools excluded."""

    def __init__(self, left, right, *, closed):
        super().__init__(Integral, left, right, closed=closed)

    def is_satisfied_by(self, val):
        return not _is_bool(val) and super().is_satisfied_by(val)


class Number(Interval):
    """A finite int or float in an interval, numpy scalars included, bools excluded."""

    def __init__(self, left, right, *, closed):
        super().__init__(Real, left, right, closed=closed)

    def is_satisfied_by(self, val):
        if _is_bool(val) or not isinstance(val, (Integral, float, np.floating)):
            return False
        return bool(np.isfinite(val)) and val in self

    def __str__(self):
        return super().__str__().replace("a float", "a finite number", 1)


class Numbers(Interval):
    """A number or an array-like of numbers, each finite and in an interval.

    For the vectorised functions of :mod:`sklearn_prune.theory`; whatever
    ``np.asarray(value, dtype=float)`` reads is accepted.
    """

    def __init__(self, left, right, *, closed):
        super().__init__(Real, left, right, closed=closed)

    def is_satisfied_by(self, val):
        if _is_bool(val):
            return False
        try:
            values = np.asarray(val, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            return False
        inside = np.isfinite(values)
        if self.left is not None:
            left_closed = self.closed in ("left", "both")
            inside &= values >= self.left if left_closed else values > self.left
        if self.right is not None:
            right_closed = self.closed in ("right", "both")
            inside &= values <= self.right if right_closed else values < self.right
        return bool(np.all(inside))

    def __str__(self):
        return (
            "a number or an array of numbers, each finite and "
            + super().__str__().replace("a float ", "", 1)
        )


#: the one rule for ``keep``: a fraction of the rows in (0, 1] or a row count
KEEP_CONSTRAINT = [Fraction(0, 1, closed="right"), Count(1, None, closed="left")]


class _NoCallbacks:
    """The callback context of scikit-learn < 1.9, which has no fit callbacks.

    It offers the methods of ``sklearn.callback.CallbackContext`` that a
    meta-estimator's ``fit`` calls, and does nothing.
    """

    def subcontext(self, **kwargs):
        return self

    def propagate_callback_context(self, sub_estimator):
        return nullcontext()

    def call_on_fit_task_begin(self, **kwargs):
        return False

    def call_on_fit_task_end(self, **kwargs):
        return False


def fit_callback_context(estimator, *, task_name: str = "fit", max_subtasks: int = 0):
    """Root callback context of ``estimator``'s fit.

    scikit-learn >= 1.9 estimators that support callbacks (``set_callbacks``)
    get their real context, set up as ``_init_callback_context`` does; on
    older releases a context that does nothing is returned.
    """
    init = getattr(estimator, "_init_callback_context", None)
    if init is None:
        return _NoCallbacks()
    return init(task_name=task_name, max_subtasks=max_subtasks)


# the methods of scikit-learn's Pipeline that look for ``transform`` on a step
_SKLEARN_PIPELINE_CHECKS = frozenset(
    getattr(_SklearnPipeline, name).__code__
    for name in ("_validate_steps", "_can_transform", "_can_fit_transform")
    if hasattr(getattr(_SklearnPipeline, name, None), "__code__")
)


def _asked_by_sklearn_pipeline() -> bool:
    """Whether the attribute lookup in progress comes from scikit-learn's Pipeline.

    True when the caller of ``BasePruner.__getattr__`` is one of the methods
    with which :class:`sklearn.pipeline.Pipeline` itself (not a subclass that
    overrides them, such as ours or imbalanced-learn's) checks its steps.

    Kept on purpose (issue 15): without a look at the caller, a pruner must
    either answer every ``hasattr(pruner, "transform")`` with an error
    (breaking imbalanced-learn's Pipeline and scikit-learn's checks) or give
    up the clear error for the commonest mistake. It fails safe: if a
    release renamed these methods, the pruner would simply have no
    ``transform`` and scikit-learn's generic error would show.
    ``tests/test_pipeline.py`` pins it (the clear error, and the three
    methods' code objects); it passes on scikit-learn 1.6, 1.7, 1.8 and 1.9.
    """
    caller = sys._getframe(2)  # 0: here, 1: __getattr__, 2: who looked it up
    return caller.f_code in _SKLEARN_PIPELINE_CHECKS

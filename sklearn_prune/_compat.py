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
    validate_params,
)
from sklearn.utils._user_interface import _message_with_time, _print_elapsed_time
from sklearn.utils.metadata_routing import _routing_enabled

__all__ = [
    "Count",
    "Fraction",
    "HasMethods",
    "Interval",
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
    "validate_params",
]


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


class Fraction(Interval):
    """A float in an interval, numpy floats included, bools and ints excluded.

    scikit-learn's ``Interval(RealNotInt, ...)`` refuses ``np.float32(0.3)``.
    """

    def __init__(self, left, right, *, closed):
        super().__init__(RealNotInt, left, right, closed=closed)

    def is_satisfied_by(self, val):
        if _is_bool(val) or isinstance(val, Integral) or not isinstance(val, Real):
            return False
        return val in self


class Count(Interval):
    """An int in an interval, numpy ints included, bools excluded."""

    def __init__(self, left, right, *, closed):
        super().__init__(Integral, left, right, closed=closed)

    def is_satisfied_by(self, val):
        return not _is_bool(val) and super().is_satisfied_by(val)


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
    """
    caller = sys._getframe(2)  # 0: here, 1: __getattr__, 2: who looked it up
    return caller.f_code in _SKLEARN_PIPELINE_CHECKS

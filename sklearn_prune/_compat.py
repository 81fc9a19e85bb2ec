"""Every private scikit-learn name the package uses, in one place.

scikit-learn's private helpers move between releases. Importing them here
only, and nowhere else, keeps the declared version range checkable: a move
breaks this module's imports, not the pruners. Parameter-validation
constraints that scikit-learn lacks are built here from its own classes.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.pipeline import _name_estimators
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    Options,
    RealNotInt,
    StrOptions,
)
from sklearn.utils._user_interface import _print_elapsed_time
from sklearn.utils.metadata_routing import _routing_enabled

__all__ = [
    "Count",
    "Fraction",
    "HasMethods",
    "Interval",
    "Options",
    "RealNotInt",
    "StrOptions",
    "_fit_context",
    "_name_estimators",
    "_print_elapsed_time",
    "_routing_enabled",
    "_safe_indexing",
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

"""Pruning curves: is pruning worth it on this data, with this model?

:func:`pruning_curve` cross-validates an estimator trained on the rows each
pruner keeps, next to random pruning at the same sizes and to the whole
training fold; :class:`PruningCurveDisplay` plots the result (matplotlib is
imported only when plotting).
"""

# SPDX-License-Identifier: BSD-3-Clause

from ._choose import PolicyChoice, choose_policy
from ._plot import PruningCurveDisplay
from ._pruning_curve import PruningCurveResult, pruning_curve

__all__ = [
    "PolicyChoice",
    "PruningCurveDisplay",
    "PruningCurveResult",
    "choose_policy",
    "pruning_curve",
]

"""sklearn_prune: scikit-learn-compatible data-pruning estimators.

Rank training rows by difficulty and keep the right fraction (Sorscher et al.,
"Beyond neural scaling laws: beating power law scaling via data pruning",
NeurIPS 2022). Pruners are samplers: ``fit_resample`` returns the kept rows,
and :class:`Pipeline` runs them while fitting only.
"""

# SPDX-License-Identifier: BSD-3-Clause

from ._dynamic_pruning import DynamicPruningClassifier
from ._el2n import EL2NPruner
from ._label_noise import find_label_issues
from ._oracle import OraclePruner
from ._prototype import PrototypePruner
from ._random import RandomPruner
from ._score import ScorePruner
from ._selection import select_indices
from ._semdedup import SemDedupPruner
from ._training_dynamics import TrainingDynamics
from ._training_dynamics_pruners import RecordedDynamicsPruner, TrainingDynamicsPruner
from .base import BasePruner, is_pruner
from .pipeline import Pipeline, make_pipeline

__version__ = "0.1.0.dev0"

__all__ = [
    "BasePruner",
    "DynamicPruningClassifier",
    "EL2NPruner",
    "OraclePruner",
    "Pipeline",
    "PrototypePruner",
    "RandomPruner",
    "RecordedDynamicsPruner",
    "ScorePruner",
    "SemDedupPruner",
    "TrainingDynamics",
    "TrainingDynamicsPruner",
    "find_label_issues",
    "is_pruner",
    "make_pipeline",
    "select_indices",
    "__version__",
]

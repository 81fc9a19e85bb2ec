"""scikit-learn's estimator checks on every pruner."""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_prune import EL2NPruner, OraclePruner, PrototypePruner, RandomPruner


class AnyWidthOraclePruner(OraclePruner):
    """OraclePruner whose teacher is the all-ones direction of whatever width X has.

    scikit-learn's checks fit on data of many widths (1 to 10 features), which
    a fixed teacher vector cannot match: every check would stop at the teacher
    length error. This subclass lets the checks exercise everything else of
    OraclePruner (validation, selection, pickling, dtypes, sparse input); the
    teacher's own handling is tested in test_oracle.py.
    """

    def _teacher_weights(self, n_features):
        return np.full(n_features, 1 / np.sqrt(n_features)), 0.0


def _instances():
    return [
        RandomPruner(keep=0.5, random_state=0),
        PrototypePruner(keep=0.5, n_clusters=2, n_iter=5, random_state=0),
        EL2NPruner(
            keep=0.5, estimator=LogisticRegression(), n_estimators=2, random_state=0
        ),
        EL2NPruner(keep=0.5, n_estimators=2, random_state=0),
        AnyWidthOraclePruner(teacher=[1.0], keep=0.5, random_state=0),
        AnyWidthOraclePruner(teacher=[1.0], keep=0.5, angle=30.0, random_state=0),
    ]


# No check is expected to fail: pruners are samplers (no transform/predict), so
# scikit-learn's checks of those methods do not run on them.
EXPECTED_FAILED: dict = {}


@parametrize_with_checks(
    _instances(), expected_failed_checks=lambda est: EXPECTED_FAILED.get(type(est), {})
)
def test_sklearn_compatible(estimator, check):
    check(estimator)

"""RandomPruner: the baseline every comparison needs."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from ._docstring import fill_doc
from .base import BasePruner

__all__ = ["RandomPruner"]


@fill_doc
class RandomPruner(BasePruner):
    """Keep a uniformly random subset of the rows.

    The baseline against which every difficulty metric is judged: a metric is
    only useful where it beats random pruning at the same ``keep``. Scores are
    i.i.d. uniform draws, so ``strategy`` makes no difference to the
    distribution of the kept rows.

    Parameters
    ----------
    {{keep}}

    {{strategy}}

    {{class_balance}}

    {{random_state}}

    Attributes
    ----------
    {{fitted}}

    See Also
    --------
    PrototypePruner : Self-supervised difficulty from k-means prototypes.
    EL2NPruner : Supervised difficulty from briefly trained probes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune import RandomPruner
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> X_kept, _ = RandomPruner(keep=0.3, random_state=0).fit_resample(X)
    >>> X_kept.shape
    (3, 2)
    """

    _accept_sparse = ("csr", "csc")

    def _compute_scores(self, X, y, rng, **params):
        return rng.uniform(size=X.shape[0])

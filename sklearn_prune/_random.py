"""RandomPruner: the baseline every comparison needs."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from ._arrays import n_rows
from ._docstring import fill_doc
from ._order import row_uniforms
from ._seeding import draw_seed
from .base import BasePruner

__all__ = ["RandomPruner"]


@fill_doc
class RandomPruner(BasePruner):
    """Keep a uniformly random subset of the rows.

    The baseline against which every difficulty metric is judged: a metric is
    only useful where it beats random pruning at the same ``keep``. Scores are
    uniform draws, one per row, from ``random_state``, so ``strategy`` makes no
    difference to the distribution of the kept rows.

    Parameters
    ----------
    {{keep}}

    {{policy}}

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
        # a function of each row's position: the same on every block of a
        # dask array as on the whole array in memory
        return row_uniforms(draw_seed(rng), 0, n_rows(X))

"""RandomPruner: the baseline every comparison needs."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from ._arrays import n_rows
from ._blocks import is_dask_collection
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

    ``X`` may be a :class:`numpy.memmap` (checked chunk by chunk, never
    copied) or a dask array or DataFrame; with dask, ``scores_`` and
    ``sample_indices_`` are dask arrays and ``fit_resample`` returns lazy
    dask collections. The same ``random_state`` keeps the same rows in all
    three cases. See :ref:`large_data`.

    Parameters
    ----------
    {{keep}}

    strategy : {"hard", "easy", "stratified", "moderate"}, default="hard"
        Makes no difference to the distribution of the kept rows (the scores
        are random); ``"hard"``, the cheapest selection, is the default.

    drop_hardest : float in [0, 1) or "auto", default=0.0
        As in every pruner; no difference to the distribution either.

    {{n_strata}}

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

    The same rows from a dask array, as a lazy dask array:

    >>> import dask.array as da
    >>> pruner = RandomPruner(keep=0.3, random_state=0)
    >>> lazy, _ = pruner.fit_resample(da.from_array(X, chunks=4))
    >>> bool((lazy.compute() == X_kept).all())
    True
    """

    _accept_sparse = ("csr", "csc")
    _out_of_core = True

    def __init__(
        self,
        *,
        keep=0.5,
        strategy="hard",
        drop_hardest=0.0,
        n_strata=50,
        class_balance="auto",
        random_state=None,
    ):
        super().__init__(
            keep=keep,
            strategy=strategy,
            drop_hardest=drop_hardest,
            n_strata=n_strata,
            class_balance=class_balance,
            random_state=random_state,
        )

    def _compute_scores(self, X, y, rng, **params):
        # a function of each row's position: the same on every block of a
        # dask array as on the whole array in memory
        seed = draw_seed(rng)
        if is_dask_collection(X):
            from ._dask import random_scores

            return random_scores(X, seed)
        return row_uniforms(seed, 0, n_rows(X))

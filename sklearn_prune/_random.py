"""RandomPruner: the baseline every comparison needs."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from ._arrays import n_rows
from ._docstring import fill_doc
from ._kinds import is_dask_collection
from ._order import row_uniforms
from ._seeding import draw_seed
from .base import BasePruner

__all__ = ["RandomPruner"]


@fill_doc
class RandomPruner(BasePruner):
    """Keep a uniformly random subset of the rows.

    The baseline against which every difficulty metric is judged: a metric is
    only useful where it beats random pruning at the same ``keep``. Scores are
    uniform draws, one per row, from ``random_state``: every policy would keep
    a uniformly random subset, so ``strategy`` and ``drop_hardest`` must stay
    at their defaults (``"hard"``, 0.0) and other values raise a
    ``ValueError`` (a grid search over them would present noise as a
    choice).

    ``X`` may be a :class:`numpy.memmap` (checked chunk by chunk, never
    copied) or a dask array or DataFrame; with dask, ``scores_`` and
    ``sample_indices_`` are dask arrays and ``fit_resample`` returns lazy
    dask collections. The same ``random_state`` keeps the same rows in all
    three cases. See :ref:`large_data`.

    Parameters
    ----------
    {{keep}}

    strategy : "hard", default="hard"
        Must stay at its default: every policy keeps a uniformly random
        subset of random scores (unlike other pruners, whose default is
        ``"stratified"``).

    drop_hardest : 0.0, default=0.0
        Must stay at its default, for the same reason.

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _check_budget(self, X, y) -> None:
        for name, default in (("strategy", "hard"), ("drop_hardest", 0.0)):
            value = getattr(self, name)
            if value != default:
                raise ValueError(
                    f"RandomPruner got `{name}`={value!r}, but random scores "
                    f"have no order to apply a policy to: every value keeps a "
                    f"uniformly random subset. Leave `{name}` at its default "
                    f"({default!r}); to compare policies, use them on a "
                    f"difficulty metric and compare with RandomPruner()."
                )
        super()._check_budget(X, y)

    def _compute_scores(self, X, y, rng, **params):
        # a function of each row's position: the same on every block of a
        # dask array as on the whole array in memory
        seed = draw_seed(rng)
        if is_dask_collection(X):
            from ._dask import random_scores

            return random_scores(X, seed)
        return row_uniforms(seed, 0, n_rows(X))

"""The one way seeds are drawn from a ``random_state``."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np

__all__ = ["draw_seed", "draw_seeds"]

#: seeds are C ints: faiss, torch and scikit-learn all take them
_SEED_BOUND = np.iinfo(np.int32).max


def draw_seeds(rng: np.random.RandomState, n: int) -> np.ndarray:
    """``n`` seeds in [0, 2**31 - 1) drawn from ``rng`` (a checked RandomState).

    Parameters
    ----------
    rng : numpy.random.RandomState
        The generator, as returned by :func:`sklearn.utils.check_random_state`.
    n : int
        How many seeds.

    Returns
    -------
    seeds : ndarray of shape (n,), dtype=int64
    """
    return rng.randint(_SEED_BOUND, size=n).astype(np.int64)


def draw_seed(rng: np.random.RandomState) -> int:
    """One seed drawn from ``rng``; see :func:`draw_seeds`."""
    return int(draw_seeds(rng, 1)[0])

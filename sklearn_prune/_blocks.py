"""Per-row values seen block by block: in memory, or as the blocks of a dask array.

The selection visits scores (and class codes) through two operations only,
``map_reduce`` (sum a function's result over blocks) and ``where`` (the
global positions where a per-block mask is true). :class:`ArrayRows`
implements them on numpy arrays, in blocks that bound the temporaries;
:class:`DaskRows` on dask arrays, each block on the worker that holds it.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ._kinds import is_dask_collection

__all__ = ["ArrayRows", "Block", "DaskRows", "rows_of"]

#: rows per block of an in-memory array: bounds the selection's temporaries
BLOCK_ROWS = 1 << 20


class Block(NamedTuple):
    """A run of consecutive rows: their scores, class codes and positions."""

    scores: np.ndarray
    codes: np.ndarray
    start: int
    stop: int


def _codes_block(codes, n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.int64) if codes is None else codes


class ArrayRows:
    """Scores and class codes held in memory (numpy arrays or memory maps)."""

    def __init__(self, scores: np.ndarray, codes: np.ndarray | None):
        self.scores = scores
        self.codes = codes
        self.n_rows = int(scores.shape[0])

    def _blocks(self):
        for start in range(0, max(self.n_rows, 1), BLOCK_ROWS):
            stop = min(start + BLOCK_ROWS, self.n_rows)
            codes = None if self.codes is None else self.codes[start:stop]
            yield Block(
                np.asarray(self.scores[start:stop], dtype=np.float64),
                _codes_block(codes, stop - start),
                start,
                stop,
            )

    def map_reduce(self, fn: Callable, *args) -> np.ndarray:
        """Sum of ``fn(block, *args)`` over the blocks."""
        total = None
        for block in self._blocks():
            part = fn(block, *args)
            total = part if total is None else total + part
        return total

    def where(self, fn: Callable, *args) -> np.ndarray:
        """Ascending global positions where ``fn(block, *args)`` is True."""
        parts = [np.flatnonzero(fn(b, *args)) + b.start for b in self._blocks()]
        return np.concatenate(parts).astype(np.int64)


def _dask_block(scores, codes, start: int, stop: int) -> Block:
    scores = np.asarray(scores, dtype=np.float64)
    codes = None if codes is None else np.asarray(codes, dtype=np.int64)
    return Block(scores, _codes_block(codes, stop - start), start, stop)


def _apply(fn, scores, codes, start, stop, *args):
    return fn(_dask_block(scores, codes, start, stop), *args)


def _positions(fn, scores, codes, start, stop, *args):
    block = _dask_block(scores, codes, start, stop)
    return (np.flatnonzero(fn(block, *args)) + start).astype(np.int64)


class DaskRows:
    """Scores and class codes as dask arrays with the same row chunks.

    Every function runs on the blocks where they live; only its (small)
    results travel: the histograms the radix search sums, and at the end the
    kept positions, which stay a lazy dask array.
    """

    def __init__(self, scores, codes):
        import dask

        self._dask = dask
        self.scores = scores
        self.codes = codes
        chunks = scores.chunks[0]
        self.n_rows = int(sum(chunks))
        self._starts = np.concatenate([[0], np.cumsum(chunks)]).astype(int)
        # optimize_graph=False: the delayed blocks keep persisted futures alive
        self._scores = scores.to_delayed(optimize_graph=False).ravel()
        self._codes = (
            [None] * len(self._scores)
            if codes is None
            else codes.to_delayed(optimize_graph=False).ravel()
        )

    def _spans(self):
        return zip(self._scores, self._codes, self._starts[:-1], self._starts[1:])

    def map_reduce(self, fn: Callable, *args) -> np.ndarray:
        """Sum of ``fn(block, *args)`` over the blocks, computed on the workers."""
        delayed = self._dask.delayed
        args = [delayed(a) if isinstance(a, np.ndarray) else a for a in args]
        parts = [
            delayed(_apply)(fn, s, c, int(a), int(b), *args)
            for s, c, a, b in self._spans()
        ]
        total = delayed(sum)(parts[1:], parts[0]) if len(parts) > 1 else parts[0]
        return np.asarray(total.compute())

    def where(self, fn: Callable, *args):
        """Lazy dask array of the ascending global positions where ``fn`` is True.

        Block sizes are counted first (one small pass), so the result has
        known chunks.
        """
        import dask.array as da

        delayed = self._dask.delayed
        args = [delayed(a) if isinstance(a, np.ndarray) else a for a in args]
        parts = [
            delayed(_positions)(fn, s, c, int(a), int(b), *args)
            for s, c, a, b in self._spans()
        ]
        sizes = self._dask.compute(*[delayed(len)(p) for p in parts])
        arrays = [
            da.from_delayed(p, shape=(int(n),), dtype=np.int64)
            for p, n in zip(parts, sizes)
        ]
        return da.concatenate(arrays)


def rows_of(scores, codes=None) -> ArrayRows | DaskRows:
    """The block view of 1-D ``scores`` (and class ``codes``) for the selection."""
    if is_dask_collection(scores):
        return DaskRows(scores, codes)
    return ArrayRows(scores, codes)

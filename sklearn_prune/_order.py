"""A total order over rows, and exact order statistics computed block by block.

Every selection rule of :mod:`sklearn_prune._selection` is "keep the rows
whose rank within a group is below (or above) some number". Ranks here come
from a 128-bit key per row: 64 bits that order a float64 value, then 64 bits
of a *tie key*, a bijective hash of the row's global position and a seed.
Keys are therefore all distinct, ties between equal values are broken at
random but reproducibly, and a row's key depends only on its value, its
position and the seed, never on how the rows are split into blocks.

Order statistics (the key of the row of rank ``r`` in a group, or a
threshold with exactly ``r`` keys below it) are found by a most-significant-
digit radix search: one pass over the rows per 8 bits resolved, each pass a
sum of per-block histograms. That needs nothing but a map-reduce over row
blocks, so the same code runs on an in-memory array, a memory map and the
blocks of a dask array, and the three give the same rows.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Thresholds",
    "decode_float_keys",
    "float_keys",
    "row_uniforms",
    "search",
    "tie_keys",
]

_U64 = np.uint64
_SIGN = _U64(1 << 63)
_GOLDEN = _U64(0x9E3779B97F4A7C15)
_C1 = _U64(0xBF58476D1CE4E5B9)
_C2 = _U64(0x94D049BB133111EB)
_N_LEVELS = 16  # 128 bits, 8 bits per pass


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection of uint64 that scrambles every bit."""
    x = x ^ (x >> _U64(30))
    x = x * _C1
    x ^= x >> _U64(27)
    x *= _C2
    x ^= x >> _U64(31)
    return x


def tie_keys(seed: int, start: int, stop: int) -> np.ndarray:
    """Tie-breaking keys of the rows at global positions ``start .. stop - 1``.

    A bijection of the position for a given seed: no two rows share a key.

    Parameters
    ----------
    seed : int
        Non-negative seed; different seeds give unrelated orders.
    start, stop : int
        Global positions of the first row and one past the last.

    Returns
    -------
    keys : ndarray of shape (stop - start,), dtype=uint64
    """
    offset = _mix64(np.array([seed], dtype=_U64))
    positions = np.arange(start, stop, dtype=_U64)
    return _mix64(positions * _GOLDEN + offset)


def row_uniforms(seed: int, start: int, stop: int) -> np.ndarray:
    """Uniform floats in [0, 1), one per row, from the row's position and ``seed``.

    Parameters
    ----------
    seed : int
        Non-negative seed.
    start, stop : int
        Global positions of the first row and one past the last.

    Returns
    -------
    u : ndarray of shape (stop - start,), dtype=float64
    """
    keys = tie_keys(seed ^ 0x5BD1E995, start, stop)
    return (keys >> _U64(11)).astype(np.float64) * 2.0**-53


def float_keys(values: np.ndarray) -> np.ndarray:
    """uint64 keys that sort like the float64 ``values`` (-0.0 equals 0.0).

    Parameters
    ----------
    values : ndarray of float64
        Values without NaN.

    Returns
    -------
    keys : ndarray of uint64, same shape
    """
    bits = (np.asarray(values, dtype=np.float64) + 0.0).view(_U64)
    negative = (bits & _SIGN) != 0
    return np.where(negative, ~bits, bits | _SIGN)


def decode_float_keys(keys: np.ndarray) -> np.ndarray:
    """The float64 values of keys made by :func:`float_keys`."""
    keys = np.asarray(keys, dtype=_U64)
    positive = (keys & _SIGN) != 0
    return np.where(positive, keys ^ _SIGN, ~keys).view(np.float64)


@dataclass
class Thresholds:
    """Per-query 128-bit thresholds: a row is *below* when its key is smaller.

    ``hi``/``lo`` are the key's two halves; ``everything`` marks queries whose
    rank equals the group's size (every row of the group is below).
    """

    hi: np.ndarray
    lo: np.ndarray
    everything: np.ndarray

    def below(self, query: np.ndarray, hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
        """Whether each row's key is below its query's threshold.

        ``query`` holds one query index per row (rows with a negative index
        are never below).
        """
        valid = query >= 0
        q = np.where(valid, query, 0)
        t_hi, t_lo = self.hi[q], self.lo[q]
        smaller = (hi < t_hi) | ((hi == t_hi) & (lo < t_lo))
        return valid & (self.everything[q] | smaller)

    def __getitem__(self, item) -> Thresholds:
        return Thresholds(self.hi[item], self.lo[item], self.everything[item])


KeyFn = Callable[..., tuple]
MapReduce = Callable[..., np.ndarray]


def _histograms(
    block_keys, slot_table, active_pos, n_active, level, prefix_hi, prefix_lo
):
    """Per-query histogram of the next 8-bit digit over one block's rows."""
    group, hi, lo = block_keys
    counts = np.zeros(n_active * 256, dtype=np.int64)
    if level < 8:
        digit = (hi >> _U64(56 - 8 * level)) & _U64(0xFF)
    else:
        digit = (lo >> _U64(56 - 8 * (level - 8))) & _U64(0xFF)
    in_group = group >= 0
    safe_group = np.where(in_group, group, 0)
    for table in slot_table:
        query = np.where(in_group, table[safe_group], -1)
        pos = np.where(query >= 0, active_pos[np.maximum(query, 0)], -1)
        ok = pos >= 0
        if level > 0:
            q = np.maximum(query, 0)
            if level <= 8:
                shift = _U64(64 - 8 * level)
                ok &= (hi >> shift) == (prefix_hi[q] >> shift)
            else:
                shift = _U64(128 - 8 * level)
                ok &= (hi == prefix_hi[q]) & ((lo >> shift) == (prefix_lo[q] >> shift))
        counts += np.bincount(
            pos[ok] * 256 + digit[ok].astype(np.int64), minlength=n_active * 256
        )
    return counts


def _single_keys(block_keys, slot_table, position, n_singles, bits, prefix_hi):
    """The ``hi`` key of the one row matching each single query's prefix."""
    group, hi, _ = block_keys
    out = np.zeros(n_singles, dtype=_U64)
    in_group = group >= 0
    safe_group = np.where(in_group, group, 0)
    for table in slot_table:
        query = np.where(in_group, table[safe_group], -1)
        q = np.maximum(query, 0)
        pos = np.where(query >= 0, position[q], -1)
        shift = (64 - bits[q]).astype(_U64)
        ok = (pos >= 0) & ((hi >> shift) == (prefix_hi[q] >> shift))
        np.add.at(out, pos[ok], hi[ok])
    return out


def _slot_table(query_group: np.ndarray, n_groups: int) -> np.ndarray:
    """Rows: slots; columns: groups; entries: a query of that group or -1.

    A group with several queries spreads them over several slots, so that
    one vectorised pass per slot covers every query. Queries of a negative
    group are left out.
    """
    order = np.flatnonzero(query_group >= 0)
    order = order[np.argsort(query_group[order], kind="stable")]
    sorted_groups = query_group[order]
    first = np.searchsorted(sorted_groups, sorted_groups, side="left")
    slot = np.arange(order.shape[0]) - first
    n_slots = int(slot.max()) + 1 if order.size else 0
    table = np.full((n_slots, max(n_groups, 1)), -1, dtype=np.int64)
    table[slot, sorted_groups] = order
    return table


def search(
    map_reduce: MapReduce,
    key_fn: KeyFn,
    query_group: np.ndarray,
    query_rank: np.ndarray,
    group_sizes: np.ndarray,
    *,
    values: bool = False,
) -> Thresholds:
    """Order statistics of many groups at once, by radix search over blocks.

    Parameters
    ----------
    map_reduce : callable
        ``map_reduce(fn, *args)`` calls ``fn(block, *args)`` for every block
        of rows and returns the sum of the results.
    key_fn : callable
        Maps a block to ``(group, hi, lo)``: the group of each row (negative:
        in no group) and the two halves of its key.
    query_group, query_rank : ndarray of int
        One query per entry: a group and a 0-based rank within it.
    group_sizes : ndarray of int
        Number of rows in each group.
    values : bool, default=False
        If False, return thresholds with exactly ``rank`` rows of the group
        below them. If True, return the ``hi`` half of the key of the row of
        rank ``rank`` (its value); ranks must then be below the group's size.

    Returns
    -------
    thresholds : Thresholds
        One entry per query.
    """
    query_group = np.asarray(query_group, dtype=np.int64)
    rank = np.asarray(query_rank, dtype=np.int64).copy()
    n_queries = query_group.shape[0]
    sizes = np.asarray(group_sizes, dtype=np.int64)[query_group]
    prefix_hi = np.zeros(n_queries, dtype=_U64)
    prefix_lo = np.zeros(n_queries, dtype=_U64)
    everything = np.zeros(n_queries, dtype=bool)
    if values:
        if np.any((rank < 0) | (rank >= sizes)):
            raise ValueError("Order-statistic ranks must be within the group sizes.")
        active = np.ones(n_queries, dtype=bool)
    else:
        everything = rank >= sizes
        # rank 0: the all-zero key is below no row
        active = (rank > 0) & ~everything
    # queries settled before any pass (rank 0 or the whole group) need no slot;
    # the table has a column for every group rows may be in, queried or not
    table = _slot_table(
        np.where(active, query_group, -1),
        max(int(np.max(query_group, initial=-1)) + 1, len(group_sizes)),
    )
    # values: a query whose bucket holds a single row is finished by one last
    # pass that reads that row's key (`bits` = the prefix length that isolates it)
    single_bits = np.zeros(n_queries, dtype=np.int64)
    for level in range(_N_LEVELS):
        if not active.any():
            break
        idx = np.flatnonzero(active)
        active_pos = np.full(n_queries, -1, dtype=np.int64)
        active_pos[idx] = np.arange(idx.shape[0])
        hist = map_reduce(
            _with_keys(key_fn, _histograms),
            table,
            active_pos,
            idx.shape[0],
            level,
            prefix_hi,
            prefix_lo,
        ).reshape(idx.shape[0], 256)
        cum = np.cumsum(hist, axis=1)
        r = rank[idx]
        digit = np.argmax(cum > r[:, None], axis=1)
        rows = np.arange(idx.shape[0])
        rank[idx] = r - (cum - hist)[rows, digit]
        bits = digit.astype(_U64)
        if level < 8:
            prefix_hi[idx] |= bits << _U64(56 - 8 * level)
        else:
            prefix_lo[idx] |= bits << _U64(56 - 8 * (level - 8))
        if values:
            single = (hist[rows, digit] == 1) & (level < 7)
            single_bits[idx[single]] = 8 * (level + 1)
            done = single | (level == 7)
        else:
            done = rank[idx] == 0
        active[idx[done]] = False
    if values and np.any(single_bits):
        singles = np.flatnonzero(single_bits)
        position = np.full(n_queries, -1, dtype=np.int64)
        position[singles] = np.arange(singles.shape[0])
        prefix_hi[singles] = map_reduce(
            _with_keys(key_fn, _single_keys),
            table,
            position,
            singles.shape[0],
            single_bits,
            prefix_hi,
        )[: singles.shape[0]]
    return Thresholds(prefix_hi, prefix_lo, everything)


def _with_keys(key_fn: KeyFn, fn: Callable) -> Callable:
    """``fn`` applied to a block's keys instead of the block itself."""

    def apply(block, *args):
        return fn(key_fn(block), *args)

    return apply

"""Dask collections: validation, per-block maps, kept rows as lazy collections.

Imported only when a dask array or DataFrame reaches a pruner, so that dask
stays optional. Generic row helpers only: a function is mapped over the row
blocks on the workers that hold them (:func:`per_block`), the selection
(:func:`sklearn_prune.select_indices`) runs on the blocks and returns the
kept positions as a lazy dask array, and the kept rows come back as lazy
collections. The k-means scoring of dask arrays lives next to its engine,
in :mod:`sklearn_prune._kmeans_dask`.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np

from ._kinds import is_dask_collection, is_dask_frame
from ._order import row_uniforms
from ._rows import check_2d_real, check_finite_block

__all__ = [
    "check_known_chunks",
    "class_counts",
    "n_rows",
    "per_block",
    "random_scores",
    "row_blocks",
    "take_rows",
    "validate",
]

_INSTALL = 'pip install -e ".[dask]" from a clone (dask[array] and distributed)'


def import_dask():
    """Import dask and dask.array, or say how to install them."""
    try:
        import dask
        import dask.array as da
    except ImportError as exc:  # pragma: no cover - dask is a test dependency
        raise ImportError(f"Dask input needs dask: {_INSTALL}.") from exc
    return dask, da


def check_known_chunks(X, name: str = "X") -> None:
    """Refuse a dask array whose block lengths are unknown (``nan``)."""
    if any(np.isnan(c) for axis in X.chunks for c in axis):
        raise ValueError(
            f"`{name}` is a dask array with unknown chunk sizes (the lengths of "
            f"its blocks are not known, e.g. after boolean indexing); call "
            f"`{name}.compute_chunk_sizes()` first."
        )


def n_rows(X) -> int:
    """Number of rows of a dask array (known chunks) or DataFrame."""
    if is_dask_frame(X):
        return int(len(X))
    check_known_chunks(X)
    return int(X.shape[0])


def _frame_to_array(X, name: str):
    """A numeric dask DataFrame as a dask array with one block per partition."""
    bad = [c for c, t in X.dtypes.items() if t.kind not in "biuf"]
    if bad:
        raise TypeError(
            f"`{name}` must have numeric columns only; columns {bad} have dtypes "
            f"{[str(X.dtypes[c]) for c in bad]}."
        )
    return X.to_dask_array(lengths=True)


def validate(X, y, *, name: str = "X"):
    """Check a dask X (array or DataFrame) and align y with its row blocks.

    Returns
    -------
    X : dask.array.Array of shape (n_samples, n_features)
        One block along the features.
    y : dask.array.Array of shape (n_samples,) or None
        With the row chunks of X.
    feature_names : ndarray of str or None
        The DataFrame's column names, when they are all strings.
    """
    dask, da = import_dask()
    feature_names = None
    if is_dask_frame(X):
        if X.ndim != 2:
            raise ValueError(
                f"`{name}` must be 2-D; got a dask Series. Use a DataFrame or a "
                f"dask array."
            )
        columns = list(X.columns)
        if all(isinstance(c, str) for c in columns):
            feature_names = np.asarray(columns, dtype=object)
        X = _frame_to_array(X, name)
    if not isinstance(X, da.Array):
        raise TypeError(f"Unsupported dask collection for `{name}`: {type(X)}.")
    check_known_chunks(X, name)
    check_2d_real(X.shape, X.dtype, what=f"The dask array `{name}`")
    X = X.rechunk({1: -1})
    if y is not None:
        y = _align_target(y, X, X.shape[0])
    return X, y, feature_names


def _align_target(y, X, n_samples: int):
    dask, da = import_dask()
    if is_dask_frame(y):
        if y.ndim == 2:
            if len(y.columns) != 1:
                raise ValueError(
                    f"A dask DataFrame `y` must have one column; got {len(y.columns)}."
                )
            y = y[y.columns[0]]
        y = y.to_dask_array(lengths=True)
    elif not is_dask_collection(y):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.shape[0] != n_samples:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"[{n_samples}, {y.shape[0]}]"
            )
        return da.from_array(y, chunks=(X.chunks[0],) + y.shape[1:])
    check_known_chunks(y, "y")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape[0] != n_samples:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: "
            f"[{n_samples}, {y.shape[0]}]"
        )
    return y.rechunk((X.chunks[0],) + tuple((s,) for s in y.shape[1:]))


def class_counts(y) -> np.ndarray:
    """Rows per class of dask class labels (one small pass)."""
    from ._selection import class_codes

    dask, da = import_dask()
    classes, codes = class_codes(y)
    return np.asarray(da.bincount(codes, minlength=classes.shape[0]).compute())


def checked_scores(scores, n_samples: int, owner: str):
    """Persisted dask scores of the expected length."""
    if scores.ndim != 1 or scores.shape[0] != n_samples:
        raise ValueError(
            f"{owner} computed invalid scores (shape {scores.shape}); expected "
            f"{n_samples} values."
        )
    return scores.astype(np.float64).persist()


# -- per-block functions (module level: they travel to the workers) ----------
def row_blocks(X):
    """(delayed block, start, stop) of each row block of a 1-column-chunk array.

    Every ``to_delayed`` here keeps the full graph (``optimize_graph=False``):
    the delayed blocks then hold the futures of a persisted input, which a
    distributed cluster would otherwise drop once the input is gone.
    """
    starts = np.concatenate([[0], np.cumsum(X.chunks[0])]).astype(np.int64)
    blocks = X.to_delayed(optimize_graph=False).reshape(len(X.chunks[0]), -1)[:, 0]
    return [(b, int(a), int(z)) for b, a, z in zip(blocks, starts[:-1], starts[1:])]


def per_block(fn, arrays, *args, width=None, dtype=np.float64):
    """``fn(*blocks, start, *args)`` over the row blocks, concatenated lazily.

    ``arrays`` share their row chunks; numpy arguments travel once (as one
    delayed object), not once per block.
    """
    dask, da = import_dask()
    delayed = dask.delayed
    args = [
        delayed(a, pure=True) if isinstance(a, (np.ndarray, list)) else a for a in args
    ]
    per_array = [row_blocks(a) for a in arrays]
    parts = []
    for spans in zip(*per_array):
        blocks = [s[0] for s in spans]
        start, stop = spans[0][1], spans[0][2]
        shape = (stop - start,) if width is None else (stop - start, width)
        task = delayed(fn, pure=True)(*blocks, start, *args)
        parts.append(da.from_delayed(task, shape=shape, dtype=dtype))
    return da.concatenate(parts)


def _random_block(block, start, seed):
    check_finite_block(np.asarray(block), start, part="block")
    return row_uniforms(seed, start, start + block.shape[0])


# -- the pruners' dask paths ---------------------------------------------------
def random_scores(X, seed: int):
    """RandomPruner's scores block by block (each block checked for NaN)."""
    return per_block(_random_block, [X], seed)


# -- kept rows ---------------------------------------------------------------------
def _counts_per_block(positions, starts):
    block = np.searchsorted(starts, positions, side="right") - 1
    return np.bincount(block, minlength=starts.shape[0] - 1)


def _aligned_positions(positions, row_chunks):
    """``positions`` (a sorted dask or numpy int array) rechunked to ``row_chunks``.

    Block i of the result holds the positions that fall in row block i.
    """
    dask, da = import_dask()
    starts = np.concatenate([[0], np.cumsum(row_chunks)]).astype(np.int64)
    if not is_dask_collection(positions):
        positions = np.asarray(positions, dtype=np.int64)
        counts = _counts_per_block(positions, starts)
        return da.from_array(positions, chunks=(tuple(int(c) for c in counts),))
    parts = [
        dask.delayed(_counts_per_block)(p, starts)
        for p in positions.to_delayed(optimize_graph=False).ravel()
    ]
    counts = np.asarray(dask.delayed(sum)(parts[1:], parts[0]).compute())
    return positions.rechunk((tuple(int(c) for c in counts),))


def _take_block(block, positions, start):
    return block[np.asarray(positions) - start]


def _take_partition(part, positions, start):
    return part.iloc[np.asarray(positions) - start]


def take_rows(X, positions):
    """Rows ``positions`` of a dask array or DataFrame, as a lazy collection.

    The result keeps X's type (a DataFrame keeps its index and dtypes) and,
    for an array, has known chunk sizes.
    """
    dask, da = import_dask()
    delayed = dask.delayed
    if is_dask_frame(X):
        lengths = X.map_partitions(len).compute()
        aligned = _aligned_positions(positions, tuple(int(n) for n in lengths))
        starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        parts = [
            delayed(_take_partition)(part, p, int(start))
            for part, p, start, c in zip(
                X.to_delayed(optimize_graph=False),
                aligned.to_delayed(optimize_graph=False).ravel(),
                starts,
                aligned.chunks[0],
            )
            if c > 0
        ]
        import dask.dataframe as dd

        return dd.from_delayed(parts, meta=X._meta, verify_meta=False)
    check_known_chunks(X)
    if X.ndim > 1:
        X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
    aligned = _aligned_positions(positions, X.chunks[0])
    starts = np.concatenate([[0], np.cumsum(X.chunks[0])]).astype(np.int64)
    blocks = X.to_delayed(optimize_graph=False).reshape(len(X.chunks[0]), -1)[:, 0]
    parts = [
        da.from_delayed(
            delayed(_take_block)(b, p, int(start)),
            shape=(int(c),) + X.shape[1:],
            dtype=X.dtype,
        )
        for b, p, start, c in zip(
            blocks,
            aligned.to_delayed(optimize_graph=False).ravel(),
            starts,
            aligned.chunks[0],
        )
        if c > 0
    ]
    return da.concatenate(parts)

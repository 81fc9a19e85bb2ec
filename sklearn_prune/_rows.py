"""Row helpers shared by every home of the data: checks, error messages, chunks.

In memory, in a memory map and in the blocks of a dask array, rows are
checked and visited the same way; these are the one copy of each rule.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np

__all__ = [
    "check_2d_real",
    "check_finite_block",
    "chunks",
    "nonfinite_row_error",
]


def check_2d_real(shape, dtype, *, what: str, min_rows: int = 1) -> None:
    """Raise unless ``shape`` and ``dtype`` are those of 2-D real rows.

    Parameters
    ----------
    shape : tuple of int
        The array's shape.
    dtype : numpy.dtype
        The array's dtype: bool, int, unsigned or float.
    what : str
        What the array is, as error messages name it (``"The memory-mapped
        X"``, ``"Embeddings"``).
    min_rows : int, default=1
        Fewest rows accepted (every array needs at least one feature).

    Raises
    ------
    ValueError
        For another number of dimensions, or too few rows or features.
    TypeError
        For a dtype other than real numbers.
    """
    if len(shape) != 2:
        raise ValueError(
            f"{what} must be a 2-D array (n_samples, n_features). Got shape "
            f"{tuple(shape)} instead."
        )
    if np.dtype(dtype).kind not in "biuf":
        raise TypeError(f"{what} must hold real numbers. Got dtype {dtype}.")
    n_samples, n_features = shape
    if n_samples < min_rows:
        raise ValueError(
            f"Found {what} with {n_samples} sample(s) (shape={tuple(shape)}) while "
            f"a minimum of {min_rows} is required."
        )
    if n_features < 1:
        raise ValueError(
            f"Found {what} with {n_features} feature(s) (shape={tuple(shape)}) "
            f"while a minimum of 1 is required."
        )


def nonfinite_row_error(
    row: int,
    start: int | None = None,
    stop: int | None = None,
    *,
    name: str = "X",
    part: str = "chunk",
) -> ValueError:
    """NaN or infinity at ``row`` (of the ``part`` of rows ``start .. stop - 1``)."""
    where = f"row {row}"
    if start is not None:
        where += f" (in the {part} of rows {start} to {stop - 1})"
    return ValueError(f"Input {name} contains NaN or infinity at {where}.")


def check_finite_block(
    block: np.ndarray, start: int, *, name: str = "X", part: str = "chunk"
) -> None:
    """Raise :func:`nonfinite_row_error` for the first row of ``block`` with NaN.

    ``block`` holds the rows from global position ``start`` on; one float64
    sum answers for a finite block (NaN and infinity propagate through it).
    """
    if block.dtype.kind != "f" or np.isfinite(np.sum(block, dtype=np.float64)):
        return
    bad = ~np.isfinite(block).reshape(block.shape[0], -1).all(axis=1)
    if bad.any():
        row = start + int(np.flatnonzero(bad)[0])
        stop = start + block.shape[0]
        raise nonfinite_row_error(row, start, stop, name=name, part=part)


def chunks(n_rows: int, step: int):
    """``(start, stop)`` of consecutive chunks of ``step`` rows covering ``n_rows``."""
    for start in range(0, n_rows, step):
        yield start, min(start + step, n_rows)

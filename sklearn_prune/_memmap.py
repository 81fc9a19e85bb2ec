"""Memory-mapped input: validation chunk by chunk, never a full copy.

scikit-learn's ``check_array`` may copy a memory map (a dtype conversion, a
non-contiguous layout) or allocate an n x d temporary to look for NaN. Data
larger than memory needs neither: these helpers read the rows in chunks
bounded by scikit-learn's ``working_memory``.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np
from sklearn import get_config

from ._kinds import is_memmap
from ._rows import check_2d_real, check_finite_block, chunks

__all__ = [
    "check_finite_rows",
    "chunk_n_rows",
    "release_rows",
    "validate_memmap",
]


def chunk_n_rows(row_bytes: int, n_rows: int, max_rows: int | None = None) -> int:
    """Rows per chunk whose temporaries fit in scikit-learn's ``working_memory``.

    Parameters
    ----------
    row_bytes : int
        Bytes of temporaries per row in flight.
    n_rows : int
        Rows in all (a chunk is never longer).
    max_rows : int, default=None
        An upper bound on the chunk length.

    Returns
    -------
    n : int
        At least 1.
    """
    budget = get_config()["working_memory"] * 2**20  # MiB, as in scikit-learn
    rows = int(budget // max(int(row_bytes), 1))
    if max_rows is not None:
        rows = min(rows, int(max_rows))
    return int(max(1, min(rows, max(int(n_rows), 1))))


def check_finite_rows(X, *, name: str = "X") -> None:
    """Raise a ValueError naming the first row of ``X`` that holds NaN or infinity.

    Reads ``X`` chunk by chunk; the temporaries are bounded by
    ``working_memory``.
    """
    n = X.shape[0]
    row_bytes = int(np.prod(X.shape[1:], dtype=np.int64)) * (X.itemsize + 1)
    for start, stop in chunks(n, chunk_n_rows(row_bytes, n)):
        check_finite_block(X[start:stop], start, name=name)
        release_rows(X, start, stop)


def validate_memmap(X, *, name: str = "X", check_finite: bool = True):
    """Check a 2-D memory map of real numbers without copying it.

    Parameters
    ----------
    X : numpy.memmap of shape (n_samples, n_features)
        The rows.
    name : str, default="X"
        Name used in error messages.
    check_finite : bool, default=True
        Whether to read every chunk looking for NaN or infinity (a caller
        that reads every row anyway checks them there instead).

    Returns
    -------
    X : numpy.memmap
        The same object.
    """
    check_2d_real(X.shape, X.dtype, what=f"The memory-mapped {name}")
    if check_finite:
        check_finite_rows(X, name=name)
    return X


def release_rows(X, start: int, stop: int) -> None:
    """Drop rows ``start .. stop - 1`` of a read-only memory map from the RSS.

    Pages read through a memory map stay mapped (and counted in the
    process's resident memory) until the kernel needs the room; after a chunk
    has been scored, this tells the kernel so right away
    (``madvise(MADV_DONTNEED)``). The file's pages stay in the page cache,
    and reading the rows again simply maps them again. Only read-only maps
    (``mmap_mode="r"``) are released; anything else is left alone.
    """
    import mmap

    mapping = getattr(X, "_mmap", None)
    if (
        mapping is None
        or getattr(X, "mode", None) != "r"
        or not hasattr(mapping, "madvise")
        or not hasattr(mmap, "MADV_DONTNEED")
        or X.ndim < 1
        or X.shape[0] == 0
        or X.strides[0] <= 0
    ):
        return
    try:
        base = np.frombuffer(mapping, dtype=np.uint8).ctypes.data
        first = X.ctypes.data - base + start * X.strides[0]
        last = X.ctypes.data - base + stop * X.strides[0]
        page = mmap.PAGESIZE
        first, last = (first // page) * page, (last // page) * page
        if last > first:
            mapping.madvise(mmap.MADV_DONTNEED, first, last - first)
    except (ValueError, OSError, BufferError):
        return  # only an optimisation: never fail a fit over it


def take_sorted_rows(X, positions: np.ndarray, step: int) -> np.ndarray:
    """``X[positions]`` for sorted ``positions``, ``step`` rows of X at a time.

    On a read-only memory map, each span of rows is released once its rows
    are copied, so the process's resident memory stays bounded (the kernel
    maps neighbouring pages on every read, which would otherwise map most
    of the file for a sparse sample).
    """
    if not is_memmap(X):
        return X[positions]
    out = np.empty((positions.shape[0],) + X.shape[1:], dtype=X.dtype)
    n = X.shape[0]
    edges = np.searchsorted(positions, np.arange(0, n + step, step))
    for i, (start, stop) in enumerate(chunks(n, step)):
        lo, hi = edges[i], edges[i + 1]
        if hi > lo:
            out[lo:hi] = X[positions[lo:hi]]
            release_rows(X, start, stop)
    return out

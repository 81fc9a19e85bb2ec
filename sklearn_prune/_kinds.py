"""What kind of input is this? One home for the question.

Dask, torch and pandas are recognised by their type's module, so that asking
never imports them.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np

__all__ = [
    "is_dask_collection",
    "is_dask_frame",
    "is_memmap",
    "is_pandas_frame",
    "is_text",
    "is_torch_tensor",
]


def _top_module(obj: object) -> str:
    return type(obj).__module__.split(".")[0]


def is_dask_collection(obj: object) -> bool:
    """Whether ``obj`` is a dask array, DataFrame or Series (dask not imported)."""
    return _top_module(obj) in ("dask", "dask_expr") and hasattr(obj, "__dask_graph__")


def is_dask_frame(obj: object) -> bool:
    """Whether ``obj`` is a dask DataFrame or Series."""
    return is_dask_collection(obj) and hasattr(obj, "map_partitions")


def is_memmap(X: object) -> bool:
    """Whether ``X`` is a :class:`numpy.memmap` (``np.load(path, mmap_mode="r")``)."""
    return isinstance(X, np.memmap)


def is_pandas_frame(X: object) -> bool:
    """Whether ``X`` is a pandas DataFrame, checked without importing pandas."""
    return _top_module(X) == "pandas" and type(X).__name__ == "DataFrame"


def is_torch_tensor(X: object) -> bool:
    """Whether ``X`` is a ``torch.Tensor``, checked without importing torch."""
    return _top_module(X) == "torch" and hasattr(X, "device")


def is_text(X) -> bool:
    """Whether ``X`` is one text per row: a list, 1-D array or pandas Series of str.

    Only the first row is looked at; :func:`sklearn_prune._embedding.check_text`
    checks them all.
    """
    if isinstance(X, list):
        return len(X) > 0 and isinstance(X[0], str)
    if type(X).__name__ == "Series" and hasattr(X, "iloc"):  # pandas, not imported
        return len(X) > 0 and isinstance(X.iloc[0], str)
    if isinstance(X, np.ndarray):
        return (
            X.ndim == 1
            and X.shape[0] > 0
            and X.dtype.kind in "UO"
            and isinstance(X[0], str)
        )
    return False

"""Helpers for inputs that may be torch tensors, without importing torch."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse

from ._compat import _safe_indexing
from ._kinds import is_dask_collection, is_torch_tensor


def check_tensor(X, *, name: str = "X", min_ndim: int = 2):
    """Validate a torch tensor in place of ``check_array``: rank, dtype, finiteness.

    Parameters
    ----------
    X : torch.Tensor
        The tensor to check; it is neither copied nor moved.
    name : str, default="X"
        Name of the parameter, used in error messages.
    min_ndim : int, default=2
        Smallest accepted number of dimensions.

    Returns
    -------
    X : torch.Tensor
        The same tensor.
    """
    if X.ndim < min_ndim:
        raise ValueError(
            f"`{name}` must have at least {min_ndim} dimensions (n_samples, ...). "
            f"Got a tensor of shape {tuple(X.shape)} instead."
        )
    if X.shape[0] < 1:
        raise ValueError(f"`{name}` has 0 samples; at least 1 is required.")
    if X.dtype.is_complex or str(X.dtype) == "torch.bool":
        raise TypeError(f"`{name}` must hold real numbers. Got dtype {X.dtype}.")
    if X.dtype.is_floating_point and not bool(X.isfinite().all()):
        raise ValueError(f"`{name}` contains NaN or infinity.")
    return X


def check_not_lazy(X, *, name: str = "X") -> None:
    """Raise a TypeError naming ``name`` if ``X`` is a polars LazyFrame.

    A LazyFrame is a query, not rows: pruners need the rows in memory (as
    an eager polars DataFrame, which comes back as one).
    """
    if type(X).__module__.split(".")[0] == "polars" and type(X).__name__ in (
        "LazyFrame",
        "LazyGroupBy",
    ):
        raise TypeError(
            f"`{name}` is a polars LazyFrame, a query rather than rows; pruners "
            f"need the rows in memory. Pass `{name}.collect()` (an eager polars "
            f"DataFrame, returned as one by fit_resample)."
        )


def drop_column(X, column):
    """A pandas or polars DataFrame ``X`` without ``column`` (a new frame)."""
    if type(X).__module__.split(".")[0] == "polars":
        return X.drop(column)
    return X.drop(columns=[column])


#: sparse formats whose rows can be indexed directly
_ROW_INDEXABLE_SPARSE = ("csr", "csc", "lil")


def take_rows(X, indices: np.ndarray):
    """Rows ``indices`` of ``X``, in ``X``'s own type.

    numpy arrays, scipy sparse matrices and arrays of every format, pandas
    objects (index and dtypes kept), lists, tuples and torch tensors (on
    their own device) are supported. Sparse formats without row indexing
    (COO, DIA, BSR, DOK) go through CSR and come back in their own format.
    Dask arrays and DataFrames give lazy dask collections; lazy dask
    ``indices`` are computed for an in-memory ``X``.
    """
    if is_dask_collection(X):
        from ._dask import take_rows as take_dask_rows

        return take_dask_rows(X, indices)
    if is_dask_collection(indices):
        indices = np.asarray(indices.compute())
    if is_torch_tensor(X):
        import torch

        return X[torch.as_tensor(indices, device=X.device)]
    if sparse.issparse(X) and X.format not in _ROW_INDEXABLE_SPARSE:
        with warnings.catch_warnings():
            # the input's own format, however (in)efficient for these rows
            warnings.simplefilter("ignore", sparse.SparseEfficiencyWarning)
            return X.tocsr()[indices].asformat(X.format)
    if isinstance(X, tuple):
        return tuple(_safe_indexing(X, indices))
    return _safe_indexing(X, indices)


def n_rows(X) -> int:
    """Number of rows of an array-like, a sparse matrix or a tensor."""
    if is_dask_collection(X):
        from ._dask import n_rows as n_dask_rows

        return n_dask_rows(X)
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) > 0:
        return int(shape[0])
    return len(X)


#: the fit parameters that hold one value per row: cut with the rows (by a
#: Pipeline after a pruner, by EL2NPruner to a training fold); every other
#: parameter passes unchanged, whatever its length
PER_ROW_PARAMS = ("sample_weight", "groups")


#: constructor parameters that hold one value per row of the ``X`` given to
#: ``fit`` (a label-noise pruner's ``pred_probs``): cut with the rows wherever
#: a copy of the estimator is fitted on some of them (pruning_curve's folds,
#: choose_policy's pilot)
PER_ROW_INIT_PARAMS = ("pred_probs",)


def cut_per_row_init(estimator, indices, n_before: int) -> dict:
    """The per-row constructor parameters of ``estimator``, cut to ``indices``.

    Parameters
    ----------
    estimator : estimator
        Any estimator; parameters it lacks, or set to None, are left out.
    indices : ndarray of int
        Positions of the rows kept.
    n_before : int
        Number of rows the parameters describe.

    Returns
    -------
    params : dict
        For ``set_params`` on a copy of ``estimator``.
    """
    given = {k: getattr(estimator, k, None) for k in PER_ROW_INIT_PARAMS}
    given = {k: v for k, v in given.items() if v is not None}
    return cut_per_row(given, indices, n_before, names=PER_ROW_INIT_PARAMS)


def cut_per_row(
    params: dict, indices, n_before: int, names=PER_ROW_PARAMS, prefix: str = ""
) -> dict:
    """``params`` with the per-row ones (``names``) cut to the rows ``indices``.

    The one rule for "is this a per-row parameter": its name is in
    ``names``. A per-row value must have ``n_before`` rows.

    Parameters
    ----------
    params : dict
        Fit parameters.
    indices : ndarray of int
        Positions of the rows kept.
    n_before : int
        Number of rows the parameters describe.
    names : iterable of str, default=PER_ROW_PARAMS
        Names of the per-row parameters.
    prefix : str, default=""
        Shown before a parameter's name in error messages (``"clf__"``).

    Returns
    -------
    params : dict
        A new dict; the values of other parameters are the same objects.
    """
    out = dict(params)
    for key in set(names).intersection(params):
        value = params[key]
        if value is None:
            continue
        if n_rows(value) != n_before:
            raise ValueError(
                f"The per-row parameter {prefix}{key} has {n_rows(value)} values, "
                f"but there are {n_before} rows."
            )
        out[key] = take_rows(value, indices)
    return out

"""Turning rows into embeddings: one path for every pruner that takes ``embedding``."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from ._arrays import n_rows
from ._compat import HasMethods
from ._kinds import is_torch_tensor

__all__ = ["EMBEDDING_CONSTRAINT", "check_text", "embed"]

#: the ``_parameter_constraints`` entry of an ``embedding`` parameter
EMBEDDING_CONSTRAINT = [
    HasMethods(["fit_transform"]),
    HasMethods(["fit", "transform"]),
    callable,
    None,
]


def embed(embedding, X):
    """Embed the rows of ``X`` with ``embedding``; return the embedding and its fit.

    Parameters
    ----------
    embedding : transformer, callable or None
        None returns ``X`` itself. A scikit-learn transformer is cloned and
        fitted on ``X`` (``fit_transform``). A callable is called as
        ``embedding(X)``.
    X : array-like, tensor, text rows or other rows the embedding accepts
        The validated rows.

    Returns
    -------
    E : ndarray or torch.Tensor of shape (n_samples, n_embedding_features)
        One numeric row per row of ``X``.
    fitted : transformer or None
        The fitted clone, when ``embedding`` is a transformer.
    """
    if embedding is None:
        return X, None
    fitted = None
    if hasattr(embedding, "fit"):
        fitted = clone(embedding)
        if hasattr(fitted, "fit_transform"):
            E = fitted.fit_transform(X)
        else:
            E = fitted.fit(X).transform(X)
    else:
        E = embedding(X)
    if sp.issparse(E):
        raise TypeError(
            f"`embedding` returned a sparse matrix of shape {E.shape}; pruners "
            f"need dense embeddings. End the embedding with a dense reduction, "
            f"e.g. make_pipeline(TfidfVectorizer(), TruncatedSVD(128))."
        )
    if not is_torch_tensor(E):
        E = np.asarray(E)
        if E.dtype.kind not in "fiu":
            raise TypeError(f"`embedding` must return numbers; got dtype {E.dtype}.")
    if getattr(E, "ndim", None) != 2 or n_rows(E) != n_rows(X):
        raise ValueError(
            f"`embedding` must return a 2-D array with one row per sample "
            f"({n_rows(X)} rows). Got shape {tuple(getattr(E, 'shape', ()))}."
        )
    return E, fitted


def check_text(X, *, name: str = "X"):
    """Raise a TypeError naming ``name`` unless every row of ``X`` is a str.

    Parameters
    ----------
    X : list, 1-D ndarray or pandas Series
        Text rows, as recognised by :func:`is_text`.
    name : str, default="X"
        Name of the parameter, used in error messages.

    Returns
    -------
    X : same as X
        The same object, not copied.
    """
    values = X.tolist() if hasattr(X, "tolist") else X
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise TypeError(
                f"`{name}` mixes text and other values: row {i} is "
                f"{type(value).__name__} {value!r}; every row must be a str."
            )
    return X

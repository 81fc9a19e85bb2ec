"""Validation of image inputs for the torch backend."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np
import torch

_SHAPE_HELP = (
    "images of shape (n_samples, n_channels, height, width), e.g. "
    "X.reshape(-1, 1, 8, 8) for 8x8 grey images"
)


_TORCH_NATIVE = (
    np.uint8,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.float32,
    np.float64,
)


def check_images(X, *, name: str = "X") -> torch.Tensor:
    """Check that ``X`` is a non-empty 4-D numeric array and return it as a tensor.

    A numpy array becomes a CPU tensor that shares its memory (a read-only
    array is copied); a tensor is returned as it is, on its own device.
    Finiteness is checked later, on the compute device (see
    :func:`check_finite`), so that large arrays are not scanned twice.
    """
    if isinstance(X, torch.Tensor):
        T = X.detach()
        if T.is_complex() or T.dtype == torch.bool:
            raise TypeError(
                f"`{name}` must hold real numbers; got a tensor of dtype {T.dtype}."
            )
    else:
        if hasattr(X, "toarray") or hasattr(X, "tocsr"):
            raise TypeError(f"`{name}` must be a dense array; got {type(X).__name__}.")
        try:
            A = np.asarray(X)
        except (TypeError, ValueError) as e:
            raise TypeError(f"`{name}` could not be read as an array: {e}") from e
        if A.dtype.kind not in "fiu":
            raise TypeError(
                f"`{name}` must hold real numbers (float or integer); got dtype "
                f"{A.dtype}."
            )
        if A.dtype.type not in _TORCH_NATIVE:
            A = A.astype(np.float32)
        if not A.flags.c_contiguous or not A.flags.writeable:
            A = np.ascontiguousarray(A) if A.flags.writeable else A.copy(order="C")
        if A.dtype.byteorder not in "=|":
            A = A.astype(A.dtype.newbyteorder("="))
        T = torch.from_numpy(A)
    if T.ndim != 4:
        raise ValueError(
            f"`{name}` must be 4-D {_SHAPE_HELP}; got shape {tuple(T.shape)}."
        )
    if T.shape[0] == 0:
        raise ValueError(f"`{name}` has 0 samples; at least 1 is required.")
    if 0 in T.shape[1:]:
        raise ValueError(f"`{name}` has an empty image shape {tuple(T.shape[1:])}.")
    return T


def check_finite(T: torch.Tensor, *, name: str = "X") -> None:
    """Raise ValueError if a tensor holds NaN or infinity (one device sync)."""
    if T.is_floating_point() and not bool(torch.isfinite(T).all()):
        raise ValueError(f"`{name}` contains NaN or infinity.")


def check_same_image_shape(T: torch.Tensor, fitted_shape, owner: str) -> None:
    """Raise ValueError if images differ in shape from the fitted ones."""
    shape = tuple(T.shape[1:])
    if shape != tuple(fitted_shape):
        raise ValueError(
            f"X has images of shape {shape} but {owner} was fitted on images of "
            f"shape {tuple(fitted_shape)}."
        )

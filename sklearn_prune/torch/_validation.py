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
    if looks_channels_last(tuple(T.shape)):
        raise ValueError(
            f"`{name}` of shape {tuple(T.shape)} looks channels-last (n_samples, "
            f"height, width, channels), but the torch backend reads "
            f"{_SHAPE_HELP}. Move the channels first: "
            f"{name}.permute(0, 3, 1, 2) for a tensor, "
            f"np.transpose({name}, (0, 3, 1, 2)) for an array."
        )
    if T.shape[0] == 0:
        raise ValueError(f"`{name}` has 0 samples; at least 1 is required.")
    if 0 in T.shape[1:]:
        raise ValueError(f"`{name}` has an empty image shape {tuple(T.shape[1:])}.")
    return T


def looks_channels_last(shape: tuple) -> bool:
    """Whether image ``shape`` (n, a, b, c) is (n, height, width, channels).

    True when the last axis is as short as a channel axis (1, 3 or 4) while
    the two before it are as long as an image's sides (more than 4) and the
    second axis, read as channels, would be more than 4.
    """
    _, first, second, last = shape
    return last in (1, 3, 4) and first > 4 and second > 4


#: largest float32: float64 images beyond it overflow on the way to the models
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_finite(T: torch.Tensor, *, name: str = "X", was_float64=False) -> None:
    """Raise ValueError if images hold NaN, infinity or values beyond float32.

    Models run in float32, so a float64 tensor must hold values within
    float32's range (one device sync); ``was_float64`` says the tensor was
    float64 before being cast to float32 (an overflow then shows as infinity).
    """
    if not T.is_floating_point():
        return
    if T.dtype == torch.float64:
        if bool((T.abs() <= _FLOAT32_MAX).all()):
            return
        if bool(torch.isfinite(T).all()):
            raise ValueError(_beyond_float32(name, float(T.abs().max())))
        raise ValueError(f"`{name}` contains NaN or infinity.")
    if not bool(torch.isfinite(T).all()):
        if was_float64:
            raise ValueError(
                f"`{name}` contains NaN or infinity, or float64 values beyond "
                f"float32's range. " + _beyond_float32(name, None)
            )
        raise ValueError(f"`{name}` contains NaN or infinity.")


def _beyond_float32(name: str, largest) -> str:
    got = "" if largest is None else f"`{name}` holds values up to {largest:.3g}; "
    text = (
        f"{got}the models run in float32, whose largest value is "
        f"{_FLOAT32_MAX:.3g}: rescale the images (e.g. divide by their largest "
        f"magnitude)."
    )
    return text[0].upper() + text[1:]


def check_same_image_shape(T: torch.Tensor, fitted_shape, owner: str) -> None:
    """Raise ValueError if images differ in shape from the fitted ones."""
    shape = tuple(T.shape[1:])
    if shape != tuple(fitted_shape):
        raise ValueError(
            f"X has images of shape {shape} but {owner} was fitted on images of "
            f"shape {tuple(fitted_shape)}."
        )

"""Moving images to the compute device and cutting them into batches."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import torch

from .._rows import chunks
from ._device import fits_on_device
from ._validation import check_finite


def stage(X: torch.Tensor, device: torch.device, *, name: str = "X") -> torch.Tensor:
    """Put ``X`` on ``device`` when it fits there, and check it is finite.

    float64 becomes float32 on the way; integer images (e.g. uint8) keep their
    compact dtype and are cast batch by batch. Data too large for the device
    stays on the CPU and is streamed by :func:`batch`.
    """
    was_float64 = X.dtype == torch.float64
    if X.device != device:
        itemsize = 4 if was_float64 else X.element_size()
        if fits_on_device(X.numel() * itemsize, device):
            dtype = torch.float32 if was_float64 else X.dtype
            X = X.to(device, dtype=dtype)
    check_finite(X, name=name, was_float64=was_float64)
    return X


def batch(X: torch.Tensor, index, device: torch.device) -> torch.Tensor:
    """Rows ``index`` (a slice or an index tensor) of ``X`` as float32 on ``device``.

    The batch never shares memory with ``X``, which may be the caller's own
    array: it is handed to user modules, and an in-place layer (such as
    ``ReLU(inplace=True)``) must not write into the caller's data.
    """
    if X.device != device:
        if isinstance(index, torch.Tensor):
            index = index.cpu()
        return X[index].to(device, non_blocking=True).float()
    rows = X[index].float()
    # a slice of a float32 X is a view of it: copy
    return (
        rows.clone()
        if rows.untyped_storage().data_ptr() == X.untyped_storage().data_ptr()
        else rows
    )


def batch_slices(n: int, batch_size: int):
    """Consecutive slices of at most ``batch_size`` rows (-1 means all rows)."""
    for start, stop in chunks(n, n if batch_size == -1 else batch_size):
        yield slice(start, stop)


def shuffled_batches(n: int, batch_size: int, generator: torch.Generator):
    """Index tensors of a random permutation, cut into training batches.

    A last batch of a single row is dropped (batch norm cannot train on it)
    unless it is the only one.
    """
    size = n if batch_size == -1 else batch_size
    perm = torch.randperm(n, generator=generator, device=generator.device)
    for start in range(0, n, size):
        idx = perm[start : start + size]
        if len(idx) == 1 and n > 1:
            return
        yield idx


def channel_stats(
    X: torch.Tensor, chunk: int = 4096
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean and standard deviation of images, computed by chunks."""
    acc = torch.float32 if X.device.type == "mps" else torch.float64
    total = torch.zeros(X.shape[1], dtype=acc, device=X.device)
    squares = torch.zeros_like(total)
    for sl in batch_slices(X.shape[0], chunk):
        xb = X[sl].to(acc)
        total += xb.sum(dim=(0, 2, 3))
        squares += (xb * xb).sum(dim=(0, 2, 3))
    count = X.shape[0] * X.shape[2] * X.shape[3]
    mean = total / count
    var = (squares / count - mean * mean).clamp_min(0)
    std = var.sqrt()
    std = torch.where(std > 1e-6 * mean.abs().clamp_min(1), std, torch.ones_like(std))
    return mean.float(), std.float()

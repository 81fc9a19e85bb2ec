"""Batched image augmentations for contrastive training, in plain torch."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import torch
from torch.nn import functional as F


def random_crop(x: torch.Tensor, padding: int, generator: torch.Generator):
    """Zero-pad each image by ``padding`` and crop it back at a random offset."""
    if padding <= 0:
        return x
    n, _, h, w = x.shape
    padded = F.pad(x, (padding, padding, padding, padding))
    dy = torch.randint(2 * padding + 1, (n, 1), generator=generator, device=x.device)
    dx = torch.randint(2 * padding + 1, (n, 1), generator=generator, device=x.device)
    rows = dy + torch.arange(h, device=x.device)  # (n, h)
    cols = dx + torch.arange(w, device=x.device)  # (n, w)
    images = torch.arange(n, device=x.device)[:, None, None]
    # Advanced indices around a slice: the result is (n, h, w, channels).
    crops = padded[images, :, rows[:, :, None], cols[:, None, :]]
    return crops.permute(0, 3, 1, 2).contiguous()


def random_flip(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Mirror each image left-right with probability 1/2."""
    flip = torch.rand(x.shape[0], generator=generator, device=x.device) < 0.5
    return torch.where(flip[:, None, None, None], x.flip(3), x)


def jitter(x: torch.Tensor, brightness: float, noise: float, generator):
    """Random per-image contrast and brightness, plus Gaussian pixel noise.

    ``x`` is assumed standardised (zero mean, unit variance per channel), so
    both amounts are in units of the data's standard deviation.
    """
    n = x.shape[0]
    if brightness > 0:
        u = torch.rand((2, n, 1, 1, 1), generator=generator, device=x.device) * 2 - 1
        x = x * (1 + brightness * u[0]) + brightness * u[1]
    if noise > 0:
        x = x + noise * torch.randn(
            x.shape, generator=generator, device=x.device, dtype=x.dtype
        )
    return x


def augment(
    x: torch.Tensor,
    generator: torch.Generator,
    *,
    padding: int,
    flip: bool,
    brightness: float,
    noise: float,
) -> torch.Tensor:
    """One random view of each image of a standardised batch."""
    x = random_crop(x, padding, generator)
    if flip:
        x = random_flip(x, generator)
    return jitter(x, brightness, noise, generator)

"""Small ResNet-style networks for image tensors, written in plain torch."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["ResNet", "resnet18"]


class Standardize(nn.Module):
    """Per-channel ``(x - mean) / std`` with the statistics as buffers."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor):
        super().__init__()
        self.register_buffer("mean", mean.reshape(1, -1, 1, 1).clone())
        self.register_buffer("std", std.reshape(1, -1, 1, 1).clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


class _BasicBlock(nn.Module):
    """Two 3x3 convolutions with batch norm and an identity (or 1x1) shortcut."""

    def __init__(self, in_width: int, width: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(in_width, width, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_width != width:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_width, width, 1, stride, bias=False), nn.BatchNorm2d(width)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    """A ResNet for small images (3x3 stem, no max-pool, global average pool).

    Suited to 32x32-ish inputs (CIFAR-style); any height and width work.

    Parameters
    ----------
    in_channels : int, default=3
        Channels of the input images.
    widths : sequence of int, default=(32, 64, 128)
        Channels of each stage; every stage after the first halves the
        resolution.
    blocks : sequence of int, default=(1, 1, 1)
        Residual blocks per stage.
    n_outputs : int or None, default=None
        Size of a final linear layer (e.g. the number of classes). None
        returns the pooled features, of size ``widths[-1]``.

    Attributes
    ----------
    n_features : int
        Size of the output of :meth:`forward`.

    Examples
    --------
    >>> import torch
    >>> from sklearn_prune.torch import ResNet
    >>> net = ResNet(in_channels=1, widths=(8, 16), blocks=(1, 1))
    >>> net(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 16])
    """

    def __init__(
        self,
        in_channels: int = 3,
        widths: Sequence[int] = (32, 64, 128),
        blocks: Sequence[int] = (1, 1, 1),
        n_outputs: int | None = None,
    ):
        super().__init__()
        if len(widths) != len(blocks) or not widths:
            raise ValueError(
                "`widths` and `blocks` must be non-empty and equally long."
            )
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(inplace=True),
        )
        layers, in_width = [], widths[0]
        for stage, (width, n_blocks) in enumerate(zip(widths, blocks, strict=True)):
            for b in range(n_blocks):
                stride = 2 if stage > 0 and b == 0 else 1
                layers.append(_BasicBlock(in_width, width, stride))
                in_width = width
        self.stages = nn.Sequential(*layers)
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Linear(in_width, n_outputs) if n_outputs else nn.Identity()
        self.n_features = n_outputs or in_width

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.stages(self.stem(x))))


def resnet18(in_channels: int = 3, n_outputs: int | None = None) -> ResNet:
    """A ResNet-18-shaped network for 32x32 images (11M parameters).

    Stages of 64, 128, 256 and 512 channels with two basic blocks each, a
    3x3 stem and no max-pool (the CIFAR variant of ResNet-18).

    Parameters
    ----------
    in_channels : int, default=3
        Channels of the input images.
    n_outputs : int or None, default=None
        Size of a final linear layer; None returns 512 pooled features.

    Returns
    -------
    net : ResNet
        A freshly initialised network (uses torch's global generator, like
        any torch layer).

    Examples
    --------
    >>> from sklearn_prune.torch import resnet18
    >>> sum(p.numel() for p in resnet18(n_outputs=10).parameters())
    11173962
    """
    return ResNet(in_channels, (64, 128, 256, 512), (2, 2, 2, 2), n_outputs)


def init_weights(module: nn.Module, generator: torch.Generator) -> nn.Module:
    """Initialise conv, linear and batch-norm layers from ``generator``, in place.

    Kaiming-normal convolutions, PyTorch-default linear layers, unit batch-norm
    scales; running statistics are reset. Touches no global random state.
    """
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.Conv2d):
                # Kaiming normal, fan-out mode, for ReLU networks.
                fan_out = m.out_channels * m.kernel_size[0] * m.kernel_size[1]
                m.weight.normal_(0.0, math.sqrt(2.0 / fan_out), generator=generator)
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.Linear):
                bound = 1 / math.sqrt(m.in_features)
                m.weight.uniform_(-bound, bound, generator=generator)
                if m.bias is not None:
                    m.bias.uniform_(-bound, bound, generator=generator)
            elif isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.reset_parameters()
    return module


def build_seeded(factory, seed: int) -> nn.Module:
    """Call ``factory()`` without touching torch's global generator, then seed it.

    The module is created on the meta device (no memory, no random draws),
    materialised on the CPU and initialised by :func:`init_weights`.
    """
    with torch.device("meta"):
        module = factory()
    module = module.to_empty(device="cpu")
    generator = torch.Generator().manual_seed(int(seed))
    return init_weights(module, generator)

"""Torch backend: image embedders, a contrastive encoder, a CNN probe, GPU k-means.

Everything here takes images of shape (n_samples, channels, height, width), as
numpy arrays or torch tensors, and runs on a GPU when one is available
(``device="auto"``) or on the CPU. Requires the optional ``torch`` extra::

    pip install -e ".[torch]"     # from a clone of the repository

``import sklearn_prune`` never imports torch; importing this subpackage does.
"""

# SPDX-License-Identifier: BSD-3-Clause

try:
    import torch  # noqa: F401
except ImportError as e:  # pragma: no cover - exercised without torch only
    raise ImportError(
        "sklearn_prune.torch requires torch. Install it with "
        '`pip install -e ".[torch]"` from a clone of the repository (for a '
        "particular build of torch, CPU-only or for your CUDA version, install "
        "torch first following https://pytorch.org/get-started/)."
    ) from e

from ._contrastive import ContrastiveEncoder
from ._device import resolve_device
from ._dynamic_pruning import DynamicPruningSampler
from ._embedders import TorchEmbedder
from ._kmeans import spherical_kmeans_torch
from ._nets import ResNet, resnet18
from ._probe import ProbeClassifier

__all__ = [
    "ContrastiveEncoder",
    "DynamicPruningSampler",
    "ProbeClassifier",
    "ResNet",
    "TorchEmbedder",
    "resnet18",
    "resolve_device",
    "spherical_kmeans_torch",
]

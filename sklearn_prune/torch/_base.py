"""Pieces shared by the torch estimators: pickling, seeds, batched inference."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import copy
from contextlib import nullcontext

import torch
from torch import nn

from .._progress import ProgressBar
from ._data import batch, batch_slices, channel_stats, shuffled_batches, stage
from ._device import autocast, eval_mode, fits_on_device, module_device
from ._nets import Standardize, build_seeded


class TorchEstimatorMixin:
    """Pickle fitted torch modules on the CPU and drop optimizer state."""

    def __getstate__(self):
        state = super().__getstate__()
        state = dict(state)
        state.pop("_optimizer", None)
        for key, value in state.items():
            if key.endswith("_") and isinstance(value, nn.Module):
                device = module_device(value)
                if device is not None and device.type != "cpu":
                    state[key] = copy.deepcopy(value).cpu()
        return state


def place_module(module: nn.Module, device: torch.device, *, owned: bool):
    """``module`` on ``device``: moved if ``owned``, else copied when it must move."""
    current = module_device(module)
    if current is None or current == device:
        return module
    if not owned:
        module = copy.deepcopy(module)
    return module.to(device)


def progress(iterable, *, verbose, desc: str, total: int | None = None):
    """A progress bar over ``iterable`` when ``verbose`` (tqdm, or plain lines)."""
    if not verbose:
        return iterable
    return ProgressBar(iterable, total=total, desc=desc)


def make_optimizer(name: str, params, lr: float, weight_decay: float):
    """The optimizer called ``name`` ("adam", "adamw" or "sgd" with momentum)."""
    if name == "sgd":
        return torch.optim.SGD(
            params, lr=lr, momentum=0.9, nesterov=True, weight_decay=weight_decay
        )
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)


def check_2d_output(out, n_rows: int, *, what: str):
    """Raise ValueError unless ``out`` is a 2-D tensor with ``n_rows`` rows."""
    shape = tuple(out.shape) if isinstance(out, torch.Tensor) else None
    ok = shape is not None and len(shape) == 2 and shape[0] == n_rows
    if not ok:
        got = f"shape {shape}" if shape is not None else f"a {type(out).__name__}"
        raise ValueError(
            f"{what} must return a 2-D tensor of shape (batch_size, n_features); "
            f"got {got} for a batch of {n_rows} images. End the module with a "
            "pooling and flattening layer, e.g. torch.nn.Flatten()."
        )


def standardized_network(
    X: torch.Tensor,
    module,
    default_factory,
    seed: int,
    *,
    device: torch.device,
    mixed_precision: bool,
):
    """Per-channel standardisation of ``X`` followed by the network to train.

    The network is a deep copy of the user's ``module`` (never modified), or
    ``default_factory()`` initialised from ``seed`` when ``module`` is None.
    Returns the module on ``device`` and its output width, checked to be 2-D.
    """
    mean, std = channel_stats(X)
    if module is None:
        net = build_seeded(default_factory, seed)
    else:
        net = copy.deepcopy(module)
    full = nn.Sequential(Standardize(mean, std), net).to(device)
    out = forward_batches(
        full,
        X[:2],
        device=device,
        batch_size=2,
        mixed_precision=mixed_precision,
        what="`module`",
    )
    return full, int(out.shape[1])


def forward_batches(
    module,
    X: torch.Tensor,
    *,
    device: torch.device,
    batch_size: int,
    mixed_precision: bool,
    output: str = "numpy",
    verbose=False,
    desc: str = "embed",
    what: str = "`module`",
    post=None,
):
    """Run ``module`` over ``X`` by batches, without gradients, in eval mode.

    Returns a float32 numpy array, or a float32 tensor on ``device`` when
    ``output="torch"``. Results are gathered on the device when they fit there
    and copied to the host once, so batches do not wait on each other.
    """
    X = stage(X, device)
    n = X.shape[0]
    out = None
    mode = eval_mode(module) if isinstance(module, nn.Module) else nullcontext()
    slices = list(batch_slices(n, batch_size))
    with mode, torch.inference_mode(), autocast(device, mixed_precision):
        for sl in progress(slices, verbose=verbose, desc=desc):
            z = module(batch(X, sl, device))
            if out is None:
                check_2d_output(z, sl.stop - sl.start, what=what)
                out = _output_buffer(n, z.shape[1], device, output)
            if post is not None:
                z = post(z)
            out[sl] = z.float()
    if output == "torch":
        return out.to(device)
    return out.cpu().numpy()


def _output_buffer(n: int, d: int, device: torch.device, output: str):
    """A float32 (n, d) buffer on the device when it fits (or is asked for)."""
    on_device = output == "torch" or fits_on_device(4 * n * d, device, 0.2)
    with torch.inference_mode(False):
        return torch.empty(
            (n, d), dtype=torch.float32, device=device if on_device else "cpu"
        )


def run_epochs(
    step,
    n: int,
    *,
    epochs: int,
    batch_size: int,
    generator,
    verbose=False,
    desc: str = "train",
) -> list[float]:
    """Call ``step(index)`` on shuffled batches for ``epochs`` epochs.

    ``step`` does one optimisation step and returns the batch loss (a tensor).
    Losses are summed on the device; the host waits once per epoch. Returns
    the mean loss of each epoch.
    """
    curve = []
    bar = progress(range(epochs), verbose=verbose, desc=desc)
    for _ in bar:
        total, count = None, 0
        for index in shuffled_batches(n, batch_size, generator):
            loss = step(index).detach()
            total = loss if total is None else total + loss
            count += 1
        curve.append(float(total) / count)
        if verbose:
            bar.set_postfix(loss=f"{curve[-1]:.4f}")
    return curve

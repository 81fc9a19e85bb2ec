"""Device resolution and device-side helpers for the torch backend."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from contextlib import contextmanager, nullcontext

import torch

__all__ = ["resolve_device"]

_DEVICE_HELP = (
    "Use 'auto' (CUDA when available, else the CPU), 'cpu', 'cuda', "
    "'cuda:<index>' or a torch.device."
)


def resolve_device(device) -> torch.device:
    """Turn a ``device`` parameter into an available :class:`torch.device`.

    Parameters
    ----------
    device : str, torch.device or None
        ``"auto"`` (or None) picks ``"cuda"`` when CUDA is available and the
        CPU otherwise. Anything else must name a device that exists here.

    Returns
    -------
    device : torch.device
        The resolved device.

    Raises
    ------
    ValueError
        If the string is not a device name, or names a device that this
        machine does not have (e.g. ``"cuda"`` without CUDA).

    Examples
    --------
    >>> from sklearn_prune.torch import resolve_device
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if device is None or (isinstance(device, str) and device == "auto"):
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if not isinstance(device, (str, torch.device)):
        raise ValueError(
            f"`device` must be a string or a torch.device; got "
            f"{device!r}. {_DEVICE_HELP}"
        )
    try:
        dev = torch.device(device)
    except (RuntimeError, ValueError) as e:
        raise ValueError(f"`device`={device!r} is not a device. {_DEVICE_HELP}") from e
    if dev.type == "cpu":
        return dev
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"`device`={device!r} was requested but CUDA is not available "
                f"(torch {torch.__version__}). Use device='auto' or 'cpu'."
            )
        count = torch.cuda.device_count()
        if dev.index is not None and dev.index >= count:
            raise ValueError(
                f"`device`={device!r} does not exist: this machine has {count} "
                f"CUDA device(s) (indices 0 to {count - 1})."
            )
        if dev.index is None:
            dev = torch.device("cuda", torch.cuda.current_device())
        return dev
    backend = getattr(torch, dev.type, None)
    if dev.type == "mps":
        backend = getattr(torch.backends, "mps", None)
    is_available = getattr(backend, "is_available", None)
    if dev.type != "meta" and callable(is_available) and is_available():
        return dev
    raise ValueError(
        f"`device`={device!r} is not available on this machine. {_DEVICE_HELP}"
    )


def autocast(device: torch.device, enabled: bool):
    """bfloat16 mixed precision on CUDA when ``enabled``; a no-op elsewhere."""
    if enabled and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()


def make_generator(device: torch.device, seed: int) -> torch.Generator:
    """A :class:`torch.Generator` on ``device`` seeded with ``seed``."""
    gen = torch.Generator(device=device)
    gen.manual_seed(int(seed))
    return gen


def fits_on_device(nbytes: int, device: torch.device, fraction: float = 0.4) -> bool:
    """Whether ``nbytes`` of data may live on ``device`` for a whole fit."""
    if device.type != "cuda":
        return True
    free, _ = torch.cuda.mem_get_info(device)
    return nbytes <= fraction * free


def module_device(module) -> torch.device | None:
    """The device of a module's first parameter or buffer (None if it has none)."""
    for tensor in _tensors(module):
        return tensor.device
    return None


def _tensors(module):
    yield from module.parameters()
    yield from module.buffers()


@contextmanager
def eval_mode(module):
    """Put ``module`` in eval mode for the block, restoring each submodule's mode."""
    modes = [(m, m.training) for m in module.modules()]
    module.eval()
    try:
        yield module
    finally:
        for m, training in modes:
            m.training = training

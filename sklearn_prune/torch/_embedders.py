"""TorchEmbedder: features of a user's pretrained torch module."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from numbers import Integral

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .._compat import Interval, Options, StrOptions, _fit_context
from ._base import TorchEstimatorMixin, forward_batches, place_module
from ._device import resolve_device
from ._validation import check_images

__all__ = ["TorchEmbedder"]


class TorchEmbedder(TorchEstimatorMixin, TransformerMixin, BaseEstimator):
    """Embed images with a pretrained torch module, as a scikit-learn transformer.

    ``transform`` runs the module over the images by batches, in eval mode,
    without gradients, with bfloat16 mixed precision on a GPU. Use it as
    ``PrototypePruner(embedding=TorchEmbedder(module=net))``.

    Parameters
    ----------
    module : torch.nn.Module or callable
        Maps a float32 batch of shape (batch_size, channels, height, width) on
        ``device`` to features of shape (batch_size, n_features), e.g. a
        pretrained network with its classification head removed. Images are
        passed as they are (apply the network's own normalisation inside the
        module). A module on another device is copied to ``device``; it is
        never modified.
    batch_size : int, default=256
        Images per forward pass; -1 means all at once.
    device : str or torch.device, default="auto"
        ``"auto"`` uses CUDA when available and the CPU otherwise; or
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, a :class:`torch.device`. A device
        that does not exist raises ValueError in ``fit``.
    mixed_precision : bool, default=True
        Run the module under bfloat16 autocast on CUDA (ignored on the CPU).
    output : {"numpy", "torch"}, default="numpy"
        What ``transform`` returns: a float32 numpy array, or a float32 tensor
        on ``device``. With ``"torch"``, :class:`~sklearn_prune.PrototypePruner`
        runs k-means on that device and the embeddings never round-trip
        through host memory.
    verbose : bool, default=False
        Show a tqdm progress bar over batches.

    Attributes
    ----------
    module_ : torch.nn.Module or callable
        The module used by ``transform``, on ``device``.
    device_ : torch.device
        The device resolved in ``fit``.
    input_shape_ : tuple of int
        Shape (channels, height, width) of the images seen in ``fit``.
    n_features_out_ : int
        Number of embedding features.

    See Also
    --------
    ContrastiveEncoder : Trains its own encoder on the images (no weights needed).

    Examples
    --------
    >>> import torch
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_prune.torch import TorchEmbedder
    >>> X = load_digits().images[:, None].astype("float32")   # (1797, 1, 8, 8)
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.Flatten())
    >>> TorchEmbedder(module=net, device="cpu").fit_transform(X).shape
    (1797, 144)
    """

    _parameter_constraints: dict = {
        "module": [callable, None],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            Options(Integral, {-1}),
        ],
        "device": "no_validation",
        "mixed_precision": ["boolean"],
        "output": [StrOptions({"numpy", "torch"})],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        module=None,
        batch_size=256,
        device="auto",
        mixed_precision=True,
        output="numpy",
        verbose=False,
    ):
        self.module = module
        self.batch_size = batch_size
        self.device = device
        self.mixed_precision = mixed_precision
        self.output = output
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the images and the module, and place the module on the device.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, channels, height, width)
            Images, any real dtype.
        y : None
            Ignored.

        Returns
        -------
        self : TorchEmbedder
            The fitted embedder.
        """
        if self.module is None:
            raise ValueError(
                "`module` is required: pass the torch.nn.Module that maps images "
                "to features, e.g. TorchEmbedder(module=net)."
            )
        device = resolve_device(self.device)
        T = check_images(X)
        module = self.module
        if isinstance(module, nn.Module):
            module = place_module(module, device, owned=False)
        self.module_ = module
        self.device_ = device
        self.input_shape_ = tuple(T.shape[1:])
        sample = T[:2]
        features = forward_batches(
            module,
            sample,
            device=device,
            batch_size=2,
            mixed_precision=self.mixed_precision,
            what="`module`",
        )
        self.n_features_out_ = int(features.shape[1])
        return self

    def transform(self, X):
        """Embed images.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, channels, height, width)
            Images, any real dtype.

        Returns
        -------
        E : ndarray or torch.Tensor of shape (n_samples, `n_features_out_`)
            float32 features: numpy, or a tensor on ``device`` when
            ``output="torch"``.
        """
        check_is_fitted(self)
        return _transform(self, X)


def _transform(est, X):
    """Shared ``transform``: validate, re-resolve the device, run the module."""
    T = check_images(X)
    device = resolve_device(est.device)
    module = est.module_
    if isinstance(module, nn.Module):
        # Our fitted copy may move (e.g. after unpickling on another machine).
        module = place_module(module, device, owned=module is not est.module)
        est.module_ = module
    return forward_batches(
        module,
        T,
        device=device,
        batch_size=est.batch_size,
        mixed_precision=est.mixed_precision,
        output=est.output,
        verbose=est.verbose,
        desc=f"{type(est).__name__}.transform",
    )

"""ContrastiveEncoder: a SimCLR-style encoder trained on the images themselves."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from numbers import Integral, Real

import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, check_random_state
from torch import nn
from torch.nn import functional as F

from .._compat import HasMethods, Interval, Options, StrOptions, _fit_context
from .._seeding import draw_seeds
from ._augment import augment
from ._base import (
    TorchEstimatorMixin,
    forward_batches,
    make_optimizer,
    run_epochs,
    standardized_network,
)
from ._data import batch, stage
from ._device import autocast, make_generator, resolve_device
from ._embedders import _transform
from ._nets import ResNet, build_seeded
from ._validation import check_images, check_same_image_shape

__all__ = ["ContrastiveEncoder", "info_nce"]


def info_nce(z: torch.Tensor, temperature: float) -> torch.Tensor:
    """InfoNCE (NT-Xent) loss of ``2n`` projections, rows ``i`` and ``n + i`` paired."""
    z = F.normalize(z.float(), dim=1)
    n = z.shape[0] // 2
    logits = (z @ z.T) / temperature
    self_pairs = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    logits = logits.masked_fill(self_pairs, float("-inf"))
    partner = torch.arange(2 * n, device=z.device).roll(n)
    return F.cross_entropy(logits, partner)


class ContrastiveEncoder(TorchEstimatorMixin, TransformerMixin, BaseEstimator):
    """Self-supervised image encoder (SimCLR-style), as a scikit-learn transformer.

    ``fit`` trains an encoder on the unlabeled images themselves, so no
    pretrained weights are needed: each batch is seen as two random views
    (crop with padding, horizontal flip, brightness/contrast jitter, pixel
    noise), and the InfoNCE loss pulls the two views of an image together
    and pushes other images away. ``transform`` returns the encoder's
    features (before the projection head). With
    ``PrototypePruner(embedding=ContrastiveEncoder())`` this is the
    self-supervised prototype metric of Sorscher et al. (2022) end to end:
    train encoder, embed, k-means, distance to prototype.

    Images are standardised per channel with statistics from ``fit``;
    augmentations act on the standardised images, on ``device``, drawn from a
    :class:`torch.Generator` seeded from ``random_state``.

    Parameters
    ----------
    module : torch.nn.Module or None, default=None
        Encoder mapping standardised images (batch, channels, height, width)
        to features (batch, n_features). It is copied, never modified, and
        trained from its current weights. None builds
        ``ResNet(in_channels, widths=(32, 64, 128), blocks=(1, 1, 1))``, a small
        ResNet suited to 32x32-ish images, initialised from ``random_state``.
    projection_dim : int, default=64
        Output size of the two-layer projection head used only in training.
    temperature : float, default=0.2
        Softmax temperature of the InfoNCE loss.
    epochs : int, default=10
        Passes over the images.
    batch_size : int, default=256
        Images per step (each seen twice); -1 means all at once. Also the
        batch size of ``transform``.
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=1e-4
        Weight decay.
    optimizer : {"adamw", "adam", "sgd"}, default="adamw"
        Optimizer ("sgd" uses Nesterov momentum 0.9).
    crop_padding : int or None, default=None
        Padding (pixels) of the random crop; None uses ``max(1, height // 8)``
        (4 for 32x32 images). 0 disables cropping.
    flip : bool, default=True
        Random horizontal flips.
    brightness : float, default=0.2
        Strength of the random per-image contrast and brightness change, in
        standard deviations.
    noise : float, default=0.1
        Standard deviation of the Gaussian pixel noise, in standard deviations.
    device : str or torch.device, default="auto"
        ``"auto"`` uses CUDA when available and the CPU otherwise; or
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, a :class:`torch.device`. A device
        that does not exist raises ValueError in ``fit``. The images stay on
        the device for all epochs when they fit in its memory.
    mixed_precision : bool, default=True
        Train and embed under bfloat16 autocast on CUDA (ignored on the CPU).
    output : {"numpy", "torch"}, default="numpy"
        What ``transform`` returns: a float32 numpy array, or a float32 tensor
        on ``device``. With ``"torch"``, :class:`~sklearn_prune.PrototypePruner`
        runs k-means on that device without a round trip through host memory.
    random_state : int, RandomState instance or None, default=None
        Seeds the default encoder's initialisation, the shuffling and the
        augmentations (torch generators; the global torch seed is untouched).
        Results are reproducible on the CPU; GPU kernels may add small
        differences.
    verbose : bool, default=False
        Show tqdm progress bars for training (per epoch) and embedding.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained encoder, with the standardisation as its first layer: it
        maps raw images to features.
    input_shape_ : tuple of int
        Shape (channels, height, width) of the training images.
    n_features_out_ : int
        Number of embedding features.
    loss_curve_ : list of float
        Mean InfoNCE loss of each epoch.

    See Also
    --------
    TorchEmbedder : Features of a pretrained module.
    sklearn_prune.PrototypePruner : The prototype metric on these features.

    References
    ----------
    .. [1] Chen, Kornblith, Norouzi, Hinton. "A Simple Framework for
       Contrastive Learning of Visual Representations". ICML 2020.
    .. [2] Sorscher, Geirhos, Shekhar, Ganguli, Morcos. "Beyond neural scaling
       laws: beating power law scaling via data pruning". NeurIPS 2022.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_prune import PrototypePruner
    >>> from sklearn_prune.torch import ContrastiveEncoder, ResNet
    >>> X = load_digits().images[:500, None]          # (500, 1, 8, 8)
    >>> encoder = ContrastiveEncoder(
    ...     module=ResNet(in_channels=1, widths=(8, 16), blocks=(1, 1)),
    ...     epochs=1, device="cpu", random_state=0)
    >>> encoder.fit_transform(X).shape
    (500, 16)
    >>> pruner = PrototypePruner(keep=0.5, embedding=encoder, n_clusters=10,
    ...                          random_state=0).fit(X)
    >>> pruner.sample_indices_.shape
    (250,)
    """

    _parameter_constraints: dict = {
        "module": [HasMethods(["forward", "parameters"]), None],
        "projection_dim": [Interval(Integral, 1, None, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [
            Interval(Integral, 2, None, closed="left"),
            Options(Integral, {-1}),
        ],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "optimizer": [StrOptions({"adamw", "adam", "sgd"})],
        "crop_padding": [Interval(Integral, 0, None, closed="left"), None],
        "flip": ["boolean"],
        "brightness": [Interval(Real, 0, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "device": "no_validation",
        "mixed_precision": ["boolean"],
        "output": [StrOptions({"numpy", "torch"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        module=None,
        projection_dim=64,
        temperature=0.2,
        epochs=10,
        batch_size=256,
        lr=1e-3,
        weight_decay=1e-4,
        optimizer="adamw",
        crop_padding=None,
        flip=True,
        brightness=0.2,
        noise=0.1,
        device="auto",
        mixed_precision=True,
        output="numpy",
        random_state=None,
        verbose=False,
    ):
        self.module = module
        self.projection_dim = projection_dim
        self.temperature = temperature
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.optimizer = optimizer
        self.crop_padding = crop_padding
        self.flip = flip
        self.brightness = brightness
        self.noise = noise
        self.device = device
        self.mixed_precision = mixed_precision
        self.output = output
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the encoder on unlabeled images.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, channels, height, width)
            Images, any real dtype (e.g. uint8 or float32). A tensor is used on
            its own device if that is ``device``.
        y : None
            Ignored.

        Returns
        -------
        self : ContrastiveEncoder
            The fitted encoder.
        """
        self._fit(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Train the encoder and embed the training images.

        Same as ``fit(X).transform(X)``, with the images moved to the device
        once.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, channels, height, width)
            Images, any real dtype.
        y : None
            Ignored.

        Returns
        -------
        E : ndarray or torch.Tensor of shape (n_samples, `n_features_out_`)
            float32 features: numpy, or a tensor on ``device`` when
            ``output="torch"``.
        """
        X, device = self._fit(X)
        return forward_batches(
            self.module_,
            X,
            device=device,
            batch_size=self.batch_size,
            mixed_precision=self.mixed_precision,
            output=self.output,
            verbose=self.verbose,
            desc="ContrastiveEncoder.transform",
        )

    def _fit(self, X):
        """Train; return the images as staged on the device, and the device."""
        device = resolve_device(self.device)
        X = stage(check_images(X), device)
        n, channels, height, _ = X.shape
        rng = check_random_state(self.random_state)
        init_seed, data_seed = (int(s) for s in draw_seeds(rng, 2))
        module, n_features = standardized_network(
            X,
            self.module,
            lambda: ResNet(channels),
            init_seed,
            device=device,
            mixed_precision=self.mixed_precision,
        )
        head = build_seeded(
            lambda: nn.Sequential(
                nn.Linear(n_features, n_features),
                nn.ReLU(inplace=True),
                nn.Linear(n_features, self.projection_dim),
            ),
            init_seed + 1,
        ).to(device)
        padding = (
            max(1, height // 8) if self.crop_padding is None else self.crop_padding
        )
        optimizer = make_optimizer(
            self.optimizer,
            [*module.parameters(), *head.parameters()],
            self.lr,
            self.weight_decay,
        )
        generator = make_generator(device, data_seed)
        standardize, encoder = module[0], module[1]

        def step(index):
            images = standardize(batch(X, index, device))
            views = torch.cat(
                [
                    augment(
                        images,
                        generator,
                        padding=padding,
                        flip=self.flip,
                        brightness=self.brightness,
                        noise=self.noise,
                    )
                    for _ in range(2)
                ]
            )
            with autocast(device, self.mixed_precision):
                z = head(encoder(views))
            loss = info_nce(z, self.temperature)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            return loss

        module.train()
        head.train()
        self.loss_curve_ = run_epochs(
            step,
            n,
            epochs=self.epochs,
            batch_size=self.batch_size,
            generator=generator,
            verbose=self.verbose,
            desc="ContrastiveEncoder.fit",
        )
        module.eval()
        self.module_ = module
        self.input_shape_ = tuple(X.shape[1:])
        self.n_features_out_ = int(n_features)
        return X, device

    def transform(self, X):
        """Embed images with the trained encoder.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, channels, height, width)
            Images of the same shape as in ``fit``.

        Returns
        -------
        E : ndarray or torch.Tensor of shape (n_samples, `n_features_out_`)
            float32 features: numpy, or a tensor on ``device`` when
            ``output="torch"``.
        """
        check_is_fitted(self)
        check_same_image_shape(check_images(X), self.input_shape_, type(self).__name__)
        return _transform(self, X)

"""ProbeClassifier: a small CNN trained briefly, as a scikit-learn classifier."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state, column_or_1d
from torch.nn import functional as F

from .._compat import HasMethods, Interval, Options, StrOptions, _fit_context
from .._seeding import draw_seed, draw_seeds
from ._base import (
    TorchEstimatorMixin,
    forward_batches,
    make_optimizer,
    place_module,
    run_epochs,
    standardized_network,
)
from ._data import batch, stage
from ._device import autocast, make_generator, resolve_device
from ._nets import ResNet
from ._validation import check_images, check_same_image_shape

__all__ = ["ProbeClassifier"]


class ProbeClassifier(TorchEstimatorMixin, ClassifierMixin, BaseEstimator):
    """A small CNN trained for a few epochs, as a scikit-learn classifier.

    The probe of the EL2N metric (Paul et al., 2021): ``EL2NPruner(
    estimator=ProbeClassifier())`` trains an ensemble of such briefly trained
    networks, each seeded differently, and averages the L2 norm of their
    error vectors. Images are standardised per channel with statistics from
    the first ``fit``; the network is trained with cross-entropy, with
    bfloat16 mixed precision on a GPU.

    Parameters
    ----------
    module : torch.nn.Module or None, default=None
        Network mapping standardised images (batch, channels, height, width)
        to logits (batch, n_classes). It is copied, never modified, and
        trained from its current weights (so clones start from the same
        weights). None builds ``ResNet(in_channels, widths=(32, 64, 128),
        blocks=(1, 1, 1), n_outputs=n_classes)``, initialised from
        ``random_state``.
    epochs : int, default=2
        Passes over the data in ``fit`` (``partial_fit`` makes one).
    batch_size : int, default=256
        Images per step; -1 means all at once. Also the batch size of
        ``predict_proba``.
    lr : float, default=2e-3
        Learning rate.
    weight_decay : float, default=5e-4
        Weight decay.
    optimizer : {"adamw", "adam", "sgd"}, default="adamw"
        Optimizer ("sgd" uses Nesterov momentum 0.9).
    device : str or torch.device, default="auto"
        ``"auto"`` uses CUDA when available and the CPU otherwise; or
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, a :class:`torch.device`. A device
        that does not exist raises ValueError in ``fit``. The images stay on
        the device for all epochs when they fit in its memory.
    mixed_precision : bool, default=True
        Train and predict under bfloat16 autocast on CUDA (ignored on the CPU).
    random_state : int, RandomState instance or None, default=None
        Seeds the default network's initialisation and the shuffling (torch
        generators; the global torch seed is untouched).
    verbose : bool, default=False
        Show tqdm progress bars for training (per epoch) and prediction.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the order of the columns of ``predict_proba``.
    module_ : torch.nn.Module
        The trained network, with the standardisation as its first layer: it
        maps raw images to logits.
    input_shape_ : tuple of int
        Shape (channels, height, width) of the training images.
    n_epochs_ : int
        Epochs trained so far.
    loss_curve_ : list of float
        Mean training cross-entropy of each epoch.

    See Also
    --------
    sklearn_prune.EL2NPruner : Scores rows with an ensemble of such probes.

    References
    ----------
    .. [1] Paul, Ganguli, Dziugaite. "Deep Learning on a Data Diet: Finding
       Important Examples Early in Training". NeurIPS 2021.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_prune.torch import ProbeClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X.reshape(-1, 1, 8, 8)                    # (1797, 1, 8, 8) images
    >>> probe = ProbeClassifier(epochs=2, batch_size=64, device="cpu",
    ...                         random_state=0).fit(X[:1000], y[:1000])
    >>> probe.predict_proba(X[1000:1003]).shape
    (3, 10)
    >>> bool(probe.score(X[1000:], y[1000:]) > 0.8)
    True

    EL2N on images, the recipe of the paper (an ensemble of briefly trained
    networks):

    >>> from sklearn_prune import EL2NPruner
    >>> pruner = EL2NPruner(keep=0.8, estimator=ProbeClassifier(device="cpu"),
    ...                     n_estimators=2, random_state=0)
    >>> pruner.fit(X[:300], y[:300]).sample_indices_.shape
    (240,)
    """

    _parameter_constraints: dict = {
        "module": [HasMethods(["forward", "parameters"]), None],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [
            Interval(Integral, 2, None, closed="left"),
            Options(Integral, {-1}),
        ],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "optimizer": [StrOptions({"adamw", "adam", "sgd"})],
        "device": "no_validation",
        "mixed_precision": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        module=None,
        epochs=2,
        batch_size=256,
        lr=2e-3,
        weight_decay=5e-4,
        optimizer="adamw",
        device="auto",
        mixed_precision=True,
        random_state=None,
        verbose=False,
    ):
        self.module = module
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.optimizer = optimizer
        self.device = device
        self.mixed_precision = mixed_precision
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train a fresh network for ``epochs`` epochs.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, channels, height, width)
            Images, any real dtype.
        y : array-like of shape (n_samples,)
            Class labels (strings or integers), at least two classes.

        Returns
        -------
        self : ProbeClassifier
            The fitted classifier.
        """
        for attr in ("module_", "classes_", "_optimizer"):
            self.__dict__.pop(attr, None)
        return self._train(X, y, None, self.epochs)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Train for one epoch, continuing from the current network.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, channels, height, width)
            Images of the same shape at every call.
        y : array-like of shape (n_samples,)
            Class labels, all in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            All the classes; required at the first call, ignored afterwards.

        Returns
        -------
        self : ProbeClassifier
            The updated classifier.
        """
        if not hasattr(self, "module_") and classes is None:
            raise ValueError(
                "`classes` must be passed at the first call to partial_fit."
            )
        return self._train(X, y, classes, 1)

    def _train(self, X, y, classes, epochs: int):
        device = resolve_device(self.device)
        T = check_images(X)
        codes = self._encode(y, T.shape[0], classes)
        first = not hasattr(self, "module_")
        if not first:
            check_same_image_shape(T, self.input_shape_, type(self).__name__)
        T = stage(T, device)
        codes = torch.as_tensor(codes, device=device)
        if first:
            self._initialize(T, device)
        else:
            self.module_ = place_module(self.module_, device, owned=True)
        if getattr(self, "_optimizer", None) is None:
            self._optimizer = make_optimizer(
                self.optimizer, self.module_.parameters(), self.lr, self.weight_decay
            )
        module, optimizer = self.module_, self._optimizer
        generator = make_generator(device, draw_seed(self._rng))

        def step(index):
            with autocast(device, self.mixed_precision):
                logits = module(batch(T, index, device))
            loss = F.cross_entropy(logits.float(), codes[index.to(codes.device)])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            return loss

        module.train()
        curve = run_epochs(
            step,
            T.shape[0],
            epochs=epochs,
            batch_size=self.batch_size,
            generator=generator,
            verbose=self.verbose,
            desc="ProbeClassifier.fit",
        )
        module.eval()
        self.loss_curve_ = [*self.loss_curve_, *curve]
        self.n_epochs_ = (0 if first else self.n_epochs_) + epochs
        return self

    def _encode(self, y, n_samples: int, classes) -> np.ndarray:
        """Class codes of ``y``; sets ``classes_`` at the first call."""
        if isinstance(y, torch.Tensor):
            y = y.detach().cpu().numpy()
        y = column_or_1d(y, warn=True)
        if len(y) != n_samples:
            raise ValueError(
                f"X and y have different numbers of samples: {n_samples} and {len(y)}."
            )
        check_classification_targets(y)
        if not hasattr(self, "classes_"):
            labels = np.unique(y) if classes is None else np.unique(np.asarray(classes))
            if len(labels) < 2:
                raise ValueError(
                    "ProbeClassifier needs at least 2 classes; got "
                    f"{len(labels)} ({labels.tolist()})."
                )
            self.classes_ = labels
        codes = np.searchsorted(self.classes_, y)
        codes = np.clip(codes, 0, len(self.classes_) - 1)
        unknown = self.classes_[codes] != y
        if unknown.any():
            raise ValueError(
                f"y contains labels not in `classes`: {np.unique(y[unknown]).tolist()}."
            )
        return codes.astype(np.int64)

    def _initialize(self, T: torch.Tensor, device: torch.device) -> None:
        """Build the standardised network and check its output shape."""
        rng = check_random_state(self.random_state)
        init_seed, data_seed = (int(s) for s in draw_seeds(rng, 2))
        self._rng = np.random.RandomState(data_seed)
        n_classes = len(self.classes_)
        channels = T.shape[1]
        module, n_outputs = standardized_network(
            T,
            self.module,
            lambda: ResNet(channels, n_outputs=n_classes),
            init_seed,
            device=device,
            mixed_precision=self.mixed_precision,
        )
        if n_outputs != n_classes:
            raise ValueError(
                f"`module` must return {n_classes} columns (one per class); "
                f"got {n_outputs}."
            )
        self.module_ = module
        self.input_shape_ = tuple(T.shape[1:])
        self.loss_curve_ = []

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (softmax of the network's logits).

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, channels, height, width)
            Images of the same shape as in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), dtype=float64
            Columns ordered as ``classes_``.
        """
        check_is_fitted(self)
        T = check_images(X)
        check_same_image_shape(T, self.input_shape_, type(self).__name__)
        device = resolve_device(self.device)
        self.module_ = place_module(self.module_, device, owned=True)
        proba = forward_batches(
            self.module_,
            T,
            device=device,
            batch_size=self.batch_size,
            mixed_precision=self.mixed_precision,
            verbose=self.verbose,
            desc="ProbeClassifier.predict_proba",
            post=lambda logits: torch.softmax(logits.float(), dim=1),
        )
        return proba.astype(np.float64)

    def predict(self, X) -> np.ndarray:
        """Most probable class of each image.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, channels, height, width)
            Images of the same shape as in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, from ``classes_``.
        """
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

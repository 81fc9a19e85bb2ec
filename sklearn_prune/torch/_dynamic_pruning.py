"""Dynamic pruning in a torch training loop: a batch sampler and a loss re-weighting."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import math
import warnings
from collections.abc import Sized
from numbers import Integral

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from torch.utils.data import Sampler

from .._compat import Interval
from .._dynamic_pruning import (
    RULE_CONSTRAINTS,
    RULE_DOC,
    plan_epoch,
    planned_sizes,
    rule_params,
)
from .._seeding import draw_seed

__all__ = ["DynamicPruningSampler"]


def _process_group():
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist
    return None


def _collective_device(group) -> torch.device:
    """Where tensors of a collective must live: CUDA for NCCL, else the CPU."""
    if group.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


class DynamicPruningSampler(BaseEstimator, Sampler):
    """Batch sampler that prunes rows epoch by epoch, with the loss re-weighting.

    Give it to a :class:`~torch.utils.data.DataLoader` as ``batch_sampler``
    (the dataset is left as it is), call :meth:`set_epoch` at the start of
    every epoch, and pass each batch's per-row loss through :meth:`update`,
    which records it and returns the re-weighted mean loss to backpropagate::

        sampler = DynamicPruningSampler(len(dataset), batch_size=128, epochs=E)
        loader = DataLoader(dataset, batch_sampler=sampler)
        for epoch in range(E):
            sampler.set_epoch(epoch)
            for x, y in loader:
                loss = sampler.update(F.cross_entropy(model(x), y, reduction="none"))
                ...  # loss.backward(), optimizer.step()

    The rule (InfoBatch or RS2) is planned on the CPU once per epoch from the
    rows' last losses; within an epoch :meth:`update` works on the losses'
    device without any host round trip (the recorded losses are gathered
    once, at the next :meth:`set_epoch`). No global random state is read or
    changed, and nothing in torch is patched.

    Under :class:`~torch.nn.parallel.DistributedDataParallel`, every rank
    plans the same epoch (same seed, same gathered losses) and visits its
    share of it, as :class:`~torch.utils.data.DistributedSampler` does: the
    kept rows are padded by repeating the first ones to a multiple of the
    number of ranks, and every rank runs the same number of steps. The
    per-row losses of all ranks are summed with ``all_reduce`` at
    :meth:`set_epoch` (a row seen twice, through padding, gets its mean).
    Every rank must call :meth:`set_epoch` (a collective) at the same point;
    the first use of the sampler (``set_epoch``, ``len`` or ``iter``)
    broadcasts rank 0's seed, so it too must happen on every rank.

    Parameters
    ----------
    data : int or sized dataset
        The number of rows, or the dataset itself (only ``len`` is read).

    batch_size : int
        Rows per batch (per rank).

    epochs : int
        Epochs of the run; the schedule of annealing is planned against it.

    {rule_doc}

    fixed_steps : bool, default=False
        If False, batches hold ``batch_size`` rows and pruned epochs have
        fewer of them: ``len(loader)`` changes between epochs;
        :meth:`planned_steps` gives every epoch's count in advance (sum it
        for ``OneCycleLR(total_steps=...)``). If True, every epoch has the
        steps of an unpruned loader, ``ceil(ceil(n / ranks) / batch_size)``,
        and pruned epochs spread their rows over them (smaller batches):
        ``len(loader)`` is constant and a scheduler built for full training
        runs to its last step unchanged.

    num_replicas : int or None, default=None
        Number of ranks; None reads it from :mod:`torch.distributed` when a
        process group is initialised, else 1.

    rank : int or None, default=None
        This process's rank; None reads it like ``num_replicas``.

    Attributes
    ----------
    epoch_ : int
        The epoch planned now.
    losses_ : ndarray of shape (n_samples,)
        Last loss of every row, as of the last :meth:`set_epoch` (NaN for
        rows without a loss yet).
    weights_ : ndarray of shape (n_samples,)
        Loss factor of every row in the current epoch (0 for skipped rows).
    sample_indices_ : ndarray of shape (n_kept,)
        Rows the current epoch visits (all ranks), ascending.
    kept_fraction_ : list of float
        Share of the rows each planned epoch visits.
    n_row_passes_ : int
        Rows visited by all planned epochs (without the padding of ranks).
    utilization_ : float
        ``n_row_passes_`` over the rows of as many full epochs.

    See Also
    --------
    sklearn_prune.DynamicPruningClassifier : The same rule around
        scikit-learn's ``partial_fit``.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> from sklearn_prune.torch import DynamicPruningSampler
    >>> data = TensorDataset(torch.randn(100, 3), torch.randint(0, 2, (100,)))
    >>> sampler = DynamicPruningSampler(data, batch_size=10, epochs=4, keep=0.6,
    ...                                 anneal=0.75, random_state=0)
    >>> loader = DataLoader(data, batch_sampler=sampler)
    >>> model = torch.nn.Linear(3, 2)
    >>> for epoch in range(4):
    ...     sampler.set_epoch(epoch)
    ...     for x, y in loader:
    ...         loss = torch.nn.functional.cross_entropy(model(x), y, reduction="none")
    ...         sampler.update(loss).backward()
    >>> sampler.kept_fraction_, sampler.planned_steps().tolist()
    ([1.0, 0.6, 0.6, 1.0], [10, 6, 6, 10])
    """

    _parameter_constraints: dict = {
        "data": [Interval(Integral, 1, None, closed="left"), Sized],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        **RULE_CONSTRAINTS,
        "fixed_steps": ["boolean"],
        "num_replicas": [Interval(Integral, 1, None, closed="left"), None],
        "rank": [Interval(Integral, 0, None, closed="left"), None],
    }

    def __init__(
        self,
        data,
        *,
        batch_size: int,
        epochs: int,
        keep: float = 0.7,
        rule: str = "infobatch",
        threshold: str | float = "mean",
        max_prune_ratio: float = 0.75,
        anneal: float = 0.875,
        fixed_steps: bool = False,
        num_replicas: int | None = None,
        rank: int | None = None,
        random_state=None,
    ):
        self.data = data
        self.batch_size = batch_size
        self.epochs = epochs
        self.keep = keep
        self.rule = rule
        self.threshold = threshold
        self.max_prune_ratio = max_prune_ratio
        self.anneal = anneal
        self.fixed_steps = fixed_steps
        self.num_replicas = num_replicas
        self.rank = rank
        self.random_state = random_state

    # -- set-up ------------------------------------------------------------

    def _setup(self) -> None:
        self._validate_params()
        n = self.data if isinstance(self.data, Integral) else len(self.data)
        if n < 1:
            raise ValueError(f"`data` has {n} rows; at least 1 is required.")
        group = _process_group()
        replicas = self.num_replicas
        if replicas is None:
            replicas = group.get_world_size() if group is not None else 1
        rank = self.rank
        if rank is None:
            rank = group.get_rank() if group is not None else 0
        if rank >= replicas:
            raise ValueError(f"`rank`={rank} must be below `num_replicas`={replicas}.")
        seed = draw_seed(check_random_state(self.random_state))
        if replicas > 1 and group is not None:  # every rank plans with rank 0's seed
            box = torch.tensor([seed], dtype=torch.int64)
            box = box.to(_collective_device(group))
            group.broadcast(box, src=0)
            seed = int(box.item())
        self._n, self._replicas, self._rank, self._seed = n, replicas, rank, seed
        self._full_steps = math.ceil(math.ceil(n / replicas) / self.batch_size)
        self.losses_ = np.full(n, np.nan)
        self.kept_fraction_: list[float] = []
        self.n_row_passes_ = 0
        self._sum = self._count = None  # the epoch's losses, on the loss device
        self.epoch_ = -1
        self._plan_epoch(0)

    def _ensure(self) -> None:
        if not hasattr(self, "_n"):
            self._setup()

    # -- epochs --------------------------------------------------------------

    def set_epoch(self, epoch: int) -> None:
        """Plan ``epoch``: gather the last epoch's losses, choose the rows.

        Call it at the start of every epoch, on every rank (it is a
        collective under :mod:`torch.distributed`). Calling it again for the
        epoch already planned does nothing.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        """
        if isinstance(epoch, (bool, np.bool_)) or not isinstance(epoch, Integral):
            raise TypeError(f"`epoch` must be an int; got {epoch!r}.")
        if epoch < 0:
            raise ValueError(f"`epoch` must be >= 0; got {epoch}.")
        self._ensure()
        if epoch == self.epoch_:
            return
        self._gather()
        self._plan_epoch(int(epoch))

    def _gather(self) -> None:
        """Fold the losses recorded since the last plan into ``losses_``."""
        self._fold()
        if self._replicas > 1:
            group = _process_group()
            if group is None:
                raise RuntimeError(
                    f"DynamicPruningSampler with num_replicas={self._replicas} "
                    "needs an initialised torch.distributed process group to "
                    "gather the losses of every rank."
                )
            if self._sum is None:  # this rank saw no loss: join with zeros
                device = _collective_device(group)
                self._sum = torch.zeros(self._n, device=device)
                self._count = torch.zeros(self._n, device=device)
            group.all_reduce(self._sum)
            group.all_reduce(self._count)
        if self._sum is None:
            return
        total = self._sum.double().cpu().numpy()
        count = self._count.double().cpu().numpy()
        seen = count > 0
        self.losses_[seen] = total[seen] / count[seen]
        self._sum.zero_()
        self._count.zero_()

    def _plan_epoch(self, epoch: int) -> None:
        losses = self.losses_
        first_prunable = epoch >= 1 and self.rule == "infobatch"
        if first_prunable and np.isnan(losses).any():
            warnings.warn(
                f"DynamicPruningSampler: {int(np.isnan(losses).sum())} rows have "
                f"no loss yet, so epoch {epoch} visits every row. Pass every "
                "batch's per-row loss to update().",
                RuntimeWarning,
                stacklevel=3,
            )
        plan = plan_epoch(
            n_samples=self._n,
            epoch=epoch,
            n_epochs=self.epochs,
            seed=self._seed,
            losses=losses,
            **rule_params(self),
        )
        rows, weights = plan.indices, plan.weights
        total = math.ceil(rows.size / self._replicas) * self._replicas
        pad = total - rows.size  # DistributedSampler's padding: repeat the first
        rows = np.concatenate([rows, np.resize(rows, pad)])
        weights = np.concatenate([weights, np.resize(weights, pad)])
        self._rows = rows[self._rank :: self._replicas]
        self._weights = weights[self._rank :: self._replicas]
        m = self._rows.size
        if self.fixed_steps:
            steps = self._full_steps
            if m < steps:
                raise ValueError(
                    f"fixed_steps=True spreads {m} rows over {steps} steps: "
                    f"`keep`={self.keep} is too small for `batch_size`="
                    f"{self.batch_size}; raise keep or use fixed_steps=False."
                )
            bounds = np.linspace(0, m, steps + 1).round().astype(np.int64)
        else:
            bounds = np.append(np.arange(0, m, self.batch_size), m)
        self._bounds = bounds
        self._step = 0
        self._iterated = False
        self._device_plan = None
        self.epoch_ = epoch
        self.weights_ = np.zeros(self._n)
        self.weights_[plan.indices] = plan.weights
        self.sample_indices_ = np.sort(plan.indices)
        self.kept_fraction_.append(plan.indices.size / self._n)
        self.n_row_passes_ += plan.indices.size
        self.utilization_ = self.n_row_passes_ / (self._n * len(self.kept_fraction_))

    def planned_steps(self) -> np.ndarray:
        """Batches of every epoch of the run on this rank, planned in advance.

        Exact when every batch's loss reaches :meth:`update` (with
        ``rule="infobatch"`` an epoch visits every row until every row has a
        loss). Sum it for a scheduler's ``total_steps``.

        Returns
        -------
        steps : ndarray of shape (epochs,)
            Number of batches (``len(loader)``) of each epoch.
        """
        self._ensure()
        if self.fixed_steps:
            return np.full(self.epochs, self._full_steps, dtype=np.int64)
        sizes = planned_sizes(
            self._n, self.epochs, keep=self.keep, rule=self.rule, anneal=self.anneal
        )
        per_rank = -(-sizes // self._replicas)
        return -(-per_rank // self.batch_size)

    # -- the Sampler protocol ----------------------------------------------

    def __len__(self) -> int:
        self._ensure()
        return self._bounds.size - 1

    def __iter__(self):
        self._ensure()
        if self._iterated:  # a new pass without set_epoch: the next epoch
            self.set_epoch(self.epoch_ + 1)
        self._iterated = True
        rows, bounds = self._rows, self._bounds
        for a, b in zip(bounds[:-1], bounds[1:]):
            yield rows[a:b].tolist()

    # -- the training step -------------------------------------------------

    def update(self, losses: torch.Tensor, indices=None) -> torch.Tensor:
        """Record a batch's per-row losses; return the re-weighted mean loss.

        Parameters
        ----------
        losses : torch.Tensor of shape (batch_rows,)
            Per-row losses of the batch (``reduction="none"``), in the order
            of the batch's rows.
        indices : array-like or torch.Tensor of shape (batch_rows,), default=None
            Rows of the batch. None takes the next batch this sampler
            yielded (batches must reach ``update`` once each, in order, as a
            DataLoader delivers them by default); pass them when a dataset
            returns its indices or batches are reordered.

        Returns
        -------
        loss : torch.Tensor
            ``mean(weights * losses)``, a scalar to backpropagate.
        """
        self._ensure()
        if not isinstance(losses, torch.Tensor) or losses.ndim != 1:
            raise ValueError(
                "`losses` must be a 1-D tensor of per-row losses (use "
                f"reduction='none'); got {type(losses).__name__} of shape "
                f"{tuple(getattr(losses, 'shape', ()))}."
            )
        device = losses.device
        plan = self._on_device(device)
        if indices is not None:
            rows = torch.as_tensor(indices, device=device).long().reshape(-1)
            if rows.shape[0] != losses.shape[0]:
                raise ValueError(
                    f"`indices` has {rows.shape[0]} rows and `losses` "
                    f"{losses.shape[0]}."
                )
            self._accumulate(rows, losses.detach().float())
            return (losses * plan["by_row"][rows].to(losses.dtype)).mean()
        if self._step >= self._bounds.size - 1:
            raise RuntimeError(
                f"update() was called more often than epoch {self.epoch_} "
                f"has batches ({self._bounds.size - 1}); call set_epoch() "
                "at the start of every epoch."
            )
        a, b = int(self._bounds[self._step]), int(self._bounds[self._step + 1])
        if losses.shape[0] != b - a:
            raise ValueError(
                f"`losses` has {losses.shape[0]} rows but batch {self._step} "
                f"of epoch {self.epoch_} has {b - a}: pass the per-row "
                "losses (reduction='none') of every batch, once, in order."
            )
        # one copy a step: the rows' sums are updated once, when the epoch ends
        plan["losses"][a:b].copy_(losses.detach())
        self._step += 1
        return (losses * plan["weights"][a:b].to(losses.dtype)).mean()

    def _on_device(self, device: torch.device) -> dict:
        """The epoch's plan and the loss buffers on ``device`` (copied once)."""
        plan = self._device_plan
        if plan is not None and plan["device"] == device:
            return plan
        self._fold()  # losses recorded on another device so far
        if self._sum is None:
            self._sum = torch.zeros(self._n, device=device)
            self._count = torch.zeros(self._n, device=device)
        self._sum, self._count = self._sum.to(device), self._count.to(device)
        rows = torch.as_tensor(self._rows, dtype=torch.int64).to(device)
        plan = {
            "device": device,
            "rows": rows,
            "weights": torch.as_tensor(self._weights, dtype=torch.float32).to(device),
            "by_row": torch.as_tensor(self.weights_, dtype=torch.float32).to(device),
            # the epoch's per-step losses, in the plan's order
            "losses": torch.empty(rows.shape[0], device=device),
            "folded": int(self._bounds[self._step]),
        }
        self._device_plan = plan
        return plan

    def _fold(self) -> None:
        """Add the per-step losses recorded in plan order to the row sums."""
        plan = self._device_plan
        if plan is None:
            return
        a, b = plan["folded"], int(self._bounds[self._step])
        if b > a:
            self._accumulate(plan["rows"][a:b], plan["losses"][a:b])
        plan["folded"] = b

    def _accumulate(self, rows: torch.Tensor, losses: torch.Tensor) -> None:
        """Add ``losses`` to the sums of ``rows``, and one record to their counts."""
        self._sum.index_add_(0, rows, losses)
        self._count.index_add_(0, rows, torch.ones_like(losses))


DynamicPruningSampler.__doc__ = DynamicPruningSampler.__doc__.replace(
    "{rule_doc}", RULE_DOC
)

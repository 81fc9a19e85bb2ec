"""README's PyTorch Lightning recipe for DynamicPruningSampler, run as written."""

import logging
import warnings

import pytest

torch = pytest.importorskip("torch")
L = pytest.importorskip("lightning")

from torch.nn import functional as F  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from sklearn_prune.torch import DynamicPruningSampler  # noqa: E402


def _dataset():
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(200, 5, generator=gen)
    return TensorDataset(X, (X[:, 0] > 0).long())


class _Model(L.LightningModule):
    def __init__(self, dataset, sampler):
        super().__init__()
        self.net = torch.nn.Linear(5, 2)
        self.dataset, self.sampler = dataset, sampler

    def train_dataloader(self):
        return DataLoader(self.dataset, batch_sampler=self.sampler)

    def training_step(self, batch, batch_idx):
        x, target = batch
        losses = F.cross_entropy(self.net(x), target, reduction="none")
        return self.sampler.update(losses)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


class PlanEpoch(L.Callback):
    """The recipe's callback: Lightning calls set_epoch on samplers, not here."""

    def on_train_epoch_start(self, trainer, pl_module):
        pl_module.sampler.set_epoch(trainer.current_epoch)


def _fit(callbacks):
    dataset = _dataset()
    sampler = DynamicPruningSampler(
        dataset, batch_size=20, epochs=8, keep=0.6, random_state=0
    )
    trainer = L.Trainer(
        max_epochs=8,
        callbacks=callbacks,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.fit(_Model(dataset, sampler))
    return sampler, trainer


def test_lightning_recipe_runs_every_planned_step():
    sampler, trainer = _fit([PlanEpoch()])
    assert [round(f, 2) for f in sampler.kept_fraction_] == [1.0] + [0.6] * 6 + [1.0]
    assert trainer.global_step == int(sampler.planned_steps().sum())
    assert sampler.utilization_ == pytest.approx(0.7)


def test_lightning_without_the_callback_cuts_the_annealed_epoch():
    # why the recipe needs the callback: Lightning sizes each epoch from the
    # previous plan's len(), so the last (full) epoch stops early
    sampler, trainer = _fit([])
    assert trainer.global_step < int(sampler.planned_steps().sum())

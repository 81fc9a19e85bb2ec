"""
==========================================================
Dynamic pruning during training: InfoBatch in a torch loop
==========================================================

Static pruners choose the rows once, before training. Dynamic pruning
chooses them again at every epoch of one training run: InfoBatch (Qin et al.,
ICLR 2024) skips a random share of the rows whose last loss is below the
mean and scales up the loss of the other low-loss rows so that each epoch's
expected gradient stays the full-data one; the last epochs visit every row
again ("annealing"). RS2 (Okanovic et al., ICLR 2024), the score-free
baseline, trains on a fresh random subset each epoch.

This example trains the same small CNN on scikit-learn's handwritten digits
three times, with :class:`~sklearn_prune.torch.DynamicPruningSampler` as the
``DataLoader``'s batch sampler, and plots test accuracy against the rows
processed and the training time. One seed on 1,257 training images is little
evidence: ``benchmarks/bench_dynamic.py`` compares the methods over seeds.
It needs the ``torch`` extra and runs on a CPU in well under a minute.
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data and model
# --------------
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402
from torch.utils.data import DataLoader, RandomSampler, TensorDataset  # noqa: E402

from sklearn_prune.torch import DynamicPruningSampler  # noqa: E402

X, y = load_digits(return_X_y=True)
X = (X.reshape(-1, 1, 8, 8).astype(np.float32) - 5.0) / 6.0
X_train, X_test, y_train, y_test = map(
    torch.as_tensor, train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
)
train = TensorDataset(X_train, y_train)
EPOCHS, BATCH = 16, 32


def make_cnn():
    torch.manual_seed(0)  # the same initial weights for every run
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 10),
    )


# %%
# One training loop for all three runs
# ------------------------------------
# The sampler decides which rows each epoch visits (``set_epoch``) and
# ``update`` records each row's loss for the next epoch's decision and
# returns the re-weighted mean loss. The learning-rate schedule is sized from
# ``planned_steps()``, the number of batches of every epoch, known in
# advance; with ``fixed_steps=True`` every epoch would instead keep the
# unpruned number of (smaller) batches.
def train_cnn(sampler=None):
    model = make_cnn()
    if sampler is None:
        order = RandomSampler(train, generator=torch.Generator().manual_seed(0))
        loader = DataLoader(train, batch_size=BATCH, sampler=order)
        total = EPOCHS * len(loader)
    else:
        loader = DataLoader(train, batch_sampler=sampler)
        total = int(sampler.planned_steps().sum())
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 0.05, total_steps=total)
    rows, seconds, history = 0, 0.0, []
    for epoch in range(EPOCHS):
        start = time.perf_counter()
        if sampler is not None:
            sampler.set_epoch(epoch)
        for xb, yb in loader:
            losses = F.cross_entropy(model(xb), yb, reduction="none")
            loss = losses.mean() if sampler is None else sampler.update(losses)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            rows += len(xb)
        seconds += time.perf_counter() - start
        with torch.no_grad():
            accuracy = (model(X_test).argmax(1) == y_test).float().mean().item()
        history.append((rows, seconds, accuracy))
    return np.array(history)


n = len(train)
infobatch = DynamicPruningSampler(
    n, batch_size=BATCH, epochs=EPOCHS, keep=0.6, random_state=0
)
# RS2 gets the same number of row passes, spread evenly over the epochs
# (with batches of one row, the planned steps count InfoBatch's rows)
rows_infobatch = (
    DynamicPruningSampler(n, batch_size=1, epochs=EPOCHS, keep=0.6)
    .planned_steps()
    .sum()
)
rs2 = DynamicPruningSampler(
    n,
    batch_size=BATCH,
    epochs=EPOCHS,
    rule="rs2",
    anneal=1.0,
    keep=rows_infobatch / (n * EPOCHS),
    random_state=0,
)
runs = {
    "full data": train_cnn(),
    "InfoBatch": train_cnn(infobatch),
    "RS2": train_cnn(rs2),
}
for name, history in runs.items():
    rows, seconds, accuracy = history[-1]
    print(
        f"{name:<10} rows {int(rows):6d}  time {seconds:5.1f} s  "
        f"test accuracy {accuracy:.3f}"
    )
print("kept share per epoch (InfoBatch):", np.round(infobatch.kept_fraction_, 2))

# %%
# Accuracy against rows processed and time
# ----------------------------------------
# InfoBatch visits every row in the first epoch (every row needs a loss) and
# in the annealed last epochs, and 60% of them in between.
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
for name, history in runs.items():
    axes[0].plot(history[:, 0], history[:, 2], marker=".", label=name)
    axes[1].plot(history[:, 1], history[:, 2], marker=".", label=name)
axes[0].set_xlabel("rows processed")
axes[1].set_xlabel("training time (s)")
axes[0].set_ylabel("test accuracy")
axes[0].set_ylim(0.8, 1.0)
axes[0].legend()
fig.tight_layout()

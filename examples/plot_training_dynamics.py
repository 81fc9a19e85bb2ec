"""
===================================================================
Finding mislabeled rows from one training run, then pruning
===================================================================

A model that is trained anyway gives difficulty scores for free: how its
outputs on every row move during training. This example flips 10% of the
training labels of scikit-learn's digits, trains the EL2N default probe for
ten epochs with :class:`~sklearn_prune.TrainingDynamicsPruner`, and reads:

- the **area under the margin** (AUM, Pleiss et al. 2020): the mean over
  epochs of the label's logit minus the largest other logit;
- **forgetting events** (Toneva et al. 2019);
- dataset cartography's **confidence** and **variability** (Swayamdipta et
  al. 2020).

The same run estimates which labels are wrong (from the probabilities
averaged over the recorded epochs, :func:`~sklearn_prune.find_label_issues`),
and the pruner removes them before its policy runs. A last section fills a
:class:`~sklearn_prune.TrainingDynamics` recorder from a hand-written
training loop, as one would from torch.
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Noisy training labels, clean test labels
# ----------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_prune import (
    RandomPruner,
    RecordedDynamicsPruner,
    TrainingDynamics,
    TrainingDynamicsPruner,
    find_label_issues,
)
from sklearn_prune.inspection import ScoresDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
rng = np.random.RandomState(0)
flipped = np.zeros(len(y_train), dtype=bool)
flipped[rng.choice(len(y_train), len(y_train) // 10, replace=False)] = True
y_noisy = y_train.copy()
y_noisy[flipped] = (y_train[flipped] + rng.randint(1, 10, flipped.sum())) % 10

# %%
# One training run, every score
# -----------------------------
# The pruner trains a clone of its estimator epoch by epoch (``partial_fit``)
# and records the outputs on every row after each epoch. ``metric`` chooses
# the score it prunes with; ``recorder_`` holds all of them.
pruner = TrainingDynamicsPruner(n_epochs=10, random_state=0).fit(X_train, y_noisy)
scores = {
    name: pruner.recorder_.score(name)
    for name in ("aum", "forgetting", "confidence", "variability")
}
for name, values in scores.items():
    print(f"{name:>12}: AUROC of the flipped rows {roc_auc_score(flipped, values):.3f}")

# %%
# Every score but variability ranks the flipped rows above the others
# (variability is high for rows the model hesitates on, while a flipped row
# is confidently "wrong" from the start). Per class, the flipped rows form
# a separate mode at the hard end of AUM's range:
display = ScoresDisplay.from_scores(scores["aum"], y_noisy, kept=~flipped)
display.ax_.set_title("AUM per (noisy) class: kept = correct labels, pruned = flipped")

# %%
# Dataset cartography's map shows the same: flipped rows sit at low
# confidence and low variability, the "hard to learn" corner (bottom left).
fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
ax.scatter(
    scores["variability"][~flipped],
    1 - scores["confidence"][~flipped],
    s=6,
    alpha=0.4,
    label="label correct",
)
ax.scatter(
    scores["variability"][flipped],
    1 - scores["confidence"][flipped],
    s=8,
    color="C3",
    label="label flipped",
)
ax.set_xlabel("variability")
ax.set_ylabel("confidence")
ax.set_title("Dataset cartography of digits with 10% flipped labels")
ax.legend()

# %%
# Finding the mislabeled rows
# ---------------------------
# The recorded mean probabilities flag the suspected rows
# (``label_issues_``) and estimate the noise rate (``noise_rate_``). By
# default a row is flagged when its most probable class is not its label:
# this finds nearly every flipped row and some hard rows labelled right, so
# the rate errs on the high side. Confident learning (cleanlab's estimate,
# ``label_noise="confident_learning"``) flags fewer rows, nearly all of them
# flipped, and underestimates the rate a little.
issues = pruner.label_issues_
print(f"estimated noise rate: {pruner.noise_rate_:.3f} (true: {flipped.mean():.3f})")
print(f"flagged rows: {issues.sum()}, of which flipped: {flipped[issues].mean():.0%}")
print(f"flipped rows flagged: {issues[flipped].mean():.0%}")
cl_issues, cl_rate = find_label_issues(
    y_noisy, pruner.recorder_.mean_proba(), method="confident_learning"
)
print(
    f"confident learning: rate {cl_rate:.3f}, {cl_issues.sum()} flagged, "
    f"{flipped[cl_issues].mean():.0%} of them flipped"
)

# %%
# Removing them, then pruning
# ---------------------------
# ``drop_hardest="noise_rate"`` removes the hardest ``noise_rate_`` of each class
# before coverage-centric selection (``strategy="stratified"``) draws its
# rows; ``drop_mislabeled=True`` removes the flagged rows instead. Both
# against random pruning and against no removal, at a few sizes.
learner = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
keeps = [0.3, 0.5, 0.7]
candidates = {
    "random": lambda keep: RandomPruner(keep=keep, random_state=0),
    "AUM, stratified": lambda keep: TrainingDynamicsPruner(
        keep=keep, strategy="stratified", random_state=0
    ),
    'AUM, stratified, drop_hardest="noise_rate"': lambda keep: TrainingDynamicsPruner(
        keep=keep, strategy="stratified", drop_hardest="noise_rate", random_state=0
    ),
    "AUM, stratified, drop_mislabeled": lambda keep: TrainingDynamicsPruner(
        keep=keep, strategy="stratified", drop_mislabeled=True, random_state=0
    ),
}
fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
for name, make in candidates.items():
    accuracy = []
    for keep in keeps:
        X_kept, y_kept = make(keep).fit_resample(X_train, y_noisy)
        accuracy.append(learner.fit(X_kept, y_kept).score(X_test, y_test))
    ax.plot(keeps, accuracy, marker="o", label=name)
    print(f"{name:>38}: " + ", ".join(f"{a:.3f}" for a in accuracy))
ax.set_xlabel("fraction of training rows kept")
ax.set_ylabel("test accuracy (clean labels)")
ax.set_title("Pruning digits with 10% flipped labels")
ax.legend(fontsize="small")

# %%
# Without removal, coverage-centric selection keeps the flipped rows (the
# hardest strata are small, and filled first) and loses to random pruning.
# Removing the suspected rows first is what makes pruning pay on noisy
# labels; ``drop_hardest="noise_rate"`` sets CCS's beta from the data instead of
# by hand. ``benchmarks/bench_dynamics.py`` measures this over several
# splits and noise levels (see the User Guide).
#
# Recording your own training loop
# --------------------------------
# Any loop that sees ``(row indices, logits, labels)`` can fill a recorder:
# here mini-batches of an ``SGDClassifier``; in torch, pass the batch's
# index tensor, the model's outputs and the targets (tensors on any device
# are accepted). :class:`~sklearn_prune.RecordedDynamicsPruner` then prunes
# the same rows.
X_scaled = StandardScaler().fit_transform(X_train)
classes = np.arange(10)
model = SGDClassifier(loss="log_loss", random_state=0)
recorder = TrainingDynamics(len(y_noisy), n_classes=10, keep_proba=True)
batch_rng = np.random.RandomState(0)
for _ in range(8):  # epochs
    for batch in np.array_split(batch_rng.permutation(len(y_noisy)), 10):
        if hasattr(model, "coef_"):  # the very first batch has no model yet
            # outputs before the update, as Toneva et al. record them
            logits = model.decision_function(X_scaled[batch])
            recorder.update(batch, logits, y_noisy[batch])
        model.partial_fit(X_scaled[batch], y_noisy[batch], classes=classes)
own = RecordedDynamicsPruner(
    recorder=recorder, keep=0.5, strategy="stratified", drop_hardest="noise_rate"
).fit(X_train, y_noisy)
print(
    f"own loop: AUROC {roc_auc_score(flipped, own.scores_):.3f}, "
    f"estimated noise rate {own.noise_rate_:.3f}"
)
plt.show()

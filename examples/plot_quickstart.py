"""
=========================================
Quickstart: prune a training set in place
=========================================

Data pruning ranks the training rows by how hard they are and trains on a
fraction of them. In sklearn_prune a *pruner* does the ranking and the
choice, and :class:`sklearn_prune.Pipeline` puts it in front of any
scikit-learn estimator: the pruner drops rows while the pipeline is fitted
and is skipped when it predicts.

This example prunes scikit-learn's built-in handwritten digits (1797 real
8x8 images, no download) with the self-supervised prototype metric of
Sorscher et al. (2022), then compares the result with random pruning and
with training on everything.
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Load the data
# -------------
# Half of the images train, half test. The split is stratified so that every
# digit is equally represented in both halves.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_prune import PrototypePruner, RandomPruner, make_pipeline

digits = load_digits()
X_train, X_test, y_train, y_test, img_train, _ = train_test_split(
    digits.data,
    digits.target,
    digits.images,
    test_size=0.5,
    stratify=digits.target,
    random_state=0,
)
print(f"{X_train.shape[0]} training images, {X_test.shape[0]} test images")

# %%
# A pipeline with a pruner
# ------------------------
# :class:`~sklearn_prune.PrototypePruner` embeds the rows (here: the
# standardised pixels themselves), runs k-means and scores every row by its
# cosine distance to the nearest centroid. No labels are used. ``keep=0.5``
# keeps exactly half of the rows; ``strategy="hard"`` keeps the rows farthest
# from every prototype. ``class_balance=True`` keeps half of every digit so
# that no class is starved.
pipe = make_pipeline(
    StandardScaler(),
    PrototypePruner(
        keep=0.5, strategy="hard", n_clusters=10, class_balance=True, random_state=0
    ),
    LogisticRegression(max_iter=1000),
)
pipe.fit(X_train, y_train)
pruner = pipe.named_steps["prototypepruner"]
print(f"kept {pruner.sample_indices_.size} of {pruner.scores_.size} training rows")
print(f"test accuracy: {pipe.score(X_test, y_test):.3f}")

# %%
# The pruner only acts in ``fit``: ``pipe.score`` above predicted all 899
# test images, and the classifier saw only the kept half of the training
# images. The fitted pruner keeps its evidence: ``scores_`` has one
# difficulty per training row (higher = harder) and ``sample_indices_`` lists
# the kept rows.
#
# Easy and hard digits
# --------------------
# The easiest rows sit right on a prototype: clean, typical digits. The
# hardest are far from every prototype: unusual strokes, thick or slanted
# digits, and the occasional one that is hard to read even for a person.
order = np.argsort(pruner.scores_)
fig, axes = plt.subplots(2, 8, figsize=(8, 2.6))
for ax, idx in zip(axes[0], order[:8]):
    ax.imshow(img_train[idx], cmap="gray_r")
    ax.set_title(f"{y_train[idx]}", fontsize=9)
for ax, idx in zip(axes[1], order[::-1][:8]):
    ax.imshow(img_train[idx], cmap="gray_r")
    ax.set_title(f"{y_train[idx]}", fontsize=9)
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_ylabel("easiest", fontsize=9)
axes[1, 0].set_ylabel("hardest", fontsize=9)
fig.suptitle("Training digits by prototype score (title: label)")
fig.tight_layout()

# %%
# Compare with random pruning
# ---------------------------
# A difficulty metric is only worth computing if it beats keeping a random
# subset of the same size. :class:`~sklearn_prune.RandomPruner` is that
# baseline. Both strategies of the prototype metric are shown, with the mean
# and spread over three seeds. (A single split of a small data set is
# noisy: see :ref:`sphx_glr_auto_examples_plot_learning_curves.py` for
# whole curves.)
candidates = {
    "random": RandomPruner(keep=0.5),
    "prototype, keep easy": PrototypePruner(
        keep=0.5, strategy="easy", n_clusters=10, class_balance=True
    ),
    "prototype, keep hard": PrototypePruner(
        keep=0.5, strategy="hard", n_clusters=10, class_balance=True
    ),
}
full = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
full_score = full.fit(X_train, y_train).score(X_test, y_test)
results = {}
for name, candidate in candidates.items():
    scores = []
    for seed in range(3):
        candidate.set_params(random_state=seed)
        p = make_pipeline(
            StandardScaler(), candidate, LogisticRegression(max_iter=1000)
        )
        scores.append(p.fit(X_train, y_train).score(X_test, y_test))
    results[name] = scores
    print(f"{name:22s} {np.mean(scores):.3f} +/- {np.std(scores):.3f}")
print(f"{'all rows':22s} {full_score:.3f}")

fig, ax = plt.subplots(figsize=(6, 2.8))
names = list(results)
ax.barh(
    names,
    [np.mean(results[n]) for n in names],
    xerr=[np.std(results[n]) for n in names],
    color=["0.6", "tab:blue", "tab:orange"],
)
ax.axvline(full_score, color="k", linestyle="--", label="all rows")
ax.set_xlim(0.85, 1.0)
ax.set_xlabel("test accuracy, 50% of the training rows kept")
ax.legend(loc="lower right")
fig.tight_layout()

# %%
# With half of the rows, every pruned model loses a little against training on
# everything. At this budget the hard rows are worth more than the easy ones,
# and the prototype metric does about as well as random pruning, which is a
# strong baseline on a data set this small and clean. The easy rows win only
# when far fewer rows are kept: the right strategy depends on the amount of
# data, as the :ref:`user_guide` explains.
#
# Pruners outside a pipeline
# --------------------------
# A pruner is a *sampler*, like imbalanced-learn's: ``fit_resample`` returns
# the kept rows (and labels) in the input's own type, here numpy arrays. It
# has no ``transform``, because a transformer must return one row per input
# row.
X_kept, y_kept = PrototypePruner(keep=0.25, random_state=0).fit_resample(
    X_train, y_train
)
print(X_kept.shape, y_kept.shape)

# %%
# Where to go next: tune ``keep`` like any hyper-parameter with
# :class:`~sklearn.model_selection.GridSearchCV`
# (:ref:`sphx_glr_auto_examples_plot_grid_search_keep.py`), and read the
# :ref:`user_guide` for how to choose a metric and a strategy.
plt.show()

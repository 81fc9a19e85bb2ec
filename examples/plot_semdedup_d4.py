"""
==========================================================
Deduplicate, then prune: SemDeDup and D4 in one pipeline
==========================================================

Web-scale data sets are full of near-duplicates: the same item copied with
small changes. SemDeDup (Abbas et al., 2023) removes them with an embedding:
rows whose cosine similarity exceeds ``1 - eps`` are near-duplicates, and
every connected group of near-duplicates keeps one row. D4 (Tirumala et al.,
2023) then prunes the deduplicated data with the prototype metric of
Sorscher et al. (2022). In sklearn_prune both are pruners, so D4 is one
pipeline:

.. code-block:: python

    Pipeline([("dedup", SemDedupPruner(eps=0.03)),
              ("prune", PrototypePruner(keep=0.5)),
              ("clf", LogisticRegression())])

This example plants groups of noisy copies in generated data, checks that
:class:`~sklearn_prune.SemDedupPruner` finds them, sweeps ``eps`` without
recomputing anything, and compares D4 with random and prototype pruning at
the same budget.
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data with planted near-duplicates
# ---------------------------------
# :func:`~sklearn_prune.datasets.make_near_duplicates` draws distinct rows
# from a mixture of Gaussians and makes 60% of the rows noisy copies of
# other rows, in groups of 2 to 12. ``groups`` is the truth: the group of
# each row, -1 for distinct rows. Labels come from a linear rule with 10% of
# them flipped. A test set of distinct rows (no copy of them in training)
# measures the classifiers.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression

from sklearn_prune import (
    Pipeline,
    PrototypePruner,
    RandomPruner,
    SemDedupPruner,
)
from sklearn_prune.datasets import make_near_duplicates

noise = 0.1
X, groups = make_near_duplicates(
    12000,
    32,
    duplicate_fraction=0.6,
    group_size=(2, 12),
    noise=noise,
    n_centers=8,
    random_state=0,
)
rng = np.random.RandomState(0)
w = rng.standard_normal(32)
y = (X @ w > 0).astype(int)
flip = rng.uniform(size=len(y)) < 0.1
y[flip] = 1 - y[flip]

distinct = np.flatnonzero(groups < 0)
test = rng.choice(distinct, size=2000, replace=False)
train = np.setdiff1d(np.arange(len(X)), test)
X_train, y_train, g_train = X[train], y[train], groups[train]
X_test = X[test]
y_test = (X_test @ w > 0).astype(int)  # clean test labels

n_groups = len(np.unique(g_train[g_train >= 0]))
n_redundant = int(np.sum(g_train >= 0)) - n_groups
print(
    f"{len(train)} training rows: {n_groups} planted groups holding "
    f"{np.sum(g_train >= 0)} rows, {n_redundant} of them redundant"
)

# %%
# Deduplicate
# -----------
# Two copies of a row are about ``noise**2`` apart in cosine distance
# (0.01 here), while distinct rows are tenths apart. ``eps=0.03`` sits
# between the two. ``max_eps=0.3`` lets
# :meth:`~sklearn_prune.SemDedupPruner.rethreshold` try thresholds up to 0.3
# later without computing anything again. With
# ``keep=None`` (the default) the threshold alone decides what survives:
# exactly one row of every group, and every distinct row.
start = time.perf_counter()
dedup = SemDedupPruner(eps=0.03, max_eps=0.3, random_state=0).fit(X_train)
seconds = time.perf_counter() - start
kept = dedup.sample_indices_
survivors = np.bincount(g_train[kept][g_train[kept] >= 0], minlength=groups.max() + 1)
found_all = np.array_equal(dedup.duplicate_groups_ >= 0, g_train >= 0)
print(
    f"fit in {seconds:.2f} s: {dedup.n_duplicates_} rows removed, {kept.size} kept; "
    f"groups with exactly one survivor: {np.mean(survivors[survivors > 0] == 1):.0%}; "
    f"every planted row found and no distinct row flagged: {found_all}"
)

# %%
# ``scores_`` is each row's cosine distance to its nearest other row (higher
# = more novel). Near-duplicates sit below ``eps``, distinct rows well above
# it: on this data every ``eps`` from about 0.02 to 0.08 finds exactly the
# planted groups (the plateau on the right).
# :meth:`~sklearn_prune.SemDedupPruner.rethreshold` shows how many rows each
# threshold removes, reusing the pairs found during ``fit``.
sweep = np.geomspace(0.002, 0.3, 25)
start = time.perf_counter()
removed = [dedup.rethreshold(eps).n_duplicates_ for eps in sweep]
print(f"{len(sweep)} thresholds in {time.perf_counter() - start:.2f} s")
dedup.rethreshold(0.03)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
bins = np.geomspace(1e-4, 2, 60)
ax1.hist(dedup.scores_[g_train >= 0], bins=bins, label="planted copies")
ax1.hist(dedup.scores_[g_train < 0], bins=bins, label="distinct rows")
ax1.axvline(0.03, color="k", linestyle="--", label="eps=0.03")
ax1.set_xscale("log")
ax1.set_xlabel("scores_: distance to the nearest other row")
ax1.legend(fontsize=8)
ax2.plot(sweep, removed, marker=".")
ax2.axhline(n_redundant, color="0.5", linestyle=":", label="planted redundant rows")
ax2.set_xscale("log")
ax2.set_xlabel("eps")
ax2.set_ylabel("rows removed")
ax2.legend(fontsize=8)
fig.tight_layout()

# %%
# D4: deduplicate, then prune by prototypes
# -----------------------------------------
# All variants train a logistic regression on the same number of rows,
# 30% of the training set: random rows, the hardest rows by the prototype
# metric, and D4 (deduplicate first, then the hardest rows of what is left).
# An int ``keep`` is a count, so D4 keeps exactly as many rows as the others.
budget = int(0.3 * len(train))


def accuracy(steps, seed):
    pipe = Pipeline([*steps, ("clf", LogisticRegression(max_iter=1000))])
    for _, step in steps:
        step.set_params(random_state=seed)
    return pipe.fit(X_train, y_train).score(X_test, y_test)


variants = {
    "all rows": [],
    "random": [("prune", RandomPruner(keep=budget))],
    "prototype (hard)": [("prune", PrototypePruner(keep=budget, n_clusters=8))],
    "dedup only": [("dedup", SemDedupPruner(eps=0.03))],
    "D4: dedup + prototype": [
        ("dedup", SemDedupPruner(eps=0.03)),
        ("prune", PrototypePruner(keep=budget, n_clusters=8)),
    ],
}
results = {}
for name, steps in variants.items():
    scores = [accuracy(steps, seed) for seed in range(3)]
    results[name] = scores
    print(f"{name:24s} {np.mean(scores):.3f} +/- {np.std(scores):.3f}")

# %%
# With the same budget, D4's rows are all distinct, while most random rows
# are copies of one another, and the prototype metric alone spends much of
# the budget on copies too: the copies of a hard row are all hard. In this
# run D4 does as well as training on all rows, with 30% of them. (On a
# small synthetic problem the gaps are small and depend on the seed; what
# matters for large data is that the D4 pipeline is one estimator,
# cross-validated and grid-searched like any other.)
fig, ax = plt.subplots(figsize=(6, 2.8))
names = list(results)
ax.barh(
    names,
    [np.mean(results[n]) for n in names],
    xerr=[np.std(results[n]) for n in names],
    color="tab:blue",
)
ax.set_xlim(min(np.mean(v) for v in results.values()) - 0.03, 1.0)
ax.set_xlabel("test accuracy")
fig.tight_layout()
plt.show()

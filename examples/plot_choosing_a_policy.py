"""
=============================================
Choosing a policy on digits with noisy labels
=============================================

A pruner computes one difficulty score per row; its *policy* decides which
rows those scores keep. This example flips 10% of the training labels of
scikit-learn's digits and compares the policies of
:class:`~sklearn_prune.EL2NPruner` against random pruning with
:func:`~sklearn_prune.model_selection.pruning_curve`:

- ``strategy="hard"`` keeps the highest scores;
- ``strategy="easy"`` keeps the lowest;
- ``strategy="stratified"`` (coverage-centric selection, the default) draws
  rows evenly over the range of scores, after dropping the hardest 10%
  (``drop_hardest="auto"``);
- ``strategy="moderate"`` keeps the scores closest to the median;
- ``drop_hardest=0.1`` first removes the hardest 10% (Data Diet's offset
  window with ``"hard"``, CCS's beta with ``"stratified"``); ``0.0`` keeps
  every row a candidate.

:class:`~sklearn_prune.inspection.ScoresDisplay` then shows why the choice
matters so much here, and :func:`~sklearn_prune.model_selection.choose_policy`
lets a small cross-validated pilot pick the policy.
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Noisy training labels, clean test labels
# ----------------------------------------
# Every image is used twice: once with a label that is wrong for 10% of the
# images (to train on), once with its true label (to test on). Each of the
# five splits trains on four fifths of the first copy and tests on the
# other fifth of the second copy, so no test image is ever trained on, and
# every test label is right. ``pruning_curve`` accepts any such list of
# (train, test) index pairs as ``cv``.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_prune import EL2NPruner
from sklearn_prune.inspection import ScoresDisplay
from sklearn_prune.model_selection import (
    PruningCurveDisplay,
    choose_policy,
    pruning_curve,
)

X, y = load_digits(return_X_y=True)
n = len(y)
rng = np.random.RandomState(0)
flipped = rng.choice(n, n // 10, replace=False)
y_noisy = y.copy()
y_noisy[flipped] = (y[flipped] + rng.randint(1, 10, flipped.size)) % 10

X_both = np.vstack([X, X])
y_both = np.concatenate([y_noisy, y])
cv = [
    (train, n + test)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y)
]

# %%
# One metric, six policies
# ------------------------
# The six pruners differ only in their policy, so ``pruning_curve`` computes
# EL2N once per split and lets every policy choose from the same scores.
# Every pruner and the random baseline keep the same fraction of each
# (noisy) class: ``class_balance="auto"``, the default with class labels.
policies = {
    "hard": dict(strategy="hard"),
    "easy": dict(strategy="easy"),
    "stratified, no drop": dict(strategy="stratified", drop_hardest=0.0),
    "moderate": dict(strategy="moderate"),
    "hard, drop 10%": dict(strategy="hard", drop_hardest=0.1),
    "stratified (default)": dict(),
}
pruners = {name: EL2NPruner(**params) for name, params in policies.items()}
learner = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
result = pruning_curve(
    learner,
    pruners,
    X_both,
    y_both,
    keep=[0.1, 0.2, 0.3, 0.5, 0.7],
    cv=cv,
    random_state=0,
)

fig, (ax, ax_diff) = plt.subplots(1, 2, figsize=(12, 5), layout="constrained")
PruningCurveDisplay.from_results(result, ax=ax, std_display_style=None)
ax.set_title("EL2N policies, 10% flipped training labels")
PruningCurveDisplay.from_results(
    result, ax=ax_diff, kind="difference", std_display_style=None
)
ax_diff.set_title("the same, minus random pruning")

table = result.to_frame().pivot_table(index="curve", columns="keep", values="score")
print(table.round(3))
summary = result.summary()
print(summary[summary["keep"] == 0.3][["curve", "difference", "wins", "losses"]])

# %%
# Keep-hard is the worst policy here, far below random pruning: the rows
# the probes find hardest are, above all, the mislabelled ones, and
# keep-hard keeps them. Stratified selection without the drop does not help
# either: its strata at the top of the score range are small and full of
# flipped labels, and coverage-centric sampling fills the small strata first.
# The policies that stay away from the top scores beat random pruning:
# keep-easy, moderate and stratified after ``drop_hardest=0.1`` (the
# default) at every size shown, keep-hard after ``drop_hardest=0.1`` from a
# fifth of the rows on (at 10% its window is the band just below the noise,
# still too hard to describe the classes). From about a third of the rows
# on, the best of them beat even training on all the (noisy) rows.
#
# What the scores look like
# -------------------------
# :class:`~sklearn_prune.inspection.ScoresDisplay` draws the scores of every
# class, what a pruner keeps (blue) and prunes (gray), the kept/pruned
# boundary (red), and the easiest and hardest images with their (noisy)
# labels. It fits the pruner when it is not fitted yet.
pruner = EL2NPruner(keep=0.5, strategy="stratified", drop_hardest=0.1, random_state=0)
display = ScoresDisplay.from_estimator(pruner, X, y_noisy, image_shape=(8, 8))

hardest = np.argsort(pruner.scores_)[::-1][: n // 10]
share = np.isin(hardest, flipped).mean()
print(f"flipped labels among the 10% hardest rows: {share:.0%}")
print(f"flipped labels kept: {np.isin(flipped, pruner.sample_indices_).mean():.0%}")

# %%
# Most of the hardest rows are mislabelled, and the hardest images shown are
# ordinary digits with a wrong label: dropping the top of the score range
# removes most of the label noise before the policy draws its rows. On clean
# data the same ``drop_hardest`` costs a little accuracy (it throws away
# genuinely hard rows); the user guide's :ref:`ug_policies` and
# :ref:`ug_defaults` have the measurements on clean, noisy and real data.
#
# Letting a pilot choose
# ----------------------
# :func:`~sklearn_prune.model_selection.choose_policy` runs a small
# cross-validated pruning curve at the one kept size you intend to use,
# over candidate policies (by default: the defaults, keep-hard with and
# without the 10% drop, keep-easy, moderate, stratified without the drop,
# and class quotas by difficulty or none), with random pruning as a
# candidate too. It returns the winner, its margin over random with the
# spread over splits, and the table; when random pruning wins it says so.
choice = choose_policy(
    learner,
    EL2NPruner(),
    X_both,
    y_both,
    keep=0.3,
    cv=cv,
    n_repeats=1,
    random_state=0,
)
print(choice)
print(choice.table.round(3))
pruner_to_use = choice.pruner  # the winner, with keep=0.3, ready for a Pipeline

# %%
# The pilot here uses the same five splits as the curves above, so it can
# only confirm them; on your own data it is the cheap first look before
# the full :func:`~sklearn_prune.model_selection.pruning_curve`. Read the
# margin next to its spread: a winner within the spread is little evidence,
# and the defaults are then the safe choice.
plt.show()

"""
=============================================================
Beating power-law scaling: the perceptron theory of pruning
=============================================================

The analytic core of Sorscher et al. (2022): a perceptron *student* learns a
perceptron *teacher* from Gaussian inputs. Before training, every example is
ranked by its margin to a *probe* (the teacher itself, or a direction at an
angle to it), and only a fraction ``keep`` of them is kept: the hardest
(smallest margins) or the easiest. The student is the max-margin classifier
of what remains.

:mod:`sklearn_prune.theory` solves the replica theory of this setting for
``N -> infinity`` and also runs the same experiment at finite ``N``. This
example draws the paper's headline figure, test error against the size of
the pruned data set, theory against simulation, and then asks which
fraction and which strategy to choose for a given amount of data.

The sizes are per input dimension: ``alpha_total = P / N`` examples before
pruning, ``alpha_prune = keep * alpha_total`` after.
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Learning curves for several kept fractions
# ------------------------------------------
# For each fraction ``keep`` of the hardest examples, the test error is a
# function of ``alpha_prune``; :func:`~sklearn_prune.theory.perceptron_error`
# takes ``alpha_total`` and ``keep`` and broadcasts over both. The points are
# the same experiment at ``N = 200``:
# :func:`~sklearn_prune.theory.simulate_perceptron` draws data with
# :func:`~sklearn_prune.datasets.make_teacher_student`, prunes it with
# :class:`~sklearn_prune.OraclePruner` and trains an exact hard-margin SVM
# without intercept, over eight seeds (error bars: standard error of the mean).
import os
import sys
import time

import matplotlib

if sys.platform.startswith("linux") and not (
    os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
):
    matplotlib.use("Agg")  # no display: draw to files only

import matplotlib.pyplot as plt
import numpy as np

from sklearn_prune.theory import (
    optimal_keep,
    pareto_frontier,
    perceptron_error,
    simulate_perceptron,
)

start = time.perf_counter()
keeps = [1.0, 0.5, 0.3, 0.2, 0.1]
colors = plt.cm.viridis(np.linspace(0.0, 0.85, len(keeps)))
alpha_prune = np.logspace(-0.3, 1.5, 120)
alpha_sim = np.array([1.0, 2.0, 4.0, 6.0, 10.0])

theory = {keep: perceptron_error(alpha_prune / keep, keep) for keep in keeps}
sim = {
    keep: simulate_perceptron(
        alpha_sim / keep, keep, n_features=200, n_seeds=8, random_state=0, n_jobs=2
    )
    for keep in keeps
}

# %%
# The Pareto frontier and the power law of no pruning
# ---------------------------------------------------
# Without pruning (``keep=1``) the max-margin perceptron follows the classic
# power law, ``0.50 / alpha``. Keeping a fraction of the hardest examples
# hurts when the pruned set is small (below about ``alpha_prune = 2``, the
# perceptron's capacity, hard examples look like noise) and helps a lot
# beyond: the error then equals that of the whole unpruned set, because the
# max-margin student only depends on its support vectors, and those are
# among the hardest examples. The lower envelope of all these curves, the
# *Pareto frontier* (:func:`~sklearn_prune.theory.pareto_frontier`, here
# with ``keep`` between 0.1 and 1 as in the plot), drops much faster than
# the power law where the curves cross. Allowing smaller fractions (that is,
# starting from more data) moves the frontier down without limit: with a
# perfect metric, no power law bounds it.
frontier = pareto_frontier(alpha_prune, min_keep=min(keeps), strategy="hard")
frontier_more = pareto_frontier(alpha_prune, min_keep=0.01, strategy="hard")

fig, ax = plt.subplots(figsize=(7, 5))
for keep, color in zip(keeps, colors):
    label = "no pruning" if keep == 1.0 else f"keep {keep:.0%} hardest"
    ax.plot(alpha_prune, theory[keep], color=color, lw=2, label=label)
    ax.errorbar(
        sim[keep].alpha_prune,
        sim[keep].mean,
        yerr=sim[keep].sem,
        fmt="o",
        color=color,
        ms=5,
        capsize=2,
    )
ax.plot(alpha_prune, 0.5005 / alpha_prune, ":", color="0.4", label=r"$0.50/\alpha$")
ax.plot(alpha_prune, frontier.error, "k--", lw=2, label="Pareto frontier, keep >= 10%")
ax.plot(
    alpha_prune,
    frontier_more.error,
    "--",
    color="0.6",
    lw=1.5,
    label="Pareto frontier, keep >= 1%",
)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_ylim(3e-4, 0.6)
ax.set_xlabel(r"$\alpha_{prune}$ = kept examples per dimension")
ax.set_ylabel("test error")
ax.set_title("Perceptron, perfect metric: theory (lines), N = 200 (points)")
ax.legend(loc="lower left", fontsize=9)
fig.tight_layout()

# the headline figure, also saved as a file (path from the environment)
png = os.environ.get("SKLEARN_PRUNE_THEORY_PNG", "plot_perceptron_theory.png")
fig.savefig(png, dpi=120)
print(f"saved {png}")

# %%
# Theory and simulation agree: their differences, in units of the standard
# error of the simulation's mean, are of order one (a few reach 2 to 3, as
# expected of 25 comparisons with eight seeds each).
for keep in keeps:
    pred = perceptron_error(alpha_sim / keep, keep)
    z = (sim[keep].mean - pred) / sim[keep].sem
    print(f"keep={keep:4.2f}  (simulation - theory) / sem:", np.round(z, 1))

# %%
# Which fraction, which strategy?
# -------------------------------
# For a data set of a given size, :func:`~sklearn_prune.theory.optimal_keep`
# returns the smallest kept fraction whose error is (within 0.1%) the lowest
# reachable, and the strategy that reaches it. With little data it keeps
# the *easy* examples, with abundant data the *hard* ones, and with a perfect
# metric the kept fraction shrinks as the data grows: the pruned set stops
# growing while the error keeps falling (left panel: open markers keep easy,
# filled markers keep hard; right panel: error against the size of the
# pruned set, faster than any power law). An imperfect metric, a probe at
# an angle to the teacher, levels the fraction off, and the error returns
# to a power law.
alpha_total = np.logspace(-0.5, 3.5, 17)
angles = [0.0, 10.0, 30.0]
best = {angle: optimal_keep(alpha_total, angle=angle) for angle in angles}

fig, (ax_keep, ax_err) = plt.subplots(1, 2, figsize=(11, 4.5))
for angle, color in zip(angles, ["C3", "C0", "C2"]):
    res = best[angle]
    hard = res.strategy == "hard"
    label = "perfect metric" if angle == 0 else f"probe at {angle:.0f} degrees"
    ax_keep.plot(alpha_total, res.keep, color=color, label=label)
    ax_keep.plot(alpha_total[hard], res.keep[hard], "o", color=color)
    ax_keep.plot(alpha_total[~hard], res.keep[~hard], "o", mfc="white", color=color)
    ax_err.plot(res.alpha_prune, res.error, "o-", color=color, label=label)
ax_err.plot(alpha_total, perceptron_error(alpha_total, 1.0), "k:", label="no pruning")
ax_keep.set_xscale("log")
ax_keep.set_yscale("log")
ax_keep.set_xlabel(r"$\alpha_{total}$ = examples per dimension before pruning")
ax_keep.set_ylabel("best kept fraction")
ax_keep.legend(fontsize=9)
ax_err.set_xscale("log")
ax_err.set_yscale("log")
ax_err.set_xlabel(r"$\alpha_{prune}$ = kept examples per dimension")
ax_err.set_ylabel("test error at the best fraction")
ax_err.legend(fontsize=9)
fig.tight_layout()

print(f"ran in {time.perf_counter() - start:.0f} s")
plt.show()

"""
=====================================================
Pruning images with a torch encoder and a CNN probe
=====================================================

The metrics of Sorscher et al. (2022) were computed on images with deep
networks. :mod:`sklearn_prune.torch` brings both to image arrays of shape
(n_samples, channels, height, width), on a GPU when there is one and on the
CPU otherwise:

- the **self-supervised prototype metric**: a
  :class:`~sklearn_prune.torch.ContrastiveEncoder` is trained on the unlabeled
  images themselves (SimCLR-style), its features are clustered by k-means and
  each image is scored by its cosine distance to the nearest prototype;
- **EL2N**: an ensemble of small CNNs
  (:class:`~sklearn_prune.torch.ProbeClassifier`) trained for a couple of
  epochs, each image scored by how far the probes' predicted probabilities
  are from its label.

This example uses scikit-learn's 8x8 handwritten digits (no download) with a
few planted corruptions, and shows the hardest and easiest images each metric
finds. It needs the ``torch`` extra (``pip install -e ".[torch]"`` from a clone)
and runs on a CPU in well under a minute.
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Images with planted corruptions
# -------------------------------
# The digits become a (1797, 1, 8, 8) image array. We replace 8 images by
# uniform noise (atypical images, for the label-free metric) and give 5% of
# the images a wrong label (for EL2N, which uses the labels).
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from sklearn_prune import EL2NPruner, PrototypePruner  # noqa: E402
from sklearn_prune.torch import ContrastiveEncoder, ProbeClassifier, ResNet  # noqa: E402

digits = load_digits()
X = digits.images[:, None].astype(np.float32)  # (n_samples, channels, h, w)
y = digits.target.copy()
rng = np.random.RandomState(0)

noise_rows = rng.choice(len(X), 8, replace=False)
X[noise_rows] = rng.uniform(0, 16, size=(8, 1, 8, 8))
flipped_rows = rng.choice(len(X), len(X) // 20, replace=False)
y[flipped_rows] = (y[flipped_rows] + rng.randint(1, 10, len(flipped_rows))) % 10
print(
    f"images: {X.shape}, {len(noise_rows)} noise images, "
    f"{len(flipped_rows)} flipped labels"
)

# %%
# Self-supervised prototypes
# --------------------------
# The encoder is a small ResNet trained with a contrastive loss on two random
# views of every image (crop, flip, brightness, noise). ``device="auto"``
# would pick a GPU when there is one; ``output="torch"`` keeps the embeddings
# on that device so that the k-means of the pruner runs there too. One epoch
# is enough on these tiny images (on 8x8 digits, longer training makes the
# encoder invariant to pixel noise, the very thing we plant).
torch.manual_seed(0)  # the module below is initialised by torch's generator
encoder = ContrastiveEncoder(
    module=ResNet(in_channels=1, widths=(16, 32), blocks=(1, 1)),
    epochs=1,
    batch_size=128,
    lr=3e-3,
    output="torch",
    random_state=0,
)
prototype = PrototypePruner(
    keep=0.8, embedding=encoder, n_clusters=10, random_state=0
).fit(X)
hardest = np.argsort(-prototype.scores_)
ranks = np.argsort(hardest)[noise_rows]
print(f"ranks of the noise images (0 = hardest): {np.sort(ranks)}")

# %%
# EL2N with briefly trained CNN probes
# ------------------------------------
# Two probes, each trained for two epochs from a different seed; a row scores
# high when the probes disagree with its label. Pruners are samplers:
# ``fit_resample`` returns the kept images (80% here, the hardest ones, as the
# paper advises when data is abundant) and their labels.
probe = ProbeClassifier(epochs=2, batch_size=64)
el2n = EL2NPruner(keep=0.8, estimator=probe, n_estimators=2, random_state=0)
X_kept, y_kept = el2n.fit_resample(X, y)
top = np.argsort(-el2n.scores_)[: len(flipped_rows)]
print(f"kept {X_kept.shape[0]} of {X.shape[0]} images")
print(
    f"flipped labels among the {len(top)} hardest rows: "
    f"{np.isin(flipped_rows, top).mean():.0%}"
)

# %%
# Hardest and easiest images
# --------------------------
# Top: the prototype metric's hardest images are the noise images and odd
# digits, its easiest are clean, typical digits. Bottom: EL2N's hardest images
# carry labels (in red when flipped) that do not match the digit.
n_show = 12
fig, axes = plt.subplots(4, n_show, figsize=(n_show * 0.9, 4.8))
panels = [
    ("prototype: hardest", hardest[:n_show], None),
    ("prototype: easiest", hardest[::-1][:n_show], None),
    ("EL2N: hardest", np.argsort(-el2n.scores_)[:n_show], y),
    ("EL2N: easiest", np.argsort(el2n.scores_)[:n_show], y),
]
for row, (title, rows, labels) in zip(axes, panels):
    for ax, i in zip(row, rows):
        ax.imshow(X[i, 0], cmap="gray_r", vmin=0, vmax=16)
        ax.set_xticks([])
        ax.set_yticks([])
        if labels is not None:
            color = "red" if i in flipped_rows else "black"
            ax.set_title(f"y={labels[i]}", fontsize=8, color=color)
    row[0].set_ylabel(title, rotation=0, ha="right", va="center", fontsize=9)
fig.suptitle("Hardest and easiest digits by each metric")
fig.tight_layout()
fig.savefig("plot_torch_images.png", dpi=80)

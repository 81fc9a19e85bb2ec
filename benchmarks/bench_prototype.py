"""PrototypePruner.fit against calling faiss directly, on the same float32 data.

Both train on every row (``max_samples=1.0`` for the library; its default
trains on a sample, compared with faiss's defaults in ``bench_scale.py``) for
25 spherical Lloyd iterations from random rows: faiss's ``Kmeans`` on one
side, the library's own loop around faiss's searches (exact at near ties, so
that its centroids do not depend on faiss's threads) on the other.

Each variant runs in a fresh subprocess (so peak memory is its own), several
times, interleaved. Reported: median wall time (faiss's k-means time varies
by tens of percent from run to run on a small machine), extra peak resident memory over
the data already loaded, and the mean cosine distance to the centroids (equal
quality): its median over the runs, run ``i`` of both variants seeded with
``i`` (the k-means optimum reached changes with the seed). Target: the
library adds at most 25% time and no copy of the input beyond one float32
buffer.

    python benchmarks/bench_prototype.py                 # 200k x 128, 100 clusters
    python benchmarks/bench_prototype.py --n-samples 20000 --repeats 2   # quick
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np


def make_data(n_samples: int, n_features: int, n_clusters: int) -> np.ndarray:
    """Gaussian mixture around ``n_clusters`` random directions, float32."""
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((n_clusters, n_features), dtype=np.float32)
    X = np.empty((n_samples, n_features), dtype=np.float32)
    for start in range(0, n_samples, 10_000):  # in chunks: no full-size temporary
        block = X[start : start + 10_000]
        rng.standard_normal(block.shape, dtype=np.float32, out=block)
        block *= 0.5
        block += centers[rng.integers(n_clusters, size=len(block))]
    return X


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _current_rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def run_direct(X: np.ndarray, n_clusters: int, seed: int) -> float:
    """The hand-written baseline: normalise, faiss k-means, nearest-centroid search.

    The same algorithm as the library's (spherical Lloyd iterations from
    random rows), not the same random draws: the mean distances agree to
    within k-means's seed-to-seed variation.
    """
    import faiss

    from sklearn_prune._seeding import draw_seed

    seed = draw_seed(np.random.RandomState(seed))
    # the cheapest normalisation by hand: no n x d temporary for the norms
    Xn = X / np.sqrt(np.einsum("ij,ij->i", X, X))[:, None]
    km = faiss.Kmeans(
        X.shape[1],
        n_clusters,
        niter=25,
        seed=seed,
        spherical=True,
        min_points_per_centroid=1,
        max_points_per_centroid=len(X) // n_clusters + 1,
    )
    km.train(Xn)
    sim, _ = km.index.search(Xn, 1)
    return float(np.mean(1.0 - sim))


def run_library(X: np.ndarray, n_clusters: int, seed: int) -> float:
    from sklearn_prune import PrototypePruner

    # max_samples=1.0: train on every row, as the baseline does (the default
    # trains on 256 rows per centroid; benchmarks/bench_scale.py compares that
    # with faiss's own defaults)
    pruner = PrototypePruner(
        n_clusters=n_clusters, n_iter=25, keep=0.5, max_samples=1.0, random_state=seed
    ).fit(X)
    return float(pruner.scores_.mean())


def child(
    mode: str, n_samples: int, n_features: int, n_clusters: int, seed: int
) -> None:
    """Run one variant once and print a JSON line of its measurements."""
    import faiss  # noqa: F401  (imported before the baseline reading, for both)

    import sklearn_prune  # noqa: F401

    X = make_data(n_samples, n_features, n_clusters)
    base = max(_current_rss_bytes(), _peak_rss_bytes())
    start = time.perf_counter()
    mean_dist = (run_direct if mode == "faiss" else run_library)(X, n_clusters, seed)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "mode": mode,
                "seconds": seconds,
                "mean_distance": mean_dist,
                "extra_peak_bytes": _peak_rss_bytes() - base,
                "data_bytes": X.nbytes,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=200_000)
    parser.add_argument("--n-features", type=int, default=128)
    parser.add_argument("--n-clusters", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--child", choices=["faiss", "library"], help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.n_samples, args.n_features, args.n_clusters, args.seed)
        return

    results: dict[str, list[dict]] = {"faiss": [], "library": []}
    for rep in range(args.repeats):
        # interleaved, first one then the other first, so drifts hit both alike
        for mode in list(results)[:: 1 if rep % 2 == 0 else -1]:
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    mode,
                    "--n-samples",
                    str(args.n_samples),
                    "--n-features",
                    str(args.n_features),
                    "--n-clusters",
                    str(args.n_clusters),
                    "--seed",  # run `rep` of both variants: the same seed
                    str(rep),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[mode].append(json.loads(out.strip().splitlines()[-1]))

    best = {
        m: float(np.median([r["seconds"] for r in rs])) for m, rs in results.items()
    }
    mem = {m: min(r["extra_peak_bytes"] for r in rs) for m, rs in results.items()}
    # k-means's local optimum changes with the seed: every run has its own
    dist = {
        m: float(np.median([r["mean_distance"] for r in rs]))
        for m, rs in results.items()
    }
    spread = {
        m: (min(r["mean_distance"] for r in rs), max(r["mean_distance"] for r in rs))
        for m, rs in results.items()
    }
    data_mb = results["faiss"][0]["data_bytes"] / 2**20
    print(
        f"data: {args.n_samples} x {args.n_features} float32 ({data_mb:.0f} MiB), "
        f"{args.n_clusters} clusters, 25 iterations, median of {args.repeats} runs"
    )
    print(
        f"{'':10s} {'time (s)':>9s} {'extra peak (MiB)':>17s} {'mean dist':>10s}"
        f"  (seeds 0-{args.repeats - 1}: lowest-highest)"
    )
    for m in results:
        low, high = spread[m]
        print(
            f"{m:10s} {best[m]:9.2f} {mem[m] / 2**20:17.1f} {dist[m]:10.4f}"
            f"  ({low:.4f}-{high:.4f})"
        )
    print(
        f"ratio library/faiss: time {best['library'] / best['faiss']:.3f}, "
        f"extra peak memory {mem['library'] / max(mem['faiss'], 1):.3f}, "
        f"mean distance {dist['library'] / dist['faiss']:.4f}"
    )
    print(
        f"library extra peak memory = {mem['library'] / 2**20 / data_mb:.2f} x "
        f"the float32 input"
    )


if __name__ == "__main__":
    main()

"""SemDedupPruner.fit against a straightforward numpy SemDeDup, on the same data.

Data: ``make_near_duplicates`` float32 rows with planted groups of noisy
copies (half of the rows in groups of 2 to 4). Both variants run the same
spherical k-means (the library's, with the seed that
``SemDedupPruner(random_state=0)`` derives) and then, within each cluster, find
the pairs with cosine similarity above ``1 - eps``, each row's nearest other
row, the connected groups and one survivor per group. The numpy baseline
computes each cluster's full similarity matrix at once; the library works in
blocks of 2048 x 2048 and computes each pair once.

Each variant runs in a fresh subprocess (so its peak memory is its own),
``--repeats`` times, alternating. Reported: median wall time of the whole fit
and of the pairwise stage alone, extra peak resident memory over the data
already loaded, whether both found the same groups, and precision/recall of
the planted groups (pairs of rows put in one group, against the planted
pairs). Targets: library time at most 0.5x the baseline's, bounded memory,
precision and recall >= 0.99.

    python benchmarks/bench_dedup.py            # 1,000,000 x 128, 100 clusters
    python benchmarks/bench_dedup.py --quick    # 100,000 x 128, 10 clusters
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np


def make_data(n_samples: int, n_features: int, n_clusters: int, noise: float):
    from sklearn_prune.datasets import make_near_duplicates

    return make_near_duplicates(
        n_samples,
        n_features,
        duplicate_fraction=0.5,
        group_size=(2, 4),
        noise=noise,
        n_centers=n_clusters,
        dtype=np.float32,
        random_state=0,
    )


def matched_eps(noise: float) -> float:
    """Three times the typical cosine distance between two copies of a row."""
    return 3 * noise**2 / (1 + noise**2)


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux); False where that is refused."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_rss_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _current_rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def run_numpy(X, eps: float, n_clusters: int):
    """SemDeDup written plainly: one full similarity matrix per cluster."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    from sklearn_prune._seeding import draw_seed
    from sklearn_prune.cluster import spherical_kmeans

    seed = draw_seed(np.random.RandomState(0))
    t0 = time.perf_counter()
    _, labels, distances = spherical_kmeans(X, n_clusters, n_iter=25, seed=seed)
    t1 = time.perf_counter()
    n = X.shape[0]
    threshold = np.float32(1.0 - eps)
    nearest = np.empty(n, dtype=np.float32)
    rows, cols = [], []
    for c in range(n_clusters):
        idx = np.flatnonzero(labels == c)
        E = X[idx] / np.linalg.norm(X[idx], axis=1, keepdims=True)
        S = E @ E.T
        np.fill_diagonal(S, -np.inf)
        nearest[idx] = S.max(axis=1)
        i, j = np.nonzero(S > threshold)
        upper = i < j
        rows.append(idx[i[upper]])
        cols.append(idx[j[upper]])
        del S
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    # survivor: farthest from its prototype, ties to the first row
    order = np.lexsort((np.arange(n), -distances.astype(np.float64), component))
    first = np.r_[True, component[order[1:]] != component[order[:-1]]]
    kept = np.sort(order[first])
    sizes = np.bincount(component)
    groups = np.where(sizes[component] > 1, component, -1)
    scores = np.clip(1.0 - nearest.astype(np.float64), 0.0, 2.0)
    return kept, groups, scores, {"kmeans": t1 - t0, "labels": labels}


def run_library(X, eps: float, n_clusters: int):
    from sklearn_prune import SemDedupPruner

    pruner = SemDedupPruner(eps=eps, n_clusters=n_clusters, n_iter=25, random_state=0)
    # time the clustering stage alone by wrapping the library's k-means call
    import sklearn_prune._semdedup as module

    kmeans = module.spherical_kmeans
    stage = {}

    def timed(*args, **kwargs):
        start = time.perf_counter()
        out = kmeans(*args, **kwargs)
        stage["kmeans"] = time.perf_counter() - start
        return out

    module.spherical_kmeans = timed
    try:
        pruner.fit(X)
    finally:
        module.spherical_kmeans = kmeans
    stage["labels"] = pruner.labels_
    return pruner.sample_indices_, pruner.duplicate_groups_, pruner.scores_, stage


def pair_scores(found: np.ndarray, planted: np.ndarray) -> tuple[float, float]:
    """Precision and recall of the same-group pairs of ``found`` against ``planted``."""

    def pairs(sizes):
        sizes = sizes.astype(np.float64)
        return float(np.sum(sizes * (sizes - 1) / 2))

    both = (found >= 0) & (planted >= 0)
    key = found[both] * (planted.max() + 1) + planted[both]
    common = pairs(np.unique(key, return_counts=True)[1])
    n_found = pairs(np.unique(found[found >= 0], return_counts=True)[1])
    n_planted = pairs(np.unique(planted[planted >= 0], return_counts=True)[1])
    precision = common / n_found if n_found else 1.0
    recall = common / n_planted if n_planted else 1.0
    return precision, recall


def child(mode: str, args) -> None:
    """Run one variant once and print a JSON line of its measurements."""
    import faiss  # noqa: F401  (imported before the baseline reading, for both)
    import scipy.sparse.csgraph  # noqa: F401

    import sklearn_prune  # noqa: F401

    X, planted = make_data(args.n_samples, args.n_features, args.n_clusters, args.noise)
    eps = matched_eps(args.noise)
    # the data generator's temporaries must not hide the variant's own peak
    _reset_peak()
    base = max(_current_rss_bytes(), _peak_rss_bytes())
    start = time.perf_counter()
    run = run_numpy if mode == "numpy" else run_library
    kept, groups, scores, stage = run(X, eps, args.n_clusters)
    seconds = time.perf_counter() - start
    extra = _peak_rss_bytes() - base
    kmeans_seconds, labels = stage["kmeans"], stage["labels"]
    # planted groups not found whole, and how many of them k-means split
    imperfect = split = 0
    order = np.argsort(planted, kind="stable")
    bounds = np.searchsorted(planted[order], np.arange(planted.max() + 2))
    for g in range(planted.max() + 1):
        rows = order[bounds[g] : bounds[g + 1]]
        if groups[rows[0]] < 0 or np.any(groups[rows] != groups[rows[0]]):
            imperfect += 1
            split += bool(np.any(labels[rows] != labels[rows[0]]))
    precision, recall = pair_scores(groups, planted)
    n_planted = int(np.sum(planted >= 0))
    one_each = np.bincount(
        planted[kept][planted[kept] >= 0], minlength=planted.max() + 1
    )
    np.save(args.out_prefix + f"{mode}_kept.npy", kept)
    np.save(args.out_prefix + f"{mode}_scores.npy", scores.astype(np.float32))
    print(
        json.dumps(
            {
                "mode": mode,
                "seconds": seconds,
                "kmeans_seconds": kmeans_seconds,
                "pairwise_seconds": seconds - kmeans_seconds,
                "extra_peak_bytes": extra,
                "data_bytes": X.nbytes,
                "n_kept": int(kept.size),
                "precision": precision,
                "recall": recall,
                "planted_rows": n_planted,
                "groups_with_one_survivor": float(np.mean(one_each == 1)),
                "imperfect_groups": imperfect,
                "imperfect_split_by_kmeans": split,
                "eps": eps,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1_000_000)
    parser.add_argument("--n-features", type=int, default=128)
    parser.add_argument("--n-clusters", type=int, default=100)
    parser.add_argument("--noise", type=float, default=0.1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100k rows, 10 clusters")
    parser.add_argument("--skip-numpy", action="store_true", help="library only")
    parser.add_argument(
        "--out-prefix", default="/tmp/bench_dedup_", help=argparse.SUPPRESS
    )
    parser.add_argument("--child", choices=["numpy", "library"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.n_samples, args.n_clusters = 100_000, 10
        args.repeats = min(args.repeats, 2)
    if args.child:
        child(args.child, args)
        return

    modes = ["library"] if args.skip_numpy else ["numpy", "library"]
    results: dict[str, list[dict]] = {m: [] for m in modes}
    forwarded = [
        f"--n-samples={args.n_samples}",
        f"--n-features={args.n_features}",
        f"--n-clusters={args.n_clusters}",
        f"--noise={args.noise}",
        f"--out-prefix={args.out_prefix}",
    ]
    for rep in range(args.repeats):
        # alternate which goes first, so that drifts hit both alike
        for mode in modes if rep % 2 == 0 else modes[::-1]:
            out = subprocess.run(
                [sys.executable, __file__, f"--child={mode}", *forwarded],
                check=True,
                capture_output=True,
                text=True,
            )
            line = json.loads(out.stdout.strip().splitlines()[-1])
            results[mode].append(line)
            print(
                f"  {mode:8s} {line['seconds']:7.2f} s (k-means "
                f"{line['kmeans_seconds']:.2f} s), extra peak "
                f"{line['extra_peak_bytes'] / 2**20:8.1f} MiB",
                flush=True,
            )

    eps = matched_eps(args.noise)
    print(
        f"\n{args.n_samples} x {args.n_features} float32 rows, {args.n_clusters} "
        f"clusters, noise {args.noise}, eps {eps:.4f}; median of {args.repeats}\n"
    )
    print("| | fit (s) | pairwise stage (s) | extra peak memory (MiB) | kept rows |")
    print("| --- | --- | --- | --- | --- |")
    med = {}
    for mode in modes:
        runs = results[mode]
        med[mode] = {
            key: float(np.median([r[key] for r in runs]))
            for key in ("seconds", "pairwise_seconds", "extra_peak_bytes")
        }
        print(
            f"| {mode} | {med[mode]['seconds']:.2f} | "
            f"{med[mode]['pairwise_seconds']:.2f} | "
            f"{med[mode]['extra_peak_bytes'] / 2**20:.1f} | {runs[0]['n_kept']} |"
        )
    first = results["library"][0]
    print(
        f"\nplanted groups (library): pair precision {first['precision']:.4f}, "
        f"recall {first['recall']:.4f}, groups with exactly one survivor "
        f"{first['groups_with_one_survivor']:.4f}; planted groups not found whole: "
        f"{first['imperfect_groups']}, of which split across clusters by k-means: "
        f"{first['imperfect_split_by_kmeans']}"
    )
    if "numpy" in modes:
        same_rows = np.array_equal(
            np.load(args.out_prefix + "numpy_kept.npy"),
            np.load(args.out_prefix + "library_kept.npy"),
        )
        score_gap = float(
            np.max(
                np.abs(
                    np.load(args.out_prefix + "numpy_scores.npy")
                    - np.load(args.out_prefix + "library_scores.npy")
                )
            )
        )
        print(
            f"same kept rows as numpy: {same_rows}; largest score difference "
            f"{score_gap:.2e}"
        )
        lib, ref = med["library"], med["numpy"]
        print(
            f"ratio library/numpy: fit time {lib['seconds'] / ref['seconds']:.2f}, "
            f"pairwise stage {lib['pairwise_seconds'] / ref['pairwise_seconds']:.2f}, "
            f"extra peak memory "
            f"{lib['extra_peak_bytes'] / max(ref['extra_peak_bytes'], 1):.2f}"
        )


if __name__ == "__main__":
    main()

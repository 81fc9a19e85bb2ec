"""Scale benchmarks of the prototype metric: in memory, out of core, on Dask.

Each figure is a ratio measured in one run of this script:

1. ``memory``: ``PrototypePruner(n_clusters=100).fit`` against faiss called
   directly with its defaults (normalise, ``faiss.Kmeans(spherical=True)``,
   which trains on 256 rows per centroid, then ``index.search``), 1M x 512
   float32. Each variant in its own process, alternating, median time.
   Target: at most 1.25x the time, the same mean cosine distance within 1%.
2. ``memmap``: ``fit`` on an 8M x 128 float32 ``np.load(path, mmap_mode="r")``
   (4 GB on disk, evicted from the page cache first, so it is read from disk)
   against ``fit`` on 1M x 128 rows in memory. Target: extra peak resident
   memory at most 1 GB, time per row within 1.5x of the in-memory run.
3. ``dask``: ``fit`` on a 4M x 128 dask array held by a ``LocalCluster`` of 2
   worker processes (1 thread each) against ``fit`` on the same rows in this
   process; the kept rows must be identical.
4. ``stability``: seed-to-seed Spearman correlation of the scores (200k x
   128, 100 clusters) when the centroids are trained on every row, on 256
   rows per centroid (``max_samples="auto"``), and with ``n_init=5``; and the
   correlation between every-row and sampled training.

The data are a mixture of 1000 Gaussian modes (more modes than clusters, as
in real embeddings), generated block by block from fixed seeds.

    python benchmarks/bench_scale.py           # full sizes (~7 GB of temporary files)
    python benchmarks/bench_scale.py --quick   # small sizes, under a minute
    python benchmarks/bench_scale.py --only memmap dask
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

BLOCK = 100_000  # rows generated at once (and the dask chunk length)
N_CLUSTERS = 100

FULL = {
    "memory": dict(n=1_000_000, d=512),
    "memmap": dict(n=8_000_000, d=128, n_ref=1_000_000),
    "dask": dict(n=4_000_000, d=128),
    "stability": dict(n=200_000, d=128),
}
QUICK = {
    "memory": dict(n=100_000, d=32),
    "memmap": dict(n=400_000, d=16, n_ref=50_000),
    "dask": dict(n=100_000, d=16),
    "stability": dict(n=20_000, d=16),
}


# -- data ------------------------------------------------------------------------
def make_block(start: int, stop: int, d: int, seed: int = 0) -> np.ndarray:
    """Rows ``start .. stop - 1`` of the benchmark data (float32)."""
    modes = np.random.default_rng([seed, d]).standard_normal((1000, d), np.float32)
    rng = np.random.default_rng([seed, d, start])
    X = rng.standard_normal((stop - start, d), dtype=np.float32)
    X += modes[rng.integers(1000, size=stop - start)]
    return X


def make_data(n: int, d: int) -> np.ndarray:
    X = np.empty((n, d), dtype=np.float32)
    for a in range(0, n, BLOCK):
        X[a : a + BLOCK] = make_block(a, min(a + BLOCK, n), d)
    return X


def write_npy(path: str, n: int, d: int) -> str:
    """Write the data to a .npy file block by block (no full-size array)."""
    if not os.path.exists(path):
        X = np.lib.format.open_memmap(path + ".part", "w+", np.float32, (n, d))
        for a in range(0, n, BLOCK):
            X[a : a + BLOCK] = make_block(a, min(a + BLOCK, n), d)
        X.flush()
        del X
        os.replace(path + ".part", path)
    return path


def evict(path: str) -> None:
    """Drop the file's pages from the page cache: the next read comes from disk."""
    with open(path, "rb") as f:
        os.fsync(f.fileno())
        os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


# -- memory, sampled in a thread -------------------------------------------------------
def _status() -> dict:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                out[key] = int(value.split()[0]) * 1024
    return out


class PeakMemory:
    """Peak resident (VmRSS) and anonymous (RssAnon) memory above a baseline.

    Sampled every 5 ms: file-backed pages of a memory map count in VmRSS
    while they are mapped; RssAnon is the memory the process allocated.
    """

    def __enter__(self):
        self.base = _status()
        self.peak = dict(self.base)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.005):
            for key, value in _status().items():
                self.peak[key] = max(self.peak[key], value)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        for key, value in _status().items():
            self.peak[key] = max(self.peak[key], value)
        self.extra_rss = self.peak["VmRSS"] - self.base["VmRSS"]
        self.extra_anon = self.peak["RssAnon"] - self.base["RssAnon"]


# -- one variant in a child process -------------------------------------------------
def run_faiss_direct(X: np.ndarray, n_clusters: int) -> float:
    """The hand-written baseline with faiss's defaults; returns the mean distance."""
    import faiss

    Xn = X / np.sqrt(np.einsum("ij,ij->i", X, X))[:, None]
    kmeans = faiss.Kmeans(X.shape[1], n_clusters, niter=25, seed=1, spherical=True)
    kmeans.train(Xn)
    similarity, _ = kmeans.index.search(Xn, 1)
    return float(np.mean(1.0 - similarity))


PHASES: dict = {}


def _timed(name, fn):
    """``fn``, adding its run time to ``PHASES[name]``."""

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            PHASES[name] = PHASES.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def run_library(X, n_clusters: int) -> float:
    """``PrototypePruner.fit``; PHASES gets the time of training and of scoring."""
    from sklearn_prune import PrototypePruner, _kmeans

    _kmeans.fit_centroids = _timed("train", _kmeans.fit_centroids)
    _kmeans.score_rows = _timed("score", _kmeans.score_rows)
    pruner = PrototypePruner(n_clusters=n_clusters, keep=0.5, random_state=0).fit(X)
    return float(np.mean(pruner.scores_))


def child(mode: str, path: str) -> None:
    """Load (or map) the data, run one variant once, print a JSON line."""
    import faiss  # noqa: F401  (loaded before the baseline, for every variant)

    import sklearn_prune  # noqa: F401

    if mode == "memmap":
        X = np.load(path, mmap_mode="r")
    else:
        X = np.load(path)
    start = time.perf_counter()
    with PeakMemory() as mem:
        if mode == "faiss":
            mean_distance = run_faiss_direct(X, N_CLUSTERS)
        else:
            mean_distance = run_library(X, N_CLUSTERS)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            dict(
                mode=mode,
                seconds=seconds,
                mean_distance=mean_distance,
                n=int(X.shape[0]),
                extra_rss=mem.extra_rss,
                extra_anon=mem.extra_anon,
                data_bytes=int(X.nbytes),
                phases=PHASES,
            )
        )
    )


def spawn(mode: str, path: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--path", path]
        + ["--clusters", str(N_CLUSTERS)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": _repo_root()},
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _repo_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.0f} MiB"


# -- the four measurements ------------------------------------------------------------
def bench_memory(size: dict, folder: str, repeats: int) -> dict:
    path = write_npy(
        os.path.join(folder, f"memory_{size['n']}x{size['d']}.npy"), **size
    )
    runs = {"faiss": [], "library": []}
    for rep in range(repeats):
        for mode in list(runs)[:: 1 if rep % 2 == 0 else -1]:
            runs[mode].append(spawn(mode, path))
    t = {m: statistics.median(r["seconds"] for r in rs) for m, rs in runs.items()}
    dist = {m: rs[0]["mean_distance"] for m, rs in runs.items()}
    print(
        f"\n[memory] {size['n']} x {size['d']} float32, {N_CLUSTERS} clusters, "
        f"median of {repeats} runs per variant (each in its own process)"
    )
    for m, rs in runs.items():
        each = ", ".join(f"{r['seconds']:.2f}" for r in rs)
        print(
            f"  {m:8s} {t[m]:7.2f} s  (runs: {each})  mean distance "
            f"{dist[m]:.4f}  extra peak RSS {_mib(min(r['extra_rss'] for r in rs))}"
        )
    phases = {
        key: statistics.median(r["phases"][key] for r in runs["library"])
        for key in ("train", "score")
    }
    phases["select"] = t["library"] - phases["train"] - phases["score"]
    result = dict(
        time_ratio=t["library"] / t["faiss"],
        distance_ratio=dist["library"] / dist["faiss"],
        seconds=t,
        mean_distance=dist,
        library_phases=phases,
    )
    print(
        "  library phases: "
        + ", ".join(f"{key} {value:.2f} s" for key, value in phases.items())
        + " (select = the rest: validation and the choice of rows)"
    )
    print(
        f"  library/faiss: time {result['time_ratio']:.2f}x (target <= 1.25), "
        f"mean distance {result['distance_ratio']:.4f} (target within 1%)"
    )
    return result


def bench_memmap(size: dict, folder: str) -> dict:
    big = write_npy(
        os.path.join(folder, f"memmap_{size['n']}x{size['d']}.npy"),
        size["n"],
        size["d"],
    )
    ref = write_npy(
        os.path.join(folder, f"memmap_ref_{size['n_ref']}x{size['d']}.npy"),
        size["n_ref"],
        size["d"],
    )
    in_memory = spawn("library", ref)
    evict(big)
    mapped = spawn("memmap", big)
    per_row = {
        "memory": in_memory["seconds"] / in_memory["n"],
        "memmap": mapped["seconds"] / mapped["n"],
    }
    result = dict(
        phases={"memory": in_memory["phases"], "memmap": mapped["phases"]},
        time_per_row_ratio=per_row["memmap"] / per_row["memory"],
        extra_peak_rss=mapped["extra_rss"],
        extra_peak_anon=mapped["extra_anon"],
        seconds={"memory": in_memory["seconds"], "memmap": mapped["seconds"]},
        file_bytes=mapped["data_bytes"],
    )
    print(
        f"\n[memmap] {size['n']} x {size['d']} float32 memory map "
        f"({mapped['data_bytes'] / 1e9:.1f} GB on disk, read cold) vs "
        f"{size['n_ref']} x {size['d']} in memory, {N_CLUSTERS} clusters"
    )
    print(
        f"  in memory {in_memory['seconds']:7.2f} s ({per_row['memory'] * 1e6:.2f} "
        f"us/row)   memmap {mapped['seconds']:7.2f} s "
        f"({per_row['memmap'] * 1e6:.2f} us/row)"
    )
    print(
        f"  time per row memmap/memory {result['time_per_row_ratio']:.2f}x "
        f"(target <= 1.5); extra peak RSS {_mib(mapped['extra_rss'])} (target <= "
        f"1 GiB), of which allocated (RssAnon) {_mib(mapped['extra_anon'])}"
    )
    for name, run in (("in memory", in_memory), ("memmap", mapped)):
        print(
            f"  {name} phases: train {run['phases']['train']:.2f} s, score "
            f"{run['phases']['score']:.2f} s"
        )
    return result


def bench_dask(size: dict) -> dict:
    import dask
    import dask.array as da
    import distributed

    from sklearn_prune import PrototypePruner

    n, d = size["n"], size["d"]
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        blocks = [
            da.from_delayed(
                dask.delayed(make_block)(a, min(a + BLOCK, n), d),
                shape=(min(a + BLOCK, n) - a, d),
                dtype=np.float32,
            )
            for a in range(0, n, BLOCK)
        ]
        X_dask = da.concatenate(blocks).persist()
        distributed.wait(X_dask)
        start = time.perf_counter()
        pruner = PrototypePruner(n_clusters=N_CLUSTERS, keep=0.5, random_state=0)
        kept_dask = pruner.fit(X_dask).sample_indices_.compute()
        t_dask = time.perf_counter() - start
    X = make_data(n, d)
    start = time.perf_counter()
    kept = PrototypePruner(n_clusters=N_CLUSTERS, keep=0.5, random_state=0).fit(X)
    t_memory = time.perf_counter() - start
    identical = bool(np.array_equal(kept.sample_indices_, kept_dask))
    result = dict(
        time_ratio=t_dask / t_memory,
        seconds={"dask": t_dask, "in_process": t_memory},
        identical=identical,
    )
    print(
        f"\n[dask] {n} x {d} float32, {N_CLUSTERS} clusters; LocalCluster of 2 "
        f"worker processes x 1 thread vs one process"
    )
    print(
        f"  in process {t_memory:7.2f} s   dask {t_dask:7.2f} s   dask/in-process "
        f"{result['time_ratio']:.2f}x   kept rows identical: {identical}"
    )
    return result


def bench_stability(size: dict) -> dict:
    from scipy.stats import spearmanr

    from sklearn_prune import PrototypePruner

    X = make_data(size["n"], size["d"])
    variants = {
        "every row": dict(max_samples=1.0),
        "256 per centroid": dict(),
        "256 per centroid, n_init=5": dict(n_init=5),
    }
    scores, seconds = {}, {}
    for name, params in variants.items():
        for seed in (0, 1):
            start = time.perf_counter()
            p = PrototypePruner(n_clusters=N_CLUSTERS, random_state=seed, **params)
            scores[name, seed] = p.fit(X).scores_
            seconds[name] = time.perf_counter() - start
    result = {
        name: dict(
            seed_to_seed=float(spearmanr(scores[name, 0], scores[name, 1]).statistic),
            seconds=seconds[name],
        )
        for name in variants
    }
    result["every row vs 256 per centroid"] = float(
        spearmanr(scores["every row", 0], scores["256 per centroid", 0]).statistic
    )
    print(
        f"\n[stability] {size['n']} x {size['d']}, {N_CLUSTERS} clusters: Spearman "
        f"correlation of the scores between random_state=0 and 1"
    )
    for name in variants:
        print(
            f"  {name:28s} {result[name]['seed_to_seed']:.3f}   "
            f"({result[name]['seconds']:.1f} s per fit)"
        )
    print(
        f"  every row vs 256 per centroid (same seed): "
        f"{result['every row vs 256 per centroid']:.3f}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(FULL),
        default=list(FULL),
        help="measurements to run (default: all)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of [memory]")
    parser.add_argument(
        "--clusters", type=int, help="k-means clusters (default: 100; 20 with --quick)"
    )
    parser.add_argument(
        "--tmpdir", help="folder for the data files (default: a new one)"
    )
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global N_CLUSTERS
    N_CLUSTERS = args.clusters or (20 if args.quick else 100)
    if args.child:
        child(args.child, args.path)
        return
    sizes = QUICK if args.quick else FULL
    folder = args.tmpdir or tempfile.mkdtemp(prefix="bench_scale_")
    os.makedirs(folder, exist_ok=True)
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; data files "
        f"in {folder}"
    )
    results = {}
    try:
        if "memory" in args.only:
            results["memory"] = bench_memory(sizes["memory"], folder, args.repeats)
        if "memmap" in args.only:
            results["memmap"] = bench_memmap(sizes["memmap"], folder)
        if "dask" in args.only:
            results["dask"] = bench_dask(sizes["dask"])
        if "stability" in args.only:
            results["stability"] = bench_stability(sizes["stability"])
    finally:
        if not args.tmpdir:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()

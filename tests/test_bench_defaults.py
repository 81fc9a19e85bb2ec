"""benchmarks/bench_defaults.py --quick runs and reports every pruner's defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest


def test_bench_defaults_quick_runs(tmp_path):
    pytest.importorskip("statsmodels")  # the quick run's second data set
    root = Path(__file__).parents[1]
    out = tmp_path / "quick.csv"
    run = subprocess.run(
        [sys.executable, "benchmarks/bench_defaults.py", "--quick", "--verbose", "0"]
        + ["--n-jobs", "1", "--csv", str(out)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=True,
        capture_output=True,
        text=True,
    )
    frame = pd.read_csv(out)
    assert set(frame["data"]) == {"breast_cancer", "anes96"}
    assert set(frame["learner"]) == {"hgb", "mlp"}
    # every pruner with its defaults; the oracle on these binary sets too
    assert set(frame["pruner"]) == {"EL2N", "Prototype", "SemDedup", "Oracle"}
    assert set(frame["keep"]) == {0.2, 0.5}
    assert frame["difference"].abs().max() < 0.5
    for pruner in ("EL2N", "Prototype", "SemDedup", "Oracle"):
        assert f"**{pruner}** (difference to random" in run.stdout
        assert f"- {pruner}: worst cell" in run.stdout
    assert "## Worst-class recall" in run.stdout
    # --report prints the same tables from the saved run, without fitting
    report = subprocess.run(
        [sys.executable, "benchmarks/bench_defaults.py", "--report", str(out)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=True,
        capture_output=True,
        text=True,
    )

    def verdicts(text):
        return [line for line in text.splitlines() if line.startswith("- ")]

    assert verdicts(report.stdout) == verdicts(run.stdout)
    assert len(verdicts(run.stdout)) == 8  # accuracy and worst class, 4 pruners
    # runs of other seeds (--first-seed) are reported together; the same
    # seeds twice are refused rather than counted twice
    other = tmp_path / "other.csv"
    frame.assign(seed=frame["seed"] + 1).to_csv(other, index=False)

    def report_of(*files):
        return subprocess.run(
            [sys.executable, "benchmarks/bench_defaults.py", "--report", *files],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
        )

    both = report_of(str(out), str(other))
    assert both.returncode == 0, both.stderr
    assert "(2 seeds x 3 folds)" in both.stdout
    twice = report_of(str(out), str(out))
    assert twice.returncode == 2
    assert "share seeds" in twice.stderr


def test_bench_defaults_runs_only_the_named_curves(tmp_path):
    root = Path(__file__).parents[1]
    out = tmp_path / "some.csv"

    def bench(*args):
        return subprocess.run(
            [sys.executable, "benchmarks/bench_defaults.py", "--verbose", "0", *args],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
        )

    run = bench(
        "--quick", "--data", "breast_cancer", "--n-jobs", "1", "--compare",
        "--pruners", "Prototype", "Prototype, scaled", "--csv", str(out),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert set(pd.read_csv(out)["pruner"]) == {"Prototype", "Prototype, scaled"}
    unknown = bench("--pruners", "Prototype", "Nope")
    assert unknown.returncode == 2
    assert "unknown ['Nope']" in unknown.stderr

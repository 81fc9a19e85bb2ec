"""The command line: ``sklearn-prune`` and ``python -m sklearn_prune``."""

import re
import runpy
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_prune import (
    EL2NPruner,
    OraclePruner,
    PrototypePruner,
    SemDedupPruner,
    cli,
)


@pytest.fixture
def rows(tmp_path):
    X = np.random.RandomState(0).normal(size=(300, 6)).astype(np.float32)
    path = tmp_path / "rows.npy"
    np.save(path, X)
    return X, path


@pytest.fixture
def table(tmp_path):
    rng = np.random.RandomState(1)
    frame = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    frame["label"] = rng.randint(0, 3, size=200)
    return frame


def _run(*argv):
    return cli.main([str(a) for a in argv])


def test_prune_npy_writes_positions_and_scores(rows, tmp_path, capsys):
    X, path = rows
    out = tmp_path / "kept.csv"
    status = _run(
        "prune",
        path,
        "--keep",
        0.4,
        "--param",
        "n_clusters=5",
        "--output",
        out,
        "--positions",
    )
    assert status == 0
    expected = PrototypePruner(keep=0.4, n_clusters=5, random_state=0).fit(X)
    kept = pd.read_csv(out)
    assert list(kept.columns) == ["row", "score"]
    np.testing.assert_array_equal(kept["row"], expected.sample_indices_)
    np.testing.assert_allclose(
        kept["score"], expected.scores_[expected.sample_indices_]
    )
    err = capsys.readouterr().err  # progress
    assert "memory-mapped" in err
    assert "scored 300/300 rows" in err
    assert "kept 120 of 300 rows" in err


def test_prune_npy_writes_the_kept_rows(rows, tmp_path):
    X, path = rows
    expected = PrototypePruner(keep=0.4, n_clusters=5, random_state=0).fit(X)
    idx = expected.sample_indices_
    out = tmp_path / "kept.npy"
    assert (
        _run(
            "prune",
            path,
            "--keep",
            0.4,
            "--param",
            "n_clusters=5",
            "--output",
            out,
            "-q",
        )
        == 0
    )
    np.testing.assert_array_equal(np.load(out), X[idx])
    table = tmp_path / "kept.csv"
    assert (
        _run(
            "prune",
            path,
            "--keep",
            0.4,
            "--param",
            "n_clusters=5",
            "--output",
            table,
            "--score-column",
            "difficulty",
            "-q",
        )
        == 0
    )
    kept = pd.read_csv(table, index_col="row")
    assert list(kept.columns) == [str(i) for i in range(6)] + ["difficulty"]
    np.testing.assert_array_equal(kept.index, idx)
    np.testing.assert_allclose(kept.iloc[:, :6], X[idx], rtol=1e-6)
    np.testing.assert_allclose(kept["difficulty"], expected.scores_[idx])


def test_parquet_in_and_out_with_a_label_column(table, tmp_path):
    pytest.importorskip("pyarrow")  # the [parquet] extra
    path = tmp_path / "train.parquet"
    table.to_parquet(path)
    out, every = tmp_path / "kept.parquet", tmp_path / "scores.parquet"
    status = _run(
        "prune",
        path,
        "--pruner",
        "el2n",
        "--labels",
        "label",
        "--keep",
        50,
        "--strategy",
        "easy",
        "--random-state",
        3,
        "--output",
        out,
        "--scores-output",
        every,
        "--quiet",
    )
    assert status == 0
    expected = EL2NPruner(keep=50, strategy="easy", random_state=3).fit(
        table[["a", "b", "c"]], table["label"]
    )
    kept = pd.read_parquet(out)
    # every column; a default 0..n-1 index is not written
    pd.testing.assert_frame_equal(
        kept, table.iloc[expected.sample_indices_].reset_index(drop=True)
    )
    scores = pd.read_parquet(every)
    assert list(scores.columns) == ["row", "score", "kept"]
    np.testing.assert_allclose(scores["score"], expected.scores_)
    assert scores["kept"].sum() == 50


def test_csv_input_with_a_labels_file(table, tmp_path):
    path = tmp_path / "train.csv"
    table[["a", "b", "c"]].to_csv(path, index=False)
    labels = tmp_path / "y.npy"
    np.save(labels, table["label"].to_numpy())
    out = tmp_path / "kept.csv"
    assert (
        _run(
            "prune",
            path,
            "--labels",
            labels,
            "--param",
            "class_balance=True",
            "--param",
            "n_clusters=3",
            "--keep",
            0.3,
            "--output",
            out,
            "--positions",
            "-q",
        )
        == 0
    )
    expected = PrototypePruner(
        keep=0.3, n_clusters=3, class_balance=True, random_state=0
    ).fit(table[["a", "b", "c"]], table["label"])
    np.testing.assert_array_equal(pd.read_csv(out)["row"], expected.sample_indices_)


def test_existing_output_is_never_overwritten_without_force(rows, tmp_path, capsys):
    _, path = rows
    out = tmp_path / "kept.csv"
    out.write_text("precious\n")
    assert _run("prune", path, "--output", out) == 1
    assert "exists; pass --force" in capsys.readouterr().err
    assert out.read_text() == "precious\n"
    assert _run("prune", path, "--output", out, "--force", "-q") == 0
    assert pd.read_csv(out).shape == (150, 7)  # the row positions and 6 columns


def test_a_failure_writes_nothing(tmp_path, capsys):
    X = np.random.RandomState(0).normal(size=(100, 3))
    X[90, 1] = np.nan
    np.save(tmp_path / "bad.npy", X)
    out, every = tmp_path / "kept.csv", tmp_path / "all.csv"
    assert (
        _run("prune", tmp_path / "bad.npy", "--output", out, "--scores-output", every)
        == 1
    )
    assert "NaN or infinity at row 90" in capsys.readouterr().err
    assert not out.exists() and not every.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.npy"]


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing", "does not exist"),
        ("text column", "column 'name' of INPUT .* is not numeric"),
        (
            "mixed column",
            "column 'a' of INPUT .* mixes numbers and other values "
            "\\(e.g. 'oops' in row 3\\)",
        ),
        ("label missing", "--labels 'nope' is not a column"),
        ("label file short", "has 10 labels but INPUT has 200 rows"),
        ("bad extension", "must be a .npy, .parquet or .csv"),
        ("bad output", "must end in .parquet or .csv"),
        ("bad param", "'n_clusterz' is not a parameter"),
        ("bad value", "'keep' parameter of PrototypePruner"),
        ("el2n without labels", "requires y"),
        ("1-d npy", "must hold a 2-D array"),
    ],
)
def test_bad_inputs_are_one_line_errors(case, message, table, tmp_path, capsys):
    path = tmp_path / "train.csv"
    frame = table.copy()
    args = []
    if case == "missing":
        path = tmp_path / "nothing.csv"
    elif case == "text column":
        frame["name"] = "x"
    elif case == "mixed column":
        frame["a"] = frame["a"].astype(object)
        frame.loc[3, "a"] = "oops"
    elif case == "label missing":
        args = ["--labels", "nope"]
    elif case == "label file short":
        np.save(tmp_path / "y.npy", np.arange(10))
        args = ["--labels", tmp_path / "y.npy"]
    elif case == "bad extension":
        path = tmp_path / "train.txt"
    elif case == "bad param":
        args = ["--param", "n_clusterz=3"]
    elif case == "bad value":
        args = ["--keep", 2.5]
    elif case == "el2n without labels":
        args = ["--pruner", "el2n"]
    elif case == "1-d npy":
        path = tmp_path / "flat.npy"
        np.save(path, np.arange(10.0))
    if case not in ("missing", "1-d npy"):
        frame.to_csv(path, index=False)
    out = tmp_path / ("kept.json" if case == "bad output" else "kept.csv")
    assert _run("prune", path, "--output", out, *args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("sklearn-prune: error: ")
    assert re.search(message, err[-1]), err[-1]
    assert not out.exists()


def test_bad_command_lines_exit_with_status_2(rows, tmp_path):
    _, path = rows
    with pytest.raises(SystemExit) as exc:
        _run("prune", path)  # no --output
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        _run("prune", path, "--output", tmp_path / "k.csv", "--param", "oops")
    assert exc.value.code == 2


def test_help_is_plain_text(capsys):
    with pytest.raises(SystemExit) as exc:
        _run("--help")
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "sklearn-prune demo" in text and "prune" in text
    with pytest.raises(SystemExit):
        _run("prune", "--help")
    text = capsys.readouterr().out
    for words in (
        "INPUT",
        "--output",
        "--labels COLUMN_OR_FILE",
        "--force",
        "never",
        "memory-mapped",
        "el2n",
    ):
        assert words in text


def test_no_arguments_prints_the_usage(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(cli, "run_demo", lambda args: calls.append(args) or 0)
    assert cli.main([]) == 0
    assert capsys.readouterr().out.startswith("usage: sklearn-prune")
    assert calls == []
    assert cli.main(["--seeds", "1", "--keep", "0.5"]) == 0  # the old options
    assert cli.main(["demo"]) == 0
    assert calls[0].seeds == 1 and calls[0].keep == [0.5]
    assert calls[1].seeds == 3


def test_python_m_without_arguments_runs_the_demo(monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "run_demo", lambda args: calls.append(args) or 0)
    monkeypatch.setattr(sys, "argv", ["sklearn_prune"])
    monkeypatch.delitem(sys.modules, "sklearn_prune.__main__", raising=False)
    with pytest.raises(SystemExit) as exc:
        runpy.run_module("sklearn_prune", run_name="__main__")
    assert exc.value.code == 0 and len(calls) == 1 and calls[0].seeds == 3


def test_demo_shows_progress_and_the_table(capsys):
    assert cli.main(["demo", "--keep", "0.5", "--seeds", "1"]) == 0
    captured = capsys.readouterr()
    # built with pruning_curve: its progress lines on stderr, the table on stdout
    assert "[pruning_curve] split 1/1, 'random':" in captured.err
    assert "[pruning_curve] split 1/1, 'EL2N, stratified':" in captured.err
    assert "[pruning_curve]" not in captured.out
    rows = [line.rsplit(" ", 1)[0].strip() for line in captured.out.splitlines()]
    table = rows[rows.index("keep") + 1 : rows.index("keep") + 8]
    assert table == [
        "random",
        "prototype, keep easy",
        "prototype, keep hard",
        "prototype, stratified",
        "EL2N, keep easy",
        "EL2N, keep hard",
        "EL2N, stratified",
    ]
    assert "keep=0.5: best is" in captured.out


def test_console_script_and_module_entry_points():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    pyproject = tomllib.loads(
        (Path(__file__).parents[1] / "pyproject.toml").read_text()
    )
    assert pyproject["project"]["scripts"]["sklearn-prune"] == "sklearn_prune.cli:main"
    run = subprocess.run(
        [sys.executable, "-m", "sklearn_prune", "prune", "--help"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
    )
    assert run.returncode == 0 and "usage: sklearn-prune prune" in run.stdout


def test_optional_packages_are_imported_only_when_used():
    # pandas itself imports pyarrow where it is installed: compare with it
    code = (
        "import sys, pandas; before = set(sys.modules); "
        "import sklearn_prune, sklearn_prune.cli; "
        "print(sorted(m for m in ('dask', 'distributed', 'pyarrow', 'faiss', 'torch') "
        "if m in sys.modules and m not in before))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    assert run.stdout.strip() == "[]"


# -- issue 17: the kept rows themselves, every pruner, clear messages ----------------
@pytest.fixture
def iris_frame():
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    frame = iris.frame.drop(columns="target")
    frame["species"] = iris.target_names[iris.target]
    frame.index = pd.Index([f"img{i}" for i in range(len(frame))], name="id")
    return frame


def _expected_rows(frame, **params):
    X, y = frame.drop(columns="species"), frame["species"]
    return EL2NPruner(random_state=0, **params).fit_resample(X, y)[0].index


def test_parquet_with_a_string_index_round_trips(iris_frame, tmp_path):
    pytest.importorskip("pyarrow")
    path, out = tmp_path / "iris.parquet", tmp_path / "kept.parquet"
    iris_frame.to_parquet(path)
    status = _run(
        "prune",
        path,
        "--pruner",
        "el2n",
        "--labels",
        "species",
        "--keep",
        0.4,
        "--output",
        out,
        "--score-column",
        "el2n",
        "-q",
    )
    assert status == 0
    kept = pd.read_parquet(out)
    expected = _expected_rows(iris_frame, keep=0.4)
    assert list(kept.index) == list(expected)  # img.. labels, not 0..n-1
    pd.testing.assert_frame_equal(kept.drop(columns="el2n"), iris_frame.loc[expected])
    assert kept["el2n"].between(0, np.sqrt(2)).all()


def test_csv_with_an_index_column_round_trips(iris_frame, tmp_path):
    path, out = tmp_path / "iris.csv", tmp_path / "kept.csv"
    iris_frame.to_csv(path)  # the index is the first column, "id"
    for index_col in ("id", "0"):  # by name or by number
        status = _run(
            "prune",
            path,
            "--index-col",
            index_col,
            "--pruner",
            "el2n",
            "--labels",
            "species",
            "--keep",
            0.4,
            "--output",
            out,
            "--force",
            "-q",
        )
        assert status == 0
        kept = pd.read_csv(out, index_col="id")
        expected = _expected_rows(iris_frame, keep=0.4)
        assert list(pd.read_csv(out).columns) == ["id", *iris_frame.columns]
        pd.testing.assert_frame_equal(kept, iris_frame.loc[expected])


def test_every_pruner_is_available(iris_frame, tmp_path):
    path = tmp_path / "iris.csv"
    frame = iris_frame.assign(difficulty=np.arange(150.0)[::-1])
    frame.to_csv(path)
    assert set(cli.PRUNERS) == {
        "prototype",
        "random",
        "el2n",
        "dedup",
        "score",
        "oracle",
    }
    common = [path, "--index-col", "id", "--labels", "species", "-q", "--force"]
    out = tmp_path / "kept.csv"
    # your own score column: hard keeps the highest, i.e. the first 30 rows
    assert (
        _run(
            "prune",
            *common,
            "--pruner",
            "score",
            "--scores",
            "difficulty",
            "--keep",
            30,
            "--strategy",
            "hard",
            "--param",
            "class_balance=false",
            "--output",
            out,
        )
        == 0
    )
    kept = pd.read_csv(out, index_col="id")
    assert list(kept.index) == [f"img{i}" for i in range(30)]
    assert "difficulty" in kept.columns  # every column is written
    # deduplication: the threshold decides without --keep
    assert (
        _run(
            "prune",
            *common,
            "--features",
            "sepal length (cm)",
            "sepal width (cm)",
            "--pruner",
            "dedup",
            "--param",
            "eps=1e-9",
            "--output",
            out,
        )
        == 0
    )
    X = frame[["sepal length (cm)", "sepal width (cm)"]]
    dedup = SemDedupPruner(eps=1e-9, random_state=0).fit(X)
    assert list(pd.read_csv(out, index_col="id").index) == list(
        frame.index[dedup.sample_indices_]
    )
    assert dedup.n_duplicates_ > 0
    # the oracle with a teacher file
    teacher = tmp_path / "w.npy"
    np.save(teacher, np.array([1.0, -1.0, 0.5, 0.0, 0.0]))
    assert (
        _run(
            "prune",
            *common,
            "--pruner",
            "oracle",
            "--teacher",
            teacher,
            "--output",
            out,
        )
        == 0
    )
    oracle = OraclePruner(teacher=np.load(teacher), random_state=0).fit(
        frame.drop(columns="species"), frame["species"]
    )
    assert list(pd.read_csv(out, index_col="id").index) == list(
        frame.index[oracle.sample_indices_]
    )
    assert _run("prune", *common, "--pruner", "random", "--output", out) == 0


@pytest.mark.parametrize(
    "args, message",
    [
        # a wrong --labels name is the mistake, not the text column it names
        (["--labels", "target"], "--labels 'target' is not a column of INPUT"),
        (["--pruner", "score"], "--pruner score needs --scores"),
        (["--scores", "x"], "--scores is for --pruner score"),
        (["--pruner", "score", "--scores", "species"], "must hold numbers"),
        (["--features", "nope"], "has no column 'nope'"),
        (["--index-col", "nope"], "--index-col 'nope' is not a column"),
        (["--score-column", "species", "--labels", "species"], "column of INPUT"),
    ],
)
def test_the_users_real_mistake_is_named(iris_frame, tmp_path, capsys, args, message):
    path = tmp_path / "iris.csv"
    iris_frame.to_csv(path, index=False)
    assert _run("prune", path, "--output", tmp_path / "k.csv", *args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def test_long_column_lists_are_cut(tmp_path, capsys):
    path = tmp_path / "wide.csv"
    pd.DataFrame(np.zeros((5, 65)), columns=[f"feature_{i}" for i in range(65)]).to_csv(
        path, index=False
    )
    assert _run("prune", path, "--labels", "y", "--output", tmp_path / "k.csv") == 1
    err = capsys.readouterr().err
    assert "and 57 more (65 columns)" in err and "feature_64" not in err
    assert len(err) < 300


def test_warnings_print_on_one_line(table, tmp_path, capsys):
    path = tmp_path / "t.csv"
    table.to_csv(path, index=False)
    assert (
        _run(
            "prune",
            path,
            "--keep",
            1,
            "--pruner",
            "random",
            "--output",
            tmp_path / "k.csv",
            "-q",
        )
        == 0
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert err and all(line.startswith("sklearn-prune: warning: ") for line in err)
    assert any("keep=1.0" in line for line in err)
    assert not any(".py:" in line for line in err)  # no source path


@pytest.mark.parametrize(
    "text, value",
    [
        ("true", True),
        ("False", False),
        ("none", None),
        ("NULL", None),
        ("3", 3),
        ("0.5", 0.5),
        ("'auto'", "auto"),
        ("auto", "auto"),
    ],
)
def test_param_values(text, value):
    assert cli._param(f"class_balance={text}") == ("class_balance", value)


def test_class_balance_true_from_the_command_line(table, tmp_path):
    path = tmp_path / "t.csv"
    table.to_csv(path, index=False)
    out = tmp_path / "k.csv"
    assert (
        _run(
            "prune",
            path,
            "--labels",
            "label",
            "--param",
            "class_balance=true",
            "--param",
            "n_clusters=3",
            "--keep",
            0.3,
            "--output",
            out,
            "-q",
        )
        == 0
    )
    expected = PrototypePruner(
        keep=0.3, n_clusters=3, class_balance=True, random_state=0
    ).fit_resample(table[["a", "b", "c"]], table["label"])[0]
    np.testing.assert_allclose(pd.read_csv(out)[["a", "b", "c"]], expected)


# -- issue 21: a stopped or failed run leaves nothing behind ----------------------
def _outputs(tmp_path):
    out, every = tmp_path / "kept.csv", tmp_path / "scores.csv"
    out.write_text("old rows\n")
    every.write_text("old scores\n")
    return out, every


def _prune_both(path, out, every):
    return _run(
        "prune",
        path,
        "--output",
        out,
        "--scores-output",
        every,
        "--force",
        "-q",
        "--param",
        "n_clusters=3",
    )


@pytest.mark.parametrize("signum, status", [("SIGTERM", 143), ("SIGINT", 130)])
def test_a_signal_while_writing_leaves_no_file(
    signum, status, rows, tmp_path, monkeypatch, capsys
):
    import os
    import signal

    _, path = rows
    out, every = _outputs(tmp_path)
    real = pd.DataFrame.to_csv

    def interrupted(frame, target, *args, **kwargs):
        real(frame.head(3), target, *args, **kwargs)  # a partial file
        os.kill(os.getpid(), getattr(signal, signum))
        time.sleep(5)  # the signal arrives here

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    assert _prune_both(path, out, every) == status
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nothing written" in err[0]
    assert "Traceback" not in err[0]
    assert out.read_text() == "old rows\n" and every.read_text() == "old scores\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [path.name, "kept.csv", "scores.csv"]
    )
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored


def test_a_write_error_leaves_no_file(rows, tmp_path, monkeypatch, capsys):
    import errno

    _, path = rows
    out, every = _outputs(tmp_path)
    real = pd.DataFrame.to_csv

    def disk_full(frame, target, *args, **kwargs):
        real(frame.head(3), target, *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", disk_full)
    assert _prune_both(path, out, every) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert out.read_text() == "old rows\n" and every.read_text() == "old scores\n"
    assert len(list(tmp_path.iterdir())) == 3


def test_both_outputs_are_replaced_together_or_neither(rows, tmp_path, monkeypatch):
    import errno
    import os

    _, path = rows
    out, every = _outputs(tmp_path)
    real, calls = os.replace, []

    def second_move_fails(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if Path(src).name.startswith(".scores.csv") and ".tmp" in Path(src).name:
            raise OSError(errno.EIO, "I/O error")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", second_move_fails)
    assert _prune_both(path, out, every) == 1
    assert any(dst == "kept.csv" for _, dst in calls)  # the first one was moved
    assert out.read_text() == "old rows\n" and every.read_text() == "old scores\n"
    assert len(list(tmp_path.iterdir())) == 3
    monkeypatch.setattr(os, "replace", real)
    assert _prune_both(path, out, every) == 0
    assert out.read_text() != "old rows\n" and every.read_text() != "old scores\n"

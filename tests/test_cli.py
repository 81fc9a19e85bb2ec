"""The command line: ``sklearn-prune`` and ``python -m sklearn_prune``."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_prune import EL2NPruner, PrototypePruner, cli


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


def test_prune_npy_writes_kept_rows_and_scores(rows, tmp_path, capsys):
    X, path = rows
    out = tmp_path / "kept.csv"
    assert (
        _run("prune", path, "--keep", 0.4, "--param", "n_clusters=5", "--output", out)
        == 0
    )
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
    np.testing.assert_array_equal(pd.read_parquet(out)["row"], expected.sample_indices_)
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
    assert pd.read_csv(out).shape == (150, 2)


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
    assert "Run without a command, it runs the digits demo." in text
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


def test_no_arguments_runs_the_demo(monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "run_demo", lambda args: calls.append(args) or 0)
    assert cli.main([]) == 0
    assert cli.main(["--seeds", "1", "--keep", "0.5"]) == 0  # the old options
    assert cli.main(["demo"]) == 0
    assert calls[1].seeds == 1 and calls[1].keep == [0.5]
    assert calls[2].seeds == 3


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

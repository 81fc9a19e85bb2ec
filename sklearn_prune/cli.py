"""The command line: ``sklearn-prune`` (also ``python -m sklearn_prune``).

Two commands:

- ``demo`` (the default with no arguments): prune scikit-learn's built-in
  digits images with every pruner and print the test accuracy table;
- ``prune``: read rows from a ``.npy`` (memory-mapped), ``.parquet`` or
  ``.csv`` file, score them with a pruner and write the kept rows' positions
  and scores to ``.parquet`` or ``.csv``.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import sys
import time
from pathlib import Path

import numpy as np

__all__ = ["main"]

#: pruners the ``prune`` command knows, by the name given to ``--pruner``
PRUNERS = {
    "prototype": "PrototypePruner",
    "random": "RandomPruner",
    "el2n": "EL2NPruner",
}
INPUTS = (".npy", ".parquet", ".csv")
OUTPUTS = (".parquet", ".csv")

_DESCRIPTION = """\
Train on less data: rank the rows of a training set by difficulty and keep
a fraction of them (data pruning, after Sorscher et al., NeurIPS 2022).

Run without a command, it runs the digits demo."""

_EXAMPLES = """\
examples:
  sklearn-prune                      # the digits demo (same as: sklearn-prune demo)
  sklearn-prune prune emb.npy --keep 0.4 --output kept.parquet
  sklearn-prune prune train.csv --labels label --pruner el2n --keep 0.5 \\
      --output kept.csv --scores-output scores.csv
  sklearn-prune prune emb.npy --param n_clusters=1000 --param n_init=3 \\
      --keep 0.3 --strategy easy --output kept.parquet

Run "sklearn-prune prune --help" for every option of the prune command."""

_PRUNE_DESCRIPTION = """\
Score every row of INPUT with a pruner and write one line per KEPT row: its
position in INPUT (column "row", counted from 0) and its difficulty score
(column "score", higher = harder). INPUT holds one sample per row: features
or embeddings, all numeric. A .npy file is memory-mapped, so it may be larger
than memory (the prototype and random pruners read it in chunks); .parquet
and .csv files are read whole (their first line names the columns).

Nothing is written if anything fails, and an existing output file is never
replaced unless --force is given. Exit status: 0 on success, 1 on a bad
input, 2 on a bad command line."""

_PRUNE_EPILOG = """\
pruners:
  prototype  cosine distance to the nearest k-means prototype (faiss); needs no
             labels; scales to memory maps and dask (the default)
  random     random scores: the baseline to compare with
  el2n       error of briefly trained probe classifiers; needs --labels

examples:
  sklearn-prune prune emb.npy --keep 0.4 --output kept.parquet
  sklearn-prune prune train.csv --labels label --keep 0.5 --output kept.csv
  sklearn-prune prune emb.npy --labels y.npy --param class_balance=True \\
      --keep 0.3 --output kept.csv --scores-output all_scores.csv"""


class InputError(ValueError):
    """A bad file, column or option value: reported in one line, exit status 1."""


# -- the command line -----------------------------------------------------------
def _keep(text: str):
    """``--keep``: an int is a number of rows, anything else a fraction."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a fraction in (0, 1] or a number of rows; got {text!r}"
        ) from None


def _param(text: str) -> tuple[str, object]:
    """``--param NAME=VALUE``; VALUE is read as a Python literal when it is one."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(
            f"must look like NAME=VALUE (e.g. n_clusters=100); got {text!r}"
        )
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        parsed = value
    return name.strip(), parsed


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``sklearn-prune``."""
    from . import __version__
    from ._selection import STRATEGIES

    parser = argparse.ArgumentParser(
        prog="sklearn-prune",
        description=_DESCRIPTION,
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="prune the built-in digits images with every pruner, print accuracies",
        description=(
            "Train a classifier on pruned versions of scikit-learn's built-in "
            "digits images (1797 8x8 handwritten digits, no download) and print "
            "the test accuracy for every pruner, strategy and kept fraction, "
            "next to random pruning. Progress goes to stderr."
        ),
    )
    demo.add_argument(
        "--keep",
        type=float,
        nargs="+",
        default=[0.1, 0.2, 0.4, 0.7],
        help="kept fractions to try (default: 0.1 0.2 0.4 0.7)",
    )
    demo.add_argument(
        "--seeds", type=int, default=3, help="seeds averaged per cell (default: 3)"
    )
    demo.add_argument(
        "--test-size", type=float, default=0.5, help="held-out fraction (default: 0.5)"
    )
    demo.set_defaults(func=run_demo)

    prune = commands.add_parser(
        "prune",
        help="score the rows of a file and write the kept ones",
        description=_PRUNE_DESCRIPTION,
        epilog=_PRUNE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    prune.add_argument(
        "input", metavar="INPUT", help="rows to prune: a .npy, .parquet or .csv file"
    )
    prune.add_argument(
        "--output",
        "-o",
        required=True,
        metavar="OUT",
        help="where to write the kept rows (.parquet or .csv, by its extension)",
    )
    prune.add_argument(
        "--pruner",
        choices=sorted(PRUNERS),
        default="prototype",
        help="how rows are scored (default: prototype; see below)",
    )
    prune.add_argument(
        "--keep",
        type=_keep,
        default=0.5,
        metavar="KEEP",
        help="fraction of rows to keep, e.g. 0.4, or a number of rows, e.g. "
        "1000 (default: 0.5)",
    )
    prune.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default="stratified",
        help="which rows to keep: hard = highest scores, easy = lowest, "
        "stratified = cover the whole score range (after dropping the hardest "
        "10%%), moderate = closest to the median (default: stratified)",
    )
    prune.add_argument(
        "--labels",
        metavar="COLUMN_OR_FILE",
        help="class labels: a column of INPUT (left out of the features), or a "
        "file with one label per row (.npy, .csv, .parquet); needed by el2n "
        "and by class_balance=True",
    )
    prune.add_argument(
        "--features",
        nargs="+",
        metavar="COLUMN",
        help="columns of a .parquet or .csv INPUT to use as features (default: "
        "every column but the labels)",
    )
    prune.add_argument(
        "--param",
        type=_param,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of the pruner, e.g. n_clusters=100 or "
        "class_balance=True; repeat for several",
    )
    prune.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of everything random: the same seed keeps the same rows "
        "(default: 0)",
    )
    prune.add_argument(
        "--scores-output",
        metavar="FILE",
        help="also write every row's score (columns row, score, kept) here "
        "(.parquet or .csv)",
    )
    prune.add_argument(
        "--force", action="store_true", help="replace output files that exist"
    )
    prune.add_argument(
        "--quiet", "-q", action="store_true", help="print nothing but errors"
    )
    prune.set_defaults(func=run_prune)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``sklearn-prune`` with ``argv`` (default: the process's arguments).

    With no arguments, or options only (``--keep 0.1 0.2``), the digits demo
    runs, as ``python -m sklearn_prune`` always did.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name.

    Returns
    -------
    status : int
        0 on success, 1 on a bad input (with a one-line message on stderr),
        2 on a bad command line.

    Examples
    --------
    >>> import numpy as np, pandas as pd, tempfile, os
    >>> from sklearn_prune.cli import main
    >>> folder = tempfile.mkdtemp()
    >>> rows = os.path.join(folder, "rows.npy")
    >>> np.save(rows, np.random.RandomState(0).normal(size=(100, 5)))
    >>> out = os.path.join(folder, "kept.csv")
    >>> main(["prune", rows, "--keep", "0.3", "--param", "n_clusters=4",
    ...       "--output", out, "--quiet"])
    0
    >>> pd.read_csv(out).shape
    (30, 2)
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in _TOP_LEVEL_FLAGS):
        argv = ["demo", *argv]
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (InputError, ValueError, TypeError, ImportError, OSError) as exc:
        print(f"sklearn-prune: error: {exc}", file=sys.stderr)
        return 1


_TOP_LEVEL_FLAGS = ("-h", "--help", "--version")


# -- prune ------------------------------------------------------------------------
def _say(args, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr)
        sys.stderr.flush()


def _check_output(path: str, option: str, args) -> Path:
    out = Path(path)
    if out.suffix.lower() not in OUTPUTS:
        raise InputError(
            f"{option} {path!r} must end in .parquet or .csv (the extension "
            f"chooses the format)."
        )
    if out.exists() and not args.force:
        raise InputError(
            f"{option} {path!r} exists; pass --force to replace it, or choose "
            f"another name."
        )
    if out.resolve() == Path(args.input).resolve():
        raise InputError(f"{option} {path!r} is the INPUT file itself.")
    if not out.parent.exists():
        raise InputError(
            f"{option} {path!r}: folder {str(out.parent)!r} does not exist."
        )
    if out.suffix.lower() == ".parquet":
        _import_pyarrow(f"writing {path!r}")
    return out


def _import_pyarrow(purpose: str):
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{purpose} needs pyarrow, which is not installed: pip install pyarrow "
            f"(or use .csv files)."
        ) from exc


def _read_table(path: Path):
    import pandas as pd

    if path.suffix.lower() == ".parquet":
        _import_pyarrow(f"reading {str(path)!r}")
        return pd.read_parquet(path)
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise InputError(f"{str(path)!r} is empty.") from None


def _numeric_columns(table, columns, where: str) -> None:
    """Refuse missing, non-numeric or mixed-type columns, naming them."""
    import pandas as pd

    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(
            f"{where} has no column {missing[0]!r}; its columns are "
            f"{list(table.columns)}."
        )
    for c in columns:
        col = table[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_complex_dtype(
            col
        ):
            continue
        present = col.dropna()
        if present.empty:
            raise InputError(f"column {c!r} of {where} is empty.")
        as_numbers = pd.to_numeric(present, errors="coerce")
        text = present[as_numbers.isna()]
        if as_numbers.notna().any():
            raise InputError(
                f"column {c!r} of {where} mixes numbers and other values (e.g. "
                f"{text.iloc[0]!r} in row {text.index[0]}); every feature "
                f"column must hold numbers only."
            )
        raise InputError(
            f"column {c!r} of {where} is not numeric (dtype {col.dtype}, e.g. "
            f"{present.iloc[0]!r}). Every feature must be a number: drop or "
            f"encode that column, choose columns with --features, or pass it "
            f"as --labels."
        )


def _read_labels(spec: str, table, n_rows: int, input_path: Path):
    """Labels from a column of the input table or from a file."""
    import pandas as pd

    if table is not None and spec in table.columns:
        y = table[spec].to_numpy()
    else:
        path = Path(spec)
        if not path.is_file():
            known = (
                f"not a column of INPUT (its columns are {list(table.columns)}) "
                if table is not None
                else f"not a column (INPUT {str(input_path)!r} is a .npy array) "
            )
            raise InputError(f"--labels {spec!r} is {known}and no such file exists.")
        suffix = path.suffix.lower()
        if suffix == ".npy":
            y = np.load(path, allow_pickle=False)
        elif suffix in (".csv", ".parquet"):
            labels = _read_table(path)
            if labels.shape[1] != 1:
                raise InputError(
                    f"--labels file {spec!r} must have one column; it has "
                    f"{labels.shape[1]}: {list(labels.columns)}."
                )
            y = labels.iloc[:, 0].to_numpy()
        else:
            raise InputError(
                f"--labels file {spec!r} must be a .npy, .csv or .parquet file."
            )
    y = np.asarray(y)
    if y.ndim != 1:
        raise InputError(f"--labels {spec!r} must be 1-D; got shape {y.shape}.")
    if y.shape[0] != n_rows:
        raise InputError(
            f"--labels {spec!r} has {y.shape[0]} labels but INPUT has {n_rows} rows."
        )
    if pd.isna(y).any():
        raise InputError(
            f"--labels {spec!r} is missing a label at row "
            f"{int(np.flatnonzero(pd.isna(y))[0])}."
        )
    return y


def _read_input(args):
    """X (a memory map for .npy), y or None, and a description for progress."""
    path = Path(args.input)
    if not path.is_file():
        raise InputError(f"INPUT file {args.input!r} does not exist.")
    suffix = path.suffix.lower()
    if suffix not in INPUTS:
        raise InputError(
            f"INPUT {args.input!r} must be a .npy, .parquet or .csv file (by its "
            f"extension)."
        )
    table = None
    if suffix == ".npy":
        if args.features:
            raise InputError("--features selects columns of a .parquet or .csv INPUT.")
        try:
            X = np.load(path, mmap_mode="r", allow_pickle=False)
        except ValueError as exc:
            raise InputError(
                f"cannot read {args.input!r} as a numeric array: {exc}"
            ) from None
        if X.ndim != 2 or X.dtype.kind not in "biuf":
            raise InputError(
                f"INPUT {args.input!r} must hold a 2-D array of numbers (one row "
                f"per sample); it holds shape {X.shape}, dtype {X.dtype}."
            )
        what = f"{X.shape[0]} rows x {X.shape[1]} {X.dtype} (memory-mapped)"
    else:
        table = _read_table(path)
        if table.shape[0] == 0:
            raise InputError(f"INPUT {args.input!r} has no rows.")
        features = list(args.features) if args.features else list(table.columns)
        if args.labels is not None and not args.features:
            features = [c for c in features if c != args.labels]
        if not features:
            raise InputError(f"INPUT {args.input!r} has no feature column.")
        _numeric_columns(table, features, f"INPUT {args.input!r}")
        X = table[features].to_numpy()
        what = f"{X.shape[0]} rows x {X.shape[1]} columns"
    y = None
    if args.labels is not None:
        y = _read_labels(args.labels, table, X.shape[0], path)
    return X, y, what


def _make_pruner(args):
    import sklearn_prune

    pruner = getattr(sklearn_prune, PRUNERS[args.pruner])(
        keep=args.keep, strategy=args.strategy, random_state=args.random_state
    )
    params = dict(args.param)
    valid = pruner.get_params()
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise InputError(
            f"--param {unknown[0]!r} is not a parameter of the {args.pruner} "
            f"pruner; its parameters are {sorted(valid)}."
        )
    if "verbose" in valid and "verbose" not in params and not args.quiet:
        params["verbose"] = 1
    return pruner.set_params(**params)


def _write(frame, path: Path) -> Path:
    """Write ``frame`` next to ``path`` under a temporary name; return that name."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp{path.suffix}")
    if path.suffix.lower() == ".parquet":
        frame.to_parquet(tmp, index=False)
    else:
        frame.to_csv(tmp, index=False)
    return tmp


def run_prune(args) -> int:
    """The ``prune`` command."""
    import pandas as pd

    start = time.perf_counter()
    outputs = [_check_output(args.output, "--output", args)]
    if args.scores_output:
        if Path(args.scores_output).resolve() == outputs[0].resolve():
            raise InputError("--scores-output must differ from --output.")
        outputs.append(_check_output(args.scores_output, "--scores-output", args))
    pruner = _make_pruner(args)
    X, y, what = _read_input(args)
    _say(args, f"read {args.input}: {what}")
    _say(args, f"scoring with {pruner!r}")
    with contextlib.redirect_stdout(sys.stderr):  # the pruner's progress
        pruner.fit(X, y)
    kept = np.asarray(pruner.sample_indices_)
    scores = np.asarray(pruner.scores_)
    frames = [pd.DataFrame({"row": kept, "score": scores[kept]})]
    if args.scores_output:
        mask = np.zeros(scores.shape[0], dtype=bool)
        mask[kept] = True
        frames.append(
            pd.DataFrame(
                {"row": np.arange(scores.shape[0]), "score": scores, "kept": mask}
            )
        )
    written = []
    try:  # all files or none
        for frame, path in zip(frames, outputs):
            written.append(_write(frame, path))
        for tmp, path in zip(written, outputs):
            os.replace(tmp, path)
    finally:
        for tmp in written:
            if tmp.exists():
                tmp.unlink()
    _say(
        args,
        f"kept {kept.shape[0]} of {scores.shape[0]} rows -> {args.output}"
        + (f" (all scores -> {args.scores_output})" if args.scores_output else "")
        + f" in {time.perf_counter() - start:.1f} s",
    )
    return 0


# -- demo --------------------------------------------------------------------------
def pruning_table(
    X_train,
    y_train,
    X_test,
    y_test,
    pruners: dict,
    keeps,
    estimator,
    seeds,
    progress=None,
):
    """Mean test accuracy (over ``seeds``) of ``estimator`` for each pruner and keep.

    Every pruner sits in a :func:`sklearn_prune.make_pipeline` in front of a
    clone of ``estimator``; its ``random_state`` takes each seed in turn.
    ``progress(i, n, name, seconds)`` is called after each pruner's row.
    """
    import pandas as pd
    from sklearn.base import clone

    from . import make_pipeline

    rows = {}
    for i, (name, pruner) in enumerate(pruners.items()):
        started = time.perf_counter()
        accs = []
        for keep in keeps:
            scores = []
            for seed in seeds:
                p = clone(pruner).set_params(keep=keep, random_state=seed)
                pipe = make_pipeline(p, clone(estimator)).fit(X_train, y_train)
                scores.append(pipe.score(X_test, y_test))
            accs.append(np.mean(scores))
        rows[name] = accs
        if progress is not None:
            progress(i + 1, len(pruners), name, time.perf_counter() - started)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(keeps))
    table.columns.name = "keep"
    return table


def run_demo(args) -> int:
    """The ``demo`` command: the digits pruning table (progress on stderr)."""
    from sklearn.base import clone
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from . import EL2NPruner, PrototypePruner, RandomPruner

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    pruners = {
        "random": RandomPruner(),
        "prototype, keep easy": PrototypePruner(
            n_clusters=10, strategy="easy", class_balance=True
        ),
        "prototype, keep hard": PrototypePruner(
            n_clusters=10, strategy="hard", class_balance=True
        ),
        "prototype, stratified": PrototypePruner(
            n_clusters=10, strategy="stratified", drop_hardest=0.0, class_balance=True
        ),
        "EL2N, keep easy": EL2NPruner(strategy="easy", class_balance=True),
        "EL2N, keep hard": EL2NPruner(strategy="hard", class_balance=True),
        "EL2N, stratified": EL2NPruner(
            strategy="stratified", drop_hardest=0.0, class_balance=True
        ),
    }
    n_fits = len(args.keep) * args.seeds
    print(
        f"Pruning {len(y_train)} digits images with {len(pruners)} pruners, "
        f"{n_fits} pipelines each (progress on stderr; the table follows).",
        file=sys.stderr,
    )

    def progress(i, n, name, seconds):
        print(f"  [{i}/{n}] {name}: {seconds:.1f} s", file=sys.stderr, flush=True)

    start = time.perf_counter()
    estimator = LogisticRegression(max_iter=1000)
    table = pruning_table(
        X_train,
        y_train,
        X_test,
        y_test,
        pruners,
        args.keep,
        estimator,
        range(args.seeds),
        progress=progress,
    )
    full = clone(estimator).fit(X_train, y_train).score(X_test, y_test)
    print(
        f"Test accuracy of LogisticRegression on digits ({len(y_train)} training "
        f"images, {len(y_test)} test images) trained on the kept fraction of the "
        f"training set (metric pruners class-balanced); mean of {args.seeds} "
        f"seeds. All {len(y_train)} training images: {full:.3f}.\n"
    )
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    for keep in table.columns:
        winner = table[keep].idxmax()
        gain = table[keep].max() - table.loc["random", keep]
        print(f"keep={keep}: best is '{winner}' ({gain:+.3f} against random)")
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0

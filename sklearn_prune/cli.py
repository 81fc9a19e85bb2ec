"""The command line: ``sklearn-prune`` (also ``python -m sklearn_prune``).

Two commands:

- ``prune``: read rows from a ``.npy`` (memory-mapped), ``.parquet`` or
  ``.csv`` file, score them with a pruner and write the kept rows themselves
  (every column, the input's index kept), or their positions and scores;
- ``demo``: prune scikit-learn's built-in digits images with every pruner
  and print the test accuracy table (``python -m sklearn_prune`` with no
  arguments runs it).

Bare ``sklearn-prune`` prints its usage.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import signal
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from ._frames import check_numeric_columns, name_list
from ._threads import limit_threads

__all__ = ["main"]

#: pruners the ``prune`` command knows, by the name given to ``--pruner``
PRUNERS = {
    "prototype": "PrototypePruner",
    "random": "RandomPruner",
    "el2n": "EL2NPruner",
    "dedup": "SemDedupPruner",
    "score": "ScorePruner",
    "oracle": "OraclePruner",
}
INPUTS = (".npy", ".parquet", ".csv")
TABLES = (".parquet", ".csv")
#: exit status of a run stopped by SIGINT (Ctrl-C) or SIGTERM: 128 + the signal
STOPPED = {"SIGINT": 130, "SIGTERM": 143}

_DESCRIPTION = """\
Train on less data: rank the rows of a training set by difficulty and keep
a fraction of them (data pruning, after Sorscher et al., NeurIPS 2022)."""

_EXAMPLES = """\
examples:
  sklearn-prune prune train.csv --labels label --pruner el2n --keep 0.5 \\
      --output train_kept.csv
  sklearn-prune prune emb.npy --keep 0.4 --param n_clusters=1000 --output kept.npy
  sklearn-prune prune train.parquet --pruner dedup --param eps=0.02 \\
      --output deduplicated.parquet
  sklearn-prune demo                 # the digits demo (python -m sklearn_prune)

Run "sklearn-prune prune --help" for every option of the prune command."""

_PRUNE_DESCRIPTION = """\
Score every row of INPUT with a pruner and write the KEPT rows of INPUT to
OUT: every column (labels and scores columns included) and the input's
index, in the input's order. INPUT holds one sample per row: features or
embeddings, all numeric, plus optional label, score and index columns. A
.npy file is memory-mapped, so it may be larger than memory (the prototype
and random pruners read it in chunks); .parquet and .csv files are read
whole (their first line names the columns).

What OUT holds:
  a .parquet INPUT  the kept rows, with their index unless it is the
                    default 0, 1, ... (parquet stores an index)
  a .csv INPUT      the kept rows, the same columns; with --index-col, the
                    index column first, as in INPUT
  a .npy INPUT      the kept rows: a .npy OUT is an array; a .parquet or .csv
                    OUT has columns 0, 1, ... and the row positions as index
                    (column "row")
  --score-column S  adds each kept row's score as column S
  --positions       writes only the kept rows' positions in INPUT (column
                    "row", from 0) and scores (column "score", higher =
                    harder) instead

Nothing is written if anything fails or the run is stopped (Ctrl-C,
SIGTERM): OUT and --scores-output are replaced together or not at all, and
an existing file is never replaced unless --force is given. Exit status: 0 on
success, 1 on a bad input, 2 on a bad command line, 130 or 143 when
stopped."""

_PRUNE_EPILOG = """\
pruners:
  prototype  cosine distance to the nearest k-means prototype (faiss); needs no
             labels; scales to memory maps and dask (the default)
  el2n       error of briefly trained probe classifiers; needs --labels
  dedup      semantic deduplication (SemDeDup): one row per group of rows
             closer than eps (--param eps=0.05); without --keep the threshold
             alone decides how many rows stay
  score      your own scores: --scores names a column of INPUT or a file
  oracle     margin to a known linear teacher: --teacher FILE (its weights)
  random     random scores: the baseline to compare with

values of --param are read as Python values (100, 0.5, 'text', [1, 2]);
true, false and none (any case) mean True, False and None.

examples:
  sklearn-prune prune train.csv --labels label --keep 0.5 --output kept.csv
  sklearn-prune prune train.csv --index-col id --pruner score --scores \\
      difficulty --keep 0.3 --strategy easy --output kept.csv
  sklearn-prune prune emb.npy --labels y.npy --param class_balance=true \\
      --keep 0.3 --output kept.parquet --scores-output all_scores.csv"""


class InputError(ValueError):
    """A bad file, column or option value: reported in one line, exit status 1."""


class Stopped(BaseException):
    """SIGTERM arrived: unwind (removing temporary files), then exit 143."""


# -- the command line -----------------------------------------------------------
def _keep(text: str):
    """``--keep``: an int is a number of rows, ``none`` the pruner's None."""
    if text.strip().lower() == "none":
        return "none"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a fraction in (0, 1], a number of rows, or none; got {text!r}"
        ) from None


#: words of ``--param`` values read as Python constants, in any case
_WORDS = {"true": True, "false": False, "none": None, "null": None}


def _param(text: str) -> tuple[str, object]:
    """``--param NAME=VALUE``; VALUE is read as a Python literal when it is one."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(
            f"must look like NAME=VALUE (e.g. n_clusters=100); got {text!r}"
        )
    if value.strip().lower() in _WORDS:
        return name.strip(), _WORDS[value.strip().lower()]
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        parsed = value
    return name.strip(), parsed


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``sklearn-prune``.

    Returns
    -------
    parser : argparse.ArgumentParser
        With the ``prune`` and ``demo`` commands.
    """
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
        help="where to write the kept rows (.parquet or .csv, by its extension; "
        ".npy too for a .npy INPUT)",
    )
    prune.add_argument(
        "--pruner",
        choices=list(PRUNERS),
        default="prototype",
        help="how rows are scored (default: prototype; see below)",
    )
    prune.add_argument(
        "--keep",
        type=_keep,
        metavar="KEEP",
        help="fraction of rows to keep, e.g. 0.4, or a number of rows, e.g. "
        "1000 (default: the pruner's, 0.5; none for dedup: the threshold "
        "decides)",
    )
    prune.add_argument(
        "--strategy",
        choices=STRATEGIES,
        help="which rows to keep: hard = highest scores, easy = lowest, "
        "stratified = cover the whole score range (after dropping the hardest "
        "10%%), moderate = closest to the median (default: the pruner's, "
        "stratified)",
    )
    prune.add_argument(
        "--labels",
        metavar="COLUMN_OR_FILE",
        help="class labels: a column of INPUT (left out of the features), or a "
        "file with one label per row (.npy, .csv, .parquet); needed by el2n "
        "and by class_balance=true",
    )
    prune.add_argument(
        "--scores",
        metavar="COLUMN_OR_FILE",
        help="the score pruner's scores (higher = harder): a column of INPUT "
        "(left out of the features) or a file with one score per row",
    )
    prune.add_argument(
        "--teacher",
        metavar="FILE",
        help="the oracle pruner's teacher: a file with one weight per feature "
        "(.npy, .csv, .parquet)",
    )
    prune.add_argument(
        "--features",
        nargs="+",
        metavar="COLUMN",
        help="columns of a .parquet or .csv INPUT to use as features (default: "
        "every column but the labels, scores and index)",
    )
    prune.add_argument(
        "--index-col",
        metavar="COLUMN",
        help="the column of a .csv INPUT that holds its index (a name, or a "
        "number counted from 0): not a feature, written first in OUT",
    )
    prune.add_argument(
        "--param",
        type=_param,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of the pruner, e.g. n_clusters=100 or "
        "class_balance=true; repeat for several",
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
        "--score-column",
        metavar="NAME",
        help="add each kept row's score to OUT as column NAME",
    )
    prune.add_argument(
        "--positions",
        action="store_true",
        help="write the kept rows' positions and scores (columns row, score) "
        "instead of the rows",
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
        "--quiet",
        "-q",
        action="store_true",
        help="print nothing but warnings and errors",
    )
    prune.set_defaults(func=run_prune)

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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``sklearn-prune`` with ``argv`` (default: the process's arguments).

    With no arguments it prints its usage; options only (``--seeds 1``) run
    the digits demo, as ``python -m sklearn_prune`` always did.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name.

    Returns
    -------
    status : int
        0 on success, 1 on a bad input (with a one-line message on stderr),
        2 on a bad command line, 130 when interrupted (Ctrl-C), 143 when
        terminated (SIGTERM).

    Examples
    --------
    >>> import numpy as np, pandas as pd, tempfile, os
    >>> from sklearn_prune.cli import main
    >>> folder = tempfile.mkdtemp()
    >>> rows = os.path.join(folder, "rows.csv")
    >>> X = np.random.RandomState(0).normal(size=(100, 5))
    >>> pd.DataFrame(X, columns=list("abcde")).to_csv(rows, index=False)
    >>> out = os.path.join(folder, "kept.csv")
    >>> main(["prune", rows, "--keep", "0.3", "--param", "n_clusters=4",
    ...       "--output", out, "--quiet"])
    0
    >>> pd.read_csv(out).shape
    (30, 5)
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    if not argv:
        parser.print_help()
        return 0
    if argv[0].startswith("-") and argv[0] not in _TOP_LEVEL_FLAGS:
        argv = ["demo", *argv]
    args = parser.parse_args(argv)
    try:
        with _one_line_warnings(), _sigterm_unwinds():
            return args.func(args)
    except (InputError, ValueError, TypeError, ImportError, OSError) as exc:
        print(f"sklearn-prune: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sklearn-prune: interrupted; nothing written.", file=sys.stderr)
        return STOPPED["SIGINT"]
    except Stopped:
        print("sklearn-prune: terminated; nothing written.", file=sys.stderr)
        return STOPPED["SIGTERM"]


_TOP_LEVEL_FLAGS = ("-h", "--help", "--version")


def _one_line(message) -> str:
    return " ".join(str(message).split())


@contextlib.contextmanager
def _one_line_warnings():
    """Warnings print as ``sklearn-prune: warning: ...``, one line each."""

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"sklearn-prune: warning: {_one_line(message)}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


@contextlib.contextmanager
def _sigterm_unwinds():
    """SIGTERM raises :class:`Stopped`, so that ``finally`` blocks clean up."""

    def stop(signum, frame):
        raise Stopped()

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# -- prune: checks ------------------------------------------------------------------
def _say(args, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr)
        sys.stderr.flush()


def _check_output(path: str, option: str, args, formats: tuple) -> Path:
    out = Path(path)
    if out.suffix.lower() not in formats:
        raise InputError(
            f"{option} {path!r} must end in {_or(formats)} (the extension "
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


def _or(formats) -> str:
    return ", ".join(formats[:-1]) + " or " + formats[-1]


def _check_options(args) -> list[Path]:
    """Everything the command line alone decides, before any file is read."""
    suffix = Path(args.input).suffix.lower()
    formats = TABLES + ((".npy",) if suffix == ".npy" and not args.positions else ())
    outputs = [_check_output(args.output, "--output", args, formats)]
    if args.scores_output:
        if Path(args.scores_output).resolve() == outputs[0].resolve():
            raise InputError("--scores-output must differ from --output.")
        outputs.append(
            _check_output(args.scores_output, "--scores-output", args, TABLES)
        )
    if args.positions and args.score_column:
        raise InputError(
            "--score-column adds a column to the kept rows; --positions writes "
            "positions and scores already."
        )
    if args.score_column and outputs[0].suffix.lower() == ".npy":
        raise InputError(
            "--score-column needs a .parquet or .csv --output (a .npy array has "
            "no column names)."
        )
    if suffix == ".npy":
        for option in ("features", "index_col"):
            if getattr(args, option):
                raise InputError(
                    f"--{option.replace('_', '-')} selects columns of a .parquet "
                    f"or .csv INPUT."
                )
    if args.index_col is not None and suffix != ".csv":
        raise InputError(
            "--index-col is for a .csv INPUT (a .parquet file stores its index)."
        )
    needs = {"scores": "score", "teacher": "oracle"}
    for option, pruner in needs.items():
        given = getattr(args, option) is not None
        if given != (args.pruner == pruner):
            raise InputError(
                f"--pruner {pruner} needs --{option}."
                if not given
                else f"--{option} is for --pruner {pruner}, not {args.pruner}."
            )
    return outputs


def _import_pyarrow(purpose: str):
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{purpose} needs pyarrow, which is not installed: pip install pyarrow "
            f"(or use .csv files)."
        ) from exc


# -- prune: reading -----------------------------------------------------------------
def _read_table(path: Path, index_col=None):
    import pandas as pd

    if path.suffix.lower() == ".parquet":
        _import_pyarrow(f"reading {str(path)!r}")
        return pd.read_parquet(path)
    try:
        table = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise InputError(f"{str(path)!r} is empty.") from None
    if index_col is None:
        return table
    if index_col not in table.columns:
        if not (index_col.isdigit() and int(index_col) < table.shape[1]):
            raise InputError(
                f"--index-col {index_col!r} is not a column of INPUT (its columns "
                f"are {name_list(table.columns)})."
            )
        index_col = table.columns[int(index_col)]
    return table.set_index(index_col)


def _read_vector(spec: str, option: str, table, length: int, what: str):
    """One value per row (``--labels``, ``--scores``) from a column or a file."""
    import pandas as pd

    if table is not None and spec in table.columns:
        values = table[spec].to_numpy()
    else:
        path = Path(spec)
        if not path.is_file():
            known = (
                f"not a column of INPUT (its columns are {name_list(table.columns)}) "
                if table is not None
                else "not a column (INPUT is a .npy array) "
            )
            raise InputError(f"{option} {spec!r} is {known}and no such file exists.")
        suffix = path.suffix.lower()
        if suffix == ".npy":
            values = np.load(path, allow_pickle=False)
        elif suffix in TABLES:
            frame = _read_table(path)
            if frame.shape[1] != 1:
                raise InputError(
                    f"{option} file {spec!r} must have one column; it has "
                    f"{frame.shape[1]}: {name_list(frame.columns)}."
                )
            values = frame.iloc[:, 0].to_numpy()
        else:
            raise InputError(
                f"{option} file {spec!r} must be a .npy, .csv or .parquet file."
            )
    values = np.asarray(values)
    if values.ndim != 1:
        raise InputError(f"{option} {spec!r} must be 1-D; got shape {values.shape}.")
    if values.shape[0] != length:
        noun = {"--labels": "labels", "--scores": "scores"}.get(option, "weights")
        raise InputError(
            f"{option} {spec!r} has {values.shape[0]} {noun} but INPUT has "
            f"{length} {what}."
        )
    if pd.isna(values).any():
        raise InputError(
            f"{option} {spec!r} is missing a value at position "
            f"{int(np.flatnonzero(pd.isna(values))[0])}."
        )
    return values


def _special_columns(args, table, n_rows: int) -> dict:
    """``--labels`` and ``--scores``: {option: (column of INPUT or None, values)}."""
    special = {}
    for option in ("labels", "scores"):
        spec = getattr(args, option)
        if spec is not None:
            values = _read_vector(spec, f"--{option}", table, n_rows, "rows")
            column = spec if table is not None and spec in table.columns else None
            special[option] = (column, values)
    return special


def _read_input(args):
    """X (a memory map for .npy), the table or None, and the special columns."""
    path = Path(args.input)
    if not path.is_file():
        raise InputError(f"INPUT file {args.input!r} does not exist.")
    if path.suffix.lower() not in INPUTS:
        raise InputError(
            f"INPUT {args.input!r} must be a .npy, .parquet or .csv file (by its "
            f"extension)."
        )
    if path.suffix.lower() == ".npy":
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
        return X, None, what, _special_columns(args, None, X.shape[0])
    table = _read_table(path, args.index_col)
    if table.shape[0] == 0:
        raise InputError(f"INPUT {args.input!r} has no rows.")
    # the columns the user named come first: a wrong name is the mistake to
    # report, not a text column it would have removed from the features
    special = _special_columns(args, table, table.shape[0])
    if args.features:
        missing = [c for c in args.features if c not in table.columns]
        if missing:
            raise InputError(
                f"--features: INPUT {args.input!r} has no column {missing[0]!r}; "
                f"its columns are {name_list(table.columns)}."
            )
        features = list(args.features)
    else:
        taken = {column for column, _ in special.values()}
        features = [c for c in table.columns if c not in taken]
    if not features:
        raise InputError(f"INPUT {args.input!r} has no feature column.")
    try:
        check_numeric_columns(
            table,
            features,
            where=f"INPUT {args.input!r}",
            fix="Every feature must be a number: drop or encode that column, "
            "choose columns with --features, pass it as --labels, or name the "
            "index with --index-col.",
        )
    except ValueError as exc:
        raise InputError(str(exc)) from None
    X = table[features].to_numpy()
    return X, table, f"{X.shape[0]} rows x {X.shape[1]} columns", special


def _make_pruner(args):
    import sklearn_prune

    cls = getattr(sklearn_prune, PRUNERS[args.pruner])
    params = {"random_state": args.random_state}
    if args.keep is not None:
        params["keep"] = None if args.keep == "none" else args.keep
    if args.strategy is not None:
        params["strategy"] = args.strategy
    user = dict(args.param)
    valid = cls._get_param_names()
    unknown = sorted(set(user) - set(valid))
    if unknown:
        raise InputError(
            f"--param {unknown[0]!r} is not a parameter of the {args.pruner} "
            f"pruner; its parameters are {sorted(valid)}."
        )
    params.update(user)
    if "verbose" in valid and "verbose" not in user and not args.quiet:
        params["verbose"] = 1
    return cls, params


# -- prune: writing -----------------------------------------------------------------
def _kept_rows(args, X, table, kept, scores):
    """What ``--output`` gets (a frame, or an array for a .npy OUT), and
    whether the frame's index is written: the input's own index is (a parquet
    index other than 0..n-1, ``--index-col``, a .npy's row positions), plain
    row numbers of a table are not."""
    import pandas as pd

    if args.positions:
        return pd.DataFrame({"row": kept, "score": scores[kept]}), False
    if table is None:
        rows = np.asarray(X[kept])
        if Path(args.output).suffix.lower() == ".npy":
            return rows, False
        frame = pd.DataFrame(
            rows,
            columns=[str(i) for i in range(X.shape[1])],
            index=pd.Index(kept, name="row"),
        )
        with_index = True
    else:
        frame = table.iloc[kept]
        with_index = not isinstance(table.index, pd.RangeIndex)
    if args.score_column:
        frame = frame.assign(**{args.score_column: scores[kept]})
    return frame, with_index


def _write(data, with_index: bool, path: Path, tmp: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".npy":
        with open(tmp, "wb") as f:
            np.save(f, data)
    elif suffix == ".parquet":
        data.to_parquet(tmp, index=with_index)
    else:
        data.to_csv(tmp, index=with_index)


def _replace_together(pairs) -> None:
    """Move each temporary file onto its output: all of them, or none.

    An output that exists is first moved aside; if any move fails (or the
    run is stopped), the outputs already moved are put back as they were.
    """
    done = []  # (path, backup or None)
    try:
        for tmp, path in pairs:
            backup = None
            if path.exists():
                backup = _temporary(path, "old")
                os.replace(path, backup)
            done.append((path, backup))
            os.replace(tmp, path)
    except BaseException:
        for path, backup in reversed(done):
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, path)
                elif path.exists():
                    path.unlink()
        raise
    for _, backup in done:
        if backup is not None:
            with contextlib.suppress(OSError):
                backup.unlink()


def _temporary(path: Path, kind: str = "tmp") -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{kind}{path.suffix}")


def run_prune(args) -> int:
    """The ``prune`` command.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    status : int
        0.
    """
    import pandas as pd

    start = time.perf_counter()
    outputs = _check_options(args)
    cls, params = _make_pruner(args)
    X, table, what, special = _read_input(args)
    if args.score_column and table is not None and args.score_column in table:
        raise InputError(
            f"--score-column {args.score_column!r} is a column of INPUT already; "
            f"choose another name."
        )
    if args.teacher is not None:
        params["teacher"] = _read_vector(
            args.teacher, "--teacher", None, X.shape[1], "feature columns"
        )
    if "scores" in special:
        scores = special["scores"][1]
        if scores.dtype.kind not in "biuf":
            raise InputError(
                f"--scores {args.scores!r} must hold numbers; it holds dtype "
                f"{scores.dtype} (e.g. {scores[0]!r})."
            )
        params["scores"] = scores.astype(np.float64)
    y = special["labels"][1] if "labels" in special else None
    pruner = cls(**params)
    _say(args, f"read {args.input}: {what}")
    _say(args, f"scoring with {pruner!r}")
    with contextlib.redirect_stdout(sys.stderr):  # the pruner's progress
        pruner.fit(X, y)
    kept = np.asarray(pruner.sample_indices_)
    scores = np.asarray(pruner.scores_)
    data = [_kept_rows(args, X, table, kept, scores)]
    if args.scores_output:
        mask = np.zeros(scores.shape[0], dtype=bool)
        mask[kept] = True
        every = {"row": np.arange(scores.shape[0]), "score": scores, "kept": mask}
        data.append((pd.DataFrame(every), False))
    temporary = [_temporary(path) for path in outputs]
    try:  # all files or none, even when stopped
        for (item, with_index), path, tmp in zip(data, outputs, temporary):
            _write(item, with_index, path, tmp)
        _replace_together(list(zip(temporary, outputs)))
    finally:
        for tmp in temporary:
            with contextlib.suppress(OSError):
                tmp.unlink()
    _say(
        args,
        f"kept {kept.shape[0]} of {scores.shape[0]} rows -> {args.output}"
        + (f" (all scores -> {args.scores_output})" if args.scores_output else "")
        + f" in {time.perf_counter() - start:.1f} s",
    )
    return 0


# -- demo --------------------------------------------------------------------------
def run_demo(args) -> int:
    """The ``demo`` command: the digits pruning table (progress on stderr).

    One stratified train/test split of the digits, scaled on the training
    half; :func:`sklearn_prune.model_selection.pruning_curve` trains the
    classifier on the rows each pruner keeps, ``--seeds`` times (the split
    repeated with new pruner seeds), next to class-balanced random pruning.
    """
    from contextlib import redirect_stdout

    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from . import EL2NPruner, PrototypePruner
    from .model_selection import pruning_curve

    X, y = load_digits(return_X_y=True)
    train, test = train_test_split(
        np.arange(len(y)), test_size=args.test_size, stratify=y, random_state=0
    )
    X = StandardScaler().fit(X[train]).transform(X)
    pruners = {
        # "stratified" with the defaults' drop_hardest="auto" (the hardest
        # 10% of each class dropped first); 0 for the other two policies
        f"{metric}, {policy}": make(strategy=strategy, class_balance=True)
        for metric, make in (
            ("prototype", lambda **kw: PrototypePruner(n_clusters=10, **kw)),
            ("EL2N", EL2NPruner),
        )
        for policy, strategy in (
            ("keep easy", "easy"),
            ("keep hard", "hard"),
            ("stratified", "stratified"),
        )
    }
    print(
        f"Pruning {len(train)} digits images with {len(pruners)} pruners and "
        f"random pruning, {len(args.keep)} sizes x {args.seeds} seeds each "
        f"(progress on stderr; the table follows).",
        file=sys.stderr,
    )
    start = time.perf_counter()
    # small models: one BLAS/OpenMP thread (see _threads); progress on stderr
    with limit_threads(1), redirect_stdout(sys.stderr):
        result = pruning_curve(
            LogisticRegression(max_iter=1000),
            pruners,
            X,
            y,
            keep=args.keep,
            cv=[(train, test)],
            n_repeats=args.seeds,
            random_state=0,
            verbose=1,
        )
    frame = result.to_frame()
    frame = frame[frame["kind"] != "full"]  # all rows: the sentence above the table
    table = frame.pivot_table(index="curve", columns="keep", values="score", sort=False)
    table = table.loc[["random", *pruners]]
    table.index.name = None
    full = float(np.mean(result.full_scores))
    print(
        f"Test accuracy of LogisticRegression on digits ({len(train)} training "
        f"images, {len(test)} test images) trained on the kept fraction of the "
        f"training set (every pruner and random pruning class-balanced); mean of "
        f"{args.seeds} seeds. All {len(train)} training images: {full:.3f}.\n"
    )
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    for keep in table.columns:
        winner = table[keep].idxmax()
        gain = table[keep].max() - table.loc["random", keep]
        print(f"keep={keep}: best is '{winner}' ({gain:+.3f} against random)")
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0

"""Messages about the columns of a table: shared by the Python API and the CLI."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["check_numeric_columns", "name_list"]

#: names shown before a list of column names is cut
SHOWN_NAMES = 8


def name_list(names: Sequence, limit: int = SHOWN_NAMES) -> str:
    """``names`` as text, cut after ``limit`` names with a count of the rest.

    Parameters
    ----------
    names : sequence
        Column names.
    limit : int, default=8
        Names shown.

    Returns
    -------
    text : str
        E.g. ``"'a', 'b', 'c' and 62 more (65 columns)"``.

    Examples
    --------
    >>> from sklearn_prune._frames import name_list
    >>> name_list(["a", "b"])
    "'a', 'b'"
    >>> name_list([f"x{i}" for i in range(65)], limit=3)
    "'x0', 'x1', 'x2' and 62 more (65 columns)"
    """
    names = list(names)
    shown = ", ".join(repr(n) for n in names[:limit])
    if len(names) <= limit:
        return shown
    return f"{shown} and {len(names) - limit} more ({len(names)} columns)"


def check_numeric_columns(frame, columns=None, *, where: str, fix: str) -> None:
    """Raise a ValueError naming the first column of ``frame`` that is not numeric.

    A column passes when its dtype is numeric, or when every
    present value of an object column is a number. The message names the
    column, its dtype and an example value (or the first row that is not a
    number, for a column that mixes numbers and text), then ``fix``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    columns : list or None, default=None
        Columns to check (None: every column). Each must exist.
    where : str
        How the message calls ``frame``, e.g. ``"X"``.
    fix : str
        What the user can do, appended to the message.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_prune._frames import check_numeric_columns
    >>> frame = pd.DataFrame({"a": [1.0, 2.0], "species": ["setosa", "virginica"]})
    >>> try:
    ...     check_numeric_columns(frame, where="X", fix="Encode it.")
    ... except ValueError as error:
    ...     print(str(error).replace("dtype str", "dtype object"))
    column 'species' of X is not numeric (dtype object, e.g. 'setosa'). Encode it.
    """
    import pandas as pd

    if columns is not None:
        frame = frame[list(columns)]
    is_numeric = pd.api.types.is_numeric_dtype  # complex: check_array refuses it
    if all(is_numeric(dtype) for dtype in frame.dtypes):
        return
    for c, col in frame.items():  # by position: repeated names are fine
        if is_numeric(col):
            continue
        present = col.dropna()
        if present.empty:
            if col.size:  # every value missing: check_array names the NaN
                continue
            raise ValueError(f"column {c!r} of {where} is empty.")
        as_numbers = pd.to_numeric(present, errors="coerce")
        if as_numbers.notna().all():
            continue
        text = present[as_numbers.isna()]
        if as_numbers.notna().any():
            raise ValueError(
                f"column {c!r} of {where} mixes numbers and other values (e.g. "
                f"{text.iloc[0]!r} in row {text.index[0]!r}); every feature "
                f"column must hold numbers only. {fix}"
            )
        raise ValueError(
            f"column {c!r} of {where} is not numeric (dtype {col.dtype}, e.g. "
            f"{present.iloc[0]!r}). {fix}"
        )

"""Synthetic data with a known ground truth: pruning theory, near-duplicates."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ._compat import Count, Number, validate_params
from ._rows import chunks

__all__ = [
    "make_near_duplicate_texts",
    "make_near_duplicates",
    "make_teacher_student",
]


_COUNT = [Count(1, None, closed="left")]
_FRACTION = [Number(0, 1, closed="both")]


@validate_params(
    {
        "n_samples": _COUNT,
        "n_features": _COUNT,
        "teacher": ["array-like", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_teacher_student(
    n_samples: int = 100,
    n_features: int = 20,
    *,
    teacher=None,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian inputs labelled by a linear teacher (the perceptron setting).

    The data of the teacher-student perceptron of Sorscher et al. (2022):
    every input is drawn from the standard normal distribution in
    ``n_features`` dimensions, and its label is the side of the teacher's
    hyperplane (through the origin) it falls on, ``y = sign(X @ teacher)``.
    The data are therefore linearly separable, without noise. Together with
    :class:`~sklearn_prune.OraclePruner` and :mod:`sklearn_prune.theory` they
    reproduce the paper's analytic results.

    Parameters
    ----------
    n_samples : int, default=100
        Number of rows. The paper's load is ``alpha = n_samples / n_features``.
    n_features : int, default=20
        Input dimension.
    teacher : array-like of shape (n_features,), default=None
        Teacher direction. ``None`` draws one uniformly on the unit sphere
        from ``random_state``. A given teacher is normalised to unit length.
    random_state : int, RandomState instance or None, default=None
        Seeds the inputs (and the teacher when it is drawn). Pass an int for
        reproducible output. See :term:`Glossary <random_state>`.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Standard normal inputs.
    y : ndarray of shape (n_samples,) of int
        Labels in {-1, +1} (``+1`` when ``X @ teacher >= 0``), the sign
        convention of the perceptron literature.
    teacher : ndarray of shape (n_features,)
        The unit-norm teacher direction.

    See Also
    --------
    sklearn_prune.OraclePruner : Prune by the margin to this teacher.
    sklearn_prune.theory.perceptron_error : The theory's test error for
        this data.
    sklearn.datasets.make_classification : General synthetic classification
        data.

    Notes
    -----
    The test error of any linear classifier ``w`` (no intercept) on fresh
    data from this distribution is ``arccos(cos(w, teacher)) / pi``.

    References
    ----------
    .. [1] Sorscher, Geirhos, Shekhar, Ganguli, Morcos. "Beyond neural scaling
       laws: beating power law scaling via data pruning". NeurIPS 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune.datasets import make_teacher_student
    >>> X, y, teacher = make_teacher_student(500, 10, random_state=0)
    >>> X.shape, y.shape, teacher.shape
    ((500, 10), (500,), (10,))
    >>> round(float(np.linalg.norm(teacher)), 6), sorted(set(y.tolist()))
    (1.0, [-1, 1])
    >>> bool(np.all(y * (X @ teacher) >= 0))
    True
    """
    rng = check_random_state(random_state)
    if teacher is None:
        teacher = rng.standard_normal(n_features)
    else:
        teacher = np.asarray(teacher, dtype=np.float64)
        if teacher.ndim != 1 or teacher.shape[0] != n_features:
            raise ValueError(
                f"`teacher` must have shape ({n_features},) to match "
                f"n_features={n_features}; got shape {teacher.shape}."
            )
    norm = np.linalg.norm(teacher)
    if not np.isfinite(norm) or norm == 0:
        raise ValueError(
            f"`teacher` must be a finite, non-zero vector; got norm {norm!r}."
        )
    teacher = teacher / norm
    X = rng.standard_normal((n_samples, n_features))
    y = np.where(X @ teacher >= 0, 1, -1)
    return X, y, teacher


def _check_group_size(group_size) -> tuple[int, int]:
    """``(low, high)`` of a validated ``group_size`` (an int >= 2 or a pair)."""
    if isinstance(group_size, Integral):
        low = high = int(group_size)
    else:
        try:
            low, high = (int(v) for v in group_size)
        except (TypeError, ValueError):
            raise ValueError(
                f"`group_size` must be an int >= 2 or a pair (low, high) with "
                f"2 <= low <= high; got {group_size!r}."
            ) from None
    if not 2 <= low <= high:
        raise ValueError(
            f"`group_size` must be an int >= 2 or a pair (low, high) with "
            f"2 <= low <= high; got {group_size!r}."
        )
    return low, high


def _plan_groups(n_samples, duplicate_fraction, group_size, shuffle, rng):
    """Base row of every row, whether it is a copy, and the true group of each row.

    Rows ``0 .. n_singletons - 1`` of the base are kept as they are; base row
    ``n_singletons + g`` is the source of group ``g``'s copies.
    """
    low, high = _check_group_size(group_size)
    n_grouped = int(np.floor(duplicate_fraction * n_samples + 0.5))
    sizes = []
    left = n_grouped
    while left >= 2:
        size = min(int(rng.randint(low, high + 1)), left)
        if left - size == 1:  # leave no lone row behind where the sizes allow
            if size < high:
                size += 1
            elif size > 2:
                size -= 1
        sizes.append(size)
        left -= size
    n_grouped -= left  # a last lone row is a singleton
    n_singletons = n_samples - n_grouped
    n_groups = len(sizes)
    owner = np.concatenate(
        [
            np.arange(n_singletons, dtype=np.int64),
            np.repeat(np.arange(n_singletons, n_singletons + n_groups), sizes),
        ]
    ).astype(np.int64)
    is_copy = np.arange(n_samples) >= n_singletons
    if shuffle:
        perm = rng.permutation(n_samples)
        owner, is_copy = owner[perm], is_copy[perm]
    groups = np.full(n_samples, -1, dtype=np.int64)
    source = owner[is_copy]
    # groups numbered in the order of their first row
    _, first, inverse = np.unique(source, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    groups[is_copy] = rank[inverse]
    return owner, is_copy, groups, n_singletons + n_groups


@validate_params(
    {
        "n_samples": _COUNT,
        "n_features": _COUNT,
        "duplicate_fraction": _FRACTION,
        "group_size": [Count(2, None, closed="left"), "array-like"],
        "noise": [Number(0, None, closed="left")],
        "n_centers": _COUNT,
        "shuffle": "no_validation",
        "dtype": "no_validation",
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_near_duplicates(
    n_samples: int = 1000,
    n_features: int = 32,
    *,
    duplicate_fraction: float = 0.5,
    group_size=(2, 4),
    noise: float = 0.05,
    n_centers: int = 10,
    shuffle: bool = True,
    dtype=np.float64,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Numeric rows with planted groups of near-duplicates, and the true groups.

    Distinct rows ("base" rows) are drawn from a mixture of ``n_centers``
    Gaussians (unit-variance noise around centres drawn from the standard
    normal distribution), so they have a cluster structure and are far apart
    in cosine distance (about 0.5 between two rows of one centre). A fraction
    ``duplicate_fraction`` of the rows are organised in groups: every row of
    a group is its own noisy copy of one base row (the base row itself is not
    included), ``copy = base + noise * rms(base) * z`` with ``z`` standard
    normal. The other rows are distinct base rows.

    Two copies of one base row are at a cosine distance of about
    ``noise**2 / (1 + noise**2)`` (a copy and its base at half that), so a
    deduplication threshold of a few times ``noise**2`` finds the groups
    (in high dimension; the spread grows as ``n_features`` shrinks).

    Parameters
    ----------
    n_samples : int, default=1000
        Number of rows.
    n_features : int, default=32
        Number of columns.
    duplicate_fraction : float in [0, 1], default=0.5
        Fraction of the rows that belong to a group of near-duplicates
        (rounded half up; a last lone row is a distinct row instead).
    group_size : int or (int, int), default=(2, 4)
        Rows per group: a fixed size, or bounds (inclusive) of a uniform
        draw per group. At least 2. The last group may be smaller, to make
        the count add up.
    noise : float, default=0.05
        Standard deviation of the noise of a copy, relative to the root mean
        square of its base row's entries. 0 makes exact duplicates.
    n_centers : int, default=10
        Number of Gaussian centres of the base rows.
    shuffle : bool, default=True
        Whether to shuffle the rows; otherwise the distinct rows come first
        and each group's rows are consecutive.
    dtype : numpy dtype, default=np.float64
        dtype of ``X``. float32 halves the memory of large benchmarks (rows
        are generated in chunks, so no float64 copy is made).
    random_state : int, RandomState instance or None, default=None
        Seeds everything. Pass an int for reproducible output.
        See :term:`Glossary <random_state>`.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The rows.
    groups : ndarray of shape (n_samples,), dtype=int64
        The true group of each row, numbered from 0 in the order of their
        first row; -1 for distinct rows (the convention of
        :attr:`SemDedupPruner.duplicate_groups_
        <sklearn_prune.SemDedupPruner>`).

    See Also
    --------
    make_near_duplicate_texts : The same for sentences.
    sklearn_prune.SemDedupPruner : Finds the groups again.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune.datasets import make_near_duplicates
    >>> X, groups = make_near_duplicates(10, 3, duplicate_fraction=0.6,
    ...                                  group_size=3, random_state=0)
    >>> X.shape
    (10, 3)
    >>> groups
    array([-1,  0,  1,  0, -1,  1,  0, -1, -1,  1])
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"`dtype` must be a floating dtype; got {dtype}.")
    rng = check_random_state(random_state)
    owner, is_copy, groups, n_base = _plan_groups(
        n_samples, duplicate_fraction, group_size, shuffle, rng
    )
    centers = rng.standard_normal((n_centers, n_features))
    base = np.empty((n_base, n_features), dtype=dtype)
    chunk = 65536
    for start, stop in chunks(n_base, chunk):
        base[start:stop] = centers[rng.randint(n_centers, size=stop - start)]
        base[start:stop] += rng.standard_normal((stop - start, n_features))
    X = np.empty((n_samples, n_features), dtype=dtype)
    for start, stop in chunks(n_samples, chunk):
        rows = base[owner[start:stop]].astype(np.float64)
        rms = np.sqrt(np.mean(rows**2, axis=1, keepdims=True))
        scale = noise * rms * is_copy[start:stop, None]
        X[start:stop] = rows + scale * rng.standard_normal(rows.shape)
    return X, groups


_WORDS = (
    "the a one every some many few small large old new early late quick slow "
    "bright dark quiet loud warm cold green blue red yellow white black round "
    "river mountain forest city village market garden kitchen window door "
    "table chair book letter story song picture music answer question "
    "teacher student doctor farmer driver painter writer neighbour friend "
    "child family team crowd bird horse dog cat fish tree flower stone road "
    "bridge train ship car bicycle plane morning evening night winter summer "
    "spring autumn rain snow wind storm sun moon star cloud sky sea island "
    "valley field hill lake beach harbour station library museum school "
    "office factory hospital church castle tower wall roof floor stairs "
    "walks runs reads writes sings paints builds carries opens closes finds "
    "loses keeps leaves brings sends watches hears visits crosses follows "
    "climbs crosses repairs cleans cooks plants waters counts draws answers "
    "near behind under over beside across through around along toward "
    "slowly quickly softly loudly happily sadly often never always rarely "
    "again together alone gently carefully suddenly finally almost nearly "
    "and but while because after before until since when where"
).split()


@validate_params(
    {
        "n_samples": _COUNT,
        "duplicate_fraction": _FRACTION,
        "group_size": [Count(2, None, closed="left"), "array-like"],
        "n_words": _COUNT,
        "n_edits": [Count(0, None, closed="left")],
        "shuffle": "no_validation",
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_near_duplicate_texts(
    n_samples: int = 200,
    *,
    duplicate_fraction: float = 0.5,
    group_size=(2, 4),
    n_words: int = 12,
    n_edits: int = 1,
    shuffle: bool = True,
    random_state=None,
) -> tuple[list[str], np.ndarray]:
    """Sentences with planted groups of near-duplicates (small edits), and the groups.

    Distinct sentences are ``n_words`` words drawn at random from a built-in
    vocabulary of about 200 English words. A fraction ``duplicate_fraction``
    of the rows are organised in groups: every sentence of a group is its own
    copy of one distinct sentence (not itself included) with ``n_edits``
    random edits, each replacing, deleting or inserting a word or swapping
    two neighbouring words. The other rows are distinct sentences.

    Parameters
    ----------
    n_samples : int, default=200
        Number of sentences.
    duplicate_fraction : float in [0, 1], default=0.5
        Fraction of the sentences that belong to a group (as in
        :func:`make_near_duplicates`).
    group_size : int or (int, int), default=(2, 4)
        Sentences per group, as in :func:`make_near_duplicates`.
    n_words : int, default=12
        Words per distinct sentence.
    n_edits : int, default=1
        Edits of every copy (0 makes exact duplicates).
    shuffle : bool, default=True
        Whether to shuffle the rows.
    random_state : int, RandomState instance or None, default=None
        Seeds everything. Pass an int for reproducible output.
        See :term:`Glossary <random_state>`.

    Returns
    -------
    texts : list of str
        The sentences.
    groups : ndarray of shape (n_samples,), dtype=int64
        The true group of each sentence, numbered from 0 in the order of
        their first row; -1 for distinct sentences.

    See Also
    --------
    make_near_duplicates : The same for numeric rows.

    Examples
    --------
    >>> from sklearn_prune.datasets import make_near_duplicate_texts
    >>> texts, groups = make_near_duplicate_texts(
    ...     4, duplicate_fraction=0.5, group_size=2, n_words=6, shuffle=False,
    ...     random_state=0)
    >>> for text, group in zip(texts, groups):
    ...     print(group, text)
    -1 Almost question writes flower school old.
    -1 Green window sun bridge moon plants.
    0 Family sun and moon spring.
    0 Family over sun and moon spring.

    """
    rng = check_random_state(random_state)
    owner, is_copy, groups, n_base = _plan_groups(
        n_samples, duplicate_fraction, group_size, shuffle, rng
    )
    vocabulary = np.array(_WORDS)
    base = [
        list(vocabulary[rng.randint(len(vocabulary), size=n_words)])
        for _ in range(n_base)
    ]
    texts = []
    for source, copy in zip(owner, is_copy):
        words = list(base[source])
        if copy:
            for _ in range(int(n_edits)):
                words = _edit(words, vocabulary, rng)
        sentence = " ".join(words)
        texts.append(sentence[:1].upper() + sentence[1:] + ".")
    return texts, groups


def _edit(words: list, vocabulary: np.ndarray, rng) -> list:
    """One random edit: replace, delete or insert a word, or swap two neighbours."""
    kind = rng.randint(4) if len(words) > 1 else rng.choice([0, 2])
    position = rng.randint(len(words))
    new_word = str(vocabulary[rng.randint(len(vocabulary))])
    if kind == 0:
        words[position] = new_word
    elif kind == 1:
        del words[position]
    elif kind == 2:
        words.insert(position, new_word)
    else:
        position = min(position, len(words) - 2)
        words[position], words[position + 1] = words[position + 1], words[position]
    return words

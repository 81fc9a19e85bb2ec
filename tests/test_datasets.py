"""make_teacher_student: Gaussian inputs labelled by a linear teacher."""

import numpy as np
import pytest

from sklearn_prune.datasets import make_teacher_student


def test_shapes_labels_and_teacher():
    X, y, teacher = make_teacher_student(300, 7, random_state=0)
    assert X.shape == (300, 7) and X.dtype == np.float64
    assert y.shape == (300,) and np.issubdtype(y.dtype, np.integer)
    assert set(np.unique(y)) == {-1, 1}
    assert teacher.shape == (7,)
    assert np.linalg.norm(teacher) == pytest.approx(1.0)
    # labels are the side of the teacher's hyperplane: separable, no noise
    np.testing.assert_array_equal(y, np.where(X @ teacher >= 0, 1, -1))
    assert np.all(y * (X @ teacher) >= 0)


def test_inputs_are_standard_normal_and_labels_balanced():
    X, y, teacher = make_teacher_student(20000, 5, random_state=1)
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=0.03)
    np.testing.assert_allclose(X.var(axis=0), 1.0, atol=0.05)
    assert abs(np.mean(y == 1) - 0.5) < 0.02
    # the teacher's field is standard normal too (the theory's u)
    u = X @ teacher
    assert abs(u.std() - 1.0) < 0.03


def test_random_state_reproducible_and_teachers_differ():
    a = make_teacher_student(50, 4, random_state=3)
    b = make_teacher_student(50, 4, random_state=3)
    c = make_teacher_student(50, 4, random_state=4)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.allclose(a[2], c[2])
    rng = np.random.RandomState(0)
    first = make_teacher_student(10, 3, random_state=rng)
    second = make_teacher_student(10, 3, random_state=rng)
    assert not np.allclose(first[0], second[0])


def test_teacher_is_drawn_uniformly_on_the_sphere():
    teachers = np.array(
        [make_teacher_student(1, 3, random_state=s)[2] for s in range(2000)]
    )
    np.testing.assert_allclose(teachers.mean(axis=0), 0.0, atol=0.06)


def test_given_teacher_is_normalised_and_used():
    w = np.array([3.0, 0.0, -4.0])
    X, y, teacher = make_teacher_student(100, 3, teacher=w, random_state=0)
    np.testing.assert_allclose(teacher, w / 5.0)
    np.testing.assert_array_equal(y, np.where(X @ w >= 0, 1, -1))
    # the input is not modified
    np.testing.assert_array_equal(w, [3.0, 0.0, -4.0])


def test_works_with_the_oracle_pruner():
    from sklearn_prune import OraclePruner

    X, y, teacher = make_teacher_student(200, 10, random_state=0)
    X_kept, y_kept = OraclePruner(
        teacher=teacher, keep=0.25, strategy="hard", class_balance=False
    ).fit_resample(X, y)
    assert X_kept.shape == (50, 10)
    # keep-hard keeps the smallest margins to the teacher
    assert np.abs(X_kept @ teacher).max() <= np.sort(np.abs(X @ teacher))[49] + 1e-12


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"n_samples": 0},
            r"'n_samples' parameter of make_teacher_student must be an int in the "
            r"range \[1, inf\)\. Got 0 instead",
        ),
        ({"n_samples": -5}, r"'n_samples' .* Got -5 instead"),
        ({"n_features": 0}, r"'n_features' .* int in the range \[1, inf\)\. Got 0"),
        ({"teacher": [1.0, 2.0]}, r"`teacher` must have shape \(3,\)"),
        ({"teacher": [[1.0, 2.0, 3.0]]}, r"`teacher` must have shape \(3,\)"),
        ({"teacher": [0.0, 0.0, 0.0]}, "`teacher` must be a finite, non-zero"),
        ({"teacher": [np.nan, 1.0, 0.0]}, "`teacher` must be a finite, non-zero"),
    ],
)
def test_invalid_arguments(kwargs, match):
    params = {"n_samples": 10, "n_features": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        make_teacher_student(**params)


@pytest.mark.parametrize("bad", [2.5, "10", None, True])
def test_counts_must_be_integers(bad):
    with pytest.raises(TypeError, match=r"'n_samples' .* must be an int in the range"):
        make_teacher_student(bad, 3)


# -- make_near_duplicates / make_near_duplicate_texts --------------------------
from sklearn_prune.datasets import (  # noqa: E402
    make_near_duplicate_texts,
    make_near_duplicates,
)


def _group_sizes(groups):
    return np.bincount(groups[groups >= 0])


def test_near_duplicates_shapes_groups_and_sizes():
    X, groups = make_near_duplicates(
        1000, 8, duplicate_fraction=0.3, group_size=(2, 5), random_state=0
    )
    assert X.shape == (1000, 8) and X.dtype == np.float64
    assert groups.shape == (1000,) and groups.dtype == np.int64
    assert np.sum(groups >= 0) == 300
    sizes = _group_sizes(groups)
    assert sizes.min() >= 2 and sizes.max() <= 5
    # groups are numbered in the order of their first row
    firsts = [np.flatnonzero(groups == g)[0] for g in range(groups.max() + 1)]
    assert firsts == sorted(firsts)


def test_near_duplicates_fixed_group_size_and_no_shuffle():
    X, groups = make_near_duplicates(
        20, 4, duplicate_fraction=0.6, group_size=3, shuffle=False, random_state=0
    )
    np.testing.assert_array_equal(groups[:8], -1)
    np.testing.assert_array_equal(groups[8:], np.repeat(np.arange(4), 3))


def test_near_duplicates_noise_sets_the_cosine_distance():
    noise = 0.1
    X, groups = make_near_duplicates(
        2000, 256, duplicate_fraction=1.0, group_size=2, noise=noise, random_state=0
    )
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    pairs = np.array([np.flatnonzero(groups == g) for g in range(groups.max() + 1)])
    distance = 1 - np.einsum("ij,ij->i", Xn[pairs[:, 0]], Xn[pairs[:, 1]])
    assert abs(np.median(distance) - noise**2 / (1 + noise**2)) < 0.1 * noise**2
    # distinct rows are far apart: copies of different rows are not duplicates
    other = 1 - np.einsum("ij,ij->i", Xn[pairs[:-1, 0]], Xn[pairs[1:, 0]])
    assert other.min() > 20 * noise**2


def test_near_duplicates_exact_copies_float32_and_reproducible():
    X, groups = make_near_duplicates(50, 5, noise=0.0, dtype=np.float32, random_state=3)
    assert X.dtype == np.float32
    for g in range(groups.max() + 1):
        rows = X[groups == g]
        np.testing.assert_array_equal(rows, np.broadcast_to(rows[0], rows.shape))
    again = make_near_duplicates(50, 5, noise=0.0, dtype=np.float32, random_state=3)
    np.testing.assert_array_equal(X, again[0])
    np.testing.assert_array_equal(groups, again[1])


def test_near_duplicates_edge_fractions():
    _, none = make_near_duplicates(10, 2, duplicate_fraction=0.0, random_state=0)
    np.testing.assert_array_equal(none, -1)
    _, odd = make_near_duplicates(
        5, 2, duplicate_fraction=1.0, group_size=2, random_state=0
    )
    # 5 rows in pairs: the lone fifth row is a distinct row
    assert np.sum(odd < 0) == 1 and np.all(_group_sizes(odd) == 2)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"duplicate_fraction": 1.5},
            ValueError,
            r"'duplicate_fraction' parameter of make_near_duplicates must be a "
            r"finite number in the range \[0\.0, 1\.0\]\. Got 1\.5",
        ),
        (
            {"duplicate_fraction": "half"},
            TypeError,
            "'duplicate_fraction' .* must be a finite number",
        ),
        (
            {"group_size": 1},
            ValueError,
            r"'group_size' .* must be an int in the range \[2, inf\) or an "
            r"array-like\. Got 1",
        ),
        (
            {"group_size": (4, 2)},
            ValueError,
            "`group_size` must be an int >= 2 or a pair",
        ),
        ({"group_size": "big"}, ValueError, "'group_size' .* Got 'big'"),
        (
            {"noise": -0.1},
            ValueError,
            r"'noise' .* must be a finite number in the range \[0\.0, inf\)",
        ),
        ({"noise": np.inf}, ValueError, "'noise' .* must be a finite number"),
        ({"n_centers": 0}, ValueError, "'n_centers' .* must be an int in the range"),
        ({"dtype": np.int32}, ValueError, "`dtype` must be a floating dtype"),
    ],
)
def test_near_duplicates_invalid_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_near_duplicates(20, 3, **kwargs)


def _word_distance(a, b):
    a, b = a.rstrip(".").lower().split(), b.rstrip(".").lower().split()
    d = np.arange(len(b) + 1)
    for i, wa in enumerate(a, 1):
        prev, d[0] = d.copy(), i
        for j, wb in enumerate(b, 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (wa != wb))
    return int(d[-1])


def test_near_duplicate_texts_are_small_edits_of_one_sentence():
    texts, groups = make_near_duplicate_texts(
        200, duplicate_fraction=0.5, n_words=10, n_edits=1, random_state=0
    )
    assert len(texts) == 200 and all(isinstance(t, str) for t in texts)
    assert np.sum(groups >= 0) == 100
    for g in range(groups.max() + 1):
        members = [texts[i] for i in np.flatnonzero(groups == g)]
        # two copies with one edit each: at most 2 word edits apart
        # (a swap counts as two substitutions)
        for other in members[1:]:
            assert _word_distance(members[0], other) <= 4
    distinct = [t for t, g in zip(texts, groups) if g < 0]
    assert min(_word_distance(a, b) for a, b in zip(distinct, distinct[1:])) > 5
    assert (
        texts
        == make_near_duplicate_texts(
            200, duplicate_fraction=0.5, n_words=10, n_edits=1, random_state=0
        )[0]
    )


def test_near_duplicate_texts_exact_copies():
    texts, groups = make_near_duplicate_texts(30, n_edits=0, random_state=1)
    for g in range(groups.max() + 1):
        assert len({texts[i] for i in np.flatnonzero(groups == g)}) == 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_edits": -1}, r"'n_edits' .* must be an int in the range \[0, inf\)"),
        ({"n_words": 0}, r"'n_words' .* must be an int in the range \[1, inf\)"),
        ({"duplicate_fraction": -0.1}, "'duplicate_fraction' .* finite number in"),
    ],
)
def test_near_duplicate_texts_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_near_duplicate_texts(20, **kwargs)

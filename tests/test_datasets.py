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
        teacher=teacher, keep=0.25, class_balance=False
    ).fit_resample(X, y)
    assert X_kept.shape == (50, 10)
    # keep-hard keeps the smallest margins to the teacher
    assert np.abs(X_kept @ teacher).max() <= np.sort(np.abs(X @ teacher))[49] + 1e-12


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0}, "`n_samples` must be an int >= 1; got 0"),
        ({"n_samples": -5}, "`n_samples` must be an int >= 1; got -5"),
        ({"n_features": 0}, "`n_features` must be an int >= 1; got 0"),
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
    with pytest.raises(TypeError, match="`n_samples` must be an int >= 1"):
        make_teacher_student(bad, 3)

"""OraclePruner: margins to a known teacher."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate

from sklearn_prune import OraclePruner, make_pipeline


@pytest.fixture
def teacher_data(rng):
    X = rng.normal(size=(500, 20))
    w = rng.normal(size=20)
    return X, w, np.sign(X @ w)


def test_angle_zero_keeps_exactly_the_smallest_margins(teacher_data):
    X, w, y = teacher_data
    p = OraclePruner(teacher=w, keep=0.2, strategy="hard", class_balance=False)
    p.fit(X, y)
    margins = np.abs(X @ w) / np.linalg.norm(w)
    np.testing.assert_allclose(p.scores_, -margins)
    np.testing.assert_array_equal(p.sample_indices_, np.sort(np.argsort(margins)[:100]))
    easy = OraclePruner(teacher=w, keep=0.2, strategy="easy", class_balance=False)
    easy.fit(X, y)
    np.testing.assert_array_equal(
        easy.sample_indices_, np.sort(np.argsort(-margins)[:100])
    )


def test_teacher_can_be_a_fitted_linear_model(teacher_data):
    X, w, y = teacher_data
    clf = LogisticRegression().fit(X, y)
    p = OraclePruner(teacher=clf).fit(X)
    coef, b = clf.coef_.ravel(), clf.intercept_[0]
    np.testing.assert_allclose(p.scores_, -np.abs(X @ coef + b) / np.linalg.norm(coef))


@pytest.mark.parametrize("angle", [0.0, 10.0, 45.0, 90.0])
def test_probe_is_at_the_requested_angle(teacher_data, angle):
    X, w, y = teacher_data
    p = OraclePruner(teacher=w, angle=angle, random_state=0).fit(X)
    cos = p.probe_ @ w / np.linalg.norm(w)
    assert np.degrees(np.arccos(np.clip(cos, -1, 1))) == pytest.approx(angle, abs=1e-6)
    np.testing.assert_allclose(p.scores_, -np.abs(X @ p.probe_))


def test_angle_direction_follows_random_state(teacher_data):
    X, w, _ = teacher_data
    a = OraclePruner(teacher=w, angle=30, random_state=0).fit(X).probe_
    b = OraclePruner(teacher=w, angle=30, random_state=0).fit(X).probe_
    c = OraclePruner(teacher=w, angle=30, random_state=1).fit(X).probe_
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_bad_teachers_are_rejected(teacher_data):
    X, w, y = teacher_data
    with pytest.raises(ValueError, match="`teacher` has 19 weights but X has 20"):
        OraclePruner(teacher=w[:-1]).fit(X)
    with pytest.raises(ValueError, match="non-zero"):
        OraclePruner(teacher=np.zeros(20)).fit(X)
    with pytest.raises(ValueError, match="not fitted"):
        OraclePruner(teacher=LogisticRegression()).fit(X)
    y3 = np.arange(500) % 3
    with pytest.raises(ValueError, match="binary"):
        OraclePruner(teacher=LogisticRegression().fit(X, y3)).fit(X)
    with pytest.raises(ValueError, match="angle"):
        OraclePruner(teacher=w, angle=91).fit(X)


def test_a_fitted_teacher_survives_clone_when_frozen(teacher_data):
    X, w, y = teacher_data
    clf = LogisticRegression().fit(X, y)
    direct = OraclePruner(teacher=clf, keep=0.3, random_state=0).fit(X)
    # clone unfits a plain teacher, and the error says what to do
    with pytest.raises(ValueError, match=r"FrozenEstimator\(model\)"):
        clone(OraclePruner(teacher=clf, keep=0.3)).fit(X)
    frozen = OraclePruner(teacher=FrozenEstimator(clf), keep=0.3, random_state=0)
    frozen = clone(frozen).fit(X)
    np.testing.assert_array_equal(frozen.scores_, direct.scores_)
    np.testing.assert_array_equal(frozen.sample_indices_, direct.sample_indices_)


def test_frozen_teacher_in_cross_validate_and_grid_search(teacher_data):
    X, w, y = teacher_data
    teacher = FrozenEstimator(LogisticRegression().fit(X, y))
    pipe = make_pipeline(OraclePruner(teacher=teacher, keep=0.5), LogisticRegression())
    res = cross_validate(pipe, X, y, cv=3, return_estimator=True, return_indices=True)
    coef, b = teacher.coef_.ravel(), teacher.intercept_[0]
    for est, train in zip(res["estimator"], res["indices"]["train"]):
        assert est[0].teacher is teacher  # frozen: cloned to itself, never refitted
        margins = np.abs(X[train] @ coef + b) / np.linalg.norm(coef)
        np.testing.assert_allclose(est[0].scores_, -margins)
    grid = GridSearchCV(pipe, {"oraclepruner__keep": [0.3, 0.6]}, cv=3).fit(X, y)
    assert grid.best_params_["oraclepruner__keep"] in (0.3, 0.6)

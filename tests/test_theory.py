"""Perceptron theory of data pruning: solver, qualitative claims, simulation."""

import time

import numpy as np
import pytest
from scipy import integrate, optimize, special, stats

from sklearn_prune.theory import (
    max_margin_direction,
    optimal_keep,
    pareto_frontier,
    perceptron_error,
    perceptron_order_parameters,
    simulate_perceptron,
)

# ---------------------------------------------------------------------------
# checks that do not depend on our solver (docs: theory.md)
# ---------------------------------------------------------------------------


def test_no_pruning_is_the_classic_max_margin_learning_curve():
    alpha = np.array([1e3, 1e4, 1e5])
    # alpha * eps -> 0.5005 (Gardner / Opper: 0.50049)
    np.testing.assert_allclose(alpha * perceptron_error(alpha, 1.0), 0.5005, atol=3e-4)
    # the curve itself is decreasing, from 1/2 at alpha -> 0
    a = np.logspace(-3, 2, 30)
    eps = perceptron_error(a, 1.0)
    assert np.all(np.diff(eps) < 0)
    assert 0.49 < eps[0] < 0.5


@pytest.mark.parametrize("angle", [0.0, 20.0])
def test_keep_one_and_random_pruning_are_no_pruning(angle):
    a = np.array([0.5, 3.0, 20.0])
    ref = perceptron_error(a, 1.0)
    for strategy in ("hard", "easy", "random"):
        np.testing.assert_allclose(
            perceptron_error(a, 1.0, strategy=strategy, angle=angle), ref, rtol=1e-7
        )
    # random pruning to keep f of alpha_total is no pruning at f * alpha_total
    np.testing.assert_allclose(
        perceptron_error(a / 0.3, 0.3, strategy="random", angle=angle),
        ref,
        rtol=1e-7,
    )


@pytest.mark.parametrize("strategy", ["hard", "easy"])
def test_orthogonal_probe_is_random_pruning(strategy):
    a = np.array([1.0, 5.0, 40.0])
    np.testing.assert_allclose(
        perceptron_error(a, 0.3, strategy=strategy, angle=90.0),
        perceptron_error(a, 0.3, strategy="random"),
        rtol=1e-6,
    )


@pytest.mark.parametrize("angle", [10.0, 30.0, 60.0])
def test_overpruning_with_an_imperfect_probe_gives_90_minus_theta(angle):
    # f -> 0 at fixed alpha_prune: the student ends orthogonal to the probe
    eps = perceptron_error(30.0 / 1e-5, 1e-5, strategy="hard", angle=angle)
    assert eps == pytest.approx((90.0 - angle) / 180.0, abs=2e-3)
    res = perceptron_order_parameters(30.0 / 1e-5, 1e-5, angle=angle)
    assert abs(res.rho) < 0.01


def test_small_angle_is_continuous_with_the_perfect_probe():
    a = np.array([0.5, 5.0, 50.0])
    for strategy in ("hard", "easy"):
        np.testing.assert_allclose(
            perceptron_error(a, 0.3, strategy=strategy, angle=1e-4),
            perceptron_error(a, 0.3, strategy=strategy),
            rtol=1e-5,
        )


def _reference_error(alpha_prune, f, strategy):
    """theory.md's (R, kappa) equations with scipy quad + brentq, independently.

    kappa(R) from the first equation, then R maximises kappa (the second
    equation is its stationarity condition).
    """
    if strategy == "hard":
        lo, hi = 0.0, np.sqrt(2) * special.erfinv(f)
    else:
        lo, hi = np.sqrt(2) * special.erfcinv(f), np.inf

    def avg(fun):
        return integrate.quad(
            lambda z: 2 * stats.norm.pdf(z) * fun(z) / f, lo, hi, epsabs=1e-12
        )[0]

    def kappa(R):
        s = np.sqrt(1 - R * R)

        def eq1(k):
            def g(z):
                a = (k - R * z) / s
                return (1 + a * a) * stats.norm.cdf(a) + a * stats.norm.pdf(a)

            return alpha_prune * avg(g) - 1

        return optimize.brentq(eq1, -30, 30, xtol=1e-12)

    res = optimize.minimize_scalar(
        lambda v: -kappa(1 - np.exp(-v)),
        bounds=(1e-3, 12),
        method="bounded",
        options={"xatol": 1e-8},
    )
    return np.arccos(1 - np.exp(-res.x)) / np.pi


@pytest.mark.parametrize(
    "alpha_prune, f, strategy",
    [
        (0.5, 0.3, "hard"),
        (5.0, 0.3, "hard"),
        pytest.param(5.0, 0.3, "easy", marks=pytest.mark.slow),
        pytest.param(3.0, 1.0, "hard", marks=pytest.mark.slow),
        pytest.param(0.5, 0.1, "easy", marks=pytest.mark.slow),
    ],
)
def test_matches_an_independent_quadrature_of_the_equations(alpha_prune, f, strategy):
    expected = _reference_error(alpha_prune, f, strategy)
    got = perceptron_error(alpha_prune / f, f, strategy=strategy)
    assert got == pytest.approx(expected, rel=1e-5)


# ---------------------------------------------------------------------------
# numerical robustness and speed
# ---------------------------------------------------------------------------


def test_tiny_errors_stay_accurate():
    # no pruning: 0.5005 / alpha down to 5e-8, no NaN, no 0
    alpha = np.logspace(3, 7, 9)
    eps = perceptron_error(alpha, 1.0)
    assert np.all(np.isfinite(eps)) and np.all(eps > 0)
    np.testing.assert_allclose(alpha * eps, 0.50049, rtol=2e-4)
    # keep-hard at small f: errors far below 1e-6, still smooth and decreasing
    eps = perceptron_error(np.logspace(3, 8, 11), 1e-4, strategy="hard")
    assert np.all(np.isfinite(eps)) and np.all(eps > 0)
    assert np.all(np.diff(np.log(eps)) < 0)
    assert eps[-1] < 1e-7
    # R is within rounding of 1 there, the error is not: it comes from an
    # accurate angle, not arccos(R)
    res = perceptron_order_parameters(1e8, 1e-4)
    assert res.R == pytest.approx(1.0, abs=1e-12)
    assert res.error > 0


def test_tiny_errors_with_an_imperfect_probe():
    eps = perceptron_error(np.logspace(2, 6, 9), 0.5, strategy="hard", angle=10.0)
    assert np.all(np.isfinite(eps)) and np.all(eps > 0)
    assert np.all(np.diff(np.log(eps)) < 0)
    assert eps[-1] < 1e-5


def test_broadcasting_and_scalars():
    assert isinstance(perceptron_error(2.0, 0.5), float)
    out = perceptron_error(np.array([[1.0], [10.0]]), [0.2, 0.5, 1.0])
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out[1, 2], perceptron_error(10.0, 1.0))
    res = perceptron_order_parameters([1.0, 2.0], 0.5, angle=5.0)
    assert res.error.shape == res.R.shape == res.rho.shape == (2,)
    np.testing.assert_allclose(res.alpha_prune, [0.5, 1.0])
    best = optimal_keep(3.0)
    assert isinstance(best.keep, float) and best.strategy in ("hard", "easy")


def test_a_200_point_curve_is_fast():
    alpha = np.logspace(-1, 3, 200)
    perceptron_error(alpha[:5], 0.3)  # warm up
    best = np.inf
    for _ in range(2):
        t0 = time.perf_counter()
        perceptron_error(alpha, 0.3, strategy="hard")
        best = min(best, time.perf_counter() - t0)
    assert best < 1.0


# ---------------------------------------------------------------------------
# the paper's qualitative claims
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.8])
def test_keep_easy_wins_with_little_data_keep_hard_with_much(keep):
    for angle in (0.0, 10.0):
        small = {
            s: perceptron_error(1.0, keep, strategy=s, angle=angle)
            for s in ("hard", "easy")
        }
        large = {
            s: perceptron_error(100.0, keep, strategy=s, angle=angle)
            for s in ("hard", "easy")
        }
        assert small["easy"] < small["hard"]
        assert large["hard"] < large["easy"]


def test_optimal_strategy_flips_and_the_kept_fraction_shrinks():
    best = optimal_keep([0.5, 2.0, 100.0, 1000.0])
    assert best.strategy.tolist() == ["easy", "easy", "hard", "hard"]
    assert best.keep[3] < best.keep[2] < 0.1
    # it is the best: no other fraction or strategy does better
    for a, err in zip([0.5, 100.0], best.error[[0, 2]]):
        grid = np.linspace(0.05, 1.0, 20)
        for s in ("hard", "easy"):
            assert np.all(perceptron_error(a, grid, strategy=s) >= err * (1 - 1e-3))


def test_perfect_probe_beats_any_power_law():
    # at the optimal kept fraction the error keeps falling while the pruned
    # data set (alpha_prune) stops growing: faster than any power law
    alpha_total = np.logspace(1.5, 3.5, 5)
    best = optimal_keep(alpha_total)
    assert np.all(best.strategy == "hard")
    assert np.all(best.keep > 1e-3)  # not stopped by min_keep
    assert np.all(np.diff(best.error) < 0)
    assert best.error[0] / best.error[-1] > 50
    # a power law eps ~ alpha_prune^-nu would need nu > 20 for this
    spread = best.alpha_prune.max() / best.alpha_prune.min()
    assert np.log(best.error[0] / best.error[-1]) / np.log(spread) > 20
    # no pruning is a power law with exponent 1
    eps = perceptron_error(np.logspace(1.5, 4, 6), 1.0)
    np.testing.assert_allclose(-np.diff(np.log(eps)) / np.log(10**0.5), 1.0, atol=0.02)
    # the Pareto frontier drops faster than a power law where keep-hard wins
    ap = np.array([1.5, 2.5, 4.0])
    front = pareto_frontier(ap, min_keep=0.01)
    slope = np.diff(np.log(front.error)) / np.diff(np.log(ap))
    assert slope[0] < -5


def test_imperfect_probe_returns_to_a_power_law():
    alpha_total = np.array([30.0, 100.0, 300.0, 1000.0])
    best = optimal_keep(alpha_total, angle=10.0)
    assert np.all(best.strategy == "hard")
    # the kept fraction levels off instead of shrinking ...
    assert best.keep.min() > 0.3
    # ... and the error decays as a power law of alpha_prune, exponent ~ 1
    exponent = -np.diff(np.log(best.error)) / np.diff(np.log(best.alpha_prune))
    np.testing.assert_allclose(exponent, 1.0, atol=0.1)
    # the frontier too: power law once alpha_prune is large
    ap = np.array([10.0, 20.0, 40.0])
    front = pareto_frontier(ap, angle=10.0)
    slope = -np.diff(np.log(front.error)) / np.diff(np.log(ap))
    assert np.all(slope < 1.5) and np.all(slope > 0.9)
    assert np.all(front.keep > 0.05)


# ---------------------------------------------------------------------------
# theory against simulation (N = 200)
# ---------------------------------------------------------------------------

# (alpha_total, keep, strategy, angle): keep-easy and keep-hard, small and
# large alpha, perfect and imperfect probes
SIMULATION_GRID = [
    (1.0, 0.5, "easy", 0.0),
    (1.0, 0.5, "hard", 0.0),
    (10.0, 0.3, "hard", 0.0),
    (10.0, 0.3, "easy", 0.0),
    (20.0, 0.2, "hard", 0.0),
    (6.0, 0.5, "hard", 20.0),
    (6.0, 0.5, "easy", 20.0),
    (4.0, 0.5, "random", 0.0),
]


def _assert_within_error_bars(sim, theory, n_sigma):
    # the simulation's own error bars; 1% allowance for finite-N corrections
    assert abs(sim.mean - theory) <= n_sigma * sim.sem + 0.01 * theory, (
        f"simulation {sim.mean:.4f} +- {sim.sem:.4f}, theory {theory:.4f}"
    )


@pytest.mark.parametrize("alpha_total, keep, strategy, angle", SIMULATION_GRID)
def test_theory_matches_simulation(alpha_total, keep, strategy, angle):
    sim = simulate_perceptron(
        alpha_total,
        keep,
        strategy=strategy,
        angle=angle,
        n_features=200,
        n_seeds=8,
        random_state=0,
    )
    theory = perceptron_error(alpha_total, keep, strategy=strategy, angle=angle)
    _assert_within_error_bars(sim, theory, n_sigma=3)


@pytest.mark.slow
@pytest.mark.parametrize("angle", [0.0, 15.0, 45.0])
@pytest.mark.parametrize("strategy", ["hard", "easy"])
def test_theory_matches_simulation_on_a_wide_grid(strategy, angle):
    alpha_total = np.array([[1.0], [4.0], [12.0]])
    keep = np.array([0.2, 0.6])
    sim = simulate_perceptron(
        alpha_total,
        keep,
        strategy=strategy,
        angle=angle,
        n_features=200,
        n_seeds=24,
        random_state=1,
    )
    theory = perceptron_error(alpha_total, keep, strategy=strategy, angle=angle)
    for i in np.ndindex(theory.shape):
        cell = type(sim)(mean=sim.mean[i], sem=sim.sem[i])
        _assert_within_error_bars(cell, theory[i], n_sigma=3.5)


def test_simulation_api():
    sim = simulate_perceptron(
        [2.0, 4.0], [[1.0], [0.5]], n_features=30, n_seeds=3, random_state=0
    )
    assert sim.errors.shape == (2, 2, 3)
    assert sim.mean.shape == sim.sem.shape == sim.std.shape == (2, 2)
    np.testing.assert_allclose(sim.alpha_prune, [[2.0, 4.0], [1.0, 2.0]])
    again = simulate_perceptron(
        [2.0, 4.0], [[1.0], [0.5]], n_features=30, n_seeds=3, random_state=0
    )
    np.testing.assert_array_equal(sim.errors, again.errors)
    # common random numbers: seed i sees the same data for every keep, so
    # keep=1 with hard and easy give identical students
    hard = simulate_perceptron(3.0, 1.0, n_features=30, n_seeds=2, random_state=1)
    easy = simulate_perceptron(
        3.0, 1.0, strategy="easy", n_features=30, n_seeds=2, random_state=1
    )
    np.testing.assert_allclose(hard.errors, easy.errors)
    # an empirical test set estimates the same error
    emp = simulate_perceptron(
        3.0, 1.0, n_features=30, n_seeds=2, n_test=20000, random_state=1
    )
    np.testing.assert_allclose(emp.errors, hard.errors, atol=0.015)


def test_max_margin_direction_is_the_hard_margin_svm():
    from sklearn.svm import LinearSVC

    rng = np.random.RandomState(0)
    X = rng.standard_normal((120, 8))
    y = np.where(X @ rng.standard_normal(8) >= 0, 1, -1)
    w = max_margin_direction(X, y)
    assert np.linalg.norm(w) == pytest.approx(1.0)
    margins = y * (X @ w)
    assert margins.min() > 0
    svc = LinearSVC(
        C=1e4, loss="hinge", fit_intercept=False, tol=1e-10, max_iter=100000
    ).fit(X, y)
    v = svc.coef_.ravel() / np.linalg.norm(svc.coef_)
    assert w @ v == pytest.approx(1.0, abs=1e-6)
    # the support vectors all sit on the margin
    assert np.sort(margins)[:3] == pytest.approx(margins.min(), rel=1e-6)


def test_max_margin_direction_rejects_bad_input():
    X = np.array([[1.0, 0.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="not linearly separable"):
        max_margin_direction(X, [1, -1])
    rng = np.random.RandomState(0)  # random labels, 30 rows per dimension
    with pytest.raises(ValueError, match="not linearly separable"):
        max_margin_direction(rng.standard_normal((300, 10)), rng.choice([-1, 1], 300))
    with pytest.raises(ValueError, match="labels -1 and \\+1"):
        max_margin_direction(X, [0, 1])
    with pytest.raises(ValueError, match="one row per label"):
        max_margin_direction(X, [1, 1, 1])


# ---------------------------------------------------------------------------
# invalid arguments
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"alpha_total": 0.0},
            r"'alpha_total' parameter of \w+ must be a number or an array of "
            r"numbers, each finite and in the range \(0\.0, inf\)\. Got 0\.0",
        ),
        ({"alpha_total": -2.0}, r"'alpha_total' .* Got -2\.0"),
        ({"alpha_total": [1.0, np.nan]}, r"'alpha_total' .* Got \[1\.0, nan\]"),
        ({"alpha_total": np.inf}, r"'alpha_total' .* Got inf"),
        ({"alpha_total": "many"}, r"'alpha_total' parameter .* must be a number"),
        (
            {"keep": 0.0},
            r"'keep' parameter of \w+ must be a number or an array of numbers, "
            r"each finite and in the range \(0\.0, 1\.0\]\. Got 0\.0",
        ),
        ({"keep": 1.5}, r"'keep' .* Got 1\.5"),
        ({"keep": [0.5, -0.1]}, r"'keep' .* Got \[0\.5, -0\.1\]"),
        (
            {"strategy": "medium"},
            r"'strategy' parameter of \w+ must be a str among \{.*'random'.*\}\. "
            r"Got 'medium'",
        ),
        (
            {"angle": -1.0},
            r"'angle' parameter of \w+ must be a finite number in the range "
            r"\[0\.0, 90\.0\]\. Got -1\.0",
        ),
        ({"angle": 91}, r"'angle' .* Got 91"),
        ({"angle": "10"}, r"'angle' parameter .* must be a finite number"),
    ],
)
def test_invalid_arguments(kwargs, match):
    params = {"alpha_total": 2.0, "keep": 0.5, **kwargs}
    with pytest.raises(ValueError, match=match):
        perceptron_error(**params)
    if set(kwargs) <= {"alpha_total", "strategy", "keep", "angle"}:
        with pytest.raises(ValueError, match=match):
            perceptron_order_parameters(**params)


@pytest.mark.parametrize(
    "func, kwargs, match",
    [
        (optimal_keep, {"alpha_total": 0.0}, r"'alpha_total' .* Got 0\.0"),
        (optimal_keep, {"alpha_total": 1.0, "angle": 100.0}, r"'angle' .* Got 100\.0"),
        (optimal_keep, {"alpha_total": 1.0, "min_keep": 1.0}, r"'min_keep' .*1\.0"),
        (optimal_keep, {"alpha_total": 1.0, "rtol": -1.0}, r"'rtol' .* Got -1\.0"),
        (pareto_frontier, {"alpha_prune": -1.0}, r"'alpha_prune' .* Got -1\.0"),
        (
            pareto_frontier,
            {"alpha_prune": 1.0, "strategy": "random"},
            r"'strategy' parameter of pareto_frontier must be a str among "
            r"\{'\w+', '\w+'\} or None\. Got 'random'",
        ),
        (simulate_perceptron, {"alpha_total": 1.0, "keep": 2.0}, r"'keep' .* Got 2\.0"),
        (
            simulate_perceptron,
            {"alpha_total": 1.0, "keep": 0.5, "strategy": "x"},
            r"'strategy' .* Got 'x'",
        ),
        (
            simulate_perceptron,
            {"alpha_total": 1.0, "keep": 0.5, "n_seeds": 0},
            r"'n_seeds' parameter of simulate_perceptron must be an int in the "
            r"range \[1, inf\)\. Got 0",
        ),
        (
            simulate_perceptron,
            {"alpha_total": 1.0, "keep": 0.5, "n_test": 0},
            r"'n_test' parameter of simulate_perceptron must be an int in the "
            r"range \[1, inf\) or None\. Got 0",
        ),
    ],
)
def test_invalid_arguments_of_the_other_functions(func, kwargs, match):
    with pytest.raises(ValueError, match=match):
        func(**kwargs)

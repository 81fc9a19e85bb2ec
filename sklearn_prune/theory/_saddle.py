"""Numerical solution of the max-margin perceptron's saddle-point equations.

Private module: :mod:`sklearn_prune.theory._perceptron` holds the public API.

Notation (Sorscher et al. 2022, appendix; Engel & Van den Broeck 2001): ``x``
is a Gaussian input, ``u`` its teacher field, ``z`` its probe field (the
pruning metric), ``y = sign(u)`` its label. A fraction ``f`` of the examples
is kept according to ``|z|``.
The student's field is ``lambda = w.x_plane / sqrt(1 + |w|^2) + noise``
where ``w`` is the (scaled) component of the student in the teacher-probe
plane. With ``c = kappa * sqrt(1 + |w|^2)`` and ``a = c - y w.x_plane`` the
replica free energy at maximal margin is non-negative iff::

    alpha < g(a) >  <=  1,   g(a) = E_xi (a - xi)_+^2 = (1 + a^2) Phi(a) + a phi(a)

where ``<.>`` averages over the kept examples. ``g`` is convex and
increasing, so ``c(w)`` (the largest feasible ``c``) is concave in ``w`` and
the margin ``kappa(w) = c(w) / sqrt(1 + |w|^2)`` is pseudo-concave: every
stationary point is the global maximum. The max-margin student is that
maximum, and its test error is ``atan2(sqrt(1 + |w_perp|^2), w_par) / pi``,
which stays accurate down to the smallest errors (no ``arccos`` near 1).

For a perfect probe (``theta = 0``) the plane collapses to the teacher
direction: ``w = b`` is a scalar and the paper's two perfect-probe equations in
``(R, kappa)`` are recovered with ``R = b / sqrt(1 + b^2)``.

All solvers are vectorised over arrays of problems and use fixed
Gauss-Legendre panels whose breakpoints follow the sharp features of the
integrand (the kink of ``g`` at ``a ~ 0``, the edges of the kept region), so
the cost per problem is fixed and small.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np
from scipy import special

__all__: list[str] = []

_SQRT2PI = np.sqrt(2.0 * np.pi)
_LOG_SQRT2PI = 0.5 * np.log(2.0 * np.pi)
# a below -_A_CUT contributes nothing (Phi(-10) ~ 8e-24)
_A_CUT = 10.0
_A_BREAKS = np.array([-_A_CUT, -6.0, -3.5, -2.0, -1.0, 0.0, 1.0, 2.0, 3.5, 6.0])
_GAUSS_BREAKS = np.array([0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.5, 7.0])
_EDGE_STEPS = np.array([0.1, 0.25, 0.5, 1.0, 2.0, 3.5, 5.5])
_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)
# log-scale (ell = log b) search interval and trust region
_ELL_MIN, _ELL_MAX, _ELL_STEP = -35.0, 37.0, 2.0
# largest step of c to the right in one Newton iteration (from below the root)
_C_STEP = 4.0
# relative Newton step of c below which the next step is negligible
_C_QUADRATIC = 1e-7
# shift of c (in units of a) up to which the quadrature nodes are reused
_C_REUSE = 0.5


def _phi(a):
    """Standard normal density (0 at +-inf and beyond overflow)."""
    with np.errstate(over="ignore"):
        return np.exp(-0.5 * a * a) / _SQRT2PI


def kept_region(strategy: str, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interval ``[lo, hi]`` of ``|z|`` kept by ``strategy`` at fraction ``f``.

    ``hi`` is cut where the Gaussian density has fallen by ``exp(-50)``
    relative to its value at ``lo``.
    """
    f = np.asarray(f, dtype=float)
    if strategy == "hard":
        # f = 1 - 2 H(gamma) = erf(gamma / sqrt 2)
        lo = np.zeros_like(f)
        hi = np.sqrt(2.0) * special.erfinv(f)
    else:  # "easy" (and "random", which keeps the whole Gaussian at f = 1)
        # f = 2 H(gamma) = erfc(gamma / sqrt 2)
        lo = np.sqrt(2.0) * special.erfcinv(f)
        hi = np.full_like(f, np.inf)
    hi = np.minimum(hi, np.sqrt(lo * lo + 100.0))
    return lo, hi


# ----------------------------------------------------------------------------
# perfect probe: one order parameter b = R / sqrt(1 - R^2)
# ----------------------------------------------------------------------------


def _nodes_1d(b, c, lo, hi, logf):
    """Nodes ``z`` and weights of the kept density ``2 phi(z) / f`` on [lo, hi].

    Only the part where ``a = c - b z > -_A_CUT`` is integrated; panels break
    at fixed values of ``a`` and at Gaussian scales.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        top = np.minimum(hi, np.where(b > 0, (c + _A_CUT) / b, np.inf))
        fam_a = (c[:, None] - _A_BREAKS) / b[:, None]
    top = np.maximum(top, lo)
    fam_a = np.where(np.isfinite(fam_a), fam_a, lo[:, None])
    scale = 1.0 / np.maximum(lo, 1.0)
    fam_g = np.concatenate(
        [
            lo[:, None] + _EDGE_STEPS * scale[:, None],
            np.broadcast_to(_GAUSS_BREAKS, (lo.size, _GAUSS_BREAKS.size)),
        ],
        axis=1,
    )
    bp = np.concatenate([lo[:, None], top[:, None], fam_a, fam_g], axis=1)
    bp = np.sort(np.clip(bp, lo[:, None], top[:, None]), axis=1)
    width = np.diff(bp, axis=1)[..., None]
    z = bp[:, :-1, None] + (0.5 * (_GL_X + 1.0)) * width
    w = np.exp(np.log(2.0) - 0.5 * z * z - _LOG_SQRT2PI - logf[:, None, None])
    w *= 0.5 * _GL_W * width
    n = b.shape[0]
    return z.reshape(n, -1), w.reshape(n, -1)


def _moments_1d(b, c, lo, hi, logf, full):
    z, w = _nodes_1d(b, c, lo, hi, logf)
    a = c[:, None] - b[:, None] * z
    Phi = special.ndtr(a)
    h = a * Phi + _phi(a)
    wh = w * h
    m = {"g": np.einsum("ij,ij->i", w, Phi + a * h), "h": wh.sum(axis=1)}
    if full:
        m["zh"] = np.einsum("ij,ij->i", wh, z)
        cp = m["zh"] / m["h"]
        dz = z - cp[:, None]
        m["var"] = np.einsum("ij,ij->i", w * Phi, dz * dz)
    return m


def _solve_c(moments, alpha, c, tol=1e-13, max_iter=200):
    """Largest ``c`` with ``alpha <g> <= 1``; ``moments(idx, c)`` gives <g>, <h>.

    ``psi(c) = log(alpha <g>)`` is concave and increasing in ``c`` (``g`` is
    log-concave), so Newton on ``psi`` lands left of the root from anywhere
    and then climbs to it monotonically; ``exp(psi) - 1`` is convex, so
    Newton on it approaches from the right without overshooting (used close
    above the root). A bracket guards against steps into the region where
    ``<g>`` is exactly 0 (all of ``a`` below the cut).
    """
    c = np.array(c, dtype=float)
    c_lo = np.full(c.shape, -np.inf)
    c_hi = np.full(c.shape, np.inf)
    active = np.ones(c.shape, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        g, h = moments(idx, c[idx])
        ci = c[idx]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ag = alpha[idx] * g
            psi = np.log(ag)
            # close above the root Newton on alpha <g> - 1 (convex) does not
            # overshoot; elsewhere Newton on psi (concave)
            new = ci - np.where(
                (psi > 0) & (psi < 2.0),
                (ag - 1.0) / (2.0 * alpha[idx] * h),
                psi * g / (2.0 * h),
            )
        above = psi > 0
        c_hi[idx] = np.where(above, ci, c_hi[idx])
        c_lo[idx] = np.where(above, c_lo[idx], ci)
        lo, hi = c_lo[idx], c_hi[idx]
        done = np.abs(new - ci) <= tol * (1.0 + np.abs(ci))
        bad = ~done & (~np.isfinite(new) | (new <= lo) | (new >= hi))
        fallback = np.where(
            np.isfinite(lo) & np.isfinite(hi),
            0.5 * (lo + hi),
            np.where(
                np.isfinite(hi), ci - np.maximum(1.0, 2.0 * (hi - ci)), ci + _C_STEP
            ),
        )
        c[idx] = np.where(bad, fallback, new)
        # Newton converges quadratically: after a step this small the next
        # one would be below tol, so stop without another evaluation
        close = ~bad & (np.abs(new - ci) <= _C_QUADRATIC * (1.0 + np.abs(ci)))
        active[idx] = ~(done | close)
    return c


def _solve_c_1d(alpha, b, lo, hi, logf, c):
    """Largest ``c`` with ``alpha <g(c - b|z|)> <= 1``."""

    def moments(idx, ci):
        m = _moments_1d(b[idx], ci, lo[idx], hi[idx], logf[idx], full=False)
        return m["g"], m["h"]

    return _solve_c(moments, alpha, c)


def solve_perfect_probe(alpha, lo, hi, logf, ell0=None, tol=1e-10, max_iter=100):
    """Max-margin order parameters for a perfect probe (theta = 0).

    Parameters
    ----------
    alpha, lo, hi, logf : 1-D arrays
        ``alpha_prune``, kept interval of ``|z|`` and ``log f`` per problem.
    ell0 : 1-D array or None
        Starting guess for ``log b``.

    Returns
    -------
    b, c : 1-D arrays
        ``b = R / sqrt(1 - R^2)`` and ``c = kappa / sqrt(1 - R^2)``.
    """
    n = alpha.shape[0]
    if ell0 is None:
        ell0 = np.log(np.maximum(alpha, 1e-3))
    ell = np.clip(np.asarray(ell0, dtype=float), _ELL_MIN + 1, _ELL_MAX - 1)
    b = np.exp(ell)
    # Jensen: <g(c - b|z|)> >= g(c - b<|z|>) >= (c - b<|z|>)^2, so this c is
    # at or above the root.
    z, w = _nodes_1d(np.zeros(n), np.zeros(n), lo, hi, logf)
    mean_z = np.einsum("ij,ij->i", w, z)
    c = _solve_c_1d(alpha, b, lo, hi, logf, b * mean_z + 1.0 / np.sqrt(alpha))
    ell_lo = np.full(n, _ELL_MIN)
    ell_hi = np.full(n, _ELL_MAX)
    active = np.ones(n, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        bi, ci = b[idx], c[idx]
        m = _moments_1d(bi, ci, lo[idx], hi[idx], logf[idx], full=True)
        # kappa(b) = c(b) / sqrt(1 + b^2); c' and c'' from the implicit equation
        cp = m["zh"] / m["h"]
        cpp = -m["var"] / m["h"]
        q = 1.0 + bi * bi
        k1 = cp / np.sqrt(q) - ci * bi / q**1.5
        k2 = (
            cpp / np.sqrt(q)
            - 2.0 * cp * bi / q**1.5
            - ci / q**1.5
            + 3.0 * ci * bi * bi / q**2.5
        )
        d1 = bi * k1  # d kappa / d ell
        d2 = bi * k1 + bi * bi * k2
        up = d1 > 0
        ell_lo[idx] = np.where(up, ell[idx], ell_lo[idx])
        ell_hi[idx] = np.where(up, ell_hi[idx], ell[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(d2 < 0, -d1 / d2, np.sign(d1) * _ELL_STEP)
        step = np.clip(np.nan_to_num(step), -_ELL_STEP, _ELL_STEP)
        converged = np.abs(step) < tol
        new = ell[idx] + step
        outside = (new <= ell_lo[idx]) | (new >= ell_hi[idx])
        new = np.where(outside, 0.5 * (ell_lo[idx] + ell_hi[idx]), new)
        step = new - ell[idx]
        done = converged | (np.abs(step) < tol)
        move = idx[~done]
        active[idx[done]] = False
        if move.size == 0:
            break
        b_new = np.exp(new[~done])
        # tangent of the concave c(b): at or above c(b_new)
        c_new = c[move] + cp[~done] * (b_new - b[move])
        ell[move] = new[~done]
        b[move] = b_new
        c[move] = _solve_c_1d(alpha[move], b_new, lo[move], hi[move], logf[move], c_new)
    return b, c


# ----------------------------------------------------------------------------
# imperfect probe (theta > 0): the student's component in the teacher-probe
# plane is w = r (cos phi, sin phi) in the orthonormal basis (teacher, e2),
# e2 the unit part of the probe orthogonal to the teacher.
# ----------------------------------------------------------------------------

_STEPS_K = np.array([-8.0, -5.5, -3.5, -2.0, -1.0, 0.0, 1.0, 2.0, 3.5, 5.5, 8.0])
_TINY = 1e-300
_PHI_STEP = 0.5  # trust region of the angle (radians)


def _safe_div(num, den):
    """``num / den`` with ``den`` moved away from 0 (signed): +-inf limits."""
    den = np.where(np.abs(den) < _TINY, np.where(den < 0, -_TINY, _TINY), den)
    with np.errstate(over="ignore", invalid="ignore"):
        out = num / den
    return out


class _Plane:
    """Kept-region geometry of a batch of problems with an imperfect probe."""

    def __init__(self, strategy, gamma, theta, logf):
        self.hard = strategy == "hard"
        self.gamma = gamma
        self.theta = theta
        self.logf = logf
        self.s_max = np.where(self.hard, 10.0, gamma + 10.0)

    def take(self, idx):
        new = object.__new__(_Plane)
        new.hard = self.hard
        new.gamma, new.theta = self.gamma[idx], self.theta[idx]
        new.logf, new.s_max = self.logf[idx], self.s_max[idx]
        return new


def _nodes_2d(plane, r, phi, c):
    """Quadrature nodes ``s`` (student in-plane field) and Gaussian weights."""
    n = r.shape[0]
    gam, th = plane.gamma[:, None], plane.theta
    sin_p, cos_p = np.sin(phi), np.cos(phi)
    A = np.cos(th - phi)[:, None]
    B = np.sin(th - phi)[:, None]
    smax = plane.s_max
    top = np.minimum(smax, _safe_div(c + _A_CUT, r))
    bottom = -smax
    fams = [
        _safe_div(c[:, None] - _A_BREAKS, r[:, None]),
        np.broadcast_to(
            np.concatenate([-_GAUSS_BREAKS, [0.0], _GAUSS_BREAKS]),
            (n, 2 * _GAUSS_BREAKS.size + 1),
        ),
        _STEPS_K * _safe_div(sin_p, cos_p)[:, None],
        _safe_div(gam - B * _STEPS_K, A),
        _safe_div(-gam - B * _STEPS_K, A),
        _safe_div(
            np.concatenate([gam, -gam], axis=1) * sin_p[:, None], np.sin(th)[:, None]
        ),
        # Gaussian scales below the cut of a, where a^2 phi(s) peaks
        top[:, None] - _EDGE_STEPS / np.maximum(np.abs(top), 1.0)[:, None],
    ]
    bp = np.concatenate([bottom[:, None], top[:, None]] + fams, axis=1)
    bp = np.where(np.isfinite(bp), bp, bottom[:, None])
    bp = np.sort(np.clip(bp, bottom[:, None], np.maximum(top, bottom)[:, None]), axis=1)
    width = np.diff(bp, axis=1)[..., None]
    s = bp[:, :-1, None] + (0.5 * (_GL_X + 1.0)) * width
    # factor 2: the half-plane u > 0 stands for both labels
    w = np.exp(np.log(2.0) - 0.5 * s * s - _LOG_SQRT2PI - plane.logf[:, None, None])
    w *= 0.5 * _GL_W * width
    return s.reshape(n, -1), w.reshape(n, -1)


def _mass(lo, hi, t_lo, t_hi):
    """``P(lo < N < hi)`` from the tails ``t = P(N > |x|)`` of the endpoints.

    Differences are taken on the side of 0 where both endpoints lie, so tiny
    masses far out in a tail keep their relative accuracy.
    """
    return np.where(
        lo > 0, t_lo - t_hi, np.where(hi < 0, t_hi - t_lo, 1.0 - t_lo - t_hi)
    )


def _perp_moments(plane, phi, s, density):
    """Moments in the perpendicular field ``t`` over the kept part of u > 0.

    At fixed student field ``s`` the constraints ``u > 0`` and ``z`` kept are
    intervals in ``t`` (a standard normal independent of ``s``). Returns
    ``int t^k phi(t) dt`` over them for k = 0 (and 1, 2 if ``density``).

    ``t`` is oriented so that ``u > 0`` reads ``t > tau``; the first moment
    is turned back to the original orientation at the end.
    """
    th = plane.theta[:, None]
    gam = plane.gamma[:, None]
    sin_p = np.sin(phi)[:, None]
    sigma = np.where(sin_p > 0, -1.0, 1.0)
    A = np.cos(th - phi[:, None])
    B = sigma * np.sin(th - phi[:, None])
    # u = cos(phi) s - sin(phi) t > 0  <=>  t' = sigma t > tau
    tau = _safe_div(-np.cos(phi)[:, None] * s, np.abs(sin_p))
    # z = A s + B t' kept: |z| < gamma (hard) is t' in (e_lo, e_hi)
    e1 = _safe_div(-gam - A * s, B)
    e2 = _safe_div(gam - A * s, B)
    e_lo, e_hi = np.minimum(e1, e2), np.maximum(e1, e2)
    t_tau = special.ndtr(-np.abs(tau))
    t_lo = special.ndtr(-np.abs(e_lo))
    t_hi = special.ndtr(-np.abs(e_hi))
    if plane.hard:
        # (max(tau, e_lo), e_hi)
        cut = tau > e_lo
        lo = np.where(cut, tau, e_lo)
        m0 = np.where(e_hi > lo, _mass(lo, e_hi, np.where(cut, t_tau, t_lo), t_hi), 0)
        if not density:
            return (m0,)
        p_lo = _phi(lo)
        p_hi = _phi(e_hi)
        empty = e_hi <= lo
        m1 = np.where(empty, 0.0, p_lo - p_hi)
        with np.errstate(invalid="ignore"):
            x_lo = np.where(np.isfinite(lo), lo * p_lo, 0.0)
            x_hi = np.where(np.isfinite(e_hi), e_hi * p_hi, 0.0)
        m2 = np.where(empty, 0.0, m0 + x_lo - x_hi)
        return m0, sigma * m1, m2
    # easy: (tau, e_lo) and (max(tau, e_hi), inf)
    first = tau < e_lo
    m0_1 = np.where(first, _mass(tau, e_lo, t_tau, t_lo), 0.0)
    cut = tau > e_hi
    lo2 = np.where(cut, tau, e_hi)
    t_lo2 = np.where(cut, t_tau, t_hi)
    m0 = m0_1 + np.where(lo2 > 0, t_lo2, 1.0 - t_lo2)
    if not density:
        return (m0,)
    p_tau, p_lo, p_lo2 = _phi(tau), _phi(e_lo), _phi(lo2)
    with np.errstate(invalid="ignore"):
        x_tau = np.where(np.isfinite(tau), tau * p_tau, 0.0)
        x_lo = np.where(np.isfinite(e_lo), e_lo * p_lo, 0.0)
        x_lo2 = np.where(np.isfinite(lo2), lo2 * p_lo2, 0.0)
    m1 = np.where(first, p_tau - p_lo, 0.0) + p_lo2
    m2 = m0 + np.where(first, x_tau - x_lo, 0.0) + x_lo2
    return m0, sigma * m1, m2


def _moments_2d(plane, r, phi, c, full):
    s, w = _nodes_2d(plane, r, phi, c)
    moments = _perp_moments(plane, phi, s, density=full)
    m0 = moments[0]
    a = c[:, None] - r[:, None] * s
    Phi = special.ndtr(a)
    h = a * Phi + _phi(a)
    wm0 = w * m0
    out = {
        "g": np.einsum("ij,ij->i", wm0, Phi + a * h),
        "h": np.einsum("ij,ij->i", wm0, h),
    }
    if full:
        _, m1, m2 = moments
        wh = w * h
        ms = np.einsum("ij,ij->i", wh * m0, s) / out["h"]
        mp = np.einsum("ij,ij->i", wh, m1) / out["h"]
        wp = w * Phi
        ds = s - ms[:, None]
        out["ms"], out["mp"] = ms, mp
        out["css"] = np.einsum("ij,ij->i", wp * m0, ds * ds)
        out["csp"] = np.einsum("ij,ij->i", wp * ds, m1 - mp[:, None] * m0)
        mpc = mp[:, None]
        out["cpp"] = np.einsum("ij,ij->i", wp, m2 - 2.0 * mpc * m1 + mpc * mpc * m0)
    return out


def _solve_c_2d(alpha, plane, r, phi, c):
    """Largest ``c`` with ``alpha <g(a)> <= 1`` at fixed ``(r, phi)``.

    The nodes and perpendicular masses do not depend on ``c`` except through
    the placement of the panels along ``a``; they are kept while ``c`` moves
    by less than ``_C_REUSE`` (a shift of the panels that costs no accuracy,
    ``g`` being smooth on that scale) and only ``g(a)`` is re-evaluated.
    """
    n = c.shape[0]
    c_ref = np.full(n, np.nan)
    cache = {}

    def moments(idx, ci):
        stale = ~(np.abs(ci - c_ref[idx]) <= _C_REUSE)
        if np.any(stale):
            j = idx[stale]
            s_new, w_new = _nodes_2d(plane.take(j), r[j], phi[j], ci[stale])
            (m0,) = _perp_moments(plane.take(j), phi[j], s_new, density=False)
            if not cache:
                k = s_new.shape[1]
                cache["s"], cache["wm0"] = np.zeros((n, k)), np.zeros((n, k))
            cache["s"][j], cache["wm0"][j] = s_new, w_new * m0
            c_ref[j] = ci[stale]
        s_i, wm0 = cache["s"][idx], cache["wm0"][idx]
        a = ci[:, None] - r[idx, None] * s_i
        Phi = special.ndtr(a)
        h = a * Phi + _phi(a)
        return (np.einsum("ij,ij->i", wm0, Phi + a * h), np.einsum("ij,ij->i", wm0, h))

    return _solve_c(moments, alpha, c)


def _kappa_derivatives(r, c, m):
    """Value, gradient and Hessian of kappa in (log r, phi)."""
    q = 1.0 + r * r
    sq = np.sqrt(q)
    ms, mp = m["ms"], m["mp"]
    # Hessian of c in the student frame (e_s, e_perp): -Cov_Phi / <h>
    hss, hsp, hpp = -m["css"] / m["h"], -m["csp"] / m["h"], -m["cpp"] / m["h"]
    # kappa = c / sqrt(1 + |w|^2), w = (r, 0) in the student frame
    gs = ms / sq - c * r / q**1.5
    gp = mp / sq
    Hss = hss / sq - 2.0 * ms * r / q**1.5 - c / q**1.5 + 3.0 * c * r * r / q**2.5
    Hsp = hsp / sq - mp * r / q**1.5
    Hpp = hpp / sq - c / q**1.5
    # polar coordinates (ell = log r, phi): dw/d ell = w, dw/d phi = r e_perp
    g = np.stack([r * gs, r * gp], axis=-1)
    H = np.empty(r.shape + (2, 2))
    H[:, 0, 0] = r * r * Hss + r * gs
    H[:, 0, 1] = H[:, 1, 0] = r * r * Hsp + r * gp
    H[:, 1, 1] = r * r * Hpp - r * gs
    return c / sq, g, H


def _ascent_step(g, H):
    """Newton step on a 2-D function, made an ascent step where H is not < 0.

    Along an eigen-direction of ``H`` with negative curvature the step is
    Newton's; along one with non-negative curvature it goes uphill to the
    trust-region radius. The step is then cut to the trust region.
    """
    lam, vec = np.linalg.eigh(H)
    proj = np.einsum("nij,ni->nj", vec, g)
    with np.errstate(divide="ignore", invalid="ignore"):
        along = np.where(lam < 0, -proj / lam, np.sign(proj) * _ELL_STEP)
    along = np.nan_to_num(along)
    step = np.einsum("nij,nj->ni", vec, along)
    big = np.maximum(np.abs(step[:, 0]) / _ELL_STEP, np.abs(step[:, 1]) / _PHI_STEP)
    return step / np.maximum(big, 1.0)[:, None]


def solve_imperfect_probe(
    alpha, plane, ell0, phi0, c0=None, tol=1e-9, max_iter=200, max_halvings=30
):
    """Max-margin order parameters for a probe at angle ``theta`` > 0.

    Maximises ``kappa(r, phi)`` by a damped Newton ascent in ``(log r, phi)``
    with a backtracking line search; ``kappa`` is pseudo-concave in ``w``, so
    the ascent ends at the global maximum.

    Returns
    -------
    r, phi, c : 1-D arrays
    """
    n = alpha.shape[0]
    ell = np.clip(np.asarray(ell0, dtype=float), _ELL_MIN + 1, _ELL_MAX - 1).copy()
    phi = np.asarray(phi0, dtype=float).copy()
    r = np.exp(ell)
    if c0 is None:
        c0 = np.full(n, _A_CUT) + r * (plane.s_max + 1.0) + 1.0 / np.sqrt(alpha)
    c = _solve_c_2d(alpha, plane, r, phi, np.asarray(c0, dtype=float))
    active = np.ones(n, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        pl = plane.take(idx)
        m = _moments_2d(pl, r[idx], phi[idx], c[idx], full=True)
        kap, g, H = _kappa_derivatives(r[idx], c[idx], m)
        step = _ascent_step(g, H)
        # stop when the step is tiny or when the predicted gain is below
        # what kappa (solved to ~1e-13) can resolve
        gain = 0.5 * np.einsum("ni,ni->n", g, step)
        tiny = np.max(np.abs(step), axis=1) < tol
        small = tiny | (gain < 1e-12 * np.abs(kap))
        active[idx[small]] = False
        # too small a gain for the line search to see, but a Newton step on a
        # concave model (H < 0): take it, it is accurate to its square
        det = H[:, 0, 0] * H[:, 1, 1] - H[:, 0, 1] ** 2
        final = small & ~tiny & (det > 0) & (H[:, 0, 0] < 0)
        if np.any(final):
            ii = idx[final]
            st = step[final]
            ell_new = np.clip(ell[ii] + st[:, 0], _ELL_MIN, _ELL_MAX)
            phi_new = phi[ii] + st[:, 1]
            r_new = np.exp(ell_new)
            dw_s = r_new * np.cos(phi_new - phi[ii]) - r[ii]
            dw_p = r_new * np.sin(phi_new - phi[ii])
            c_tan = c[ii] + m["ms"][final] * dw_s + m["mp"][final] * dw_p
            c[ii] = _solve_c_2d(alpha[ii], plane.take(ii), r_new, phi_new, c_tan)
            ell[ii], phi[ii], r[ii] = ell_new, phi_new, r_new
        keep = ~small
        idx, step, kap = idx[keep], step[keep], kap[keep]
        grad_w_s, grad_w_p = m["ms"][keep], m["mp"][keep]
        # backtracking line search on kappa
        t = np.ones(idx.size)
        pending = np.ones(idx.size, dtype=bool)
        for _ in range(max_halvings):
            j = np.flatnonzero(pending)
            if j.size == 0:
                break
            ii = idx[j]
            ell_new = np.clip(ell[ii] + t[j] * step[j, 0], _ELL_MIN, _ELL_MAX)
            phi_new = phi[ii] + t[j] * step[j, 1]
            r_new = np.exp(ell_new)
            # tangent of the concave c(w): at or above c(w_new)
            dw_s = r_new * np.cos(phi_new - phi[ii]) - r[ii]
            dw_p = r_new * np.sin(phi_new - phi[ii])
            c_tan = c[ii] + grad_w_s[j] * dw_s + grad_w_p[j] * dw_p
            c_new = _solve_c_2d(alpha[ii], plane.take(ii), r_new, phi_new, c_tan)
            k_new = c_new / np.sqrt(1.0 + r_new * r_new)
            ok = k_new >= kap[j] - 1e-15 * np.abs(kap[j])
            acc = j[ok]
            ell[idx[acc]] = ell_new[ok]
            phi[idx[acc]] = phi_new[ok]
            r[idx[acc]] = r_new[ok]
            c[idx[acc]] = c_new[ok]
            pending[acc] = False
            t[j[~ok]] *= 0.5
        # no ascent possible: converged to the precision of kappa
        active[idx[pending]] = False
    return r, phi, c


def _start_imperfect_probe(alpha, plane, lo, hi, logf):
    """Starting point of the ascent: the perfect-probe solution's ``r`` with
    the student along the teacher or (keep-easy, where the student tends to
    lock onto the probe) along the probe, whichever has the larger margin."""
    n = alpha.shape[0]
    b, c1 = solve_perfect_probe(alpha, lo, hi, logf)
    theta = plane.theta
    best_k = np.full(n, -np.inf)
    best_phi, best_c = np.zeros(n), c1.copy()
    for phi in (np.zeros(n),) if plane.hard else (np.zeros(n), theta):
        c = _solve_c_2d(alpha, plane, b, phi, c1)
        k = c / np.sqrt(1.0 + b * b)
        better = k > best_k
        best_k = np.where(better, k, best_k)
        best_phi = np.where(better, phi, best_phi)
        best_c = np.where(better, c, best_c)
    return np.log(b), best_phi, best_c


def solve(alpha, f, strategy, theta, init=None):
    """Order parameters of the max-margin student for a batch of problems.

    Parameters
    ----------
    alpha, f : 1-D arrays
        ``alpha_prune`` (kept examples per dimension) and kept fraction.
    strategy : {"hard", "easy", "random"}
    theta : float
        Probe angle in radians, in [0, pi/2].
    init : dict or None
        ``state`` of an earlier call on problems of the same shape, used as
        the starting point (warm start).

    Returns
    -------
    dict with arrays ``error``, ``R``, ``rho``, ``kappa`` and ``state``.
    """
    alpha = np.asarray(alpha, dtype=float)
    f = np.asarray(f, dtype=float)
    n = alpha.shape[0]
    if n == 0:
        empty = np.zeros(0)
        return {
            "error": empty,
            "R": empty,
            "rho": empty,
            "kappa": empty,
            "state": {"ell": empty, "phi": empty, "c": empty},
        }
    whole = (f >= 1.0) | (strategy == "random")
    f_eff = np.where(whole, 1.0, f)
    region = "hard" if strategy == "random" else strategy
    lo, hi = kept_region(region, f_eff)
    logf = np.log(f_eff)
    if theta == 0.0 or np.all(whole):
        ell0 = None if init is None else init["ell"]
        b, c = solve_perfect_probe(alpha, lo, hi, logf, ell0=ell0)
        r, phi = b, np.zeros(n)
    else:
        gamma = hi if region == "hard" else lo
        plane = _Plane(region, gamma, np.full(n, float(theta)), logf)
        if init is None:
            ell0, phi0, c0 = _start_imperfect_probe(alpha, plane, lo, hi, logf)
        else:
            ell0, phi0, c0 = init["ell"], init["phi"], init["c"]
        r, phi, c = solve_imperfect_probe(alpha, plane, ell0, phi0, c0=c0)
        if np.any(whole):
            b, c1 = solve_perfect_probe(alpha[whole], lo[whole], hi[whole], logf[whole])
            r[whole], phi[whole], c[whole] = b, 0.0, c1
    q = np.sqrt(1.0 + r * r)
    w_par, w_perp = r * np.cos(phi), r * np.sin(phi)
    return {
        # angle between student and teacher, accurate when it is tiny
        "error": np.arctan2(np.sqrt(1.0 + w_perp * w_perp), w_par) / np.pi,
        "R": w_par / q,
        "rho": r * np.cos(phi - theta) / q,
        "kappa": c / q,
        "state": {"ell": np.log(r), "phi": phi, "c": c},
    }

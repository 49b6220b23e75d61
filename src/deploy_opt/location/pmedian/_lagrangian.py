"""Lagrangian relaxation of the uncapacitated p-median (subgradient optimisation).

Relaxing the assignment constraints ``sum_j x_ij = 1`` with multipliers
``lambda_i`` gives, for weighted costs ``c_ij`` (``w_i * d_ij``),

.. math::

    L(\\lambda) = \\sum_i \\lambda_i + \\min_{y:\\ \\sum_j y_j = p,\\ y_R = 1}
        \\sum_j y_j \\rho_j, \\qquad
    \\rho_j = \\sum_i \\min(0, c_{ij} - \\lambda_i),

solved by taking the required sites ``R`` and the ``p - |R|`` smallest
``rho_j`` of the rest. ``L(lambda)`` is a lower bound on the optimum for every
``lambda``; its maximum equals the LP bound of the classical formulation
(Beasley 1985; Cornuejols, Fisher & Nemhauser 1977). Each iterate also gives a
primal site set, evaluated as a candidate incumbent.

Only pairs with ``c_ij < lambda_i`` enter ``rho``, a few per point: iterations
work on the pairs below a cap with slack, extracted from the sorted pairs of
:mod:`~deploy_opt.location.pmedian._sorted_pairs` again whenever a multiplier passes its cap.

Fixing tests (used to shrink the exact model) follow from the same function:
forcing ``x_ij = 1`` raises the bound by at least
``max(0, c_ij - lambda_i) + max(0, rho_j - rho_last)``, where ``rho_last`` is the
largest free ``rho`` in the chosen set.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from deploy_opt.location._arrays import FloatArray, IntArray
from deploy_opt.location.pmedian._sorted_pairs import Pairs

#: Relative slack of the multiplier caps that select the pairs an iteration uses.
_SLACK = 0.05
#: First and smallest step-length factor.
_THETA = 2.0
_THETA_MIN = 5e-4


@dataclass(frozen=True)
class SubgradientOutcome:
    """Best multipliers found and what they imply."""

    bound: float
    multipliers: FloatArray
    rho: FloatArray
    chosen: IntArray
    incumbent: IntArray
    incumbent_cost: float
    iterations: int


def select_sites(rho: FloatArray, p: int, required: IntArray) -> IntArray:
    """Required sites plus the ``p - |required|`` smallest ``rho`` of the rest."""
    free = np.ones(rho.size, dtype=bool)
    free[required] = False
    k = p - required.size
    candidates = np.flatnonzero(free)
    if k <= 0:
        return np.sort(required)
    if k < candidates.size:
        part = np.argpartition(rho[candidates], k - 1)[:k]
        picked = candidates[part]
    else:
        picked = candidates
    return np.sort(np.concatenate([required, picked])).astype(np.intp)


def subgradient(
    weighted: FloatArray,
    p: int,
    required: IntArray,
    incumbent: IntArray,
    incumbent_cost: float,
    *,
    integral: bool,
    max_iterations: int = 3000,
    patience: int = 25,
    deadline: float | None = None,
    improve: Callable[[IntArray], tuple[IntArray, float]] | None = None,
    pairs: Pairs | None = None,
) -> SubgradientOutcome:
    """Maximise ``L(lambda)`` by subgradient steps with Polyak step lengths.

    Parameters
    ----------
    weighted
        ``(n, m)`` weighted costs, ``inf`` where forbidden.
    p
        Sites to open.
    required
        Sites that must be open.
    incumbent, incumbent_cost
        Best known feasible site set and its cost (target of the step length).
    integral
        Whether all costs are integers (stop once ``ceil(L) >= incumbent``).
    max_iterations, patience
        Iteration cap, and iterations without progress before halving the step.
    deadline
        ``time.perf_counter()`` value after which to stop.
    improve
        Optional local search applied to the relaxed site set whenever the step
        is halved; returns an improved set and its cost.
    pairs
        ``weighted`` as :class:`~deploy_opt.location.pmedian._sorted_pairs.Pairs`, when the
        caller already has them.

    Returns
    -------
    SubgradientOutcome
        Best bound with its multipliers, and the best primal set seen.
    """
    n, m = weighted.shape
    pairs = Pairs.from_dense(weighted) if pairs is None else pairs
    lam = weighted[:, incumbent].min(axis=1)
    finite_max = float(weighted[np.isfinite(weighted)].max())
    # Start each multiplier at the point's cost in the incumbent: a tight, cheap start.
    lam = np.where(np.isfinite(lam), lam, finite_max)
    best_bound = -np.inf
    best_lam = lam.copy()
    best_rho = np.zeros(m)
    best_chosen = incumbent
    ub_sites, ub = incumbent, incumbent_cost
    tried: set[bytes] = set()
    theta = _THETA
    stall = 0
    iterations = 0
    # Only pairs with c_ij < lambda_i count: iterate on those under a cap with
    # slack, extracted again when a multiplier passes its cap.
    cap = np.full(n, -np.inf)
    counts = near_rows = near_cols = np.zeros(0, dtype=np.intp)
    near_costs = np.zeros(0)
    is_chosen = np.zeros(m, dtype=bool)
    for iterations in range(1, max_iterations + 1):  # noqa: B007
        if bool((lam > cap).any()):
            cap = lam + _SLACK * np.abs(lam) + 1e-9
            counts, near_rows, near_cols, near_costs = pairs.near(cap)
        reduced = np.minimum(near_costs - np.repeat(lam, counts), 0.0)
        rho = np.bincount(near_cols, weights=reduced, minlength=m).astype(
            np.float64, copy=False
        )
        chosen = select_sites(rho, p, required)
        value = float(lam.sum() + rho[chosen].sum())
        if value > best_bound + 1e-6 * max(1.0, abs(best_bound)):
            stall = 0
        else:
            stall += 1
        if value > best_bound:
            best_bound, best_lam, best_rho, best_chosen = value, lam.copy(), rho, chosen
        if _closed(best_bound, ub, integral):
            break
        if stall >= patience:
            theta /= 2.0
            stall = 0
            if improve is not None and chosen.tobytes() not in tried:
                tried.add(chosen.tobytes())
                sites, cost = improve(chosen)
                if cost < ub:
                    ub, ub_sites = cost, sites
            if theta < _THETA_MIN:
                break
        is_chosen[:] = False
        is_chosen[chosen] = True
        served = np.flatnonzero(is_chosen[near_cols] & (reduced < 0.0))
        grad = 1.0 - np.bincount(near_rows[served], minlength=n)
        if not grad.any():
            break  # the relaxed solution is feasible, hence optimal
        norm = float(grad @ grad)
        target = ub if np.isfinite(ub) else abs(best_bound) * 1.1 + 1.0
        step = theta * max(target - value, 1e-9 * max(1.0, abs(target))) / norm
        lam = lam + step * grad
        if deadline is not None and time.perf_counter() > deadline:
            break
    return SubgradientOutcome(
        bound=float(best_bound),
        multipliers=best_lam,
        rho=best_rho,
        chosen=best_chosen,
        incumbent=np.sort(ub_sites),
        incumbent_cost=ub,
        iterations=iterations,
    )


def _closed(bound: float, ub: float, integral: bool) -> bool:
    if not np.isfinite(ub):
        return False
    if integral:
        return bool(np.ceil(bound - 1e-6) >= ub - 1e-9)
    return bool(ub - bound <= 1e-9 * max(1.0, abs(ub)))

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
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


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


class _SortedRows:
    """Each row's costs in increasing order, truncated to the first ``k`` columns.

    ``rho`` only involves pairs with ``c_ij < lambda_i``, usually a few per row, so
    iterations work on the ``k`` cheapest sites of each row and widen ``k`` when a
    multiplier passes the first excluded cost. The results are exact.
    """

    def __init__(self, weighted: FloatArray) -> None:
        self.weighted = weighted
        self.order = np.argsort(weighted, axis=1, kind="stable").astype(np.intp)
        self.values = np.take_along_axis(weighted, self.order, axis=1)
        self.m = weighted.shape[1]
        self.k = min(self.m, 16)

    def ensure(self, lam: FloatArray) -> None:
        """Widen ``k`` until every excluded cost is at least its multiplier."""
        while self.k < self.m and bool((self.values[:, self.k] < lam).any()):
            self.k = min(self.m, 2 * self.k)

    def evaluate(
        self, lam: FloatArray, p: int, required: IntArray
    ) -> tuple[float, FloatArray, IntArray]:
        """``L(lambda)``, the ``rho`` vector and the chosen sites."""
        self.ensure(lam)
        vals = self.values[:, : self.k]
        reduced = np.minimum(vals - lam[:, None], 0.0)
        rho = np.bincount(
            self.order[:, : self.k].ravel(), weights=reduced.ravel(), minlength=self.m
        )
        chosen = select_sites(rho, p, required)
        return float(lam.sum() + rho[chosen].sum()), rho, chosen

    def served(self, lam: FloatArray, chosen: IntArray) -> npt.NDArray[np.int64]:
        """How many chosen sites serve each row in the relaxed solution."""
        return (self.weighted[:, chosen] < lam[:, None]).sum(axis=1)


def lagrangian_value(
    weighted: FloatArray, lam: FloatArray, p: int, required: IntArray
) -> tuple[float, FloatArray, IntArray]:
    """``L(lambda)``, the ``rho`` vector and the chosen sites (dense evaluation)."""
    reduced = np.minimum(weighted - lam[:, None], 0.0)
    rho = reduced.sum(axis=0)
    chosen = select_sites(rho, p, required)
    return float(lam.sum() + rho[chosen].sum()), rho, chosen


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

    Returns
    -------
    SubgradientOutcome
        Best bound with its multipliers, and the best primal set seen.
    """
    rows = _SortedRows(weighted)
    lam = weighted[:, incumbent].min(axis=1)
    finite_max = float(weighted[np.isfinite(weighted)].max())
    # Start each multiplier at the point's cost in the incumbent: a tight, cheap start.
    lam = np.where(np.isfinite(lam), lam, finite_max)
    best_bound = -np.inf
    best_lam = lam.copy()
    best_rho = np.zeros(weighted.shape[1])
    best_chosen = incumbent
    ub_sites, ub = incumbent, incumbent_cost
    tried: set[bytes] = set()
    theta = 2.0
    stall = 0
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007
        value, rho, chosen = rows.evaluate(lam, p, required)
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
            if theta < 5e-4:
                break
        grad = 1.0 - rows.served(lam, chosen)
        norm = float(grad @ grad)
        if norm == 0.0:
            break  # the relaxed solution is feasible, hence optimal
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

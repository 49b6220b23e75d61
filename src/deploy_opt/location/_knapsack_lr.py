r"""Lagrangian bound for the capacitated p-median with *integer* knapsacks.

Relaxing the assignment constraints :math:`\sum_j x_{ij} = 1` with multipliers
:math:`\lambda_i` leaves, per site :math:`j`, the 0-1 knapsack

.. math::

    \rho_j = \min \Big\{ \sum_i (w_i c_{ij} - \lambda_i) x_{ij} :
    \sum_i d_i x_{ij} \le Q_j,\ x_{ij} \in \{0, 1\} \Big\},

and the bound :math:`\sum_i \lambda_i + \sum_{j \in S} \rho_j` with :math:`S`
the required sites plus the :math:`p - |R|` free sites of least :math:`\rho_j`.
With integer demands and capacities the knapsacks are solved exactly by dynamic
programming over the capacity (all sites at once, vectorised over sites); this
bound is at least as strong as the LP relaxation and usually much stronger than
the continuous-knapsack bound when capacities are tight.

Reduced-cost fixing: forcing :math:`x_{ij} = 1` costs at least
:math:`g_{ij} + f_j(Q_j - d_i) - f_j(Q_j)` in site ``j``'s knapsack (``f_j`` the
DP table over all items, a lower bound on the table without item ``i``), plus the
exchange of the worst chosen free site when ``j`` is not chosen.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Largest n * m * (Q + 1) for which the DP is used (work per iteration).
MAX_DP_CELLS = 6_000_000


def dp_applicable(demands: FloatArray, caps: FloatArray, n: int, m: int) -> bool:
    """Whether demands and capacities are integral and the DP is small enough."""
    if not (np.all(demands == np.round(demands)) and np.all(caps == np.round(caps))):
        return False
    if demands.min(initial=0.0) < 0:
        return False
    q = int(caps.max(initial=0.0))
    return n * m * (q + 1) <= MAX_DP_CELLS


class KnapsackLagrangian:
    """Result: ``bound``, per-pair lower bounds ``pair_bound``, ``iterations``,
    and the sites ``chosen`` by the relaxation at the best multipliers."""

    def __init__(
        self, bound: float, pair_bound: FloatArray, iterations: int, chosen: IntArray
    ) -> None:
        self.bound = bound
        self.pair_bound = pair_bound
        self.iterations = iterations
        self.chosen = chosen


def _dp(
    reduced: FloatArray, dem: IntArray, caps: IntArray, keep_choice: bool
) -> tuple[FloatArray, npt.NDArray[np.bool_] | None]:
    """Min-knapsack table ``f[j, q]`` (capacity at most ``q``) for every site."""
    n, m = reduced.shape
    q_max = int(caps.max())
    f = np.zeros((m, q_max + 1))
    take = np.zeros((n, m, q_max + 1), dtype=bool) if keep_choice else None
    for i in range(n):
        g = reduced[i]
        neg = np.flatnonzero(g < 0)
        if neg.size == 0:
            continue
        d = int(dem[i])
        if d == 0:
            f[neg] += g[neg, None]
            if take is not None:
                take[i, neg, :] = True
            continue
        if d > q_max:
            continue
        sub = f[neg]
        cand = sub[:, : q_max + 1 - d] + g[neg, None]
        better = cand < sub[:, d:]
        sub[:, d:] = np.where(better, cand, sub[:, d:])
        f[neg] = sub
        if take is not None:
            take[i, neg, d:] = better
    # capacities may differ per site: a site only uses up to its own capacity
    return f, take


def knapsack_lagrangian(
    weighted: FloatArray,
    allowed: BoolArray,
    demands: FloatArray,
    caps: FloatArray,
    required: IntArray,
    p: int,
    ub: float,
    deadline: float | None,
    lam0: FloatArray | None = None,
    max_iterations: int = 3000,
    integral: bool = False,
) -> KnapsackLagrangian:
    """Subgradient optimisation of the integer-knapsack Lagrangian bound."""
    cost = np.where(allowed, weighted, np.inf)
    n, m = cost.shape
    dem = np.round(demands).astype(np.intp)
    cap = np.round(caps).astype(np.intp)
    free = np.ones(m, dtype=bool)
    free[required] = False
    k = p - required.size
    if lam0 is None:
        lam = np.sort(cost, axis=1)[:, min(m - 1, max(1, m // max(p, 1)))]
        lam = np.where(np.isfinite(lam), lam, 0.0)
    else:
        lam = lam0.copy()
    best = -np.inf
    best_lam = lam.copy()
    theta, stall, it = 2.0, 0, 0
    cols_m = np.arange(m)
    target_gap = 1.0 - 1e-6 if integral else 1e-9 * max(1.0, abs(ub))
    for it in range(1, max_iterations + 1):  # noqa: B007
        reduced = cost - lam[:, None]
        f, take = _dp(reduced, dem, cap, keep_choice=True)
        assert take is not None
        rho = f[cols_m, cap]
        cand = np.flatnonzero(free)
        pick = cand[np.argsort(rho[cand], kind="stable")[:k]]
        chosen = np.concatenate([required, pick]).astype(np.intp)
        value = float(lam.sum() + rho[chosen].sum())
        if value > best + 1e-6 * max(1.0, abs(best)):
            stall = 0
        else:
            stall += 1
        if value > best:
            best, best_lam = value, lam.copy()
        if np.isfinite(ub) and best >= ub - target_gap:
            break
        if stall >= 15:
            theta /= 2
            stall = 0
            if theta < 5e-4:
                break
        # backtrack the chosen sites' knapsacks
        served = np.zeros(n)
        for j in chosen:
            q = int(cap[j])
            for i in range(n - 1, -1, -1):
                if take[i, j, q]:
                    served[i] += 1.0
                    q -= int(dem[i])
        grad = 1.0 - served
        norm = float(grad @ grad)
        if norm == 0.0:
            break
        target = ub if np.isfinite(ub) else abs(value) * 1.05 + 1.0
        lam = (
            lam + theta * max(target - value, 1e-9 * max(1.0, abs(value))) / norm * grad
        )
        if deadline is not None and time.perf_counter() > deadline:
            break
    # pair bounds at the best multipliers
    reduced = cost - best_lam[:, None]
    f, _ = _dp(reduced, dem, cap, keep_choice=False)
    rho = f[cols_m, cap]
    cand = np.flatnonzero(free)
    pick = cand[np.argsort(rho[cand], kind="stable")[:k]]
    chosen = np.concatenate([required, pick]).astype(np.intp)
    bound = float(best_lam.sum() + rho[chosen].sum())
    in_chosen = np.zeros(m, dtype=bool)
    in_chosen[chosen] = True
    free_in = free & in_chosen
    rho_last = float(rho[free_in].max()) if free_in.any() else 0.0
    # f_j(Q_j - d_i): rows points, columns sites
    room = cap[None, :] - dem[:, None]
    ok = room >= 0
    rest = np.where(ok, f[cols_m[None, :], np.clip(room, 0, None)], np.inf)
    base = np.where(in_chosen, rho, rho_last)
    with np.errstate(invalid="ignore"):
        pen = np.maximum(reduced + rest - base[None, :], 0.0)
    pair_bound = np.where(allowed & ok, bound + pen, np.inf)
    return KnapsackLagrangian(bound, pair_bound, it, np.sort(chosen))

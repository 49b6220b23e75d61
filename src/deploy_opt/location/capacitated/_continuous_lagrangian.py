r"""Continuous-knapsack Lagrangian bound for the capacitated p-median.

Relaxing the assignment constraints (1) with multipliers :math:`\lambda`
leaves, per site, a continuous knapsack over the points with
:math:`w_i c_{ij} - \lambda_i < 0`; the ``p`` best sites are opened. Valid at
any :math:`\lambda`; its reduced costs bound every pair (for fixing).
"""

from __future__ import annotations

import time

import numpy as np

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location._problem import Instance
from deploy_opt.location.errors import LocationSolverError


class LagrangianOutcome:
    """The ``bound``, a lower bound ``pair_bound[i, j]`` on every solution using
    pair ``(i, j)``, the ``iterations`` made and the sites ``chosen`` at the
    best multipliers."""

    def __init__(
        self, bound: float, pair_bound: FloatArray, iterations: int, chosen: IntArray
    ) -> None:
        self.bound = bound
        self.pair_bound = pair_bound
        self.iterations = iterations
        self.chosen = chosen


def continuous_knapsacks(
    reduced: FloatArray,
    demands: FloatArray,
    caps: FloatArray,
) -> tuple[FloatArray, FloatArray, IntArray, IntArray, FloatArray]:
    """Continuous knapsack per site over the pairs with negative reduced cost.

    Returns ``rho`` (value per site), ``pi`` (critical ratio per site, the dual of
    its capacity), and the fractional solution as (rows, cols, amount).
    """
    m = reduced.shape[1]
    rows, cols = np.nonzero(reduced < 0)
    gain = reduced[rows, cols]
    dem = demands[rows]
    ratio = np.where(dem > 0, gain / np.maximum(dem, 1e-300), -np.inf)
    order = np.lexsort((ratio, cols))
    rows, cols, gain, dem, ratio = (
        rows[order],
        cols[order],
        gain[order],
        dem[order],
        ratio[order],
    )
    cum = np.cumsum(dem)
    starts = np.searchsorted(cols, np.arange(m), side="left")
    offset = np.concatenate([[0.0], cum])[starts][cols]
    before = cum - dem - offset  # demand packed before this item in its site
    room = caps[cols] - before
    amount = np.clip(np.where(dem > 0, room / np.maximum(dem, 1e-300), 1.0), 0.0, 1.0)
    rho = np.bincount(cols, weights=gain * amount, minlength=m).astype(
        np.float64, copy=False
    )
    pi = np.zeros(m)
    crit = np.flatnonzero((amount < 1.0) & (before <= caps[cols] + 1e-12))
    # The first item that does not fit completely sets the site's capacity price.
    first = np.unique(cols[crit], return_index=True)
    pi[first[0]] = -ratio[crit[first[1]]]
    return rho, pi, rows, cols, amount


def continuous_lagrangian(
    inst: Instance,
    allowed: BoolArray,
    p: int,
    ub: float,
    deadline: float | None,
    max_iterations: int = 400,
) -> LagrangianOutcome:
    """Subgradient optimisation of the bound, ``ub`` the target of the steps.

    Raises
    ------
    LocationSolverError
        When ``max_iterations`` allows no iteration.
    """
    caps = inst.require_capacities()
    weighted = np.where(allowed, inst.weighted, np.inf)
    n, m = weighted.shape
    free = np.ones(m, dtype=bool)
    free[inst.required] = False
    k = p - inst.required.size
    lam = np.sort(weighted, axis=1)[:, min(m - 1, max(1, m // max(p, 1)))]
    lam = np.where(np.isfinite(lam), lam, 0.0)
    best = -np.inf
    best_state: tuple[FloatArray, FloatArray, FloatArray, IntArray] | None = None
    theta, stall, it = 2.0, 0, 0
    for it in range(1, max_iterations + 1):  # noqa: B007
        reduced = weighted - lam[:, None]
        rho, pi, rows, cols, amount = continuous_knapsacks(reduced, inst.demands, caps)
        cand = np.flatnonzero(free)
        pick = cand[np.argsort(rho[cand], kind="stable")[:k]]
        chosen = np.concatenate([inst.required, pick])
        value = float(lam.sum() + rho[chosen].sum())
        if value > best + 1e-6 * max(1.0, abs(best)):
            stall = 0
        else:
            stall += 1
        if value > best:
            best, best_state = value, (lam.copy(), rho, pi, chosen)
        if np.isfinite(ub) and best >= ub - 1e-9 * max(1.0, ub):
            break
        if stall >= 20:
            theta /= 2
            stall = 0
            if theta < 1e-3:
                break
        is_chosen = np.zeros(m, dtype=bool)
        is_chosen[chosen] = True
        sel = is_chosen[cols]
        served = np.bincount(rows[sel], weights=amount[sel], minlength=n)
        grad = 1.0 - served
        norm = float(grad @ grad)
        if norm == 0.0:
            break
        target = ub if np.isfinite(ub) else abs(value) * 1.1 + 1.0
        lam = lam + theta * max(target - value, 1e-9) / norm * grad
        if deadline is not None and time.perf_counter() > deadline:
            break
    if best_state is None:
        msg = "the continuous-knapsack Lagrangian ran no iteration"
        raise LocationSolverError(msg)
    lam, rho, pi, chosen = best_state
    in_chosen = np.zeros(m, dtype=bool)
    in_chosen[chosen] = True
    free_in = free & in_chosen
    rho_last = rho[free_in].max() if free_in.any() else 0.0
    open_pen = np.where(in_chosen, 0.0, np.maximum(rho - rho_last, 0.0))
    with np.errstate(invalid="ignore"):
        item_pen = np.maximum(
            weighted - lam[:, None] + inst.demands[:, None] * pi[None, :], 0.0
        )
        pair_bound = best + item_pen + open_pen[None, :]
    pair_bound = np.where(allowed, pair_bound, np.inf)
    return LagrangianOutcome(best, pair_bound, it, np.sort(chosen).astype(np.intp))

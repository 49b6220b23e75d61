r"""Capacitated p-median (single sourcing).

Formulation, with the notation of :mod:`deploy_opt.location.pmedian` plus
demands :math:`d_i` and capacities :math:`Q_j`:

.. math::

    \min \; & \sum_{i, j} w_i c_{ij} x_{ij} \\
    \text{s.t.} \; & \sum_j x_{ij} = 1 & \forall i           \quad (1)\\
    & \sum_i d_i x_{ij} \le Q_j y_j & \forall j                \quad (2)\\
    & x_{ij} \le y_j & \forall i, j                            \quad (3)\\
    & \sum_j y_j \le p, \quad y_j = 1 \; \forall j \in R      \quad (4)\\
    & \sum_j Q_j y_j \ge \textstyle\sum_i d_i                  \quad (5)\\
    & x_{ij}, y_j \in \{0, 1\}.

(3) and (5) are redundant for integers but tighten the LP relaxation.

Method
------
* Small instances (at most :data:`FULL_MODEL_PAIRS` usable pairs): the full
  model is solved by HiGHS; its bound is the MIP dual bound.
* Larger ones:

  1. *Restricted MIP* (matheuristic): the same model with each point limited to
     its ``k`` cheapest sites; its solutions are feasible for the full problem
     and give the incumbent.
  2. *Lagrangian relaxation* of (1): for multipliers :math:`\lambda` each site
     solves a continuous knapsack over the points with
     :math:`w_i c_{ij} - \lambda_i < 0`, and the ``p`` best sites are opened.
     This gives a valid lower bound at any :math:`\lambda` and reduced costs
     that remove pairs which cannot improve on the incumbent.
  3. *Reduced MIP*: the full model on the surviving pairs, when they are few
     enough, solved by HiGHS for the remaining time; its bound counts only then.

The reported bound is the best valid one found; the objective is recomputed
from the original costs. HiGHS is deterministic, so results depend on
``time_limit`` only where it cuts a search.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from deploy_opt.location._mip import MipOutcome, solve_mip
from deploy_opt.location._problem import Instance, median_objective
from deploy_opt.location.result import LocationResult, Status, relative_gap

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Up to this many usable (point, site) pairs the full model goes straight to HiGHS.
FULL_MODEL_PAIRS = 45_000
#: Most pairs handed to the reduced exact MIP.
REDUCED_MODEL_PAIRS = 120_000
#: Cheapest sites per point in the restricted (heuristic) MIP.
RESTRICTED_K = 8


def solve_capacitated(
    inst: Instance,
    p: int,
    *,
    time_limit: float | None,
    seed: int,
    start: float,
) -> LocationResult:
    """Solve the capacitated p-median for validated input (see ``p_median``)."""
    deadline = None if time_limit is None else start + time_limit
    assert inst.capacities is not None
    reason = _obviously_infeasible(inst, p)
    if reason:
        return _finish(inst, p, None, np.inf, "infeasible", reason, seed, start)
    allowed = inst.allowed & (inst.demands[:, None] <= inst.capacities[None, :])
    n_pairs = int(allowed.sum())
    if n_pairs <= FULL_MODEL_PAIRS:
        rows, cols = np.nonzero(allowed)
        out = _solve_model(inst, p, rows, cols, _remaining(deadline))
        assign = _decode(out, rows, cols, inst.n)
        status, bound = _status(out, assign, inst)
        return _finish(inst, p, assign, bound, status, "HiGHS full model", seed, start)

    # 1. restricted MIP for an incumbent
    budget = _remaining(deadline)
    share = None if budget is None else 0.45 * budget
    assign, k = None, RESTRICTED_K
    while assign is None and k <= inst.m:
        rows, cols = _k_cheapest(inst, allowed, k)
        out = _solve_model(inst, p, rows, cols, share)
        assign = _decode(out, rows, cols, inst.n)
        if out.status == "infeasible" or assign is None:
            assign = None
            k *= 2
            if share is not None and time.perf_counter() > start + share:
                break
    ub = median_objective(inst, assign) if assign is not None else np.inf
    method = f"restricted MIP (k={k})"

    # 2. Lagrangian bound and reduced-cost fixing
    left = _remaining(deadline)
    lr_deadline = None if left is None else time.perf_counter() + 0.2 * left
    lr = _lagrangian(inst, allowed, p, ub, lr_deadline)
    bound = lr.bound
    method += f", lagrangian ({lr.iterations} it)"
    if assign is not None and bound >= ub - 1e-9 * max(1.0, ub):
        return _finish(inst, p, assign, ub, "optimal", method, seed, start)
    threshold = ub + 1e-7 * max(1.0, abs(ub)) if np.isfinite(ub) else np.inf
    keep = allowed & (lr.pair_bound <= threshold)
    n_keep = int(keep.sum())
    # 3. reduced exact MIP on the surviving pairs
    if n_keep <= REDUCED_MODEL_PAIRS:
        rows, cols = np.nonzero(keep)
        out = _solve_model(inst, p, rows, cols, _remaining(deadline))
        method += f", HiGHS on {n_keep} pairs"
        found = _decode(out, rows, cols, inst.n)
        if found is not None and median_objective(inst, found) < ub:
            assign, ub = found, median_objective(inst, found)
        if out.status == "optimal":
            return _finish(inst, p, assign, ub, "optimal", method, seed, start)
        if out.status == "infeasible" and assign is None:
            return _finish(inst, p, None, np.inf, "infeasible", method, seed, start)
        if np.isfinite(out.bound):
            bound = max(bound, min(out.bound, ub))
    else:
        method += f", {n_keep} pairs survive fixing (too many for the exact MIP)"
    status: Status = "time_limit" if deadline is not None else "feasible"
    if assign is None:
        status = "time_limit" if deadline is not None else "feasible"
    return _finish(inst, p, assign, bound, status, method, seed, start)


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    return max(deadline - time.perf_counter(), 0.01)


def _obviously_infeasible(inst: Instance, p: int) -> str:
    caps = inst.capacities
    assert caps is not None
    fits = inst.allowed & (inst.demands[:, None] <= caps[None, :])
    if not fits.any(axis=1).all():
        bad = int(np.flatnonzero(~fits.any(axis=1))[0])
        return f"demand point {bad} fits no usable site"
    free = np.ones(inst.m, dtype=bool)
    free[inst.required] = False
    extra = np.sort(caps[free])[::-1][: p - inst.required.size]
    if caps[inst.required].sum() + extra.sum() < inst.demands.sum() - 1e-9:
        return "the p largest capacities are smaller than the total demand"
    return ""


def _k_cheapest(
    inst: Instance, allowed: BoolArray, k: int
) -> tuple[IntArray, IntArray]:
    cost = np.where(allowed, inst.cost, np.inf)
    k = min(k, inst.m)
    part = np.argpartition(cost, k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(inst.n), k)
    cols = part.ravel()
    ok = allowed[rows, cols]
    # Required sites stay available to everyone who may use them.
    extra_r, extra_c = np.nonzero(allowed[:, inst.required])
    rows = np.concatenate([rows[ok], extra_r])
    cols = np.concatenate([cols[ok], inst.required[extra_c]])
    pairs = np.unique(rows.astype(np.int64) * inst.m + cols)
    return (pairs // inst.m).astype(np.intp), (pairs % inst.m).astype(np.intp)


def _solve_model(
    inst: Instance, p: int, rows: IntArray, cols: IntArray, time_limit: float | None
) -> MipOutcome:
    """Model (1)-(5) on the given pairs."""
    n, m = inst.n, inst.m
    caps = inst.capacities
    assert caps is not None
    nx = rows.size
    nv = nx + m
    weighted = inst.weighted[rows, cols]
    c = np.concatenate([weighted, np.zeros(m)])
    integrality = np.ones(nv, dtype=np.int8)
    lower = np.zeros(nv)
    upper = np.ones(nv)
    lower[nx + inst.required] = 1.0
    used = np.zeros(m, dtype=bool)
    used[cols] = True
    upper[nx + np.flatnonzero(~used)] = 0.0
    upper[nx + inst.required] = 1.0
    xs = np.arange(nx)
    # (1) each point served once
    a1 = sp.csr_array((np.ones(nx), (rows, xs)), shape=(n, nv))
    # (2) capacity of open sites
    a2 = sp.csr_array(
        (
            np.concatenate([inst.demands[rows], -caps]),
            (
                np.concatenate([cols, np.arange(m)]),
                np.concatenate([xs, nx + np.arange(m)]),
            ),
        ),
        shape=(m, nv),
    )
    # (3) x_ij <= y_j
    a3 = sp.csr_array(
        (
            np.concatenate([np.ones(nx), -np.ones(nx)]),
            (np.concatenate([xs, xs]), np.concatenate([xs, nx + cols])),
        ),
        shape=(nx, nv),
    )
    # (4) at most p sites (sites no pair may use are fixed closed, so "= p" could
    # be infeasible; extra open sites never lower the cost) and (5) enough capacity
    a4 = sp.csr_array(
        (
            np.concatenate([np.ones(m), caps]),
            (np.repeat([0, 1], m), np.concatenate([nx + np.arange(m)] * 2)),
        ),
        shape=(2, nv),
    )
    a = sp.vstack([a1, a2, a3, a4], format="csr")
    total = float(inst.demands.sum())
    row_lower = np.concatenate([np.ones(n), np.full(m + nx, -np.inf), [0, total]])
    row_upper = np.concatenate([np.ones(n), np.zeros(m + nx), [p, np.inf]])
    return solve_mip(c, integrality, lower, upper, a, row_lower, row_upper, time_limit)


def _decode(out: MipOutcome, rows: IntArray, cols: IntArray, n: int) -> IntArray | None:
    """Assignment from a MIP solution (``None`` without a complete one)."""
    if out.x is None:
        return None
    chosen = out.x[: rows.size] > 0.5
    assign = np.full(n, -1, dtype=np.intp)
    assign[rows[chosen]] = cols[chosen]
    if (assign < 0).any():
        return None
    return assign


def _open_sites(inst: Instance, assign: IntArray, p: int) -> IntArray:
    """Used and required sites, padded to ``p`` with the largest unused capacities.

    Opening a site nobody uses costs nothing, so any padding is optimal; the
    largest capacities make the choice deterministic and useful as reserve.
    """
    sites = np.union1d(np.unique(assign), inst.required).astype(np.intp)
    if sites.size < p:
        caps = inst.capacities
        assert caps is not None
        rest = np.setdiff1d(np.arange(inst.m), sites)
        order = rest[np.lexsort((rest, -caps[rest]))]
        sites = np.sort(np.concatenate([sites, order[: p - sites.size]]))
    return sites


def _status(
    out: MipOutcome, assign: IntArray | None, inst: Instance
) -> tuple[Status, float]:
    if out.status == "optimal" and assign is not None:
        return "optimal", median_objective(inst, assign)
    if out.status == "infeasible":
        return "infeasible", np.inf
    status: Status = "time_limit" if out.status == "time_limit" else "feasible"
    return status, out.bound


class _LagrangianOutcome:
    def __init__(self, bound: float, pair_bound: FloatArray, iterations: int) -> None:
        self.bound = bound
        self.pair_bound = pair_bound
        self.iterations = iterations


def _knapsacks(
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
    rho = np.bincount(cols, weights=gain * amount, minlength=m)
    pi = np.zeros(m)
    crit = np.flatnonzero((amount < 1.0) & (before <= caps[cols] + 1e-12))
    # The first item that does not fit completely sets the site's capacity price.
    first = np.unique(cols[crit], return_index=True)
    pi[first[0]] = -ratio[crit[first[1]]]
    return rho, pi, rows, cols, amount


def _lagrangian(
    inst: Instance,
    allowed: BoolArray,
    p: int,
    ub: float,
    deadline: float | None,
    max_iterations: int = 400,
) -> _LagrangianOutcome:
    caps = inst.capacities
    assert caps is not None
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
        rho, pi, rows, cols, amount = _knapsacks(reduced, inst.demands, caps)
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
    assert best_state is not None
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
    return _LagrangianOutcome(best, pair_bound, it)


def _finish(
    inst: Instance,
    p: int,
    assignment: IntArray | None,
    bound: float,
    status: Status,
    method: str,
    seed: int,
    start: float,
) -> LocationResult:
    if assignment is None:
        assign = np.full(inst.n, -1, dtype=np.intp)
        objective = float("inf")
        sites = np.zeros(0, dtype=np.intp)
    else:
        assign = np.asarray(assignment, dtype=np.intp)
        objective = median_objective(inst, assign)
        sites = _open_sites(inst, assign, p)
    if status == "optimal":
        bound = objective
    elif np.isfinite(objective):
        bound = min(bound, objective)
    return LocationResult(
        model="capacitated_p_median",
        objective=objective,
        bound=float(bound),
        gap=relative_gap(objective, bound),
        status=status,
        sites=sites,
        assignment=assign,
        runtime_s=time.perf_counter() - start,
        method=method,
        seed=seed,
    )

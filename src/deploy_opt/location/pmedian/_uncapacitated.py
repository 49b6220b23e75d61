"""The uncapacitated p-median: heuristics, Lagrangian bound, fixing, branch and bound.

See :mod:`deploy_opt.location.pmedian` for the formulation and the method.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from deploy_opt.location._arrays import IntArray
from deploy_opt.location._problem import (
    Instance,
    median_objective,
    nearest_assignment,
)
from deploy_opt.location.pmedian._branch_and_bound import branch_and_bound
from deploy_opt.location.pmedian._branching import BallFamily
from deploy_opt.location.pmedian._heuristics import (
    assignment_cost,
    greedy_add,
    pair_swap,
    penalised,
)
from deploy_opt.location.pmedian._lagrangian import SubgradientOutcome, subgradient
from deploy_opt.location.pmedian._sorted_pairs import Pairs
from deploy_opt.location.result import LocationResult, Status, finish, no_solution

#: Share of the time limit the Lagrangian phase may use before the exact phase.
_LAGRANGIAN_SHARE = 0.4


def solve_uncapacitated(
    inst: Instance, p: int, time_limit: float | None, seed: int, start: float
) -> LocationResult:
    """Solve the uncapacitated p-median for validated input (see ``p_median``).

    ``start`` is the :func:`time.perf_counter` reading taken when the call began.
    """
    weighted = inst.weighted
    if not inst.allowed.any(axis=1).all():
        return _finish(inst, None, np.inf, "infeasible", "presolve", seed, start)
    deadline = None if time_limit is None else start + time_limit
    dist, _ = penalised(weighted)
    req = inst.required
    dist_pairs = Pairs.from_dense(dist)

    def swap(candidate: IntArray) -> IntArray:
        return pair_swap(dist, dist_pairs, candidate, req)

    sites = swap(greedy_add(dist, p, req))
    ub = assignment_cost(weighted, sites)

    def improve(candidate: IntArray) -> tuple[IntArray, float]:
        better = swap(candidate)
        return better, assignment_cost(weighted, better)

    lr_deadline = None if time_limit is None else start + _LAGRANGIAN_SHARE * time_limit
    lr = subgradient(
        weighted,
        p,
        req,
        sites,
        ub,
        integral=inst.integral,
        deadline=lr_deadline,
        improve=improve,
        pairs=dist_pairs if bool(inst.allowed.all()) else None,
    )
    sites, ub = lr.incumbent, lr.incumbent_cost
    bound = _round_bound(lr.bound, inst.integral)
    method = f"greedy+swap, lagrangian ({lr.iterations} it)"
    if np.isfinite(ub) and bound >= ub - _tol(ub):
        return _finish(inst, sites, ub, "optimal", method, seed, start)
    remaining = None if deadline is None else max(deadline - time.perf_counter(), 0.0)
    found, ub, bound, status, note = _exact_phase(
        inst, p, lr, sites, ub, remaining, swap
    )
    bound = max(bound, _round_bound(lr.bound, inst.integral))
    return _finish(inst, found, bound, status, f"{method}, {note}", seed, start)


def _tol(value: float) -> float:
    return 1e-9 * max(1.0, abs(value))


def _round_bound(bound: float, integral: bool) -> float:
    if integral and np.isfinite(bound):
        return float(math.ceil(bound - 1e-6))
    return float(bound)


def _exact_phase(
    inst: Instance,
    p: int,
    lr: SubgradientOutcome,
    sites: IntArray,
    ub: float,
    time_limit: float | None,
    swap: Callable[[IntArray], IntArray],
) -> tuple[IntArray | None, float, float, Status, str]:
    """Reduced-cost fixing, then the Lagrangian branch and bound on what is left.

    Returns sites, objective, bound, status and a note for ``method``.
    """
    weighted = inst.weighted
    n, m = weighted.shape
    has_ub = bool(np.isfinite(ub))
    # Keep only what can appear in a solution strictly better than the incumbent
    # (integer costs) or at least as good (float costs, incumbent stays feasible).
    if has_ub:
        threshold = ub - 1.0 + 1e-6 if inst.integral else ub + 1e-7 * max(1.0, ub)
    else:
        threshold = np.inf
    lam, rho, chosen = lr.multipliers, lr.rho, lr.chosen
    free = np.ones(m, dtype=bool)
    free[inst.required] = False
    in_chosen = np.zeros(m, dtype=bool)
    in_chosen[chosen] = True
    free_chosen = free & in_chosen
    free_other = free & ~in_chosen
    rho_last = rho[free_chosen].max() if free_chosen.any() else np.inf
    rho_next = rho[free_other].min() if free_other.any() else np.inf
    open_penalty = np.where(in_chosen, 0.0, np.maximum(rho - rho_last, 0.0))
    close_penalty = np.where(free_chosen, np.maximum(rho_next - rho, 0.0), 0.0)
    closed = free_other & (lr.bound + open_penalty > threshold)
    fixed_open = ~free | (free_chosen & (lr.bound + close_penalty > threshold))
    with np.errstate(invalid="ignore"):
        pair_bound = (
            lr.bound + np.maximum(weighted - lam[:, None], 0.0) + open_penalty[None, :]
        )
    keep = inst.allowed & (pair_bound <= threshold) & ~closed[None, :]
    if fixed_open.sum() > p:
        # The incumbent cannot be beaten: every improving solution would need more
        # than p sites.
        return sites, ub, ub, "optimal", "fixing proves optimality"
    rows, cols = np.nonzero(keep)
    if not np.all(np.bincount(rows, minlength=n) > 0):
        # Some point has no pair of a solution at most the threshold: with an
        # incumbent (whose own pairs pass the test up to rounding) it is optimal.
        if has_ub:
            return sites, ub, ub, "optimal", "fixing proves optimality"
        return None, np.inf, np.inf, "infeasible", "fixing proves infeasibility"

    def evaluate(candidate: IntArray) -> tuple[IntArray, float]:
        cost = assignment_cost(weighted, candidate)
        # Polish only promising sets: the swap costs far more than a node.
        if cost < ub * 1.01:
            better = swap(candidate)
            return better, assignment_cost(weighted, better)
        return candidate, cost

    deadline = None if time_limit is None else time.perf_counter() + time_limit
    out = branch_and_bound(
        rows.astype(np.intp),
        cols.astype(np.intp),
        weighted[rows, cols],
        (n, m),
        p,
        fixed_open,
        closed,
        lam,
        lr.bound,
        sites,
        ub,
        evaluate,
        BallFamily(inst.cost),
        integral=inst.integral,
        deadline=deadline,
    )
    note = (
        f"lagrangian B&B on {rows.size} of {n * m} pairs, "
        f"{int((~closed & ~fixed_open).sum())} free sites, {out.nodes} nodes"
    )
    if out.complete:
        if not np.isfinite(out.cost):
            return None, np.inf, np.inf, "infeasible", note
        return out.sites, out.cost, out.cost, "optimal", note
    return out.sites, out.cost, out.bound, "time_limit", note


def _finish(
    inst: Instance,
    sites: IntArray | None,
    bound: float,
    status: Status,
    method: str,
    seed: int,
    start: float,
) -> LocationResult:
    if sites is None or len(sites) == 0:
        sites, assignment = no_solution(inst.n)
        objective = float("inf")
    else:
        sites = np.sort(np.asarray(sites, dtype=np.intp))
        assignment, _ = nearest_assignment(inst, sites)
        objective = median_objective(inst, assignment)
    return finish(
        "p_median", objective, bound, status, sites, assignment, start, method, seed
    )

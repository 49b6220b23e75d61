"""Capacitated instances small enough for the full model (up to
:data:`~deploy_opt.location.capacitated.FULL_MODEL_PAIRS` usable pairs).

From :data:`HEURISTIC_MIN_PAIRS` pairs a location-allocation + POPMUSIC
solution comes first. With integer demands and capacities and a small enough
DP, column generation with triple cuts bounds the problem, fixes pairs and
enumerates the clusters of every better solution for a partition search
(:mod:`~deploy_opt.location.capacitated.columns`); if that does not finish,
HiGHS solves the model on the pairs it left. Otherwise the full model goes to
HiGHS, warm-started with the heuristic solution when there is one.
"""

from __future__ import annotations

import numpy as np

from deploy_opt.location._arrays import BoolArray, IntArray
from deploy_opt.location._deadline import after, remaining
from deploy_opt.location._problem import Instance, median_objective
from deploy_opt.location.capacitated._location_allocation import locate_allocate
from deploy_opt.location.capacitated._model import decode, mip_status, solve_model
from deploy_opt.location.capacitated._popmusic import popmusic
from deploy_opt.location.capacitated._solution import capacitated_result
from deploy_opt.location.capacitated.columns import cg_applicable, solve_by_columns
from deploy_opt.location.pmedian._heuristics import greedy_add, penalised
from deploy_opt.location.result import LocationResult, Status

#: From this many pairs the full-model path also runs the heuristic first.
HEURISTIC_MIN_PAIRS = 2_000
#: Share of the time limit for that heuristic.
HEURISTIC_SHARE = 0.1
#: Share of the heuristic's time for location-allocation (POPMUSIC gets the rest).
LA_SHARE = 0.3


def solve_small(
    inst: Instance,
    p: int,
    allowed: BoolArray,
    n_pairs: int,
    deadline: float | None,
    seed: int,
    start: float,
) -> LocationResult:
    """Solve a capacitated instance of ``n_pairs`` usable pairs (``allowed``)."""
    caps = inst.require_capacities()
    method = "HiGHS full model"
    heuristic = None
    if n_pairs >= HEURISTIC_MIN_PAIRS:
        heuristic = heuristic_solution(
            inst, allowed, p, after(remaining(deadline), HEURISTIC_SHARE)
        )
        method = "location-allocation + POPMUSIC"
    if heuristic is not None and cg_applicable(inst.demands, caps, inst.n, inst.m):
        exact = solve_by_columns(inst, allowed, p, heuristic, deadline)
        method += ", " + exact.method
        assign = exact.assignment
        if exact.proven or exact.usable is None:
            status: Status = "optimal" if exact.proven else "time_limit"
            if deadline is None and not exact.proven:
                status = "feasible"
            return capacitated_result(
                inst, p, assign, exact.bound, status, method, seed, start
            )
        return _reduced_model(
            inst, p, exact.usable, assign, exact.bound, deadline, method, seed, start
        )
    rows, cols = np.nonzero(allowed)
    out = solve_model(inst, p, rows, cols, remaining(deadline), start=heuristic)
    assign = decode(out, rows, cols, inst.n)
    status, bound = mip_status(out, assign, inst)
    ub = np.inf if heuristic is None else median_objective(inst, heuristic)
    better = (
        heuristic is not None
        and status not in ("optimal", "infeasible")
        and ub < (np.inf if assign is None else median_objective(inst, assign))
    )
    if better:
        assign = heuristic
    return capacitated_result(
        inst, p, assign, bound, status, method + ", HiGHS", seed, start
    )


def heuristic_solution(
    inst: Instance, allowed: BoolArray, p: int, deadline: float | None
) -> IntArray | None:
    """Greedy sites, location-allocation, then POPMUSIC, until ``deadline``."""
    dist, _ = penalised(np.where(allowed, inst.weighted, np.inf))
    sites = greedy_add(dist, p, inst.required)
    left = remaining(deadline)
    assign, _ = locate_allocate(inst, allowed, p, sites, after(left, LA_SHARE))
    if assign is None:
        return None
    return popmusic(inst, allowed, assign, deadline)[0]


def _reduced_model(
    inst: Instance,
    p: int,
    keep: BoolArray,
    assign: IntArray | None,
    bound: float,
    deadline: float | None,
    method: str,
    seed: int,
    start: float,
) -> LocationResult:
    """HiGHS on the pairs ``keep`` that every solution better than ``assign``
    uses: "optimal" or "infeasible" there proves the better of the two optimal."""
    ub = np.inf if assign is None else median_objective(inst, assign)
    rows, cols = np.nonzero(keep)
    method += f", HiGHS on {rows.size} pairs"
    out = solve_model(inst, p, rows, cols, remaining(deadline))
    found = decode(out, rows, cols, inst.n)
    if found is not None and median_objective(inst, found) < ub:
        assign, ub = found, median_objective(inst, found)
    if out.status in ("optimal", "infeasible"):
        if assign is None:
            return capacitated_result(
                inst, p, None, np.inf, "infeasible", method, seed, start
            )
        return capacitated_result(inst, p, assign, ub, "optimal", method, seed, start)
    if np.isfinite(out.bound):
        bound = max(bound, min(out.bound, ub))
    status: Status = "time_limit" if deadline is not None else "feasible"
    return capacitated_result(inst, p, assign, bound, status, method, seed, start)

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
* Instances with at most :data:`FULL_MODEL_PAIRS` usable pairs:

  - below :data:`HEURISTIC_MIN_PAIRS` pairs the full model goes to HiGHS;
  - otherwise location-allocation + POPMUSIC (below) give an incumbent; with
    integer demands and capacities (and a small enough DP) *column
    generation* with triple cuts on the set-partitioning master bounds the
    problem, fixes pairs and enumerates every cluster of a better solution
    for a partition search (:mod:`deploy_opt.location._cap_exact`). When that
    does not finish, HiGHS solves the model on the pairs it left: "optimal" or
    "infeasible" there proves the best of the two solutions optimal. Where
    column generation does not apply (no SciPy HiGHS binding, too large a DP)
    the *integer-knapsack* Lagrangian (:mod:`deploy_opt.location._knapsack_lr`)
    does the fixing if its DP fits; otherwise the full model is solved by
    HiGHS, warm-started with the incumbent.
* Larger ones (mid sizes up to :data:`RESTRICTED_MAX_N` points, large above):

  1. *Starts*: demand-balanced regions (recursive bisection, one site per
     region; best when capacities are tight) and a good uncapacitated
     p-median (greedy, interchange and Lagrangian subgradient on mid sizes,
     whose bound also bounds this problem; a greedy on each point's cheapest
     sites on large ones). *Location-allocation* (Cooper's alternation) from
     each: an optimal single-source assignment to the open sites (a small GAP
     MIP on mid sizes, a min-cost flow with repair on large ones) and a move
     of every site to the candidate that serves its own points cheapest,
     while the cost falls. The cheaper result is the first incumbent.
  2. *Pair re-optimisation* (:mod:`~deploy_opt.location._cap_pairs`): every
     split of two neighbouring small clusters over two sites, enumerated
     exactly; fixes most of a poor assignment in seconds when clusters hold a
     few points each.
  3. *POPMUSIC* on growing sub-problems (4, 8, 12, ... neighbouring sites,
     then longer sub-MIP caps for what was cut short, then randomly shaped
     sub-problems), each re-solved by HiGHS warm-started with the current
     solution. On large instances the continuous-knapsack Lagrangian (4.)
     runs first, in a fixed share, and POPMUSIC takes all the time left.
  4. Mid sizes: a *restricted MIP* (each point limited to its ``k`` cheapest
     sites and its incumbent site, warm-started), then the *Lagrangian
     relaxation* of (1): for multipliers :math:`\lambda` each site solves a
     continuous knapsack over the points with :math:`w_i c_{ij} - \lambda_i <
     0`, and the ``p`` best sites are opened. This gives a valid lower bound
     at any :math:`\lambda` and reduced costs that remove pairs which cannot
     improve on the incumbent.
  5. *Reduced MIP*: the full model on the surviving pairs, when they are few
     enough and time is left, warm-started and solved by HiGHS; its bound
     counts only then. When too many pairs survive, mid sizes spend the rest
     on a restricted MIP with ``2k`` sites per point instead.

The heuristics live in :mod:`~deploy_opt.location._cap_heuristics` and
:mod:`~deploy_opt.location._cap_pairs`, the MIP in
:mod:`~deploy_opt.location._cap_model`, the bounds in
:mod:`~deploy_opt.location._cap_lagrangian` and
:mod:`~deploy_opt.location._knapsack_lr`. HiGHS warm starts go through SciPy's
own HiGHS binding (:func:`deploy_opt.location._mip.solve_mip`); no extra
dependency.

The reported bound is the best valid one found; the objective is recomputed
from the original costs. HiGHS is deterministic and every heuristic choice
here is iteration-based or seeded, but the POPMUSIC sub-MIP caps are
wall-clock seconds (HiGHS has no deterministic work limit that bounds its root
node), so the mid and large paths repeat exactly only where no sub-MIP reaches
its cap and no time limit cuts a search; on a loaded machine they get less
far.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from deploy_opt.location._cap_exact import solve_by_columns
from deploy_opt.location._cap_heuristics import (
    KNN_GREEDY_K,
    balanced_sites,
    heuristic_solution,
    knn_greedy,
    locate_allocate,
    popmusic_grow,
)
from deploy_opt.location._cap_lagrangian import continuous_lagrangian
from deploy_opt.location._cap_model import (
    decode,
    mip_status,
    restricted_mip,
    solve_model,
)
from deploy_opt.location._cap_pairs import pair_reoptimize
from deploy_opt.location._colgen import cg_applicable
from deploy_opt.location._deadline import after, remaining
from deploy_opt.location._knapsack_lr import dp_applicable, knapsack_lagrangian
from deploy_opt.location._problem import Instance, median_objective
from deploy_opt.location.heuristics import (
    assignment_cost,
    fast_swap,
    greedy_add,
    penalised,
)
from deploy_opt.location.lagrangian import subgradient
from deploy_opt.location.result import LocationResult, Status, finish

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Up to this many usable (point, site) pairs the full model goes straight to HiGHS.
FULL_MODEL_PAIRS = 45_000
#: From this many pairs the full-model path also runs the heuristic first.
HEURISTIC_MIN_PAIRS = 2_000
#: Share of the time limit for that heuristic.
HEURISTIC_SHARE = 0.1
#: Most pairs handed to the reduced exact MIP.
REDUCED_MODEL_PAIRS = 120_000
#: Cheapest sites per point in the restricted (heuristic) MIP.
RESTRICTED_K = 8
#: Above this many points the restricted MIP is skipped for location-allocation.
RESTRICTED_MAX_N = 1000
#: Share of the time limit the uncapacitated start may use (mid sizes).
UNCAP_SHARE = 0.1
#: Share of the time left that location-allocation may use (all starts).
LA_SHARE = 0.1
#: Share of the time left after location-allocation that the pair
#: re-optimisation may use.
PAIRS_SHARE = 0.15
#: Share of the time left after the pairs that POPMUSIC may use on mid sizes
#: (the restricted MIP and the bound follow).
MID_POPMUSIC_SHARE = 0.75
#: Shares of the time left that the continuous-knapsack Lagrangian may use: on
#: large instances before POPMUSIC (which then runs to the end), on mid sizes
#: after the restricted MIP.
LARGE_LR_SHARE = 0.08
MID_LR_SHARE = 0.2
#: Mid sizes: share of the time left for the restricted MIP after POPMUSIC.
RESTRICTED_SHARE = 0.55


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
        return _solve_full(inst, p, allowed, n_pairs, deadline, seed, start)

    # 1. location-allocation from balanced and from uncapacitated sites: always
    #    an incumbent, even where no MIP finds one in time
    mid = inst.n <= RESTRICTED_MAX_N
    starts, uncap_bound = _start_sites(
        inst, allowed, p, mid, after(remaining(deadline), UNCAP_SHARE)
    )
    # location-allocation from each start; the cheapest result goes on
    assign, ub, rounds, label = None, np.inf, 0, ""
    la_deadline = after(remaining(deadline), LA_SHARE)
    for name, sites in starts:
        found, made = locate_allocate(inst, allowed, p, sites, la_deadline)
        cost = np.inf if found is None else median_objective(inst, found)
        if cost < ub:
            assign, ub, rounds, label = found, cost, made, name
    method = f"location-allocation from {label} sites ({rounds} rounds)"
    lr = None
    if assign is not None:
        # exact re-split of neighbouring cluster pairs (small clusters only)
        assign, moves = pair_reoptimize(
            inst, allowed, assign, after(remaining(deadline), PAIRS_SHARE)
        )
        method += f", pair re-optimisation ({moves} moves)"
        ub = median_objective(inst, assign)
        if not mid:
            # large instances: the bound first, in a fixed share, then POPMUSIC
            # for all the time left
            lr = continuous_lagrangian(
                inst, allowed, p, ub, after(remaining(deadline), LARGE_LR_SHARE)
            )
            method += f", lagrangian ({lr.iterations} it)"
        # POPMUSIC on growing sub-problems
        share = MID_POPMUSIC_SHARE if mid else 1.0
        assign, solved, r = popmusic_grow(
            inst, allowed, assign, after(remaining(deadline), share), seed=seed
        )
        method += f", POPMUSIC ({solved} sub-MIPs, up to {r} sites)"
    ub = median_objective(inst, assign) if assign is not None else np.inf

    # 2. restricted MIP (each point limited to its k cheapest sites and its
    #    incumbent site), warm-started with the incumbent, on mid sizes
    k = RESTRICTED_K
    if mid:
        until = after(remaining(deadline), RESTRICTED_SHARE)
        found = None
        while found is None and k <= inst.m:
            found = restricted_mip(inst, allowed, p, k, assign, remaining(until))
            if found is None:
                k *= 2
                if until is not None and time.perf_counter() > until:
                    break
        if found is not None and median_objective(inst, found) < ub:
            assign, ub = found, median_objective(inst, found)
        method += f", restricted MIP (k={k})"

    # 3. Lagrangian bound (mid sizes: now, with the best incumbent as target)
    #    and reduced-cost fixing
    if lr is None:
        lr = continuous_lagrangian(
            inst, allowed, p, ub, after(remaining(deadline), MID_LR_SHARE)
        )
        method += f", lagrangian ({lr.iterations} it)"
    bound = max(lr.bound, uncap_bound)
    if assign is not None and bound >= ub - 1e-9 * max(1.0, ub):
        return _finish(inst, p, assign, ub, "optimal", method, seed, start)
    threshold = ub + 1e-7 * max(1.0, abs(ub)) if np.isfinite(ub) else np.inf
    keep = allowed & (lr.pair_bound <= threshold)
    n_keep = int(keep.sum())
    out_of_time = deadline is not None and time.perf_counter() >= deadline - 0.05
    # 4. reduced exact MIP on the surviving pairs
    if n_keep <= REDUCED_MODEL_PAIRS and not out_of_time:
        rows, cols = np.nonzero(keep)
        out = solve_model(inst, p, rows, cols, remaining(deadline), start=assign)
        method += f", HiGHS on {n_keep} pairs"
        found = decode(out, rows, cols, inst.n)
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
        if mid and assign is not None and 2 * k <= inst.m:
            # use the rest on a wider restricted MIP from the incumbent
            found = restricted_mip(inst, allowed, p, 2 * k, assign, remaining(deadline))
            if found is not None and median_objective(inst, found) < ub:
                assign, ub = found, median_objective(inst, found)
            method += f", restricted MIP (k={2 * k})"
    status: Status = "time_limit" if deadline is not None else "feasible"
    return _finish(inst, p, assign, bound, status, method, seed, start)


def _start_sites(
    inst: Instance, allowed: BoolArray, p: int, polish: bool, deadline: float | None
) -> tuple[list[tuple[str, IntArray]], float]:
    """Site sets to start location-allocation from, and a proven bound.

    * Balanced regions (:func:`~deploy_opt.location._cap_heuristics.balanced_sites`),
      topped up greedily: sites spread like the demand, best when capacities
      are tight.
    * A good uncapacitated p-median, best when they are loose: without
      ``polish`` (large instances) the greedy on each point's cheapest sites
      (:func:`~deploy_opt.location._cap_heuristics.knn_greedy`); with it the
      dense greedy, the interchange and the subgradient of
      :mod:`~deploy_opt.location.lagrangian`, which applies the interchange to
      the relaxed site sets on the way (iteration-limited, so deterministic
      unless ``deadline`` cuts it) and proves a bound of the uncapacitated
      problem, hence of the capacitated one (``-inf`` without ``polish``).
    """
    weighted = np.where(allowed, inst.weighted, np.inf)
    req = inst.required
    dist, _ = penalised(weighted)
    if polish:
        greedy = greedy_add(dist, p, req)
    else:
        greedy = knn_greedy(weighted, p, req, KNN_GREEDY_K)
    balanced = balanced_sites(dist, inst.demands, p, req)
    if balanced.size < p:
        extra = greedy[~np.isin(greedy, balanced)][: p - balanced.size]
        balanced = np.union1d(balanced, extra).astype(np.intp)
    if not polish:
        return [("balanced", balanced), ("greedy", greedy)], -np.inf
    sites = fast_swap(dist, greedy, req)

    def improve(candidate: IntArray) -> tuple[IntArray, float]:
        better = fast_swap(dist, candidate, req)
        return better, assignment_cost(weighted, better)

    lr = subgradient(
        weighted,
        p,
        req,
        sites,
        assignment_cost(weighted, sites),
        integral=inst.integral,
        deadline=deadline,
        improve=improve,
    )
    return [("balanced", balanced), ("uncapacitated", lr.incumbent)], float(lr.bound)


def _solve_full(
    inst: Instance,
    p: int,
    allowed: BoolArray,
    n_pairs: int,
    deadline: float | None,
    seed: int,
    start: float,
) -> LocationResult:
    """Instances small enough for the full model.

    From :data:`HEURISTIC_MIN_PAIRS` pairs a location-allocation + POPMUSIC
    solution comes first. With integer demands and capacities, column
    generation with triple cuts bounds the problem, fixes pairs and enumerates
    the clusters of every better solution for a partition MIP
    (:mod:`~deploy_opt.location._cap_exact`); if that does not finish, HiGHS
    solves the model on the pairs left. Without SciPy's HiGHS binding the
    integer-knapsack Lagrangian does the fixing; with fractional demands the
    full model goes to HiGHS, warm-started with the incumbent.
    """
    caps = inst.capacities
    assert caps is not None
    method = "HiGHS full model"
    heuristic = None
    if n_pairs >= HEURISTIC_MIN_PAIRS:
        heuristic = heuristic_solution(
            inst, allowed, p, after(remaining(deadline), HEURISTIC_SHARE)
        )
        method = "location-allocation + POPMUSIC"
    ub = np.inf if heuristic is None else median_objective(inst, heuristic)
    if heuristic is not None and cg_applicable(inst.demands, caps, inst.n, inst.m):
        exact = solve_by_columns(inst, allowed, p, heuristic, deadline)
        method += ", " + exact.method
        assign = exact.assignment
        if exact.proven or exact.usable is None:
            status: Status = "optimal" if exact.proven else "time_limit"
            if deadline is None and not exact.proven:
                status = "feasible"
            return _finish(inst, p, assign, exact.bound, status, method, seed, start)
        return _reduced_model(
            inst, p, exact.usable, assign, exact.bound, deadline, method, seed, start
        )
    use_dp = heuristic is not None and dp_applicable(inst.demands, caps, inst.n, inst.m)
    if not use_dp:
        rows, cols = np.nonzero(allowed)
        out = solve_model(inst, p, rows, cols, remaining(deadline), start=heuristic)
        assign = decode(out, rows, cols, inst.n)
        status, bound = mip_status(out, assign, inst)
        better = (
            heuristic is not None
            and status not in ("optimal", "infeasible")
            and ub < (np.inf if assign is None else median_objective(inst, assign))
        )
        if better:
            assign = heuristic
        return _finish(inst, p, assign, bound, status, method + ", HiGHS", seed, start)

    assert heuristic is not None
    lr = knapsack_lagrangian(
        inst.weighted,
        allowed,
        inst.demands,
        caps,
        inst.required,
        p,
        ub,
        after(remaining(deadline), 0.15),
        integral=inst.integral,
    )
    method += f", knapsack lagrangian ({lr.iterations} it)"
    # only strictly better solutions are of interest
    step = 1.0 - 1e-6 if inst.integral else 1e-9 * max(1.0, abs(ub))
    if lr.bound >= ub - step:
        return _finish(inst, p, heuristic, ub, "optimal", method, seed, start)
    keep = allowed & (lr.pair_bound <= ub - step)
    return _reduced_model(
        inst, p, keep, heuristic, lr.bound, deadline, method, seed, start
    )


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
            return _finish(inst, p, None, np.inf, "infeasible", method, seed, start)
        return _finish(inst, p, assign, ub, "optimal", method, seed, start)
    if np.isfinite(out.bound):
        bound = max(bound, min(out.bound, ub))
    status: Status = "time_limit" if deadline is not None else "feasible"
    return _finish(inst, p, assign, bound, status, method, seed, start)


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
    return finish(
        "capacitated_p_median",
        objective,
        bound,
        status,
        sites,
        assign,
        start,
        method,
        seed,
    )

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
    integer demands and capacities (and a small enough DP) the
    *integer-knapsack* Lagrangian (:mod:`deploy_opt.location._knapsack_lr`)
    bounds the problem and removes every pair that cannot be in a solution
    strictly better than the incumbent; HiGHS then solves the model on the
    surviving pairs: "optimal" or "infeasible" there proves the best of the two
    solutions optimal. Without the DP the full model is solved by HiGHS,
    warm-started with the incumbent.
* Larger ones:

  1. *Location-allocation* (Cooper's alternation): start from the greedy
     uncapacitated sites, then repeat an optimal single-source
     assignment to the open sites (a small GAP MIP, each point limited to its
     :data:`GAP_K` cheapest open sites) and a move of every site to the
     candidate that serves its own points cheapest, while the cost falls. Its
     solutions are feasible and give the first incumbent. *POPMUSIC* then
     re-solves sub-problems of :data:`POPMUSIC_R` neighbouring sites exactly
     (HiGHS, warm-started with the current solution): briefly on mid sizes,
     for most of the time above :data:`RESTRICTED_MAX_N` points.
  2. *Restricted MIP* (matheuristic, up to :data:`RESTRICTED_MAX_N` points): the
     full model with each point limited to its ``k`` cheapest sites and its
     incumbent site, warm-started with the incumbent (so it only improves).
  3. *Lagrangian relaxation* of (1): for multipliers :math:`\lambda` each site
     solves a continuous knapsack over the points with
     :math:`w_i c_{ij} - \lambda_i < 0`, and the ``p`` best sites are opened.
     This gives a valid lower bound at any :math:`\lambda` and reduced costs
     that remove pairs which cannot improve on the incumbent.
  4. *Reduced MIP*: the full model on the surviving pairs, when they are few
     enough, warm-started and solved by HiGHS for the remaining time; its bound
     counts only then. When too many pairs survive, mid sizes spend the rest
     on a restricted MIP with ``2k`` sites per point instead.

HiGHS warm starts go through SciPy's own HiGHS binding
(:func:`deploy_opt.location._mip.solve_mip`); no extra dependency.

The reported bound is the best valid one found; the objective is recomputed
from the original costs. HiGHS is deterministic, so results depend on
``time_limit`` only where it cuts a search.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from deploy_opt.location._knapsack_lr import dp_applicable, knapsack_lagrangian
from deploy_opt.location._mip import MipOutcome, solve_mip
from deploy_opt.location._problem import Instance, median_objective, prepare
from deploy_opt.location.heuristics import greedy_add, penalised
from deploy_opt.location.result import LocationResult, Status, finish

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Up to this many usable (point, site) pairs the full model goes straight to HiGHS.
FULL_MODEL_PAIRS = 45_000
#: From this many pairs the full-model path also runs the heuristic first.
HEURISTIC_MIN_PAIRS = 2_000
#: Most pairs handed to the reduced exact MIP.
REDUCED_MODEL_PAIRS = 120_000
#: Cheapest sites per point in the restricted (heuristic) MIP.
RESTRICTED_K = 8
#: Above this many points the restricted MIP is skipped for location-allocation.
RESTRICTED_MAX_N = 1000
#: Cheapest open sites per point in the assignment MIP of location-allocation.
GAP_K = 10
#: Cheapest sites per point considered when relocating a site.
RELOCATE_K = 8
#: Open sites per POPMUSIC sub-problem.
POPMUSIC_R = 8
#: Seconds per POPMUSIC sub-problem (its best solution so far is used after).
POPMUSIC_SUB_LIMIT = 3.0
#: Cheapest sites per point offered as candidates in a POPMUSIC sub-problem.
POPMUSIC_K = 10


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

    # 1. location-allocation from the greedy uncapacitated sites: always an
    #    incumbent, even where the restricted MIP finds none in time
    dist, _ = penalised(np.where(allowed, inst.weighted, np.inf))
    start_sites = greedy_add(dist, p, inst.required)
    del dist
    mid = inst.n <= RESTRICTED_MAX_N
    assign, rounds = _locate_allocate(
        inst,
        allowed,
        p,
        start_sites,
        _after(_remaining(deadline), 0.15 if mid else 0.4),
    )
    method = f"location-allocation ({rounds} rounds)"
    if assign is not None:
        # large instances: most of the time here (no MIP on the whole model)
        share = 0.15 if mid else 0.75
        assign, solved = _popmusic(
            inst, allowed, assign, _after(_remaining(deadline), share)
        )
        method += f", POPMUSIC ({solved} sub-MIPs)"
    ub = median_objective(inst, assign) if assign is not None else np.inf

    # 2. restricted MIP (each point limited to its k cheapest sites and its
    #    incumbent site), warm-started with the incumbent, on mid sizes
    k = RESTRICTED_K
    if mid:
        left = _remaining(deadline)
        until = None if left is None else time.perf_counter() + 0.55 * left
        found = None
        while found is None and k <= inst.m:
            found = _restricted(inst, allowed, p, k, assign, _remaining(until))
            if found is None:
                k *= 2
                if until is not None and time.perf_counter() > until:
                    break
        if found is not None and median_objective(inst, found) < ub:
            assign, ub = found, median_objective(inst, found)
        method += f", restricted MIP (k={k})"

    # 3. Lagrangian bound and reduced-cost fixing
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
    # 4. reduced exact MIP on the surviving pairs
    if n_keep <= REDUCED_MODEL_PAIRS:
        rows, cols = np.nonzero(keep)
        out = _solve_model(inst, p, rows, cols, _remaining(deadline), start=assign)
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
        if mid and assign is not None and 2 * k <= inst.m:
            # use the rest on a wider restricted MIP from the incumbent
            found = _restricted(inst, allowed, p, 2 * k, assign, _remaining(deadline))
            if found is not None and median_objective(inst, found) < ub:
                assign, ub = found, median_objective(inst, found)
            method += f", restricted MIP (k={2 * k})"
        elif not mid and assign is not None:
            # large instances: back to POPMUSIC for the rest of the time
            assign, solved = _popmusic(inst, allowed, assign, deadline)
            ub = median_objective(inst, assign)
            method += f", POPMUSIC ({solved} sub-MIPs)"
    status: Status = "time_limit" if deadline is not None else "feasible"
    if assign is None:
        status = "time_limit" if deadline is not None else "feasible"
    return _finish(inst, p, assign, bound, status, method, seed, start)


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
    solution comes first. With integer demands and capacities the
    integer-knapsack Lagrangian then bounds the problem and fixes every pair
    that cannot be in a solution better than the incumbent; HiGHS solves the
    model on the surviving pairs (or the full model, warm-started with the
    incumbent, when the DP does not apply).
    """
    caps = inst.capacities
    assert caps is not None
    method = "HiGHS full model"
    heuristic = None
    if n_pairs >= HEURISTIC_MIN_PAIRS:
        heuristic = _heuristic(inst, allowed, p, _after(_remaining(deadline), 0.15))
        method = "location-allocation + POPMUSIC, HiGHS"
    ub = np.inf if heuristic is None else median_objective(inst, heuristic)
    use_dp = heuristic is not None and dp_applicable(inst.demands, caps, inst.n, inst.m)
    if not use_dp:
        rows, cols = np.nonzero(allowed)
        out = _solve_model(inst, p, rows, cols, _remaining(deadline), start=heuristic)
        assign = _decode(out, rows, cols, inst.n)
        status, bound = _status(out, assign, inst)
        better = (
            heuristic is not None
            and status not in ("optimal", "infeasible")
            and ub < (np.inf if assign is None else median_objective(inst, assign))
        )
        if better:
            assign = heuristic
        return _finish(inst, p, assign, bound, status, method, seed, start)

    assert heuristic is not None
    assign = heuristic
    lr = knapsack_lagrangian(
        inst.weighted,
        allowed,
        inst.demands,
        caps,
        inst.required,
        p,
        ub,
        _after(_remaining(deadline), 0.15),
        integral=inst.integral,
    )
    bound = lr.bound
    method += f", knapsack lagrangian ({lr.iterations} it)"
    # only strictly better solutions are of interest
    step = 1.0 - 1e-6 if inst.integral else 1e-9 * max(1.0, abs(ub))
    if bound >= ub - step:
        return _finish(inst, p, assign, ub, "optimal", method, seed, start)
    keep = allowed & (lr.pair_bound <= ub - step)
    rows, cols = np.nonzero(keep)
    method += f", HiGHS on {rows.size} pairs"
    out = _solve_model(inst, p, rows, cols, _remaining(deadline))
    found = _decode(out, rows, cols, inst.n)
    if found is not None and median_objective(inst, found) < ub:
        assign, ub = found, median_objective(inst, found)
    if out.status in ("optimal", "infeasible"):
        # every solution better than the incumbent lies in the reduced model
        return _finish(inst, p, assign, ub, "optimal", method, seed, start)
    if np.isfinite(out.bound):
        bound = max(bound, min(out.bound, ub))
    status: Status = "time_limit" if deadline is not None else "feasible"
    return _finish(inst, p, assign, bound, status, method, seed, start)


def _restricted(
    inst: Instance,
    allowed: BoolArray,
    p: int,
    k: int,
    incumbent: IntArray | None,
    time_limit: float | None,
) -> IntArray | None:
    """Model (1)-(5) with each point limited to its ``k`` cheapest sites and its
    incumbent site, warm-started with the incumbent; its solution (or ``None``)."""
    rows, cols = _k_cheapest(inst, allowed, k)
    if incumbent is not None:
        pairs = np.union1d(
            rows.astype(np.int64) * inst.m + cols,
            np.arange(inst.n, dtype=np.int64) * inst.m + incumbent,
        )
        rows = (pairs // inst.m).astype(np.intp)
        cols = (pairs % inst.m).astype(np.intp)
    out = _solve_model(inst, p, rows, cols, time_limit, start=incumbent)
    return _decode(out, rows, cols, inst.n)


def _gap_assign(
    inst: Instance,
    allowed: BoolArray,
    p: int,
    sites: IntArray,
    time_limit: float | None,
) -> IntArray | None:
    """Best single-source assignment to the open ``sites`` (each point limited to
    its :data:`GAP_K` cheapest open sites, widened when that is infeasible)."""
    k = min(GAP_K, sites.size)
    sub_allowed = allowed[:, sites]
    sub_cost = np.where(sub_allowed, inst.weighted[:, sites], np.inf)
    while True:
        part = np.argsort(sub_cost, axis=1, kind="stable")[:, :k]
        rows = np.repeat(np.arange(inst.n), k)
        local = part.ravel()
        ok = sub_allowed[rows, local]
        rows, cols = rows[ok].astype(np.intp), sites[local[ok]].astype(np.intp)
        out = _gap_model(inst, rows, cols, time_limit)
        assign = _decode(out, rows, cols, inst.n)
        if assign is not None or k >= sites.size:
            return assign
        k = min(sites.size, 2 * k)


def _flow_assign(
    inst: Instance, allowed: BoolArray, sites: IntArray
) -> IntArray | None:
    """Fast single-source assignment to the open ``sites`` for large instances.

    The splittable version (a transportation problem over each point's
    :data:`GAP_K` cheapest open sites; cost per unit of demand
    ``w_i c_ij / d_i``) is solved exactly as a min-cost flow (OR-Tools); each
    point then goes to the site carrying most of its demand, overloaded sites
    shed their cheapest-to-move points to sites with room, and single moves to
    cheaper sites with room finish. ``None`` when no feasible repair is found.
    """
    from ortools.graph.python import min_cost_flow

    caps = inst.capacities
    assert caps is not None
    n, s_count = inst.n, sites.size
    k = min(GAP_K, s_count)
    sub_cost = np.where(allowed[:, sites], inst.weighted[:, sites], np.inf)
    near = np.argsort(sub_cost, axis=1, kind="stable")[:, :k]
    rows = np.repeat(np.arange(n), k)
    local = near.ravel()
    ok = np.isfinite(sub_cost[rows, local])
    rows, local = rows[ok], local[ok]
    dem = np.round(inst.demands).astype(np.int64)
    if not np.all(dem == inst.demands) or dem.min(initial=1) <= 0:
        return None
    unit = sub_cost[rows, local] / dem[rows]
    scale = 1e6 / max(float(unit.max(initial=1.0)), 1e-12)
    flow = min_cost_flow.SimpleMinCostFlow()
    sink = n + s_count
    tails = np.concatenate([rows, n + np.arange(s_count)]).astype(np.int32)
    heads = np.concatenate([n + local, np.full(s_count, sink)]).astype(np.int32)
    capacity = np.concatenate([dem[rows], np.floor(caps[sites]).astype(np.int64)])
    costs = np.concatenate([np.round(unit * scale), np.zeros(s_count)]).astype(np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacity, costs)
    supplies = np.concatenate([dem, np.zeros(s_count, dtype=np.int64), [-dem.sum()]])
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    if flow.solve() != flow.OPTIMAL:
        return None
    amounts = flow.flows(np.arange(rows.size, dtype=np.int32))
    share = np.zeros((n, s_count))
    share[rows, local] = amounts
    assign_local = np.argmax(share, axis=1)
    load = np.bincount(assign_local, weights=inst.demands, minlength=s_count)
    room = caps[sites] - load
    cand_ok = np.isfinite(sub_cost)
    # repair: overloaded sites move out their cheapest-to-move points
    for j in np.flatnonzero(room < -1e-9):
        members = np.flatnonzero(assign_local == j)
        while room[j] < -1e-9 and members.size:
            extra = sub_cost[members] - sub_cost[members, j][:, None]
            fits = (room[None, :] >= inst.demands[members][:, None] - 1e-9) & cand_ok[
                members
            ]
            fits[:, j] = False
            extra = np.where(fits, extra, np.inf)
            flat = int(np.argmin(extra))
            a, b = divmod(flat, s_count)
            if not np.isfinite(extra[a, b]):
                return None
            i = members[a]
            assign_local[i] = b
            room[j] += inst.demands[i]
            room[b] -= inst.demands[i]
            members = np.delete(members, a)
    # improvement: single moves to cheaper sites with room
    for _ in range(3):
        moved = False
        for i in range(n):
            here = assign_local[i]
            better = np.flatnonzero(
                (sub_cost[i] < sub_cost[i, here] - 1e-9)
                & (room >= inst.demands[i] - 1e-9)
            )
            if better.size:
                b = int(better[np.argmin(sub_cost[i, better])])
                room[here] += inst.demands[i]
                room[b] -= inst.demands[i]
                assign_local[i] = b
                moved = True
        if not moved:
            break
    return sites[assign_local].astype(np.intp)


def _gap_model(
    inst: Instance, rows: IntArray, cols: IntArray, time_limit: float | None
) -> MipOutcome:
    """Single-source assignment on the given pairs (sites already open)."""
    caps = inst.capacities
    assert caps is not None
    n, m, nx = inst.n, inst.m, rows.size
    xs = np.arange(nx)
    a1 = sp.csr_array((np.ones(nx), (rows, xs)), shape=(n, nx))
    a2 = sp.csr_array((inst.demands[rows], (cols, xs)), shape=(m, nx))
    return solve_mip(
        inst.weighted[rows, cols],
        np.ones(nx, dtype=np.int8),
        np.zeros(nx),
        np.ones(nx),
        sp.vstack([a1, a2], format="csr"),
        np.concatenate([np.ones(n), np.full(m, -np.inf)]),
        np.concatenate([np.ones(n), caps]),
        time_limit,
    )


def _relocate(
    inst: Instance, allowed: BoolArray, assign: IntArray, near: IntArray
) -> IntArray:
    """Move each open site to the candidate that serves its own points cheapest.

    Candidates are the current site and each member's :data:`RELOCATE_K` cheapest
    sites; a candidate must be usable by every member, hold their demand, and not
    be open already. Required sites stay. Returns the new open sites.
    """
    caps = inst.capacities
    assert caps is not None
    weighted = inst.weighted
    is_open = np.zeros(inst.m, dtype=bool)
    is_open[assign] = True
    is_open[inst.required] = True
    fixed = np.zeros(inst.m, dtype=bool)
    fixed[inst.required] = True
    order = np.argsort(assign, kind="stable")
    bounds = np.searchsorted(assign[order], np.arange(inst.m + 1))
    for j in np.flatnonzero(is_open & ~fixed):
        members = order[bounds[j] : bounds[j + 1]]
        if members.size == 0:
            continue
        cand = np.unique(np.concatenate([near[members].ravel(), [j]]))
        cand = cand[(~is_open[cand]) | (cand == j)]
        load = float(inst.demands[members].sum())
        cand = cand[caps[cand] >= load - 1e-9]
        cand = cand[allowed[np.ix_(members, cand)].all(axis=0)]
        if cand.size <= 1:
            continue
        totals = weighted[np.ix_(members, cand)].sum(axis=0)
        best = int(cand[int(np.argmin(totals))])
        if best != j and totals.min() < weighted[members, j].sum() - 1e-9:
            is_open[j] = False
            is_open[best] = True
            assign[members] = best
    return np.flatnonzero(is_open).astype(np.intp)


def _locate_allocate(
    inst: Instance,
    allowed: BoolArray,
    p: int,
    sites: IntArray,
    deadline: float | None,
) -> tuple[IntArray | None, int]:
    """Alternate optimal assignment (GAP MIP) and site relocation (Cooper-style
    location-allocation) from ``sites`` until no improvement or the deadline.

    Returns the best assignment found (``None`` if none) and the rounds made.
    """
    near_cost = np.where(allowed, inst.weighted, np.inf)
    kk = min(RELOCATE_K, inst.m)
    near = np.argpartition(near_cost, kk - 1, axis=1)[:, :kk]
    best: IntArray | None = None
    best_cost = np.inf
    rounds = 0
    while True:
        left = _remaining(deadline)
        if left is not None and left <= 0.05:
            break
        if inst.n > RESTRICTED_MAX_N:
            assign = _flow_assign(inst, allowed, sites)
        else:
            assign = _gap_assign(inst, allowed, p, sites, left)
        rounds += 1
        if assign is None:
            break
        cost = median_objective(inst, assign)
        if best is not None and not cost < best_cost - 1e-9 * max(1.0, best_cost):
            break
        best, best_cost = assign.copy(), cost
        sites = _relocate(inst, allowed, assign, near)
    return best, rounds


def _popmusic(
    inst: Instance,
    allowed: BoolArray,
    assign: IntArray,
    deadline: float | None,
) -> tuple[IntArray, int]:
    """Improve an assignment by re-solving small sub-problems exactly (POPMUSIC).

    A sub-problem takes one open site with its :data:`POPMUSIC_R` - 1 nearest open
    sites (nearness: mean cost from one site's points to the other), their
    points, and as candidates every site among those points' cheapest that is
    not open elsewhere; HiGHS re-solves this capacitated ``r``-median. The
    current solution is feasible for it, so the result never gets worse. Stops
    when every site has been a seed since the last improvement, or at the
    deadline. Returns the assignment and the sub-problems solved.
    """
    caps = inst.capacities
    assert caps is not None
    assign = assign.copy()
    weighted = inst.weighted
    cheap = np.where(allowed, weighted, np.inf)
    kk = min(POPMUSIC_K, inst.m)
    near = np.argpartition(cheap, kk - 1, axis=1)[:, :kk]
    required = np.zeros(inst.m, dtype=bool)
    required[inst.required] = True
    todo = list(np.unique(assign))
    done: set[int] = set()
    solved = 0
    while todo:
        left = _remaining(deadline)
        if left is not None and left <= 0.05:
            break
        seed = int(todo.pop(0))
        if seed in done or not (assign == seed).any():
            continue
        done.add(seed)
        open_sites = np.unique(assign)
        # mean cost from the seed's points to every open site
        members = np.flatnonzero(assign == seed)
        reach = np.where(
            allowed[np.ix_(members, open_sites)],
            weighted[np.ix_(members, open_sites)],
            np.inf,
        ).mean(axis=0)
        r = min(POPMUSIC_R, open_sites.size)
        group = open_sites[np.argsort(reach, kind="stable")[:r]]
        pts = np.flatnonzero(np.isin(assign, group))
        cands = np.unique(np.concatenate([near[pts].ravel(), group]))
        cands = cands[~np.isin(cands, open_sites) | np.isin(cands, group)]
        # each point keeps its cheapest candidates and the group's sites
        offered = np.zeros((pts.size, cands.size), dtype=bool)
        pos = np.searchsorted(cands, near[pts])
        hit = cands[np.minimum(pos, cands.size - 1)] == near[pts]
        offered[np.nonzero(hit)[0], pos[hit]] = True
        offered[:, np.searchsorted(cands, group)] = True
        sub_allowed = allowed[np.ix_(pts, cands)] & offered
        sub = prepare(
            np.where(sub_allowed, inst.cost[np.ix_(pts, cands)], np.inf),
            weights=inst.weights[pts],
            demands=inst.demands[pts],
            capacities=caps[cands],
            required=np.flatnonzero(required[cands]),
        )
        rows, cols = np.nonzero(sub_allowed)
        limit = POPMUSIC_SUB_LIMIT if left is None else min(left, POPMUSIC_SUB_LIMIT)
        current = np.searchsorted(cands, assign[pts])
        out = _solve_model(sub, group.size, rows, cols, limit, start=current)
        solved += 1
        found = _decode(out, rows, cols, pts.size)
        if found is None:
            continue
        before = float(weighted[pts, assign[pts]].sum())
        after = float(weighted[pts, cands[found]].sum())
        if after < before - 1e-9 * max(1.0, before):
            assign[pts] = cands[found]
            new = np.setdiff1d(np.unique(cands[found]), group)
            changed = set(group.tolist()) | set(new.tolist())
            done -= changed
            todo.extend(sorted(changed - set(todo)))
    return assign, solved


def _heuristic(
    inst: Instance, allowed: BoolArray, p: int, deadline: float | None
) -> IntArray | None:
    """Greedy sites, location-allocation, then POPMUSIC, until ``deadline``."""
    dist, _ = penalised(np.where(allowed, inst.weighted, np.inf))
    sites = greedy_add(dist, p, inst.required)
    left = _remaining(deadline)
    assign, _ = _locate_allocate(inst, allowed, p, sites, _after(left, 0.3))
    if assign is None:
        return None
    return _popmusic(inst, allowed, assign, deadline)[0]


def _after(seconds: float | None, share: float) -> float | None:
    """Deadline ``share`` of ``seconds`` from now (``None`` without a limit)."""
    return None if seconds is None else time.perf_counter() + share * seconds


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
    inst: Instance,
    p: int,
    rows: IntArray,
    cols: IntArray,
    time_limit: float | None,
    cutoff: float = np.inf,
    start: IntArray | None = None,
) -> MipOutcome:
    """Model (1)-(5) on the given pairs; with a finite ``cutoff`` also the row
    ``objective <= cutoff`` (then "infeasible" means nothing at most ``cutoff``).

    ``start``: an assignment whose pairs are all among the given ones, handed to
    HiGHS as its first incumbent (ignored otherwise).
    """
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
    # (4) p sites (at most p when fewer can open: sites no pair may use are fixed
    # closed; extra open sites never lower the cost) and (5) enough capacity
    a4 = sp.csr_array(
        (
            np.concatenate([np.ones(m), caps]),
            (np.repeat([0, 1], m), np.concatenate([nx + np.arange(m)] * 2)),
        ),
        shape=(2, nv),
    )
    blocks = [a1, a2, a3, a4]
    total = float(inst.demands.sum())
    # "= p" where p sites can be open (tighter for HiGHS), else "<= p"
    at_least = min(p, int(np.count_nonzero(upper[nx:] > 0)))
    row_lower = np.concatenate(
        [np.ones(n), np.full(m + nx, -np.inf), [at_least, total]]
    )
    row_upper = np.concatenate([np.ones(n), np.zeros(m + nx), [p, np.inf]])
    if np.isfinite(cutoff):
        blocks.append(sp.csr_array(c[None, :]))
        row_lower = np.append(row_lower, -np.inf)
        row_upper = np.append(row_upper, cutoff)
    a = sp.vstack(blocks, format="csr")
    x0 = None if start is None else _start_vector(inst, p, rows, cols, start)
    return solve_mip(
        c, integrality, lower, upper, a, row_lower, row_upper, time_limit, x0
    )


def _start_vector(
    inst: Instance, p: int, rows: IntArray, cols: IntArray, assign: IntArray
) -> FloatArray | None:
    """Model (1)-(5) variables of ``assign`` (``None`` if a pair is missing)."""
    x = (assign[rows] == cols).astype(np.float64)
    if int(x.sum()) != inst.n:
        return None
    y = np.zeros(inst.m)
    y[np.unique(assign)] = 1.0
    y[inst.required] = 1.0
    usable = np.zeros(inst.m, dtype=bool)
    usable[cols] = True
    usable[inst.required] = True
    spare = np.flatnonzero(usable & (y == 0))
    need = min(p, int(usable.sum())) - int(y.sum())
    if need < 0:
        return None
    caps = inst.capacities
    assert caps is not None
    y[spare[np.lexsort((spare, -caps[spare]))][:need]] = 1.0
    return np.concatenate([x, y])


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
    def __init__(
        self, bound: float, pair_bound: FloatArray, iterations: int, chosen: IntArray
    ) -> None:
        self.bound = bound
        self.pair_bound = pair_bound
        self.iterations = iterations
        self.chosen = chosen


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
    return _LagrangianOutcome(best, pair_bound, it, np.sort(chosen).astype(np.intp))


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

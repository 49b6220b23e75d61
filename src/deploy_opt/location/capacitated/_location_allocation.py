"""Location-allocation for the capacitated p-median, and the site sets it starts from.

Cooper's alternation: an optimal single-source assignment to the open sites (a
small GAP MIP, or on large instances a min-cost flow with repair) and a move of
every site to the candidate that serves its own points cheapest, while the cost
falls. Starts: demand-balanced regions and a greedy on each point's cheapest
sites. Every solution returned is feasible.
"""

from __future__ import annotations

import numpy as np

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location._deadline import remaining
from deploy_opt.location._problem import Instance, median_objective
from deploy_opt.location.capacitated._model import decode, gap_model

#: Above this many points location-allocation assigns by min-cost flow + repair.
FLOW_ASSIGN_MIN_N = 1000
#: Cheapest open sites per point in the assignment MIP of location-allocation.
GAP_K = 10
#: Cheapest sites per point considered when relocating a site.
RELOCATE_K = 8
#: Cheapest sites per point used by :func:`knn_greedy`.
KNN_GREEDY_K = 32


def knn_greedy(weighted: FloatArray, p: int, required: IntArray, k: int) -> IntArray:
    """Greedy uncapacitated sites on each point's ``k`` cheapest sites only.

    The greedy of :func:`~deploy_opt.location.pmedian._heuristics.greedy_add` (open the
    site that lowers the total cost most, ``p`` times, from the required ones)
    with every pair beyond a point's ``k`` cheapest treated as unusable: a
    point without an open site among them costs a penalty above any pair.
    About ``n / m * p`` times less work than the dense greedy, for a start of
    similar quality on large instances. ``weighted`` has ``inf`` for forbidden
    pairs.
    """
    n, m = weighted.shape
    k = min(k, m)
    near = np.argpartition(weighted, k - 1, axis=1)[:, :k]
    costs = np.take_along_axis(weighted, near, axis=1).ravel()
    rows = np.repeat(np.arange(n), k)
    cols = near.ravel()
    ok = np.isfinite(costs)
    rows, cols, costs = rows[ok], cols[ok], costs[ok]
    by_site = np.argsort(cols, kind="stable")
    rows, cols, costs = rows[by_site], cols[by_site], costs[by_site]
    starts = np.searchsorted(cols, np.arange(m + 1))
    penalty = 2.0 * float(costs.max(initial=0.0)) + 1.0
    current = np.full(n, penalty)
    is_open = np.zeros(m, dtype=bool)

    def open_site(j: int) -> None:
        is_open[j] = True
        lo, hi = starts[j], starts[j + 1]
        current[rows[lo:hi]] = np.minimum(current[rows[lo:hi]], costs[lo:hi])

    for j in required:
        open_site(int(j))
    for _ in range(p - int(is_open.sum())):
        gain = np.bincount(
            cols, weights=np.maximum(current[rows] - costs, 0.0), minlength=m
        )
        gain[is_open] = -1.0
        open_site(int(np.argmax(gain)))
    return np.flatnonzero(is_open).astype(np.intp)


def balanced_sites(
    weighted: FloatArray, demands: FloatArray, p: int, required: IntArray
) -> IntArray:
    """Sites of ``p`` regions of equal demand, by recursive bisection.

    ``weighted`` must be finite (forbidden pairs penalised).

    A region of demand points that is to hold ``q`` sites is cut in two along
    the difference of the costs to two far-apart sites of its own (sites
    belong to the region of their cheapest demand point), at the point where
    the first part holds ``floor(q / 2) / q`` of the region's demand; a region
    with one site gets its 1-median among its own sites. With tight capacities
    this spreads the sites as the demand is spread, where the uncapacitated
    greedy crowds them into dense areas. Required sites replace the region
    sites nearest to them. Returns ``p`` sorted distinct sites (fewer only
    when regions run out of sites of their own; callers top up).
    """
    n = weighted.shape[0]
    owner = np.argmin(weighted, axis=0)
    sites: list[int] = []
    stack: list[tuple[IntArray, int]] = [(np.arange(n, dtype=np.intp), p)]
    while stack:
        region, q = stack.pop()
        own = np.flatnonzero(np.isin(owner, region))
        if own.size == 0:
            continue
        if q == 1 or own.size == 1 or region.size == 1:
            totals = weighted[np.ix_(region, own)].sum(axis=0)
            sites.append(int(own[np.argmin(totals)]))
            continue
        half = q // 2
        u = int(own[np.argmax(weighted[region[0], own])])
        v = int(own[np.argmax(weighted[owner[u], own])])
        order = region[
            np.argsort(weighted[region, u] - weighted[region, v], kind="stable")
        ]
        cum = np.cumsum(demands[order])
        cut = int(np.searchsorted(cum, cum[-1] * half / q))
        cut = min(max(cut, 1), region.size - 1)
        stack.append((order[cut:], q - half))
        stack.append((order[:cut], half))
    chosen = np.unique(np.asarray(sites, dtype=np.intp))
    for r in required:
        if r in chosen:
            continue
        free = chosen[~np.isin(chosen, required)]
        if free.size and chosen.size >= p:
            drop = free[np.argmin(weighted[owner[free], r])]
            chosen = chosen[chosen != drop]
        chosen = np.union1d(chosen, [r])
    return chosen.astype(np.intp)


def gap_assign(
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
        out = gap_model(inst, rows, cols, time_limit)
        assign = decode(out, rows, cols, inst.n)
        if assign is not None or k >= sites.size:
            return assign
        k = min(sites.size, 2 * k)


def flow_assign(inst: Instance, allowed: BoolArray, sites: IntArray) -> IntArray | None:
    """Fast single-source assignment to the open ``sites`` for large instances.

    The splittable version (a transportation problem over each point's
    :data:`GAP_K` cheapest open sites; cost per unit of demand
    ``w_i c_ij / d_i``) is solved exactly as a min-cost flow (OR-Tools); each
    point then goes to the site carrying most of its demand, overloaded sites
    shed their cheapest-to-move points to sites with room, and single moves to
    cheaper sites with room finish. ``None`` when no feasible repair is found.
    """
    from ortools.graph.python import min_cost_flow

    caps = inst.require_capacities()
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


def relocate(
    inst: Instance, allowed: BoolArray, assign: IntArray, near: IntArray
) -> IntArray:
    """Move each open site to the candidate that serves its own points cheapest.

    Candidates are the current site and each member's :data:`RELOCATE_K` cheapest
    sites; a candidate must be usable by every member, hold their demand, and not
    be open already. Required sites stay. Returns the new open sites.
    """
    caps = inst.require_capacities()
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


def locate_allocate(
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
        left = remaining(deadline)
        if left is not None and left <= 0.05:
            break
        if inst.n > FLOW_ASSIGN_MIN_N:
            assign = flow_assign(inst, allowed, sites)
        else:
            assign = gap_assign(inst, allowed, p, sites, left)
        rounds += 1
        if assign is None:
            break
        cost = median_objective(inst, assign)
        if best is not None and not cost < best_cost - 1e-9 * max(1.0, best_cost):
            break
        best, best_cost = assign.copy(), cost
        sites = relocate(inst, allowed, assign, near)
    return best, rounds

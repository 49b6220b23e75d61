"""Primal heuristics for the capacitated p-median.

Location-allocation (Cooper's alternation of an optimal single-source
assignment and a relocation of each site), a min-cost-flow assignment with
repair for large instances, and POPMUSIC (exact re-solution of sub-problems of
neighbouring sites). Every solution returned is feasible.
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

from deploy_opt.location._cap_model import decode, gap_model, solve_model
from deploy_opt.location._deadline import after, remaining
from deploy_opt.location._problem import Instance, median_objective, prepare
from deploy_opt.location.heuristics import greedy_add, penalised

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

_log = logging.getLogger(__name__)

#: Above this many points location-allocation assigns by min-cost flow + repair.
FLOW_ASSIGN_MIN_N = 1000
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
#: Sites per sub-problem in the passes of :func:`popmusic_grow`.
GROW_SITES = (4, 8, 12, 16, 24)
#: Cheapest sites per point offered as candidates in :func:`popmusic_grow`:
#: this many times the mean cluster size, within the bounds below.
GROW_K_PER_CLUSTER = 1.5
GROW_K_MIN = 10
GROW_K_MAX = 30
#: Factors of the base sub-MIP cap tried in turn at each size of
#: :func:`popmusic_grow`.
GROW_CAP_FACTORS = (1.0, 2.0, 4.0)
#: Passes in a row without improvement that end the random phase of
#: :func:`popmusic_grow`.
GROW_RANDOM_STALL = 2
#: Cheapest sites per point used by :func:`knn_greedy`.
KNN_GREEDY_K = 32


def knn_greedy(weighted: FloatArray, p: int, required: IntArray, k: int) -> IntArray:
    """Greedy uncapacitated sites on each point's ``k`` cheapest sites only.

    The greedy of :func:`~deploy_opt.location.heuristics.greedy_add` (open the
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


def relocate(
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


def popmusic(
    inst: Instance,
    allowed: BoolArray,
    assign: IntArray,
    deadline: float | None,
) -> tuple[IntArray, int]:
    """One POPMUSIC pass with :data:`POPMUSIC_R` sites and :data:`POPMUSIC_K`
    candidates per point (see :func:`popmusic_pass`)."""
    assign, solved, _ = popmusic_pass(
        inst,
        allowed,
        assign,
        deadline,
        sites_per_sub=POPMUSIC_R,
        near=cheapest_sites(inst, allowed, POPMUSIC_K),
        sub_limit=POPMUSIC_SUB_LIMIT,
        memo={},
    )
    return assign, solved


def popmusic_grow(
    inst: Instance,
    allowed: BoolArray,
    assign: IntArray,
    deadline: float | None,
    *,
    sizes: tuple[int, ...] = GROW_SITES,
    seed: int = 0,
) -> tuple[IntArray, int, int]:
    """POPMUSIC on ever larger sub-problems, then again with ever longer caps.

    Each size takes ``sizes[t]`` sites per sub-problem (at most all open
    sites) and offers each point its :data:`GROW_K_PER_CLUSTER` x (mean cluster
    size) cheapest sites (within :data:`GROW_K_MIN` and :data:`GROW_K_MAX`).
    For each factor of :data:`GROW_CAP_FACTORS`, one pass per size, smallest
    first, runs with the sub-MIP cap :func:`grow_sub_limit` (of the mean
    number of points the sub-problems hold) times the factor; a sub-problem
    HiGHS has solved to optimality (or already tried at that cap) is not
    solved again while it is unchanged, and sizes whose pass cut nothing short
    are done, so the longer caps only go to what was cut short before. Small
    sub-problems with short caps remove most of the easy excess quickly;
    larger ones and longer caps then find the moves that involve several
    clusters at once. When every size has converged, passes with
    randomly shaped sub-problems of the two largest sizes (longest cap,
    generator seeded with ``seed``) follow until :data:`GROW_RANDOM_STALL`
    passes in a row improve nothing, or the deadline.

    Returns the assignment, the sub-problems solved and the last size reached
    (sites per sub-problem).
    """
    assign = assign.copy()
    solved = 0
    last = 0
    cluster = inst.n / max(np.unique(assign).size, 1)
    k = int(np.clip(round(GROW_K_PER_CLUSTER * cluster), GROW_K_MIN, GROW_K_MAX))
    near = cheapest_sites(inst, allowed, k)
    memo: dict[bytes, tuple[float, bool]] = {}
    n_open = np.unique(assign).size
    reached = sorted({min(n_open, size) for size in sizes})

    def run(
        current: IntArray, r: int, factor: float, rng: np.random.Generator | None
    ) -> tuple[IntArray, int, int]:
        target = round(r * inst.n / n_open)
        return popmusic_pass(
            inst,
            allowed,
            current,
            deadline,
            sites_per_sub=r,
            near=near,
            sub_limit=factor * grow_sub_limit(target),
            memo=memo,
            rng=rng,
        )

    pending = set(reached)  # sizes whose last pass left sub-problems cut short
    for factor in GROW_CAP_FACTORS:
        for r in reached:
            if r not in pending:
                continue
            left = remaining(deadline)
            if left is not None and left <= 0.05:
                return assign, solved, last
            assign, count, cut = run(assign, r, factor, None)
            solved += count
            last = max(last, r)
            if cut == 0:
                pending.discard(r)
            _log.debug(
                "POPMUSIC: %d sites per sub-problem, cap x%g: %d sub-MIPs (%d cut"
                " short), cost %.2f, %s s left",
                r,
                factor,
                count,
                cut,
                median_objective(inst, assign),
                _seconds_left(deadline),
            )
    rng = np.random.default_rng(seed)
    stall = 0
    turn = 0
    while reached and stall < GROW_RANDOM_STALL:
        left = remaining(deadline)
        if left is not None and left <= 0.05:
            break
        r = reached[-1 - (turn % min(2, len(reached)))]
        turn += 1
        before = median_objective(inst, assign)
        assign, count, _ = run(assign, r, GROW_CAP_FACTORS[-1], rng)
        solved += count
        cost = median_objective(inst, assign)
        stall = 0 if cost < before - 1e-9 * max(1.0, before) else stall + 1
        _log.debug(
            "POPMUSIC: random shapes, %d sites: %d sub-MIPs, cost %.2f, %s s left",
            r,
            count,
            cost,
            _seconds_left(deadline),
        )
    return assign, solved, last


def _seconds_left(deadline: float | None) -> str:
    left = remaining(deadline)
    return "no limit," if left is None else f"{left:.1f}"


def grow_sub_limit(points: int) -> float:
    """Base seconds for a sub-MIP of about ``points`` demand points (0.2 s at
    20 points, 0.64 s at 40, 4 s at 100): HiGHS finds most improvements early,
    and sub-MIPs get hard fast with their size."""
    return max(0.2, (points / 50.0) ** 2)


def cheapest_sites(inst: Instance, allowed: BoolArray, k: int) -> IntArray:
    """Each point's ``k`` cheapest allowed sites (unordered), ``(n, k)``."""
    kk = min(k, inst.m)
    cheap = np.where(allowed, inst.weighted, np.inf)
    return np.argpartition(cheap, kk - 1, axis=1)[:, :kk]


def popmusic_pass(
    inst: Instance,
    allowed: BoolArray,
    assign: IntArray,
    deadline: float | None,
    *,
    sites_per_sub: int,
    near: IntArray,
    sub_limit: float,
    memo: dict[bytes, tuple[float, bool]],
    rng: np.random.Generator | None = None,
) -> tuple[IntArray, int, int]:
    """Improve an assignment by re-solving small sub-problems exactly (POPMUSIC).

    A sub-problem takes one open site (the seed) with its
    ``sites_per_sub - 1`` nearest open sites (nearness: mean cost from the
    seed's points to the other), their points, and as candidates every site
    among those points' cheapest (``near``, from :func:`cheapest_sites`) that
    is not open elsewhere; HiGHS
    re-solves this capacitated ``r``-median within ``sub_limit`` seconds,
    warm-started with the current solution, so the result never gets worse.
    ``memo`` maps a sub-problem (its points and their sites) to the longest cap
    it was tried with and whether that proved it optimal; such a sub-problem is
    skipped while unchanged unless ``sub_limit`` is longer and it was not
    proven. Seeds are taken in site order; the sites of an improved
    sub-problem become seeds again. Stops when every site has been a seed
    since the last improvement, or at the deadline. With ``rng`` the seed's
    companions are drawn from its ``2 (r - 1)`` nearest open sites instead
    (sub-problems of other shapes, to leave a local optimum).

    Returns the assignment, the sub-problems solved, and how many of them the
    cap cut short without an improvement.
    """
    caps = inst.capacities
    assert caps is not None
    assign = assign.copy()
    weighted = inst.weighted
    required = np.zeros(inst.m, dtype=bool)
    required[inst.required] = True
    todo = list(np.unique(assign))
    done: set[int] = set()
    solved = 0
    cut = 0
    while todo:
        left = remaining(deadline)
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
        r = min(sites_per_sub, open_sites.size)
        order = np.argsort(reach, kind="stable")
        if rng is None or r <= 1:
            group = open_sites[order[:r]]
        else:
            pool = order[1 : min(open_sites.size, 2 * r - 1)]
            pick = rng.choice(pool.size, size=min(r - 1, pool.size), replace=False)
            group = np.sort(open_sites[np.concatenate([order[:1], pool[pick]])])
        pts = np.flatnonzero(np.isin(assign, group))
        key = np.concatenate([pts, assign[pts]]).tobytes()
        tried_cap, proven = memo.get(key, (0.0, False))
        if proven or tried_cap >= sub_limit:
            continue
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
        limit = sub_limit if left is None else min(left, sub_limit)
        current = np.searchsorted(cands, assign[pts])
        out = solve_model(sub, group.size, rows, cols, limit, start=current)
        solved += 1
        found = decode(out, rows, cols, pts.size)
        before = float(weighted[pts, assign[pts]].sum())
        after_cost = (
            np.inf if found is None else float(weighted[pts, cands[found]].sum())
        )
        if after_cost < before - 1e-9 * max(1.0, before):
            assign[pts] = cands[found]
            new = np.setdiff1d(np.unique(cands[found]), group)
            changed = set(group.tolist()) | set(new.tolist())
            done -= changed
            todo.extend(sorted(changed - set(todo)))
        else:
            proven = out.status in ("optimal", "infeasible")
            memo[key] = (sub_limit, proven)
            cut += not proven
    return assign, solved, cut


def heuristic_solution(
    inst: Instance, allowed: BoolArray, p: int, deadline: float | None
) -> IntArray | None:
    """Greedy sites, location-allocation, then POPMUSIC, until ``deadline``."""
    dist, _ = penalised(np.where(allowed, inst.weighted, np.inf))
    sites = greedy_add(dist, p, inst.required)
    left = remaining(deadline)
    assign, _ = locate_allocate(inst, allowed, p, sites, after(left, 0.3))
    if assign is None:
        return None
    return popmusic(inst, allowed, assign, deadline)[0]

"""POPMUSIC for the capacitated p-median: exact re-solution of sub-problems of
neighbouring sites, each a HiGHS sub-MIP warm-started with the current solution,
so a solution never gets worse.
"""

from __future__ import annotations

import logging

import numpy as np

from deploy_opt.location._arrays import BoolArray, IntArray
from deploy_opt.location._deadline import remaining
from deploy_opt.location._problem import Instance, median_objective, prepare
from deploy_opt.location.capacitated._model import decode, solve_model

_log = logging.getLogger(__name__)

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
    caps = inst.require_capacities()
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

r"""Lagrangian branch and bound for the uncapacitated p-median, branching on balls.

It works on the pairs that survive root reduced-cost fixing: every solution at
least as good as the threshold uses only those pairs, so the search is exact for
them.

Bound
    Each node relaxes the assignment constraints (multipliers
    :math:`\lambda`, warm-started from its parent) and solves the rest exactly
    with :class:`~deploy_opt.location._laminar.LaminarSelector`, which respects
    the node's site fixings and cluster bounds; subgradient optimisation then
    moves :math:`\lambda` towards the node's LP bound.
Branching
    The p-median LP spreads fractional openings over neighbouring sites, so
    fixing one site barely moves the bound. Nodes branch instead on a *ball*
    :math:`B` (the sites within some cost of a demand point):
    :math:`\sum_{j \in B} y_j \le k` or :math:`\ge k + 1`, with :math:`k` the
    floor of its opening in the averaged relaxed solutions (a primal estimate,
    as in the Volume algorithm). Balls must be laminar with the node's earlier
    ones, so the subproblem stays exact; single sites are balls of size one.
    Several candidates with the most fractional openings are tried by a short
    subgradient run on each child (strong branching); the one whose weaker
    child has the highest bound wins.
Search
    Best first on the bound inherited from the parent (the strong-branching
    bound), so the bound reported when the time limit stops the search is the
    smallest bound among the unexplored nodes. Reduced-cost tests close sites
    and drop pairs inside the subtree.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from deploy_opt.location._laminar import Cluster, LaminarSelector, laminar_with
from deploy_opt.location._pairs import Pairs

#: Subgradient iterations per node, and iterations without progress before the
#: step is halved.
_ITER = 60
#: Iterations allowed to a node whose bound is within ``_CLOSE`` (share of the
#: root gap) of the threshold.
_ITER_CLOSE = 200
_CLOSE = 0.05
_STALL = 15
#: Iterations of each strong-branching child, and candidates tried per node.
_SB_ITER = 40
_SB_CANDIDATES = 8
_SB_THETA = 1.0
_SB_STALL = 15
#: Candidates tried below depth ``_SB_DEPTH``.
_SB_DEPTH = 100
_SB_DEEP = 8
#: Largest ball (sites) considered for branching.
_BALL_SITES = 20
#: First step-length factor of a node (its multipliers start near optimal).
_THETA = 1.0
#: Deflection: weight of the previous direction added to the subgradient.
_DEFLECT = 0.5
#: Share of the distance from the best bound to the incumbent aimed at by a step.
_GAMMA = 1.0
#: Relative slack of the multiplier caps used to filter pairs inside a node.
_SLACK = 0.05
#: Relative slack of the caps of a node's pool (pairs handed down to children).
_POOL_SLACK = 0.3
#: Weight of the newest relaxed solution in the averaged (primal) estimate.
_AVERAGE = 0.1

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class SearchOutcome:
    """Result of the tree search."""

    sites: IntArray
    cost: float
    bound: float
    complete: bool
    nodes: int


@dataclass
class _Node:
    bound: float
    lam: FloatArray
    fixed_open: BoolArray
    closed: BoolArray
    clusters: tuple[Cluster, ...]
    active: IntArray
    pool: _Pool | None = None
    depth: int = 0


@dataclass
class _Pool:
    """Pairs below generous caps of a node's multipliers; near sets come from it."""

    cap: FloatArray
    pairs: Pairs

    def restrict(self, active: BoolArray, closed: BoolArray) -> _Pool:
        """The pool of a child: its active pairs, open sites only."""
        keep = active[self.pairs.ids] & ~closed[self.pairs.cols]
        return _Pool(self.cap, self.pairs.subset(keep))


@dataclass
class _Relaxed:
    """Best multipliers of a node and what they give."""

    bound: float
    lam: FloatArray
    rho: FloatArray
    chosen: IntArray
    average: FloatArray
    feasible: bool
    iterations: int = 0
    pool: _Pool | None = None


def branch_and_bound(
    pairs_rows: IntArray,
    pairs_cols: IntArray,
    pairs_costs: FloatArray,
    shape: tuple[int, int],
    p: int,
    fixed_open: BoolArray,
    closed: BoolArray,
    lam: FloatArray,
    root_bound: float,
    incumbent: IntArray,
    incumbent_cost: float,
    evaluate: Callable[[IntArray], tuple[IntArray, float]],
    balls: Callable[[int], list[IntArray]],
    *,
    integral: bool,
    deadline: float | None,
) -> SearchOutcome:
    """Prove (or improve on) the incumbent by Lagrangian branch and bound.

    Parameters
    ----------
    pairs_rows, pairs_cols, pairs_costs
        Kept pairs and their weighted costs.
    shape
        ``(n, m)``.
    p
        Sites to open.
    fixed_open, closed
        Root site fixings (required sites are fixed open).
    lam
        Root multipliers.
    root_bound
        Root Lagrangian bound.
    incumbent, incumbent_cost
        Best known solution.
    evaluate
        Maps a site set to an improved site set and its true cost.
    balls
        Maps a site to nested site masks around it (smallest first), the
        branching candidates.
    integral
        Whether costs are integers (prune at ``ceil(bound) >= incumbent``).
    deadline
        ``time.perf_counter()`` value after which to stop.

    Returns
    -------
    SearchOutcome
        Best solution, proven bound, and whether the search finished.
    """
    n = shape[0]
    pairs = Pairs.from_arrays(pairs_rows, pairs_cols, pairs_costs, shape)
    best_sites, best = incumbent, incumbent_cost
    seen: set[bytes] = set()

    def threshold() -> float:
        if integral:
            return best - 1.0 + 1e-6
        return best - 1e-9 * max(1.0, abs(best))

    def consider(sites: IntArray) -> None:
        nonlocal best_sites, best
        key = sites.tobytes()
        if key in seen:
            return
        seen.add(key)
        better, cost = evaluate(sites)
        if cost < best:
            best_sites, best = better, cost

    tick = itertools.count()
    root = _Node(
        root_bound,
        lam.copy(),
        fixed_open.copy(),
        closed.copy(),
        (),
        np.arange(pairs.size, dtype=np.intp),
    )
    heap: list[tuple[float, int, _Node]] = [(root_bound, next(tick), root)]
    nodes = 0
    complete = True
    while heap:
        if deadline is not None and time.perf_counter() > deadline:
            complete = False
            break
        _, _, node = heapq.heappop(heap)
        if node.bound > threshold():
            continue
        nodes += 1
        node.active = node.active[~node.closed[pairs.cols[node.active]]]
        if not np.all(np.bincount(pairs.rows[node.active], minlength=n) > 0):
            continue
        local = pairs.subset(node.active)
        selector = LaminarSelector(p, node.fixed_open, node.closed, node.clusters)
        rel = _node_bound(
            lambda local=local: local,
            node.pool,
            selector,
            node.lam,
            best,
            _ITER,
            threshold,
            close=threshold() - _CLOSE * max(threshold() - root_bound, 0.0),
        )
        if rel is None or rel.bound > threshold():
            continue
        consider(rel.chosen)
        if rel.feasible or rel.bound > threshold():
            continue
        fo, cl = node.fixed_open.copy(), node.closed.copy()
        if not selector.has_clusters:
            _fix_sites(rel.rho, rel.chosen, rel.bound, threshold(), p, fo, cl)
        n_open = int(fo.sum())
        n_free = int((~fo & ~cl).sum())
        if n_open > p or n_open + n_free < p:
            continue
        if n_open == p or n_free == 0:
            consider(np.flatnonzero(fo).astype(np.intp))
            continue
        keep = _keep_pairs(
            local, rel, threshold(), cl, penalties=not selector.has_clusters
        )
        active = node.active[keep]
        if not np.all(np.bincount(pairs.rows[active], minlength=n) > 0):
            continue
        in_active = np.zeros(pairs.size, dtype=bool)
        in_active[active] = True
        pool = None if rel.pool is None else rel.pool.restrict(in_active, cl)
        base = _Node(
            rel.bound, rel.lam, fo, cl, node.clusters, active, pool, node.depth
        )

        children = _strong_branch(pairs, base, rel, p, best, threshold, balls, consider)
        for child in children:
            if child.bound <= threshold():
                heapq.heappush(heap, (child.bound, next(tick), child))
    if complete:
        proven = best
    else:
        pending = [entry[0] for entry in heap if entry[0] <= threshold()]
        proven = min([best, *pending])
        if integral and np.isfinite(proven):
            proven = min(best, float(math.ceil(proven - 1e-6)))
    return SearchOutcome(np.sort(best_sites), best, proven, complete, nodes)


def _node_bound(
    full: Callable[[], Pairs],
    pool: _Pool | None,
    selector: LaminarSelector,
    lam: FloatArray,
    ub: float,
    iterations: int,
    threshold: Callable[[], float],
    theta: float | None = None,
    close: float = np.inf,
    stall_limit: int | None = None,
) -> _Relaxed | None:
    """Subgradient optimisation of the node's Lagrangian; ``None`` if infeasible.

    ``full`` gives the node's pairs, needed only when a multiplier leaves the
    inherited ``pool``. Once the bound passes ``close`` (near the threshold), the
    run may go on to ``_ITER_CLOSE`` iterations: pruning is then within reach.
    """
    n, m = lam.size, selector.m
    best: _Relaxed | None = None
    average = np.zeros(m)
    theta = _THETA if theta is None else theta
    stall_limit = _STALL if stall_limit is None else stall_limit
    stall = 0
    target = ub if np.isfinite(ub) else None
    # Only pairs with cost below their row's multiplier count; iterate on those
    # under a cap with slack and re-filter when a multiplier passes its cap.
    cap = np.full(n, -np.inf)
    counts = near_rows = near_cols = np.zeros(0, dtype=np.intp)
    near_costs = np.zeros(0)
    is_chosen = np.zeros(m, dtype=bool)
    direction = None
    limit = iterations
    for it in range(max(iterations, _ITER_CLOSE)):
        if it >= limit:
            if best is None or best.bound < close:
                break
            limit = _ITER_CLOSE
        if it == 0 or bool((lam > cap).any()):
            cap = lam + _SLACK * np.abs(lam) + 1e-9
            if pool is None or bool((cap > pool.cap).any()):
                pool = _Pool(lam + _POOL_SLACK * np.abs(lam) + 1e-9, full())
                pool = _Pool(pool.cap, pool.pairs.below(pool.cap))
            counts, near_rows, near_cols, near_costs = pool.pairs.near(cap)
        # Full-array passes: boolean indexing costs more than it saves here.
        reduced = np.minimum(near_costs - np.repeat(lam, counts), 0.0)
        rho = np.bincount(near_cols, weights=reduced, minlength=m)
        chosen = selector.select(rho)
        if chosen is None:
            return None
        value = float(lam.sum() + rho[chosen].sum())
        is_chosen[:] = False
        is_chosen[chosen] = True
        average = is_chosen.astype(float) if it == 0 else average
        average += _AVERAGE * (is_chosen - average)
        served = np.flatnonzero(is_chosen[near_cols] & (reduced < 0.0))
        grad = 1.0 - np.bincount(near_rows[served], minlength=n)
        norm = float(grad @ grad)
        feasible = norm == 0.0
        if _DEFLECT and direction is not None:
            grad = grad + _DEFLECT * direction
            norm = float(grad @ grad)
        direction = grad
        improved = best is None or value > best.bound + 1e-6 * max(1.0, abs(best.bound))
        stall = 0 if improved else stall + 1
        if best is None or value > best.bound:
            best = _Relaxed(value, lam, rho, chosen, average, feasible)
        if value > threshold() or feasible or norm == 0.0:
            break
        if stall >= stall_limit:
            theta /= 2.0
            stall = 0
            if theta < 1e-3:
                break
        if target is None:
            goal = abs(value) * 1.05 + 1.0
        else:
            goal = best.bound + _GAMMA * (target - best.bound)
        lam = lam + theta * max(goal - value, 1e-9 * max(1.0, abs(goal))) / norm * grad
    if best is not None:
        best.average = average
        best.iterations = it + 1
        best.pool = pool
    return best


def _strong_branch(
    pairs: Pairs,
    node: _Node,
    rel: _Relaxed,
    p: int,
    ub: float,
    threshold: Callable[[], float],
    balls: Callable[[int], list[IntArray]],
    consider: Callable[[IntArray], None],
) -> list[_Node]:
    """Children of the best branching candidate, with their bounds.

    A candidate with one side pruned is taken at once (only the other side
    remains); a candidate whose first side already scores below the best is
    dropped without evaluating the second.
    """
    best: tuple[float, list[_Node]] | None = None
    for split in _candidates(node, rel, p, balls):
        kids: list[_Node] = []
        for side in split:
            kid = _evaluate_side(pairs, node, side, p, ub, threshold, consider)
            if kid is None or kid.bound > threshold():
                # This side holds no improving solution: the other side is the node.
                rest = [s for s in split if s is not side]
                other = _child(pairs, node, rest[0], p)
                if kids:
                    return kids
                return [] if other is None else [other]
            kids.append(kid)
            if best is not None and kid.bound <= best[0]:
                break
        if len(kids) < len(split):
            continue
        score = min(k.bound for k in kids)
        if best is None or score > best[0]:
            best = (score, kids)
    return [] if best is None else best[1]


def _evaluate_side(
    pairs: Pairs,
    node: _Node,
    side: Cluster,
    p: int,
    ub: float,
    threshold: Callable[[], float],
    consider: Callable[[IntArray], None],
) -> _Node | None:
    """The child on one side of a split after a short subgradient run."""
    kid = _child(pairs, node, side, p)
    if kid is None:
        return None
    selector = LaminarSelector(p, kid.fixed_open, kid.closed, kid.clusters)
    out = _node_bound(
        lambda: pairs.subset(kid.active[~kid.closed[pairs.cols[kid.active]]]),
        kid.pool,
        selector,
        kid.lam,
        ub,
        _SB_ITER,
        threshold,
        _SB_THETA,
        stall_limit=_SB_STALL,
    )
    if out is None:
        return None
    kid.bound = max(kid.bound, out.bound)
    kid.lam = out.lam
    kid.pool = out.pool
    if out.feasible:
        consider(out.chosen)
    return kid


def _candidates(
    node: _Node, rel: _Relaxed, p: int, balls: Callable[[int], list[IntArray]]
) -> list[tuple[Cluster, Cluster]]:
    """Branching splits ranked by how fractional the averaged opening is."""
    free = ~node.fixed_open & ~node.closed
    y = np.where(node.fixed_open, 1.0, np.where(node.closed, 0.0, rel.average))
    frac_sites = np.flatnonzero(free & (y > 0.02) & (y < 0.98))
    if frac_sites.size == 0:
        # The average looks integral but the node is open: branch on a chosen site.
        pick = rel.chosen[free[rel.chosen]]
        pick = pick if pick.size else np.flatnonzero(free)
        frac_sites = pick[:1]
    scored: dict[bytes, tuple[float, int, IntArray, int, float]] = {}
    for j in frac_sites:
        for ball in [np.array([j], dtype=np.intp), *balls(int(j))]:
            sites = np.sort(ball[~node.closed[ball]])
            key = sites.tobytes()
            if sites.size == 0 or key in scored:
                continue
            total = float(y[sites].sum())
            low = math.floor(total + 1e-9)
            frac = total - low
            if sites.size > 1 and not 0.05 < frac < 0.95:
                continue
            n_fixed = int(node.fixed_open[sites].sum())
            if low < n_fixed or low + 1 > min(p, sites.size):
                continue
            if not laminar_with(sites, node.clusters):
                continue
            scored[key] = (abs(frac - 0.5), sites.size, sites, low, frac)
    ranked = sorted(scored.values(), key=lambda t: (t[0], t[1]))
    splits = []
    count = _SB_CANDIDATES if node.depth < _SB_DEPTH else _SB_DEEP
    for _, _, sites, low, frac in ranked[:count]:
        mask = np.zeros(free.size, dtype=bool)
        mask[sites] = True
        down, up = Cluster(mask, 0, low), Cluster(mask, low + 1, p)
        # The side that moves less opening first: more often the weaker one,
        # which lets strong branching drop the candidate early.
        splits.append((down, up) if frac <= 0.5 else (up, down))
    return splits


class BallFamily:
    """Nested balls around each site: the sites within growing cost of the demand
    point nearest to it (the site itself when points and sites coincide).

    Costs are the unweighted ones, so weights do not distort the neighbourhoods.
    Each ball is returned as site indices, smallest ball first.
    """

    def __init__(self, cost: FloatArray, max_sites: int | None = None) -> None:
        self.cost = cost
        self.max_sites = _BALL_SITES if max_sites is None else max_sites
        self.cache: dict[int, list[IntArray]] = {}

    def __call__(self, site: int) -> list[IntArray]:
        if site not in self.cache:
            center = int(np.argmin(self.cost[:, site]))
            row = self.cost[center]
            order = np.argsort(row, kind="stable")[: self.max_sites + 1]
            near = row[order]
            # A ball ends where the cost steps up (ties stay together).
            steps = np.flatnonzero(np.isfinite(near[:-1]) & (near[1:] > near[:-1])) + 1
            ends = [int(e) for e in steps if 1 < e <= self.max_sites]
            if order.size <= self.max_sites and np.isfinite(near[-1]):
                ends.append(order.size)
            self.cache[site] = [order[:e] for e in ends if e > 1]
        return self.cache[site]


def _child(pairs: Pairs, node: _Node, side: Cluster, p: int) -> _Node | None:
    """The node with one more cluster bound; closings and fixings made explicit."""
    fo, cl = node.fixed_open.copy(), node.closed.copy()
    size = int(side.mask.sum())
    clusters = node.clusters
    if side.high == 0:
        cl |= side.mask
    elif size == 1 and side.low >= 1:
        fo |= side.mask
    else:
        clusters = (*clusters, side)
    if int(fo.sum()) > p or bool((fo & cl).any()):
        return None
    # The pairs of newly closed sites leave ``active`` when the node is processed.
    active, pool = node.active, node.pool
    if side.high == 0 and pool is not None:
        pool = _Pool(pool.cap, pool.pairs.subset(~cl[pool.pairs.cols]))
    return _Node(
        node.bound, node.lam.copy(), fo, cl, clusters, active, pool, node.depth + 1
    )


def _fix_sites(
    rho: FloatArray,
    chosen: IntArray,
    bound: float,
    threshold: float,
    p: int,
    fixed_open: BoolArray,
    closed: BoolArray,
) -> None:
    """Close or open free sites whose flip would push the bound past the threshold.

    Valid only without cluster bounds (the swap argument needs a plain
    cardinality constraint).
    """
    free = ~fixed_open & ~closed
    in_chosen = np.zeros(rho.size, dtype=bool)
    in_chosen[chosen] = True
    free_in = free & in_chosen
    free_out = free & ~in_chosen
    if not free_in.any() or int(fixed_open.sum()) >= p:
        return
    rho_last = rho[free_in].max()
    closed |= free_out & (bound + rho - rho_last > threshold)
    if free_out.any():
        rho_next = rho[free_out].min()
        fixed_open |= free_in & (bound + rho_next - rho > threshold)


def _keep_pairs(
    local: Pairs,
    rel: _Relaxed,
    threshold: float,
    closed: BoolArray,
    *,
    penalties: bool,
) -> BoolArray:
    """Pairs that may still appear below the threshold in this subtree.

    Using pair ``(i, j)`` costs at least ``max(0, c_ij - lambda_i)`` more, plus,
    without cluster bounds, the price of swapping ``j`` into the chosen set.
    """
    open_penalty = np.zeros(local.m)
    if penalties:
        in_chosen = np.zeros(local.m, dtype=bool)
        in_chosen[rel.chosen] = True
        free_in = in_chosen & ~closed
        rho_last = rel.rho[free_in].max() if free_in.any() else 0.0
        open_penalty = np.where(in_chosen, 0.0, np.maximum(rel.rho - rho_last, 0.0))
    pair_bound = (
        rel.bound
        + np.maximum(local.costs - rel.lam[local.rows], 0.0)
        + open_penalty[local.cols]
    )
    return (pair_bound <= threshold) & ~closed[local.cols]

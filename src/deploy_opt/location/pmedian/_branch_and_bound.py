r"""Lagrangian branch and bound for the uncapacitated p-median.

It works on the pairs that survive root reduced-cost fixing: every solution at
least as good as the threshold uses only those pairs, so the search is exact for
them.

Nodes
    A node fixes sites open or closed and bounds the opening of some balls of
    sites (:mod:`~deploy_opt.location.pmedian._branching`). Its bound is the Lagrangian
    of :mod:`~deploy_opt.location.pmedian._node_bound`, warm-started from the parent's
    multipliers, with the site subproblem solved exactly
    (:mod:`~deploy_opt.location.pmedian._laminar`); reduced-cost tests then close
    sites and drop pairs for the subtree. Nodes whose bound comes within
    ``_CLOSE`` of the threshold get a longer run, since pruning is in reach.
Strong branching
    Candidates are tried in pseudo-cost order: each side gets a short
    subgradient run from the node's multipliers, and the split whose weaker
    side has the highest bound wins. A side already pruned by its run settles
    the node (only the other side remains); a first side that scores below the
    best candidate drops the second; ``_LOOKAHEAD`` candidates in a row
    without a better score end the search. The runs feed the pseudo-costs and
    warm-start the children.
Search
    Best first on the bound inherited from the parent (the strong-branching
    bound), so the bound reported when the time limit stops the search is the
    smallest bound among the unexplored nodes. The tree depends only on the
    input: the time limit cuts it, nothing else does.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location.pmedian._branching import BallFamily, PseudoCosts, candidates
from deploy_opt.location.pmedian._laminar import Cluster, LaminarSelector
from deploy_opt.location.pmedian._node_bound import (
    Pool,
    Relaxed,
    fix_sites,
    keep_pairs,
    node_bound,
)
from deploy_opt.location.pmedian._sorted_pairs import Pairs

#: Subgradient iterations of a node; of a node within ``_CLOSE`` (share of the
#: root gap) of the threshold; of each strong-branching side.
_ITER = 60
_ITER_CLOSE = 200
_CLOSE = 0.05
_SB_ITER = 40
#: Candidates in a row without a better score that end strong branching.
_LOOKAHEAD = 2


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
    """A subtree: its valid bound, warm start, fixings and cluster bounds.

    ``active`` indexes the root pairs still usable; pairs of sites closed since
    it was computed are dropped when the node is processed.
    """

    bound: float
    lam: FloatArray
    fixed_open: BoolArray
    closed: BoolArray
    clusters: tuple[Cluster, ...]
    active: IntArray
    pool: Pool | None = None


class _Search:
    """State shared by the nodes: pairs, incumbent, pseudo-costs."""

    def __init__(
        self,
        pairs: Pairs,
        p: int,
        incumbent: IntArray,
        incumbent_cost: float,
        evaluate: Callable[[IntArray], tuple[IntArray, float]],
        balls: BallFamily,
        integral: bool,
    ) -> None:
        self.pairs, self.p, self.balls, self.integral = pairs, p, balls, integral
        self.best_sites, self.best = incumbent, incumbent_cost
        self.evaluate = evaluate
        self.seen: set[bytes] = set()
        self.costs = PseudoCosts()

    def threshold(self) -> float:
        """Bounds above this cannot hold a better solution."""
        if self.integral:
            return self.best - 1.0 + 1e-6
        return self.best - 1e-9 * max(1.0, abs(self.best))

    def consider(self, sites: IntArray) -> None:
        """Evaluate a site set (once) as a candidate incumbent."""
        key = sites.tobytes()
        if key in self.seen:
            return
        self.seen.add(key)
        better, cost = self.evaluate(sites)
        if cost < self.best:
            self.best_sites, self.best = better, cost

    def covered(self, active: IntArray) -> bool:
        """Whether every point keeps a usable pair."""
        counts = np.bincount(self.pairs.rows[active], minlength=self.pairs.n)
        return bool(np.all(counts > 0))


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
    balls: BallFamily,
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
        Branching balls of the instance.
    integral
        Whether costs are integers (prune at ``ceil(bound) >= incumbent``).
    deadline
        ``time.perf_counter()`` value after which to stop.

    Returns
    -------
    SearchOutcome
        Best solution, proven bound, and whether the search finished.
    """
    pairs = Pairs.from_arrays(pairs_rows, pairs_cols, pairs_costs, shape)
    search = _Search(pairs, p, incumbent, incumbent_cost, evaluate, balls, integral)
    root = _Node(
        root_bound,
        lam.copy(),
        fixed_open.copy(),
        closed.copy(),
        (),
        np.arange(pairs.size, dtype=np.intp),
    )
    tick = itertools.count()
    heap: list[tuple[float, int, _Node]] = [(root_bound, next(tick), root)]
    nodes = 0
    complete = True
    while heap:
        if deadline is not None and time.perf_counter() > deadline:
            complete = False
            break
        _, _, node = heapq.heappop(heap)
        if node.bound > search.threshold():
            continue
        nodes += 1
        for child in _process(search, node, root_bound):
            if child.bound <= search.threshold():
                heapq.heappush(heap, (child.bound, next(tick), child))
    best = search.best
    if complete:
        proven = best
    else:
        pending = [entry[0] for entry in heap if entry[0] <= search.threshold()]
        proven = min([best, *pending])
        if integral and np.isfinite(proven):
            proven = min(best, float(math.ceil(proven - 1e-6)))
    return SearchOutcome(np.sort(search.best_sites), best, proven, complete, nodes)


def _process(search: _Search, node: _Node, root_bound: float) -> list[_Node]:
    """Bound a node, shrink it, and return its children (none if pruned)."""
    pairs, p = search.pairs, search.p
    node.active = node.active[~node.closed[pairs.cols[node.active]]]
    if not search.covered(node.active):
        return []
    local = pairs.subset(node.active)
    selector = LaminarSelector(p, node.fixed_open, node.closed, node.clusters)
    threshold = search.threshold
    rel = node_bound(
        lambda: local,
        node.pool,
        selector,
        node.lam,
        search.best,
        threshold,
        _ITER,
        extend_above=threshold() - _CLOSE * max(threshold() - root_bound, 0.0),
        extended=_ITER_CLOSE,
    )
    if rel is None or rel.bound > threshold():
        return []
    search.consider(rel.chosen)
    if rel.feasible or rel.bound > threshold():
        return []
    fo, cl = node.fixed_open.copy(), node.closed.copy()
    if not selector.has_clusters:
        fix_sites(rel, threshold(), p, fo, cl)
    n_open = int(fo.sum())
    n_free = int((~fo & ~cl).sum())
    if n_open > p or n_open + n_free < p:
        return []
    if n_open == p or n_free == 0:
        search.consider(np.flatnonzero(fo).astype(np.intp))
        return []
    keep = keep_pairs(local, rel, threshold(), cl, penalties=not selector.has_clusters)
    active = node.active[keep]
    if not search.covered(active):
        return []
    in_active = np.zeros(pairs.size, dtype=bool)
    in_active[active] = True
    base = _Node(
        rel.bound,
        rel.lam,
        fo,
        cl,
        node.clusters,
        active,
        rel.pool.restrict(in_active, cl),
    )
    return _strong_branch(search, base, rel)


def _strong_branch(search: _Search, node: _Node, rel: Relaxed) -> list[_Node]:
    """Children of the best candidate split, with their strong-branching bounds."""
    threshold = search.threshold
    splits = candidates(
        search.p,
        node.fixed_open,
        node.closed,
        node.clusters,
        rel.average,
        rel.chosen,
        search.balls,
        search.costs,
    )
    best: tuple[float, list[_Node]] | None = None
    stale = 0
    for split in splits:
        kids: list[_Node] = []
        for side, moved in zip(split.sides, split.moved, strict=True):
            kid = _evaluate_side(search, node, side)
            up = side.low > 0
            if kid is None or kid.bound > threshold():
                search.costs.record(split.key, up, threshold() - node.bound, moved)
                # This side holds no improving solution: the other side is the node.
                if kids:
                    return kids
                other = split.sides[1] if side is split.sides[0] else split.sides[0]
                rest = _child(node, other, search.p)
                return [] if rest is None else [rest]
            search.costs.record(split.key, up, kid.bound - node.bound, moved)
            kids.append(kid)
            if best is not None and kid.bound <= best[0]:
                break
        score = min(k.bound for k in kids) if len(kids) == 2 else -np.inf
        if best is None or score > best[0]:
            best, stale = (score, kids), 0
        else:
            stale += 1
            if stale >= _LOOKAHEAD:
                break
    return [] if best is None else best[1]


def _evaluate_side(search: _Search, node: _Node, side: Cluster) -> _Node | None:
    """The child on one side of a split after a short subgradient run."""
    kid = _child(node, side, search.p)
    if kid is None:
        return None
    pairs = search.pairs
    selector = LaminarSelector(search.p, kid.fixed_open, kid.closed, kid.clusters)
    out = node_bound(
        lambda: pairs.subset(kid.active[~kid.closed[pairs.cols[kid.active]]]),
        kid.pool,
        selector,
        kid.lam,
        search.best,
        search.threshold,
        _SB_ITER,
        average_openings=False,
    )
    if out is None:
        return None
    if out.feasible:
        search.consider(out.chosen)
    return replace(kid, bound=max(kid.bound, out.bound), lam=out.lam, pool=out.pool)


def _child(node: _Node, side: Cluster, p: int) -> _Node | None:
    """The node with one more cluster bound; closings and fixings made explicit."""
    fo, cl = node.fixed_open.copy(), node.closed.copy()
    clusters = node.clusters
    pool = node.pool
    if side.high == 0:
        cl |= side.mask
        pool = None if pool is None else pool.close(cl)
    elif side.low >= 1 and int(side.mask.sum()) == 1:
        fo |= side.mask
    else:
        clusters = (*clusters, side)
    if int(fo.sum()) > p or bool((fo & cl).any()):
        return None
    return _Node(node.bound, node.lam.copy(), fo, cl, clusters, node.active, pool)
